# shellcheck shell=bash
# Helpers shared by Portico's scripts. Source it; don't execute it:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# It sets strict mode, puts cargo's bin dir on PATH and defines REPO_ROOT.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

case ":${PATH}:" in
  *":${HOME}/.cargo/bin:"*) ;;
  *) export PATH="${HOME}/.cargo/bin:${PATH}" ;;
esac

if [[ "${CI:-}" == "true" ]]; then
  export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
fi

# ---------------------------------------------------------------- messages

ok() { printf 'ok: %s\n' "$*"; }
installing() { printf 'installing %s\n' "$*"; }
note() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

have() { command -v "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------- versions

# cargo_lock_version NAME [LOCKFILE]: the version of package NAME recorded in
# Cargo.lock (the first `version = ...` line after `name = "NAME"`).
cargo_lock_version() {
  local name="$1" lock="${2:-${REPO_ROOT}/Cargo.lock}"
  [[ -f "$lock" ]] || die "no ${lock}"
  awk -v want="name = \"${name}\"" '
    $0 == want { found = 1; next }
    found && /^version = / { gsub(/^version = "|"$/, ""); print; exit }
    /^\[\[package\]\]/ { found = 0 }
  ' "$lock"
}

# first_number TEXT: the first run of digits (with dots) in TEXT, e.g. "132" from
# "wasm-opt version 132 (version_132)" or "0.2.130" from "wasm-bindgen 0.2.130".
first_number() {
  grep -oE '[0-9]+(\.[0-9]+)*' <<<"$1" | head -n1 || true
}

# version_ge A B: true if version A >= version B (dotted numbers).
version_ge() {
  [[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" == "$2" ]]
}

# wait_for_cargo_install CRATE: if another process is already running
# `cargo install CRATE ...` (e.g. a second terminal), wait for it to finish
# instead of building the same crate twice at once.
wait_for_cargo_install() {
  local crate="$1" waited=0 pids
  while pids="$(pgrep -f "cargo install ${crate}( |$)" 2>/dev/null)" && [[ -n "$pids" ]]; do
    if ((waited == 0)); then
      note "another 'cargo install ${crate}' is running (pid ${pids//$'\n'/ }); waiting for it"
    fi
    sleep 5
    waited=$((waited + 5))
    if ((waited % 300 == 0)); then
      note "still waiting for 'cargo install ${crate}' (${waited}s)"
    fi
  done
}

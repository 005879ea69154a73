#!/usr/bin/env bash
# Install what Portico needs to build (and, with --test, to test), skipping
# whatever is already there. Safe to run again: a second run installs nothing.
#
#   scripts/setup.sh          # build tools: wasm32 target, cargo-leptos, wasm-bindgen-cli, wasm-opt
#   scripts/setup.sh --test   # + chromium, postgresql, poppler-utils, aiosmtpd, schemathesis, end2end/node_modules
#   scripts/setup.sh --bench  # + what bench/web.sh runs: chromium, wrk, nginx, oha, bench/node_modules (lighthouse)

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WITH_TEST=0
WITH_BENCH=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1 ;;
    --bench) WITH_BENCH=1 ;;
    -h | --help)
      sed -n '2,8p' "$0"
      exit 0
      ;;
    *) die "unknown argument: $arg (expected --test or --bench)" ;;
  esac
done

CARGO_LEPTOS_VERSION="0.3.10"
WASM_OPT_MIN_VERSION="116"

have cargo || die "cargo not found (expected rustup's toolchain in \$HOME/.cargo/bin)"

# 1. wasm32 target -------------------------------------------------------------
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
  ok "rust target wasm32-unknown-unknown already present"
else
  installing "rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# rustfmt and clippy: scripts/test.sh checks formatting and lints ------------------
for component in rustfmt clippy; do
  if rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
    ok "rust component ${component} already present"
  else
    installing "rust component ${component}"
    rustup component add "${component}"
  fi
done

# 2. cargo-leptos ----------------------------------------------------------------
cargo_leptos_version() { cargo leptos --version 2>/dev/null | head -n1 || true; }
if [[ "$(first_number "$(cargo_leptos_version)")" != "$CARGO_LEPTOS_VERSION" ]]; then
  wait_for_cargo_install cargo-leptos
fi
if [[ "$(first_number "$(cargo_leptos_version)")" == "$CARGO_LEPTOS_VERSION" ]]; then
  ok "cargo-leptos ${CARGO_LEPTOS_VERSION} already present"
else
  installing "cargo-leptos ${CARGO_LEPTOS_VERSION}"
  # Newer cargo-leptos needs a newer rustc; no_downloads makes it use the
  # wasm-bindgen / wasm-opt on PATH instead of fetching its own. --force: replace
  # whatever version (or half-removed install) cargo has on record.
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --force \
    --no-default-features --features no_downloads
fi

# 3. wasm-bindgen-cli, same version as the wasm-bindgen crate in Cargo.lock ------
WASM_BINDGEN_VERSION="$(cargo_lock_version wasm-bindgen)"
[[ -n "$WASM_BINDGEN_VERSION" ]] || die "no wasm-bindgen package in Cargo.lock"
wasm_bindgen_version() { first_number "$(wasm-bindgen --version 2>/dev/null || true)"; }
if [[ "$(wasm_bindgen_version)" != "$WASM_BINDGEN_VERSION" ]]; then
  wait_for_cargo_install wasm-bindgen-cli
fi
if [[ "$(wasm_bindgen_version)" == "$WASM_BINDGEN_VERSION" ]]; then
  ok "wasm-bindgen-cli ${WASM_BINDGEN_VERSION} already present"
else
  installing "wasm-bindgen-cli ${WASM_BINDGEN_VERSION}"
  # Not --locked: its lockfile pins a crate version the registry doesn't serve.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 4. wasm-opt (binaryen >= 116; Debian's is too old) ------------------------------
wasm_opt_version() { first_number "$(wasm-opt --version 2>/dev/null || true)"; }
v="$(wasm_opt_version)"
if [[ -n "$v" ]] && version_ge "$v" "$WASM_OPT_MIN_VERSION"; then
  ok "wasm-opt ${v} already present"
else
  installing "wasm-opt (npm binaryen; found: ${v:-none})"
  have npm || die "npm not found; it is needed to install binaryen"
  npm install -g binaryen
  hash -r
  v="$(wasm_opt_version)"
  if [[ -z "$v" ]] || ! version_ge "$v" "$WASM_OPT_MIN_VERSION"; then
    die "wasm-opt on PATH is still '${v:-missing}' ($(command -v wasm-opt || echo none)); need >= ${WASM_OPT_MIN_VERSION}"
  fi
fi

# apt_install PKG...: installs the Debian packages not yet installed.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    if dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
      ok "$pkg already present"
    else
      missing+=("$pkg")
    fi
  done
  ((${#missing[@]} > 0)) || return 0
  installing "${missing[*]} (apt)"
  local sudo=()
  if [[ "$(id -u)" != "0" ]]; then
    have sudo || die "need root (or sudo) to install: ${missing[*]}"
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
}

# npm_ci DIR: node_modules from DIR's package-lock.json, again only when the lock changed.
npm_ci() {
  local dir="$1" lock_hash stamp
  lock_hash="$(sha256sum "${dir}/package-lock.json" | cut -d' ' -f1)"
  stamp="${dir}/node_modules/.portico-lock-hash"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_hash" ]]; then
    ok "${dir#"${REPO_ROOT}/"}/node_modules already present (package-lock.json unchanged)"
  else
    installing "${dir#"${REPO_ROOT}/"}/node_modules (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund)
    printf '%s\n' "$lock_hash" >"$stamp"
  fi
}

# The bench's tools (bench/web.sh): an open-loop load generator (oha, with latency correction),
# wrk for throughput, nginx as the static twin, Lighthouse in Debian's Chromium.
if ((WITH_BENCH == 1)); then
  apt_install chromium wrk nginx-light
  OHA_VERSION="1.16.0"
  if [[ "$(first_number "$(oha --version 2>/dev/null || true)")" == "$OHA_VERSION" ]]; then
    ok "oha ${OHA_VERSION} already present"
  else
    wait_for_cargo_install oha
    installing "oha ${OHA_VERSION}"
    cargo install oha --version "$OHA_VERSION" --locked --force
  fi
  npm_ci "${REPO_ROOT}/bench"
fi

if ((WITH_TEST == 0)); then
  exit 0
fi

# 5. Debian packages + aiosmtpd ------------------------------------------------------
apt_install chromium postgresql poppler-utils

if python3 -c 'import aiosmtpd' 2>/dev/null; then
  ok "python aiosmtpd already present"
else
  installing "python aiosmtpd (pip)"
  python3 -m pip install --root-user-action=ignore aiosmtpd
fi

# schemathesis: property-based tests of the operator API from its OpenAPI document
# (scripts/api-fuzz.sh). Pinned to a major version: its command line changes between them; and
# hypothesis below 6.130, whose newer releases break the hypothesis-jsonschema it uses.
SCHEMATHESIS_SPECS=("schemathesis>=3.39,<4" "hypothesis>=6.108,<6.130")
if python3 - 2>/dev/null <<'PY' && have st; then
import sys, schemathesis, hypothesis
major, minor = (int(x) for x in hypothesis.__version__.split(".")[:2])
sys.exit(0 if schemathesis.__version__.startswith("3.") and (major, minor) < (6, 130) else 1)
PY
  ok "schemathesis already present"
else
  installing "schemathesis (pip)"
  python3 -m pip install --root-user-action=ignore "${SCHEMATHESIS_SPECS[@]}"
fi

# 6. end2end/node_modules (never `playwright install`: tests use /usr/bin/chromium) ---
npm_ci "${REPO_ROOT}/end2end"

#!/usr/bin/env bash
# Portico's whole test suite, as CI runs it (.ci/run calls this):
#   1. scripts/setup.sh --test
#   2. the code's shape: layers import one way only, rustfmt, clippy -D warnings (both targets)
#   3. cargo leptos build --release        (server binary + WASM/CSS in target/site)
#   4. the release server and the site agree, also after a plain `cargo build --release`
#   5. cargo nextest (unit + integration) on SQLite
#   6. a throwaway PostgreSQL on 127.0.0.1 (always stopped and removed on exit)
#   7. cargo nextest, integration tests only, on PostgreSQL
#   8. Playwright end-to-end tests against the release binary
#
#   scripts/test.sh           # everything
#   scripts/test.sh --quick   # skip 1 to 4 (iterate on tests; e2e runs only if
#                             # target/release/portico and end2end/node_modules exist)
# Fails fast: the first failing step ends the run with a non-zero status.
#
# The calendar is pinned: the integration tests' clock and the e2e server's start at noon UTC
# on PORTICO_TEST_TODAY (default 2026-11-22), so the suite passes on any day.
# scripts/test-dates.sh runs it on the dates where calendars go wrong.

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/pg.sh
source "${REPO_ROOT}/scripts/pg.sh"

QUICK=0
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=1 ;;
    -h | --help)
      sed -n '2,20p' "$0"
      exit 0
      ;;
    *) die "unknown argument: $arg (expected --quick)" ;;
  esac
done

export PORTICO_TEST_TODAY="${PORTICO_TEST_TODAY:-2026-11-22}"
export PORTICO_E2E_TODAY="${PORTICO_TEST_TODAY}"

cd "$REPO_ROOT"

trap pg_stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '\n==> [%02d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

NEXTEST=(cargo nextest run --no-default-features --features ssr)
if [[ "${CI:-}" == "true" ]]; then
  # A fresh clone builds everything once: incremental state and full debuginfo
  # only cost time and disk. (Locally we leave the dev profile alone so this
  # script shares build artifacts with a developer's own `cargo test`.)
  export CARGO_INCREMENTAL=0
  export CARGO_PROFILE_DEV_DEBUG=line-tables-only
  NEXTEST+=(--profile ci)
fi

if ((QUICK == 0)); then
  step "setup (scripts/setup.sh --test)"
  bash "${REPO_ROOT}/scripts/setup.sh" --test

  step "layers import one way only (scripts/check-layers.py)"
  python3 "${REPO_ROOT}/scripts/check-layers.py" --self-test
  python3 "${REPO_ROOT}/scripts/check-layers.py"

  step "cargo fmt --check"
  cargo fmt --check

  step "cargo clippy -D warnings (server with tests, and the browser's WASM)"
  cargo clippy --no-default-features --features ssr --all-targets -- -D warnings
  cargo clippy --lib --no-default-features --features hydrate --target wasm32-unknown-unknown -- -D warnings

  step "cargo leptos build --release"
  cargo leptos build --release
  target/release/portico precompress

  # A server built by plain cargo (cargo build, bench, test --release) must link the same site
  # files as cargo-leptos's: .cargo/config.toml gives it the same environment, so this rebuild
  # is a no-op, and the check below fails if a page names a file the site does not have.
  step "the release server and its site agree after a plain cargo build"
  cargo build --release --no-default-features --features ssr --bin portico
  python3 "${REPO_ROOT}/scripts/check-site.py" target/release/portico
fi

note "calendar pinned to ${PORTICO_TEST_TODAY}"

if ! cargo nextest --version >/dev/null 2>&1; then
  installing "cargo-nextest"
  cargo install cargo-nextest --locked
fi

step "unit + integration tests on SQLite (cargo nextest)"
env -u PORTICO_TEST_DATABASE_URL "${NEXTEST[@]}"

step "throwaway PostgreSQL"
pg_start

step "integration tests on PostgreSQL (cargo nextest)"
PORTICO_TEST_DATABASE_URL="$PG_URL" "${NEXTEST[@]}" -E 'binary(integration)'
pg_stop

if [[ ! -x target/release/portico || ! -d end2end/node_modules ]]; then
  if ((QUICK == 1)); then
    note "skipping Playwright: run scripts/test.sh without --quick once (needs target/release/portico and end2end/node_modules)"
    exit 0
  fi
  die "target/release/portico or end2end/node_modules missing after setup and build"
fi

step "operator API against its OpenAPI document (schemathesis, scripts/api-fuzz.sh)"
bash "${REPO_ROOT}/scripts/api-fuzz.sh"

step "end-to-end tests (Playwright, Chromium)"
cd end2end
exec npx --no-install playwright test

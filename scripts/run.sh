#!/usr/bin/env bash
# Build Portico and run it with demo data on http://127.0.0.1:3000.
# The server creates ./portico.db (SQLite), applies migrations and loads the
# demo organisations when the database is empty. Extra arguments are passed to
# `portico serve` (e.g. scripts/run.sh --help).

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

bash "${REPO_ROOT}/scripts/setup.sh"

note "cargo leptos build --release"
cargo leptos build --release
note "precompress the site's assets (brotli, gzip)"
target/release/portico precompress >/dev/null

cat <<'EOF'

Portico: http://127.0.0.1:3000   (Ctrl-C stops it)
Demo logins, all with password  portico-demo
  owner@northwind.test     Northwind owner
  billing@northwind.test   Northwind billing manager
  member@northwind.test    Northwind member
  owner@globex.test        Globex owner
  staff@acme.test          agency staff

EOF

exec target/release/portico serve --demo "$@"

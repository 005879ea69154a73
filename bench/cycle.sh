#!/usr/bin/env bash
# Times one billing cycle (the 1st of a month) over N seeded accounts, on SQLite and then on a
# throwaway PostgreSQL, with and without automatic charges. Prints invoices per second.
#
#   bench/cycle.sh              # 10,000 accounts
#   bench/cycle.sh 100000       # 100,000 accounts
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
# shellcheck source=scripts/pg.sh
source "${REPO_ROOT}/scripts/pg.sh"
cd "$REPO_ROOT"
ACCOUNTS="${1:-10000}"
BENCH=(cargo bench --bench cycle --no-default-features --features ssr --)

trap pg_stop EXIT
env -u PORTICO_TEST_DATABASE_URL "${BENCH[@]}" --accounts "$ACCOUNTS" --no-charges
env -u PORTICO_TEST_DATABASE_URL "${BENCH[@]}" --accounts "$ACCOUNTS"
pg_start
PORTICO_TEST_DATABASE_URL="$PG_URL" "${BENCH[@]}" --accounts "$ACCOUNTS" --no-charges
PORTICO_TEST_DATABASE_URL="$PG_URL" "${BENCH[@]}" --accounts "$ACCOUNTS" --workers 2

#!/usr/bin/env bash
# Runs the whole test suite (unit, integration on SQLite and PostgreSQL, Playwright) once per
# date, with the calendar pinned to that date: the dates where calendars go wrong. The normal
# test command (scripts/test.sh) runs at one fixed date; this shows the suite holds on others.
#
#   scripts/test-dates.sh                 # the dates below
#   scripts/test-dates.sh 2027-02-01 ...  # these dates instead
#
# Installs and builds once (scripts/setup.sh --test, cargo leptos build --release), then runs
# `scripts/test.sh --quick` per date with PORTICO_TEST_TODAY set. Each run's output is kept in
# target/test-dates/<date>.log; a table of outcomes ends the run, which fails if any date failed.

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

case "${1:-}" in
  -h | --help)
    sed -n '2,11p' "$0"
    exit 0
    ;;
esac

DATES=("$@")
if ((${#DATES[@]} == 0)); then
  DATES=(
    2027-03-01 # a 1st, after a 28-day February
    2026-12-02 # a 2nd
    2027-01-15 # a 15th, in a new year
    2028-02-28 # 28 February of a leap year
    2028-02-29 # 29 February
    2026-11-30 # the 30th of a 30-day month
    2027-03-31 # a 31st, a month after February
    2026-12-31 # 31 December
  )
fi
for date in "${DATES[@]}"; do
  [[ "$date" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || die "not a date like 2026-11-22: $date"
done

bash "${REPO_ROOT}/scripts/setup.sh" --test
note "cargo leptos build --release"
cargo leptos build --release

LOGS="${REPO_ROOT}/target/test-dates"
mkdir -p "$LOGS"
declare -a RESULTS=()
failed=0
for date in "${DATES[@]}"; do
  note "the suite with the calendar pinned to ${date} (log: target/test-dates/${date}.log)"
  started=$SECONDS
  if PORTICO_TEST_TODAY="$date" bash "${REPO_ROOT}/scripts/test.sh" --quick >"${LOGS}/${date}.log" 2>&1; then
    outcome="passed"
  else
    outcome="FAILED"
    failed=$((failed + 1))
  fi
  # nextest's and Playwright's own summaries, e.g. "373 tests run: 373 passed" and "48 passed".
  summary="$(grep -E '^ +Summary|^ +[0-9]+ (passed|failed|flaky|skipped)' "${LOGS}/${date}.log" | sed -E 's/^ +//; s/\[[^]]*\] //' | paste -sd ';' -)"
  RESULTS+=("$(printf '| %s | %s | %d s | %s |' "$date" "$outcome" $((SECONDS - started)) "$summary")")
  note "${date}: ${outcome}"
done

printf '\n| date | outcome | time | summaries (nextest SQLite; nextest PostgreSQL; Playwright) |\n|---|---|---|---|\n'
printf '%s\n' "${RESULTS[@]}"
if ((failed > 0)); then
  die "${failed} of ${#DATES[@]} dates failed; see target/test-dates/<date>.log"
fi
ok "the suite passed on all ${#DATES[@]} dates"

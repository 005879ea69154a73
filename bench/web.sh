#!/usr/bin/env bash
# How fast the portal is for a browser and how cheap to serve, in one run (bench/web.py says
# what it measures). Builds nothing: run `cargo leptos build --release` and
# `target/release/portico precompress` first (scripts/run.sh and scripts/test.sh do both).
# Installs its tools on first use (scripts/setup.sh --bench). Not a test: it never fails on a
# figure, only when it cannot measure.
#
#   bench/web.sh                         # everything, 10 s per load run, 1,000 requests/s offered
#   bench/web.sh --seconds 30 --rate 2000
#   bench/web.sh --skip lighthouse --skip queries
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"
bash scripts/setup.sh --bench >/dev/null
exec python3 bench/web.py "$@"

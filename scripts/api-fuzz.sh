#!/usr/bin/env bash
# Property-based test of the operator API: schemathesis (scripts/setup.sh --test installs it)
# generates requests from the served OpenAPI document and checks every answer against it: no
# 5xx, only documented status codes, content types, headers and schemas, auth enforced.
#
#   scripts/api-fuzz.sh            # against target/release/portico (build it first)
#   API_FUZZ_EXAMPLES=100 scripts/api-fuzz.sh
#
# Starts the release binary on a fresh SQLite database with the demo data, pinned to a fixed
# day, signs in as the demo's staff admin to make an API key, and runs schemathesis with it.

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

BIN="${REPO_ROOT}/target/release/portico"
[[ -x "$BIN" ]] || die "no release binary: run cargo leptos build --release first"
have st || die "schemathesis not found: run scripts/setup.sh --test"

EXAMPLES="${API_FUZZ_EXAMPLES:-30}"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:${port}"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

DATABASE_URL="sqlite://${work}/api.db?mode=rwc" \
  PORTICO_SERVER_SITE_ADDR="127.0.0.1:${port}" \
  PORTICO_SERVER_PUBLIC_URL="$base" \
  PORTICO_SERVER_TODAY="${PORTICO_E2E_TODAY:-2026-11-22}" \
  PORTICO_BILLING_SCHEDULER=false \
  PORTICO_MAIL_SMTP_HOST=127.0.0.1 \
  PORTICO_MAIL_SMTP_PORT=9 \
  RUST_LOG="${RUST_LOG:-warn}" \
  "$BIN" serve --demo >"${work}/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "${base}/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "${base}/healthz" >/dev/null || { cat "${work}/server.log"; die "the server did not start"; }

note "signing in as staff to make an API key"
jar="${work}/cookies"
curl -fsS -c "$jar" -o /dev/null -H "Origin: ${base}" \
  --data-urlencode "email=staff@acme.test" --data-urlencode "password=portico-demo" "${base}/api/login"
key="$(curl -fsS -b "$jar" -H "Origin: ${base}" --data-urlencode "name=Schemathesis" "${base}/api/staff/api-keys/create" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')"
[[ "$key" == pk_* ]] || die "no API key"

note "schemathesis: ${EXAMPLES} examples per operation"
status=0
st run "${base}/api/operator/v1/openapi.json" \
  --base-url "$base" \
  -H "Authorization: Bearer ${key}" \
  --checks all \
  --experimental=openapi-3.1 \
  --hypothesis-max-examples "$EXAMPLES" \
  --hypothesis-seed 20261122 \
  --hypothesis-suppress-health-check all \
  --generation-allow-x00 false \
  --no-color \
  --workers 2 || status=$?
if ((status != 0)); then
  echo "--- server log (last 80 lines) ---"
  tail -n 80 "${work}/server.log"
fi
exit "$status"

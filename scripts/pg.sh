#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for tests.
#
# Sourced (as scripts/test.sh does):
#   source scripts/pg.sh
#   pg_start            # sets PG_PORT, PG_DIR, PG_URL (postgres://portico@127.0.0.1:PORT/postgres)
#   trap pg_stop EXIT   # pg_stop is idempotent: stops the server, removes the temp dir
#
# Executed, for developers:
#   scripts/pg.sh run -- cargo nextest run --no-default-features --features ssr --test integration
# starts a server, exports PORTICO_TEST_DATABASE_URL, runs the command, then cleans up.
#
# The server lives entirely in a mktemp dir (data, unix socket, log), listens
# only on 127.0.0.1, trusts every local connection and runs with fsync off: it
# is for tests only. PostgreSQL refuses to run as root, so as root the server
# runs as the `postgres` OS user (created by Debian's postgresql package).

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_DIR=""
PG_PORT=""
PG_URL=""
PG_BINDIR=""

# pg_bindir: the newest /usr/lib/postgresql/<ver>/bin, else wherever initdb is on PATH.
pg_bindir() {
  local d best=""
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" ]] || continue
    if [[ -z "$best" ]] || version_ge "$(basename "$(dirname "$d")")" "$(basename "$(dirname "$best")")"; then
      best="$d"
    fi
  done
  if [[ -z "$best" ]] && have initdb && have pg_ctl; then
    best="$(dirname "$(readlink -f "$(command -v initdb)")")"
  fi
  [[ -n "$best" ]] || die "PostgreSQL server binaries not found (run scripts/setup.sh --test)"
  printf '%s\n' "$best"
}

# port_free PORT: true if nothing can be listening on 127.0.0.1:PORT (we can bind it).
port_free() {
  python3 - "$1" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
PY
}

# pg_as_owner CMD...: run CMD as the OS user that owns the cluster.
pg_as_owner() {
  if [[ "$(id -u)" == "0" ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# pg_start: initdb + start; listens on the first free port from $PORTICO_PG_PORT
# (default 55432). Creates role portico (LOGIN CREATEDB).
pg_start() {
  local port="${PORTICO_PG_PORT:-55432}" last tries=0 opts
  PG_BINDIR="$(pg_bindir)"
  if [[ "$(id -u)" == "0" ]]; then
    id -u postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user (install Debian's postgresql package)"
  fi

  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/portico-pg.XXXXXX")"
  chmod 0700 "$PG_DIR"
  if [[ "$(id -u)" == "0" ]]; then
    chown postgres:postgres "$PG_DIR"
  fi

  if ! pg_as_owner "$PG_BINDIR/initdb" -D "$PG_DIR/data" -U postgres --auth=trust \
    --encoding=UTF8 --no-locale --no-sync >"$PG_DIR/initdb.log" 2>&1; then
    cat "$PG_DIR/initdb.log" >&2
    die "initdb failed"
  fi

  last=$((port + 100))
  while :; do
    if ((port > last)); then
      die "no free port for PostgreSQL in $((last - 100))..${last}"
    fi
    if port_free "$port"; then
      # pg_ctl hands -o to a shell: keep it on one line, quote the path.
      opts="-c listen_addresses=127.0.0.1 -p ${port} -c unix_socket_directories='${PG_DIR}'"
      opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
      opts+=" -c max_connections=200 -c shared_buffers=64MB"
      if pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "$opts" start >"$PG_DIR/pg_ctl.log" 2>&1; then
        break
      fi
      # Lost a race for the port, or a real failure: retry a few times, then give up.
      tries=$((tries + 1))
      if ((tries >= 3)); then
        cat "$PG_DIR/pg_ctl.log" "$PG_DIR/server.log" >&2 2>/dev/null || true
        die "PostgreSQL failed to start"
      fi
    fi
    port=$((port + 1))
  done
  PG_PORT="$port"

  psql_admin -q -c "CREATE ROLE portico LOGIN CREATEDB" >/dev/null
  PG_URL="postgres://portico@127.0.0.1:${PG_PORT}/postgres"
  export PG_DIR PG_PORT PG_URL
  note "PostgreSQL $("$PG_BINDIR/postgres" --version | awk '{print $3}') on 127.0.0.1:${PG_PORT} (${PG_DIR})"
}

# psql_admin ARGS...: psql as the superuser against the throwaway server.
psql_admin() {
  PGCONNECT_TIMEOUT=10 psql -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}

# pg_stop: stop the server (if running) and remove its temp dir. Safe to call twice.
pg_stop() {
  if [[ -n "${PG_DIR:-}" && -d "$PG_DIR" ]]; then
    if [[ -f "$PG_DIR/data/postmaster.pid" ]]; then
      pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || {
        # pg_ctl failed; kill the postmaster we started by its pid.
        local pid
        pid="$(head -n1 "$PG_DIR/data/postmaster.pid" 2>/dev/null || true)"
        if [[ -n "$pid" ]]; then kill -9 "$pid" 2>/dev/null || true; fi
      }
    fi
    rm -rf "$PG_DIR"
  fi
  PG_DIR=""
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  usage() {
    echo "usage: scripts/pg.sh run [--] COMMAND [ARGS...]" >&2
    exit 2
  }
  [[ $# -ge 1 && "$1" == "run" ]] || usage
  shift
  [[ "${1:-}" == "--" ]] && shift
  [[ $# -ge 1 ]] || usage
  trap pg_stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  pg_start
  # Run the command in the background and wait for it, so that a SIGTERM/SIGINT sent
  # to this script alone is handled at once: pass it on, then clean up.
  PORTICO_TEST_DATABASE_URL="$PG_URL" "$@" &
  child=$!
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 130' INT
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM
  status=0
  wait "$child" || status=$?
  exit "$status"
fi

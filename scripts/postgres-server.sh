#!/usr/bin/env bash
# Starts/stops a throwaway PostgreSQL cluster on 127.0.0.1 for the postgres run log store tests.
#
#   scripts/postgres-server.sh start    # initdb (as the postgres user), start on a free port, print the URL
#   scripts/postgres-server.sh status   # print the URL and exit 0 when running, else exit 1
#   scripts/postgres-server.sh halt     # stop the server but keep its data and port (outage tests)
#   scripts/postgres-server.sh resume   # start a halted server again on the same port
#   scripts/postgres-server.sh stop     # stop the server and delete its data
#
# State (RUNNABLE_TEST_PG_URL, PG_DIR, PG_PORT) goes to .cache/postgres.env in the repo (or to the file
# RUNNABLE_PG_STATE names, so a test can run a private cluster); the tests read it from there.
# The cluster has password authentication over TCP (user postgres, a random password) and a database
# "runnable". Debian's PostgreSQL 15 packages are installed when missing.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_FILE="${RUNNABLE_PG_STATE:-$REPO_ROOT/.cache/postgres.env}"
PG_USER=postgres

log() { echo "postgres-server: $*" >&2; }

# The directory of initdb/pg_ctl (Debian keeps them under /usr/lib/postgresql/<version>/bin).
pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" ]] && { echo "$dir"; return 0; }
  done
  return 1
}

ensure_installed() {
  pg_bin >/dev/null && id "$PG_USER" >/dev/null 2>&1 && return 0
  log "installing Debian's postgresql packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends postgresql >&2 \
    || { apt-get update >&2 && apt-get install -y --no-install-recommends postgresql >&2; }
}

# Runs a command as the postgres user (initdb and postgres refuse to run as root).
as_pg() {
  if [[ "$(id -un)" == "$PG_USER" ]]; then "$@"; else runuser -u "$PG_USER" -- "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

load_state() {
  [[ -f "$STATE_FILE" ]] || return 1
  RUNNABLE_TEST_PG_URL="" PG_DIR="" PG_PORT=""
  # shellcheck disable=SC1090
  source "$STATE_FILE"
  [[ -n "$RUNNABLE_TEST_PG_URL" && -n "$PG_DIR" ]]
}

running() {
  load_state || return 1
  "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2
}

server_start() {
  as_pg "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c max_connections=200" start >/dev/null
}

cmd_start() {
  if running; then echo "$RUNNABLE_TEST_PG_URL"; return 0; fi
  [[ -f "$STATE_FILE" ]] && cmd_stop >/dev/null
  ensure_installed
  local started=$SECONDS password
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/runnable-postgres.XXXXXX")"
  PG_PORT="${PG_PORT:-$(free_port)}"
  password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
  chown "$PG_USER" "$PG_DIR"
  printf '%s\n' "$password" >"$PG_DIR/pwfile"
  chown "$PG_USER" "$PG_DIR/pwfile"
  as_pg "$(pg_bin)/initdb" -D "$PG_DIR/data" -U "$PG_USER" --pwfile="$PG_DIR/pwfile" \
    --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { log "initdb failed:"; cat "$PG_DIR/initdb.log" >&2; return 1; }
  rm -f "$PG_DIR/pwfile"
  server_start || { log "server did not start:"; tail -n 30 "$PG_DIR/server.log" >&2; return 1; }
  as_pg psql -q -h "$PG_DIR" -p "$PG_PORT" -U "$PG_USER" -d postgres -c "CREATE DATABASE runnable" >/dev/null
  RUNNABLE_TEST_PG_URL="postgres://$PG_USER:$password@127.0.0.1:$PG_PORT/runnable"
  mkdir -p "$(dirname "$STATE_FILE")"
  printf 'RUNNABLE_TEST_PG_URL=%s\nPG_DIR=%s\nPG_PORT=%s\n' "$RUNNABLE_TEST_PG_URL" "$PG_DIR" "$PG_PORT" >"$STATE_FILE.tmp"
  mv "$STATE_FILE.tmp" "$STATE_FILE"
  log "started in $((SECONDS - started)) s on 127.0.0.1:$PG_PORT (data in $PG_DIR)"
  echo "$RUNNABLE_TEST_PG_URL"
}

cmd_halt() {
  load_state || { echo "not running"; return 1; }
  # fast: clients are cut off at once, and what was committed is kept (the test cluster runs with
  # synchronous_commit=off, so an immediate stop could lose the last commits).
  as_pg "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  echo "halted"
}

cmd_resume() {
  load_state || { echo "not running"; return 1; }
  running && { echo "$RUNNABLE_TEST_PG_URL"; return 0; }
  server_start
  echo "$RUNNABLE_TEST_PG_URL"
}

cmd_stop() {
  if ! load_state; then echo "not running"; rm -f "$STATE_FILE"; return 0; fi
  if [[ -d "$PG_DIR/data" ]]; then
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  [[ -n "$PG_DIR" && "$PG_DIR" == */runnable-postgres.* ]] && rm -rf "$PG_DIR"
  rm -f "$STATE_FILE"
  echo "stopped"
}

cmd_status() {
  if running; then echo "running $RUNNABLE_TEST_PG_URL"; return 0; fi
  echo "not running"; return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  halt) cmd_halt ;;
  resume) cmd_resume ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|halt|resume|status" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Starts/stops a throwaway S3-compatible server (moto's server mode, from PyPI) on 127.0.0.1 for the
# s3 catalog and run log store tests.
#
#   scripts/s3-server.sh start    # install moto once (cached venv), start on a free port, print the URL
#   scripts/s3-server.sh status   # print the URL and exit 0 when running, else exit 1
#   scripts/s3-server.sh stop     # stop the server started by `start` (its data lives in memory)
#
# State (RUNNABLE_TEST_S3_ENDPOINT, S3_PID) goes to .cache/s3.env in the repo (or to the file
# RUNNABLE_S3_STATE names); the tests read it from there. moto accepts any credentials.
# Environment: RUNNABLE_MOTO_VENV (venv path), RUNNABLE_MOTO_VERSION (pip pin), S3_PORT (fixed port).
set -euo pipefail

MOTO_VERSION="${RUNNABLE_MOTO_VERSION:-5.2.5}"
VENV="${RUNNABLE_MOTO_VENV:-$HOME/.cache/runnable-ts/moto-venv}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_FILE="${RUNNABLE_S3_STATE:-$REPO_ROOT/.cache/s3.env}"
MARKER="$VENV/.runnable-moto-$MOTO_VERSION"

log() { echo "s3-server: $*" >&2; }

ensure_venv() {
  if [[ -f "$MARKER" && -x "$VENV/bin/moto_server" ]]; then return 0; fi
  mkdir -p "$(dirname "$VENV")"
  exec 9>"$VENV.lock"
  flock 9 # another `start` may be installing into the same venv
  if [[ -f "$MARKER" && -x "$VENV/bin/moto_server" ]]; then exec 9>&-; return 0; fi
  local started=$SECONDS
  log "installing moto[server]==$MOTO_VERSION into $VENV (once)"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "moto[server]==$MOTO_VERSION"
  touch "$MARKER"
  exec 9>&-
  log "installed in $((SECONDS - started)) s"
}

free_port() {
  "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

load_state() {
  [[ -f "$STATE_FILE" ]] || return 1
  RUNNABLE_TEST_S3_ENDPOINT="" S3_PID=""
  # shellcheck disable=SC1090
  source "$STATE_FILE"
  [[ -n "$RUNNABLE_TEST_S3_ENDPOINT" && -n "$S3_PID" ]]
}

healthy() {
  "$VENV/bin/python" -c 'import sys, urllib.request as u; u.urlopen(sys.argv[1] + "/moto-api/", timeout=2)' "$1" >/dev/null 2>&1
}

alive() {
  kill -0 "$S3_PID" 2>/dev/null && tr '\0' ' ' <"/proc/$S3_PID/cmdline" 2>/dev/null | grep -q "moto_server"
}

running() {
  load_state || return 1
  alive || return 1
  healthy "$RUNNABLE_TEST_S3_ENDPOINT"
}

cmd_start() {
  if running; then echo "$RUNNABLE_TEST_S3_ENDPOINT"; return 0; fi
  [[ -f "$STATE_FILE" ]] && cmd_stop >/dev/null
  ensure_venv
  local port="${S3_PORT:-$(free_port)}" url pid started=$SECONDS logfile
  url="http://127.0.0.1:$port"
  logfile="$(mktemp "${TMPDIR:-/tmp}/runnable-s3.XXXXXX.log")"
  setsid "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$logfile" 2>&1 </dev/null &
  pid=$!
  mkdir -p "$(dirname "$STATE_FILE")"
  printf 'RUNNABLE_TEST_S3_ENDPOINT=%s\nS3_PID=%s\nS3_LOG=%s\n' "$url" "$pid" "$logfile" >"$STATE_FILE.tmp"
  mv "$STATE_FILE.tmp" "$STATE_FILE"
  until healthy "$url"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "server exited during start:"; tail -n 30 "$logfile" >&2; rm -f "$STATE_FILE"; return 1
    fi
    if ((SECONDS - started > 60)); then log "no answer from $url after 60 s"; cmd_stop >/dev/null; return 1; fi
    sleep 0.2
  done
  log "started in $((SECONDS - started)) s (pid $pid)"
  echo "$url"
}

cmd_stop() {
  if ! load_state; then echo "not running"; rm -f "$STATE_FILE"; return 0; fi
  if alive; then
    kill -TERM -- "-$S3_PID" 2>/dev/null || kill -TERM "$S3_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$S3_PID" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$S3_PID" 2>/dev/null || true
  fi
  [[ -n "${S3_LOG:-}" && "$S3_LOG" == */runnable-s3.* ]] && rm -f "$S3_LOG"
  rm -f "$STATE_FILE"
  echo "stopped"
}

cmd_status() {
  if running; then echo "running $RUNNABLE_TEST_S3_ENDPOINT (pid $S3_PID)"; return 0; fi
  echo "not running"; return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  install) ensure_venv ;;
  *) echo "usage: $0 start|stop|status|install" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Starts/stops a throwaway MLflow tracking server on loopback for the integration tests.
#
#   scripts/mlflow-server.sh start    # install mlflow once (cached venv), start, print the URL
#   scripts/mlflow-server.sh status   # print the URL and exit 0 when running, else exit 1
#   scripts/mlflow-server.sh stop     # stop the server started by `start` and delete its data
#
# State (MLFLOW_TRACKING_URI, MLFLOW_PID, MLFLOW_DIR) goes to .cache/mlflow.env in the repo; the tests
# read MLFLOW_TRACKING_URI from there when it is not in the environment.
# Environment: RUNNABLE_MLFLOW_VENV (venv path), RUNNABLE_MLFLOW_VERSION (pip pin), MLFLOW_PORT
# (fixed port instead of a free one), RUNNABLE_MLFLOW_START_TIMEOUT (seconds, default 120).
set -euo pipefail

MLFLOW_VERSION="${RUNNABLE_MLFLOW_VERSION:-3.17.2}"
VENV="${RUNNABLE_MLFLOW_VENV:-$HOME/.cache/runnable-ts/mlflow-venv}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="$REPO_ROOT/.cache"
STATE_FILE="$STATE_DIR/mlflow.env"
START_TIMEOUT="${RUNNABLE_MLFLOW_START_TIMEOUT:-120}"
MARKER="$VENV/.runnable-mlflow-$MLFLOW_VERSION"

log() { echo "mlflow-server: $*" >&2; }

# Creates the virtualenv and installs mlflow unless this exact version is already there.
ensure_venv() {
  if [[ -f "$MARKER" && -x "$VENV/bin/mlflow" ]]; then return 0; fi
  mkdir -p "$(dirname "$VENV")"
  local lock="$VENV.lock" started=$SECONDS
  exec 9>"$lock"
  flock 9 # another `start` may be installing into the same venv
  if [[ -f "$MARKER" && -x "$VENV/bin/mlflow" ]]; then exec 9>&-; return 0; fi
  log "installing mlflow==$MLFLOW_VERSION into $VENV (once; takes a few minutes)"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "mlflow==$MLFLOW_VERSION"
  touch "$MARKER"
  exec 9>&-
  log "installed in $((SECONDS - started)) s"
}

# Prints a free TCP port on 127.0.0.1.
free_port() {
  "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Loads the state file into MLFLOW_TRACKING_URI/MLFLOW_PID/MLFLOW_DIR; false when absent.
load_state() {
  [[ -f "$STATE_FILE" ]] || return 1
  MLFLOW_TRACKING_URI="" MLFLOW_PID="" MLFLOW_DIR=""
  # shellcheck disable=SC1090
  source "$STATE_FILE"
  [[ -n "$MLFLOW_TRACKING_URI" && -n "$MLFLOW_PID" ]]
}

# True when GET <url>/health answers 200 (python from the venv: curl may be missing on a clean machine).
healthy() {
  "$VENV/bin/python" -c 'import sys, urllib.request as u; u.urlopen(sys.argv[1] + "/health", timeout=2)' "$1" \
    >/dev/null 2>&1
}

# True when MLFLOW_PID is alive and still our mlflow server (not a recycled pid).
alive() {
  kill -0 "$MLFLOW_PID" 2>/dev/null && tr '\0' ' ' <"/proc/$MLFLOW_PID/cmdline" 2>/dev/null | grep -q "mlflow server"
}

# True when the state file names a live server that answers /health.
running() {
  load_state || return 1
  alive || return 1
  healthy "$MLFLOW_TRACKING_URI"
}

cmd_start() {
  if running; then echo "$MLFLOW_TRACKING_URI"; return 0; fi
  [[ -f "$STATE_FILE" ]] && cmd_stop >/dev/null
  ensure_venv
  local port="${MLFLOW_PORT:-$(free_port)}"
  local dir url pid started=$SECONDS
  dir="$(mktemp -d "${TMPDIR:-/tmp}/runnable-mlflow.XXXXXX")"
  url="http://127.0.0.1:$port"
  # setsid: the server (and its uvicorn workers) form their own process group, which `stop` ends.
  # The job runner (huey consumers for GenAI jobs) costs ~1.5 GB of RAM and is not needed for tracking.
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION="${MLFLOW_SERVER_ENABLE_JOB_EXECUTION:-false}" \
    setsid "$VENV/bin/mlflow" server \
    --backend-store-uri "sqlite:///$dir/mlflow.db" --artifacts-destination "$dir/artifacts" \
    --host 127.0.0.1 --port "$port" --workers 1 >"$dir/server.log" 2>&1 </dev/null &
  pid=$!
  mkdir -p "$STATE_DIR"
  printf 'MLFLOW_TRACKING_URI=%s\nMLFLOW_PID=%s\nMLFLOW_DIR=%s\n' "$url" "$pid" "$dir" >"$STATE_FILE.tmp"
  mv "$STATE_FILE.tmp" "$STATE_FILE"
  until healthy "$url"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "server exited during start; last lines of $dir/server.log:"; tail -n 30 "$dir/server.log" >&2
      rm -f "$STATE_FILE"; return 1
    fi
    if ((SECONDS - started > START_TIMEOUT)); then
      log "no answer from $url/health after $START_TIMEOUT s; see $dir/server.log"; cmd_stop >/dev/null; return 1
    fi
    sleep 0.5
  done
  log "started in $((SECONDS - started)) s (pid $pid, data in $dir)"
  echo "$url"
}

cmd_stop() {
  if ! load_state; then echo "not running"; rm -f "$STATE_FILE"; return 0; fi
  if alive; then
    kill -TERM -- "-$MLFLOW_PID" 2>/dev/null || kill -TERM "$MLFLOW_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$MLFLOW_PID" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$MLFLOW_PID" 2>/dev/null || true
  fi
  [[ -n "$MLFLOW_DIR" && "$MLFLOW_DIR" == */runnable-mlflow.* ]] && rm -rf "$MLFLOW_DIR"
  rm -f "$STATE_FILE"
  echo "stopped"
}

cmd_status() {
  if running; then echo "running $MLFLOW_TRACKING_URI (pid $MLFLOW_PID)"; return 0; fi
  echo "not running"; return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  install) ensure_venv ;;
  *) echo "usage: $0 start|stop|status|install" >&2; exit 2 ;;
esac

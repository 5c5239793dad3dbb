#!/usr/bin/env bash
# A cached virtualenv with today's runnable (PyPI runnable==0.50.0) for the differential test
# tests/vs-runnable-050.test.ts, which runs 0.50.0's own examples with it and with runnable-ts.
#
#   scripts/runnable-050-venv.sh          # install once (cached), print the venv's python
#   scripts/runnable-050-venv.sh check    # the same, then run 0.50.0's notebook example with it
#
# What goes in: runnable[notebook,examples]==0.50.0 (ploomber-engine runs 0.50's notebooks in-process;
# `examples` is pandas, which examples/common/functions.py imports) and ipykernel (runnable-ts runs
# notebooks with nbclient on a kernel: installed here, the kernel is this venv's interpreter, so both
# generations' tasks see the same packages).
# Environment: RUNNABLE_050_VENV (venv path, default ~/.cache/runnable-ts/runnable-050-venv),
# RUNNABLE_050_BASE_PYTHON (the python that creates it, default python3; runnable 0.50 needs >= 3.10).
set -euo pipefail

VENV="${RUNNABLE_050_VENV:-$HOME/.cache/runnable-ts/runnable-050-venv}"
BASE_PYTHON="${RUNNABLE_050_BASE_PYTHON:-python3}"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PACKAGES=("runnable[notebook,examples]==0.50.0" "ipykernel")
# The marker holds what was installed: a changed package list reinstalls.
SPEC="1 ${PACKAGES[*]}"
MARKER="$VENV/.runnable-050-ready"

log() { echo "runnable-050-venv: $*" >&2; }

ready() {
  [[ -x "$VENV/bin/python" && -f "$MARKER" && "$(cat "$MARKER")" == "$SPEC" ]]
}

# Fails unless the venv imports what the examples and both generations' notebook runners need.
verify() {
  "$VENV/bin/python" - <<'PY'
import importlib.metadata as metadata
version = metadata.version("runnable")
assert version == "0.50.0", f"runnable {version} installed, 0.50.0 expected"
import dill, ipykernel, nbclient, pandas, ploomber_engine, pydantic  # noqa: F401
PY
}

ensure_venv() {
  if ready; then return 0; fi
  mkdir -p "$(dirname "$VENV")"
  local started=$SECONDS
  exec 9>"$VENV.lock"
  flock 9 # a test and test-all.sh may both be installing
  if ready; then exec 9>&-; return 0; fi
  log "installing ${PACKAGES[*]} into $VENV (once; takes a minute or two)"
  rm -rf "$VENV"
  "$BASE_PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "${PACKAGES[@]}"
  verify
  printf '%s' "$SPEC" >"$MARKER"
  exec 9>&-
  log "installed in $((SECONDS - started)) s"
}

# Runs examples/01-tasks/notebook.py of 0.50.0 (the copy under tests/fixtures) in a scratch folder.
check_notebook() {
  local dir status
  dir="$(mktemp -d "${TMPDIR:-/tmp}/runnable-050-check.XXXXXX")"
  trap 'rm -rf "$dir"' RETURN
  cp -r "$REPO_ROOT/tests/fixtures/runnable-050/examples" "$dir/examples"
  (cd "$dir" && env -u RUNNABLE_CONFIGURATION_FILE PYTHONPATH="$dir" RUNNABLE_RUN_ID=check \
    "$VENV/bin/python" examples/01-tasks/notebook.py >"$dir/output.txt" 2>&1) \
    || { log "the notebook example failed:"; tail -n 30 "$dir/output.txt" >&2; return 1; }
  status="$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$dir/.run_log_store/check.json")"
  [[ "$status" == "SUCCESS" && -f "$dir/.catalog/check/examples/common/simple_notebook-hello_out.ipynb" ]] \
    || { log "the notebook example ended $status without its output notebook in the catalog"; return 1; }
  log "runnable 0.50.0 ran examples/01-tasks/notebook.py (ploomber-engine)"
}

case "${1:-}" in
  "") ensure_venv ;;
  check) ensure_venv && check_notebook ;;
  *) echo "usage: $0 [check]" >&2; exit 2 ;;
esac
echo "$VENV/bin/python"

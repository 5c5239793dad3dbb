#!/usr/bin/env bash
# A cached virtualenv with PyPI's `kubernetes-validate`, which validates Kubernetes manifests offline
# against the OpenAPI schemas of many Kubernetes versions (it ships them as JSON files). Used by
# tests/helpers/k8s/validate.ts (`kubernetes-validate --strict`) and by the Kubernetes API stand-in
# (tests/helpers/k8s/standin.ts), which loads the same JSON schemas so both reject the same manifests.
#
#   scripts/k8s-validate-venv.sh            # install once (cached), print the venv path
#   scripts/k8s-validate-venv.sh schemas    # print the folder holding the per-version schema folders
#
# Environment: RUNNABLE_K8S_VALIDATE_VENV (venv path), RUNNABLE_K8S_VALIDATE_VERSION (pip pin).
# Safe to run concurrently (flock); quick when the pinned version is already installed.
set -euo pipefail

VERSION="${RUNNABLE_K8S_VALIDATE_VERSION:-1.37.0}"
VENV="${RUNNABLE_K8S_VALIDATE_VENV:-$HOME/.cache/runnable-ts/k8s-validate-venv}"
MARKER="$VENV/.runnable-k8s-validate-$VERSION"

log() { echo "k8s-validate-venv: $*" >&2; }

ensure_venv() {
  if [[ -f "$MARKER" && -x "$VENV/bin/kubernetes-validate" ]]; then return 0; fi
  mkdir -p "$(dirname "$VENV")"
  exec 9>"$VENV.lock"
  flock 9 # another test process may be installing into the same venv
  if [[ -f "$MARKER" && -x "$VENV/bin/kubernetes-validate" ]]; then exec 9>&-; return 0; fi
  local started=$SECONDS
  log "installing kubernetes-validate==$VERSION into $VENV (once)"
  [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --quiet "kubernetes-validate==$VERSION"
  rm -f "$VENV"/.runnable-k8s-validate-*
  touch "$MARKER"
  exec 9>&-
  log "installed in $((SECONDS - started)) s"
}

ensure_venv
case "${1:-}" in
  "") echo "$VENV" ;;
  schemas)
    "$VENV/bin/python" -c 'import os, kubernetes_validate as k; print(os.path.join(os.path.dirname(k.__file__), "kubernetes-json-schema"))'
    ;;
  *) echo "usage: $0 [schemas]" >&2; exit 2 ;;
esac

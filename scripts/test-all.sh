#!/usr/bin/env bash
# Installs what the tests need (beyond npm packages) and runs every test suite.
# Used by the README's test command and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# A real MLflow server on 127.0.0.1 for the experiment-tracking integration tests
# (the virtualenv is cached under ~/.cache/runnable-ts between runs).
bash scripts/mlflow-server.sh start
trap 'bash scripts/mlflow-server.sh stop || true' EXIT

npm test

#!/usr/bin/env bash
# Installs what the tests need (beyond npm packages) and runs every test suite.
# Used by the README's test command and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Python and Jupyter for the python/notebook task tests: Debian's nbclient/ipykernel (they live under
# /usr/bin/python3) and pydantic for the python3 on PATH. Installed only when missing; the package
# lists are refreshed only if an install fails without them.
apt_packages=()
command -v python3 >/dev/null 2>&1 || apt_packages+=(python3)
if ! python3 -c "import nbclient, ipykernel" 2>/dev/null && ! /usr/bin/python3 -c "import nbclient, ipykernel" 2>/dev/null; then
  apt_packages+=(python3-ipykernel python3-nbclient)
fi
command -v jupyter-nbconvert >/dev/null 2>&1 || apt_packages+=(jupyter-nbconvert)
if ((${#apt_packages[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${apt_packages[@]}" \
    || { apt-get update && apt-get install -y --no-install-recommends "${apt_packages[@]}"; }
fi
if ! python3 -c "import pydantic" 2>/dev/null; then
  python3 -m pip install --quiet pydantic || python3 -m pip install --quiet --break-system-packages pydantic
fi

bash scripts/python-sdk-venv.sh  # the Python SDK tests' virtualenv (pip install -e python/)
export CONTAINERS_CONF="$(bash scripts/setup-podman.sh)" # podman (runc, ulimits) for the container tests
bash scripts/setup-browser.sh >/dev/null # Debian's Chromium for the run browser tests (tests/ui*.test.ts)

# A real MLflow server on 127.0.0.1 for the experiment-tracking integration tests
# (the virtualenv is cached under ~/.cache/runnable-ts between runs).
bash scripts/mlflow-server.sh start
trap 'bash scripts/mlflow-server.sh stop || true; bash scripts/postgres-server.sh stop >/dev/null || true; bash scripts/s3-server.sh stop >/dev/null || true; bash scripts/slurm-cluster.sh stop >/dev/null || true;' EXIT
bash scripts/postgres-server.sh start >/dev/null || echo "test-all: PostgreSQL did not start; the postgres store tests skip" >&2
bash scripts/s3-server.sh start >/dev/null || echo "test-all: the S3 server (moto) did not start; the s3 store and catalog tests skip" >&2
slurm_env="$(bash scripts/slurm-cluster.sh start)" && eval "$slurm_env" || echo "test-all: the Slurm cluster did not start" >&2

# vitest also writes a JSON report, summarised as a plain "N passed, N failed" closing line.
mkdir -p .cache
rm -f .cache/vitest-report.json
status=0
npm test -- --reporter=default --reporter=json --outputFile.json=.cache/vitest-report.json || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(".cache/vitest-report.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`);
' || echo "0 passed, 1 failed"
exit "$status"

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
command -v openssl >/dev/null 2>&1 || apt_packages+=(openssl) # the Kubernetes API stand-in's TLS certificate
if ((${#apt_packages[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${apt_packages[@]}" \
    || { apt-get update && apt-get install -y --no-install-recommends "${apt_packages[@]}"; }
fi
if ! python3 -c "import pydantic" 2>/dev/null; then
  python3 -m pip install --quiet pydantic || python3 -m pip install --quiet --break-system-packages pydantic
fi

# A server or tool that could not be set up: under CI (CI=true, as .ci/run sets it) the run stops here,
# since a CI that lost a server must not stay green; elsewhere the suites that need it skip (saying why).
missing() {
  if [[ "${CI:-}" =~ ^(true|1|TRUE|True)$ ]]; then
    echo "test-all: $1. Stopping: under CI (CI=$CI) every suite that needs it must run; see the output above for why it failed." >&2
    exit 1
  fi
  echo "test-all: $1; the tests that need it skip" >&2
}

trap 'bash scripts/mlflow-server.sh stop || true; bash scripts/postgres-server.sh stop >/dev/null || true; bash scripts/s3-server.sh stop >/dev/null || true; bash scripts/slurm-cluster.sh stop >/dev/null || true' EXIT

# The Python SDK tests' virtualenv (pip install -e python/).
bash scripts/python-sdk-venv.sh || missing "the Python SDK virtualenv could not be made (scripts/python-sdk-venv.sh)"
# runnable 0.50.0 (PyPI) for the differential test against today's runnable (tests/vs-runnable-050.test.ts).
bash scripts/runnable-050-venv.sh >/dev/null || missing "runnable 0.50.0 could not be installed (scripts/runnable-050-venv.sh)"
# kubernetes-validate (strict Kubernetes schemas) for manifest checks and the Kubernetes API stand-in.
bash scripts/k8s-validate-venv.sh >/dev/null || missing "kubernetes-validate could not be installed (scripts/k8s-validate-venv.sh)"
# podman (runc, ulimits) for the container tests.
if conf="$(bash scripts/setup-podman.sh)"; then export CONTAINERS_CONF="$conf"; else missing "podman could not be set up (scripts/setup-podman.sh)"; fi
# Debian's Chromium for the run browser tests (tests/ui*.test.ts).
bash scripts/setup-browser.sh >/dev/null || missing "Chromium could not be installed (scripts/setup-browser.sh)"

# Real servers on 127.0.0.1: MLflow for the experiment-tracking integration tests (its virtualenv is
# cached under ~/.cache/runnable-ts between runs), PostgreSQL and an S3 server (moto) for the stores.
bash scripts/mlflow-server.sh start || missing "the MLflow server did not start (scripts/mlflow-server.sh start)"
bash scripts/postgres-server.sh start >/dev/null || missing "PostgreSQL did not start (scripts/postgres-server.sh start)"
bash scripts/s3-server.sh start >/dev/null || missing "the S3 server (moto) did not start (scripts/s3-server.sh start)"
# A real single-node Slurm cluster (Debian's slurm-wlm and munge) for the slurm executor tests.
# 8 CPUs whatever the machine has (a CPU is bookkeeping there: tasks are not bound to CPUs): several test
# files submit jobs at the same time, and a test whose two jobs must run at once needs free CPUs for both.
if slurm_env="$(RUNNABLE_SLURM_CPUS="${RUNNABLE_SLURM_CPUS:-8}" bash scripts/slurm-cluster.sh start)"; then eval "$slurm_env"; else missing "the Slurm cluster did not start (scripts/slurm-cluster.sh start)"; fi

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

#!/usr/bin/env bash
# A virtualenv with the shipped Python package installed the documented way (`pip install -e python/`),
# sharing python3's site-packages (pydantic) for the Python SDK tests. Reused when it already imports
# `runnable` from this checkout; the tests make it themselves when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/python-sdk-venv
expected="$PWD/python/runnable/__init__.py"
if [ -x "$venv/bin/python" ] && [ "$("$venv/bin/python" -c 'import runnable; print(runnable.__file__)' 2>/dev/null)" = "$expected" ]; then
  exit 0
fi
rm -rf "$venv"
python3 -m venv --system-site-packages "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e python/
echo "python-sdk-venv: installed runnable-ts' Python package into $venv"

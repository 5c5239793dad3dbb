#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/ui*.test.ts drive it with playwright-core)
# when it is missing; quick and silent when it is already there. Prints the browser's path.
set -euo pipefail

browser="${RUNNABLE_UI_BROWSER:-/usr/bin/chromium}"
if [[ ! -x "$browser" ]]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
    || { apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core; }
fi
echo "$browser"

#!/usr/bin/env bash
# Installs podman (with runc, buildah and a static busybox) when missing and writes the containers.conf
# the container tests use (runc instead of crun, explicit ulimits: see docs/containers.md).
# Idempotent and quick when everything is in place. Prints the containers.conf path on stdout, so
# callers can do: export CONTAINERS_CONF="$(bash scripts/setup-podman.sh)".
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v runc >/dev/null 2>&1 || need+=(runc)
[ -x /bin/busybox ] || need+=(busybox-static)
if ((${#need[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  {
    apt-get install -y --no-install-recommends "${need[@]}" \
      || { apt-get update && apt-get install -y --no-install-recommends "${need[@]}"; }
  } >&2
fi

conf_dir="$PWD/.cache/podman"
conf="$conf_dir/containers.conf"
mkdir -p "$conf_dir"
wanted='[containers]
default_ulimits = ["nofile=1024:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"'
if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$wanted" ]; then
  printf '%s\n' "$wanted" > "$conf.tmp" && mv "$conf.tmp" "$conf"
fi
echo "$conf"

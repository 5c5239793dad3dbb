#!/usr/bin/env bash
# Builds, offline, the small image the container tests run: Node, /bin/sh (busybox), Debian's Python 3
# with its standard library, and this project (bin, dist, production node_modules, python, examples)
# at /project (the WORKDIR) with `runnable` on PATH. Nothing is pulled:
#   1. a base image is `podman import`ed from a rootfs assembled from this machine's binaries and the
#      libraries `ldd` lists (cached by the binaries' checksums);
#   2. the repository's Dockerfile builds the project image on it with --pull=never --network=none
#      (cached by the checksum of the project files it copies; rebuilt when dist/ changes).
# Prints the image reference on stdout. Needs `npm run build` first (dist/) and podman
# (scripts/setup-podman.sh). Safe to run concurrently (flock).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$(bash scripts/setup-podman.sh)}"
[ -f dist/cli/runnable.mjs ] || { echo "build-test-image: dist/ is missing; run npm run build first" >&2; exit 2; }

cache="$repo/.cache/test-image"
mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9

# Image names are per checkout, so parallel checkouts never remove each other's images.
checkout="$(printf '%s' "$repo" | sha256sum | cut -c1-10)"
node_bin="$(readlink -f "$(command -v node)")"
python_bin="$(readlink -f /usr/bin/python3)"
base_key="$(sha256sum "$node_bin" "$python_bin" /bin/busybox scripts/build-test-image.sh | sha256sum | cut -c1-16)"  # pydantic 2
base="localhost/runnable-ts-base-$checkout:$base_key"

build_base() {
  local root="$cache/rootfs"
  rm -rf "$root"
  mkdir -p "$root"/{bin,usr/bin,usr/local/bin,usr/lib,etc,root,project}
  mkdir -m 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  local applet
  for applet in sh ash env ls cat echo mkdir rm mv cp sleep true false test [ grep sed awk wc head tail printf \
    id pwd touch chmod ln tr cut sort uniq date find xargs expr kill basename dirname readlink stat tee which; do
    ln -sf busybox "$root/bin/$applet"
  done
  ln -sf ../../bin/busybox "$root/usr/bin/env"
  cp "$node_bin" "$root/usr/bin/node"
  cp "$python_bin" "$root/usr/bin/$(basename "$python_bin")"
  ln -sf "$(basename "$python_bin")" "$root/usr/bin/python3"
  local stdlib="/usr/lib/$(basename "$python_bin")"
  tar -C /usr/lib --exclude='*/test' --exclude='*/idlelib' --exclude='*/tkinter' --exclude='*/ensurepip' \
    --exclude='*/lib2to3' --exclude='*/turtledemo' -cf - "$(basename "$stdlib")" | tar -C "$root/usr/lib" -xf -
  # Shared libraries of node, python and python's extension modules, at their own paths.
  { ldd "$node_bin"; ldd "$python_bin"; find "$stdlib/lib-dynload" -name '*.so' -exec ldd {} \; ; } 2>/dev/null \
    | grep -oE '/[^ ]+\.so[^ ]*' | sort -u | while read -r lib; do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  # pydantic for the Python tasks (runnable's examples use it); cp311 wheels fit Debian's python3.11.
  python3 -m pip install --quiet --disable-pip-version-check --no-compile --no-warn-conflicts --target "$root/usr/lib/python3/dist-packages" "pydantic>=2,<3" 2>&1 | { grep -v -e "Running pip as the .root. user" -e "^WARNING: Target directory" || true; }
  find "$root/usr/lib/python3/dist-packages" -name '*.so' -exec ldd {} \; 2>/dev/null \
    | grep -oE '/[^ ]+\.so[^ ]*' | sort -u | while read -r lib; do
      [ -e "$root$lib" ] && continue
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
  printf 'root:x:0:\n' > "$root/etc/group"
  tar -C "$root" -cf - . | podman import --quiet - "$base" >/dev/null
  rm -rf "$root"
}
podman image exists "$base" || build_base

# The build context: what the Dockerfile copies (production dependencies only).
context="$cache/context"
rm -rf "$context"
mkdir -p "$context/node_modules"
cp -a bin dist python examples package.json "$context/"
npm ls --omit=dev --all --parseable 2>/dev/null | tail -n +2 | while read -r dir; do
  rel="${dir#"$repo"/}"
  mkdir -p "$context/$(dirname "$rel")"
  cp -a "$dir" "$context/$rel"
done
cp Dockerfile "$context/Dockerfile"
key="$( { echo "$base"; cd "$context" && find . -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16)"
image="localhost/runnable-ts-test-$checkout:$key"
if ! podman image exists "$image"; then
  podman build --quiet --pull=never --network=none --build-arg "BASE_IMAGE=$base" -t "$image" "$context" >/dev/null
  # Older images of this checkout are superseded.
  podman images --format '{{.Repository}}:{{.Tag}}' --filter "reference=localhost/runnable-ts-test-$checkout" \
    | grep -v ":$key\$" | xargs -r podman rmi --force >/dev/null 2>&1 || true
fi
rm -rf "$context"
echo "$image"

# An image holding a runnable-ts project, for the local-container and argo executors: every step runs
# `runnable execute-single-node ...` in it, from the WORKDIR, so the project (pipelines, configs, code,
# node_modules) sits there at the same relative paths as on your machine.
#
# Builds offline from the project's files: install dependencies on the host first (npm ci), then
#   podman build --pull=never --network=none --build-arg BASE_IMAGE=<a local image with node> -t my-project:1.0 .
# (docker build works the same.) The base image needs Node >= 20 on PATH and /bin/sh; add Python 3 if
# the pipeline has python or notebook tasks. Keep .env files and run logs out of the image
# (.dockerignore).
ARG BASE_IMAGE=docker.io/library/node:20-bookworm-slim
FROM ${BASE_IMAGE}
WORKDIR /project
COPY . /project
# `runnable` on PATH: the package's bin when the project depends on runnable-ts, else this repository's.
RUN set -e; \
    bin=/project/node_modules/runnable-ts/bin/runnable.js; \
    [ -f "$bin" ] || bin=/project/bin/runnable.js; \
    mkdir -p /usr/local/bin; \
    ln -sf "$bin" /usr/local/bin/runnable; \
    runnable --version
ENV NO_COLOR=1

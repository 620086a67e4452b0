#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: a local 3-node
# Cairn cluster (`cairn dev`) you can talk to with any Redis client:
#   redis-cli -p 7379 set hello world; redis-cli -p 7380 get hello
# Ctrl-C stops it. Extra arguments go to `cairn dev` (see `cairn dev --help`).
# CAIRN_SIM=1 runs the deterministic simulator's 3-node trace instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh all
export CCACHE_DIR="${CCACHE_DIR:-$PWD/.cache/ccache}"
if [ "${CAIRN_SIM:-0}" = 1 ]; then
  scripts/build.sh release cairn-sim >&2
  exec build/release/sim/cairn-sim run --nodes 3 --seed "${CAIRN_SEED:-1}" --trace "$@"
fi
scripts/build.sh release cairn >&2
exec build/release/src/cli/cairn dev "$@"

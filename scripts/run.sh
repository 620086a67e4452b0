#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job.
# Until the server lands this is a simulated 3-node cluster that prints a
# readable trace of elections and commits; extra arguments go to cairn-sim.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh all
export CCACHE_DIR="${CCACHE_DIR:-$PWD/.cache/ccache}"
scripts/build.sh release cairn-sim >&2
exec build/release/sim/cairn-sim run --nodes 3 --seed "${CAIRN_SEED:-1}" --trace "$@"

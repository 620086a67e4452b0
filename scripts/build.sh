#!/usr/bin/env bash
# Configures and builds one preset (release, asan, tsan, fuzz) with Ninja.
# Usage: scripts/build.sh [preset] [ninja targets...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
# Configure every time (about a second): folders that appeared since the
# last configure (parallel work landing) are only seen by a new configure.
cmake --preset "$preset" >/dev/null
# Two cores: more jobs only thrash. CAIRN_JOBS overrides.
jobs="${CAIRN_JOBS:-$(nproc)}"
cmake --build "build/$preset" -j "$jobs" ${1:+--target "$@"}

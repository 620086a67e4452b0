#!/usr/bin/env bash
# Configures and builds one preset (release, asan, tsan, fuzz) with Ninja.
# Usage: scripts/build.sh [preset] [ninja targets...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
shift || true
if [ ! -f "build/$preset/build.ninja" ]; then
  cmake --preset "$preset" >/dev/null
fi
# Two cores: more jobs only thrash. CAIRN_JOBS overrides.
jobs="${CAIRN_JOBS:-$(nproc)}"
cmake --build "build/$preset" -j "$jobs" ${1:+--target "$@"}

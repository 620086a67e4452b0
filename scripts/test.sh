#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test:
#   1. the release build: unit, simulator (1,000+ seeds), integration tests;
#   2. the AddressSanitizer + UBSan build: every test not labelled `slow`;
#   3. the ThreadSanitizer build: tests labelled `concurrency`;
#   4. every libFuzzer target (clang) for CAIRN_FUZZ_SECONDS (5) seconds each.
# CAIRN_SANITIZERS=0 skips steps 2-4 (a quick local loop); CAIRN_FUZZ=0 skips 4.
# CAIRN_SOAK=1 also runs suites labelled `soak` (long; not in CI).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh all

export CCACHE_DIR="${CCACHE_DIR:-$PWD/.cache/ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
jobs="${CAIRN_JOBS:-$(nproc)}"
exclude="soak"
if [ "${CAIRN_SOAK:-0}" = 1 ]; then exclude="^$"; fi

run_suite() {  # preset, build target ('' = all), ctest label filters...
  local preset="$1" target="$2"; shift 2
  echo "=== [$preset] build" >&2
  scripts/build.sh "$preset" ${target:+"$target"}
  echo "=== [$preset] test" >&2
  ctest --test-dir "build/$preset" -j "$jobs" --output-on-failure --no-tests=error "$@"
}

start=$(date +%s)
run_suite release "" -LE "$exclude"
if [ "${CAIRN_SANITIZERS:-1}" = 1 ]; then
  run_suite asan "" -LE "slow|$exclude"
  run_suite tsan concurrency_tests -L concurrency -LE "$exclude"
  if [ "${CAIRN_FUZZ:-1}" = 1 ]; then
    echo "=== [fuzz] build and short runs" >&2
    scripts/fuzz-smoke.sh
  fi
fi
echo "=== all suites passed in $(( $(date +%s) - start )) s" >&2

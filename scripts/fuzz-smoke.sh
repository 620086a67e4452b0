#!/usr/bin/env bash
# Builds every libFuzzer target (clang-14, preset `fuzz`) and runs each one
# for CAIRN_FUZZ_SECONDS (default 5) seconds from its folder's seed corpus.
# New inputs go to a scratch directory, never into the checked-in corpus.
# A crash, a leak or a failed assertion fails the script and leaves the
# reproducer (crash-*) in build/fuzz/findings/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${CAIRN_FUZZ_SECONDS:-5}"
scripts/build.sh fuzz fuzz_targets
findings="build/fuzz/findings"
mkdir -p "$findings"
status=0
for bin in $(find build/fuzz/fuzz -maxdepth 2 -type f -name '*_fuzz' -perm -u+x | sort); do
  name="$(basename "$bin")"
  folder="fuzz/$(basename "$(dirname "$bin")")"
  scratch="$(mktemp -d)"
  seeds=()
  [ -d "$folder/corpus" ] && seeds+=("$folder/corpus")
  mkdir -p "$findings/$name"
  echo "=== fuzz $name for ${seconds}s" >&2
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$findings/$name/" "$scratch" "${seeds[@]}" 2>"$findings/$name/log.txt"; then
    echo "!!! $name failed; see $findings/$name/" >&2
    tail -30 "$findings/$name/log.txt" >&2
    status=1
  else
    grep -E "^Done|stat::number_of_executed_units" "$findings/$name/log.txt" | tail -1 >&2 || true
  fi
  rm -rf "$scratch"
done
exit $status

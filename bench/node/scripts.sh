#!/bin/bash
# EVAL throughput, Cairn beside Redis in one run: redis-benchmark -c 50 -n N
# with -P 1 and -P 16 of a short script (EVAL "return redis.call('incr',
# KEYS[1])" 1 counter) and of the INCR it wraps, on the leader of `cairn dev`
# (every write fsynced by a majority; every replica runs the script), then
# on redis-server with appendonly yes, appendfsync always. Peak RSS (VmHWM)
# after each system.
#
# Usage: bench/node/scripts.sh [path/to/cairn] [N]
# Results: bench/results/scripts.md
set -euo pipefail
BIN=${1:-build/release/src/cli/cairn}
N=${2:-100000}
. "$(dirname "$0")/lib.sh"
SCRIPT="return redis.call('incr', KEYS[1])"
run() {  # port, label
  for p in 1 16; do
    redis-benchmark -p "$1" -c 50 -n "$N" -P "$p" --csv EVAL "$SCRIPT" 1 counter 2>&1 |
      grep -E '^"EVAL' | sed "s/^\"[^\"]*\"/$2 P$p,\"EVAL incr\"/" || true
    redis-benchmark -p "$1" -c 50 -n "$N" -P "$p" --csv INCR counter 2>&1 |
      grep -E '^"INCR' | sed "s/^/$2 P$p,/" || true
  done
  echo "$2 counter: $(redis-cli -p "$1" get counter) (expected $((4 * N)))"
}
echo 'system,"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
start_cairn "$BIN" "$(mktemp)"
run "$CAIRN_PORT" cairn
cairn_peak_rss
stop_cairn
start_redis
run "$REDIS_PORT" "redis always"
redis_peak_rss

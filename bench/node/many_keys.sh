#!/bin/bash
# Writes and reads spread over many keys, Cairn beside Redis in one run:
# starts `cairn dev` (3 nodes on loopback, ports 17379.., 17001.., 18081..)
# and runs redis-benchmark -t set,get -d 256 -c 50 -r KEYS (random keys
# among KEYS) with -P 1 and -P 16 on the leader (strong GETs), then the same
# against redis-server with appendonly yes, appendfsync always (port 17390).
# Each system's peak RSS (VmHWM, summed over Cairn's nodes) is printed after
# its runs. The single-key figures are node.md's (compare.py).
#
# Usage: bench/node/many_keys.sh [path/to/cairn] [KEYS] [REQUESTS]
# Results: bench/results/many_keys.md
set -euo pipefail
BIN=${1:-build/release/src/cli/cairn}
KEYS=${2:-100000}
N=${3:-300000}
. "$(dirname "$0")/lib.sh"
start_cairn "$BIN" /tmp/cairn-many-keys.log
PORT=$CAIRN_PORT
echo "$KEYS keys, $N requests"
run() {
  for p in 1 16; do
    redis-benchmark -p "$PORT" -c 50 -d 256 -r "$KEYS" -n "$N" -P "$p" -t set,get --csv 2>&1 |
      grep -E '^"(SET|GET)"' | sed "s/^/P$p,/" || true
  done
}
echo 'pipeline,"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
run
echo "cairn DBSIZE: $(redis-cli -p "$PORT" dbsize)"
cairn_peak_rss
stop_cairn

echo "redis-server, appendfsync always:"
start_redis
PORT=$REDIS_PORT
run
echo "redis DBSIZE: $(redis-cli -p "$PORT" dbsize)"
redis_peak_rss

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
REDIS_DIR=$(mktemp -d)
setsid "$BIN" dev --resp-base 17379 --raft-base 17001 --http-base 18081 >/tmp/cairn-many-keys.log 2>&1 &
DEV=$!
REDIS=
cleanup() {
  kill -INT "$DEV" 2>/dev/null && wait "$DEV" 2>/dev/null || true
  if [ -n "$REDIS" ]; then kill "$REDIS" 2>/dev/null && wait "$REDIS" 2>/dev/null || true; fi
  rm -rf "$REDIS_DIR"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  redis-cli -p 17379 set ready 1 2>/dev/null | grep -q OK && break
  sleep 0.1
done
LEADER=$(redis-cli -p 17379 info raft | tr -d '\r' | sed -n 's/^raft_leader://p')
PORT=$((17378 + LEADER))
echo "cairn: leader node $LEADER (port $PORT), $KEYS keys, $N requests"
run() {
  for p in 1 16; do
    redis-benchmark -p "$PORT" -c 50 -d 256 -r "$KEYS" -n "$N" -P "$p" -t set,get --csv 2>&1 |
      grep -E '^"(SET|GET)"' | sed "s/^/P$p,/" || true
  done
}
echo 'pipeline,"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
run
echo "cairn DBSIZE: $(redis-cli -p "$PORT" dbsize)"
for child in $(pgrep -P "$DEV"); do grep VmHWM "/proc/$child/status"; done
kill -INT "$DEV"
wait "$DEV" || true

echo "redis-server, appendfsync always:"
redis-server --port 17390 --bind 127.0.0.1 --save '' --appendonly yes --appendfsync always \
  --dir "$REDIS_DIR" >/dev/null &
REDIS=$!
PORT=17390
for _ in $(seq 1 100); do
  redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG && break
  sleep 0.1
done
run
echo "redis DBSIZE: $(redis-cli -p "$PORT" dbsize)"
grep VmHWM "/proc/$REDIS/status"

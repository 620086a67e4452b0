#!/bin/bash
# Pipelined writes to one large value through a real cluster: starts
# `cairn dev` (3 nodes on loopback, ports 17379.., 17001.., 18081..), fills a
# 10 000-field hash and a 10 000-member set on the leader, then runs
# redis-benchmark -c 50 -P 16 with HINCRBY and SREM on random members of
# them, and prints the Raft term before and after each (a term that moves
# means the leader stalled long enough to lose it) and each node's peak RSS;
# then the same against redis-server with appendonly yes, appendfsync always
# (port 17390), side by side.
#
# Usage: bench/node/big_value_writes.sh [path/to/cairn]
# Results: bench/results/kv_apply.md
set -euo pipefail
BIN=${1:-build/release/src/cli/cairn}
REDIS_DIR=$(mktemp -d)
setsid "$BIN" dev --resp-base 17379 --raft-base 17001 --http-base 18081 >/tmp/cairn-big-value.log 2>&1 &
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
echo "leader: node $LEADER (port $PORT)"
fill() {
  /usr/bin/python3 - "$PORT" <<'PY'
import sys, redis
r = redis.Redis(port=int(sys.argv[1]))
r.hset('h', mapping={'f:%012d' % i: '1' for i in range(10000)})
r.sadd('s', *['m:%012d' % i for i in range(10000)])
PY
}
fill
term() {
  if [ -n "$REDIS" ]; then return; fi
  redis-cli -p "$PORT" info raft | tr -d '\r' | grep -E '^raft_(term|role):' | tr '\n' ' '
  echo
}
run() {
  echo "== $*"; term
  redis-benchmark -p "$PORT" -c 50 -P 16 -r 10000 "$@" 2>&1 | tr '\r' '\n' |
    grep -v -e '^ *$' -e 'rps=' | grep -E 'throughput|Error|ERR' | head -3 || true
  term
}
run -n 200000 HINCRBY h f:__rand_int__ 1
run -n 100000 SREM s m:__rand_int__
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
fill
run -n 200000 HINCRBY h f:__rand_int__ 1
run -n 100000 SREM s m:__rand_int__
grep VmHWM "/proc/$REDIS/status"

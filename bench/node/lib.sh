# Shared by the bench/node/*.sh scripts (source it): a `cairn dev` cluster
# and a redis-server with appendfsync always, on loopback, stopped on exit.
#
#   start_cairn BIN LOG   3 nodes (RESP 17379.., Raft 17001.., HTTP 18081..);
#                         sets CAIRN_DEV (its PID) and CAIRN_PORT (the leader's RESP port)
#   cairn_peak_rss        prints each node's VmHWM
#   stop_cairn            SIGINT to `cairn dev` (it stops its own nodes)
#   start_redis           redis-server --appendonly yes --appendfsync always on 17390;
#                         sets REDIS_PID and REDIS_PORT
#   redis_peak_rss        prints its VmHWM
#   bench_cleanup         what the EXIT trap runs (also kills BENCH_PIDS)
# Every process is stopped by its own PID.
CAIRN_DEV=
CAIRN_PORT=
REDIS_PID=
REDIS_PORT=17390
REDIS_DIR=$(mktemp -d)
BENCH_PIDS=()

bench_cleanup() {
  for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$CAIRN_DEV" ]; then kill -INT "$CAIRN_DEV" 2>/dev/null && wait "$CAIRN_DEV" 2>/dev/null || true; fi
  if [ -n "$REDIS_PID" ]; then kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true; fi
  rm -rf "$REDIS_DIR"
}
trap bench_cleanup EXIT

start_cairn() {  # binary, log file
  setsid "$1" dev --resp-base 17379 --raft-base 17001 --http-base 18081 >"$2" 2>&1 &
  CAIRN_DEV=$!
  for _ in $(seq 1 100); do
    redis-cli -p 17379 set ready 1 2>/dev/null | grep -q OK && break
    sleep 0.1
  done
  local leader
  leader=$(redis-cli -p 17379 info raft | tr -d '\r' | sed -n 's/^raft_leader://p')
  CAIRN_PORT=$((17378 + leader))
  echo "cairn: leader node $leader (port $CAIRN_PORT)"
}

cairn_peak_rss() {
  for child in $(pgrep -P "$CAIRN_DEV"); do grep VmHWM "/proc/$child/status"; done
}

stop_cairn() {
  kill -INT "$CAIRN_DEV"
  wait "$CAIRN_DEV" || true
  CAIRN_DEV=
}

start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes \
    --appendfsync always --dir "$REDIS_DIR" >/dev/null &
  REDIS_PID=$!
  for _ in $(seq 1 100); do
    redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break
    sleep 0.1
  done
}

redis_peak_rss() { grep VmHWM "/proc/$REDIS_PID/status"; }

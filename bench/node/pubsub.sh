#!/bin/bash
# PUBLISH throughput with subscribers on every node, Cairn beside Redis in
# one run: starts `cairn dev` (3 nodes on loopback, ports 17379..,
# 17001.., 18081..), subscribes one reader (a Python loop that only counts
# bytes, so the subscribers cost little CPU) to channel `ch` on each node,
# runs redis-benchmark -c 50 -n N "PUBLISH ch <256 bytes>" with -P 1 and
# -P 16 on the leader, then counts the messages each subscriber received
# (every one of them must arrive everywhere). Then the same against
# redis-server with appendonly yes, appendfsync always (port 17390; Redis
# does not write PUBLISH to its AOF, so it fsyncs nothing here) with one
# subscriber. Peak RSS (VmHWM) of the servers is printed after each system.
#
# Usage: bench/node/pubsub.sh [path/to/cairn] [N]
# Results: bench/results/pubsub.md
set -euo pipefail
BIN=${1:-build/release/src/cli/cairn}
N=${2:-200000}
WORK=$(mktemp -d)
. "$(dirname "$0")/lib.sh"
start_cairn "$BIN" "$WORK/cairn.log"
SUBS=()
cleanup() {
  for p in "${SUBS[@]}"; do kill "$p" 2>/dev/null || true; done
  bench_cleanup
  rm -rf "$WORK"
}
trap cleanup EXIT
MSG=$(head -c 256 /dev/zero | tr '\0' m)
subscribe() {  # port, output file: a subscriber that reads as fast as it can
  /usr/bin/python3 - "$1" "$2" "$MSG" <<'PY' &
import signal, socket, sys
port, out, msg = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
one = b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$%d\r\n%s\r\n" % (len(msg), msg)
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n")
total = 0
def report(*_):  # on SIGTERM: the messages received (after the confirmation)
    with open(out, "w") as f:
        f.write(str((total - len(b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n")) // len(one)))
    sys.exit(0)
signal.signal(signal.SIGTERM, report)
while True:
    b = s.recv(1 << 20)
    if not b:
        break
    total += len(b)
report()
PY
  SUBS+=($!)
  for _ in $(seq 1 100); do
    [ "$(redis-cli -p "$1" pubsub numsub ch | tail -1)" = 1 ] && return
    sleep 0.05
  done
}
run() {  # port, label
  for p in 1 16; do
    redis-benchmark -p "$1" -c 50 -n "$N" -P "$p" --csv PUBLISH ch "$MSG" 2>&1 |
      grep -E '^"PUBLISH' | sed "s/^/$2 P$p,/" || true
  done
}
received() {  # subscriber index: stops it, prints what it counted
  kill "${SUBS[$1]}"
  wait "${SUBS[$1]}" || true
  cat "$WORK/sub$1.txt"
}
for i in 0 1 2; do subscribe $((17379 + i)) "$WORK/sub$i.txt"; done
echo 'system,"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
run "$CAIRN_PORT" cairn
sleep 1
for i in 0 1 2; do echo "cairn node $((i + 1)) subscriber received $(received $i) of $((2 * N))"; done
cairn_peak_rss
for p in "${SUBS[@]}"; do kill "$p" 2>/dev/null || true; done
SUBS=()
stop_cairn

start_redis
subscribe 17390 "$WORK/sub0.txt"
run 17390 "redis always"
sleep 1
echo "redis subscriber received $(received 0) of $((2 * N))"
redis_peak_rss

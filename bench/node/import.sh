#!/bin/bash
# `cairn import`'s speed: one source redis-server (no persistence) holding
# N strings of 100 bytes and N/1000 lists, hashes and sorted sets of 100
# elements, copied by `cairn import` into (a) a 3-node Cairn cluster that
# fsyncs before acknowledging and (b) a redis-server with appendfsync
# always, side by side; prints the keys per second, the import process's
# peak RSS and the servers' peak RSS.
#   bench/node/import.sh [path/to/cairn] [N (default 100000)]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
trap bench_cleanup EXIT
bin="${1:-build/release/src/cli/cairn}"
n="${2:-100000}"
src_port=17391
redis-server --port "$src_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
BENCH_PIDS+=($!)
src_pid=$!
for _ in $(seq 1 100); do redis-cli -p "$src_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
value=$(printf 'v%.0s' $(seq 1 100))
awk -v n="$n" -v v="$value" 'BEGIN {
  for (i = 0; i < n; i++) printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$100\r\n%s\r\n", length("s:" i), "s:" i, v
  for (i = 0; i < n / 1000; i++) {
    printf "*102\r\n$5\r\nRPUSH\r\n$%d\r\n%s\r\n", length("l:" i), "l:" i
    for (j = 0; j < 100; j++) printf "$%d\r\n%s\r\n", length("e" j), "e" j
    printf "*202\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n", length("h:" i), "h:" i
    for (j = 0; j < 100; j++) printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length("f" j), "f" j, length("x" j), "x" j
    printf "*202\r\n$4\r\nZADD\r\n$%d\r\n%s\r\n", length("z:" i), "z:" i
    for (j = 0; j < 100; j++) printf "$%d\r\n%d\r\n$%d\r\n%s\r\n", length(j ""), j, length("m" j), "m" j
  }
}' | redis-cli -p "$src_port" --pipe > /dev/null
keys=$(redis-cli -p "$src_port" dbsize)
echo "source: $keys keys ($(grep VmHWM /proc/$src_pid/status | tr -s ' '))"

copy() {  # label, destination port
  local t0 t1 out
  t0=$(date +%s.%N)
  out=$(/usr/bin/time -f "import peak RSS %M kB" "$bin" import --from "127.0.0.1:$src_port" \
    --to "127.0.0.1:$2" 2>&1)
  t1=$(date +%s.%N)
  echo "$1: $(echo "$out" | head -1)"
  echo "$1: $(echo "$out" | grep 'peak RSS')"
  awk -v a="$t0" -v b="$t1" -v k="$keys" -v l="$1" 'BEGIN { printf "%s: %.2f s, %.0f keys/s\n", l, b - a, k / (b - a) }'
}

start_cairn "$bin" /tmp/cairn-import-bench.log
copy "cairn (3 nodes, fsync)" "$CAIRN_PORT"
echo "cairn nodes' peak RSS:"
cairn_peak_rss
stop_cairn
start_redis
copy "redis (appendfsync always)" "$REDIS_PORT"
echo "redis peak RSS: $(redis_peak_rss | tr -s ' ')"

#!/bin/bash
# The slow log's cost: SLOWLOG times every operation (two clock readings
# each); this runs one 3-node cluster and alternates the timing on (the
# default threshold, 10000 us) and off (slowlog-log-slower-than -1) on all
# three nodes, three rounds of redis-benchmark SET and GET at -P 16, and
# prints the nodes' peak RSS.
#   bench/node/slowlog_ab.sh [path/to/cairn]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"
trap bench_cleanup EXIT
start_cairn "${1:-build/release/src/cli/cairn}" /tmp/cairn-slowlog-ab.log
P=$CAIRN_PORT
redis-benchmark -p "$P" -t set -d 256 -r 20000 -n 20000 -q > /dev/null
for round in 1 2 3; do
  for mode in on off; do
    v=10000
    [ "$mode" = off ] && v=-1
    for n in 17379 17380 17381; do redis-cli -p "$n" config set slowlog-log-slower-than "$v" > /dev/null; done
    set=$(redis-benchmark -p "$P" -t set -d 256 -c 50 -n 200000 -P 16 -q | grep -o "[0-9.]* requests")
    get=$(redis-benchmark -p "$P" -t get -d 256 -c 50 -n 400000 -P 16 -q | grep -o "[0-9.]* requests")
    echo "round $round slowlog $mode: SET P16 $set, GET (strong) P16 $get"
  done
done
echo "peak RSS per node:"
cairn_peak_rss

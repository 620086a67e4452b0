#!/bin/bash
# RESP over TLS, side by side: a 3-node Cairn cluster (fsynced WALs, each
# node with a tls_port) and a redis-server with appendfsync always and a
# tls-port, both driven by redis-benchmark --tls (and, for reference, the
# same over each one's plain port), on loopback. Certificates: a throwaway
# CA made with the openssl tool. Prints one line per run and each server's
# peak RSS.
#
# Usage: bench/node/tls.sh [path/to/cairn] [requests]
# Results: bench/results/node.md (TLS)
set -euo pipefail
BIN=$(realpath "${1:-build/release/src/cli/cairn}")
N=${2:-200000}
DIR=$(mktemp -d /tmp/cairn-tls-bench-XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap cleanup EXIT
cd "$DIR"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 -subj "/CN=bench CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout s.key -out s.csr -subj "/CN=127.0.0.1" 2>/dev/null
echo "subjectAltName=IP:127.0.0.1" > san.cnf
openssl x509 -req -in s.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out s.crt -days 1 -extfile san.cnf 2>/dev/null

PEERS=1=127.0.0.1:17101,2=127.0.0.1:17102,3=127.0.0.1:17103
for i in 1 2 3; do
  setsid "$BIN" server --id $i --peers $PEERS --resp-port $((17110 + i)) --http-port $((17120 + i)) \
    --tls-port $((17130 + i)) --tls-cert-file s.crt --tls-key-file s.key --tls-auth-clients no \
    --data-dir "$DIR/n$i" > "$DIR/n$i.log" 2>&1 &
  PIDS+=($!)
done
setsid redis-server --port 17140 --tls-port 17141 --tls-cert-file s.crt --tls-key-file s.key \
  --tls-auth-clients no --dir "$DIR" --save '' --appendonly yes --appendfsync always \
  > "$DIR/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 200); do
  redis-cli -p 17111 set ready 1 2>/dev/null | grep -q OK && redis-cli -p 17140 ping 2>/dev/null | grep -q PONG && break
  sleep 0.1
done
LEADER=$(redis-cli -p 17111 info raft | tr -d '\r' | sed -n 's/^raft_leader://p')
run() {  # name port tls? pipeline
  local name=$1 port=$2 tls=$3 p=$4 extra=()
  [ "$tls" = yes ] && extra=(--tls --cacert ca.crt)
  redis-benchmark -p "$port" "${extra[@]}" -t set,get -d 256 -c 50 -n "$N" -P "$p" -q 2>/dev/null |
    tr '\r' '\n' | grep -E '^(SET|GET):.*requests per second' | sed "s/^/$name P$p /"
}
for p in 1 16; do
  run "cairn tls" $((17130 + LEADER)) yes $p
  run "cairn plain" $((17110 + LEADER)) no $p
  run "redis tls" 17141 yes $p
  run "redis plain" 17140 no $p
done
for i in 0 1 2 3; do
  echo "peak RSS pid ${PIDS[$i]}: $(grep VmHWM /proc/${PIDS[$i]}/status | awk '{print $2/1024 " MB"}')"
done

#!/usr/bin/env bash
# Installs the Debian 12 packages Cairn needs to build, test and benchmark.
# Idempotent: packages already present are skipped, and apt is only called
# when something is missing. Run as root (or with sudo available).
set -euo pipefail

# Groups let callers install less: `install-deps.sh build` for compiling only.
build_pkgs=(
  build-essential cmake ninja-build ccache pkg-config git
  clang-14 libclang-rt-14-dev lld-14
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  librocksdb-dev libboost1.74-dev libboost-system1.74-dev
  libspdlog-dev libfmt-dev libcli11-dev libyaml-cpp-dev nlohmann-json3-dev
  libzstd-dev liblz4-dev libxxhash-dev libssl-dev zlib1g-dev
  liblua5.1-0-dev lua-cjson-dev lua-bitop-dev
  protobuf-compiler libprotobuf-dev
)
# Real peers and clients that tests and benchmarks compare against; matplotlib
# draws the benchmark plots in bench/results/; GNU time gives a benchmarked
# tool's peak RSS (bench/node/import.sh); the openssl tool makes the test
# certificates of the TLS tests.
peer_pkgs=(
  redis-server redis-tools python3 python3-redis
  etcd-server etcd-client wrk iproute2 iptables procps psmisc
  python3-matplotlib faketime curl time openssl
)

want=()
case "${1:-all}" in
  build) want=("${build_pkgs[@]}") ;;
  all) want=("${build_pkgs[@]}" "${peer_pkgs[@]}") ;;
  *) echo "usage: $0 [build|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# An install that was stopped half way (a killed CI job, a closed terminal)
# leaves dpkg's journal non-empty, and apt then refuses to do anything until
# the half-installed packages are configured. Finish that work first.
if [ -n "$(ls -A /var/lib/dpkg/updates 2>/dev/null)" ]; then
  echo "install-deps: finishing an interrupted install (dpkg --configure -a)" >&2
  $SUDO dpkg --configure -a >/dev/null
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts redis-server and etcd as system services on install; Cairn's
# tests and benchmarks start their own instances on their own ports, so the
# system ones are stopped to keep the machine quiet (ignored where there is no
# service manager, as in containers).
for svc in redis-server etcd; do
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
done

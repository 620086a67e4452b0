#!/usr/bin/env python3
"""libcairn vs redis-benchmark against the same servers; writes nothing, prints
the figures (copy them into bench/results/client.md).

Starts a 3-node Cairn cluster (fsynced WALs) and a redis-server (no
persistence) on 127.0.0.1, runs build/release/bench/client/client_bench under
/usr/bin/time -v against each, then redis-benchmark (SET/GET, -P 16 and -P 1)
against the Cairn leader and the redis-server. Stops everything by PID.

Run: /usr/bin/python3 bench/client/run.py
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "node"))
import common  # noqa: E402

BENCH = os.path.join(common.ROOT, "build", "release", "bench", "client", "client_bench")


def timed(argv, env=None):
    out = subprocess.run(["/usr/bin/time", "-v", *argv], capture_output=True, text=True, env=env,
                         timeout=900)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    return out.stdout, (int(rss.group(1)) / 1024 if rss else 0.0)


def redis_benchmark(port, pipeline):
    out = subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-t", "set,get",
                          "-n", "100000", "-c", "16", "-P", str(pipeline), "-q"],
                         capture_output=True, text=True, timeout=600).stdout
    return " | ".join(line.strip() for line in out.replace("\r", "\n").splitlines()
                      if "requests per second" in line)


def main():
    print(common.machine() if hasattr(common, "machine") else "")
    with tempfile.TemporaryDirectory(prefix="cairn-client-bench-") as base:
        cluster = common.CairnCluster(base)
        redis_port = common.free_ports(1)[0]
        redis = common.Proc(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", base],
                            os.path.join(base, "redis.log"))
        try:
            leader = cluster.start_all()
            common.wait_until(lambda: common.port_open(redis_port), 10, "redis-server")
            seeds = ",".join(f"127.0.0.1:{p}" for p in cluster.resp)
            for name, env_seeds, port in (("cairn", seeds, cluster.resp[leader - 1]),
                                          ("redis", f"127.0.0.1:{redis_port}", redis_port)):
                env = dict(os.environ, CAIRN_BENCH_SEEDS=env_seeds)
                out, rss = timed([BENCH, "--benchmark_min_time=1"], env)
                print(f"## {name}: client_bench (peak RSS of the bench process {rss:.1f} MB)")
                print(out)
                for p in (16, 1):
                    print(f"redis-benchmark -P {p} vs {name}: {redis_benchmark(port, p)}")
            print(f"cairn cluster peak RSS (sum of 3 nodes): {cluster.rss_mb():.1f} MB; "
                  f"redis-server: {common.peak_rss_mb(redis.pid):.1f} MB")
        finally:
            cluster.stop()
            redis.stop()


if __name__ == "__main__":
    main()

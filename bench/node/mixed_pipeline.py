#!/usr/bin/python3
"""One connection pipelining writes and reads of the same keys, side by side
with Redis.

    scripts/build.sh release cairn
    /usr/bin/python3 bench/node/mixed_pipeline.py [--pairs 2000] [--rounds 5] [--cairn PATH]

What clients that pipeline (redis-py pipelines, auto-pipelining libraries)
send: one connection, `--pairs` pairs of `SET k<i> v<i>` + `GET k<i>` in one
pipeline, every GET checked against its SET. Each round runs on

  * redis-server with appendonly yes, appendfsync always;
  * a 3-node Cairn cluster (fsynced WAL, default strong reads), through the
    leader and through a follower;

and also a pipeline of the SETs alone, of the GETs alone, and of one SET
followed by the GETs ("set-then-gets": the reads queue behind one write).
Reported: the median time of `--rounds` pipelines and the commands per
second it gives, the servers' CPU time per command (user + system, summed
over a cluster's nodes, from /proc) and each server's peak RSS. Every process runs on
127.0.0.1 and is stopped by PID. `--cairn` measures another build.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from compare import start_redis  # noqa: E402


def pipeline_seconds(port, pairs, shape, tag):
    r = redis.Redis(port=port)
    p = r.pipeline(transaction=False)
    if shape == "set-then-gets":
        p.set("w", tag)
    for i in range(pairs):
        if shape in ("set", "mixed"):
            p.set(f"k{i}", f"{tag}-{i}")
        if shape in ("get", "mixed", "set-then-gets"):
            p.get(f"k{i}")
    start = time.monotonic()
    got = p.execute()
    seconds = time.monotonic() - start
    if shape == "mixed":
        wrong = [i for i in range(pairs) if got[2 * i + 1] != f"{tag}-{i}".encode()]
        if wrong:
            raise SystemExit(f"port {port}: GET k{wrong[0]} gave {got[2 * wrong[0] + 1]!r}")
    r.close()
    return seconds


def cpu_seconds(pids):
    """User + system CPU of the server processes so far."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def measure(port, pairs, rounds, label, pids):
    rows = []
    for shape in ("mixed", "set", "get", "set-then-gets"):
        before = cpu_seconds(pids)
        times = [pipeline_seconds(port, pairs, shape, f"{label}{k}") for k in range(rounds)]
        cpu = cpu_seconds(pids) - before
        n = pairs * (2 if shape == "mixed" else 1) + (shape == "set-then-gets")
        med = statistics.median(times)
        rows.append((shape, n, med, min(times), max(times), n / med, cpu * 1e6 / (n * rounds)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cairn", default=common.CAIRN)
    args = ap.parse_args()
    common.CAIRN = args.cairn
    results = []
    with tempfile.TemporaryDirectory(prefix="cairn-mixed-") as base:
        p, port = start_redis(base, "redis-always", ["--appendonly", "yes", "--appendfsync", "always"])
        try:
            rows = measure(port, args.pairs, args.rounds, "r", [p.pid])
            results.append(("redis appendfsync always", rows, common.peak_rss_mb(p.pid)))
        finally:
            p.stop()
        c = common.CairnCluster(base)
        try:
            leader = c.start_all()
            follower = next(i for i in (1, 2, 3) if i != leader)
            for who, node in (("leader", leader), ("follower", follower)):
                rows = measure(c.resp[node - 1], args.pairs, args.rounds, who,
                               [p.pid for p in c.procs.values()])
                results.append((f"cairn 3 nodes, via the {who}", rows, None))
            if c.leader() != leader:
                raise SystemExit("the Cairn leader changed during the run: figures void")
            rss = c.rss_mb()
            results = [(n, r, m if m is not None else rss) for n, r, m in results]
        finally:
            c.stop()
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {args.pairs} pairs, "
          f"median of {args.rounds} pipelines, {common.machine()}")
    print("| server | pipeline | commands | median s | min-max s | commands/s | server CPU us/command | peak RSS MB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, rows, rss in results:
        for shape, n, med, lo, hi, rate, cpu_us in rows:
            print(f"| {name} | {shape} | {n} | {med:.3f} | {lo:.3f}-{hi:.3f} | {rate:,.0f} | {cpu_us:.1f} | {rss:.0f} |")


if __name__ == "__main__":
    main()

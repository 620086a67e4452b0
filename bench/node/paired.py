#!/usr/bin/python3
"""Two cairn binaries against each other, in alternating pairs.

    /usr/bin/python3 bench/node/paired.py --a PATH --b PATH [--rounds 4] [--pipeline 16]
                                          [--requests 200000] [--keys N] [--b-first]

For a change that moves the write path by a few percent, on a host whose
run-to-run noise is larger than that (bench/results/node.md). Each run
starts a fresh 3-node cluster of one binary (fsynced WALs, strong reads),
drives the leader with `redis-benchmark -t set -d 256 -c 50 -n N -P P`, and
reports SET/s, p99, the three nodes' CPU (user + system from /proc) per SET
and their summed peak RSS. A round runs A then B (B then A with --b-first):
the second run of a pair tends to lose whatever it runs, so run both orders.
The summary counts the pairs in which A spent less CPU per SET, the figure
that moves least with the host's noise. With --keys N the SETs go to N
random keys (redis-benchmark -r N) instead of one.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of stat (after pid and comm).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(binary, args):
    common.CAIRN = binary
    base = tempfile.mkdtemp(prefix="cairn-paired-")
    cluster = common.CairnCluster(base, 3)
    try:
        leader = cluster.start_all()
        out = subprocess.run(
            ["redis-benchmark", "-h", "127.0.0.1", "-p", str(cluster.resp[leader - 1]), "-t", "set",
             "-d", "256", "-c", "50", "-n", str(args.requests), "-P", str(args.pipeline), "--csv"]
            + (["-r", str(args.keys)] if args.keys else []),
            capture_output=True, text=True, timeout=600, check=True).stdout
        row = next(line for line in out.splitlines() if line.startswith('"SET"'))
        cols = [c.strip('"') for c in row.split(",")]
        cpu = sum(cpu_seconds(p.pid) for p in cluster.procs.values())
        return {"rps": float(cols[1]), "p99_ms": float(cols[6]),
                "cpu_us": cpu / args.requests * 1e6, "rss_mb": cluster.rss_mb()}
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="cairn binary A")
    ap.add_argument("--b", required=True, help="cairn binary B")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--pipeline", type=int, default=16)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--keys", type=int, default=0, help="random keys (-r); 0 = one key")
    ap.add_argument("--b-first", action="store_true", help="run B first in every pair")
    args = ap.parse_args()
    order = ["b", "a"] if args.b_first else ["a", "b"]
    results = {"a": [], "b": []}
    print("| round | binary | SET/s | p99 ms | CPU us/SET | peak RSS MB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in range(1, args.rounds + 1):
        for which in order:
            m = run(getattr(args, which), args)
            results[which].append(m)
            print(f"| {r} | {which.upper()} | {m['rps']:,.0f} | {m['p99_ms']:.2f} | "
                  f"{m['cpu_us']:.1f} | {m['rss_mb']:.0f} |", flush=True)
    a, b = results["a"], results["b"]
    lower = sum(1 for x, y in zip(a, b) if x["cpu_us"] < y["cpu_us"])
    faster = sum(1 for x, y in zip(a, b) if x["rps"] > y["rps"])
    print(f"\nA: median {statistics.median(x['rps'] for x in a):,.0f} SET/s, "
          f"{statistics.median(x['cpu_us'] for x in a):.1f} us CPU/SET")
    print(f"B: median {statistics.median(x['rps'] for x in b):,.0f} SET/s, "
          f"{statistics.median(x['cpu_us'] for x in b):.1f} us CPU/SET")
    print(f"A spent less CPU per SET in {lower} of {len(a)} pairs and was faster in {faster}.")
    keys = f", -r {args.keys}" if args.keys else ""
    print(f"-P {args.pipeline}, -n {args.requests}{keys}; {common.machine()}")


if __name__ == "__main__":
    main()

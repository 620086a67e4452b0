#!/usr/bin/python3
"""Hash, set, list, sorted-set, stream, HyperLogLog and bitfield commands: Cairn side by side
with Redis, in one run.

    scripts/build.sh release cairn
    /usr/bin/python3 bench/node/types.py [--requests 200000] [--list-requests 2000] [--out bench/results/types.md]
        [--only PFADD,PFCOUNT,BITFIELD]

Systems, each started alone, measured, stopped:
  cairn    3 `cairn server` nodes, every write fsynced by a majority before the reply
  always   redis-server, appendonly yes, appendfsync always
Load: redis-benchmark -d 256 -c 50 with -P 1 and -P 16:
  -t hset,sadd,spop,zadd,zpopmin with --requests (one hash field, one set
     member and one sorted-set member, rewritten: redis-benchmark's HSET,
     SADD and ZADD name the same one each time; SPOP and ZPOPMIN then mostly
     find the key empty, which Cairn still orders through the log)
  XADD s MAXLEN ~ 1000 * f v with --requests: a stream kept at about 1000
     entries, as a stream should be kept (Cairn trims exactly and rewrites the
     whole stream, about 1000 entries, on each XADD: kv/stream.h)
  PFADD h e:__rand_int__ (-r 100000) with --requests, then PFCOUNT h (a read
     at the default, strong, consistency): one HyperLogLog, dense after the
     first few thousand elements
  BITFIELD b:__rand_int__ INCRBY u32 #7 1 (-r 1000) with --requests: the
     eighth 32-bit counter of 1000 strings
  -t lpush,lpop with --list-requests: redis-benchmark pushes every element
     onto one list, so it grows to --list-requests elements, and Cairn stores
     a list as one record (kv/list.h): each push rewrites the whole list. The
     figure shows that cost; keep the count small or the run takes hours.
Peak RSS is VmHWM of the server processes (summed over Cairn's nodes). The
table replaces the top of --out; the text from "## Reading the figures" on is
kept.
"""
import argparse
import datetime
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402
import compare  # noqa: E402

TESTS = ("HSET", "SADD", "SPOP", "ZADD", "ZPOPMIN", "XADD", "LPUSH", "LPOP", "PFADD", "PFCOUNT",
         "BITFIELD")
XADD = ["XADD", "s", "MAXLEN", "~", "1000", "*", "f", "v"]
# The single commands, by the name redis-benchmark reports.
COMMANDS = {
    "XADD": XADD,
    "PFADD": ["-r", "100000", "PFADD", "h", "e:__rand_int__"],
    "PFCOUNT": ["PFCOUNT", "h"],
    # (a field offset cannot be __rand_int__: redis-benchmark pads it with
    # zeros, which Redis refuses as an integer; so the key varies)
    "BITFIELD": ["-r", "1000", "BITFIELD", "b:__rand_int__", "INCRBY", "u32", "#7", "1"],
}


def measure(port, n, list_n, only):
    res = {}
    for p in (1, 16):
        for tests, count in (("hset,sadd,spop,zadd,zpopmin", n), ("lpush,lpop", list_n)):
            names = [t for t in tests.split(",") if t.upper() in only]
            if not names:
                continue
            for name, r in compare.redis_benchmark(port, p, count, ",".join(names)).items():
                if name in only:
                    res[f"{name} P{p}"] = r
        for name, command in COMMANDS.items():
            if name in only:
                res[f"{name} P{p}"] = compare.redis_benchmark(port, p, n, command=command)[name]
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--list-requests", type=int, default=2000)
    ap.add_argument("--out", default=os.path.join(common.ROOT, "bench", "results", "types.md"))
    ap.add_argument("--only", default=",".join(TESTS), help="the operations to run, comma-separated")
    a = ap.parse_args()
    only = set(a.only.upper().split(","))
    if not only <= set(TESTS):
        raise SystemExit(f"--only takes some of {','.join(TESTS)}")
    base = tempfile.mkdtemp(prefix="cairn-types-")
    results = {}
    try:
        c = common.CairnCluster(os.path.join(base, "cairn"), 3)
        try:
            leader = c.start_all()
            results["cairn"] = measure(c.resp[leader - 1], a.requests, a.list_requests, only)
            rss = c.rss_mb()
            if c.leader() != leader:
                raise SystemExit("the Cairn leader changed during the run: figures void")
        finally:
            c.stop()
        for v in results["cairn"].values():
            v["rss_mb"] = rss
        p, port = compare.start_redis(base, "always", ["--appendonly", "yes", "--appendfsync", "always"])
        try:
            results["redis always"] = measure(port, a.requests, a.list_requests, only)
            rss = common.peak_rss_mb(p.pid)
        finally:
            p.stop()
        for v in results["redis always"].values():
            v["rss_mb"] = rss
    finally:
        shutil.rmtree(base, ignore_errors=True)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    only_arg = "" if only == set(TESTS) else f" --only {a.only}"
    out_arg = "" if a.out == ap.get_default("out") else f" --out {os.path.relpath(a.out, common.ROOT)}"
    lines = [f"# Hash, set, list, sorted-set, stream, HyperLogLog and bitfield commands: Cairn vs Redis\n",
             f"Date: {when}. Machine: {common.machine()}.\n",
             "Command:\n",
             "    scripts/build.sh release cairn",
             f"    /usr/bin/python3 bench/node/types.py --requests {a.requests} --list-requests {a.list_requests}"
             f"{only_arg}{out_arg}\n",
             "| operation | cairn ops/s | cairn p50 / p99 ms | redis always ops/s | redis p50 / p99 ms | ratio | cairn RSS MB | redis RSS MB |",
             "|---|---|---|---|---|---|---|---|"]
    for key in sorted(results["cairn"], key=lambda k: (TESTS.index(k.split()[0]), k)):
        c, r = results["cairn"][key], results["redis always"].get(key)
        if r is None:
            continue
        lines.append(f"| {key} | {c['rps']:,.0f} | {c['p50_ms']:.2f} / {c['p99_ms']:.2f} | {r['rps']:,.0f} | "
                     f"{r['p50_ms']:.2f} / {r['p99_ms']:.2f} | {c['rps'] / r['rps']:.2f}x | "
                     f"{c['rss_mb']:.0f} | {r['rss_mb']:.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    kept = ""  # the hand-written notes below the table survive a new run
    if os.path.exists(a.out):
        with open(a.out) as f:
            old = f.read()
        if "## Reading the figures" in old:
            kept = "\n" + old[old.index("## Reading the figures"):]
    with open(a.out, "w") as f:
        f.write(text + kept)


if __name__ == "__main__":
    main()

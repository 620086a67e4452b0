#!/usr/bin/python3
"""Bursts of large values through a 3-node Cairn cluster, and through Redis.

    scripts/build.sh release cairn
    /usr/bin/python3 bench/node/large_values.py [--rounds 6] [--ticks 10,25] [--cairn PATH]

One round is one pipeline of 20 SETs of a fresh 3 MiB random value, each
followed by a GET of it (60 MiB written, 60 MiB read back), sent to one node
(the nodes take turns, so two rounds in three go through a follower, which
forwards the writes). A round counts as clean when every reply came back and
every GET returned its value. For each `--ticks` value a fresh cluster runs
with that `tick_ms` (elections after 10-20 ticks). Reported per cluster:
clean rounds, the Raft term at the end (1 + the elections after the first),
the median clean round's time and its MiB/s of values written, and the three
nodes' peak RSS; then the same rounds against one redis-server with
appendonly yes, appendfsync always (its single process, no replication).

`--cairn` chooses the binary, so that two builds can be held side by side.
"""
import argparse
import datetime
import os
import shutil
import statistics
import sys
import tempfile
import time

import redis

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402

VALUE_MIB = 3
SETS = 20


def one_round(client):
    big = os.urandom(VALUE_MIB << 20)
    p = client.pipeline(transaction=False)
    for i in range(SETS):
        p.set(f"big{i}", big)
        p.get(f"big{i}")
    t0 = time.monotonic()
    try:
        out = p.execute()
    except (redis.exceptions.ResponseError, redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError) as e:
        msg = str(e)
        return None, msg[msg.rfind("caused error:") + 14:][:80] if "caused error" in msg else msg[:80]
    took = time.monotonic() - t0
    if out[1::2] != [big] * SETS:
        return None, "a GET returned another value"
    return took, None


def run_cairn(base, tick, rounds):
    c = common.CairnCluster(os.path.join(base, f"tick{tick}"), extra=["--tick-ms", str(tick)])
    os.makedirs(c.base, exist_ok=True)
    try:
        c.start_all()
        clients = {i: redis.Redis(port=c.resp[i - 1], socket_timeout=60) for i in (1, 2, 3)}
        times, errors = [], []
        for r in range(rounds):
            took, err = one_round(clients[r % 3 + 1])
            if err:
                errors.append(err)
            else:
                times.append(took)
        common.wait_until(lambda: c.leader(), 20, "a leader after the rounds")
        term = max(c.status(i)["term"] for i in (1, 2, 3))
        return {"clean": len(times), "times": times, "errors": errors, "term": term,
                "rss": c.rss_mb()}
    finally:
        c.stop()


def run_redis(base, rounds):
    port = common.free_ports(1)[0]
    d = os.path.join(base, "redis")
    os.makedirs(d)
    p = common.Proc(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", d,
                     "--save", "", "--appendonly", "yes", "--appendfsync", "always"],
                    os.path.join(base, "redis.log"))
    try:
        common.wait_until(lambda: common.port_open(port), 10, "redis")
        client = redis.Redis(port=port, socket_timeout=60)
        times, errors = [], []
        for _ in range(rounds):
            took, err = one_round(client)
            (errors.append(err) if err else times.append(took))
        return {"clean": len(times), "times": times, "errors": errors, "term": None,
                "rss": common.peak_rss_mb(p.pid)}
    finally:
        p.stop()


def row(name, rounds, res):
    med = statistics.median(res["times"]) if res["times"] else None
    mibs = f"{SETS * VALUE_MIB / med:.0f}" if med else "-"
    term = "-" if res["term"] is None else str(res["term"])
    errs = "; ".join(sorted(set(res["errors"]))) or "-"
    return (f"| {name} | {res['clean']} of {rounds} | {term} | "
            f"{'-' if med is None else f'{med:.2f}'} | {mibs} | {res['rss']:.0f} | {errs} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--ticks", default="10,25")
    ap.add_argument("--cairn", default=common.CAIRN)
    args = ap.parse_args()
    common.CAIRN = os.path.abspath(args.cairn)
    base = tempfile.mkdtemp(prefix="cairn-large-")
    started = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
    lines = ["| system | clean rounds | final term | median round s | MiB/s written | "
             "peak RSS MB | errors |", "|---|---|---|---|---|---|---|"]
    try:
        for tick in [int(t) for t in args.ticks.split(",")]:
            res = run_cairn(base, tick, args.rounds)
            lines.append(row(f"cairn, 3 nodes, tick_ms {tick}", args.rounds, res))
            print(lines[-1], flush=True)
        res = run_redis(base, args.rounds)
        lines.append(row("redis-server, appendfsync always", args.rounds, res))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"\n{started}, {common.machine()}, binary {common.CAIRN}\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

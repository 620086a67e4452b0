#!/usr/bin/python3
"""Leader failover time of a 3-node Cairn cluster on loopback.

    scripts/build.sh release cairn
    /usr/bin/python3 bench/node/failover.py [--trials 20] [--out bench/results/failover.md]

Each trial: write once through the leader (the cluster is live), kill -9 the
leader, then SET through the survivors (alternating, 5 ms between attempts,
0.5 s socket timeout) until one is acknowledged. Failover time = from the
kill to that acknowledgement. The killed node is restarted and the cluster
must agree on a leader again before the next trial.
"""
import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
import shutil

import redis

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--out", default=os.path.join(common.ROOT, "bench", "results", "failover.md"))
    args = ap.parse_args()
    base = tempfile.mkdtemp(prefix="cairn-failover-")
    started = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
    c = common.CairnCluster(base)
    times, rss = [], 0.0
    try:
        c.start_all()
        for trial in range(args.trials):
            leader = c.wait_leader()
            clients = {i: redis.Redis(port=c.resp[i - 1], socket_timeout=0.5) for i in (1, 2, 3)}
            common.wait_until(lambda: clients[leader].set("warm", trial), 10, "a write through the leader")
            rss = max(rss, c.rss_mb())
            survivors = [i for i in (1, 2, 3) if i != leader]
            t0 = time.monotonic()
            c.procs[leader].kill9()
            attempt = 0
            while True:
                node = survivors[attempt % 2]
                attempt += 1
                try:
                    if clients[node].set(f"trial{trial}", "1"):
                        break
                except (redis.exceptions.ResponseError, redis.exceptions.ConnectionError,
                        redis.exceptions.TimeoutError):
                    pass
                if time.monotonic() - t0 > 30:
                    raise SystemExit(f"trial {trial}: no write acknowledged 30 s after the kill")
                time.sleep(0.005)  # pacing between attempts, not synchronisation
            took = time.monotonic() - t0
            times.append(took)
            print(f"trial {trial + 1}: killed node {leader}, write acknowledged after {took * 1000:.0f} ms "
                  f"({attempt} attempts)", flush=True)
            c.start(leader)
            common.wait_until(lambda: c.leader([1, 2, 3]), 20, "all three nodes agreeing on a leader")
    finally:
        c.stop()
        shutil.rmtree(base, ignore_errors=True)
    ms = sorted(t * 1000 for t in times)
    med = statistics.median(ms)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    text = (f"# Leader failover (kill -9 to the next acknowledged write)\n\nDate: {started}. "
            f"Machine: {common.machine()}.\n\nCommand:\n\n    scripts/build.sh release cairn\n"
            f"    /usr/bin/python3 bench/node/failover.py --trials {args.trials}\n\n"
            f"Defaults: tick 10 ms, election timeout 10-20 ticks (100-200 ms), PreVote and CheckQuorum on.\n\n"
            f"| trials | median ms | p90 ms | min ms | max ms | peak RSS MB (3 nodes) |\n|---|---|---|---|---|---|\n"
            f"| {len(ms)} | {med:.0f} | {p90:.0f} | {ms[0]:.0f} | {ms[-1]:.0f} | {rss:.0f} |\n\n"
            f"Goal: median under 1 s: {'met' if med < 1000 else 'NOT met'}.\n\n"
            f"All trials (ms): {', '.join(f'{t * 1000:.0f}' for t in times)}\n")
    print(text)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Node catch-up by snapshot: 3 real `cairn server` nodes on 127.0.0.1.

Stops one follower, writes --mb MiB of incompressible values through the
leader (with --snapshot-entries small so the log is compacted past them),
restarts the follower under /usr/bin/time -v and measures, from the nodes'
own log timestamps, the time from the leader's "sending snapshot" to the
follower's "installed snapshot"; then the follower's peak RSS.

Run: /usr/bin/python3 bench/snapshot/catchup.py --cairn build/release/src/cli/cairn --mb 64
"""
import argparse
import datetime
import os
import re
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tests/integration"))
import cluster_test  # noqa: E402
from cluster_test import retry, wait_until  # noqa: E402
from snapshot_test import SnapCluster  # noqa: E402


def stamp(line):
    return datetime.datetime.fromisoformat(line.split(" ")[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cairn", required=True)
    ap.add_argument("--mb", type=int, default=64)
    args = ap.parse_args()
    cluster_test.CAIRN = os.path.abspath(args.cairn)
    c = SnapCluster(3, snapshot_entries=1000)
    try:
        leader = c.wait_ready()
        lagging = next(i for i in range(1, 4) if i != leader)
        c.stop_node(lagging)
        r = c.client(leader)
        value_bytes, batch = 4096, 64
        keys = args.mb * (1 << 20) // value_bytes
        for start in range(0, keys, batch):
            def put():
                p = r.pipeline(transaction=False)
                for k in range(start, min(keys, start + batch)):
                    p.set(f"bench{k}", os.urandom(value_bytes // 2).hex())
                return p.execute()
            retry(put, 60)
        for k in range(200):  # more single Appends than the leader keeps in flight
            retry(lambda: r.set(f"tail{k}", "x"))
        wait_until(lambda: c.snapshot_index(leader) >= keys // batch, 120, "a snapshot on the leader")
        # Restart the follower under /usr/bin/time -v for its peak RSS.
        time_log = os.path.join(c.dir, "time.txt")
        with open(os.path.join(c.dir, f"node{lagging}.log"), "ab") as log:
            c.procs[lagging] = subprocess.Popen(
                ["/usr/bin/time", "-v", "-o", time_log, cluster_test.CAIRN, "server", "--id", str(lagging),
                 "--peers", c.peers, "--resp-port", str(c.resp[lagging - 1]),
                 "--http-port", str(c.http[lagging - 1]), "--data-dir", c.data(lagging),
                 "--snapshot-entries", "1000"], stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: "installed snapshot" in c.log(lagging), 600, "the install")
        commit = c.status(leader)["commit_index"]
        wait_until(lambda: c.status(lagging)["applied_index"] >= commit, 120, "catch-up")
        sent = [l for l in c.log(leader).splitlines() if f"sending snapshot" in l and f"to {lagging}" in l]
        done = [l for l in c.log(lagging).splitlines() if "installed snapshot" in l]
        size = int(re.search(r"\((\d+) bytes\)", sent[-1]).group(1))
        secs = (stamp(done[-1]) - stamp(sent[-1])).total_seconds()
        # SIGTERM the node itself (time(1) does not forward signals), by PID.
        child = int(subprocess.run(["pgrep", "-P", str(c.procs[lagging].pid)],
                                   capture_output=True, text=True).stdout.split()[0])
        os.kill(child, signal.SIGTERM)
        c.procs[lagging].wait(30)
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(time_log).read()).group(1))
        print(f"snapshot {size / 2**20:.1f} MiB, transfer+install {secs:.2f} s, "
              f"{size / 2**20 / secs:.1f} MiB/s, follower peak RSS {rss_kb / 1024:.0f} MiB, "
              f"{keys} keys of {value_bytes} B")
    finally:
        c.stop()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Integration tests of snapshots: real `cairn server` processes on 127.0.0.1
with RocksDB state machines, a small --snapshot-entries, log compaction and
InstallSnapshot between nodes. Helpers come from cluster_test.py; nothing
sleeps to synchronise (every wait polls a condition until a deadline).

Run: /usr/bin/python3 tests/integration/snapshot_test.py --cairn build/release/src/cli/cairn
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unittest

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_test  # noqa: E402
from cluster_test import Cluster, retry, wait_until  # noqa: E402

SNAPSHOT_ENTRIES = 50


class SnapCluster(Cluster):
    def __init__(self, n=3, snapshot_entries=SNAPSHOT_ENTRIES, extra=()):
        self.snapshot_entries = snapshot_entries
        self.extra = list(extra)
        super().__init__(n)

    def start(self, i):
        with open(os.path.join(self.dir, f"node{i}.log"), "ab") as log:
            self.procs[i] = subprocess.Popen(
                [cluster_test.CAIRN, "server", "--id", str(i), "--peers", self.peers,
                 "--resp-port", str(self.resp[i - 1]), "--http-port", str(self.http[i - 1]),
                 "--data-dir", self.data(i), "--snapshot-entries", str(self.snapshot_entries), *self.extra],
                stdout=log, stderr=subprocess.STDOUT)

    def data(self, i):
        return os.path.join(self.dir, f"node{i}")

    def stop_node(self, i):
        self.procs[i].terminate()
        self.procs[i].wait(15)

    def log(self, i):
        return open(os.path.join(self.dir, f"node{i}.log"), errors="replace").read()

    def snapshot_index(self, i):
        """Index of node i's newest checkpoint on disk (0 if none)."""
        best = 0
        for d in glob.glob(os.path.join(self.data(i), "snapshots", "snap-*")):
            m = re.match(r"snap-(\d+)-(\d+)$", os.path.basename(d))
            if m:
                best = max(best, int(m.group(1)))
        return best

    def local_state(self, i):
        """Every key and value as node i itself holds them (eventual reads)."""
        r = self.client(i)
        r.execute_command("CONSISTENCY", "eventual")
        out = {}
        for key in r.scan_iter(count=1000):
            out[key] = r.get(key)
        return out


def write_keys(c, node, prefix, n, value_bytes=16, batch=200):
    r = c.client(node)
    for start in range(0, n, batch):
        def put():
            p = r.pipeline(transaction=False)
            for k in range(start, min(n, start + batch)):
                p.set(f"{prefix}{k}", (f"{prefix}{k}:" * value_bytes)[:value_bytes])
            return p.execute()
        retry(put, 30)


def outrun_pipeline(c, leader, prefix="one", n=200):
    """Single writes, one Append each: more than the leader keeps in flight
    to a dead follower (raft inflight_appends_max = 64), so the follower
    cannot catch up from Appends queued while it was down."""
    r = c.client(leader)
    for k in range(n):
        retry(lambda: r.set(f"{prefix}{k}", str(k)))


class SnapshotTest(unittest.TestCase):
    snapshot_entries = SNAPSHOT_ENTRIES

    def setUp(self):
        self.c = SnapCluster(3, self.snapshot_entries)
        self.c.wait_ready()

    def tearDown(self):
        codes = self.c.stop()
        self.assertTrue(all(c in (0, -9) for c in codes.values()), f"{codes}\n{self.c.logs()}")
        if os.environ.get("CAIRN_IT_LOGS"):
            print(self.c.logs(), file=sys.stderr)
        shutil.rmtree(self.c.dir, ignore_errors=True)

    def follower(self):
        leader = self.c.wait_ready()
        return leader, next(i for i in range(1, 4) if i != leader)

    def snapshot_target(self, leader):
        """An index every node snapshots by itself once it has applied what
        the leader committed so far: a checkpoint comes at most
        snapshot_entries entries apart. (Counted in entries, not writes: the
        leader puts a pipeline's writes into a few group entries.)"""
        commit = self.c.status(leader)["commit_index"]
        self.assertGreater(commit, 4 * self.snapshot_entries, "too few entries to snapshot")
        return commit - self.snapshot_entries

    def assert_same_everywhere(self, nodes, want=None):
        """Waits until every node has applied the leader's commit, then compares all keys."""
        leader = self.c.wait_ready(nodes)
        commit = self.c.status(leader)["commit_index"]
        for i in nodes:
            wait_until(lambda: self.c.status(i)["applied_index"] >= commit, 60,
                       f"node {i} to apply {commit}")
        states = {i: self.c.local_state(i) for i in nodes}
        base = states[leader] if want is None else want
        self.assertGreater(len(base), 0)
        for i in nodes:
            self.assertEqual(len(states[i]), len(base), f"node {i} key count")
            self.assertEqual(states[i], base, f"node {i} differs")
            self.assertEqual(self.c.client(i).dbsize(), len(base))

    def test_stopped_node_catches_up_by_snapshot(self):
        leader, lagging = self.follower()
        write_keys(self.c, leader, "before", 20)
        self.c.stop_node(lagging)
        write_keys(self.c, leader, "k", 600)
        for k in range(0, 600, 7):  # overwrite and delete some, so order matters
            retry(lambda: self.c.client(leader).delete(f"k{k}"))
        outrun_pipeline(self.c, leader)
        live = [i for i in range(1, 4) if i != lagging]
        target = self.snapshot_target(leader)
        wait_until(lambda: all(self.c.snapshot_index(i) >= target for i in live), 30,
                   "snapshots past the writes on the running nodes")
        self.c.start(lagging)
        wait_until(lambda: "installed snapshot" in self.c.log(lagging), 60,
                   "the restarted node to install a snapshot")
        self.assertIn("sending snapshot", self.c.log(self.c.wait_ready()))
        self.assert_same_everywhere([1, 2, 3])
        # And it keeps up with new writes afterwards.
        write_keys(self.c, self.c.wait_ready(), "after", 30)
        self.assert_same_everywhere([1, 2, 3])

    def test_restart_with_compacted_log_is_fast_and_keeps_data(self):
        leader, _ = self.follower()
        # One write per round trip: an entry each, so the log spans many snapshots.
        write_keys(self.c, leader, "r", 1500, batch=1)
        before = self.c.local_state(leader)
        target = self.snapshot_target(leader)
        wait_until(lambda: all(self.c.snapshot_index(i) >= target for i in range(1, 4)), 30,
                   "snapshots on every node")
        self.c.stop()
        t0 = time.monotonic()
        for i in range(1, 4):
            self.c.start(i)
        self.c.wait_ready()
        elapsed = time.monotonic() - t0
        for i in range(1, 4):
            replays = [int(m) for m in re.findall(r"(\d+) log entries to replay", self.c.log(i))]
            self.assertEqual(len(replays), 2, f"node {i}: two starts logged")
            self.assertLess(replays[-1], self.snapshot_entries * 2,
                            f"node {i} replayed {replays[-1]} entries after a compacted restart")
        self.assertLess(elapsed, 20, "restart took too long")
        self.assert_same_everywhere([1, 2, 3], want=before)

    def test_log_bytes_alone_trigger_snapshots(self):
        # Entries far below snapshot_entries, but megabytes of them (the
        # writes of a pipeline share a few group entries): --snapshot-log-mb
        # alone must make every node checkpoint and compact.
        self.c.stop()
        shutil.rmtree(self.c.dir, ignore_errors=True)
        self.c = SnapCluster(3, 1000000, extra=["--snapshot-log-mb", "1"])
        leader = self.c.wait_ready()
        write_keys(self.c, leader, "mb", 3000, value_bytes=1000)
        commit = self.c.status(leader)["commit_index"]
        self.assertLess(commit, 1000, "the writes were not grouped; the test proves nothing")
        wait_until(lambda: all(self.c.snapshot_index(i) > 0 for i in range(1, 4)), 30,
                   "byte-triggered snapshots on every node")
        self.assert_same_everywhere([1, 2, 3])

    def test_ctl_snapshot(self):
        leader, follower = self.follower()
        write_keys(self.c, leader, "c", 30)
        applied = self.c.status(follower)["applied_index"]
        out = subprocess.run([cluster_test.CAIRN, "ctl", "snapshot", "--addr",
                              f"127.0.0.1:{self.c.http[follower - 1]}"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        m = re.search(r'snapshot at index (\d+)', out.stdout)
        self.assertIsNotNone(m, out.stdout)
        self.assertGreaterEqual(int(m.group(1)), applied)
        self.assertEqual(self.c.snapshot_index(follower), int(m.group(1)))
        js = subprocess.run([cluster_test.CAIRN, "ctl", "snapshot", "--json", "--addr",
                             f"127.0.0.1:{self.c.http[follower - 1]}"],
                            capture_output=True, text=True, timeout=30)
        self.assertEqual(js.returncode, 0, js.stderr)
        self.assertGreaterEqual(json.loads(js.stdout)["snapshot_index"], int(m.group(1)))
        # A node without a data dir cannot snapshot; a dead address fails cleanly.
        bad = subprocess.run([cluster_test.CAIRN, "ctl", "snapshot", "--addr", "127.0.0.1:1"],
                             capture_output=True, text=True, timeout=30)
        self.assertNotEqual(bad.returncode, 0)

    def test_kill9_during_snapshot_install_recovers(self):
        leader, lagging = self.follower()
        self.c.stop_node(lagging)
        # Enough data that the transfer takes a moment (a few MB).
        write_keys(self.c, leader, "big", 4000, value_bytes=1000)
        outrun_pipeline(self.c, leader)
        live = [i for i in range(1, 4) if i != lagging]
        target = self.snapshot_target(leader)
        wait_until(lambda: all(self.c.snapshot_index(i) >= target for i in live), 60,
                   "snapshots past the writes")
        incoming = os.path.join(self.c.data(lagging), "snapshot-in")
        self.c.start(lagging)

        def receiving():
            return os.path.exists(os.path.join(incoming, "incoming.snap")) or \
                "installed snapshot" in self.c.log(lagging)
        wait_until(receiving, 60, "the snapshot transfer to start")
        self.c.kill9(lagging)
        self.c.start(lagging)
        self.assert_same_everywhere([1, 2, 3])
        self.assertIn("installed snapshot", self.c.log(lagging))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cairn", required=True)
    args, rest = ap.parse_known_args()
    cluster_test.CAIRN = os.path.abspath(args.cairn)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)

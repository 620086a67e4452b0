#!/usr/bin/env python3
"""Integration tests of membership changes with real `cairn server` processes.

Each test starts a fresh 3-node cluster (cluster_test.Cluster) on 127.0.0.1
and drives it with `cairn ctl members|add|remove|transfer-leader`. A node
that joins is started with `--join` and its own entry in --peers. Removed
nodes are left running to show that they cannot disturb the cluster. Waits
poll a condition until a deadline; the only fixed windows are the bounded
observation periods in which nothing may happen (the term must not rise).

Run: /usr/bin/python3 tests/integration/membership_test.py --cairn build/release/src/cli/cairn
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cluster_test  # noqa: E402
from cluster_test import Cluster, free_ports, retry, wait_until  # noqa: E402

CAIRN = None
# The default election timeout is 100-200 ms (10-20 ticks of 10 ms).
ELECTION_TIMEOUT_MAX_S = 0.2


class MemberCluster(Cluster):
    def __init__(self, n=3, extra_args=()):
        self.extra_args = list(extra_args)
        self.founders = n
        self.joined = set()
        super().__init__(n)

    def start(self, i):
        if i not in self.joined:
            return super().start(i)
        peers = self.peers + f",{i}=127.0.0.1:{self.raft[i - 1]}"
        with open(os.path.join(self.dir, f"node{i}.log"), "ab") as log:
            self.procs[i] = subprocess.Popen(
                [CAIRN, "server", "--id", str(i), "--peers", peers, "--join",
                 "--resp-port", str(self.resp[i - 1]), "--http-port", str(self.http[i - 1]),
                 "--data-dir", os.path.join(self.dir, f"node{i}")] + self.extra_args,
                stdout=log, stderr=subprocess.STDOUT)

    def start_joiner(self):
        i = len(self.raft) + 1
        raft, resp, http = free_ports(3)
        self.raft.append(raft)
        self.resp.append(resp)
        self.http.append(http)
        self.joined.add(i)
        self.start(i)
        return i

    def ctl(self, via, *args):
        return subprocess.run([CAIRN, "ctl", *args, "--addr", f"127.0.0.1:{self.http[via - 1]}"],
                              capture_output=True, text=True, timeout=30)

    def members(self, i):
        out = self.ctl(i, "members", "--json")
        if out.returncode != 0:
            raise AssertionError(out.stderr)
        return {m["id"]: m["role"] for m in json.loads(out.stdout)}

    def add(self, via, i):
        return self.ctl(via, "add", str(i), "--raft-address", f"127.0.0.1:{self.raft[i - 1]}",
                        "--http-address", f"127.0.0.1:{self.http[i - 1]}")


def ctl_retrying(fn, timeout_s=15.0):
    """Runs a ctl call until it succeeds or fails for a non-retryable reason."""
    deadline = time.monotonic() + timeout_s
    while True:
        out = fn()
        if out.returncode == 0:
            return out
        retryable = "retry" in out.stderr or "HTTP 503" in out.stderr or "HTTP 504" in out.stderr
        if not retryable or time.monotonic() > deadline:
            return out
        time.sleep(0.05)


def raw_http(port, data):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk


class MembershipTest(unittest.TestCase):
    def setUp(self):
        self.c = MemberCluster(3)
        self.c.wait_ready()

    def tearDown(self):
        codes = self.c.stop()
        if not all(c in (0, -9) for c in codes.values()):
            self.fail(f"{codes}\n{self.c.logs()}")
        if os.environ.get("CAIRN_IT_LOGS"):
            print(self.c.logs(), file=sys.stderr)
        shutil.rmtree(self.c.dir, ignore_errors=True)

    def follower(self):
        leader = self.c.leader()
        return next(i for i in self.c.alive() if i != leader)

    def add_fourth(self, via):
        for k in range(30):
            retry(lambda: self.c.client(1 + k % 3).set(f"pre{k}", str(k)))
        new = self.c.start_joiner()
        out = ctl_retrying(lambda: self.c.add(via, new))
        self.assertEqual(out.returncode, 0, out.stderr + self.c.logs())
        self.assertIn("learner", out.stdout)
        wait_until(lambda: self.c.members(self.c.leader()).get(new) == "voter", 20,
                   "the new node to be promoted to voter")
        return new

    def test_add_fourth_node_catches_up_and_serves_reads(self):
        new = self.add_fourth(via=self.follower())  # through a follower: forwarded
        r = self.c.client(new)
        r.execute_command("CONSISTENCY", "eventual")
        wait_until(lambda: r.get("pre29") == b"29", 10, "the new node to apply the log")
        for k in range(30):
            self.assertEqual(r.get(f"pre{k}"), str(k).encode())
        # It serves strong reads and takes writes (forwarded to the leader).
        strong = self.c.client(new)
        self.assertTrue(retry(lambda: strong.set("via-new", "x")))
        self.assertEqual(retry(lambda: strong.get("via-new")), b"x")
        self.assertEqual(sorted(self.c.members(new)), [1, 2, 3, new])
        # Adding it again is refused clearly.
        again = self.c.add(self.c.leader(), new)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("already a member", again.stderr)

    def test_remove_follower_cluster_keeps_committing_and_removed_node_is_harmless(self):
        leader = self.c.leader()
        gone = self.follower()
        out = ctl_retrying(lambda: self.c.ctl(leader, "remove", str(gone)))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(sorted(self.c.members(leader)), sorted(i for i in (1, 2, 3) if i != gone))
        self.assert_removed_node_is_harmless(gone)

    def assert_removed_node_is_harmless(self, gone):
        """The removed process keeps running; the others keep committing and
        their term stays put over many election timeouts."""
        rest = [i for i in (1, 2, 3) if i != gone]
        leader = self.c.wait_ready(rest)
        term = self.c.status(leader)["term"]
        window_end = time.monotonic() + 30 * ELECTION_TIMEOUT_MAX_S
        k = 0
        while time.monotonic() < window_end:  # bounded observation window
            self.assertTrue(retry(lambda: self.c.client(rest[k % 2]).set(f"after{k}", "v")))
            k += 1
        self.assertIsNone(self.c.procs[gone].poll(), "the removed node must still be running")
        for i in rest:
            st = self.c.status(i)
            self.assertEqual(st["term"], term, f"node {i}: the removed node raised the term")
            self.assertEqual(st["leader"], leader)
        self.assertEqual(retry(lambda: self.c.client(rest[0]).get(f"after{k - 1}")), b"v")

    def test_remove_the_leader(self):
        old = self.c.leader()
        retry(lambda: self.c.client(old).set("before", "1"))
        out = ctl_retrying(lambda: self.c.ctl(old, "remove", str(old)))
        self.assertEqual(out.returncode, 0, out.stderr + self.c.logs())
        rest = [i for i in (1, 2, 3) if i != old]
        new = self.c.wait_ready(rest)
        self.assertNotEqual(new, old)
        self.assertEqual(sorted(self.c.members(new)), rest)
        self.assertEqual(retry(lambda: self.c.client(new).get("before")), b"1")
        self.assert_removed_node_is_harmless(old)

    def test_transfer_leader_to_named_node_and_to_unknown_id(self):
        old = self.c.leader()
        term = self.c.status(old)["term"]
        target = self.follower()
        start = time.monotonic()
        out = ctl_retrying(lambda: self.c.ctl(self.follower(), "transfer-leader", "--to", str(target)))
        self.assertEqual(out.returncode, 0, out.stderr + self.c.logs())
        self.assertIn(f"leader is now node {target}", out.stdout)
        self.assertEqual(self.c.wait_ready(), target)
        # TimeoutNow: the target campaigns at once, skipping PreVote: one new
        # term, and done in about an election timeout (the bound allows for
        # starting the ctl process on a loaded machine).
        self.assertLess(time.monotonic() - start, 10 * ELECTION_TIMEOUT_MAX_S + 2.0)
        self.assertEqual(self.c.status(target)["term"], term + 1)
        self.assertNotEqual(target, old)
        bad = self.c.ctl(old, "transfer-leader", "--to", "9")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("node 9 is not a voter", bad.stderr)
        # Default target: the most caught-up voter; some other node leads after.
        out = ctl_retrying(lambda: self.c.ctl(target, "transfer-leader"))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertNotEqual(self.c.wait_ready(), target)

    def test_membership_survives_restart_of_every_node(self):
        new = self.add_fourth(via=self.c.leader())
        leader = self.c.leader()
        victim = next(i for i in (1, 2, 3) if i != leader)
        out = ctl_retrying(lambda: self.c.ctl(leader, "remove", str(victim)))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.c.procs[victim].send_signal(signal.SIGTERM)
        self.assertEqual(self.c.procs[victim].wait(10), 0)
        retry(lambda: self.c.client(new).set("last", "1"))
        members = sorted(i for i in (1, 2, 3, new) if i != victim)
        codes = self.c.stop()
        self.assertTrue(all(codes[i] == 0 for i in members), codes)
        del self.c.procs[victim]
        for i in members:
            self.c.start(i)
        self.c.wait_ready(members)
        for i in members:
            self.assertEqual(self.c.members(i), {m: "voter" for m in members}, f"node {i}")
            self.assertEqual(retry(lambda: self.c.client(i).get("last")), b"1")
            self.assertEqual(retry(lambda: self.c.client(i).get("pre7")), b"7")

    def test_membership_survives_log_compaction_and_restart(self):
        """Every configuration entry is compacted away (snapshots every 20
        entries, plus one on demand on each node), then every node restarts:
        the membership and the new member's address must come from the
        cluster record saved with the state machine, not from --peers
        (which still names the removed founder and not the new node)."""
        self.c.stop()
        shutil.rmtree(self.c.dir, ignore_errors=True)
        self.c = MemberCluster(3, extra_args=["--snapshot-entries", "20"])
        self.c.wait_ready()
        new = self.add_fourth(via=self.c.leader())
        leader = self.c.leader()
        victim = next(i for i in (1, 2, 3) if i != leader)
        out = ctl_retrying(lambda: self.c.ctl(leader, "remove", str(victim)))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.c.procs[victim].send_signal(signal.SIGTERM)
        self.assertEqual(self.c.procs[victim].wait(10), 0)
        del self.c.procs[victim]
        members = sorted(i for i in (1, 2, 3, new) if i != victim)
        for k in range(60):  # past several automatic snapshots
            retry(lambda: self.c.client(members[k % 3]).set(f"post{k}", str(k)))
        removal = self.c.status(self.c.leader())["commit_index"]
        for i in members:
            wait_until(lambda: self.c.status(i)["applied_index"] >= removal, 20, f"node {i} to apply")
            out = self.c.ctl(i, "snapshot")
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertIn("snapshot at index", out.stdout)
        codes = self.c.stop()
        self.assertTrue(all(codes[i] == 0 for i in members), codes)
        for i in members:
            self.c.start(i)
        self.c.wait_ready(members)
        for i in members:
            self.assertEqual(self.c.members(i), {m: "voter" for m in members}, f"node {i}")
            self.assertEqual(retry(lambda: self.c.client(i).get("post59")), b"59")
            self.assertEqual(retry(lambda: self.c.client(i).get("pre7")), b"7")
        # A founder knows where the new node is although neither --peers nor
        # its (compacted) log says so.
        founder = next(i for i in members if i != new)
        out = self.c.ctl(founder, "members", "--json")
        by_id = {m["id"]: m for m in json.loads(out.stdout)}
        self.assertEqual(by_id[new]["raft_address"], f"127.0.0.1:{self.c.raft[new - 1]}")
        self.assertEqual(by_id[new]["http_address"], f"127.0.0.1:{self.c.http[new - 1]}")

    def test_http_api_bad_requests_and_byte_compatible_health(self):
        port = self.c.http[0]
        self.assertEqual(raw_http(port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"),
                         b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
                         b"Connection: close\r\n\r\nok\n")
        self.assertTrue(raw_http(port, b"BLAH\r\n\r\n").startswith(b"HTTP/1.1 400 "))
        self.assertTrue(raw_http(port, b"GET /nope HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 404 "))
        big = b"POST /v1/members HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000
        self.assertTrue(raw_http(port, big).startswith(b"HTTP/1.1 413 "))
        bad = self.c.ctl(1, "add", "4", "--raft-address", "nope")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("raft_address", bad.stderr)
        self.assertEqual(self.c.ctl(1, "remove", "77").returncode, 1)
        self.assertIsNone(self.c.procs[1].poll(), "the node must survive bad requests")
        self.assertEqual(self.c.status(1)["id"], 1)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cairn", required=True)
    args, rest = ap.parse_known_args()
    CAIRN = os.path.abspath(args.cairn)
    cluster_test.CAIRN = CAIRN
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)

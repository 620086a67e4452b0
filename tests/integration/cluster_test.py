#!/usr/bin/env python3
"""Integration tests: real `cairn server` processes on 127.0.0.1.

Each test starts a fresh 3-node cluster on free ports with its own data
directory, and stops it (by PID) afterwards. Nothing sleeps to synchronise:
every wait polls a condition until a deadline.

Run: /usr/bin/python3 tests/integration/cluster_test.py --cairn build/release/src/cli/cairn
"""
import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.request

import redis

CAIRN = None


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def wait_until(cond, timeout_s=15.0, what="condition"):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            last = cond()
            if last:
                return last
        except Exception as e:  # a node may still be starting
            last = e
        time.sleep(0.02)  # polling interval, not synchronisation
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


class Cluster:
    extra_args = []  # more `cairn server` flags for every node (subclasses)
    extra_env = {}   # more environment for every node (subclasses)

    def __init__(self, n=3):
        self.n = n
        ports = free_ports(3 * n)
        self.raft = ports[:n]
        self.resp = ports[n:2 * n]
        self.http = ports[2 * n:]
        self.dir = tempfile.mkdtemp(prefix="cairn-it-")
        self.peers = ",".join(f"{i + 1}=127.0.0.1:{self.raft[i]}" for i in range(n))
        self.procs = {}
        for i in range(1, n + 1):
            self.start(i)

    def start(self, i):
        with open(os.path.join(self.dir, f"node{i}.log"), "ab") as log:
            self.procs[i] = subprocess.Popen(
                [CAIRN, "server", "--id", str(i), "--peers", self.peers,
                 "--resp-port", str(self.resp[i - 1]), "--http-port", str(self.http[i - 1]),
                 "--data-dir", os.path.join(self.dir, f"node{i}")] + self.extra_args +
                self.node_args(i),
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **self.extra_env})

    def node_args(self, i):
        """More `cairn server` flags for node i (subclasses)."""
        return []

    def status(self, i):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http[i - 1]}/v1/status", timeout=2) as r:
            return json.loads(r.read())

    def alive(self):
        return [i for i, p in self.procs.items() if p.poll() is None]

    def leader(self, among=None):
        """The leader id that every live node agrees on, or None."""
        ids = set()
        for i in among or self.alive():
            ids.add(self.status(i)["leader"])
        return ids.pop() if len(ids) == 1 and 0 not in ids else None

    def wait_ready(self, among=None):
        return wait_until(lambda: self.leader(among), 20, "an agreed leader")

    def client(self, i, **kw):
        return redis.Redis(host="127.0.0.1", port=self.resp[i - 1], socket_timeout=10, **kw)

    def kill9(self, i):
        self.procs[i].send_signal(signal.SIGKILL)
        self.procs[i].wait(10)

    def stop(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        codes = {}
        for i, p in self.procs.items():
            try:
                codes[i] = p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                codes[i] = p.wait()
        return codes

    def logs(self):
        out = []
        for i in self.procs:
            path = os.path.join(self.dir, f"node{i}.log")
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    tail = f.read()[-int(os.environ.get("CAIRN_IT_LOG_BYTES", "3000")):]
                out.append(f"--- node{i}\n" + tail)
        return "\n".join(out)


def resp3_connection(port):
    """A raw socket that has said HELLO 3 and read the reply."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"HELLO 3\r\n")
    got = b""
    while b"proto" not in got or not got.endswith(b"\r\n"):
        got += s.recv(4096)
    return s


def recv_bytes(s, n):
    """Reads exactly n bytes from a raw socket (fails if it closes first)."""
    got = b""
    while len(got) < n:
        chunk = s.recv(n - len(got))
        if not chunk:
            raise AssertionError(f"connection closed after {got!r}")
        got += chunk
    return got


@contextlib.contextmanager
def redis_server(test, password=None):
    """A redis-server without persistence on a free loopback port, answering:
    yields (its port, a client). Skips `test` if there is none; stopped after."""
    if shutil.which("redis-server") is None:
        test.skipTest("redis-server not installed")
    port = free_ports(1)[0]
    extra = ["--requirepass", password] if password else []
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port, password=password)

        def pings():
            try:
                return client.ping()
            except redis.exceptions.ConnectionError:
                return False

        wait_until(pings, 10, "redis-server")
        yield port, client
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def retry(fn, timeout_s=15.0):
    """Runs fn until it stops raising a retryable error (TRYAGAIN, connection)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return fn()
        except (redis.exceptions.ResponseError, redis.exceptions.ConnectionError) as e:
            msg = str(e)
            retryable = isinstance(e, redis.exceptions.ConnectionError) or \
                msg.startswith("TRYAGAIN") or msg.startswith("TIMEOUT")
            if not retryable or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class ClusterCase(unittest.TestCase):
    """A fresh 3-node cluster of `cluster_class` per test; a crash fails it."""
    cluster_class = Cluster

    def setUp(self):
        self.c = self.cluster_class(3)
        self.c.wait_ready()

    def tearDown(self):
        codes = self.c.stop()
        # 0 = clean SIGTERM exit, -9 = killed by the test; anything else (a
        # crash, a sanitizer report) fails the test.
        if not all(c in (0, -9) for c in codes.values()):
            self.fail(f"{codes}\n{self.c.logs()}")
        if os.environ.get("CAIRN_IT_LOGS"):
            print(self.c.logs(), file=sys.stderr)
        shutil.rmtree(self.c.dir, ignore_errors=True)


class ClusterTest(ClusterCase):
    def test_writes_through_any_node_read_back_everywhere(self):
        for i in range(1, 4):
            for k in range(20):
                self.assertTrue(retry(lambda: self.c.client(i).set(f"n{i}k{k}", f"v{i}-{k}")))
        for j in range(1, 4):
            r = self.c.client(j)
            for i in range(1, 4):
                for k in range(20):
                    self.assertEqual(r.get(f"n{i}k{k}"), f"v{i}-{k}".encode(), f"node {j}")
        self.assertEqual(self.c.client(2).dbsize(), 60)

    def test_string_and_keyspace_commands_through_any_node(self):
        # Written through a follower (forwarded), read back on every node:
        # each replica applied the same bytes (INCRBYFLOAT's text included).
        leader = self.c.leader()
        w = self.c.client(1 if leader != 1 else 2)
        self.assertEqual(retry(lambda: w.setrange("sr", 2, "xy")), 4)
        self.assertEqual(retry(lambda: w.incrbyfloat("f", "10.5")), 10.5)
        self.assertEqual(retry(lambda: w.incrbyfloat("f", "0.1")), 10.6)
        self.assertTrue(retry(lambda: w.msetnx({"m1": "a", "m2": "b"})))
        self.assertFalse(retry(lambda: w.msetnx({"m2": "c", "m3": "d"})))
        self.assertTrue(retry(lambda: w.set("old", "v", px=600000)))
        self.assertTrue(retry(lambda: w.rename("old", "new")))
        self.assertTrue(retry(lambda: w.copy("new", "copied")))
        self.assertEqual(retry(lambda: w.getex("copied", persist=True)), b"v")
        self.assertEqual(retry(lambda: w.touch("m1", "m2", "nope")), 2)
        self.assertEqual(retry(lambda: w.unlink("m2")), 1)
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "no such key"):
            w.rename("absent", "x")
        seconds, micros = w.time()
        self.assertLess(abs(seconds + micros / 1e6 - time.time()), 60)
        for i in range(1, 4):
            r = self.c.client(i)
            self.assertEqual(r.get("sr"), b"\0\0xy", f"node {i}")
            self.assertEqual(r.getrange("sr", -2, -1), b"xy", f"node {i}")
            self.assertEqual(r.get("f"), b"10.6", f"node {i}")
            self.assertEqual(r.mget("m1", "m2", "m3"), [b"a", None, None], f"node {i}")
            self.assertEqual(r.exists("old"), 0, f"node {i}")
            self.assertGreater(r.pttl("new"), 0, f"node {i}")  # RENAME kept the expiry
            self.assertEqual(r.ttl("copied"), -1, f"node {i}")  # GETEX PERSIST removed it
            self.assertEqual(sorted(r.keys("*")), [b"copied", b"f", b"m1", b"new", b"sr"], f"node {i}")

    def test_hyperloglogs_and_bitfields_through_any_node(self):
        # PFADD through a follower (forwarded), PFCOUNT and PFMERGE on every
        # node: one estimate everywhere, and a value that GET and SET carry.
        # BITFIELD too: counters packed in one string.
        leader = self.c.leader()
        w = self.c.client(1 if leader != 1 else 2)
        self.assertEqual(retry(lambda: w.pfadd("visits", *[f"user{i}" for i in range(1000)])), 1)
        self.assertEqual(retry(lambda: w.pfadd("visits", "user1", "user2")), 0)
        self.assertEqual(retry(lambda: w.pfadd("other", *[f"user{i}" for i in range(500, 1500)])), 1)
        for i in range(1, 4):
            r = self.c.client(i)
            self.assertLess(abs(retry(lambda: r.pfcount("visits")) - 1000), 30, f"node {i}")
            self.assertLess(abs(retry(lambda: r.pfcount("visits", "other")) - 1500), 45, f"node {i}")
            self.assertEqual(retry(lambda: r.type("visits")), b"string", f"node {i}")
        self.assertTrue(retry(lambda: self.c.client(3).pfmerge("both", "visits", "other")))
        counts = {retry(lambda: self.c.client(i).pfcount("both")) for i in range(1, 4)}
        self.assertEqual(len(counts), 1, counts)
        raw = w.get("both")
        self.assertTrue(w.set("copy", raw))
        self.assertEqual(retry(lambda: self.c.client(2).pfcount("copy")), counts.pop())
        w.set("plain", "text")
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "not a valid HyperLogLog"):
            w.pfadd("plain", "x")
        self.assertEqual(
            retry(lambda: w.bitfield("bf").set("u8", "#0", 200).incrby("u8", "#0", 100)
                  .overflow("SAT").incrby("u8", "#1", 300).execute()), [0, 44, 255])
        for i in range(1, 4):
            r = self.c.client(i)
            self.assertEqual(
                retry(lambda: r.execute_command("BITFIELD_RO", "bf", "GET", "u8", 0, "GET", "u8", 8)),
                [44, 255], f"node {i}")
            self.assertEqual(retry(lambda: r.get("bf")), b"\x2c\xff", f"node {i}")

    def test_sharded_pubsub_is_a_namespace_of_its_own_on_every_node(self):
        # SSUBSCRIBE / SPUBLISH: through the log like PUBLISH, to shard
        # subscribers on every node, never mixed with the plain channels.
        conns = []
        for i in range(1, 4):
            conn = self.c.client(i).connection_pool.get_connection("SSUBSCRIBE")
            conn.send_command("SSUBSCRIBE", "orders", "audit")
            self.assertEqual(conn.read_response(), [b"ssubscribe", b"orders", 1])
            self.assertEqual(conn.read_response(), [b"ssubscribe", b"audit", 2])
            conns.append(conn)
        plain = self.c.client(1).pubsub()
        plain.subscribe("orders")
        self.assertEqual(plain.get_message(timeout=5)["type"], "subscribe")
        sent = []
        for n in range(6):
            node = 1 + n % 3
            sent.append(f"o{n}".encode())
            self.assertEqual(
                retry(lambda: self.c.client(node).execute_command("SPUBLISH", "orders", f"o{n}")),
                1, f"node {node}: its one shard subscriber")
        self.assertEqual(retry(lambda: self.c.client(2).publish("orders", "plain")), 0)
        self.assertEqual(retry(lambda: self.c.client(1).publish("orders", "plain")), 1)
        for i, conn in enumerate(conns, start=1):
            got = [conn.read_response() for _ in sent]
            self.assertEqual(got, [[b"smessage", b"orders", m] for m in sent], f"node {i}")
        for _ in range(2):
            m = plain.get_message(timeout=10)
            self.assertEqual((m["type"], m["data"]), ("message", b"plain"))
        self.assertIsNone(plain.get_message(timeout=0.2), "no SPUBLISH reaches SUBSCRIBE")
        r = self.c.client(2)
        self.assertEqual(r.execute_command("PUBSUB", "SHARDCHANNELS"), [b"audit", b"orders"])
        self.assertEqual(r.execute_command("PUBSUB", "SHARDCHANNELS", "o*"), [b"orders"])
        self.assertEqual(r.execute_command("PUBSUB", "SHARDNUMSUB", "orders", "none"),
                         [b"orders", 1, b"none", 0])
        self.assertEqual(r.pubsub_channels(), [])
        self.assertEqual(r.info("stats")["pubsubshard_channels"], 2)
        self.assertIn(" ssub=2 ", r.execute_command("CLIENT", "LIST").decode())
        # RESP2's subscribed mode holds for shard subscriptions too, until
        # SUNSUBSCRIBE (all of them, in order) leaves it.
        conn = conns[1]
        conn.send_command("GET", "x")
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "only .*SUBSCRIBE"):
            conn.read_response()
        conn.send_command("SUNSUBSCRIBE")
        self.assertEqual(conn.read_response(), [b"sunsubscribe", b"audit", 1])
        self.assertEqual(conn.read_response(), [b"sunsubscribe", b"orders", 0])
        conn.send_command("GET", "x")
        self.assertIsNone(conn.read_response())
        self.assertEqual(retry(lambda: self.c.client(1).execute_command("SPUBLISH", "orders", "z")), 1)

    def test_publish_reaches_subscribers_on_every_node_in_one_order(self):
        # PUBLISH goes through the log: a subscriber on any node gets the
        # messages published through any node, all in the same order, and
        # PUBLISH counts the subscribers of the node it was sent to.
        subs = []
        for i in range(1, 4):
            p = self.c.client(i).pubsub()
            if i == 3:
                p.psubscribe("chat.*")
            else:
                p.subscribe("chat.room")
            self.assertIn(p.get_message(timeout=5)["type"], ("subscribe", "psubscribe"))
            subs.append(p)
        self.assertEqual(retry(lambda: self.c.client(1).publish("chat.room", "first")), 1)
        sent = ["first"]
        for n in range(20):
            node = 1 + n % 3
            sent.append(f"m{n}")
            count = retry(lambda: self.c.client(node).publish("chat.room", f"m{n}"))
            self.assertEqual(count, 1, f"node {node}: its one subscriber")
        self.assertEqual(retry(lambda: self.c.client(2).publish("elsewhere", "x")), 0)
        for i, p in enumerate(subs, start=1):
            got = []
            while len(got) < len(sent):
                m = p.get_message(timeout=10)
                self.assertIsNotNone(m, f"node {i}: only {got}")
                self.assertEqual(m["channel"], b"chat.room")
                got.append(m["data"].decode())
            self.assertEqual(got, sent, f"node {i}")
            self.assertEqual(m["type"], "pmessage" if i == 3 else "message")
        r = self.c.client(1)
        self.assertEqual(r.pubsub_numsub("chat.room"), [(b"chat.room", 1)])
        self.assertEqual(r.pubsub_channels(), [b"chat.room"])
        self.assertEqual(self.c.client(3).pubsub_numpat(), 1)
        stats = r.info("stats")
        self.assertEqual((stats["pubsub_channels"], stats["pubsub_patterns"]), (1, 0))
        self.assertEqual(stats["pubsub_messages"], len(sent))
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{self.c.http[2]}/metrics",
                                         timeout=5).read().decode()
        self.assertIn(f"cairn_pubsub_messages_total {len(sent)}\n", metrics)
        self.assertIn("cairn_pubsub_patterns 1\n", metrics)
        self.assertIn(" sub=0 psub=1 ", self.c.client(3).execute_command("CLIENT", "LIST").decode())
        # Inside MULTI the message leaves with the transaction.
        pipe = self.c.client(2).pipeline(transaction=True)
        pipe.set("after", "1").publish("chat.room", "in-multi")
        self.assertEqual(retry(pipe.execute), [True, 1])
        self.assertEqual(subs[0].get_message(timeout=10)["data"], b"in-multi")
        # A subscribed RESP2 connection refuses other commands, and a
        # closed one no longer counts.
        conn = self.c.client(2).connection_pool.get_connection("SUBSCRIBE")
        conn.send_command("SUBSCRIBE", "quiet")
        self.assertEqual(conn.read_response(), [b"subscribe", b"quiet", 1])
        conn.send_command("GET", "after")
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "only .*SUBSCRIBE"):
            conn.read_response()
        conn.send_command("PING")
        self.assertEqual(conn.read_response(), [b"pong", b""])
        # RESET leaves the subscriptions (and a MULTI) behind.
        conn.send_command("RESET")
        self.assertEqual(conn.read_response(), b"RESET")
        conn.send_command("GET", "after")
        self.assertEqual(conn.read_response(), b"1")
        self.assertEqual(self.c.client(2).pubsub_numsub("quiet"), [(b"quiet", 0)])
        conn.send_command("MULTI")
        conn.send_command("SET", "after", "2")
        conn.send_command("RESET")
        conn.send_command("EXEC")
        self.assertEqual(conn.read_response(), b"OK")
        self.assertEqual(conn.read_response(), b"QUEUED")
        self.assertEqual(conn.read_response(), b"RESET")
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "EXEC without MULTI"):
            conn.read_response()
        conn.disconnect()
        for p in subs:
            p.close()
        self.assertEqual(retry(lambda: self.c.client(1).publish("chat.room", "nobody")), 0)

    def test_concurrent_publishers_are_seen_in_one_order_everywhere(self):
        # Three publishers, one per node, at once: whatever the interleaving,
        # every node's subscriber receives the same sequence (the log's).
        subs = []
        for i in range(1, 4):
            p = self.c.client(i).pubsub()
            p.subscribe("order")
            self.assertEqual(p.get_message(timeout=5)["type"], "subscribe")
            subs.append(p)
        per_publisher = 50
        failed = []  # a message whose PUBLISH failed (an election) was sent again

        def publish(node):
            r = self.c.client(node)
            pipe = r.pipeline(transaction=False)
            for n in range(per_publisher):  # pipelined: they share log entries
                pipe.publish("order", f"{node}:{n}")
            for n, result in enumerate(pipe.execute(raise_on_error=False)):
                if isinstance(result, Exception):
                    failed.append(n)
                    retry(lambda: r.publish("order", f"{node}:{n}"))

        threads = [threading.Thread(target=publish, args=(i,)) for i in range(1, 4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        # Every message, once (a failed one possibly twice: it may have
        # been applied before its error).
        want = {f"{i}:{n}".encode() for i in range(1, 4) for n in range(per_publisher)}
        total = 3 * per_publisher + len(failed)
        seen = []
        for i, p in enumerate(subs, start=1):
            got = []
            while len(got) < total:
                m = p.get_message(timeout=10 if len(got) < total - len(failed) else 2)
                if m is None and len(got) >= total - len(failed):
                    break
                self.assertIsNotNone(m, f"node {i}: {len(got)} messages")
                got.append(m["data"])
            seen.append(got)
            p.close()
        self.assertEqual(set(seen[0]), want)
        self.assertEqual(seen[1], seen[0])
        self.assertEqual(seen[2], seen[0])
        if not failed:  # each publisher's own messages keep their order
            for i in range(1, 4):
                mine = [m for m in seen[0] if m.startswith(f"{i}:".encode())]
                self.assertEqual(mine, [f"{i}:{n}".encode() for n in range(per_publisher)])

    def test_a_subscriber_that_does_not_read_is_cut_off(self):
        # Past 32 MiB of messages waiting for it, a node closes a subscriber
        # instead of holding them all; the publisher is not held up.
        node = 1 + self.c.leader() % 3  # a follower's subscriber
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", self.c.resp[node - 1]))
        s.sendall(b"*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nslow\r\n")
        wait_until(lambda: self.c.client(node).pubsub_numsub("slow") == [(b"slow", 1)], 10,
                   "the subscription")
        w = self.c.client(self.c.leader())
        big = b"x" * (1 << 20)
        for _ in range(60):
            self.assertIn(retry(lambda: w.publish("slow", big)), (0, 1))
        wait_until(lambda: self.c.client(node).pubsub_numsub("slow") == [(b"slow", 0)], 30,
                   "the node to drop the subscriber")
        self.assertEqual(self.c.client(node).info("stats")["pubsub_channels"], 0)
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{self.c.http[node - 1]}/metrics",
                                         timeout=5).read().decode()
        self.assertIn("cairn_pubsub_dropped_clients_total 1\n", metrics)
        s.settimeout(30)
        while s.recv(1 << 20):  # what was already sent, then the close
            pass
        s.close()

    def test_hashes_through_any_node_and_after_a_restart(self):
        leader = self.c.leader()
        w = self.c.client(1 if leader != 1 else 2)  # forwarded to the leader
        self.assertEqual(retry(lambda: w.hset("user:1", mapping={"name": "ada", "visits": "1"})), 2)
        self.assertEqual(retry(lambda: w.hincrby("user:1", "visits", 41)), 42)
        self.assertEqual(retry(lambda: w.hincrbyfloat("user:1", "score", "2.5")), 2.5)
        self.assertFalse(retry(lambda: w.hsetnx("user:1", "name", "bob")))
        self.assertEqual(retry(lambda: w.hset("gone", "f", "v")), 1)
        self.assertEqual(retry(lambda: w.hdel("gone", "f", "nope")), 1)  # the key goes too
        pipe = w.pipeline(transaction=True)  # MULTI/EXEC: one log entry
        pipe.hset("user:2", "name", "grace")
        pipe.hgetall("user:2")
        pipe.set("plain", "s")
        self.assertEqual(retry(pipe.execute), [1, {b"name": b"grace"}, True])
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "WRONGTYPE"):
            w.get("user:1")
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "WRONGTYPE"):
            w.hget("plain", "f")

        def check(i):
            r = self.c.client(i)
            self.assertEqual(retry(lambda: r.hgetall("user:1")),
                             {b"name": b"ada", b"visits": b"42", b"score": b"2.5"}, f"node {i}")
            self.assertEqual(r.hkeys("user:1"), [b"name", b"visits", b"score"], f"node {i}")
            self.assertEqual(r.hmget("user:2", "name", "x"), [b"grace", None], f"node {i}")
            self.assertEqual(r.type("user:1"), b"hash", f"node {i}")
            self.assertEqual(r.exists("gone"), 0, f"node {i}")
            self.assertEqual(sorted(r.scan_iter(_type="hash")), [b"user:1", b"user:2"], f"node {i}")
        for i in range(1, 4):
            check(i)
        # RESP3: HGETALL is a map.
        s = resp3_connection(self.c.resp[leader - 1])
        s.sendall(b"HGETALL user:2\r\n")
        got = b""
        while not got.endswith(b"grace\r\n"):
            got += s.recv(4096)
        self.assertEqual(got, b"%1\r\n$4\r\nname\r\n$5\r\ngrace\r\n")
        s.close()
        # Replayed from the WAL (and the state machine's store) after a full stop.
        self.assertEqual(self.c.stop(), {1: 0, 2: 0, 3: 0})
        for i in range(1, 4):
            self.c.start(i)
        self.c.wait_ready()
        for i in range(1, 4):
            check(i)

    def test_sets_through_any_node_with_spop_the_same_everywhere(self):
        leader = self.c.leader()
        w = self.c.client(1 if leader != 1 else 2)  # forwarded to the leader
        self.assertEqual(retry(lambda: w.sadd("tags", "a", "b", "c", "d")), 4)
        self.assertEqual(retry(lambda: w.sadd("other", "c", "d", "e")), 3)
        self.assertEqual(retry(lambda: w.srem("tags", "d", "zz")), 1)
        self.assertTrue(retry(lambda: w.smove("other", "moved", "e")))
        self.assertEqual(retry(lambda: w.sinterstore("both", "tags", "other")), 1)
        popped = retry(lambda: w.spop("tags"))
        self.assertIn(popped, [b"a", b"b", b"c"])
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "WRONGTYPE"):
            w.get("tags")
        for i in range(1, 4):
            r = self.c.client(i)
            # SPOP removed the same member on every replica.
            self.assertEqual(retry(lambda: r.smembers("tags")), {b"a", b"b", b"c"} - {popped},
                             f"node {i}")
            self.assertEqual(r.smembers("both"), {b"c"}, f"node {i}")
            self.assertEqual(r.sunion("tags", "other", "moved"),
                             {b"a", b"b", b"c", b"d", b"e"} - ({popped} - {b"c"}), f"node {i}")
            self.assertEqual(r.smismember("moved", ["e", "x"]), [1, 0], f"node {i}")
            self.assertEqual(r.type("tags"), b"set", f"node {i}")

    def test_lists_as_a_queue_through_any_node(self):
        leader = self.c.leader()
        w = self.c.client(1 if leader != 1 else 2)  # forwarded to the leader
        self.assertEqual(retry(lambda: w.rpush("jobs", "j1", "j2", "j3", "j4")), 4)
        self.assertEqual(retry(lambda: w.lpush("jobs", "urgent")), 5)
        self.assertEqual(retry(lambda: w.lmove("jobs", "working", "LEFT", "RIGHT")), b"urgent")
        self.assertEqual(retry(lambda: w.lpop("jobs", 2)), [b"j1", b"j2"])
        self.assertEqual(retry(lambda: w.linsert("jobs", "AFTER", "j3", "j3b")), 3)
        self.assertEqual(retry(lambda: w.lrem("working", 0, "urgent")), 1)  # done: removed
        self.assertFalse(retry(lambda: w.exists("working")))
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "WRONGTYPE"):
            w.incr("jobs")
        for i in range(1, 4):
            r = self.c.client(i)
            self.assertEqual(retry(lambda: r.lrange("jobs", 0, -1)), [b"j3", b"j3b", b"j4"], f"node {i}")
            self.assertEqual(r.llen("jobs"), 3, f"node {i}")
            self.assertEqual(r.lindex("jobs", -1), b"j4", f"node {i}")
            self.assertEqual(r.type("jobs"), b"list", f"node {i}")

    def test_sorted_sets_as_a_leaderboard_through_any_node(self):
        leader = self.c.leader()
        follower = 1 if leader != 1 else 2
        w = self.c.client(follower)  # forwarded to the leader
        self.assertEqual(retry(lambda: w.zadd("board", {"ann": 10, "bob": 25.5, "cy": 7})), 3)
        self.assertEqual(retry(lambda: w.zincrby("board", 20, "ann")), 30.0)
        self.assertEqual(retry(lambda: w.zadd("board", {"cy": 5}, gt=True, ch=True)), 0)
        self.assertEqual(retry(lambda: w.zadd("board", {"dee": 1, "eve": 2})), 2)
        # Through the follower: the pairs come back from the leader and reach
        # this RESP2 client flat, as Redis sends them.
        self.assertEqual(retry(lambda: w.zpopmin("board", 2)), [(b"dee", 1.0), (b"eve", 2.0)])
        self.assertEqual(retry(lambda: w.zremrangebyscore("board", "-inf", "(8")), 1)  # cy
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "WRONGTYPE"):
            w.lpush("board", "x")
        for i in range(1, 4):
            r = self.c.client(i)
            self.assertEqual(retry(lambda: r.zrevrange("board", 0, -1, withscores=True)),
                             [(b"ann", 30.0), (b"bob", 25.5)], f"node {i}")
            self.assertEqual(r.zrangebyscore("board", 26, "+inf"), [b"ann"], f"node {i}")
            self.assertEqual(r.zrank("board", "bob"), 0, f"node {i}")
            self.assertEqual(r.zscore("board", "bob"), 25.5, f"node {i}")
            self.assertEqual(r.zcount("board", "(25.5", 30), 1, f"node {i}")
            self.assertEqual(r.zcard("board"), 2, f"node {i}")
            self.assertEqual(r.type("board"), b"zset", f"node {i}")
        self.assertEqual(retry(lambda: w.zadd("week2", {"bob": 4, "gil": 9})), 2)
        self.assertEqual(retry(lambda: w.zunionstore("total", {"board": 1, "week2": 2})), 3)
        for i in range(1, 4):
            self.assertEqual(retry(lambda: self.c.client(i).zrange("total", 0, -1, withscores=True)),
                             [(b"gil", 18.0), (b"ann", 30.0), (b"bob", 33.5)], f"node {i}")
        # RESP3 through the follower: ZPOPMAX with a count answers pairs, and
        # the score is a double.
        w.zadd("board", {"fay": 3})
        s = resp3_connection(self.c.resp[follower - 1])
        s.sendall(b"ZPOPMAX board 1\r\nZSCORE board bob\r\n")
        want = b"*1\r\n*2\r\n$3\r\nann\r\n,30\r\n,25.5\r\n"
        got = b""
        while len(got) < len(want):
            got += s.recv(4096)
        self.assertEqual(got, want)
        s.close()

    def test_geo_places_through_any_node(self):
        # GEOADD through a follower (forwarded, as a ZADD of geohashes); the
        # reads on every node give Redis's figures (taken from redis-server
        # 7.0.15), and a search stored through another node is the same
        # sorted set everywhere.
        leader = self.c.leader()
        w = self.c.client(1 if leader != 1 else 2)
        self.assertEqual(retry(lambda: w.geoadd("sicily", [13.361389, 38.115556, "Palermo",
                                                          15.087269, 37.502669, "Catania"])), 2)
        with self.assertRaisesRegex(redis.exceptions.ResponseError,
                                    "invalid longitude,latitude pair 200.000000,100.000000"):
            w.geoadd("sicily", [200, 100, "nowhere"])
        for i in range(1, 4):
            r = self.c.client(i)
            self.assertEqual(retry(lambda: r.zscore("sicily", "Palermo")), 3479099956230698.0)
            self.assertEqual(r.geodist("sicily", "Palermo", "Catania", "km"), 166.2742, f"node {i}")
            self.assertEqual(r.geohash("sicily", "Palermo", "nobody"), ["sqc8b49rny0", None])
            self.assertEqual(r.geopos("sicily", "Palermo", "nobody"),
                             [(13.36138933897018433, 38.11555639549629859), None], f"node {i}")
            # The digits as Redis prints them, relayed by a follower too.
            out = subprocess.run(["redis-cli", "-p", str(self.c.resp[i - 1]), "geopos", "sicily",
                                  "Palermo"], capture_output=True, text=True, timeout=10)
            self.assertEqual(out.stdout.split(), ["13.36138933897018433", "38.11555639549629859"])
            self.assertEqual(
                r.geosearch("sicily", longitude=15, latitude=37, radius=200, unit="km",
                            sort="ASC", withdist=True),
                [[b"Catania", 56.4413], [b"Palermo", 190.4424]], f"node {i}")
            self.assertEqual(r.georadiusbymember("sicily", "Palermo", 100, unit="km"),
                             [b"Palermo"], f"node {i}")
        self.assertEqual(retry(lambda: self.c.client(3).geosearchstore(
            "near", "sicily", longitude=15, latitude=37, width=400, height=400, unit="km",
            storedist=True)), 2)
        for i in range(1, 4):
            self.assertEqual(retry(lambda: self.c.client(i).zrange("near", 0, -1, withscores=True)),
                             [(b"Catania", 56.441257870158204), (b"Palermo", 190.44242984775784)],
                             f"node {i}")

    def test_dump_and_restore_move_keys_from_and_to_redis(self):
        # A migration: keys of every type in a real redis-server, each moved
        # with DUMP there and RESTORE through a follower (forwarded); every
        # node reads them as Redis does. Then back: DUMP on another node,
        # RESTORE into Redis. MULTI queues both; BUSYKEY and a bad payload
        # come back as Redis's errors.
        with redis_server(self) as (port, src):
            src.set("s", "x" * 100)  # stored LZF-compressed
            src.set("n", 12345)
            src.rpush("l", "a", 1, 300, "b" * 70)
            src.sadd("ints", 1, 2, 70000)
            src.zadd("z", {"a": 1.5, "b": float("inf")})
            src.hset("h", mapping={"f": "v", "n": "7"})
            src.pfadd("hll", "a", "b", "c")
            src.xadd("st", {"f": "1"}, id="1-1")
            src.xadd("st", {"f": "2", "g": "x"}, id="2-0")
            src.xgroup_create("st", "grp", id="0")
            src.xreadgroup("grp", "alice", {"st": ">"}, count=1)
            leader = self.c.leader()
            follower = self.c.client(1 if leader != 1 else 2)
            keys = [b"s", b"n", b"l", b"ints", b"z", b"h", b"hll", b"st"]
            for key in keys:
                self.assertTrue(retry(lambda: follower.restore(key, 0, src.dump(key))))
            reads = lambda r: (r.get("s"), r.get("n"), r.lrange("l", 0, -1), r.smembers("ints"),
                               r.zrange("z", 0, -1, withscores=True), r.hgetall("h"),
                               r.pfcount("hll"), r.xrange("st"),
                               [(p["message_id"], p["consumer"]) for p in
                                r.xpending_range("st", "grp", "-", "+", 10)])
            want = reads(src)
            for i in range(1, 4):
                wait_until(lambda: reads(self.c.client(i)) == want, 10, f"the keys on node {i}")
            # And back, from another node's DUMP.
            other = self.c.client(3 if leader != 3 else 2)
            src.flushall()
            for key in keys:
                self.assertTrue(src.restore(key, 0, other.dump(key)))
            self.assertEqual(reads(src), want)
            # MULTI queues DUMP and RESTORE; BUSYKEY is the second RESTORE's reply.
            pipe = follower.pipeline(transaction=True)
            pipe.dump("l")
            pipe.restore("l2", 0, src.dump("l"))
            pipe.restore("l2", 0, src.dump("l"))
            out = retry(lambda: pipe.execute(raise_on_error=False))
            self.assertTrue(src.restore("l_from_multi", 0, out[0]))
            self.assertEqual(src.lrange("l_from_multi", 0, -1), src.lrange("l", 0, -1))
            self.assertTrue(out[1])
            self.assertIn("BUSYKEY", str(out[2]))
            wait_until(lambda: other.lrange("l2", 0, -1) == src.lrange("l", 0, -1), 10, "l2")
            with self.assertRaisesRegex(redis.exceptions.ResponseError,
                                        "payload version or checksum are wrong"):
                follower.restore("bad", 0, b"garbage!!!!")
            # A TTL travels, decided once by the node that took the command.
            self.assertTrue(follower.restore("t", 100000, src.dump("s")))
            ttl = wait_until(lambda: other.pttl("t") > 0 and other.pttl("t"), 10, "t's TTL")
            self.assertLessEqual(ttl, 100000)

    def test_import_rides_out_a_leader_change(self):
        # Leadership moves while `cairn import` copies 30 000 keys into the
        # cluster, named node by node in --to: the client finds the new
        # leader, so every key arrives and none fails. (If the move lands
        # after the copy, the test still holds; it then proves less.)
        self.import_across_a_leader_change(only_the_leader=False)

    def test_import_given_only_the_leader_rides_out_a_leader_change(self):
        # The same with --to naming the old leader alone: once it follows, it
        # names the new leader and forwards the RESTOREs. (Before the client
        # fell back to a forwarding follower, this copy failed thousands of
        # RESTOREs with "no leader known".)
        self.import_across_a_leader_change(only_the_leader=True)

    def import_across_a_leader_change(self, only_the_leader):
        with redis_server(self) as (port, src):
            pipe = src.pipeline(transaction=False)
            for i in range(0, 30000, 500):
                pipe.mset({f"mv:{j}": j for j in range(i, i + 500)})
            pipe.execute()
            leader = self.c.leader()
            nodes = ",".join(f"127.0.0.1:{p}" for p in self.c.resp)
            if only_the_leader:
                nodes = f"127.0.0.1:{self.c.resp[leader - 1]}"
            imp = subprocess.Popen([CAIRN, "import", "--from", f"127.0.0.1:{port}", "--to", nodes,
                                    "--json"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            moved = subprocess.run([CAIRN, "ctl", "transfer-leader", "--addr",
                                    f"127.0.0.1:{self.c.http[leader - 1]}"],
                                   capture_output=True, text=True, timeout=30)
            out, err = imp.communicate(timeout=120)
            self.assertEqual(imp.returncode, 0, out + err)
            counts = json.loads(out)
            self.assertEqual((counts["copied"], counts["failed"]), (30000, 0), counts)
            self.assertEqual(moved.returncode, 0, moved.stderr)
            for i in range(1, 4):
                wait_until(lambda: self.c.client(i).dbsize() >= 30000, 20, f"the keys on node {i}")
            self.assertEqual(self.c.client(1).get("mv:29999"), b"29999")

    def test_idle_waiters_on_one_key_do_not_wake_each_other(self):
        # Two connections wait on an empty key; a write that names the key
        # but changes nothing (DEL of an absent key) must not set them
        # proposing their pops in turn, each retry waking the other.
        leader = self.c.leader()
        follower = 1 if leader != 1 else 2
        f = self.c.client(follower)
        waiters = []
        for _ in range(2):
            s = socket.create_connection(("127.0.0.1", self.c.resp[follower - 1]), timeout=10)
            s.sendall(b"BLPOP idle 0\r\n")
            waiters.append(s)
        wait_until(lambda: int(f.info("clients")["blocked_clients"]) >= 2, 10, "two waiters")
        w = self.c.client(leader)
        self.assertEqual(w.delete("idle"), 0)

        def commit_index():
            return int(w.info("raft")["raft_commit_index"])

        before = commit_index()
        time.sleep(0.5)  # a span to measure, not a wait for an event
        grown = commit_index() - before
        self.assertLess(grown, 20, f"the log grew by {grown} entries while nothing happened")
        self.assertEqual(w.rpush("idle", "one"), 1)
        replies = []
        for s in waiters:
            s.settimeout(0.5)
            try:
                replies.append(s.recv(64))
            except socket.timeout:
                replies.append(b"")
            s.close()
        self.assertEqual(sorted(replies), [b"", b"*2\r\n$4\r\nidle\r\n$3\r\none\r\n"])

    def test_blocking_pops_wait_for_a_push_through_another_node(self):
        leader = self.c.leader()
        follower = 1 if leader != 1 else 2
        other = next(i for i in range(1, 4) if i not in (leader, follower))
        w = self.c.client(leader)
        retry(lambda: w.rpush("q", "a"))
        # Something to pop: answered at once, as LPOP would.
        self.assertEqual(retry(lambda: self.c.client(follower).blpop(["empty", "q"], timeout=1)),
                         (b"q", b"a"))
        # Nothing: a nil once the timeout has passed.
        start = time.monotonic()
        self.assertIsNone(self.c.client(follower).blpop(["q"], timeout=0.3))
        self.assertGreaterEqual(time.monotonic() - start, 0.29)
        # Two connections wait (one on a follower, one on the other node);
        # two pushes through the leader wake them, and each element goes to
        # exactly one of them.
        got = []

        def waiter(node):
            got.append(self.c.client(node).brpop(["jobs"], timeout=8))

        threads = [threading.Thread(target=waiter, args=(n,)) for n in (follower, other)]
        for t in threads:
            t.start()

        def blocked(node):
            return int(self.c.client(node).info("clients")["blocked_clients"])

        wait_until(lambda: blocked(follower) + blocked(other) >= 2, 10, "both waiters to block")
        self.assertEqual(w.lpush("jobs", "j1", "j2"), 2)
        for t in threads:
            t.join(timeout=30)
        self.assertEqual(sorted(got), [(b"jobs", b"j1"), (b"jobs", b"j2")])
        self.assertEqual(w.exists("jobs"), 0)
        self.assertEqual(blocked(follower) + blocked(other), 0)
        # BZPOPMAX and BLMOVE: the same, answered at once when there is data.
        w.zadd("z", {"m": 1, "n": 2})
        self.assertEqual(self.c.client(other).bzpopmax(["z"], timeout=1), (b"z", b"n", 2.0))
        w.rpush("src", "x")
        self.assertEqual(self.c.client(other).blmove("src", "dst", 1, "LEFT", "RIGHT"), b"x")
        # A waiting client that goes away stops waiting: a later push stays
        # in the list instead of going to a closed connection.
        s = socket.create_connection(("127.0.0.1", self.c.resp[follower - 1]), timeout=10)
        s.sendall(b"BLPOP gone 0\r\n")
        wait_until(lambda: blocked(follower) >= 1, 10, "the client to block")
        s.close()
        wait_until(lambda: blocked(follower) == 0, 10, "the closed client to stop waiting")
        self.assertEqual(w.rpush("gone", "kept"), 1)
        self.assertEqual(retry(lambda: self.c.client(follower).lrange("gone", 0, -1)), [b"kept"])
        # What a waiting client sends meanwhile is served after its pop.
        s = socket.create_connection(("127.0.0.1", self.c.resp[follower - 1]), timeout=10)
        s.sendall(b"BLPOP p 0\r\n")
        wait_until(lambda: blocked(follower) >= 1, 10, "the client to block")
        s.sendall(b"PING\r\n")
        self.assertEqual(w.rpush("p", "v"), 1)
        want = b"*2\r\n$1\r\np\r\n$1\r\nv\r\n+PONG\r\n"
        self.assertEqual(recv_bytes(s, len(want)), want)
        s.close()
        # Inside MULTI a blocking command does not wait: nil.
        pipe = self.c.client(follower).pipeline(transaction=True)
        pipe.blpop(["nothing"], timeout=0)
        self.assertEqual(pipe.execute(), [None])

    def test_redis7_pops_counts_draws_and_client_unblock(self):
        leader = self.c.leader()
        follower = 1 if leader != 1 else 2
        w = self.c.client(leader)
        f = self.c.client(follower)
        # BLMPOP waiting on a follower is woken by a push through the leader
        # and takes up to COUNT elements from the first list that has some.
        got = []
        t = threading.Thread(target=lambda: got.append(self.c.client(follower).execute_command(
            "BLMPOP", 8, 2, "none", "work", "LEFT", "COUNT", 2)))
        t.start()

        def blocked():
            return int(f.info("clients")["blocked_clients"])

        wait_until(lambda: blocked() >= 1, 10, "BLMPOP to block")
        self.assertEqual(retry(lambda: w.rpush("work", "a", "b", "c")), 3)
        t.join(timeout=30)
        self.assertEqual(got, [[b"work", [b"a", b"b"]]])
        self.assertEqual(f.execute_command("LMPOP", 1, "work", "RIGHT"), [b"work", [b"c"]])
        w.zadd("board", {"x": 1, "y": 2, "z": 3})
        self.assertEqual(f.execute_command("BZMPOP", 1, 1, "board", "MAX", "COUNT", 2),
                         [b"board", [[b"z", b"3"], [b"y", b"2"]]])
        # Counts and random draws, answered through the follower.
        w.sadd("s1", *range(20))
        w.sadd("s2", *range(10, 30))
        self.assertEqual(f.execute_command("SINTERCARD", 2, "s1", "s2"), 10)
        self.assertEqual(f.execute_command("SINTERCARD", 2, "s1", "s2", "LIMIT", 3), 3)
        self.assertEqual(f.execute_command("ZINTERCARD", 2, "s1", "board"), 0)
        members = {str(i).encode() for i in range(20)}
        draws = {f.srandmember("s1") for _ in range(20)}
        self.assertLessEqual(draws, members)
        self.assertGreater(len(draws), 3, "twenty draws of twenty members all alike")
        some = f.srandmember("s1", 5)
        self.assertEqual(len(set(some)), 5)
        self.assertLessEqual(set(some), members)
        self.assertEqual(len(f.srandmember("s1", -50)), 50)
        w.hset("h", mapping={"f1": "v1", "f2": "v2"})
        pairs = f.execute_command("HRANDFIELD", "h", -4, "WITHVALUES")
        self.assertEqual(len(pairs), 8)
        for field, value in zip(pairs[::2], pairs[1::2]):
            self.assertEqual(value, b"v" + field[1:])
        # CLIENT UNBLOCK, from another connection of the same node: as a
        # timeout (nil), then with the UNBLOCKED error; 0 for one not blocked.
        s = socket.create_connection(("127.0.0.1", self.c.resp[follower - 1]), timeout=10)
        s.sendall(b"CLIENT ID\r\n")
        reply = b""
        while not reply.endswith(b"\r\n"):
            reply += s.recv(4096)
        client_id = int(reply[1:-2])
        for how, want in (("TIMEOUT", b"*-1\r\n"),
                          ("ERROR", b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")):
            s.sendall(b"BLMPOP 0 1 never LEFT\r\n")
            wait_until(lambda: blocked() >= 1, 10, "the raw client to block")
            self.assertEqual(f.execute_command("CLIENT", "UNBLOCK", client_id, how), 1)
            self.assertEqual(recv_bytes(s, len(want)), want)
        self.assertEqual(blocked(), 0)
        self.assertEqual(f.execute_command("CLIENT", "UNBLOCK", client_id), 0)
        s.sendall(b"PING\r\n")
        self.assertEqual(recv_bytes(s, 7), b"+PONG\r\n")
        s.close()
        with self.assertRaises(redis.exceptions.ResponseError):
            f.execute_command("CLIENT", "UNBLOCK", client_id, "LATER")

    def test_streams_through_any_node_and_xread_block(self):
        leader = self.c.leader()
        follower = 1 if leader != 1 else 2
        other = next(i for i in range(1, 4) if i not in (leader, follower))
        w, f = self.c.client(leader), self.c.client(follower)
        # Automatic IDs come from the leader's clock: every node holds the
        # same entries under the same IDs.
        first = retry(lambda: f.xadd("events", {"kind": "signup", "user": "ann"}))
        second = w.xadd("events", {"kind": "login", "user": "ann"})
        self.assertLess([int(x) for x in first.split(b"-")], [int(x) for x in second.split(b"-")])
        want = [(first, {b"kind": b"signup", b"user": b"ann"}),
                (second, {b"kind": b"login", b"user": b"ann"})]
        for node in (1, 2, 3):
            self.assertEqual(retry(lambda: self.c.client(node).xrange("events")), want)
        self.assertEqual(f.xlen("events"), 2)
        self.assertEqual(f.type("events"), b"stream")
        # XREAD BLOCK $ on a follower waits for the next entry, written
        # through another node, and gets that one only.
        got = []

        def reader():
            got.append(self.c.client(follower).xread({"events": "$"}, block=8000))

        def blocked(node):
            return int(self.c.client(node).info("clients")["blocked_clients"])

        t = threading.Thread(target=reader)
        t.start()
        wait_until(lambda: blocked(follower) >= 1, 10, "XREAD to block")
        third = self.c.client(other).xadd("events", {"kind": "logout"})
        t.join(timeout=30)
        self.assertEqual(got, [[[b"events", [(third, {b"kind": b"logout"})]]]])
        # A timeout answers nil, no earlier than asked.
        start = time.monotonic()
        self.assertIsNone(f.xread({"events": "$"}, block=300) or None)
        self.assertGreaterEqual(time.monotonic() - start, 0.29)
        # Pipelined behind the connection's own XADD, "$" is after that entry.
        s = socket.create_connection(("127.0.0.1", self.c.resp[follower - 1]), timeout=10)
        s.sendall(b"XADD q 5-1 n 1\r\nXREAD BLOCK 0 STREAMS q $\r\n")
        self.assertEqual(recv_bytes(s, 9), b"$3\r\n5-1\r\n")
        wait_until(lambda: blocked(follower) >= 1, 10, "the pipelined XREAD to block")
        self.assertEqual(w.xadd("q", {"n": "2"}, id="6-1"), b"6-1")
        want = b"*1\r\n*2\r\n$1\r\nq\r\n*1\r\n*2\r\n$3\r\n6-1\r\n*2\r\n$1\r\nn\r\n$1\r\n2\r\n"
        self.assertEqual(recv_bytes(s, len(want)), want)
        s.close()
        # RESP3 through the follower: XREAD is a map.
        s = resp3_connection(self.c.resp[follower - 1])
        s.sendall(b"XREAD COUNT 1 STREAMS q 0\r\n")
        want = b"%1\r\n$1\r\nq\r\n*1\r\n*2\r\n$3\r\n5-1\r\n*2\r\n$1\r\nn\r\n$1\r\n1\r\n"
        self.assertEqual(recv_bytes(s, len(want)), want)
        s.close()
        # Trimming and deleting replicate like any write.
        self.assertEqual(f.xtrim("events", maxlen=1), 2)
        self.assertEqual(f.xdel("events", third), 1)
        self.assertEqual(retry(lambda: self.c.client(other).xlen("events")), 0)
        with self.assertRaises(redis.exceptions.ResponseError):
            f.xadd("events", {"a": "b"}, id=first)  # below the last ID, even when empty

    def test_stream_consumer_groups_share_work_across_nodes(self):
        leader = self.c.leader()
        follower = 1 if leader != 1 else 2
        other = next(i for i in range(1, 4) if i not in (leader, follower))
        w = self.c.client(leader)
        self.assertTrue(retry(lambda: w.xgroup_create("jobs", "workers", id="$", mkstream=True)))
        # Two workers wait in XREADGROUP ... BLOCK on two other nodes; two
        # entries added through the leader go one to each.
        got = {}

        def worker(node, name):
            got[name] = self.c.client(node).xreadgroup("workers", name, {"jobs": ">"}, count=1,
                                                       block=8000)

        def blocked(node):
            return int(self.c.client(node).info("clients")["blocked_clients"])

        threads = [threading.Thread(target=worker, args=(n, f"w{n}")) for n in (follower, other)]
        for t in threads:
            t.start()
        wait_until(lambda: blocked(follower) + blocked(other) >= 2, 10, "both workers to block")
        first = w.xadd("jobs", {"task": "a"})
        second = w.xadd("jobs", {"task": "b"})
        for t in threads:
            t.join(timeout=30)
        delivered = sorted(reply[0][1][0][0] for reply in got.values())
        self.assertEqual(delivered, sorted([first, second]))
        # Both are pending, each with its worker, until acknowledged.
        f = self.c.client(follower)
        summary = f.xpending("jobs", "workers")
        self.assertEqual(summary["pending"], 2)
        self.assertEqual(sorted(c["name"] for c in summary["consumers"]),
                         sorted([f"w{follower}".encode(), f"w{other}".encode()]))
        self.assertEqual(f.xack("jobs", "workers", first, second), 2)
        self.assertEqual(self.c.client(other).xpending("jobs", "workers")["pending"], 0)
        with self.assertRaises(redis.exceptions.ResponseError):
            f.xgroup_create("jobs", "workers")  # BUSYGROUP

    def test_multi_exec_is_atomic_across_nodes(self):
        leader = self.c.leader()
        follower = next(i for i in range(1, 4) if i != leader)
        reader = next(i for i in range(1, 4) if i not in (leader, follower))
        stop = threading.Event()
        torn = []

        def read_loop():
            r = self.c.client(reader)
            while not stop.is_set():
                x, y = r.mget("x", "y")
                if (x or b"0") != (y or b"0"):
                    torn.append((x, y))

        t = threading.Thread(target=read_loop)
        t.start()
        w = self.c.client(follower)
        for _ in range(100):
            pipe = w.pipeline(transaction=True)
            pipe.incr("x").incr("y").get("x")
            x, y, read_back = pipe.execute()
            self.assertEqual(x, y)
            self.assertEqual(int(read_back), x, "a read inside MULTI sees the earlier writes")
        stop.set()
        t.join()
        self.assertEqual(torn, [], "a reader saw half a transaction")
        self.assertEqual(w.mget("x", "y"), [b"100", b"100"])

    def test_watch_aborts_on_conflict(self):
        r1, r2 = self.c.client(1), self.c.client(2)
        retry(lambda: r1.set("w", "1"))
        pipe = r1.pipeline(transaction=True)
        pipe.watch("w")
        retry(lambda: r2.set("w", "2"))  # another client changes the key
        pipe.multi()
        pipe.set("w", "3")
        with self.assertRaises(redis.exceptions.WatchError):
            pipe.execute()
        self.assertEqual(r1.get("w"), b"2")

    def test_kill9_leader_loses_no_acknowledged_write(self):
        acked = []
        for k in range(200):
            node = 1 + k % 3
            retry(lambda: self.c.client(node).set(f"d{k}", str(k)))
            acked.append(k)
        old = self.c.leader()
        self.c.kill9(old)
        survivors = [i for i in range(1, 4) if i != old]
        new = wait_until(lambda: (l := self.c.leader(survivors)) not in (None, old) and l, 20,
                         "a new leader among the survivors")
        self.assertNotEqual(new, old)
        for i in survivors:
            r = self.c.client(i)
            for k in acked:
                self.assertEqual(retry(lambda: r.get(f"d{k}")), str(k).encode(), f"node {i} key d{k}")
        self.assertTrue(retry(lambda: self.c.client(survivors[0]).set("after", "yes")))
        self.assertEqual(retry(lambda: self.c.client(survivors[1]).get("after")), b"yes")

    def test_session_token_gives_read_your_writes_on_another_node(self):
        a, b = self.c.client(1), self.c.client(2)
        retry(lambda: a.set("s", "mine"))
        token = a.execute_command("SESSION")
        self.assertGreater(token, 0)
        self.assertEqual(b.execute_command("CONSISTENCY", "session", token), b"OK")
        self.assertEqual(b.get("s"), b"mine")
        self.assertEqual(b.execute_command("CONSISTENCY"), b"session")
        with self.assertRaises(redis.exceptions.ResponseError):
            b.execute_command("CONSISTENCY", "sometimes")

    def test_session_token_covers_reads_for_monotonic_reads_on_another_node(self):
        leader = self.c.leader()
        f1, f2 = [i for i in (1, 2, 3) if i != leader]
        writer = self.c.client(leader)
        self.assertTrue(retry(lambda: writer.set("m", "old")))
        self.c.procs[f2].send_signal(signal.SIGSTOP)
        answers, lagging_read = [], None
        try:
            # "new" commits on the leader and f1; the paused f2 lags behind it.
            self.assertTrue(writer.set("m", "new"))
            written = writer.execute_command("SESSION")
            # A connection that never writes reads "new" on f1: its token now
            # covers the state it read.
            reader = self.c.client(f1)
            self.assertEqual(reader.get("m"), b"new")
            token = reader.execute_command("SESSION")
            self.assertGreaterEqual(token, written)
            # Carried to f2, the token makes f2 catch up before answering:
            # the client never reads "old" after "new".
            lagging = self.c.client(f2)

            def read_on_lagging_node():
                lagging.execute_command("CONSISTENCY", "session", token)
                answers.append(lagging.get("m"))
            lagging_read = threading.Thread(target=read_on_lagging_node)
            lagging_read.start()
        finally:
            self.c.procs[f2].send_signal(signal.SIGCONT)
        lagging_read.join(30)
        self.assertEqual(answers, [b"new"])
        # WAIT still counts copies of the connection's writes, not of what it
        # read: a connection that only read waits for index 1.
        self.assertEqual(reader.wait(2, 10000), 2)
        # SESSION waits for the replies before it, so it can be pipelined
        # behind a write or a read (through a follower) and covers them.
        p = self.c.client(f1).pipeline(transaction=False)
        p.set("m2", "x")
        p.execute_command("SESSION")
        p.get("m2")
        p.execute_command("SESSION")
        ok, after_write, value, after_read = p.execute()
        self.assertTrue(ok)
        self.assertGreater(after_write, token)
        self.assertEqual(value, b"x")
        self.assertGreaterEqual(after_read, after_write)

    def test_bad_input_gets_errors_and_node_survives(self):
        s = socket.create_connection(("127.0.0.1", self.c.resp[0]), timeout=5)
        s.sendall(b"NOSUCHCMD a b\r\n")
        self.assertTrue(s.recv(200).startswith(b"-ERR unknown command"))
        s.sendall(b"*1\r\n$abc\r\n")
        self.assertTrue(s.recv(200).startswith(b"-ERR Protocol error"))
        s.close()
        r = self.c.client(1)
        self.assertTrue(r.ping())
        with self.assertRaises(redis.exceptions.ResponseError):
            r.execute_command("GET")  # wrong arity
        with self.assertRaises(redis.exceptions.ResponseError):
            r.execute_command("SELECT", "1")
        # Malformed forms of the commands of session 21: each an error, the
        # node unharmed (the differential tests check the texts).
        retry(lambda: r.set("bad:s", "x"))
        for bad in [("CONFIG",), ("CONFIG", "SET", "x"), ("CONFIG", "SET", "slowlog-max-len", "-5"),
                    ("CONFIG", "GET"), ("SLOWLOG", "GET", "-9"), ("SLOWLOG", "x", "y"),
                    ("OBJECT", "ENCODING"), ("OBJECT", "x", "y"), ("RANDOMKEY", "x"),
                    ("GEOSEARCH", "bad:s", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"),
                    ("GEOSEARCH", "g", "FROMLONLAT", "999", "2", "BYBOX", "1", "1", "m"),
                    ("GEOADD", "g", "1", "2"), ("GEODIST", "g", "a", "b", "yd"),
                    ("SORT", "bad:s"), ("SORT", "l", "LIMIT", "0"), ("SORT", "l", "STORE"),
                    ("SORT_RO", "l", "STORE", "d"), ("LCS", "bad:s", "bad:s", "IDX", "LEN"),
                    ("LCS", "bad:s", "x", "MINMATCHLEN"), ("MOVE", "bad:s", "x"),
                    ("SWAPDB", "0", "1"), ("SHUTDOWN", "bogus"), ("SAVE", "x"),
                    # DUMP and RESTORE (session 22): payloads cut, forged and oversized.
                    ("DUMP",), ("DUMP", "a", "b"), ("RESTORE", "r", "0"),
                    ("RESTORE", "r", "0", b"\x00" * 10),
                    ("RESTORE", "r", "0", b"\x0e\x81" + b"\xff" * 8 + b"\x0a\x00" + b"\x00" * 8),
                    ("RESTORE", "r", "-1", b"x"), ("RESTORE", "r", "x", b"x"),
                    ("RESTORE", "r", "0", b"x", "FREQ", "999"), ("RESTORE", "r", "0", b"x", "ABS"),
                    ("COMMAND", "GETKEYS", "zunionstore", "d", "99999999999999999999", "a"),
                    ("COMMAND", "GETKEYS", "xread", "count", "1", "streams", "a"),
                    ("COMMAND", "GETKEYS", "object"), ("ACL", "GENPASS", "-1"),
                    ("LATENCY", "GRAPH", "x"), ("CLIENT", "REPLY", "maybe"),
                    ("CLIENT", "CACHING", "yes")]:
            with self.assertRaises(redis.exceptions.ResponseError, msg=str(bad)):
                r.execute_command(*bad)
        self.assertEqual(r.execute_command("SORT", "l", "LIMIT", "9223372036854775807",
                                           "9223372036854775807"), [])
        # Every container a "Try X HELP." error points to has that HELP.
        conn = r.connection_pool.get_connection("help")  # (no reply callbacks: COMMAND's)
        try:
            for container in ["MEMORY", "COMMAND", "PUBSUB", "OBJECT", "XINFO", "XGROUP",
                              "CONFIG", "SLOWLOG", "LATENCY", "ACL", "CLIENT", "SCRIPT"]:
                conn.send_command(container, "HELP")
                lines = conn.read_response()
                self.assertTrue(lines[0].startswith(container.encode() + b" <subcommand>"),
                                (container, lines[:1]))
        finally:
            r.connection_pool.release(conn)
        self.assertEqual(r.execute_command("MEMORY", "PURGE"), b"OK")
        self.assertIn(b"INFO memory", r.execute_command("MEMORY", "DOCTOR"))
        self.assertTrue(r.ping())
        # Unknown command names share one latency series: a client sending
        # made-up names (or a quote that would break the exposition format)
        # must not grow /metrics.
        for i in range(50):
            with self.assertRaises(redis.exceptions.ResponseError):
                r.execute_command(f'nosuch"{i}')
        with urllib.request.urlopen(f"http://127.0.0.1:{self.c.http[0]}/metrics", timeout=5) as m:
            metrics = m.read().decode()
        self.assertIn('cairn_request_duration_seconds_count{command="unknown"}', metrics)
        self.assertIn('cairn_request_duration_seconds_count{command="get"}', metrics)
        self.assertNotIn("nosuch", metrics)

    def test_active_expiry_reclaims_keys_and_pushes_invalidations(self):
        leader = self.c.leader()
        # A RESP3 connection tracking the keys it reads (CLIENT TRACKING).
        s = socket.create_connection(("127.0.0.1", self.c.resp[leader - 1]), timeout=10)
        s.sendall(b"HELLO 3\r\n")
        hello = b""
        while b"proto" not in hello or not hello.endswith(b"\r\n"):
            hello += s.recv(4096)
        s.sendall(b"CLIENT TRACKING ON\r\n")
        self.assertTrue(s.recv(100).startswith(b"+OK"))
        keys_before = self.c.status(leader)["keys"]
        r = self.c.client(leader)
        self.assertTrue(retry(lambda: r.set("ttl-k", "v", px=300)))
        s.sendall(b"GET ttl-k\r\n")
        self.assertIn(b"v", s.recv(100))
        # No client writes or reads again: the leader's own expiry entry
        # deletes the key on every node and tells the tracking connection.
        pushed = b""
        deadline = time.monotonic() + 10
        while b"invalidate" not in pushed or not pushed.rstrip().endswith(b"ttl-k"):
            self.assertLess(time.monotonic(), deadline, f"no invalidation push: {pushed!r}")
            pushed += s.recv(4096)
        self.assertIn(b">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nttl-k", pushed)
        for i in range(1, 4):  # reclaimed from storage everywhere, not only hidden
            wait_until(lambda: self.c.status(i)["keys"] == keys_before, 10, f"node {i} to drop the key")
        s.close()

    def test_keyspace_notifications_on_the_node_that_asks_for_them(self):
        # CONFIG SET on one follower: its subscribers get the events of
        # writes made through another node, in log order, and "expired"
        # from the leader's active expiry; a node left as started publishes
        # none. The setting is the node's own, as a Redis server's is.
        leader = self.c.leader()
        follower = 1 if leader != 1 else 2
        other = ({1, 2, 3} - {leader, follower}).pop()
        r = self.c.client(follower)
        self.assertEqual(r.config_get("notify-keyspace-events"), {"notify-keyspace-events": ""})
        self.assertTrue(r.config_set("notify-keyspace-events", "KEA"))
        self.assertEqual(r.config_get("notify-*"), {"notify-keyspace-events": "AKE"})
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "Invalid event class"):
            r.config_set("notify-keyspace-events", "KEy")
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "does not change this setting"):
            r.config_set("maxmemory", "100mb")
        p = r.pubsub()
        p.psubscribe("__key*@0__:*")
        quiet = self.c.client(other).pubsub()
        quiet.psubscribe("__key*@0__:*")
        for sub in (p, quiet):  # the subscribe confirmations
            self.assertEqual(sub.get_message(timeout=5)["type"], "psubscribe")
        w = self.c.client(leader)
        self.assertTrue(retry(lambda: w.set("kn:s", "1", px=400)))
        self.assertEqual(w.rpush("kn:l", "a"), 1)
        self.assertEqual(w.lpop("kn:l"), b"a")
        self.assertEqual(w.srem("kn:none", "x"), 0)  # changes nothing: no event
        want = [("__keyspace@0__:kn:s", "set"), ("__keyevent@0__:set", "kn:s"),
                ("__keyspace@0__:kn:s", "expire"), ("__keyevent@0__:expire", "kn:s"),
                ("__keyspace@0__:kn:l", "rpush"), ("__keyevent@0__:rpush", "kn:l"),
                ("__keyspace@0__:kn:l", "lpop"), ("__keyevent@0__:lpop", "kn:l"),
                ("__keyspace@0__:kn:l", "del"), ("__keyevent@0__:del", "kn:l"),
                ("__keyspace@0__:kn:s", "expired"), ("__keyevent@0__:expired", "kn:s")]
        got = []
        deadline = time.monotonic() + 10
        while len(got) < len(want) and time.monotonic() < deadline:
            m = p.get_message(timeout=1)
            if m is not None and m["type"] == "pmessage":
                got.append((m["channel"].decode(), m["data"].decode()))
        self.assertEqual(got, want)
        self.assertIsNone(quiet.get_message(timeout=0.5), "a node without the setting is silent")
        self.assertTrue(r.config_set("notify-keyspace-events", ""))
        p.close()
        quiet.close()

    def test_slowlog_records_the_operations_this_node_ran(self):
        # With the threshold at 0 every operation is slow: a follower's log
        # holds the writes it applied (made through the leader) and the
        # reads it served, newest first; redis-cli reads it.
        leader = self.c.leader()
        follower = 1 if leader != 1 else 2
        r = self.c.client(follower)
        self.assertEqual(r.config_get("slowlog-*"),
                         {"slowlog-log-slower-than": "10000", "slowlog-max-len": "128"})
        self.assertTrue(r.config_set("slowlog-log-slower-than", "0"))
        self.assertTrue(r.slowlog_reset())
        w = self.c.client(leader)
        self.assertTrue(retry(lambda: w.set("slow:k", "v")))
        self.assertEqual(w.rpush("slow:l", "a", "b"), 2)
        r.execute_command("CONSISTENCY", "eventual")
        wait_until(lambda: r.llen("slow:l") == 2, 10, "the follower to apply the push")
        entries = r.slowlog_get(-1)
        # (redis-py joins each entry's arguments with spaces.)
        flat = [e["command"].decode() for e in entries]
        self.assertIn("set slow:k v", flat)
        self.assertIn("rpush slow:l a b", flat)
        self.assertEqual(flat[0], "llen slow:l")  # newest first
        self.assertTrue(all(e["duration"] >= 0 for e in entries))
        self.assertEqual(r.slowlog_len(), len(entries))
        out = subprocess.run(["redis-cli", "-p", str(self.c.resp[follower - 1]), "slowlog", "len"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        self.assertEqual(int(out), len(entries))
        self.assertTrue(r.config_set("slowlog-log-slower-than", "10000"))
        # INFO commandstats counts this node's commands (not in plain INFO).
        stats = r.info("commandstats")
        self.assertGreaterEqual(stats["cmdstat_llen"]["calls"], 1)
        self.assertGreater(stats["cmdstat_llen"]["usec"], 0)
        self.assertNotIn("cmdstat_llen", r.info())
        # LATENCY HISTOGRAM, from the same histograms: cumulative counts
        # that end at the calls (none here is slower than 2.5 s).
        hist = r.execute_command("LATENCY", "HISTOGRAM", "LLEN", "nosuch")
        self.assertEqual(hist[0], b"llen")
        llen = dict(zip(hist[1][::2], hist[1][1::2]))
        counts = llen[b"histogram_usec"][1::2]
        self.assertEqual(counts, sorted(counts))
        self.assertEqual(counts[-1], llen[b"calls"])
        self.assertEqual(r.execute_command("LATENCY", "LATEST"), [])
        self.assertEqual(r.config_get("latency-monitor-threshold"),
                         {"latency-monitor-threshold": "0"})

    def test_tracking_covers_the_keys_read_only_scripts_declare(self):
        # A tracking connection that reads a key through EVAL_RO is told
        # when another client changes it. (An EVAL's declared keys count
        # as written by it, so it invalidates them itself: docs/client.md.)
        leader = self.c.leader()
        r = self.c.client(leader)
        self.assertTrue(retry(lambda: r.mset({"ts:a": "1", "ts:b": "2"})))
        s = socket.create_connection(("127.0.0.1", self.c.resp[leader - 1]), timeout=10)
        s.sendall(b"HELLO 3\r\n")
        hello = b""
        while b"proto" not in hello or not hello.endswith(b"\r\n"):
            hello += s.recv(4096)
        self.assertEqual(r.execute_command("CLIENT", "GETREDIR"), -1)  # not tracking
        self.assertTrue(r.execute_command("CLIENT", "NO-EVICT", "on"))
        s.sendall(b"CLIENT TRACKING ON\r\n")
        self.assertTrue(s.recv(100).startswith(b"+OK"))
        s.sendall(b"CLIENT GETREDIR\r\n")
        self.assertEqual(s.recv(100), b":0\r\n")  # tracking, to itself
        for cmd, key in ((b"EVAL_RO", b"ts:a"), (b"EVAL_RO", b"ts:b")):
            body = b"return redis.call('get', KEYS[1])"
            s.sendall(b"*4\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n$1\r\n1\r\n$4\r\n%s\r\n" %
                      (len(cmd), cmd, len(body), body, key))
            got = b""
            while not got.endswith(b"\r\n") or got.count(b"\r\n") < 2:
                got += s.recv(4096)
            self.assertTrue(got.startswith(b"$1\r\n"), got)
            self.assertEqual(r.set(key.decode(), "changed"), True)
            pushed = b""
            deadline = time.monotonic() + 10
            while b"invalidate" not in pushed or key not in pushed:
                self.assertLess(time.monotonic(), deadline, f"no invalidation for {key}: {pushed!r}")
                pushed += s.recv(4096)
        s.close()

    def test_resp2_tracking_redirect_to_invalidate_channel(self):
        """RESP2 client-side caching: invalidations for connection B arrive as
        pub/sub messages on connection A, which subscribed to
        __redis__:invalidate (CLIENT TRACKING ON REDIRECT <A's id>)."""
        port = self.c.resp[self.c.leader() - 1]

        def call(sock, *args):
            sock.sendall(b"".join([b"*%d\r\n" % len(args)] +
                                  [b"$%d\r\n%s\r\n" % (len(a), a) for a in args]))
            return sock.recv(4096)

        a = socket.create_connection(("127.0.0.1", port), timeout=10)
        a_id = int(call(a, b"CLIENT", b"ID")[1:].split(b"\r\n")[0])
        self.assertEqual(call(a, b"SUBSCRIBE", b"__redis__:invalidate"),
                         b"*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n")
        # (another channel too: a count of 2, and the channel stays quiet)
        self.assertEqual(call(a, b"SUBSCRIBE", b"news"), b"*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:2\r\n")
        b = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.assertEqual(call(b, b"CLIENT", b"TRACKING", b"ON", b"REDIRECT", str(a_id).encode()),
                         b"+OK\r\n")
        r = self.c.client(self.c.leader())
        self.assertTrue(retry(lambda: r.set("rk", "1")))
        self.assertEqual(call(b, b"GET", b"rk"), b"$1\r\n1\r\n")  # now tracked for B
        self.assertTrue(retry(lambda: r.set("rk", "2")))
        want = b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$2\r\nrk\r\n"
        got = b""
        deadline = time.monotonic() + 10
        while want not in got:
            self.assertLess(time.monotonic(), deadline, f"no redirected invalidation: {got!r}")
            got += a.recv(4096)
        a.close()
        b.close()

    def test_pipeline_longer_than_the_backlog_bound(self):
        # 10000 writes in one burst: each waits for Raft, so more than
        # max_pipeline (4096) replies are outstanding; the node must pause
        # reading and later resume from the bytes it already buffered.
        s = socket.create_connection(("127.0.0.1", self.c.resp[self.c.leader() - 1]), timeout=30)
        n = 10000
        s.sendall(b"SET pk v\r\n" * n)
        want = b"+OK\r\n" * n
        got = b""
        while len(got) < len(want):
            chunk = s.recv(1 << 16)
            self.assertTrue(chunk, "connection closed early")
            got += chunk
        self.assertEqual(got, want)
        s.close()

    def test_replies_larger_than_the_socket_buffer_arrive_whole(self):
        # Four 4 MiB GET replies in one batch are far more than a loopback
        # socket buffer takes: the first non-blocking write is partial and the
        # rest must follow asynchronously, in order, with nothing lost or
        # repeated, and the connection must keep working after it.
        leader = self.c.leader()
        values = [bytes([ord("a") + i]) * (4 << 20) for i in range(4)]
        for i, v in enumerate(values):
            retry(lambda: self.c.client(leader).set(f"big{i}", v))
        s = f = None

        def reply():
            line = f.readline()
            self.assertTrue(line.endswith(b"\r\n"), f"connection closed early: {line!r}")
            if not line.startswith(b"$"):
                return line  # +PONG, or an error such as -TRYAGAIN
            body = f.read(int(line[1:]) + 2)
            self.assertTrue(body.endswith(b"\r\n"), "a bulk reply cut short")
            return body[:-2]

        try:
            for _ in range(10):
                # A read refused while leadership moves (a slow, sanitized
                # node loses it easily while it writes 4 MiB entries) is
                # retried on the leader the cluster agrees on next; anything
                # else must be exact.
                if s is not None:
                    f.close()
                    s.close()
                leader = self.c.wait_ready()
                s = socket.create_connection(("127.0.0.1", self.c.resp[leader - 1]), timeout=30)
                f = s.makefile("rb")
                s.sendall(b"".join(f"GET big{i}\r\n".encode() for i in range(4)) + b"PING\r\n")
                got = [reply() for _ in range(5)]
                if not any(isinstance(g, bytes) and g.startswith((b"-TRYAGAIN", b"-TIMEOUT"))
                           for g in got[:4]):
                    break
            else:
                self.fail("the GETs were refused ten times")
            for i in range(4):
                self.assertTrue(got[i] == values[i], f"reply {i} damaged or out of order")
            self.assertEqual(got[4], b"+PONG\r\n")
            s.sendall(b"PING\r\n")
            self.assertEqual(f.readline(), b"+PONG\r\n")
        finally:
            if s is not None:
                f.close()
                s.close()

    def test_redis_cli_and_benchmark(self):
        port = str(self.c.resp[self.c.leader() - 1])
        out = subprocess.run(["redis-cli", "-p", port, "set", "cli", "ok"], capture_output=True,
                             text=True, timeout=30)
        self.assertEqual(out.stdout.strip(), "OK")
        bench = subprocess.run(["redis-benchmark", "-p", port, "-t", "set,get", "-n", "20000", "-q"],
                               capture_output=True, text=True, timeout=300)
        self.assertEqual(bench.returncode, 0, bench.stderr)
        self.assertRegex(bench.stdout, r"SET: [\d.]+ requests per second")
        self.assertRegex(bench.stdout, r"GET: [\d.]+ requests per second")
        self.assertNotIn("ERR", bench.stdout + bench.stderr)
        print("\n" + bench.stdout.split("\r")[-1].strip(), file=sys.stderr)

    def test_consistency_levels_read_the_write(self):
        leader = self.c.leader()
        follower = next(i for i in range(1, 4) if i != leader)
        w = self.c.client(leader)  # one connection: its token covers its write
        retry(lambda: w.set("c", "v"))
        token = w.execute_command("SESSION")
        self.assertGreater(token, 0)
        acked = time.monotonic()
        for level in (["strong"], ["lease"], ["session", str(token)]):
            r = self.c.client(follower)
            self.assertEqual(r.execute_command("CONSISTENCY", *level), b"OK")
            self.assertEqual(r.get("c"), b"v", level)
        # bounded 1000: the follower answers from its own state, which may lag
        # the acknowledgement, but by no more than the bound (plus the time
        # for the leader's next message to carry the commit index).
        r = self.c.client(follower)
        self.assertEqual(r.execute_command("CONSISTENCY", "bounded", "1000"), b"OK")
        self.assertIn(r.get("c"), (None, b"v"))
        wait_until(lambda: r.get("c") == b"v", max(0.2, 1.0 + 0.5 - (time.monotonic() - acked)),
                   "a bounded read within 1000 ms of the acknowledgement")
        # eventual: the follower catches up without any forwarding
        r = self.c.client(follower)
        r.execute_command("CONSISTENCY", "eventual")
        wait_until(lambda: r.get("c") == b"v", 10, "the follower to apply the write")

    def test_bounded_reads_on_a_follower_catching_up_are_not_stale(self):
        # A restarted follower hears the leader's heartbeats at once, long
        # before it has caught up. Hearing from the leader is not freshness:
        # until it has applied what the leader had committed, its bounded
        # reads must not answer from its old state.
        leader = self.c.leader()
        lagging = next(i for i in (1, 2, 3) if i != leader)
        w = self.c.client(leader)
        self.assertTrue(retry(lambda: w.set("b", "old")))
        self.assertEqual(w.wait(2, 10000), 2)
        self.c.kill9(lagging)

        def fill(first):  # idempotent, so a chunk cut by an election is sent again
            p = w.pipeline(transaction=False)
            for k in range(first, first + 1000):
                p.set(f"fill{k}", "x" * 1000)
            results = p.execute(raise_on_error=False)
            for r in results:
                if isinstance(r, Exception):
                    raise r  # TRYAGAIN / TIMEOUT: retry() sends the chunk again
            return all(results)
        for first in range(0, 20000, 1000):
            self.assertTrue(retry(lambda: fill(first), 60))
        self.assertTrue(retry(lambda: w.set("b", "new")))
        acked = time.monotonic()
        target = max(self.c.status(i)["commit_index"] for i in (1, 2, 3) if i != lagging)
        self.c.start(lagging)
        r = self.c.client(lagging)
        wait_until(lambda: r.ping(), 20, "the restarted follower to accept clients")
        self.assertEqual(r.execute_command("CONSISTENCY", "bounded", "100"), b"OK")
        answers = []
        deadline = time.monotonic() + 60  # a ThreadSanitizer node is 5-15x slower
        while time.monotonic() < deadline:
            try:
                got = r.get("b")
            except redis.exceptions.ResponseError as e:  # no leader known yet
                got = str(e)
            answers.append((round(time.monotonic() - acked, 3), got))
            if got == b"new":
                break
        stale = [a for a in answers if a[1] == b"old"]
        self.assertEqual(stale, [], f"bounded 100 answered from a state missing a write "
                                    f"acknowledged this many seconds earlier")
        self.assertEqual(answers[-1][1], b"new", answers[-5:])
        # Caught up, it serves bounded reads itself again: it asks the leader
        # for a read index now and then instead of forwarding every read (a
        # bound of seconds, so that a slow sanitizer build asks rarely too).
        wait_until(lambda: self.c.status(lagging)["applied_index"] >= target, 60,
                   "the follower to catch up")
        self.assertEqual(r.execute_command("CONSISTENCY", "bounded", "10000"), b"OK")
        wait_until(lambda: r.get("b") == b"new" and self.metric(lagging, "cairn_freshness_probes_total") > 0
                   and self.c.status(lagging)["applied_index"] >= target, 60, "a fresh read index")
        forwarded = self.metric(lagging, "cairn_forwarded_total")
        # (An election meanwhile answers TRYAGAIN, which a client retries.)
        for _ in range(200):
            self.assertEqual(retry(lambda: r.get("b"), 60), b"new")
        self.assertLess(self.metric(lagging, "cairn_forwarded_total") - forwarded, 20)

    def test_read_cache_never_serves_a_replaced_value(self):
        # Every node's read cache is filled by the first read of a key; each
        # write after it (SET, INCR, DEL, FLUSHDB) must show in the next
        # read on every node, leader and followers alike.
        leader = self.c.leader()
        w = self.c.client(leader)
        readers = {i: self.c.client(i) for i in range(1, 4)}
        want = {"k": None, "n": None}
        for step in range(80):
            kind = step % 8
            if kind in (0, 3, 5):
                retry(lambda: w.set("k", f"v{step}"))
                want["k"] = f"v{step}".encode()
            elif kind in (1, 4):
                want["n"] = str(retry(lambda: w.incr("n"))).encode()
            elif kind == 2:
                retry(lambda: w.delete("k"))
                want["k"] = None
            elif kind == 6:
                retry(lambda: w.flushdb())
                want = {"k": None, "n": None}
            token = w.execute_command("SESSION")
            for i, r in readers.items():
                self.assertEqual(r.execute_command("CONSISTENCY", "session", token), b"OK")
                for _ in range(2):  # the second read is a cache hit
                    self.assertEqual(r.get("k"), want["k"], f"node {i} step {step}")
                    self.assertEqual(r.get("n"), want["n"], f"node {i} step {step}")
        for i in range(1, 4):
            metrics = urllib.request.urlopen(f"http://127.0.0.1:{self.c.http[i - 1]}/metrics",
                                             timeout=5).read().decode()
            hits = [l for l in metrics.splitlines() if l.startswith("cairn_read_cache_hits_total ")]
            self.assertEqual(len(hits), 1, metrics)
            self.assertGreater(float(hits[0].split()[1]), 100, f"node {i}")
            self.assertGreater(readers[i].info("stats")["read_cache_hits"], 100, f"node {i}")

    def client_writes(self, node):
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{self.c.http[node - 1]}/metrics",
                                         timeout=5).read().decode()
        line = [l for l in metrics.splitlines() if l.startswith("cairn_client_writes_total ")]
        self.assertEqual(len(line), 1, metrics)
        return int(float(line[0].split()[1]))

    def metric(self, node, name):
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{self.c.http[node - 1]}/metrics",
                                         timeout=5).read().decode()
        line = [l for l in metrics.splitlines() if l.startswith(name + " ")]
        self.assertEqual(len(line), 1, metrics)
        return int(float(line[0].split()[1]))

    def test_grouped_writes_answer_each_client_its_own_reply(self):
        # Pipelined writes from several connections reach the leader in the
        # same event-loop passes and share group entries; each member's reply
        # must reach its own writer, in its own place. Connection j adds j to
        # its own counter, so a reply handed to the wrong writer (or out of
        # place) shows as a wrong multiple.
        leader = self.c.leader()
        retry(lambda: self.c.client(leader).set("warm", "1"))
        groups_before = self.metric(leader, "cairn_raft_proposal_groups_total")
        results, errors = {}, []

        def writer(j):
            try:
                s = socket.create_connection(("127.0.0.1", self.c.resp[leader - 1]), timeout=30)
                f = s.makefile("rb")
                got = []
                for _ in range(4):
                    s.sendall(b"".join(f"INCRBY ctr{j} {j}\r\n".encode() for _ in range(50)))
                    got += [f.readline() for _ in range(50)]
                s.close()
                results[j] = got
            except Exception as e:  # reported below, in the test's thread
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(j,)) for j in range(1, 9)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        for j in range(1, 9):
            self.assertEqual(results[j], [f":{j * k}\r\n".encode() for k in range(1, 201)], j)
        self.assertGreater(self.metric(leader, "cairn_raft_proposal_groups_total"), groups_before)
        for i in range(1, 4):
            r = self.c.client(i)
            self.assertEqual([retry(lambda: r.get(f"ctr{j}")) for j in range(1, 9)],
                             [str(200 * j).encode() for j in range(1, 9)], f"node {i}")

    def test_pipelined_reads_answered_together_leave_in_one_write(self):
        # Sixteen strong GETs sent at once are confirmed by one ReadIndex
        # request and answered in one Ready; their replies must leave in one
        # socket write, each in its own place. Before replies were held for
        # the end of the Ready, the first reply went out alone and the other
        # fifteen in a second write. Lease reads are answered while the batch
        # is parsed: one write too.
        leader = self.c.leader()
        values = {f"pk{i}": str(100 + i) for i in range(16)}
        retry(lambda: self.c.client(leader).mset(values))
        want = [b"$3\r\n" + v.encode() + b"\r\n" for v in values.values()]
        s = socket.create_connection(("127.0.0.1", self.c.resp[leader - 1]), timeout=10)
        f = s.makefile("rb")
        try:
            for level in (b"strong", b"lease"):
                s.sendall(b"CONSISTENCY " + level + b"\r\n")
                self.assertEqual(f.readline(), b"+OK\r\n")
                for _ in range(20):
                    before = self.client_writes(leader)
                    s.sendall(b"".join(b"GET " + k.encode() + b"\r\n" for k in values))
                    replies = []
                    for _ in range(16):
                        line = f.readline()
                        replies.append(line + f.readline() if line.startswith(b"$") else line)
                    if not any(r.startswith(b"-TRYAGAIN") for r in replies):
                        break
                    # A read refused while the lease or leadership settles: again.
                else:
                    self.fail(f"{level} reads never answered")
                self.assertEqual(replies, want, level)
                self.assertEqual(self.client_writes(leader) - before, 1, level)
        finally:
            s.close()

    def test_pipelined_read_sees_the_connections_own_earlier_write(self):
        # Redis runs one connection's commands in order: a GET pipelined
        # right behind a SET must see it, and must not see the INCR after it.
        # Before the node held a read back until the connection's earlier
        # writes were answered (and a write until its earlier reads were), a
        # strong GET here returned the INCR's value 100 times of 100, and a
        # lease GET missed the SET.
        leader = self.c.leader()
        follower = next(i for i in range(1, 4) if i != leader)
        for node in (leader, follower):
            for level in (["strong"], ["lease"], ["session"]):
                r = self.c.client(node)
                self.assertEqual(r.execute_command("CONSISTENCY", *level), b"OK")
                stale = []
                for i in range(100):
                    p = r.pipeline(transaction=False)
                    p.set("pl", i)
                    p.get("pl")
                    p.incr("pl")
                    p.get("pl")
                    got = p.execute()
                    if got[1:] != [str(i).encode(), i + 1, str(i + 1).encode()]:
                        stale.append((i, got))
                self.assertEqual(stale[:3], [], f"node {node} {level}: {len(stale)} stale of 100")
        # WATCH reads key versions: pipelined behind the connection's own
        # SET it must see it, or the EXEC after it aborts for nothing (it
        # did, 20 times of 20, before WATCH waited like a read).
        s = socket.create_connection(("127.0.0.1", self.c.resp[leader - 1]), timeout=30)
        f = s.makefile("rb")
        aborted = 0
        for i in range(20):
            s.sendall(b"SET pw 1\r\nWATCH pw\r\nMULTI\r\nSET pw 2\r\nEXEC\r\n")
            got = [f.readline() for _ in range(5)]
            if got[4].startswith(b"*-1"):
                aborted += 1
            else:
                self.assertEqual(got[4], b"*1\r\n", got)
                self.assertEqual(f.readline(), b"+OK\r\n")
        s.close()
        self.assertEqual(aborted, 0, "EXEC aborted by the connection's own earlier SET")

    def test_key_reads_behind_the_connections_writes_go_through_the_log(self):
        # A key read pipelined behind the connection's unanswered writes is
        # proposed behind them (one-read transaction entry) instead of
        # waiting for their replies and then for a read round: a pipeline of
        # SET/GET pairs costs one Raft round, not two per pair. Each GET must
        # still see its SET and not the INCR after it, on every level and on
        # a follower too (the read goes to the leader's log); a read the log
        # cannot carry (DBSIZE) still waits for the writes to be answered.
        leader = self.c.leader()
        follower = next(i for i in range(1, 4) if i != leader)
        pairs = 300
        run = 0
        for node in (leader, follower):
            for level in (["strong"], ["lease"], ["bounded", "50"], ["session"], ["eventual"]):
                r = self.c.client(node)
                self.assertEqual(r.execute_command("CONSISTENCY", *level), b"OK")
                for attempt in range(3):
                    retry(lambda: r.flushdb())
                    before = self.metric(node, "cairn_log_reads_total")
                    # Keys new to each run: a stale read then shows as a
                    # missing key, never as the INCR after it (or an earlier
                    # run's INCR).
                    run += 1
                    p = r.pipeline(transaction=False)
                    for i in range(pairs):
                        p.set(f"lr{run}-{i}", i)
                        p.get(f"lr{run}-{i}")
                        p.mget(f"lr{run}-{i}", "lr-missing")
                        p.incr(f"lr{run}-{i}")
                    p.set("lr-fresh", 1)
                    p.dbsize()
                    try:
                        got = p.execute()
                        break
                    except redis.exceptions.ResponseError as e:
                        # An election on a loaded host (CI once saw one
                        # mid-pipeline): the whole pipeline again, on new keys.
                        if "TRYAGAIN" not in str(e) or attempt == 2:
                            raise
                # A follower at bounded or eventual answers a read that did
                # not ride the log (its writes were answered before it was
                # parsed) from what it has applied, which may lack the
                # connection's write: docs/consistency.md. Such a read may be
                # stale (the key missing), never ahead.
                stale_ok = node != leader and level[0] in ("bounded", "eventual")
                for i in range(pairs):
                    want = [str(i).encode(), [str(i).encode(), None], i + 1]
                    have = got[4 * i + 1:4 * i + 4]
                    if stale_ok and have != want:
                        self.assertIn(have[0], (str(i).encode(), None), f"node {node} {level} pair {i}")
                        self.assertIn(have[1], ([str(i).encode(), None], [None, None]),
                                      f"node {node} {level} pair {i}")
                        self.assertEqual(have[2], i + 1, f"node {node} {level} pair {i}")
                        continue
                    self.assertEqual(have, want, f"node {node} {level} pair {i}")
                if not stale_ok:
                    self.assertEqual(got[-1], pairs + 1, f"node {node} {level}: DBSIZE")
                # Which reads ride in the log depends on timing: a GET whose
                # SET was answered before the GET's bytes were parsed (the
                # client sends the pipeline in several chunks) is served the
                # ordinary way, correctly but without the log. So the count
                # is bounded, not exact; a server that never used the log for
                # them would count 0.
                via_log = self.metric(node, "cairn_log_reads_total") - before
                self.assertGreaterEqual(via_log, pairs, f"node {node} {level}: GETs and MGETs via the log")
                self.assertLessEqual(via_log, 2 * pairs, f"node {node} {level}: only GETs and MGETs")

    def test_lua_scripts_run_on_every_replica_through_any_node(self):
        leader = self.c.leader()
        follower = next(i for i in (1, 2, 3) if i != leader)
        f = self.c.client(follower)
        # A lock's release, as client libraries write it, through redis-py's
        # Script (EVALSHA, then SCRIPT LOAD and EVALSHA again on NOSCRIPT).
        release = f.register_script(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
            "else return 0 end")
        self.assertTrue(retry(lambda: f.set("lock", "token-1", nx=True, px=60000)))
        self.assertEqual(release(keys=["lock"], args=["token-2"]), 0)
        self.assertEqual(f.get("lock"), b"token-1")
        self.assertEqual(release(keys=["lock"], args=["token-1"]), 1)
        self.assertIsNone(f.get("lock"))
        # A fixed-window rate limiter: INCR, and PEXPIRE on the first hit.
        limiter = ("local n = redis.call('incr', KEYS[1]) "
                   "if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return n")
        hits = [f.eval(limiter, 1, "rate", 60000) for _ in range(5)]
        self.assertEqual(hits, [1, 2, 3, 4, 5])
        # Random draws and SPOP inside a script: every replica applied the
        # same, so every node shows the same state.
        f.eval("for i = 1, 50 do redis.call('sadd', KEYS[1], math.random(1000000)) end "
               "redis.call('spop', KEYS[1], 10) "
               "redis.call('set', KEYS[2], tostring(math.random()))", 2, "drawn", "r")
        views = [(self.c.client(i).smembers("drawn"), self.c.client(i).get("r"),
                  self.c.client(i).pttl("rate") > 0) for i in (1, 2, 3)]
        self.assertEqual(len(views[0][0]), 40)
        self.assertEqual(views[0], views[1])
        self.assertEqual(views[0], views[2])
        # EVAL_RO alone is a read at the connection's level: no log entry
        # (strong, on the leader), and served by a follower at eventual.
        r = self.c.client(leader)
        proposals = self.metric(leader, "cairn_raft_proposals_total")
        for _ in range(20):
            self.assertEqual(r.execute_command("EVAL_RO", "return redis.call('get', KEYS[1])", 1,
                                               "r"), views[0][1])
        self.assertLess(self.metric(leader, "cairn_raft_proposals_total") - proposals, 20)
        fe = self.c.client(follower)
        fe.execute_command("CONSISTENCY", "eventual")
        self.assertEqual(fe.execute_command("EVAL_RO", "return redis.call('scard', KEYS[1])", 1,
                                            "drawn"), 40)
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "not allowed from read-only"):
            fe.execute_command("EVAL_RO", "return redis.call('del', KEYS[1])", 1, "drawn")
        # The script cache is the node's: SCRIPT LOAD here, EVALSHA there.
        sha = f.script_load("return ARGV[1] .. '!'")
        self.assertEqual(f.evalsha(sha, 0, "hi"), b"hi!")
        other = self.c.client(leader)
        self.assertEqual(other.script_exists(sha), [False])
        with self.assertRaises(redis.exceptions.NoScriptError):
            other.evalsha(sha, 0, "hi")
        # EVALSHA inside MULTI, beside a plain command, in one entry.
        p = f.pipeline(transaction=True)
        p.evalsha(sha, 0, "in-multi")
        p.incr("rate")
        self.assertEqual(p.execute(), [b"in-multi!", 6])
        # An unknown script in MULTI: QUEUED, and its NOSCRIPT in EXEC's
        # array while the rest runs (as Redis answers).
        s = socket.create_connection(("127.0.0.1", self.c.resp[leader - 1]), timeout=10)
        s.sendall(b"MULTI\r\nEVALSHA " + sha.encode() + b" 0\r\nINCR rate\r\nEXEC\r\n")
        want = b"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n-NOSCRIPT No matching script. Please use EVAL.\r\n:7\r\n"
        got = b""
        while len(got) < len(want):
            got += s.recv(4096)
        self.assertEqual(got, want)
        s.close()
        # A script that runs too long is stopped on every replica alike,
        # and the cluster goes on.
        with self.assertRaises(redis.exceptions.ResponseError) as spin:
            # (retried if, under load, the stall still cost the leader its term)
            retry(lambda: f.eval("redis.call('set', KEYS[1], 'before') while true do end", 1,
                                 "spun"))
        self.assertIn("ran longer than Cairn allows", str(spin.exception))
        self.assertEqual(retry(lambda: other.get("spun")), b"before")
        with self.assertRaises(redis.exceptions.ResponseError) as undeclared:
            f.eval("return redis.call('set', 'not-declared', 1)", 0)
        self.assertIn("may write only the keys given to EVAL", str(undeclared.exception))
        # redis-cli --eval, as users run it (keys , args).
        path = os.path.join(self.c.dir, "script.lua")
        with open(path, "w") as fh:
            fh.write("return redis.call('incrby', KEYS[1], ARGV[1])")
        out = subprocess.run(["redis-cli", "-p", str(self.c.resp[follower - 1]), "--eval", path,
                              "cli-counter", ",", "7"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.stdout.strip(), "7", out.stderr)

    def test_monitor_streams_this_nodes_commands(self):
        node = 2
        mon = socket.create_connection(("127.0.0.1", self.c.resp[node - 1]), timeout=10)
        mon.sendall(b"MONITOR\r\n")
        self.assertEqual(mon.recv(100), b"+OK\r\n")
        r = self.c.client(node)
        retry(lambda: r.set("mon", "a b\n\"q\"\x01"))
        self.assertEqual(r.get("mon"), b"a b\n\"q\"\x01")
        with self.assertRaises(redis.exceptions.ResponseError):
            r.execute_command("AUTH", "not-shown")
        retry(lambda: self.c.client(1 if node != 1 else 3).set("elsewhere", "1"))  # another node's
        r.execute_command("PING", "last")
        out = b""
        while b'"last"' not in out:
            chunk = mon.recv(65536)
            self.assertTrue(chunk, out)
            out += chunk
        mon.close()
        lines = out.decode().split("\r\n")
        shown = [l.split("] ", 1)[1] for l in lines if l.startswith("+")]
        self.assertIn('"SET" "mon" "a b\\n\\"q\\"\\x01"', shown)
        self.assertIn('"GET" "mon"', shown)
        self.assertIn('"AUTH" "(redacted)"', shown)
        self.assertIn('"PING" "last"', shown)
        self.assertFalse([l for l in shown if "elsewhere" in l], "only this node's clients")
        self.assertRegex(lines[0], r'^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "')

    def test_client_pause_holds_commands_until_unpause_or_timeout(self):
        # CLIENT PAUSE on one node: the commands it covers wait, in order and
        # with what was pipelined behind them, until CLIENT UNPAUSE (or the
        # timeout); reads pass a WRITE pause; other nodes are not paused.
        leader = self.c.leader()
        node = 1 if leader != 1 else 2
        other = next(i for i in range(1, 4) if i not in (leader, node))
        admin = self.c.client(node)
        retry(lambda: self.c.client(leader).set("pk", "0"))
        wait_until(lambda: admin.get("pk") == b"0", 10, "pk on the node")

        def cmd(*args):
            out = b"*%d\r\n" % len(args)
            for a in args:
                out += b"$%d\r\n%s\r\n" % (len(a), a.encode())
            return out

        def silent_for(sock, seconds):
            # The negative check: nothing arrives in this span (the pause is
            # what the test is about; its end is driven below, not awaited).
            sock.settimeout(seconds)
            try:
                return sock.recv(64) == b""
            except socket.timeout:
                return True

        with self.assertRaisesRegex(redis.exceptions.ResponseError, "timeout is not an integer"):
            admin.execute_command("CLIENT", "PAUSE", "soon")
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "syntax error"):
            admin.execute_command("CLIENT", "PAUSE", "100", "SOME")
        self.assertTrue(admin.execute_command("CLIENT", "PAUSE", "60000", "WRITE"))
        self.assertEqual(admin.get("pk"), b"0")  # reads pass a WRITE pause
        held = socket.create_connection(("127.0.0.1", self.c.resp[node - 1]), timeout=10)
        held.sendall(cmd("SET", "pk", "1") + cmd("GET", "pk"))  # the GET waits behind it
        self.assertTrue(silent_for(held, 0.3), "a write went through a WRITE pause")
        self.assertTrue(retry(lambda: self.c.client(other).set("po", "1")))  # not paused there
        self.assertTrue(self.c.client(node).execute_command("CLIENT", "UNPAUSE"))
        held.settimeout(10)
        got = b""
        while got.count(b"\r\n") < 3:
            got += held.recv(64)
        self.assertEqual(got, b"+OK\r\n$1\r\n1\r\n")
        held.close()
        # ALL holds reads too, and ends by itself after its timeout.
        self.assertTrue(admin.execute_command("CLIENT", "PAUSE", "400", "ALL"))
        reader = socket.create_connection(("127.0.0.1", self.c.resp[node - 1]), timeout=10)
        reader.sendall(cmd("GET", "pk"))
        self.assertTrue(silent_for(reader, 0.1), "a read went through an ALL pause")
        reader.settimeout(10)
        self.assertEqual(reader.recv(64), b"$1\r\n1\r\n")
        reader.close()

    def test_client_reply_off_and_skip_silence_replies_in_order(self):
        # One pipelined burst to a follower: its writes are forwarded and
        # answered later, its reads at once, and only the replies CLIENT
        # REPLY leaves on may reach the client, in order. Ended by a PING
        # whose PONG must be the last bytes.
        leader = self.c.leader()
        node = 1 if leader != 1 else 2
        retry(lambda: self.c.client(leader).set("rk", "0"))
        wait_until(lambda: self.c.client(node).get("rk") == b"0", 10, "rk on the follower")

        def cmd(*args):
            out = b"*%d\r\n" % len(args)
            for a in args:
                a = a.encode() if isinstance(a, str) else a
                out += b"$%d\r\n%s\r\n" % (len(a), a)
            return out

        burst = b"".join([
            cmd("CLIENT", "REPLY", "SKIP"), cmd("SET", "rk", "1"), cmd("GET", "rk"),
            cmd("CLIENT", "REPLY", "OFF"), cmd("SET", "rk", "2"), cmd("INCR", "rk"),
            cmd("GET", "rk"), cmd("CLIENT", "REPLY", "bogus"),
            cmd("CLIENT", "REPLY", "ON"), cmd("GET", "rk"),
            cmd("CLIENT", "REPLY", "SKIP"), cmd("CLIENT", "REPLY", "SKIP"), cmd("GET", "rk"),
            cmd("CLIENT", "TRACKINGINFO"), cmd("PING")])
        # (The second SKIP is itself skipped and skips the GET after it.)
        want = (b"$1\r\n1\r\n" b"+OK\r\n" b"$1\r\n3\r\n"
                b"*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n"
                b"$8\r\nprefixes\r\n*0\r\n" b"+PONG\r\n")
        sock = socket.create_connection(("127.0.0.1", self.c.resp[node - 1]), timeout=10)
        try:
            sock.sendall(burst)
            got = b""
            while not got.endswith(b"+PONG\r\n"):
                chunk = sock.recv(4096)
                self.assertTrue(chunk, f"closed after {got!r}")
                got += chunk
            self.assertEqual(got, want)
        finally:
            sock.close()
        # RESP3 shape and BCAST prefixes, and the mode switch Redis refuses.
        sock = socket.create_connection(("127.0.0.1", self.c.resp[node - 1]), timeout=10)
        try:
            sock.sendall(cmd("HELLO", "3") +
                         cmd("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a:", "PREFIX", "b:") +
                         cmd("CLIENT", "TRACKINGINFO") + cmd("CLIENT", "TRACKING", "ON") +
                         cmd("PING"))
            got = b""
            while not got.endswith(b"+PONG\r\n"):
                chunk = sock.recv(4096)
                self.assertTrue(chunk, f"closed after {got!r}")
                got += chunk
            self.assertIn(b"+OK\r\n%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\nbcast\r\n"
                          b"$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*2\r\n$2\r\na:\r\n"
                          b"$2\r\nb:\r\n-ERR You can't switch BCAST mode", got)
        finally:
            sock.close()

    def test_tracking_optin_optout_and_reads_inside_exec(self):
        # OPTIN tracks only the command after CLIENT CACHING yes (a whole
        # MULTI/EXEC included), OPTOUT all but the one after CACHING no; the
        # invalidations for writes made through the leader reach a tracking
        # connection on a follower. Compared byte for byte with redis-server
        # 7.0.15's pushes for the same script.
        leader = self.c.leader()
        node = 1 if leader != 1 else 2
        w = self.c.client(leader)
        for k in ("oi1", "oi2", "oi3", "oi4"):
            retry(lambda: w.set(k, "1"))
        wait_until(lambda: self.c.client(node).get("oi4") == b"1", 10, "oi4 on the follower")

        def cmd(*args):
            out = b"*%d\r\n" % len(args)
            for a in args:
                out += b"$%d\r\n%s\r\n" % (len(a), a.encode())
            return out

        sock = socket.create_connection(("127.0.0.1", self.c.resp[node - 1]), timeout=10)

        def until_pong(*cmds):
            sock.sendall(b"".join(cmd(*c) for c in cmds) + cmd("PING"))
            got = b""
            while not got.endswith(b"+PONG\r\n"):
                chunk = sock.recv(4096)
                self.assertTrue(chunk, f"closed after {got!r}")
                got += chunk
            return got

        def written(value, *keys):
            for k in keys:
                retry(lambda: w.set(k, value))
            wait_until(lambda: all(self.c.client(node).get(k) == value.encode() for k in keys),
                       10, "the writes on the follower")

        try:
            until_pong(["HELLO", "3"])
            got = until_pong(["CLIENT", "TRACKING", "on", "optin", "optout"],
                             ["CLIENT", "TRACKING", "on", "optin"],
                             ["CLIENT", "CACHING", "no"], ["GET", "oi1"],
                             ["CLIENT", "CACHING", "yes"], ["GET", "oi2"], ["GET", "oi3"],
                             ["CLIENT", "CACHING", "yes"], ["MULTI"], ["GET", "oi4"], ["EXEC"])
            self.assertIn(b"-ERR You can't specify both OPTIN mode and OPTOUT mode", got)
            self.assertIn(b"-ERR CLIENT CACHING NO is only valid when tracking is enabled in "
                          b"OPTOUT mode.", got)
            written("2", "oi1", "oi2", "oi3", "oi4")
            self.assertEqual(until_pong(),
                             b">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\noi2\r\n"
                             b">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\noi4\r\n+PONG\r\n")
            until_pong(["CLIENT", "TRACKING", "off"], ["CLIENT", "TRACKING", "on", "optout"],
                       ["CLIENT", "CACHING", "no"], ["GET", "oi1"], ["GET", "oi2"])
            written("3", "oi1", "oi2")
            self.assertEqual(until_pong(),
                             b">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\noi2\r\n+PONG\r\n")
        finally:
            sock.close()

    def test_client_kill_closes_the_connections_it_names(self):
        node = 2

        def raw_client():
            sock = socket.create_connection(("127.0.0.1", self.c.resp[node - 1]), timeout=10)
            sock.sendall(b"CLIENT ID\r\n")
            reply = sock.recv(100)
            return sock, int(reply[1:reply.index(b"\r")])

        def closed(sock):  # the server closed it: EOF (after any reply sent first)
            data = b""
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    sock.close()
                    return True
                data += chunk

        victims = [raw_client() for _ in range(3)]
        admin = self.c.client(node)
        # By ID (the new form answers a count), then by address (the old
        # form answers OK), then by type.
        self.assertEqual(admin.execute_command("CLIENT", "KILL", "ID", victims[0][1]), 1)
        self.assertTrue(closed(victims[0][0]))
        host, port = victims[1][0].getsockname()
        addr = f"{host}:{port}"
        self.assertIn(f"addr={addr} ", admin.execute_command("CLIENT", "LIST").decode())
        self.assertEqual(admin.execute_command("CLIENT", "KILL", addr), b"OK")
        self.assertTrue(closed(victims[1][0]))
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "No such client"):
            admin.execute_command("CLIENT", "KILL", addr)
        sub_sock, _ = raw_client()
        sub_sock.sendall(b"SUBSCRIBE k-chan\r\n")
        self.assertIn(b"subscribe", sub_sock.recv(100))
        self.assertEqual(admin.execute_command("CLIENT", "KILL", "TYPE", "pubsub"), 1)
        self.assertTrue(closed(sub_sock))
        victims[2][0].sendall(b"PING\r\n")
        self.assertEqual(victims[2][0].recv(100), b"+PONG\r\n", "not a subscriber: spared")
        self.assertEqual(admin.execute_command("CLIENT", "KILL", "ID", 999999), 0)
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "syntax error"):
            admin.execute_command("CLIENT", "KILL", "NOSUCH", "x")
        # SKIPME yes (the default) spares the caller; SKIPME no does not,
        # after its reply.
        me_sock, me = victims[2]
        me_sock.sendall(f"CLIENT KILL ID {me}\r\nCLIENT KILL ID {me} SKIPME no\r\n".encode())
        out = b""
        while True:
            chunk = me_sock.recv(4096)
            if not chunk:
                break
            out += chunk
        me_sock.close()
        self.assertEqual(out, b":0\r\n:1\r\n")

    def test_http_endpoints_and_ctl(self):
        base = f"http://127.0.0.1:{self.c.http[0]}"
        with urllib.request.urlopen(base + "/health", timeout=5) as h:
            self.assertEqual(h.status, 200)
        wait_until(lambda: urllib.request.urlopen(base + "/ready", timeout=5).status == 200, 10,
                   "/ready")
        retry(lambda: self.c.client(1).set("m", "1"))
        memory = self.c.client(1).info("memory")
        # (ThreadSanitizer's allocator leaves malloc's own counts at 0)
        self.assertGreaterEqual(memory["used_memory"], 0)
        self.assertGreater(memory["used_memory_rss"], 1 << 20)
        self.assertEqual((memory["maxmemory"], memory["maxmemory_policy"]), (0, "noeviction"))
        metrics = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
        for name in ("cairn_raft_term", "cairn_raft_commit_index", "cairn_raft_leader_changes_total",
                     "cairn_raft_proposals_total", "cairn_clients_connected",
                     "cairn_client_bytes_in_total", 'cairn_request_duration_seconds_bucket{command="set"',
                     'cairn_raft_log_sync_duration_seconds_bucket{le="0.001"}'):
            self.assertIn(name, metrics)
        # Every durable log write is timed: as many as the fdatasync counter.
        # An acknowledged write need not be durable on this node yet (a
        # majority suffices, and this node may be outside it), so wait for
        # its first log sync, then compare both counters of one scrape.
        def scrape_after_a_sync():
            text = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
            v = dict(l.rsplit(" ", 1) for l in text.splitlines() if l and not l.startswith("#"))
            return v if float(v["cairn_raft_log_sync_duration_seconds_count"]) > 0 else None
        values = wait_until(scrape_after_a_sync, 10, "node 1's first timed log sync")
        self.assertEqual(values["cairn_raft_log_sync_duration_seconds_count"],
                         values["cairn_raft_log_syncs_total"])
        out = subprocess.run([CAIRN, "ctl", "members", "--addr", f"127.0.0.1:{self.c.http[0]}",
                              "--json"], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        members = json.loads(out.stdout)
        self.assertEqual(sorted(m["id"] for m in members), [1, 2, 3])
        self.assertEqual(sum(1 for m in members if m["leader"]), 1)
        table = subprocess.run([CAIRN, "ctl", "status", "--addr", f"127.0.0.1:{self.c.http[0]}"],
                               capture_output=True, text=True, timeout=30)
        self.assertIn("ROLE", table.stdout)

    def test_full_restart_recovers_from_the_wal(self):
        for k in range(50):
            retry(lambda: self.c.client(1 + k % 3).set(f"r{k}", str(k)))
        self.assertEqual(self.c.stop(), {1: 0, 2: 0, 3: 0})
        for i in range(1, 4):
            self.c.start(i)
        self.c.wait_ready()
        for i in range(1, 4):
            r = self.c.client(i)
            for k in range(50):
                self.assertEqual(retry(lambda: r.get(f"r{k}")), str(k).encode(), f"node {i}")

    def test_sigterm_exits_zero(self):
        codes = self.c.stop()
        self.assertEqual(codes, {1: 0, 2: 0, 3: 0})

    def test_save_lastsave_and_shutdown_from_a_client(self):
        # SAVE and BGSAVE take a snapshot (LASTSAVE moves to it); SHUTDOWN
        # stops the leader as SIGTERM does (exit 0), and the others elect
        # a new one that still has the writes.
        leader = self.c.leader()
        r = self.c.client(leader)
        self.assertTrue(retry(lambda: r.set("saved", "v")))
        before = r.lastsave()
        self.assertTrue(r.save())
        self.assertTrue(r.bgsave())
        self.assertGreaterEqual(r.lastsave(), before)
        self.assertGreater(self.metric(leader, "cairn_snapshots_total"), 0)
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "No shutdown in progress"):
            r.shutdown(abort=True)
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "one database|out of range"):
            r.move("saved", 1)
        out = subprocess.run(["redis-cli", "-p", str(self.c.resp[leader - 1]), "shutdown"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(self.c.procs[leader].wait(30), 0)
        other = 1 if leader != 1 else 2
        self.assertEqual(retry(lambda: self.c.client(other).get("saved")), b"v")

    def test_wait_counts_the_replicas_that_hold_the_connections_writes(self):
        leader = self.c.leader()
        f1, f2 = [i for i in (1, 2, 3) if i != leader]
        via_follower = self.c.client(f1)  # WAIT is forwarded to the leader
        self.assertTrue(retry(lambda: via_follower.set("w1", "a")))
        self.assertEqual(via_follower.wait(2, 10000), 2)
        on_leader = self.c.client(leader)
        self.assertEqual(on_leader.wait(5, 100), 2)  # only two replicas exist
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "timeout is negative"):
            on_leader.wait(1, -1)
        self.c.procs[f2].send_signal(signal.SIGSTOP)
        try:
            # A write is acknowledged by a majority (the leader and f1); the
            # stopped follower never holds it, so WAIT 2 runs out its timeout
            # and reports the one replica that does.
            self.assertTrue(on_leader.set("w2", "b"))
            started = time.monotonic()
            self.assertEqual(on_leader.wait(2, 300), 1)
            self.assertGreaterEqual(time.monotonic() - started, 0.29)
            self.assertTrue(via_follower.set("w3", "c"))
            self.assertEqual(via_follower.wait(1, 0), 1)
            # Without a timeout (0, or one too long to matter) WAIT blocks
            # until the follower is back.
            answers = []
            waiters = [threading.Thread(target=lambda: answers.append(on_leader.wait(2, 0))),
                       threading.Thread(target=lambda: answers.append(via_follower.wait(2, 10**15)))]
            for w in waiters:
                w.start()
        finally:
            self.c.procs[f2].send_signal(signal.SIGCONT)
        for w in waiters:
            w.join(30)
        self.assertEqual(answers, [2, 2])
        self.assertEqual(retry(lambda: self.c.client(f2).get("w3")), b"c")

    def test_paused_leader_serves_no_stale_lease_read(self):
        old = self.c.leader()
        retry(lambda: self.c.client(old).set("lease-key", "1"))
        reader = self.c.client(old)
        reader.execute_command("CONSISTENCY", "lease")
        self.assertEqual(retry(lambda: reader.get("lease-key")), b"1")
        self.c.procs[old].send_signal(signal.SIGSTOP)
        try:
            survivors = [i for i in (1, 2, 3) if i != old]

            def new_leader():
                lead = self.c.leader(survivors)
                return lead if lead not in (None, old) else None
            new = wait_until(new_leader, 20, "a new leader among the survivors")
            retry(lambda: self.c.client(new).set("lease-key", "2"))
        finally:
            self.c.procs[old].send_signal(signal.SIGCONT)
        # The old leader wakes up with its lease long expired in real time:
        # it must catch up on the ticks it missed before judging the lease,
        # so this read is refused or forwarded, never answered with "1".
        # (Here the new leader's messages, already in the old leader's
        # sockets, usually depose it first, so this passes even without the
        # catch-up; the test below isolates the catch-up and fails without it.)
        try:
            value = reader.get("lease-key")
        except (redis.exceptions.ResponseError, redis.exceptions.ConnectionError):
            value = None
        self.assertNotEqual(value, b"1", "a paused leader served a stale lease read")

    def raw_leader_reader(self, level, key):
        """Writes `key` = 1 through the leader, then opens a raw RESP
        connection to it at `level` and reads until the leader answers from
        its own state (TRYAGAIN meanwhile). Returns (leader, socket, file)."""
        old = self.c.leader()
        retry(lambda: self.c.client(old).set(key, "1"))
        s = socket.create_connection(("127.0.0.1", self.c.resp[old - 1]), timeout=10)
        f = s.makefile("rb")
        s.sendall(b"CONSISTENCY " + level + b"\r\n")
        self.assertEqual(f.readline(), b"+OK\r\n")
        deadline = time.monotonic() + 15
        while True:
            s.sendall(b"GET " + key.encode() + b"\r\n")
            line = f.readline()
            if line == b"$1\r\n":
                self.assertEqual(f.readline(), b"1\r\n")
                return old, s, f
            self.assertTrue(line.startswith(b"-TRYAGAIN"), line)
            self.assertLess(time.monotonic(), deadline)

    def get_after_only_the_leader_resumes(self, old, s, f, key):
        """Stops every node, lets a second of real time pass, resumes only
        the old leader and sends GET `key` on `s`: no new leader exists and no
        peer message waits in its sockets to depose it. Returns the first
        reply line, or a note if none came within a second. Closes `s`."""
        others = [i for i in (1, 2, 3) if i != old]
        for i in [old] + others:
            self.c.procs[i].send_signal(signal.SIGSTOP)
        try:
            time.sleep(1.0)  # the pause itself: real time must pass
            self.c.procs[old].send_signal(signal.SIGCONT)
            s.sendall(b"GET " + key.encode() + b"\r\n")
            s.settimeout(1.0)
            try:
                return f.readline()
            except (socket.timeout, TimeoutError):
                return b"(no answer: waiting for a quorum)"
        finally:
            for i in others:
                self.c.procs[i].send_signal(signal.SIGCONT)
            self.c.procs[old].send_signal(signal.SIGCONT)
            s.close()

    def test_resumed_leader_does_not_answer_from_a_lease_that_ran_out(self):
        # The deterministic form of the case above: every node is stopped, so
        # no new leader exists and no peer message waits in the old leader's
        # sockets to depose it; then only the old leader resumes. Its lease ran
        # out in real time while it was stopped (a second, far longer than
        # election_timeout_ticks_min - lease_drift_ticks ticks), so a lease
        # read must not be answered from it (it needs a quorum round the
        # stopped peers cannot give, or the leader steps down). A node that
        # does not deliver the ticks it missed believes its lease still holds
        # and answers at once.
        old, s, f = self.raw_leader_reader(b"lease", "lk")
        line = self.get_after_only_the_leader_resumes(old, s, f, "lk")
        self.assertNotEqual(line, b"$1\r\n", "a lease read was answered from a lease that ran out")

    def test_resumed_leader_does_not_answer_bounded_reads_it_cannot_vouch_for(self):
        # The same stop-everyone setup for `CONSISTENCY bounded <ms>` on the
        # leader. The leader's state is fresh as of its last confirmed read
        # index (like a follower's); once stopped for longer than the bound it
        # cannot know whether a newer leader acknowledged writes meanwhile, so
        # it must confirm (a quorum round the stopped peers cannot give) before
        # answering. A leader that trusts its belief that it leads answers at
        # once: a cut-off leader would serve stale reads for as long as it goes
        # on believing it (until check-quorum deposes it, longer if its clock
        # runs slow).
        old, s, f = self.raw_leader_reader(b"bounded 200", "bk")
        # Served locally once confirmed: 100 reads cost a handful of rounds.
        probes = self.metric(old, "cairn_freshness_probes_total")
        self.assertGreaterEqual(probes, 1)
        for _ in range(100):
            s.sendall(b"GET bk\r\n")
            self.assertEqual(f.readline(), b"$1\r\n")
            self.assertEqual(f.readline(), b"1\r\n")
        self.assertLess(self.metric(old, "cairn_freshness_probes_total") - probes, 20)
        line = self.get_after_only_the_leader_resumes(old, s, f, "bk")
        self.assertNotEqual(line, b"$1\r\n", "a bounded read was answered by a leader that "
                            "had not confirmed its state within the bound")

    def test_sigterm_on_leader_hands_leadership_over(self):
        old = self.c.leader()
        term = self.c.status(old)["term"]
        r = self.c.client(old)
        retry(lambda: r.set("before", "1"))
        self.c.procs[old].send_signal(signal.SIGTERM)
        self.assertEqual(self.c.procs[old].wait(10), 0)
        survivors = [i for i in (1, 2, 3) if i != old]
        new = self.c.wait_ready(survivors)
        self.assertNotEqual(new, old)
        # TimeoutNow makes the target campaign at once: one new term, no
        # PreVote round lost to the old leader's lease.
        self.assertEqual(self.c.status(new)["term"], term + 1)
        with open(os.path.join(self.c.dir, f"node{old}.log"), errors="replace") as f:
            log = f.read()
        self.assertIn("hand-over done", log)
        self.assertEqual(retry(lambda: self.c.client(new).get("before")), b"1")


_TLS_DIR = None


def tls_files():
    """A CA, a server certificate for 127.0.0.1 signed by it, a client
    certificate signed by it, and a client certificate signed by another CA,
    made once per run with the openssl tool."""
    global _TLS_DIR
    if _TLS_DIR is None:
        d = tempfile.mkdtemp(prefix="cairn-tls-")

        def run(*args):
            subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

        for ca in ("ca", "otherca"):
            run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{ca}.key",
                "-out", f"{ca}.crt", "-days", "2", "-subj", f"/CN=cairn test {ca}")
        with open(os.path.join(d, "san.cnf"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\n")
        for name, ca in (("server", "ca"), ("client", "ca"), ("stranger", "otherca")):
            run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key",
                "-out", f"{name}.csr", "-subj", f"/CN={name}")
            run("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
                "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", "-extfile", "san.cnf")
        _TLS_DIR = d
    return lambda name: os.path.join(_TLS_DIR, name)


class TlsCluster(Cluster):
    """Every node also serves RESP over TLS on its own port, and asks for a
    client certificate signed by the test CA."""

    def __init__(self, n=3):
        self.tls = free_ports(n)
        super().__init__(n)

    def node_args(self, i):
        f = tls_files()
        return ["--tls-port", str(self.tls[i - 1]), "--tls-cert-file", f("server.crt"),
                "--tls-key-file", f("server.key"), "--tls-ca-cert-file", f("ca.crt")]

    def tls_client(self, i, cert="client", **kw):
        f = tls_files()
        certs = {"ssl_certfile": f(f"{cert}.crt"), "ssl_keyfile": f(f"{cert}.key")} if cert else {}
        return redis.Redis(host="127.0.0.1", port=self.tls[i - 1], socket_timeout=10, ssl=True,
                           ssl_ca_certs=f("ca.crt"), ssl_cert_reqs="required", **certs, **kw)


class TlsTest(ClusterCase):
    """RESP over TLS (tls_port): real clients (redis-py over Python's ssl,
    redis-cli over hiredis's OpenSSL) against a 3-node cluster."""
    cluster_class = TlsCluster

    def test_writes_and_reads_through_any_node_over_tls(self):
        leader = self.c.leader()
        follower = 1 if leader != 1 else 2
        f = self.c.tls_client(follower)
        self.assertTrue(retry(lambda: f.set("t", "over tls")))  # forwarded to the leader
        self.assertEqual(self.c.tls_client(leader).get("t"), b"over tls")
        # Replies far larger than a TLS record and than a socket buffer: the
        # asynchronous write path, in a pipeline.
        big = os.urandom(1 << 20)
        pipe = f.pipeline(transaction=False)
        for i in range(4):
            pipe.set(f"big{i}", big)
            pipe.get(f"big{i}")
        out = pipe.execute()
        self.assertTrue(out[1::2] == [big] * 4, "a GET over TLS returned another value")
        # The plain port serves the same data.
        self.assertTrue(self.c.client(leader).get("big3") == big)
        info = f.info("server")
        self.assertEqual(info["tls_port"], self.c.tls[follower - 1])
        self.assertEqual(f.config_get("tls-auth-clients"), {"tls-auth-clients": "yes"})

    def test_redis_cli_over_tls(self):
        f = tls_files()
        base = ["redis-cli", "-p", str(self.c.tls[self.c.leader() - 1]), "--tls",
                "--cacert", f("ca.crt")]
        cert = ["--cert", f("client.crt"), "--key", f("client.key")]
        out = subprocess.run(base + cert + ["SET", "cli", "tls"], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.stdout.strip(), "OK", out.stderr)
        out = subprocess.run(base + cert + ["GET", "cli"], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.stdout.strip(), "tls", out.stderr)
        # Without a client certificate the handshake is refused.
        out = subprocess.run(base + ["PING"], capture_output=True, text=True, timeout=30)
        self.assertNotIn("PONG", out.stdout)

    def test_refused_clients_get_no_service_and_the_node_keeps_serving(self):
        leader = self.c.leader()
        port = self.c.tls[leader - 1]
        # No certificate, and a certificate from a CA the node does not trust.
        for cert in (None, "stranger"):
            with self.assertRaises(redis.exceptions.ConnectionError):
                self.c.tls_client(leader, cert=cert).ping()
        # Plain RESP sent to the TLS port is not a handshake: closed unanswered.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"*1\r\n$4\r\nPING\r\n")
            self.assertEqual(s.recv(64), b"")
        self.assertTrue(self.c.tls_client(leader).ping())
        with urllib.request.urlopen(f"http://127.0.0.1:{self.c.http[leader - 1]}/metrics",
                                    timeout=5) as r:
            metrics = r.read().decode()
        failures = [line for line in metrics.splitlines()
                    if line.startswith("cairn_client_tls_handshake_failures_total ")]
        self.assertGreaterEqual(int(failures[0].split()[1]), 3, failures)

    def test_import_into_the_cluster_over_tls(self):
        # `cairn import --to-tls` copies a plain Redis into the TLS ports,
        # with the client certificate the nodes ask for.
        f = tls_files()
        with redis_server(self) as (port, src):
            src.mset({f"tk{i}": i for i in range(200)})
            nodes = ",".join(f"127.0.0.1:{p}" for p in self.c.tls)
            out = subprocess.run([CAIRN, "import", "--from", f"127.0.0.1:{port}", "--to", nodes,
                                  "--to-tls", "--cacert", f("ca.crt"), "--cert", f("client.crt"),
                                  "--key", f("client.key"), "--json"],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            self.assertEqual(json.loads(out.stdout)["copied"], 200)
            self.assertEqual(self.c.tls_client(self.c.leader()).get("tk199"), b"199")
            # Without the client certificate the cluster cannot be reached.
            out = subprocess.run([CAIRN, "import", "--from", f"127.0.0.1:{port}", "--to", nodes,
                                  "--to-tls", "--cacert", f("ca.crt")],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 1, out.stdout + out.stderr)

    def test_blocking_pop_over_tls_waits_and_sees_its_client_leave(self):
        leader = self.c.leader()
        f = self.c.tls_client(leader)
        # BLPOP and a PING in one write: the PING waits in the parser while
        # the pop waits, then both are answered in order.
        got = []
        conn = f.connection_pool.get_connection("_")
        conn.send_packed_command(conn.pack_commands([("BLPOP", "tq", "0"), ("PING",)]))
        wait_until(lambda: int(f.info("clients")["blocked_clients"]) == 1, 10, "a waiter")
        self.assertEqual(self.c.tls_client(leader).rpush("tq", "x"), 1)
        got.append(conn.read_response())
        got.append(conn.read_response())
        self.assertEqual(got, [[b"tq", b"x"], b"PONG"])
        f.connection_pool.release(conn)
        # A waiter whose client goes away stops waiting.
        g = self.c.tls_client(leader)
        gone = g.connection_pool.get_connection("_")
        gone.send_command("BLPOP", "never", "0")
        wait_until(lambda: int(f.info("clients")["blocked_clients"]) == 1, 10, "a waiter")
        gone.disconnect()
        wait_until(lambda: int(f.info("clients")["blocked_clients"]) == 0, 10, "no waiter")


class DevTest(unittest.TestCase):
    """`cairn dev`, the one-command local cluster, with --tls-base."""

    def test_dev_cluster_serves_tls_with_its_own_ca_and_stops_on_ctrl_c(self):
        resp, raft, http, tls = free_ports(4)
        dev = subprocess.Popen([CAIRN, "dev", "--nodes", "1", "--resp-base", str(resp),
                                "--raft-base", str(raft), "--http-base", str(http),
                                "--tls-base", str(tls)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            lines = []
            for line in dev.stdout:  # until it says how to reach it
                lines.append(line)
                if "Ctrl-C stops the cluster" in line:
                    break
            printed = "".join(lines)
            hint = next((l for l in lines if l.startswith("TLS:")), None)
            self.assertIsNotNone(hint, printed)
            cacert = hint.split("--cacert ")[1].split()[0]
            c = redis.Redis(host="127.0.0.1", port=tls, ssl=True, ssl_ca_certs=cacert,
                            ssl_cert_reqs="required", socket_timeout=10)
            self.assertTrue(retry(lambda: c.set("dev", "tls")))
            self.assertEqual(redis.Redis(port=resp, socket_timeout=10).get("dev"), b"tls")
        finally:
            dev.send_signal(signal.SIGINT)
            out, _ = dev.communicate(timeout=30)
        self.assertEqual(dev.returncode, 0, out)
        self.assertIn("cairn dev: stopped", out)
        self.assertFalse(os.path.exists(os.path.dirname(cacert)), "the data directory stayed")


class PasswordCluster(Cluster):
    extra_env = {"CAIRN_REQUIREPASS": "s3cret pass"}  # (the environment route of the setting)


class AuthTest(ClusterCase):
    """A node with a requirepass: nothing but AUTH, HELLO, QUIT and RESET
    before the password; the HTTP API's changes ask for it too."""
    cluster_class = PasswordCluster

    def raw(self, node, *commands):
        """Sends RESP commands on one fresh connection; returns the raw reply bytes."""
        with socket.create_connection(("127.0.0.1", self.c.resp[node - 1]), timeout=10) as s:
            req = b""
            for cmd in commands:
                req += f"*{len(cmd)}\r\n".encode()
                for a in cmd:
                    a = a.encode() if isinstance(a, str) else a
                    req += f"${len(a)}\r\n".encode() + a + b"\r\n"
            s.sendall(req + b"*1\r\n$4\r\nQUIT\r\n")
            out = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return out
                out += chunk

    def test_import_copies_a_redis_server_with_passwords_on_both_sides(self):
        # `cairn import` from a redis-server with its own requirepass into
        # this cluster (CAIRN_PASSWORD): every key and TTL arrives; without
        # the source's password it fails with exit 1 and copies nothing.
        with redis_server(self, password="src pw") as (port, src):
            for i in range(1200):  # three SCAN pages at --batch 500
                src.set(f"imp:{i}", i)
            src.rpush("imp:list", *range(50))
            src.set("imp:ttl", "x", px=600000)
            src.set("other", "not matched")
            node = f"127.0.0.1:{self.c.resp[self.c.leader() - 1]}"
            env = dict(os.environ, CAIRN_PASSWORD="s3cret pass")
            refused = subprocess.run([CAIRN, "import", "--from", f"127.0.0.1:{port}", "--to", node],
                                     capture_output=True, text=True, timeout=60, env=env)
            self.assertEqual(refused.returncode, 1, refused.stdout + refused.stderr)
            self.assertIn("NOAUTH", refused.stderr)
            run = subprocess.run([CAIRN, "import", "--from", f"127.0.0.1:{port}", "--to", node,
                                  "--from-password", "src pw", "--match", "imp:*", "--json"],
                                 capture_output=True, text=True, timeout=120, env=env)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            counts = json.loads(run.stdout)
            self.assertEqual((counts["copied"], counts["failed"], counts["existing"]), (1202, 0, 0))
            dst = self.c.client(self.c.leader(), password="s3cret pass")
            self.assertEqual(dst.dbsize(), 1202)
            self.assertEqual(dst.get("imp:1199"), b"1199")
            self.assertEqual(dst.lrange("imp:list", 0, -1), [str(i).encode() for i in range(50)])
            self.assertTrue(500000 < dst.pttl("imp:ttl") <= 600000)
            # Again: everything is there; --replace overwrites.
            again = subprocess.run([CAIRN, "import", "--from", f"127.0.0.1:{port}", "--to", node,
                                    "--from-password", "src pw", "--match", "imp:*"],
                                   capture_output=True, text=True, timeout=120, env=env)
            self.assertEqual(again.returncode, 0, again.stderr)
            self.assertIn("copied 0 of 1202 keys", again.stdout)
            self.assertIn("1202 already there", again.stdout)

    def test_acl_describes_the_one_user(self):
        # ACL after AUTH (before it, NOAUTH like any command): the default
        # user with its password, every command; no other user can be made.
        leader = self.c.leader()
        with self.assertRaises(redis.exceptions.AuthenticationError):
            self.c.client(leader).acl_whoami()
        r = self.c.client(leader, password="s3cret pass")
        self.assertEqual(r.acl_whoami(), "default")
        self.assertEqual(r.acl_users(), ["default"])
        self.assertEqual(r.acl_list(), ["user default on ~* &* +@all"])
        self.assertIn("sortedset", r.acl_cat())
        self.assertEqual(len(r.acl_genpass()), 64)
        self.assertEqual(r.acl_log(), [])
        with self.assertRaisesRegex(redis.exceptions.ResponseError, "one user"):
            r.acl_setuser("bob", enabled=True)

    def test_commands_need_the_password_first(self):
        pw = "s3cret pass"
        leader = self.c.leader()
        follower = next(i for i in (1, 2, 3) if i != leader)
        with self.assertRaises(redis.exceptions.AuthenticationError):
            self.c.client(follower).set("k", "v")
        with self.assertRaises(redis.exceptions.ResponseError) as wrong:
            self.c.client(follower, password="nope").ping()
        self.assertIn("WRONGPASS", str(wrong.exception))
        # With it: a write through a follower (forwarded over the peer link,
        # which takes no password) is read back on every node.
        self.assertTrue(retry(lambda: self.c.client(follower, password=pw).set("k", "v")))
        for i in (1, 2, 3):
            self.assertEqual(self.c.client(i, password=pw, username="default").get("k"), b"v")
        out = self.raw(follower,
                       ["GET", "k"],                                 # refused
                       ["HELLO", "3"],                               # refused: no AUTH in it
                       ["HELLO", "3", "AUTH", "default", "wrong"],  # wrong password
                       ["PING"],                                     # still refused
                       ["AUTH", "someone", pw],                     # no such user
                       ["AUTH"],                                     # arity
                       ["HELLO", "3", "AUTH", "default", pw, "SETNAME", "me"],
                       ["CLIENT", "GETNAME"],
                       ["GET", "k"],
                       ["AUTH", "wrong"],                            # fails, stays logged in
                       ["GET", "k"],
                       ["RESET"],                                    # logs out
                       ["GET", "k"],
                       ["AUTH", pw],
                       ["GET", "k"],
                       # Queued in MULTI, as in Redis: the replies stand in EXEC's array.
                       ["MULTI"], ["AUTH", "wrong"], ["AUTH", pw], ["EXEC"])
        self.assertTrue(out.startswith(
            b"-NOAUTH Authentication required.\r\n-NOAUTH HELLO must be called with the client "
            b"already authenticated"), out)
        self.assertEqual(out.count(b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"),
                         4, out)
        self.assertIn(b"-ERR wrong number of arguments for 'auth' command\r\n", out)
        self.assertIn(b"%7\r\n", out)  # the RESP3 HELLO map
        tail = out[out.index(b"%7\r\n"):]
        self.assertIn(b"$2\r\nme\r\n", tail)
        self.assertTrue(tail.endswith(
            b"$1\r\nv\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n"
            b"$1\r\nv\r\n+RESET\r\n-NOAUTH Authentication required.\r\n+OK\r\n$1\r\nv\r\n"
            b"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n-WRONGPASS invalid username-password pair or user "
            b"is disabled.\r\n+OK\r\n+OK\r\n"),
            tail)
        info = self.c.client(follower, password=pw).info("stats")
        self.assertEqual(info["acl_access_denied_auth"], 5)  # the client's, and four raw ones
        with urllib.request.urlopen(f"http://127.0.0.1:{self.c.http[follower - 1]}/metrics",
                                    timeout=5) as m:
            self.assertIn("cairn_auth_failures_total 5\n", m.read().decode())
        # redis-cli, as users run it.
        cli = subprocess.run(["redis-cli", "-p", str(self.c.resp[leader - 1]), "get", "k"],
                             capture_output=True, text=True, timeout=30)
        self.assertIn("NOAUTH", cli.stdout + cli.stderr)
        cli = subprocess.run(["redis-cli", "-p", str(self.c.resp[leader - 1]), "--no-auth-warning",
                              "-a", pw, "get", "k"], capture_output=True, text=True, timeout=30)
        self.assertEqual(cli.stdout.strip(), "v", cli.stderr)

    def test_the_raft_port_shuts_out_peers_without_the_secret(self):
        # A forged Hello (node 7, no proof of the shared secret), then a Raft
        # frame: the node closes the connection unread and counts it.
        def crc32c(data):
            crc = 0xFFFFFFFF
            for b in data:
                crc ^= b
                for _ in range(8):
                    crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
            return crc ^ 0xFFFFFFFF

        def frame(kind, payload):
            c = crc32c(payload)
            masked = ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF
            return struct.pack("<IBBI", len(payload), 1, kind, masked) + payload

        leader = self.c.leader()
        hello = frame(1, struct.pack("<Q", 7) + struct.pack("<I", 0))  # id, empty address
        with socket.create_connection(("127.0.0.1", self.c.raft[leader - 1]), timeout=10) as s:
            s.sendall(hello + frame(2, b"\x00" * 64))
            self.assertEqual(s.recv(1), b"", "the connection is closed")
        with urllib.request.urlopen(f"http://127.0.0.1:{self.c.http[leader - 1]}/metrics",
                                    timeout=5) as m:
            self.assertIn("cairn_peer_unauthenticated_total 1\n", m.read().decode())
        self.assertEqual(self.c.leader(), leader)
        self.assertTrue(retry(lambda: self.c.client(leader, password="s3cret pass").set("k", "v")))

    def test_http_changes_need_the_password(self):
        pw = "s3cret pass"
        leader = self.c.leader()
        addr = f"127.0.0.1:{self.c.http[leader - 1]}"
        # Probes, metrics and status stay open.
        for path in ("/health", "/metrics", "/v1/status", "/v1/members"):
            with urllib.request.urlopen(f"http://{addr}{path}", timeout=5) as r:
                self.assertEqual(r.status, 200, path)
        req = urllib.request.Request(f"http://{addr}/v1/snapshot", data=b"", method="POST")
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(req, timeout=5)
        self.assertEqual(refused.exception.code, 401)
        env = {k: v for k, v in os.environ.items() if k != "CAIRN_PASSWORD"}
        ctl = [CAIRN, "ctl", "transfer-leader", "--addr", addr]
        out = subprocess.run(ctl, capture_output=True, text=True, timeout=30, env=env)
        self.assertEqual(out.returncode, 1, out.stdout)
        self.assertIn("authentication required", out.stderr)
        self.assertEqual(self.c.leader(), leader, "a refused change changed nothing")
        out = subprocess.run(ctl + ["--password", pw], capture_output=True, text=True, timeout=30,
                             env=env)
        self.assertEqual(out.returncode, 0, out.stderr)
        wait_until(lambda: self.c.leader() not in (None, leader), 20, "the new leader")
        # The password from the environment; a snapshot is node-local.
        out = subprocess.run([CAIRN, "ctl", "snapshot", "--addr", addr, "--json"],
                             capture_output=True, text=True, timeout=30,
                             env={**env, "CAIRN_PASSWORD": pw})
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("snapshot_index", out.stdout)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--cairn", required=True)
    args, rest = ap.parse_known_args()
    CAIRN = os.path.abspath(args.cairn)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)

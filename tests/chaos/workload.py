"""Concurrent register clients that record every invocation and completion.

Runs as its own process (inside the client namespace when namespaces are
used). Each worker is one `process` in the history: it invokes one op at a
time on a random key, against a node it picks, with a timeout. A timeout or
a connection lost after sending is recorded as `info` (indeterminate); a
refused connection (nothing sent) is `fail`. Values written are unique per
key (process * 1_000_000 + sequence), so a read names the write it saw.

With --session-tokens (Cairn at `CONSISTENCY session`), a worker carries
the node's session token as a real client moving between nodes would: it
asks `SESSION` after every completed op, passes the highest token it has to
each new connection with `CONSISTENCY session <token>`, and with --hop moves
to another node at random between ops. A write's token is the log index
that applied it, recorded as the op's `version` for the session checker.
With --versions (any level) a worker asks `SESSION` only after its ok
writes, to record their versions for the bounded checker.

The history is JSON lines in the format of docs/checkers.md.
"""

import argparse
import json
import random
import threading
import time

import redis


class History:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)
        self.lock = threading.Lock()

    def emit(self, **event):
        event["time_ns"] = time.monotonic_ns()
        with self.lock:
            self.f.write(json.dumps(event) + "\n")


def connect(addr, timeout_s, setup):
    host, port = addr.rsplit(":", 1)
    c = redis.Redis(host=host, port=int(port), socket_timeout=timeout_s,
                    socket_connect_timeout=timeout_s, decode_responses=True)
    for cmd in setup:
        c.execute_command(*cmd.split())
    return c


def to_int(v):
    return None if v is None else int(v)


def do_op(c, op, key, value):
    if op == "read":
        return "ok", to_int(c.get(key))
    if op == "write":
        c.set(key, value)
        return "ok", None
    # cas [old, new]: WATCH / GET / MULTI / SET / EXEC on one connection
    old, new = value
    with c.pipeline(transaction=True) as p:
        try:
            p.watch(key)
        except redis.WatchError as e:  # the connection failed before MULTI: nothing written
            raise redis.exceptions.ConnectionError(str(e)) from e
        try:
            cur = to_int(p.get(key))
        except redis.WatchError as e:  # redis-py reports a lost connection while watching so
            raise redis.exceptions.ConnectionError(str(e)) from e
        if cur != old:
            p.unwatch()
            return "fail", None
        p.multi()
        p.set(key, new)
        try:
            p.execute()
        except redis.WatchError as e:
            # redis-py raises WatchError both for a real abort (EXEC answered
            # nil: nothing written) and for a connection lost while watching,
            # after EXEC may have been applied: the latter is indeterminate.
            if "ConnectionError" in str(e) or "Timeout" in str(e):
                raise redis.exceptions.ConnectionError(str(e)) from e
            return "fail", None
        return "ok", None


def worker(proc, args, hist, stop_at, rng, reader_addr=None):
    """A client; with reader_addr it only reads, always from that node."""
    addrs = [reader_addr] if reader_addr else args.nodes.split(",")
    setup = [s for s in args.setup.split(";") if s]
    seq = 0
    last = {}
    token = 0  # the highest session token this client was given (--session-tokens)
    conn, conn_addr = None, None
    while time.monotonic() < stop_at:
        key = f"k{rng.randrange(args.keys)}"
        op = "read" if reader_addr else rng.choices(["read", "write", "cas"], weights=[5, 3, 2])[0]
        if conn is None:
            # A new connection (the first, or after an error) starts with a
            # read: after a crash, reads then reach the restarted server
            # before writes can overwrite what it lost. Otherwise a system
            # that loses writes can pass whenever every key happens to be
            # written first after each restart (seen: 1 run in 8).
            op = "read"
        seq += 1
        value = None
        if op == "write":
            value = proc * 1_000_000 + seq
        elif op == "cas":
            if key in last:
                value = [last[key], proc * 1_000_000 + seq]
            else:  # nothing known to compare with yet
                op, value = "write", proc * 1_000_000 + seq
        ev = dict(process=proc, f=op, key=key)
        hist.emit(type="invoke", value=value, **ev)
        sent = False
        try:
            if conn is None:
                conn_addr = rng.choice(addrs)
                conn = connect(conn_addr, args.timeout,
                               setup + ([f"CONSISTENCY session {token}"] if args.session_tokens else []))
            sent = True
            outcome, result = do_op(conn, op, key, value)
            extra = {}
            if args.session_tokens or (args.versions and outcome == "ok" and op != "read"):
                try:
                    # The connection's token: after a write, the index that
                    # applied it (everything earlier on the connection is
                    # below it: the write was proposed after it completed).
                    reported = int(conn.execute_command("SESSION"))
                    token = max(token, reported)
                    if outcome == "ok" and op != "read":
                        extra["version"] = reported
                except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError):
                    conn = None  # the op's outcome stands; its version is unknown
            if op == "read":
                hist.emit(type="ok", value=result, node=conn_addr, **ev)
                if result is not None:
                    last[key] = result
            else:
                hist.emit(type=outcome, node=conn_addr, **extra, **ev)
                if outcome == "ok":
                    last[key] = value if op == "write" else value[1]
            if conn is not None and args.hop and rng.random() < args.hop:
                conn.close()
                conn = None  # the next op goes to a node picked afresh
        except redis.exceptions.ResponseError as e:
            # The server answered with an error. TIMEOUT means the write may
            # or may not have applied (indeterminate); any other error means
            # it did not take effect (no leader, lost to a leader change...).
            maybe = str(e).startswith("TIMEOUT") and op != "read"
            hist.emit(type="info" if maybe else "fail", error=str(e)[:80], **ev)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as e:
            refused = isinstance(e, redis.exceptions.ConnectionError) and "refused" in str(e).lower()
            kind = "fail" if (refused or not sent) else "info"
            if op == "read":
                kind = "fail"  # a read that did not return changed nothing
            hist.emit(type=kind, error=type(e).__name__, **ev)
            conn = None
            time.sleep(0.05)  # pacing after an error, not synchronisation


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", required=True, help="host:port,host:port")
    ap.add_argument("--history", required=True)
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--keys", type=int, default=3)
    ap.add_argument("--duration", type=float, default=30)
    ap.add_argument("--timeout", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--setup", default="", help="commands sent on each new connection, ';'-separated")
    ap.add_argument("--readers", type=int, default=0,
                    help="extra read-only clients, each pinned to --reader-node")
    ap.add_argument("--reader-node", default="", help="host:port the read-only clients use")
    ap.add_argument("--session-tokens", action="store_true",
                    help="carry Cairn's session token across connections and record write versions")
    ap.add_argument("--versions", action="store_true",
                    help="ask Cairn's SESSION after each ok write and record it as the write's version")
    ap.add_argument("--hop", type=float, default=0.0,
                    help="chance of moving to another node after each op")
    args = ap.parse_args()
    hist = History(args.history)
    stop_at = time.monotonic() + args.duration
    threads = []
    for p in range(1, args.clients + 1):
        t = threading.Thread(target=worker, args=(p, args, hist, stop_at, random.Random(args.seed * 1000 + p)))
        t.start()
        threads.append(t)
    for r in range(args.readers):
        p = args.clients + 1 + r
        t = threading.Thread(target=worker, args=(p, args, hist, stop_at, random.Random(args.seed * 1000 + p),
                                                  args.reader_node))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()

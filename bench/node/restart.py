#!/usr/bin/python3
"""Whole-process restart of a node that holds about 1 GiB of Raft log.

    scripts/build.sh release cairn
    /usr/bin/python3 bench/node/restart.py [--gib 1.0] [--out bench/results/restart.md]

Starts a 3-node cluster on 127.0.0.1 with automatic snapshots off
(--snapshot-entries 0), so the log is never compacted, and writes about
--gib GiB of entries through redis-benchmark (SET, 4 KiB values over 1000
keys, pipelined 16 deep). Then, for a follower, twice: stop it (SIGTERM, and
then kill -9), start it again and time

  * start -> /health answers (the WAL is replayed, RocksDB opened),
  * start -> /ready (it has a leader and has applied everything committed),

with the restarted process's peak RSS (VmHWM) and the node's own log line
counting the entries it replayed. Every process is stopped by PID.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def http_ok(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=0.5) as r:
            return r.status == 200
    except Exception:
        return False


def du_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def restart_once(c, i, how):
    p = c.procs[i]
    if how == "kill -9":
        p.kill9()
    else:
        p.stop(timeout=60)
    t0 = time.monotonic()
    c.start(i)
    http = c.http[i - 1]
    health = ready = None
    deadline = t0 + 300
    while time.monotonic() < deadline and ready is None:
        now = time.monotonic()
        if health is None and http_ok(http, "/health"):
            health = now - t0
        if health is not None and http_ok(http, "/ready"):
            ready = now - t0
        time.sleep(0.01)  # polling interval, not synchronisation
    if ready is None:
        raise SystemExit(f"node {i} not ready 300 s after a restart ({how})")
    rss = common.peak_rss_mb(c.procs[i].pid)
    replayed = ""
    with open(os.path.join(c.base, f"cairn{i}.log"), errors="replace") as f:
        for line in f:
            if "log entries to replay" in line:
                replayed = line.strip().split("] ", 1)[-1]
    return {"how": how, "health_s": health, "ready_s": ready, "rss_mb": rss, "replayed": replayed}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gib", type=float, default=1.0)
    ap.add_argument("--out", default=os.path.join(common.ROOT, "bench", "results", "restart.md"))
    args = ap.parse_args()
    if not os.path.exists(common.CAIRN):
        raise SystemExit(f"{common.CAIRN} is missing: scripts/build.sh release cairn")
    base = tempfile.mkdtemp(prefix="cairn-restart-")
    c = common.CairnCluster(base, 3, ["--snapshot-entries", "0"])
    try:
        leader = c.start_all()
        value = 4096
        n = int(args.gib * (1 << 30) / value)
        t = time.monotonic()
        subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(c.resp[leader - 1]), "-t", "set",
                        "-d", str(value), "-r", "1000", "-n", str(n), "-c", "50", "-P", "16", "-q"],
                       check=True, capture_output=True, timeout=1800)
        load_s = time.monotonic() - t
        follower = next(i for i in (1, 2, 3) if i != leader)
        wal_dir = os.path.join(base, f"cairn{follower}")
        wal_bytes = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(wal_dir)
                        for f in fs if f.endswith(".wal"))
        runs = [restart_once(c, follower, how) for how in ("SIGTERM", "kill -9")]
        data_bytes = du_bytes(wal_dir)
        if c.leader() is None:
            raise SystemExit("no leader after the restarts")
    finally:
        c.stop()
        shutil.rmtree(base, ignore_errors=True)
    load = os.getloadavg()[0]
    lines = [
        "# Restart of a node holding about 1 GiB of Raft log",
        "",
        f"Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Machine: {common.machine()}.",
        f"Load average after the run: {load:.1f}.",
        "",
        "Command:",
        "",
        "    scripts/build.sh release cairn",
        f"    /usr/bin/python3 bench/node/restart.py --gib {args.gib}",
        "",
        f"Load: {n} SETs of {value} bytes over 1000 keys (redis-benchmark -P 16 -c 50) in {load_s:.1f} s, "
        "automatic snapshots off, so no entry was compacted.",
        f"The restarted follower's WAL segments: {wal_bytes / (1 << 30):.2f} GiB "
        f"(its whole data directory: {data_bytes / (1 << 30):.2f} GiB).",
        "",
        "| stop | start -> /health | start -> /ready | peak RSS MB | node's log |",
        "|---|---|---|---|---|",
    ]
    for r in runs:
        lines.append(f"| {r['how']} | {r['health_s']:.2f} s | {r['ready_s']:.2f} s | {r['rss_mb']:.0f} | "
                     f"{r['replayed']} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()

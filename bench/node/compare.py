#!/usr/bin/python3
"""Cairn side by side with Redis and etcd, in one run, on loopback.

    scripts/build.sh release cairn cairn_set_wait_driver
    /usr/bin/python3 bench/node/compare.py [--requests 200000] [--rounds 3] [--out bench/results/node.md]

Systems, each started alone, measured, stopped:
  cairn      3 `cairn server` nodes, every write fsynced by a majority before
             the reply; redis-benchmark drives the leader (strong GETs), then
             the cluster restarts with --default-consistency lease (lease GETs)
  always     redis-server, appendonly yes, appendfsync always
  everysec   redis-server, appendonly yes, appendfsync everysec
  wait2      redis primary + 2 replicas; every SET followed by WAIT 2 0
             (cairn_set_wait_driver: redis-benchmark cannot send the pair)
  etcd       3 etcd members; wrk POSTs /v3/kv/put to the leader
Load: redis-benchmark -t set,get -d 256 -c 50 -n N with -P 1 and -P 16 (the
same for every Redis-protocol system); 50 connections for WAIT and etcd.
Peak RSS is VmHWM of the server processes (summed over a cluster's nodes).
With --rounds N every system runs N times in turn; the table shows medians
and the ops/s range, and each goal is the median of the N same-round ratios
(the host's speed drifts between minutes, so a ratio is only taken within a
round). The table and goals replace the top of --out; the text from
"## Reading the figures" on is kept.
"""
import argparse
import base64
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import common  # noqa: E402

DRIVER = os.path.join(common.ROOT, "build", "release", "bench", "node", "cairn_set_wait_driver")


def redis_benchmark(port, pipeline, n, tests="set,get", command=None):
    """redis-benchmark's -t tests, or one `command` (a list of its words) instead."""
    cmd = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-d", "256", "-c", "50",
           "-n", str(n), "-P", str(pipeline), "--csv"]
    cmd += command if command else ["-t", tests]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=900).stdout
    rows = {}
    for line in out.splitlines():
        f = [x.strip('"') for x in line.split('","')]
        name = f[0].strip('"').split(" ")[0]  # "LPUSH (needed to benchmark LPOP)": LPUSH
        if len(f) >= 7 and name.isupper():
            rows[name] = {"rps": float(f[1]), "p50_ms": float(f[4]), "p99_ms": float(f[6])}
    if not rows:
        raise SystemExit(f"redis-benchmark printed nothing usable: {' '.join(cmd)}\n{out}")
    return rows


def run_cairn(base, n):
    res = {}
    for level in ("strong", "lease"):
        c = common.CairnCluster(os.path.join(base, f"cairn-{level}"), 3, ["--default-consistency", level])
        try:
            leader = c.start_all()
            port = c.resp[leader - 1]
            if level == "strong":
                for p in (1, 16):
                    r = redis_benchmark(port, p, n)
                    res[f"SET P{p}"] = r["SET"]
                    res[f"GET strong P{p}"] = r["GET"]
            else:
                redis_benchmark(port, 16, 1000, "set")  # the key the GETs read (a 256-byte value)
                for p in (1, 16):
                    res[f"GET lease P{p}"] = redis_benchmark(port, p, n, "get")["GET"]
            rss = c.rss_mb()
            for k in res:
                res[k].setdefault("rss_mb", rss)
            if c.leader() != leader:
                raise SystemExit("the Cairn leader changed during the run: figures void")
        finally:
            c.stop()
    return res


def start_redis(base, name, args):
    port = common.free_ports(1)[0]
    d = os.path.join(base, name)
    os.makedirs(d)
    p = common.Proc(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", d, "--save", "",
                     "--protected-mode", "no", *args], os.path.join(base, f"{name}.log"))
    common.wait_until(lambda: common.port_open(port), 10, f"redis {name}")
    return p, port


def run_redis(base, name, fsync, n):
    p, port = start_redis(base, name, ["--appendonly", "yes", "--appendfsync", fsync])
    try:
        res = {}
        for pl in (1, 16):
            r = redis_benchmark(port, pl, n)
            res[f"SET P{pl}"], res[f"GET P{pl}"] = r["SET"], r["GET"]
        rss = common.peak_rss_mb(p.pid)
        for v in res.values():
            v["rss_mb"] = rss
        return res
    finally:
        p.stop()


def run_wait2(base, n):
    primary, port = start_redis(base, "primary", ["--appendonly", "no"])
    replicas = []
    try:
        for i in (1, 2):
            replicas.append(start_redis(base, f"replica{i}", ["--appendonly", "no", "--replicaof", "127.0.0.1",
                                                              str(port)])[0])

        def synced():
            info = subprocess.run(["redis-cli", "-p", str(port), "info", "replication"], capture_output=True,
                                  text=True).stdout
            return info.count("state=online") == 2
        common.wait_until(synced, 20, "two online replicas")
        out = subprocess.run([DRIVER, "127.0.0.1", str(port), "50", str(n), "256", "2"], capture_output=True,
                             text=True, timeout=900)
        if out.returncode != 0:
            raise SystemExit(f"set/wait driver failed: {out.stderr}")
        r = json.loads(out.stdout)
        rss = sum(common.peak_rss_mb(p.pid) for p in [primary] + replicas)
        return {"SET+WAIT 2": {"rps": r["rps"], "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"], "rss_mb": rss}}
    finally:
        for p in [primary] + replicas:
            p.stop()


def wrk_script(path):
    bodies = []
    for i in range(1000):
        key = base64.b64encode(f"key:{i}".encode()).decode()
        val = base64.b64encode(b"x" * 256).decode()
        bodies.append(json.dumps({"key": key, "value": val}))
    with open(path, "w") as f:
        f.write("local bodies = {\n" + ",\n".join("[[" + b + "]]" for b in bodies) + "\n}\n")
        f.write('local i = 0\nwrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                "request = function()\n  i = i + 1\n"
                "  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])\nend\n")


def parse_wrk(out):
    def ms(s):
        v, unit = re.match(r"([\d.]+)(us|ms|s)", s).groups()
        return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = ms(re.search(r"\n\s+50%\s+(\S+)", out).group(1))
    p99 = ms(re.search(r"\n\s+99%\s+(\S+)", out).group(1))
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit("wrk saw errors against etcd: figures void\n" + out)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99}


def run_etcd(base, seconds):
    ports = common.free_ports(6)
    client, peer = ports[:3], ports[3:]
    cluster = ",".join(f"e{i + 1}=http://127.0.0.1:{peer[i]}" for i in range(3))
    procs = []
    try:
        for i in range(3):
            procs.append(common.Proc([
                "etcd", "--name", f"e{i + 1}", "--data-dir", os.path.join(base, f"etcd{i + 1}"),
                "--listen-client-urls", f"http://127.0.0.1:{client[i]}",
                "--advertise-client-urls", f"http://127.0.0.1:{client[i]}",
                "--listen-peer-urls", f"http://127.0.0.1:{peer[i]}",
                "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer[i]}",
                "--initial-cluster", cluster, "--initial-cluster-state", "new",
                "--initial-cluster-token", "cairn-bench", "--log-level", "error", "--logger", "zap"],
                os.path.join(base, f"etcd{i + 1}.log")))
        endpoints = ",".join(f"http://127.0.0.1:{p}" for p in client)

        def leader_port():
            out = subprocess.run(["etcdctl", "--endpoints", endpoints, "endpoint", "status", "-w", "json"],
                                 capture_output=True, text=True, env={**os.environ, "ETCDCTL_API": "3"}).stdout
            for e in json.loads(out):
                if e["Status"]["leader"] and e["Status"]["leader"] == e["Status"]["header"]["member_id"]:
                    return int(e["Endpoint"].rsplit(":", 1)[1])
            return None
        port = common.wait_until(leader_port, 30, "an etcd leader")
        script = os.path.join(base, "put.lua")
        wrk_script(script)
        out = subprocess.run(["wrk", "-t", "2", "-c", "50", "-d", f"{seconds}s", "--latency", "-s", script,
                              f"http://127.0.0.1:{port}/v3/kv/put"], capture_output=True, text=True,
                             timeout=seconds + 60).stdout
        r = parse_wrk(out)
        r["rss_mb"] = sum(common.peak_rss_mb(p.pid) for p in procs)
        return {"PUT": r}
    finally:
        for p in procs:
            p.stop()


def table(results, many=False):
    lines = ["| system | operation | ops/s |" + (" ops/s range |" if many else "") +
             " p50 ms | p99 ms | peak RSS MB |", "|---|---|---|" + ("---|" if many else "") + "---|---|---|"]
    for system, rows in results.items():
        for op, r in rows.items():
            span = f" {r['rps_min']:,.0f}-{r['rps_max']:,.0f} |" if many else ""
            lines.append(f"| {system} | {op} | {r['rps']:,.0f} |{span} {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                         f"{r['rss_mb']:.0f} |")
    return "\n".join(lines)


GOALS = [  # (name, ratio of one round's results, goal; negative: at most)
    ("SET P1 >= 1.0x redis always", lambda c, a, w, e: c["SET P1"]["rps"] / a["SET P1"]["rps"], 1.0),
    ("SET P16 >= 1.0x redis always", lambda c, a, w, e: c["SET P16"]["rps"] / a["SET P16"]["rps"], 1.0),
    ("SET P1 >= 5x redis SET+WAIT 2", lambda c, a, w, e: c["SET P1"]["rps"] / w["SET+WAIT 2"]["rps"], 5.0),
    ("SET P1 >= 10x etcd PUT", lambda c, a, w, e: c["SET P1"]["rps"] / e["PUT"]["rps"], 10.0),
    ("SET P1 p99 <= 0.2x etcd p99", lambda c, a, w, e: c["SET P1"]["p99_ms"] / e["PUT"]["p99_ms"], -0.2),
    ("strong GET P1 >= 0.5x redis GET", lambda c, a, w, e: c["GET strong P1"]["rps"] / a["GET P1"]["rps"], 0.5),
    ("strong GET P16 >= 0.5x redis GET", lambda c, a, w, e: c["GET strong P16"]["rps"] / a["GET P16"]["rps"], 0.5),
    ("lease GET P1 >= 0.8x redis GET", lambda c, a, w, e: c["GET lease P1"]["rps"] / a["GET P1"]["rps"], 0.8),
    ("lease GET P16 >= 0.8x redis GET", lambda c, a, w, e: c["GET lease P16"]["rps"] / a["GET P16"]["rps"], 0.8),
]


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def goals(rounds):
    """Each ratio is taken within one round (both sides measured minutes
    apart on the same host), then summarised over the rounds."""
    many = len(rounds) > 1
    out = ["| goal | measured | met |" + (" rounds | rounds met |" if many else ""),
           "|---|---|---|" + ("---|---|" if many else "")]
    for name, ratio, goal in GOALS:
        rs = [ratio(r["cairn"], r["redis always"], r["redis wait2"], r["etcd"]) for r in rounds]
        ok = [x <= -goal if goal < 0 else x >= goal for x in rs]
        m = median(rs)
        met = m <= -goal if goal < 0 else m >= goal
        line = f"| {name} | {m:.2f}x | {'yes' if met else 'no'} |"
        if many:
            line += " " + " / ".join(f"{x:.2f}" for x in rs) + f" | {sum(ok)} of {len(rs)} |"
        out.append(line)
    return "\n".join(out)


def summarise(rounds):
    """One row per system and operation: the median of each figure over the
    rounds, and the range of ops/s."""
    res = {}
    for system in rounds[0]:
        res[system] = {}
        for op in rounds[0][system]:
            rows = [r[system][op] for r in rounds]
            res[system][op] = {k: median([row[k] for row in rows]) for k in rows[0]}
            res[system][op]["rps_min"] = min(row["rps"] for row in rows)
            res[system][op]["rps_max"] = max(row["rps"] for row in rows)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--etcd-seconds", type=int, default=10)
    ap.add_argument("--out", default=os.path.join(common.ROOT, "bench", "results", "node.md"))
    ap.add_argument("--rounds", type=int, default=1,
                    help="run every system this many times, in turn; figures are medians, goals the median "
                         "of each round's own ratio")
    args = ap.parse_args()
    for tool in ("redis-server", "redis-benchmark", "etcd", "etcdctl", "wrk"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is missing: scripts/install-deps.sh peers")
    for f in (common.CAIRN, DRIVER):
        if not os.path.exists(f):
            raise SystemExit(f"{f} is missing: scripts/build.sh release cairn cairn_set_wait_driver")
    base = tempfile.mkdtemp(prefix="cairn-bench-")
    started = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
    rounds = []
    try:
        for i in range(args.rounds):
            d = os.path.join(base, f"round{i + 1}")
            os.makedirs(d)
            res = {}
            tag = f"round {i + 1} of {args.rounds}: " if args.rounds > 1 else ""
            print(f"{tag}cairn...", flush=True)
            res["cairn"] = run_cairn(d, args.requests)
            print(f"{tag}redis always...", flush=True)
            res["redis always"] = run_redis(d, "always", "always", args.requests)
            print(f"{tag}redis everysec...", flush=True)
            res["redis everysec"] = run_redis(d, "everysec", "everysec", args.requests)
            print(f"{tag}redis wait2...", flush=True)
            res["redis wait2"] = run_wait2(d, args.requests // 4)
            print(f"{tag}etcd...", flush=True)
            res["etcd"] = run_etcd(d, args.etcd_seconds)
            rounds.append(res)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    load = os.getloadavg()[0]
    many = args.rounds > 1
    res = summarise(rounds)
    rounds_arg = f" --rounds {args.rounds}" if many else ""
    text = (f"# Cairn node vs Redis and etcd ({f'{args.rounds} rounds' if many else 'one run'})\n\n"
            f"Date: {started}. Machine: {common.machine()}.\n"
            f"Load average after the run: {load:.1f}.\n\nCommand:\n\n    scripts/build.sh release cairn "
            f"cairn_set_wait_driver\n    /usr/bin/python3 bench/node/compare.py --requests {args.requests} "
            f"--etcd-seconds {args.etcd_seconds}{rounds_arg}\n\n"
            "Every system ran alone on loopback, client and servers sharing the same cores (the 3 Cairn\n"
            "nodes and the 3 etcd members share them too). What each row means is in compare.py's\n"
            "docstring. Peak RSS is the servers' VmHWM, summed over a cluster.\n\n"
            + ("Each round runs every system in turn; each figure is the median over the rounds, and each\n"
               "goal's ratio is taken within a round (its two sides minutes apart) and then the median is\n"
               "judged, with every round's ratio listed.\n\n" if many else "")
            + table(res, many) + "\n\n## Goals (issue: the cairn node)\n\n" + goals(rounds) + "\n")
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump({"date": started, "machine": common.machine(), "results": res, "rounds": rounds}, f, indent=1)
    print(text)
    # The run replaces the table and goals at the top; what people wrote
    # below them (from "## Reading the figures" on: the history of runs and
    # what limits each figure) is kept.
    kept = ""
    if os.path.exists(args.out):
        with open(args.out) as f:
            old = f.read()
        at = old.find("\n## Reading the figures")
        if at >= 0:
            kept = old[at:]
    with open(args.out, "w") as f:
        f.write(text + kept)


if __name__ == "__main__":
    main()

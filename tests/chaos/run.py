#!/usr/bin/env python3
"""Jepsen-style test of a real cluster: one command.

    tests/chaos/run.py --system cairn --nodes 3 --duration 60 --seed 7

Starts the cluster (each node in its own network namespace, or on loopback
with --loopback or where namespaces are not available), runs concurrent
register clients that record every invocation and completion, injects faults
on a seeded schedule (kill -9 and restart, SIGSTOP/SIGCONT, partitions:
majority/minority, isolated node, bridge, one-way; packet loss), heals, lets
the cluster settle, and judges the history with cairn-check. Everything goes
in the run's folder: history.jsonl (operations and faults), the checker's
verdict, an HTML timeline, node logs. Exit 0 only if every checker passes.

Fault timings are drawn from the seed, but the run is a real-time run:
replaying a seed replays the schedule, not the exact interleaving.
"""

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import systems  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def log(msg):
    print(f"[chaos {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Nemesis:
    """Draws faults from the seed and records each as a history event."""

    def __init__(self, args, topo, nodes, events_path, system=None):
        self.args, self.topo, self.nodes, self.system = args, topo, nodes, system
        self.rng = random.Random(args.seed)
        self.events = open(events_path, "a", buffering=1)
        kinds = args.nemesis.split(",") if args.nemesis else []
        if not topo:
            dropped = [k for k in kinds if k in ("partition", "oneway", "bridge", "loss", "isolate-leader")]
            if dropped:
                log(f"no namespaces: network faults {dropped} are not available; using kill and pause")
            kinds = [k for k in kinds if k not in dropped]
        self.kinds = kinds

    def emit(self, f, phase, detail=""):
        self.events.write(json.dumps({"type": "nemesis", "f": f, "phase": phase,
                                      "time_ns": time.monotonic_ns(), "detail": detail}) + "\n")
        log(f"nemesis {f} {phase} {detail}")

    def ids(self):
        return list(range(1, len(self.nodes) + 1))

    def run(self, until):
        while time.monotonic() < until and self.kinds:
            time.sleep(self.rng.uniform(1.0, 3.0))  # quiet period (a schedule, not synchronisation)
            if time.monotonic() >= until:
                break
            kind = self.rng.choice(self.kinds)
            hold = self.rng.uniform(1.5, 4.0)
            getattr(self, "fault_" + kind.replace("-", "_"))(hold)
            self.pin_leader()

    def pin_leader(self):
        """With --lead N, hands leadership back to node N (a transfer; the
        node must be up to date, which the leader arranges)."""
        if not self.args.lead or not hasattr(self.system, "transfer_leader"):
            return
        ok = self.system.transfer_leader(self.args.lead)
        self.emit("lead", "instant", f"transfer to n{self.args.lead}: {'done' if ok else 'refused'}")

    def fault_isolate_leader(self, hold):
        """Cuts the current leader off from every other node (clients still
        reach it): the case where a stale lease could answer reads."""
        lead = self.system.leader() if hasattr(self.system, "leader") else None
        if not lead:
            return self.fault_partition(hold)
        others = [i for i in self.ids() if i != lead]
        self.emit("partition", "start", f"isolate leader n{lead} | {' '.join(f'n{i}' for i in others)}")
        self.topo.partition([[lead], others])
        time.sleep(hold)
        self.topo.heal()
        self.emit("partition", "stop")

    def fault_kill(self, hold):
        n = self.nodes[self.rng.randrange(len(self.nodes))]
        self.emit("kill", "start", f"n{n.index} pid {n.pid}")
        n.kill9()
        time.sleep(hold)
        n.start()
        self.emit("kill", "stop", f"n{n.index} restarted pid {n.pid}")

    def fault_pause(self, hold):
        n = self.nodes[self.rng.randrange(len(self.nodes))]
        self.emit("pause", "start", f"n{n.index}")
        n.signal(signal.SIGSTOP)
        time.sleep(hold)
        n.signal(signal.SIGCONT)
        self.emit("pause", "stop", f"n{n.index}")

    def fault_partition(self, hold):
        ids = self.ids()
        self.rng.shuffle(ids)
        if self.rng.random() < 0.5:  # isolate one node
            groups = [ids[:1], ids[1:]]
        else:  # majority / minority
            cut = len(ids) // 2
            groups = [ids[:cut], ids[cut:]]
        detail = " | ".join(" ".join(f"n{i}" for i in sorted(g)) for g in groups)
        self.emit("partition", "start", detail)
        self.topo.partition(groups)
        time.sleep(hold)
        self.topo.heal()
        self.emit("partition", "stop")

    def fault_bridge(self, hold):
        ids = self.ids()
        if len(ids) < 3:
            return self.fault_partition(hold)
        self.rng.shuffle(ids)
        mid = ids[0]
        left, right = ids[1:1 + (len(ids) - 1) // 2], ids[1 + (len(ids) - 1) // 2:]
        self.emit("partition", "start", f"bridge via n{mid}: {left} x {right}")
        for i in left:
            self.topo.drop_from(i, right)
        for i in right:
            self.topo.drop_from(i, left)
        time.sleep(hold)
        self.topo.heal()
        self.emit("partition", "stop")

    def fault_oneway(self, hold):
        a, b = self.rng.sample(self.ids(), 2)
        self.emit("partition", "start", f"one-way: n{a} stops hearing n{b}")
        self.topo.drop_from(a, [b])
        time.sleep(hold)
        self.topo.heal()
        self.emit("partition", "stop")

    def fault_loss(self, hold):
        victims = self.rng.sample(self.ids(), max(1, len(self.ids()) // 2))
        self.emit("loss", "start", f"20% inbound loss on {victims}")
        for i in victims:
            self.topo.lossy(i, 0.2)
        time.sleep(hold)
        self.topo.heal()
        self.emit("loss", "stop")


def namespaces_available():
    probe = f"cairnprobe{os.getpid() % 1000}"
    ok = subprocess.run(["ip", "netns", "add", probe], capture_output=True).returncode == 0
    if ok:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return ok and shutil.which("iptables") is not None


def merge_history(run_dir):
    events = []
    for name in ("ops.jsonl", "nemesis.jsonl"):
        p = os.path.join(run_dir, name)
        if os.path.exists(p):
            with open(p) as f:
                events += [json.loads(line) for line in f if line.strip()]
    events.sort(key=lambda e: e["time_ns"])
    with open(os.path.join(run_dir, "history.jsonl"), "w") as f:
        for e in events:
            f.write(json.dumps(e) + "\n")
    ops = [e for e in events if e.get("type") != "nemesis"]
    return {t: sum(1 for e in ops if e["type"] == t) for t in ("invoke", "ok", "fail", "info")}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--system", choices=["cairn", "redis", "redis-volatile"], default="cairn",
                    help="redis: one redis-server, appendfsync always; redis-volatile: no persistence "
                         "(a known-broken system: kill -9 loses acknowledged writes)")
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--duration", type=float, default=30, help="seconds of faults and load")
    ap.add_argument("--settle", type=float, default=5, help="seconds of load after healing")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--keys", type=int, default=3)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    ap.add_argument("--nemesis", default="kill,pause,partition,bridge,oneway,loss")
    ap.add_argument("--consistency", default="strong",
                    help='cairn: the clients\' read level, e.g. strong, lease, "bounded 300", session')
    ap.add_argument("--bound-ms", type=int, default=0,
                    help="judge reads with the bounded-staleness checker at this bound (default: the "
                         "bound of --consistency \"bounded N\"); clients record write versions")
    ap.add_argument("--clock-rate", action="append", default=[], metavar="N:RATE",
                    help="run node N under libfaketime at RATE (0.5 = its clocks and timers at half "
                         "speed); repeatable. For lease reads under clock drift")
    ap.add_argument("--readers", type=int, default=0,
                    help="extra read-only clients pinned to the --lead node (to catch stale reads there)")
    ap.add_argument("--lead", type=int, default=0, metavar="N",
                    help="keep node N the leader: transfer leadership to it at the start and after "
                         "every fault (cairn only)")
    ap.add_argument("--expect", choices=["valid", "invalid"], default="valid",
                    help="invalid: succeed only if a checker finds a violation "
                         "(for runs against a known-broken system)")
    ap.add_argument("--loopback", action="store_true", help="no namespaces: kill and pause faults only")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "chaos"))
    ap.add_argument("--cairn-bin", default=os.path.join(ROOT, "build", "release", "src", "cli", "cairn"))
    ap.add_argument("--check-bin", default=os.path.join(ROOT, "build", "release", "check", "cairn-check"))
    args = ap.parse_args()
    level = args.consistency.split()
    bound_ms = args.bound_ms
    if level[0] == "bounded":
        if len(level) != 2 or not level[1].isdigit():
            ap.error('--consistency "bounded N" needs the bound in milliseconds')
        bound_ms = bound_ms or int(level[1])

    run_dir = os.path.join(args.out, f"{args.system}-seed{args.seed}-{time.strftime('%Y%m%d-%H%M%S')}")
    os.makedirs(run_dir, exist_ok=True)
    log(f"seed {args.seed}; run folder {run_dir}")
    log(f"replay: {sys.argv[0]} --system {args.system} --nodes {args.nodes} --duration {args.duration} "
        f"--nemesis {args.nemesis} --seed {args.seed}" + (" --loopback" if args.loopback else ""))

    topo = None
    if not args.loopback:
        if namespaces_available():
            topo = netns.Topology(os.getpid(), args.nodes)
            topo.create()
        else:
            log("network namespaces are not available here: falling back to loopback (kill and pause only)")

    if args.system.startswith("redis"):
        system = systems.RedisSystem(topo, run_dir, args.nodes, durable=args.system == "redis")
    else:
        rates = {int(n): float(r) for n, r in (x.split(":") for x in args.clock_rate)}
        system = systems.CairnSystem(topo, run_dir, args.nodes, args.cairn_bin, args.consistency, rates)
    nodes = [system.node(i) for i in range(1, args.nodes + 1)]
    workload = None
    try:
        for n in nodes:
            n.start()
        for i in range(1, args.nodes + 1):
            prefix = topo.exec_prefix(topo.client_ns) if topo else ()
            if not systems.wait_port(system.host(i), system.port(i), 20, prefix):
                raise SystemExit(f"node {i} did not start; see {run_dir}/n{i}.log")
        log(f"{args.nodes} node(s) up: " + ", ".join(f"n{n.index} pid {n.pid}" for n in nodes))

        addrs = ",".join(f"{system.host(i)}:{system.port(i)}" for i in range(1, args.nodes + 1))
        wl = ["/usr/bin/python3", os.path.join(os.path.dirname(__file__), "workload.py"), "--nodes", addrs,
              "--history", os.path.join(run_dir, "ops.jsonl"), "--clients", str(args.clients),
              "--keys", str(args.keys), "--duration", str(args.duration + args.settle),
              "--seed", str(args.seed), "--setup", system.client_setup()]
        if system.session_tokens:
            wl += ["--session-tokens", "--hop", "0.2"]
        if bound_ms:
            wl += ["--versions", "--hop", "0.2"]
        if args.readers and args.lead:
            wl += ["--readers", str(args.readers), "--reader-node", f"{system.host(args.lead)}:{system.port(args.lead)}"]
        if topo:
            wl = topo.exec_prefix(topo.client_ns) + wl
        workload = subprocess.Popen(wl)
        nemesis = Nemesis(args, topo, nodes, os.path.join(run_dir, "nemesis.jsonl"), system)
        nemesis.pin_leader()
        nemesis.run(time.monotonic() + args.duration)
        if topo:
            topo.heal()
        for n in nodes:
            if not n.alive():
                n.start()
            n.signal(signal.SIGCONT)
        log("healed; load continues while the cluster settles")
        workload.wait(timeout=args.duration + args.settle + 60)
    finally:
        if workload and workload.poll() is None:
            workload.kill()
        for n in nodes:
            n.stop()
        if topo:
            topo.destroy()

    counts = merge_history(run_dir)
    log(f"history: {counts}")
    verdicts = {}
    if not os.path.exists(args.check_bin):
        log(f"cairn-check not found at {args.check_bin}: build it (scripts/build.sh release cairn-check)")
        return 2
    # Session and bounded reads may be stale by design: only their own
    # checker judges them.
    if bound_ms:
        checkers = ("bounded",)
    elif system.session_tokens:
        checkers = ("session",)
    else:
        checkers = ("linear", "session") if system.versions else ("linear",)
    for checker in checkers:
        out = os.path.join(run_dir, f"{checker}.txt")
        cmd = [args.check_bin, checker, os.path.join(run_dir, "history.jsonl")]
        if checker == "linear":
            cmd += ["--html", os.path.join(run_dir, "timeline.html")]
        if checker == "bounded":
            # +1: a Cairn node compares its millisecond clock readings, so a
            # read it serves at "bound" ms may be up to 1 ms staler.
            cmd += ["--bound-ms", str(bound_ms + 1), "--html", os.path.join(run_dir, "timeline.html")]
        r = subprocess.run(cmd, capture_output=True, text=True)
        with open(out, "w") as f:
            f.write(r.stdout + r.stderr)
        verdicts[checker] = {0: "valid", 1: "INVALID", 2: "unknown"}.get(r.returncode, "error")
        log(f"{checker}: {verdicts[checker]} ({out})")
    ok_ops = counts.get("ok", 0)
    with open(os.path.join(run_dir, "summary.json"), "w") as f:
        json.dump({"seed": args.seed, "system": args.system, "nodes": args.nodes, "counts": counts,
                   "verdicts": verdicts, "namespaces": topo is not None}, f, indent=2)
    if ok_ops == 0:
        log("no operation succeeded: the run proves nothing")
        return 1
    if args.expect == "invalid":
        caught = any(v == "INVALID" for v in verdicts.values())
        log("expected a violation: " + ("caught" if caught else "NOT caught"))
        return 0 if caught else 1
    return 0 if all(v == "valid" for v in verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Process and measurement helpers shared by compare.py and failover.py.

Every server runs on 127.0.0.1 in a temporary directory, is tracked by PID,
and is stopped by PID (SIGTERM, then SIGKILL after a deadline).
"""
import json
import os
import platform
import signal
import socket
import subprocess
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CAIRN = os.path.join(ROOT, "build", "release", "src", "cli", "cairn")


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def wait_until(cond, timeout_s, what):
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            last = cond()
            if last:
                return last
        except Exception as e:  # still starting
            last = e
        time.sleep(0.02)  # polling interval, not synchronisation
    raise SystemExit(f"timed out waiting for {what} (last: {last!r})")


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


def peak_rss_mb(pid):
    """VmHWM: the process's peak resident set so far, in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Proc:
    def __init__(self, argv, log_path):
        self.log = open(log_path, "ab")
        self.p = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def pid(self):
        return self.p.pid

    def alive(self):
        return self.p.poll() is None

    def kill9(self):
        if self.alive():
            os.kill(self.p.pid, signal.SIGKILL)
        self.p.wait()

    def stop(self, timeout=10):
        if self.alive():
            os.kill(self.p.pid, signal.SIGTERM)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        self.log.close()


class CairnCluster:
    """n `cairn server` processes with fsynced WALs under `base`."""

    def __init__(self, base, n=3, extra=()):
        self.base, self.n, self.extra = base, n, list(extra)
        ports = free_ports(3 * n)
        self.raft, self.resp, self.http = ports[:n], ports[n:2 * n], ports[2 * n:]
        self.peers = ",".join(f"{i + 1}=127.0.0.1:{self.raft[i]}" for i in range(n))
        self.procs = {}

    def start(self, i):
        d = os.path.join(self.base, f"cairn{i}")
        os.makedirs(d, exist_ok=True)
        self.procs[i] = Proc([CAIRN, "server", "--id", str(i), "--peers", self.peers,
                              "--resp-port", str(self.resp[i - 1]), "--http-port", str(self.http[i - 1]),
                              "--data-dir", d, *self.extra], os.path.join(self.base, f"cairn{i}.log"))

    def start_all(self):
        for i in range(1, self.n + 1):
            self.start(i)
        return self.wait_leader()

    def status(self, i):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.http[i - 1]}/v1/status", timeout=1) as r:
            return json.loads(r.read())

    def leader(self, among=None):
        ids = {self.status(i)["leader"] for i in (among or [i for i, p in self.procs.items() if p.alive()])}
        return ids.pop() if len(ids) == 1 and 0 not in ids else None

    def wait_leader(self, among=None):
        return wait_until(lambda: self.leader(among), 20, "a Cairn leader")

    def rss_mb(self):
        return sum(peak_rss_mb(p.pid) for p in self.procs.values() if p.alive())

    def stop(self):
        for p in self.procs.values():
            p.stop()


def machine():
    model = "unknown"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return f"{model}, {os.cpu_count()} cores, {mem_kb / 1024 / 1024:.0f} GiB, {platform.platform()}"

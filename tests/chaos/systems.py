"""The systems the harness can attack: real processes, one per test host.

Each system knows how to start node i (in its namespace, or on loopback),
where clients connect, and what to send on each new client connection.
Processes are tracked by PID; the harness signals only those PIDs.
"""

import os
import signal
import subprocess
import time


class Node:
    def __init__(self, index, argv, log_path, cwd=None):
        self.index = index
        self.argv = argv
        self.log_path = log_path
        self.cwd = cwd
        self.proc = None

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, cwd=self.cwd,
                                     start_new_session=True)
        log.close()

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        # The whole process group (start_new_session above): under `faketime`
        # the node is a child of the wrapper, which neither forwards signals
        # nor dies with it, so signalling only the wrapper's PID left the node
        # running after the test and let "pause" miss it.
        if self.alive():
            os.killpg(self.proc.pid, sig)

    def kill9(self):
        self.signal(signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def stop(self, timeout=10):
        if not self.alive():
            return
        self.signal(signal.SIGCONT)
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill9()


def wait_port(host, port, deadline_s, exec_prefix=()):
    """Polls until something accepts connections (or the deadline passes)."""
    import socket
    end = time.monotonic() + deadline_s
    probe = list(exec_prefix) + ["/usr/bin/python3", "-c",
                                 f"import socket; socket.create_connection(('{host}', {port}), 0.5)"]
    while time.monotonic() < end:
        if exec_prefix:
            if subprocess.run(probe, capture_output=True).returncode == 0:
                return True
        else:
            try:
                socket.create_connection((host, port), 0.5).close()
                return True
            except OSError:
                pass
        time.sleep(0.1)
    return False


class RedisSystem:
    """One redis-server with appendfsync always: a single-node baseline that
    shows the harness and checkers at work on a system nobody here wrote."""

    name = "redis"
    resp_port = 6379

    def __init__(self, topo, run_dir, nodes, durable=True):
        if nodes != 1:
            raise SystemExit("the redis system runs one node")
        self.topo, self.run_dir, self.durable = topo, run_dir, durable

    def host(self, i):
        return self.topo.addr(i) if self.topo else "127.0.0.1"

    def port(self, i):
        return self.resp_port if self.topo else 26379

    def node(self, i):
        d = os.path.join(self.run_dir, f"n{i}")
        os.makedirs(d, exist_ok=True)
        # Not durable: no AOF at all, so kill -9 forgets acknowledged writes.
        # This is the deliberately broken system that proves the harness and
        # its checkers catch lost writes end to end.
        aof = ["--appendonly", "yes", "--appendfsync", "always"] if self.durable else ["--appendonly", "no"]
        argv = ["redis-server", "--bind", self.host(i), "--port", str(self.port(i)), "--dir", d,
                *aof, "--save", "", "--protected-mode", "no"]
        if self.topo:
            argv = self.topo.exec_prefix(self.topo.ns(i)) + argv
        return Node(i, argv, os.path.join(self.run_dir, f"n{i}.log"))

    def client_setup(self):
        return ""

    versions = False  # no server versions: the session checker cannot judge
    session_tokens = False


class CairnSystem:
    """A Cairn cluster: `cairn server` per node, peers on port 7000,
    RESP on 6379, HTTP on 8080 (namespaces) or distinct loopback ports."""

    name = "cairn"

    def __init__(self, topo, run_dir, nodes, binary, consistency="strong", clock_rates=None):
        self.topo, self.run_dir, self.nodes, self.binary = topo, run_dir, nodes, binary
        self.consistency = consistency
        # node index -> clock rate (libfaketime "x<rate>": 0.5 = the node's
        # clocks, monotonic included, run at half speed, and so do its timers).
        self.clock_rates = clock_rates or {}

    def http(self, i, method, path, body=None, timeout_s=3):
        """One HTTP request to node i's API, from the clients' namespace.
        Returns (status, text); status 0 if the node did not answer."""
        url = f"http://{self.host(i)}:{self.http_port(i)}{path}"
        cmd = ["curl", "-s", "-m", str(timeout_s), "-o", "-", "-w", "\n%{http_code}", "-X", method, url]
        if body is not None:
            cmd += ["-H", "Content-Type: application/json", "-d", body]
        if self.topo:
            cmd = self.topo.exec_prefix(self.topo.client_ns) + cmd
        r = subprocess.run(cmd, capture_output=True, text=True)
        text, _, code = r.stdout.rpartition("\n")
        return (int(code) if code.isdigit() else 0), text

    def leader(self):
        """The leader a majority of reachable nodes name, or None."""
        import json
        votes = {}
        for i in range(1, self.nodes + 1):
            code, text = self.http(i, "GET", "/v1/status", timeout_s=1)
            if code == 200:
                lead = json.loads(text).get("leader", 0)
                if lead:
                    votes[lead] = votes.get(lead, 0) + 1
        best = max(votes.items(), key=lambda kv: kv[1], default=(None, 0))
        return best[0] if best[1] * 2 > self.nodes else None

    def transfer_leader(self, to):
        """Asks the cluster to hand leadership to node `to`; True once it leads."""
        for i in range(1, self.nodes + 1):
            code, _ = self.http(i, "POST", "/v1/transfer-leader", f'{{"to": {to}}}', timeout_s=5)
            if code == 200:
                return True
        return False

    def host(self, i):
        return self.topo.addr(i) if self.topo else "127.0.0.1"

    def port(self, i):
        return 6379 if self.topo else 26379 + i

    def peer_port(self, i):
        return 7000 if self.topo else 27000 + i

    def http_port(self, i):
        return 8080 if self.topo else 28000 + i

    def node(self, i):
        d = os.path.join(self.run_dir, f"n{i}")
        os.makedirs(d, exist_ok=True)
        peers = ",".join(f"{j}={self.host(j)}:{self.peer_port(j)}" for j in range(1, self.nodes + 1))
        # `cairn server` flags (docs/operations.md): one bind address serves
        # RESP, HTTP and the Raft listener named in --peers.
        argv = [self.binary, "server", "--id", str(i), "--peers", peers, "--bind", self.host(i),
                "--resp-port", str(self.port(i)), "--http-port", str(self.http_port(i)),
                "--data-dir", d]
        if i in self.clock_rates:
            argv = ["faketime", "-f", f"+0 x{self.clock_rates[i]}"] + argv
        if self.topo:
            argv = self.topo.exec_prefix(self.topo.ns(i)) + argv
        return Node(i, argv, os.path.join(self.run_dir, f"n{i}.log"))

    def client_setup(self):
        return f"CONSISTENCY {self.consistency}"

    versions = False  # histories carry versions only at the session level

    @property
    def session_tokens(self):
        # At `session`, the workload carries the token between nodes and
        # records each write's index; the session checker judges the run.
        return self.consistency == "session"

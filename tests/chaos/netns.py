"""Test hosts in network namespaces, created and torn down by the harness.

Layout: one namespace per node (cairn-<run>-n<i>) and one for the clients
(cairn-<run>-c), each with a veth into a bridge that lives in its own
namespace (cairn-<run>-br), so nothing touches the host's own network.
Addresses are 10.231.<run>.x inside those namespaces only.

Faults use iptables inside the node namespaces: partitions drop packets
from the other side; loss drops a random fraction. (tc netem delay is used
when the kernel has sch_netem; this project's CI kernel does not.)
"""

import fcntl
import os
import subprocess

RUN_IDS = 250  # 10.231.<run>.x
LOCK_DIR = "/tmp/cairn-chaos-netns"


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


def claim_run_id(hint: int):
    """A run id no other live harness holds, starting from `hint`: each is
    guarded by an flock on its own file, held for the life of this process
    (the kernel drops it when the process dies, however it dies). Two runs
    whose pids collide modulo RUN_IDS would otherwise share namespaces, and
    the second's clean-up would tear down the first's network."""
    os.makedirs(LOCK_DIR, exist_ok=True)
    for k in range(RUN_IDS):
        run_id = (hint + k) % RUN_IDS
        fd = os.open(os.path.join(LOCK_DIR, f"{run_id}.lock"), os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return run_id, fd
        except BlockingIOError:
            os.close(fd)
    raise SystemExit(f"all {RUN_IDS} chaos network ids are held by running harnesses")


class Topology:
    def __init__(self, run_id_hint: int, nodes: int):
        # The lock fd stays open (and locked) as long as this object lives.
        self.run_id, self._lock_fd = claim_run_id(run_id_hint)
        self.nodes = nodes
        self.prefix = f"cairn{self.run_id}"
        self.bridge_ns = f"{self.prefix}-br"
        self.client_ns = f"{self.prefix}-c"
        self.created = []

    def ns(self, i: int) -> str:
        return f"{self.prefix}-n{i}"

    def addr(self, i: int) -> str:
        return f"10.231.{self.run_id}.{10 + i}"

    def client_addr(self) -> str:
        return f"10.231.{self.run_id}.2"

    def _attach(self, ns: str, addr: str, tag: str):
        outer, inner = f"{self.prefix}{tag}a", f"{self.prefix}{tag}b"
        sh("ip", "link", "add", outer, "type", "veth", "peer", "name", inner)
        sh("ip", "link", "set", outer, "netns", self.bridge_ns)
        sh("ip", "link", "set", inner, "netns", ns)
        sh("ip", "-n", self.bridge_ns, "link", "set", outer, "master", "br0")
        sh("ip", "-n", self.bridge_ns, "link", "set", outer, "up")
        sh("ip", "-n", ns, "addr", "add", f"{addr}/24", "dev", inner)
        sh("ip", "-n", ns, "link", "set", inner, "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")

    def create(self):
        self.destroy()  # leftovers of a crashed run (the id's lock is ours, so no live run uses it)
        for ns in [self.bridge_ns, self.client_ns] + [self.ns(i) for i in range(1, self.nodes + 1)]:
            sh("ip", "netns", "add", ns)
            self.created.append(ns)
        sh("ip", "-n", self.bridge_ns, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.bridge_ns, "link", "set", "br0", "up")
        self._attach(self.client_ns, self.client_addr(), "c")
        for i in range(1, self.nodes + 1):
            self._attach(self.ns(i), self.addr(i), f"n{i}")

    def destroy(self):
        listed = sh("ip", "netns", "list", check=False).stdout
        for line in listed.splitlines():
            name = line.split()[0] if line.split() else ""
            if name.startswith(self.prefix + "-"):
                sh("ip", "netns", "del", name, check=False)
        self.created = []

    def exec_prefix(self, ns: str):
        return ["ip", "netns", "exec", ns]

    # --- faults -------------------------------------------------------
    def _ipt(self, i: int, *rule):
        sh("ip", "netns", "exec", self.ns(i), "iptables", *rule)

    def drop_from(self, i: int, peers):
        """Node i stops receiving from `peers` (a one-way cut)."""
        for p in peers:
            self._ipt(i, "-A", "INPUT", "-s", self.addr(p), "-j", "DROP")

    def partition(self, groups):
        """Symmetric partition: nodes only hear nodes in their own group.
        Clients can still reach every node."""
        for g in groups:
            others = [n for h in groups if h is not g for n in h]
            for i in g:
                self.drop_from(i, others)

    def lossy(self, i: int, probability: float):
        self._ipt(i, "-A", "INPUT", "-m", "statistic", "--mode", "random",
                  "--probability", f"{probability:.2f}", "-j", "DROP")

    def heal(self):
        for i in range(1, self.nodes + 1):
            self._ipt(i, "-F", "INPUT")

"""A real multi-node Ray cluster on loopback for tests and benchmarks: a head node and worker
nodes, each its own `ray start --block` (its own raylet, object store and temp dir), stopped by
killing the process groups this module started, never with `ray stop` (which would stop every
Ray cluster on the machine)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

# `ray start`, with one change: Ray gives a new node's raylet a fixed 30 s to register with the
# GCS, which a loaded machine (CI on two cores) misses; here it gets 300 s.
PATIENT_RAY_START = """
import sys, time
import ray._private.services as services
from ray.scripts.scripts import main
get_node = services.get_node
deadline = []
def patient(gcs_address, node_id):
    if not deadline:
        deadline.append(time.monotonic() + 300)
    while True:
        try:
            return get_node(gcs_address, node_id)
        except RuntimeError:
            if time.monotonic() > deadline[0]:
                raise
            time.sleep(1)
services.get_node = patient
sys.argv = ["ray", *sys.argv[1:]]
sys.exit(main())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LoopbackCluster:
    """`ray start --head` plus `workers` more nodes, `cpus` CPUs each, on 127.0.0.1."""

    def __init__(self, workers: int = 1, cpus: int = 1, head_cpus: int | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cpsolve-ray-"))
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.nodes: list[subprocess.Popen[bytes]] = []
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "PYTHONPATH": os.getcwd()}
        env.pop("RAY_ADDRESS", None)
        self.env = env
        try:
            hc = cpus if head_cpus is None else head_cpus
            self._start(["--head", f"--port={self.port}", "--node-ip-address=127.0.0.1"], hc)
            self._wait_nodes(1)
            for _ in range(workers):
                self.add_node(cpus)
        except BaseException:
            self.stop()
            raise

    def _start(self, args: list[str], cpus: int) -> subprocess.Popen[bytes]:
        tmp = Path(tempfile.mkdtemp(prefix=f"n{len(self.nodes)}-", dir=self.root))
        cmd = [sys.executable, "-c", PATIENT_RAY_START, "start", "--block", *args]
        cmd += [f"--num-cpus={cpus}", "--num-gpus=0", "--include-log-monitor=false"]
        cmd += ["--disable-usage-stats", f"--temp-dir={tmp}"]
        cmd += ["--include-dashboard=false"] if "--head" in args else []
        log = open(tmp.with_suffix(".log"), "wb")  # noqa: SIM115 (closed with the process)
        p = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=log, start_new_session=True)
        self.nodes.append(p)
        return p

    def add_node(self, cpus: int = 1, tries: int = 3) -> subprocess.Popen[bytes]:
        """A worker node; started again when it gives up (Ray waits 30 s for a raylet to
        register, which a loaded machine can miss)."""
        n = self.alive_nodes() + 1
        for _ in range(tries):
            p = self._start([f"--address={self.address}", "--node-ip-address=127.0.0.1"], cpus)
            try:
                self._wait_nodes(n)
                return p
            except RuntimeError:
                _kill_group(p, signal.SIGKILL)
                self.nodes.remove(p)
        raise RuntimeError(f"a worker node did not start; logs under {self.root}")

    def _wait_nodes(self, n: int, timeout: float = 240) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.alive_nodes() >= n:
                return
            if any(p.poll() is not None for p in self.nodes):  # gave up
                raise RuntimeError(f"a ray node exited; logs under {self.root}")
            time.sleep(1)
        raise TimeoutError(f"{n} ray nodes did not come up; logs under {self.root}")

    def alive_nodes(self) -> int:
        """Live nodes, as the GCS says (0 while it does not answer yet)."""
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
            out = subprocess.run(
                [sys.executable, "-c", _COUNT, self.address],
                capture_output=True, text=True, env=self.env, timeout=90, check=False,
            )  # fmt: skip
            return int(out.stdout.strip().splitlines()[-1])
        except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
            return 0

    def kill_raylet(self, node: int) -> int:
        """SIGKILL the raylet of node `node` (0 is the head); its pid."""
        for c in psutil.Process(self.nodes[node].pid).children(recursive=True):
            if c.name() == "raylet":
                c.kill()
                return c.pid
        raise RuntimeError(f"node {node} has no raylet")

    def kill_node(self, node: int) -> None:
        """SIGKILL every process of node `node` (its raylet, its workers and what they started),
        as losing its machine would."""
        _kill_group(self.nodes[node], signal.SIGKILL)

    def stop(self) -> None:
        for p in reversed(self.nodes):
            _kill_group(p, signal.SIGTERM)
        end = time.monotonic() + 10
        for p in self.nodes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(max(0.1, end - time.monotonic()))
        for p in self.nodes:
            _kill_group(p, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


def _kill_group(p: subprocess.Popen[bytes], sig: int) -> None:
    kids = []
    with contextlib.suppress(psutil.NoSuchProcess):
        kids = psutil.Process(p.pid).children(recursive=True)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(p.pid, sig)
    for k in kids:  # workers that left the group
        with contextlib.suppress(psutil.NoSuchProcess):
            k.send_signal(sig)


_COUNT = """
import sys, ray
ray.init(address=sys.argv[1], logging_level="ERROR", log_to_driver=False)
print(sum(1 for n in ray.nodes() if n["Alive"]))
"""

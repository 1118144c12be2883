"""Ray backend throughput: one C++ program (a few milliseconds of CPU a run) on N distinct inputs
through the local pool, a one-node Ray cluster and a two-node Ray cluster (one CPU a node), in
one run on this machine (nodes on loopback).

Prints runs/s of each and two ratios:
  - dispatch: Ray on one node / local pool with one worker (target >= 0.9)
  - scaling:  Ray on two nodes / Ray on one node          (target >= 1.7)
The scaling figure needs two idle cores; on a shared or loaded machine it measures the load.

Each figure is the best of `--repeat` batches, the local pool's and one node's taken in turns,
so a burst of load from elsewhere hurts one batch rather than one side.

    python benchmarks/ray_throughput.py [--runs 600] [--spin 3000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cpsolve.languages import Language
from cpsolve.sandbox.base import Limits
from cpsolve.sandbox.local import LocalSandbox

PROGRAM = """#include <cstdio>
int main() {
    long long n, s = 0, x = 0;
    if (scanf("%lld %lld", &n, &x) != 2) return 1;
    for (long long i = 0; i < n; ++i) {
        x = x * 6364136223846793005LL + 1442695040888963407LL;
        s ^= x >> 17;
    }
    printf("%lld\\n", s);
}
"""


BATCHES = [0]


def rate(sb: Any, runs: int, spin: int) -> float:
    """Runs per second of `runs` inputs on `sb` that no batch ran before (after a warm-up that
    compiles and places the program on every worker)."""
    BATCHES[0] += 1
    art = sb.compile(PROGRAM, Language.CPP)
    assert art.ok, art.message
    limits = Limits(cpu_s=5)
    sb.run_batch(art, [f"{spin} {-i - 1}\n".encode() for i in range(4 * sb.workers)], limits)
    inputs = [f"{spin} {BATCHES[0] * runs + i}\n".encode() for i in range(runs)]
    start = time.perf_counter()
    out = sb.run_batch(art, inputs, limits, keep_output=False)
    spent = time.perf_counter() - start
    assert all(r.verdict == "AC" for r in out), {r.verdict for r in out}
    return runs / spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=600)
    ap.add_argument("--spin", type=int, default=3_000_000, help="loop steps a run")
    ap.add_argument("--repeat", type=int, default=3, help="batches a figure, best taken")
    ns = ap.parse_args()
    os.environ.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    from cpsolve.sandbox.ray_pool import RaySandbox, connect
    from tests._ray_cluster import LoopbackCluster

    print(f"{ns.runs} runs of a C++ loop of {ns.spin} steps; load average {os.getloadavg()[0]:.1f}")
    local = one = two = 0.0
    cluster = LoopbackCluster(workers=0, cpus=1)
    try:
        connect(cluster.address)
        with LocalSandbox(workers=1) as lsb, RaySandbox("local") as rsb:
            for _ in range(ns.repeat):
                local = max(local, rate(lsb, ns.runs, ns.spin))
                one = max(one, rate(rsb, ns.runs, ns.spin))
        print(f"local pool, 1 worker      : {local:8.1f} runs/s   (baseline)")
        print(f"ray, 1 node x 1 CPU       : {one:8.1f} runs/s")
        cluster.add_node(1)
        with RaySandbox("local") as sb:
            assert sb.workers == 2, sb.workers
            for _ in range(ns.repeat):
                two = max(two, rate(sb, ns.runs, ns.spin))
        print(f"ray, 2 nodes x 1 CPU      : {two:8.1f} runs/s")
    finally:
        import ray

        ray.shutdown()
        cluster.stop()
    print(f"dispatch: ray 1 node / local pool = {one / local:.2f}x (target >= 0.9)")
    print(f"scaling:  ray 2 nodes / 1 node    = {two / one:.2f}x (target >= 1.7)")
    print(f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

"""Sandbox throughput: N runs of a trivial C++ program (read two ints, print the sum) through bare
subprocess, the local backend and the Docker backend, in one run.

Prints executions per second of each and the ratio to bare (target, issue 15: >= 0.8 for both
backends), and the machine's load average: on a shared machine the ratio falls with the load.
Bare runs as many at a time as the backends have workers, so the ratio is per core. Opening a
backend (starting its runners or containers) is reported on its own line, not mixed in.

    python benchmarks/sandbox_throughput.py [--runs 2000] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from cpsolve.sandbox.docker import DockerSandbox, docker_ready
from cpsolve.sandbox.doctor import binary_file, measure_bare, measure_sandbox
from cpsolve.sandbox.local import LocalSandbox


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ns = ap.parse_args()
    n, w = ns.runs, ns.workers
    print(f"{n} runs of a trivial C++ program, {w} worker(s); load average {_load()}")
    results = []
    binary = b""
    with tempfile.TemporaryDirectory(prefix="cpsolve-bench-") as cache:
        backends = {"local": lambda: LocalSandbox(workers=w, cache_dir=Path(cache))}
        if docker_ready():
            backends["docker"] = lambda: DockerSandbox(workers=w, cache_dir=Path(cache))
        else:
            print("docker: skipped (no daemon or no current image; `cpsolve sandbox build`)")
        for name, opener in backends.items():
            t, binary = measure_sandbox(opener, name, n, Path(cache))
            results.append(t)
    with binary_file(binary) as path:
        serial = measure_bare(path, n, 1)
        bare = measure_bare(path, n, w)
    print(f"bare subprocess, 1 at a time : {serial.rate:8.0f} runs/s")
    print(f"bare subprocess, {w} at a time : {bare.rate:8.0f} runs/s   (baseline)")
    for t in results:
        print(f"{t.backend + ' backend':29}: {t.rate:8.0f} runs/s   {t.rate / bare.rate:.2f}x bare")
    for t in results:
        print(f"start-up, {t.backend} ({t.workers} worker(s)): {t.startup_s:.2f} s")
    print(f"load average at the end: {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()

"""Grading throughput: the same programs judged in-process and through `cpsolve serve`.

N distinct Python programs for the `sum` fixture problem (a third accepted, a third wrong, a
third crashing; distinct code, so no program's runs are reused by another) are judged twice:

* in-process: `judge_program` on a local sandbox, `--workers` gradings at a time;
* service: `cpsolve serve` as a subprocess on loopback with the same sandbox workers and its
  result cache off, fed by `--clients` concurrent HTTP clients (`POST /grade`).

Prints gradings per second of each, the ratio (service / in-process; the target is >= 0.8), and
p50 and p99 latency per grading (the service's includes waiting in its queue behind the other
clients' requests). The in-process side runs before and after the service; its better rate
counts. Caches live in a fresh temporary CPSOLVE_CACHE, warmed by one
grading before timing starts, and each side has its own sandbox, so neither reuses the other's
runs. Server start-up is not timed.

    python benchmarks/serve_throughput.py [--programs 120] [--workers 2] [--clients 16]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "judge"
WARM = "import sys\nprint(sum(map(int, sys.stdin.read().split()[1:])))\n"  # accepted
BODIES = [
    "print(sum(a))",  # AC
    "print(sum(a) + 1)",  # WA
    "print(sum(a) // (n - n))",  # RE
]


def programs(n: int) -> list[str]:
    head = "import sys\nn, *a = map(int, sys.stdin.read().split())\nk = {k}\n"
    return [head.format(k=k) + BODIES[k % 3] + "\n" for k in range(n)]


def timed(fn: Callable[[str], str], codes: list[str], threads: int) -> tuple[float, list[float]]:
    """Seconds for all, and the latency of each."""

    def one(code: str) -> float:
        start = time.perf_counter()
        fn(code)
        return time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        lat = list(pool.map(one, codes))
    return time.perf_counter() - start, lat


def in_process(codes: list[str], workers: int) -> tuple[float, list[float], list[str]]:
    from cpsolve.judge.scoring import judge_program
    from cpsolve.languages import Language
    from cpsolve.problem import load_problem
    from cpsolve.sandbox.local import LocalSandbox

    problem = load_problem(FIXTURES / "sum")
    verdicts: dict[str, str] = {}
    with LocalSandbox(workers=workers) as sb:
        judge_program(problem, WARM, Language.PYTHON, sb)  # every generated test made

        def grade(code: str) -> str:
            verdicts[code] = judge_program(problem, code, Language.PYTHON, sb).verdict.value
            return verdicts[code]

        took, lat = timed(grade, codes, workers)
    return took, lat, [verdicts[c] for c in codes]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service(codes: list[str], workers: int, clients: int) -> tuple[float, list[float], list[str]]:
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "cpsolve", "serve", str(FIXTURES), "--port", str(port),
            "--sandbox", "local", "--workers", str(workers), "--result-cache", "0"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start") from None
                time.sleep(0.2)
        verdicts: dict[str, str] = {}
        with httpx.Client(base_url=url, timeout=300) as http:

            def grade(code: str) -> str:
                body = {"problem": "sum", "language": "python", "code": code}
                r = http.post("/grade", json=body)
                r.raise_for_status()
                verdicts[code] = r.json()["verdict"]
                return verdicts[code]

            grade(WARM)
            took, lat = timed(grade, codes, clients)
        return took, lat, [verdicts[c] for c in codes]
    finally:
        proc.terminate()
        proc.wait(30)


def pct(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1] if len(xs) > 1 else xs[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--programs", type=int, default=120)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--clients", type=int, default=16)
    ns = ap.parse_args()
    os.environ["CPSOLVE_CACHE"] = tempfile.mkdtemp(prefix="cpsolve-bench-serve-")
    codes = programs(ns.programs)
    print(f"{ns.programs} distinct programs, {ns.workers} sandbox worker(s), {ns.clients} clients")
    rates: dict[str, float] = {}
    verdicts = {}
    for side, run in (  # in-process before and after the service: the better run counts
        ("in-process", lambda: in_process(codes, ns.workers)),
        ("service", lambda: service(codes, ns.workers, ns.clients)),
        ("in-process", lambda: in_process(codes, ns.workers)),
    ):
        took, lat, verdicts[side] = run()
        rate = len(codes) / took
        rates[side] = max(rates.get(side, 0.0), rate)
        print(f"{side:>10}: {rate:6.1f} gradings/s  p50 {pct(lat, 50) * 1000:7.1f} ms  "
              f"p99 {pct(lat, 99) * 1000:7.1f} ms")  # fmt: skip
    if verdicts["service"] != verdicts["in-process"]:
        raise SystemExit("the service and the in-process judge gave different verdicts")
    print(f"ratio (service / in-process): {rates['service'] / rates['in-process']:.2f}x "
          "(target >= 0.8x); verdicts identical")  # fmt: skip


if __name__ == "__main__":
    main()

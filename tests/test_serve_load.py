"""The grading service under load, as a trainer drives it: `cpsolve serve` as a subprocess on
loopback, 64 clients at once, 1,000+ gradings of right, wrong, crashing and hostile programs, and
the server killed and started again mid-load. Every request gets its answer (clients retry), and
every verdict is the one `cpsolve judge` gives for the same program.

Requests are made distinct by a comment (`# v17`): each is judged anew, while the sandbox's
compile cache (which ignores comments) and its cache of identical executions keep that cheap;
about one in ten is an exact repeat, answered by the result cache or joined in flight. Forty
programs differ in behaviour (`print(sum + k)`) and are really executed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
import httpx

from cpsolve.judge.scoring import judge_program
from cpsolve.languages import Language
from cpsolve.problem import load_problem
from cpsolve.serve.client import HttpClient
from cpsolve.serve.models import GradeRequest, Status
from tests.test_serve import FIXTURES, SUM, free_port

HOSTILE = Path(__file__).parent / "hostile"
TOTAL, CONCURRENCY, KILL_AT = 1000, 64, 300
ROOT = Path(__file__).resolve().parents[1]


def base_programs() -> list[tuple[str, Language]]:
    python = ("sum.py", "wrap32.py", "slow.py", "crash.py", "hog.py")
    hostile = ("infinite_loop.cpp", "fork_bomb.cpp", "memory_bomb.cpp", "thread_bomb.cpp")
    progs = [((SUM / n).read_text(), Language.PYTHON) for n in python]
    progs += [((HOSTILE / n).read_text(), Language.CPP) for n in hostile]
    shifted = "import sys\nn, *a = map(int, sys.stdin.read().split())\nprint(sum(a) + {k})\n"
    progs += [(shifted.format(k=k), Language.PYTHON) for k in range(40)]
    return progs


def workload() -> list[tuple[int, GradeRequest]]:
    """(base program index, request) pairs: every base program, then comment variants, with
    every tenth request an exact repeat of an earlier one."""
    bases = base_programs()
    out: list[tuple[int, GradeRequest]] = []
    for i in range(TOTAL):
        if i >= len(bases) and i % 10 == 0:
            out.append(out[i // 2])
            continue
        b = i % len(bases)
        code, lang = bases[b]
        mark = "#" if lang == Language.PYTHON else "//"
        code = code if i < len(bases) else f"{code}\n{mark} v{i}\n"
        out.append((b, GradeRequest(problem="sum", language=lang, code=code)))
    return out


class Server:
    """`python -m cpsolve serve` as a subprocess, which the test may kill and start again."""

    def __init__(self, port: int) -> None:
        self.port, self.proc = port, None  # type: ignore[var-annotated]
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        argv = [sys.executable, "-m", "cpsolve", "serve", str(FIXTURES), "--port",
                str(self.port), "--sandbox", "local", "--max-pending", "40"]  # fmt: skip
        self.proc = subprocess.Popen(argv, env=env, start_new_session=True,
                                     stderr=subprocess.DEVNULL)  # fmt: skip
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "the server exited"
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError("the server did not answer /healthz")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server(free_port())
    s.start()
    yield s
    s.kill()


def expected_verdicts(sandbox) -> list[str]:  # type: ignore[no-untyped-def]
    """What the judge (`cpsolve judge`'s library call) gives each base program."""
    problem = load_problem(FIXTURES / "sum")
    return [judge_program(problem, code, lang, sandbox).verdict.value
            for code, lang in base_programs()]  # fmt: skip


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_a_thousand_gradings_at_concurrency_64_survive_a_restart(sandbox, server: Server) -> None:  # type: ignore[no-untyped-def]
    expected = expected_verdicts(sandbox)
    assert {"AC", "WA", "TLE", "RE", "MLE"} <= set(expected) and "SE" not in expected
    work = workload()
    answered = 0
    lock = threading.Lock()
    restarted = threading.Event()
    killed_at: list[int] = []
    clients: list[HttpClient] = []
    local = threading.local()

    def grade(item: tuple[int, GradeRequest]) -> tuple[int, str | None, Status]:
        nonlocal answered
        if not hasattr(local, "client"):
            local.client = HttpClient(server.url, retries=200, max_backoff_s=2, deadline_s=900)
            with lock:
                clients.append(local.client)
        answer = local.client.grade(item[1])
        with lock:
            answered += 1
        return item[0], answer.verdict, answer.status

    def restart_mid_load() -> None:
        while True:
            with lock:
                if answered >= KILL_AT:
                    break
            time.sleep(0.05)
        server.kill()
        with lock:
            killed_at.append(answered)
        server.start()
        restarted.set()

    killer = threading.Thread(target=restart_mid_load, daemon=True)
    killer.start()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        results = list(pool.map(grade, work))
    killer.join(300)
    assert restarted.is_set() and killed_at[0] < TOTAL, "the server was not killed mid-load"
    assert len(results) == TOTAL
    assert [s for _, _, s in results].count(Status.GRADED) == TOTAL
    wrong = [(b, v, expected[b]) for b, v, _ in results if v != expected[b]]
    assert not wrong, wrong[:5]
    tries = sum(c.tries for c in clients)
    assert tries > TOTAL  # some requests were refused (429) or lost in the restart, and retried
    print(f"{TOTAL} gradings, killed after {killed_at[0]}, {tries} HTTP tries")

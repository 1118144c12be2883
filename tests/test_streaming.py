"""Streaming stages (the default) against the staged run (`--staged`), through the real CLI.

The two must give the same run: the same matrix (measured times aside), the same submissions,
the same report apart from timings (ranked with no weight on measured times), on a pooled
problem and on an IOI-style one whose subtasks do not nest; a streaming run killed with -9 at
any moment resumes to that same result.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests._fixtures_pipeline import make_problem

pytestmark = pytest.mark.slow

CLI = [sys.executable, "-m", "cpsolve"]
ROOT = Path(__file__).parent.parent
PROBLEMS = ROOT / "problems"
SUMWORD = Path(__file__).parent / "fixtures" / "pipeline" / "sumword.config.json"
# The shipped scorer with its weights on measured times set to 0: two runs never measure the same
# times, and a program near a tenth of the limit would rank differently in each; what is compared
# here is the streaming pipeline, not timing noise (the matrix's times are left out likewise).
UNTIMED = Path(__file__).parent / "fixtures" / "pipeline" / "untimed.selection.json"
LOCAL = ["--sandbox", "local", "--workers", "2", "--selection", str(UNTIMED)]
MEASURED = {"gen_time"}  # matrix arrays of measured times, which no two runs share


def cpsolve(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, timeout=1800, check=False
    )


def run(problem: Path, runs: Path, *args: str) -> Path:
    res = cpsolve("run", problem, *LOCAL, "--runs-dir", runs, *args)
    assert res.returncode == 0, res.stderr[-3000:]
    return Path(res.stdout.strip().splitlines()[-1])


def report(run_dir: Path) -> dict[str, Any]:
    rep = json.loads((run_dir / "report.json").read_text())
    rep.pop("timings")
    return rep  # type: ignore[no-any-return]


def table(run_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(run_dir / "run.sqlite")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def assert_same_run(staged: Path, streamed: Path) -> None:
    assert staged.name == streamed.name  # --staged is not part of the run id
    assert report(streamed) == report(staged)
    a, b = np.load(staged / "matrix.npz"), np.load(streamed / "matrix.npz")
    assert sorted(a.files) == sorted(b.files)
    for key in set(a.files) - MEASURED:
        assert np.array_equal(a[key], b[key], equal_nan=a[key].dtype.kind == "f"), key
    for sql in (
        "SELECT * FROM submissions ORDER BY n",
        "SELECT * FROM candidates ORDER BY 1, 2, 3, 4",
        "SELECT subtask, sha FROM inputs ORDER BY 1, 2",
        "SELECT program, input, limits, verdict FROM executions ORDER BY 1, 2, 3",
        "SELECT sha, compile_ok FROM programs ORDER BY 1",
    ):
        assert table(streamed, sql) == table(staged, sql), sql


@pytest.mark.parametrize(
    ("problem", "size"),
    [
        ("gathering-point", ["--samples", "12", "--generated-inputs", "8"]),  # pooled
        ("street-lamps", ["--samples", "4", "--generated-inputs", "4"]),  # IOI, subtasks
    ],
)
def test_streaming_gives_the_staged_run(problem: str, size: list[str], tmp_path: Path) -> None:
    staged = run(PROBLEMS / problem, tmp_path / "staged", *size, "--staged")
    streamed = run(PROBLEMS / problem, tmp_path / "streamed", *size)
    assert_same_run(staged, streamed)
    timings = json.loads((streamed / "report.json").read_text())["timings"]
    assert {"sample", "tests", "compile", "execute", "stream"} <= set(timings)
    assert "stream" not in json.loads((staged / "report.json").read_text())["timings"]


@pytest.fixture(scope="module")
def sumword(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    problem = make_problem(tmp_path_factory.mktemp("problem"))
    runs = tmp_path_factory.mktemp("staged")
    return problem, run(problem, runs, "--config", str(SUMWORD), "--staged")


def test_kill_9_while_streaming_then_resume_gives_the_staged_run(
    sumword: tuple[Path, Path], tmp_path: Path
) -> None:
    problem, staged = sumword
    for delay in (1.5, 3.0, 5.0):
        runs = tmp_path / f"after-{delay}"
        proc = subprocess.Popen(
            [*CLI, "run", str(problem), "--config", str(SUMWORD), *LOCAL, "--runs-dir", str(runs)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        resumed = run(problem, runs, "--config", str(SUMWORD))
        assert_same_run(staged, resumed)


def test_streaming_runs_again_doing_nothing_twice(sumword: tuple[Path, Path]) -> None:
    """A finished staged run, run again streaming, samples, compiles and executes nothing."""
    problem, staged = sumword
    counts = "SELECT (SELECT COUNT(*) FROM samples), (SELECT COUNT(*) FROM executions)"
    before = table(staged, counts)
    again = run(problem, staged.parent, "--config", str(SUMWORD))
    assert again == staged and table(staged, counts) == before


def test_generators_run_while_the_validators_are_sampled(tmp_path: Path) -> None:
    """The sampler stores a subtask's generators first; testgen compiles and runs them while the
    validators are still being sampled. Here each validator request is held until a generator
    has run: a stream that waited for every test program before running any would stall."""
    from cpsolve.config import RunConfig
    from cpsolve.execute.executor import Executor
    from cpsolve.problem import load_problem
    from cpsolve.progress import NullProgress
    from cpsolve.run.stream import StreamRun
    from cpsolve.sample.engines.factory import build_engine
    from cpsolve.sandbox.local import LocalSandbox
    from cpsolve.store import Store

    problem = load_problem(make_problem(tmp_path))
    config = RunConfig.model_validate({**json.loads(SUMWORD.read_text()), "workers": 2})
    engine = build_engine(config, problem)
    generator_ran = threading.Event()
    held: list[bool] = []

    class Gated:  # the engine, holding validator requests until a generator has run
        name, model = engine.name, engine.model

        def sample(self, requests: Any) -> Any:
            requests = list(requests)
            if any(r.role == "validator" for r in requests):
                held.append(generator_ran.wait(120))
            yield from engine.sample(requests)

        def close(self) -> None:
            engine.close()

    with LocalSandbox(workers=2, cache_dir=tmp_path / "cache") as sandbox:

        class Watched:  # the sandbox, telling when a generator (a run given a seed) has run
            def __getattr__(self, name: str) -> Any:
                return getattr(sandbox, name)

            def run_batch(self, *args: Any, **kw: Any) -> Any:
                out = sandbox.run_batch(*args, **kw)
                if kw.get("args"):
                    generator_ran.set()
                return out

        store = Store(tmp_path / "run.sqlite")
        watched: Any = Watched()
        executor = Executor(problem, watched, store)
        stream = StreamRun(problem, config, store, Gated(), watched, executor, NullProgress())  # type: ignore[arg-type]
        stream.run()
        assert held and all(held)  # never held in vain: a generator ran before each
        assert all(store.inputs(sid) for sid in problem.hardest_first())
        store.close()

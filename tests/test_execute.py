"""The execute stage: results keyed by content, and slow candidates cut short."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpsolve.execute.executor import MAX_TIMEOUTS, SLICE, Executor
from cpsolve.execute.executor import sha as sha_of
from cpsolve.languages import Language
from cpsolve.problem import load_problem
from cpsolve.sample.stage import program_sha
from cpsolve.sandbox.factory import open_sandbox
from cpsolve.store import Store
from tests._fixtures_pipeline import FIXTURE

SLOW = """#include <cstdio>
int main() { volatile unsigned long long x = 0; for (;;) x++; }
"""
FAST = """#include <cstdio>
int main() { char w[64]; int n; long long s = 0, v;
  scanf("%63s %d", w, &n); while (n--) { scanf("%lld", &v); s += v; } printf("%lld\\n", s); }
"""


@pytest.fixture(scope="module")
def sandbox():
    with open_sandbox("local", workers=2) as sb:
        yield sb


def inputs(k: int) -> list[bytes]:
    return [f"w\n2\n{i} {i + 1}\n".encode() for i in range(k)]


def executor(tmp_path: Path, sandbox, source: str) -> tuple[Executor, str]:
    problem = load_problem(FIXTURE)
    store = Store(tmp_path / "run.sqlite")
    sha = program_sha(source, Language.CPP)
    store.add_program(sha, "cpp", source)
    return Executor(problem, sandbox, store), sha


def test_a_slow_candidate_stops_after_a_few_timeouts(tmp_path: Path, sandbox) -> None:
    ex, sha = executor(tmp_path, sandbox, SLOW)
    ex.run_generated(sha, inputs(3 * SLICE))
    rows = ex.store.executions(sha, ex.limits_key)
    assert len(rows) == 3 * SLICE and all(r.verdict == "TLE" for r in rows.values())
    ran = [r for r in rows.values() if r.cpu_s is not None]
    assert MAX_TIMEOUTS <= len(ran) <= SLICE  # only the first slice really ran
    ex.run_generated(sha, inputs(3 * SLICE))  # resuming runs nothing again
    assert ex.store.executions(sha, ex.limits_key) == rows


def test_a_fast_candidate_runs_every_input_once(tmp_path: Path, sandbox) -> None:
    ex, sha = executor(tmp_path, sandbox, FAST)
    data = inputs(2 * SLICE + 3)
    ex.run_generated(sha, data + data[:5])  # duplicates execute once
    rows = ex.store.executions(sha, ex.limits_key)
    assert len(rows) == len(data)
    assert {ex.store.output(r.output) for r in rows.values()} == {
        f"{2 * i + 1}\n".encode() for i in range(len(data))
    }


def test_interactive_candidates_on_generated_inputs_keep_what_the_interactor_said(
    tmp_path: Path, sandbox
) -> None:
    problem = load_problem(Path(__file__).parent / "fixtures" / "judge" / "guess")
    store = Store(tmp_path / "run.sqlite")
    ex = Executor(problem, sandbox, store)
    data = [b"10 7\n", b"1000000000 999999937\n"]
    said = {}
    for path in ("solutions/binary.py", "solutions/linear.py"):
        source = problem.path(path).read_text()
        sha = program_sha(source, Language.PYTHON)
        store.add_program(sha, "python", source)
        ex.run_generated(sha, data)
        rows = store.executions(sha, ex.limits_key)
        said[path] = [store.output(rows[h].output or "") for h in map(sha_of, data)]
    assert said["solutions/binary.py"] == [b"AC 1.000000", b"AC 1.000000"]
    assert said["solutions/linear.py"] == [b"AC 1.000000", b"WA 0.000000"]  # too many queries

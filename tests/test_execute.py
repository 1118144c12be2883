"""The execute stage: results keyed by content, and slow candidates cut short."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpsolve.execute.executor import SLICE, Executor
from cpsolve.execute.executor import sha as sha_of
from cpsolve.execute.stage import execute_program
from cpsolve.languages import Language
from cpsolve.problem import load_problem
from cpsolve.sample.stage import program_sha
from cpsolve.sandbox.factory import open_sandbox
from cpsolve.sandbox.local import LocalSandbox
from cpsolve.sandbox.worker import SandboxFailure
from cpsolve.store import Store
from tests._fixtures_pipeline import FIXTURE

SLOW = """#include <cstdio>
int main() { volatile unsigned long long x = 0; for (;;) x++; }
"""
FAST = """#include <cstdio>
int main() { char w[64]; int n; long long s = 0, v;
  scanf("%63s %d", w, &n); while (n--) { scanf("%lld", &v); s += v; } printf("%lld\\n", s); }
"""

SLOW_ON_S = """#include <cstdio>
int main() { char w[64]; scanf("%63s", w); volatile unsigned long long x = 0;
  if (w[0] == 's') for (;;) x++; puts("ok"); }
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


def test_a_slow_candidate_stops_at_its_first_timeout(tmp_path: Path, sandbox) -> None:
    ex, sha = executor(tmp_path, sandbox, SLOW)
    largest = b"w\n3\n1000000 2000000 3000000\n"
    ex.run_generated(sha, [*inputs(3 * SLICE), largest])
    rows = ex.store.executions(sha, ex.limits_key)
    assert len(rows) == 3 * SLICE + 1 and all(r.verdict == "TLE" for r in rows.values())
    ran = [h for h, r in rows.items() if r.cpu_s is not None]
    assert ran == [sha_of(largest)]  # the largest input ran first, and alone
    ex.run_generated(sha, [*inputs(3 * SLICE + 5), largest])  # resumed, with more inputs
    after = ex.store.executions(sha, ex.limits_key)
    assert {h: r for h, r in after.items() if h in rows} == rows  # the same matrix
    assert [h for h, r in after.items() if r.cpu_s is not None] == ran  # nothing ran again
    assert len(after) == 3 * SLICE + 6 and all(r.verdict == "TLE" for r in after.values())


def test_the_matrix_is_what_one_input_at_a_time_gives(tmp_path: Path, sandbox) -> None:
    ex, sha = executor(tmp_path, sandbox, SLOW_ON_S)
    largest, slow = b"f " + b"9" * 60 + b"\n", b"s " + b"9" * 50 + b"\n"
    rest = [f"f {i}\n".encode() for i in range(10)]  # smaller: run after the slow one
    ex.run_generated(sha, [*rest, slow, largest])
    rows = ex.store.executions(sha, ex.limits_key)
    assert rows[sha_of(largest)].verdict == "AC"
    assert rows[sha_of(slow)].verdict == "TLE" and rows[sha_of(slow)].cpu_s is not None
    # the input batched with the slow one finished, but one at a time it would not have run
    assert all(rows[sha_of(x)].verdict == "TLE" and rows[sha_of(x)].cpu_s is None for x in rest)


def test_a_timeout_stops_only_its_own_subtask(tmp_path: Path, sandbox) -> None:
    ex, sha = executor(tmp_path, sandbox, SLOW)
    first, second = inputs(4), [f"v\n1\n{i}\n".encode() for i in range(4)]
    ex.run_generated_all(sha, [first, second])
    rows = ex.store.executions(sha, ex.limits_key)
    assert len(rows) == 8 and all(r.verdict == "TLE" for r in rows.values())
    ran = {h for h, r in rows.items() if r.cpu_s is not None}
    assert len(ran & set(map(sha_of, first))) == 1
    assert len(ran & set(map(sha_of, second))) == 1


def test_a_compile_the_sandbox_failed_is_not_a_compile_error(tmp_path: Path) -> None:
    closed = LocalSandbox(workers=1, cache_dir=tmp_path / "cache")
    closed.close()  # a real sandbox whose every compile now fails as the sandbox's fault
    ex, sha = executor(tmp_path, closed, FAST)
    with pytest.raises(SandboxFailure):
        ex.artifact(sha)
    assert ex.store.program(sha).compile_ok is None  # not recorded against the program
    with open_sandbox("local", workers=1) as working:
        ex2 = Executor(ex.problem, working, ex.store)
        assert ex2.artifact(sha).ok
        assert ex.store.program(sha).compile_ok


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


WRONG = FAST.replace("s += v;", "s += v + 1;")


@pytest.mark.parametrize(("source", "runs"), [(FAST, True), (WRONG, False)])
def test_only_a_program_passing_the_public_tests_runs_the_generated_inputs(
    tmp_path: Path, sandbox, source: str, runs: bool
) -> None:
    """The public filter: a program that fails a public test of the subtask it was sampled
    for is not run on that subtask's generated inputs (AlphaCode's and o1-ioi's filter)."""
    ex, sha = executor(tmp_path, sandbox, source)
    generated = {"small": inputs(3), "big": inputs(5)}
    execute_program(ex, sha, ["big"], generated, ex.public_cases())
    assert ex.passes_public(sha, "big") is runs
    ran = ex.store.executions(sha, ex.limits_key)
    assert set(ran) == ({sha_of(x) for x in inputs(5)} if runs else set())
    assert len(ex.store.executions(sha, "public")) == 2

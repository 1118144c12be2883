"""Judging: IOI subtask scoring as CMS does it, all-or-nothing, stopping at the first zero,
shared tests run once, generated tests and answers, and the test-data cache."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from cpsolve.judge.scoring import JudgeResult, best_of, judge_program, subtask_verdict
from cpsolve.judge.tasktypes import TestResult
from cpsolve.judge.testdata import TestData
from cpsolve.languages import Language
from cpsolve.problem import Problem, load_problem
from cpsolve.sandbox.base import Sandbox, Verdict

FIXTURES = Path(__file__).parent / "fixtures" / "judge"


def judge_file(problem: Problem, path: str, sandbox: Sandbox, root: Path, **kw: Any) -> JudgeResult:
    ref = problem.path(path)
    data = TestData(problem, sandbox, root=root)
    lang = Language.CPP if ref.suffix == ".cpp" else Language.PYTHON
    return judge_program(problem, ref.read_text(), lang, sandbox, data=data, **kw)


def tr(name: str, verdict: Verdict, score: float) -> TestResult:
    return TestResult(name=name, verdict=verdict, score=score)


def test_subtask_verdict_is_the_first_zero_else_pa_else_ac() -> None:
    assert subtask_verdict([tr("a", Verdict.AC, 1), tr("b", Verdict.AC, 1)]) == Verdict.AC
    pa = [tr("a", Verdict.PA, 0.5), tr("b", Verdict.AC, 1)]
    assert subtask_verdict(pa) == Verdict.PA
    mixed = [tr("a", Verdict.PA, 0.5), tr("b", Verdict.TLE, 0), tr("c", Verdict.WA, 0)]
    assert subtask_verdict(mixed) == Verdict.TLE


def test_ioi_score_sums_points_times_minimum(sandbox: Sandbox, tmp_path: Path) -> None:
    problem = load_problem(FIXTURES / "sum")
    result = judge_file(problem, "solutions/wrap32.py", sandbox, tmp_path)
    assert result.score == pytest.approx(50)
    assert result.max_score == pytest.approx(100)
    assert [(s.id, s.earned) for s in result.subtasks] == [("1", 20), ("2", 30), ("3", 0)]
    assert result.verdict == Verdict.WA


def test_best_of_takes_each_subtasks_best(sandbox: Sandbox, tmp_path: Path) -> None:
    problem = load_problem(FIXTURES / "isqrt")
    lower = judge_file(problem, "solutions/lower.py", sandbox, tmp_path)  # 20 + 30
    floaty = judge_file(problem, "solutions/float.py", sandbox, tmp_path)  # 40 + 0
    assert lower.score == pytest.approx(50) and floaty.score == pytest.approx(40)
    assert best_of(problem, [lower, floaty]) == pytest.approx(70)
    assert best_of(problem, []) == 0


def test_all_or_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    problem = load_problem(FIXTURES / "mean")
    good = judge_file(problem, "solutions/mean.py", sandbox, tmp_path)
    bad = judge_file(problem, "solutions/two_digits.py", sandbox, tmp_path)
    assert (good.score, good.max_score, good.verdict) == (1.0, 1.0, Verdict.AC)
    assert (bad.score, bad.verdict) == (0.0, Verdict.WA)
    assert best_of(problem, [bad, good]) == 1.0


def test_stops_at_first_zero_and_runs_shared_tests_once(sandbox: Sandbox, tmp_path: Path) -> None:
    problem = load_problem(FIXTURES / "sum")
    ran: list[str] = []
    result = judge_file(
        problem, "solutions/crash.py", sandbox, tmp_path, progress=lambda t: ran.append(t.name)
    )
    assert len(ran) == len(set(ran)), "a test shared by subtasks ran twice"
    # subtask 2 fails on 2-01; subtask 3 holds that zero, so its own tests never run
    assert "3-01" not in ran and "3-02" not in ran
    assert result.subtask("3").verdict == Verdict.RE
    assert result.subtask("3").earned == 0
    assert ran[:2] == ["1-01", "1-02"]


def test_judging_some_subtasks_only(sandbox: Sandbox, tmp_path: Path) -> None:
    problem = load_problem(FIXTURES / "sum")
    result = judge_file(problem, "solutions/sum.py", sandbox, tmp_path, subtasks=["1"])
    assert [s.id for s in result.subtasks] == ["1"]
    assert result.max_score == 20 and result.score == 20
    assert {t.name for t in result.tests} == {"1-01", "1-02"}


def test_compile_error_scores_zero_with_the_compilers_message(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    problem = load_problem(FIXTURES / "mean")
    data = TestData(problem, sandbox, root=tmp_path)
    result = judge_program(problem, "int main( {", Language.CPP, sandbox, data=data)
    assert result.verdict == Verdict.CE and result.score == 0
    assert result.compile_message and result.tests == []


class CountingSandbox:
    """The real sandbox, counting what it is asked to do."""

    def __init__(self, inner: Sandbox) -> None:
        self.inner = inner
        self.calls = 0
        self.name = inner.name
        self.workers = inner.workers

    def compile(self, *a: Any, **kw: Any) -> Any:
        self.calls += 1
        return self.inner.compile(*a, **kw)

    def run_batch(self, artifact: Any, inputs: Sequence[bytes], *a: Any, **kw: Any) -> Any:
        self.calls += 1
        return self.inner.run_batch(artifact, inputs, *a, **kw)


def test_generated_tests_get_main_solution_answers_and_are_cached(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    problem = load_problem(FIXTURES / "sum")
    tests = problem.hidden_tests
    first = CountingSandbox(sandbox)
    cases = TestData(problem, first, root=tmp_path).cases(tests)  # type: ignore[arg-type]
    assert first.calls > 0
    by_name = {c.name: c for c in cases}
    numbers = [int(x) for x in by_name["3-01"].input.split()]
    assert numbers[0] == 1000 and len(numbers) == 1001
    assert int(by_name["3-01"].answer) == sum(numbers[1:])
    again = CountingSandbox(sandbox)
    cached = TestData(problem, again, root=tmp_path).cases(tests)  # type: ignore[arg-type]
    assert again.calls == 0, "a re-run compiled or ran something"
    assert [(c.input, c.answer) for c in cached] == [(c.input, c.answer) for c in cases]


def test_a_truncated_or_altered_test_data_entry_is_made_again(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    problem = load_problem(FIXTURES / "sum")
    tests = problem.hidden_tests
    cases = TestData(problem, sandbox, root=tmp_path).cases(tests)
    entries = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert len(entries) == 8  # 4 generated inputs, their 4 answers
    entries[0].write_bytes(entries[0].read_bytes()[:40])  # cut, as a full disk would
    raw = bytearray(entries[1].read_bytes())
    raw[-2] = ord("7") if raw[-2] != ord("7") else ord("8")  # one digit altered
    entries[1].write_bytes(bytes(raw))
    again = CountingSandbox(sandbox)
    remade = TestData(problem, again, root=tmp_path).cases(tests)  # type: ignore[arg-type]
    assert again.calls > 0, "a bad entry was trusted"
    assert [(c.input, c.answer) for c in remade] == [(c.input, c.answer) for c in cases]

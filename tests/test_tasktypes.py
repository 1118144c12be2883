"""Every task type and every checker, end to end through the local sandbox, on the small
problems in tests/fixtures/judge: each reference solution must earn the verdicts it expects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cpsolve.judge.scoring import JudgeResult, judge_program
from cpsolve.judge.tasktypes import Communication, Interactive, task_type_for
from cpsolve.judge.testdata import TestData
from cpsolve.problem import Problem, load_problem
from cpsolve.sandbox.base import Sandbox, Verdict

FIXTURES = Path(__file__).parent / "fixtures" / "judge"

CASES = [
    (name, i)
    for name in (
        "sum",
        "mean",
        "factor",
        "isqrt",
        "maxval",
        "relay",
        "relay-fifo",
        "halves",
        "guess",
    )
    for i in range(len(load_problem(FIXTURES / name, check_files=False).reference_solutions))
]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("testdata")


def judge_ref(problem: Problem, index: int, sandbox: Sandbox, cache: Path) -> JudgeResult:
    ref = problem.reference_solutions[index]
    source = problem.path(ref.path).read_text()
    data = TestData(problem, sandbox, root=cache)
    return judge_program(problem, source, ref.language, sandbox, data=data)


@pytest.mark.parametrize(("name", "index"), CASES)
def test_reference_solution_earns_its_expected_verdicts(
    name: str, index: int, sandbox: Sandbox, cache: Path
) -> None:
    problem = load_problem(FIXTURES / name)
    ref = problem.reference_solutions[index]
    result = judge_ref(problem, index, sandbox, cache)
    got = {s.id: str(s.verdict) for s in result.subtasks}
    wanted = {sid: v for sid, v in ref.expect.items() if v != "any"}
    assert {sid: got[sid] for sid in wanted} == wanted, result.tests


def _by_path(problem: Problem, path: str) -> int:
    return [r.path for r in problem.reference_solutions].index(path)


def test_testlib_points_give_partial_scores(sandbox: Sandbox, cache: Path) -> None:
    problem = load_problem(FIXTURES / "factor")
    result = judge_ref(problem, _by_path(problem, "solutions/trivial.py"), sandbox, cache)
    scores = {t.name: t.score for t in result.tests}
    assert scores == {"01": 0.5, "02": 0.5, "03": 1.0}  # 13 is prime: "1 13" is right
    assert result.score == pytest.approx(50)
    assert "trivial split" in result.tests[0].message


def test_testlib_presentation_error(sandbox: Sandbox, cache: Path) -> None:
    problem = load_problem(FIXTURES / "factor")
    result = judge_ref(problem, _by_path(problem, "solutions/words.py"), sandbox, cache)
    assert result.tests[0].verdict == Verdict.PE
    assert "expected two integers" in result.tests[0].message


def test_cms_checker_partial_scores_and_subtask_minimum(sandbox: Sandbox, cache: Path) -> None:
    problem = load_problem(FIXTURES / "isqrt")
    result = judge_ref(problem, _by_path(problem, "solutions/lower.py"), sandbox, cache)
    assert [t.score for t in result.tests] == [0.5, 0.5, 0.5, 0.5]
    assert result.subtask("small").earned == pytest.approx(20)
    assert result.subtask("large").earned == pytest.approx(30)
    assert result.tests[0].message == "translate:partial"


def test_grader_protocol_violation_names_the_call(sandbox: Sandbox, cache: Path) -> None:
    problem = load_problem(FIXTURES / "maxval")
    result = judge_ref(problem, _by_path(problem, "solutions/oob.cpp"), sandbox, cache)
    assert result.tests[0].verdict == Verdict.PV
    assert "value(3) is out of range" in result.tests[0].message


def test_communication_manager_message_and_pv(sandbox: Sandbox, cache: Path) -> None:
    problem = load_problem(FIXTURES / "relay")
    ok = judge_ref(problem, _by_path(problem, "solutions/relay_sum.py"), sandbox, cache)
    assert ok.tests[0].message == "output is correct"
    chat = judge_ref(problem, _by_path(problem, "solutions/relay_chat.py"), sandbox, cache)
    assert chat.tests[0].verdict == Verdict.PV
    assert "hello manager" in chat.tests[0].message


def test_interactive_wrong_answer_beats_the_programs_broken_pipe(
    sandbox: Sandbox, cache: Path
) -> None:
    problem = load_problem(FIXTURES / "guess")
    result = judge_ref(problem, _by_path(problem, "solutions/linear.py"), sandbox, cache)
    by_name = {t.name: t for t in result.tests}
    assert by_name["01"].verdict == Verdict.AC  # N = 10: few enough queries
    last = result.tests[-1]
    assert last.verdict == Verdict.WA and "too many queries" in last.message


def test_tle_is_reported_before_a_checker_would_run(sandbox: Sandbox, cache: Path) -> None:
    problem = load_problem(FIXTURES / "relay")
    result = judge_ref(problem, _by_path(problem, "solutions/relay_sleep.py"), sandbox, cache)
    assert result.tests[0].verdict == Verdict.TLE
    assert result.tests[0].time_s >= problem.time_limit_s * 0.9


def test_program_input_does_not_end_before_the_manager_opens_it(
    sandbox: Sandbox, cache: Path
) -> None:
    problem = load_problem(FIXTURES / "late-open")
    result = judge_ref(problem, 0, sandbox, cache)
    assert result.tests[0].verdict == Verdict.AC, result.tests[0].message


class CompileLog:
    """The real sandbox, noting the file name of everything it compiles."""

    def __init__(self, inner: Sandbox) -> None:
        self.inner = inner
        self.name = inner.name
        self.workers = inner.workers
        self.compiled: list[str | None] = []

    def compile(self, *a: Any, **kw: Any) -> Any:
        self.compiled.append(kw.get("filename"))
        return self.inner.compile(*a, **kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize(
    ("name", "kind", "judging"),
    [("relay", Communication, "manager.py"), ("guess", Interactive, "interactor.py")],
)
def test_a_problems_judging_program_compiles_once_for_all_its_submissions(
    name: str, kind: type, judging: str, sandbox: Sandbox, cache: Path
) -> None:
    problem = load_problem(FIXTURES / name)
    log = CompileLog(sandbox)
    runner = task_type_for(problem, log)
    assert isinstance(runner, kind) and log.compiled == []  # nothing compiled before use
    data = TestData(problem, log, root=cache)
    [only] = problem.subtasks
    for ref in problem.reference_solutions[:2]:
        source = problem.path(ref.path).read_text()
        result = judge_program(problem, source, ref.language, log, data=data, task_type=runner)
        assert result.verdict == ref.expect[only.id]
    assert log.compiled.count(judging) == 1

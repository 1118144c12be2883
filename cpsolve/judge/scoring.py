"""Scoring with hidden tests: one program, per-test verdicts, subtask points as CMS gives them.

* IOI (`scoring: subtasks`): a subtask earns its points times the minimum test score over its
  tests; a problem's score over several submissions is the sum over subtasks of the best any of
  them earned (`best_of`).
* Codeforces/ICPC (`scoring: all-or-nothing`): the full score when every hidden test is accepted,
  else nothing.

A subtask stops at its first zero-scoring test, and a test two subtasks share runs once. Tests
run as many at a time as the sandbox has workers, so up to `workers - 1` tests past the first
zero may have run too; they are reported, and reused by any later subtask that holds them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel, Field

from cpsolve.judge.tasktypes import TaskTypeRunner, TestResult, task_type_for
from cpsolve.judge.testdata import TestData
from cpsolve.languages import Language
from cpsolve.problem import Problem, Scoring
from cpsolve.sandbox.base import Artifact, Sandbox, Verdict

__all__ = [
    "JudgeResult",
    "SubtaskResult",
    "TestResult",
    "best_of",
    "judge_program",
    "subtask_verdict",
]


class SubtaskResult(BaseModel):
    id: str
    points: float
    earned: float
    verdict: Verdict
    tests: list[str] = Field(default_factory=list)  # the tests that ran for it, in order


class JudgeResult(BaseModel):
    problem: str
    score: float
    max_score: float
    verdict: Verdict  # the first non-AC subtask verdict, else AC
    subtasks: list[SubtaskResult]
    tests: list[TestResult]
    compile_message: str = ""

    def subtask(self, subtask_id: str) -> SubtaskResult:
        for s in self.subtasks:
            if s.id == subtask_id:
                return s
        raise KeyError(subtask_id)


Progress = Callable[[TestResult], None]


def subtask_verdict(results: Sequence[TestResult]) -> Verdict:
    """The verdict of a subtask from its tests, in order: the first zero-scoring test's verdict,
    else PA when some test scored below 1, else AC."""
    for r in results:
        if r.score <= 0:
            return r.verdict if r.verdict not in (Verdict.AC, Verdict.PA) else Verdict.WA
    if any(r.score < 1 for r in results):
        return Verdict.PA
    return Verdict.AC


def _run_subtask(
    runner: TaskTypeRunner,
    program: Artifact,
    data: TestData,
    names: list[str],
    done: dict[str, TestResult],
    chunk: int,
    progress: Progress | None,
) -> None:
    """Run the tests of one subtask that have not run yet, in order, `chunk` at a time, until a
    test scores zero."""
    if any(done[n].score <= 0 for n in names if n in done):
        return  # it already holds a zero: it earns nothing, whatever the rest does
    i = 0
    while i < len(names):
        todo: list[str] = []
        while i < len(names) and len(todo) < chunk:
            n = names[i]
            i += 1
            if n in done:
                if done[n].score <= 0:
                    break
                continue
            todo.append(n)
        if not todo:
            continue
        cases = data.cases([runner.problem.test(n) for n in todo])
        for r in runner.run_tests(program, cases):
            done[r.name] = r
            if progress is not None:
                progress(r)
        if any(done[n].score <= 0 for n in todo):
            return


def _rounded(points: float, precision: int | None) -> float:
    return points if precision is None else round(points, precision)


def _score_subtask(problem: Problem, sid: str, done: dict[str, TestResult]) -> SubtaskResult:
    st = problem.subtask(sid)
    ran = [done[n] for n in problem.subtask_tests[sid] if n in done]
    verdict = subtask_verdict(ran)
    complete = len(ran) == len(problem.subtask_tests[sid])
    fraction = min((r.score for r in ran), default=1.0) if complete else 0.0
    return SubtaskResult(
        id=sid,
        points=st.points,
        earned=_rounded(st.points * fraction, problem.score_precision),
        verdict=verdict,
        tests=[r.name for r in ran],
    )


def judge_program(
    problem: Problem,
    source: str,
    language: Language,
    sandbox: Sandbox,
    subtasks: Sequence[str] | None = None,
    *,
    progress: Progress | None = None,
    data: TestData | None = None,
    task_type: TaskTypeRunner | None = None,
) -> JudgeResult:
    """Judge one program on the problem's hidden tests (only `subtasks`, when given), with the
    problem's `task_type` object when the caller holds one (its judging programs compiled)."""
    ids = list(subtasks) if subtasks is not None else [s.id for s in problem.subtasks]
    for sid in ids:
        problem.subtask(sid)  # KeyError for an unknown id
    runner = task_type or (data.task_type if data else task_type_for(problem, sandbox))
    program = runner.prepare(source, language)
    max_score = sum(problem.subtask(s).points for s in ids)
    if not program.ok:
        subs = [
            SubtaskResult(id=s, points=problem.subtask(s).points, earned=0, verdict=Verdict.CE)
            for s in ids
        ]
        return JudgeResult(
            problem=problem.id,
            score=0,
            max_score=max_score,
            verdict=Verdict.CE,
            subtasks=subs,
            tests=[],
            compile_message=program.message,
        )
    data = data or TestData(problem, sandbox, task_type=runner)
    done: dict[str, TestResult] = {}
    chunk = max(1, getattr(sandbox, "workers", 1))
    for sid in ids:
        _run_subtask(runner, program, data, problem.subtask_tests[sid], done, chunk, progress)
    subs = [_score_subtask(problem, sid, done) for sid in ids]
    order = [t.name for t in problem.hidden_tests]
    tests = [done[n] for n in order if n in done]
    verdict = next((s.verdict for s in subs if s.verdict != Verdict.AC), Verdict.AC)
    if problem.scoring == Scoring.ALL_OR_NOTHING:
        score = max_score if all(s.verdict == Verdict.AC for s in subs) else 0.0
    else:
        score = sum(s.earned for s in subs)
    return JudgeResult(
        problem=problem.id,
        score=score,
        max_score=max_score,
        verdict=verdict,
        subtasks=subs,
        tests=tests,
    )


def best_of(problem: Problem, results: Sequence[JudgeResult]) -> float:
    """A problem's score over several submissions as the IOI gives it: for each subtask the best
    any submission earned, summed. All-or-nothing problems: the best single score."""
    if problem.scoring == Scoring.ALL_OR_NOTHING:
        return max((r.score for r in results), default=0.0)
    best: dict[str, float] = {}
    for r in results:
        for s in r.subtasks:
            best[s.id] = max(best.get(s.id, 0.0), s.earned)
    return sum(best.values())

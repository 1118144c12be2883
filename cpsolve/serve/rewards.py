"""Reward shapes: one judged program's result as the number a trainer learns from.

Every shape is a pure function of a `JudgeResult` whose tests all ran (no sandbox error): a
result with a sandbox error has no reward at all, which the grader enforces before calling here.
"""

from __future__ import annotations

from cpsolve.judge.scoring import JudgeResult
from cpsolve.problem import Problem
from cpsolve.sandbox.base import Verdict
from cpsolve.serve.models import RewardShape

COMPILE_PENALTY = -0.1  # the codeforces shape: a program that does not compile costs a little


def passed_fraction(problem: Problem, result: JudgeResult) -> float:
    """Per judged subtask, the summed scores of its tests in order up to the first test that
    scored zero or did not run, over the number of its tests; pooled over the subtasks. Tests the
    judge ran past a failure (it runs a chunk at a time) do not count, so the value does not
    depend on the sandbox's worker count."""
    by_name = {t.name: t for t in result.tests}
    earned, total = 0.0, 0
    for s in result.subtasks:
        names = problem.subtask_tests[s.id]
        total += len(names)
        for n in names:
            t = by_name.get(n)
            if t is None or t.score <= 0:
                break
            earned += t.score
    return earned / total if total else 0.0


def reward(problem: Problem, result: JudgeResult, shape: RewardShape) -> float:
    """The reward of a judged program under `shape`."""
    accepted = result.verdict == Verdict.AC
    if shape == RewardShape.BINARY:
        return 1.0 if accepted else 0.0
    if shape == RewardShape.FRACTION:
        return passed_fraction(problem, result)
    if shape == RewardShape.IOI:
        return result.score / result.max_score if result.max_score > 0 else float(accepted)
    if result.verdict == Verdict.CE:
        return COMPILE_PENALTY
    return 1.0 if accepted else 0.0

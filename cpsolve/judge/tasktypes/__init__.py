"""How one test is run, per task type: `task_type_for` chooses a problem's `TaskTypeRunner`
once (batch, grader, communication, interactive); the object compiles submissions, holds the
problem's judging programs and runs tests through the sandbox."""

from __future__ import annotations

from cpsolve.judge.tasktypes.base import JobTaskType, Support, TaskTypeRunner, contestant_limits
from cpsolve.judge.tasktypes.batch import Batch
from cpsolve.judge.tasktypes.communication import Communication
from cpsolve.judge.tasktypes.compiling import (
    HEADER_SUFFIXES,
    compile_submission,
    compile_support,
)
from cpsolve.judge.tasktypes.grader import Grader
from cpsolve.judge.tasktypes.interactive import Interactive
from cpsolve.judge.tasktypes.results import Case, TestResult
from cpsolve.problem import Problem, TaskType
from cpsolve.sandbox.base import Sandbox

__all__ = [
    "HEADER_SUFFIXES",
    "Batch",
    "Case",
    "Communication",
    "Grader",
    "Interactive",
    "JobTaskType",
    "Support",
    "TaskTypeRunner",
    "TestResult",
    "compile_submission",
    "compile_support",
    "contestant_limits",
    "task_type_for",
]

RUNNERS: dict[TaskType, type[TaskTypeRunner]] = {
    TaskType.BATCH: Batch,
    TaskType.GRADER: Grader,
    TaskType.COMMUNICATION: Communication,
    TaskType.INTERACTIVE: Interactive,
}


def task_type_for(problem: Problem, sandbox: Sandbox) -> TaskTypeRunner:
    """The problem's task type, chosen once; it compiles nothing until it is used."""
    return RUNNERS[problem.task_type](problem, sandbox)

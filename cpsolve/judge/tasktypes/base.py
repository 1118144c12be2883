"""The interface of a task type: `TaskTypeRunner`, one object per problem.

It compiles a submission (with the problem's grader when the problem has one), holds the
problem's judging programs (checker, manager, interactor) compiled once on first use, and runs
a compiled submission on tests, one `TestResult` each. Everything executes through the sandbox.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import ClassVar

from cpsolve.judge.tasktypes.compiling import compile_submission, compile_support
from cpsolve.judge.tasktypes.results import Case, TestResult, result
from cpsolve.languages import Language
from cpsolve.problem import Problem
from cpsolve.sandbox.base import Artifact, Limits, Sandbox, Verdict


def contestant_limits(problem: Problem) -> Limits:
    return Limits(cpu_s=problem.time_limit_s, memory_mb=problem.memory_limit_mb)


@dataclass(frozen=True)
class Support:
    """The problem's own programs that judge a test, compiled."""

    checker: Artifact | None = None
    manager: Artifact | None = None
    interactor: Artifact | None = None


class TaskTypeRunner(ABC):
    """How one problem's submissions compile and run on a test."""

    # A candidate runs as a plain `run_batch` on stdin inputs (its stdout is its output).
    runs_on_stdin: ClassVar[bool] = True
    # A test without an answer gets the main reference solution's output.
    answers_from_reference: ClassVar[bool] = True

    def __init__(self, problem: Problem, sandbox: Sandbox) -> None:
        self.problem = problem
        self.sandbox = sandbox
        self.limits = contestant_limits(problem)
        self._support: Support | None = None
        self._lock = threading.Lock()

    # ---- compiling -----------------------------------------------------------------------

    def support(self) -> Support:
        """The judging programs, compiled on first use; a broken one raises ProblemError."""
        with self._lock:
            if self._support is None:
                self._support = self._compile_support()
            return self._support

    def _compile_support(self) -> Support:
        return Support(checker=self._compile_checker())

    def _compile_checker(self) -> Artifact | None:
        spec = self.problem.checker
        if spec.type == "program" and spec.path:
            return compile_support(self.sandbox, self.problem, spec.path)
        return None

    def compile(self, source: str, language: Language) -> Artifact:
        """A submission's program; a compile error shows as `ok` False."""
        return compile_submission(self.sandbox, self.problem, source, Language(language))

    def prepare(self, source: str, language: Language) -> Artifact:
        """Compile a submission, then the judging programs (their failure is the problem's)."""
        program = self.compile(source, language)
        self.support()
        return program

    # ---- running -------------------------------------------------------------------------

    def run_tests(self, program: Artifact, cases: Sequence[Case]) -> list[TestResult]:
        """Run a compiled submission on each case; CE on every case when it did not compile.
        The judging programs compile first: a broken one is the problem's fault, whatever the
        submission."""
        self.support()
        if not program.ok:
            return [result(c.name, Verdict.CE, message=program.message) for c in cases]
        return self._run(program, cases)

    @abstractmethod
    def _run(self, program: Artifact, cases: Sequence[Case]) -> list[TestResult]: ...


class JobTaskType(TaskTypeRunner):
    """A task type whose test is one sandbox job: the program with the problem's manager or
    interactor, wired by FIFOs. Its tests run as many at a time as the sandbox has workers."""

    runs_on_stdin = False
    answers_from_reference = False  # the manager or interactor judges, not an answer file

    def _run(self, program: Artifact, cases: Sequence[Case]) -> list[TestResult]:
        if len(cases) == 1:
            return [self.run_case(program, cases[0])]
        with ThreadPoolExecutor(max(1, min(len(cases), self.sandbox.workers))) as pool:
            return list(pool.map(lambda c: self.run_case(program, c), cases))

    @abstractmethod
    def run_case(self, program: Artifact, case: Case) -> TestResult: ...

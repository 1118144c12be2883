"""`batch`: the program reads the test on stdin and writes its output on stdout, which the
checker (or the problem's comparison) judges."""

from __future__ import annotations

from collections.abc import Sequence

from cpsolve.judge.checkers import compare, run_program_checker
from cpsolve.judge.tasktypes.base import TaskTypeRunner
from cpsolve.judge.tasktypes.results import (
    Case,
    TestResult,
    from_check,
    resource_message,
    result,
)
from cpsolve.sandbox.base import Artifact, RunResult, Verdict


class Batch(TaskTypeRunner):
    """stdin to stdout, then the checker; all of a call's tests in one sandbox batch."""

    def _run(self, program: Artifact, cases: Sequence[Case]) -> list[TestResult]:
        inputs = [c.input for c in cases]
        runs = self.sandbox.run_batch(program, inputs, self.limits, keep_output=True)
        return [self._check(c, r) for c, r in zip(cases, runs, strict=True)]

    def _check(self, case: Case, run: RunResult) -> TestResult:
        usage = {"time_s": run.cpu_s, "memory_mb": run.memory_mb}
        if run.verdict != Verdict.AC:
            return result(case.name, run.verdict, message=resource_message(run), **usage)
        out = run.stdout or b""
        violation = self.protocol_violation(out)
        if violation is not None:
            return result(case.name, Verdict.PV, message=violation, **usage)
        checker = self.support().checker
        if checker is not None:
            spec = self.problem.checker
            check = run_program_checker(
                self.sandbox,
                checker,
                spec.protocol,
                case.input,
                out,
                case.answer,
                spec.max_points,
            )
        else:
            check = compare(out, case.answer, self.problem.checker)
        return from_check(case.name, check, run.cpu_s, run.memory_mb)

    def protocol_violation(self, out: bytes) -> str | None:
        """The message when the output reports a protocol violation; none in plain batch."""
        return None

"""What a test gives: `TestResult`, and the verdict pieces the task types share.

Verdict precedence: the contestant's resource verdicts (TLE, MLE, RE, OLE) come before what the
checker, manager or interactor says, except that a program that exited non-zero or died of
SIGPIPE while the manager or interactor rejected the exchange gets that rejection (it was talking
to a judge that had hung up); a program killed by another signal keeps its RE.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, Field

from cpsolve.judge.checkers import CheckResult, parse_checker
from cpsolve.sandbox.base import JobResult, ProcResult, RunResult, Verdict

RESOURCE = (Verdict.TLE, Verdict.MLE, Verdict.RE, Verdict.OLE)
SIGPIPE = int(signal.SIGPIPE)


class TestResult(BaseModel):
    """One program on one test."""

    __test__ = False  # not a pytest class

    name: str
    verdict: Verdict
    score: float = Field(ge=0, le=1)
    time_s: float = 0.0
    memory_mb: float = 0.0
    message: str = ""


@dataclass
class Case:
    """A test's data as the task type needs it."""

    name: str
    input: bytes
    answer: bytes


def result(name: str, verdict: Verdict, score: float = 0.0, message: str = "", **kw) -> TestResult:
    return TestResult(name=name, verdict=verdict, score=score, message=message, **kw)


def resource_message(p: RunResult | ProcResult) -> str:
    if p.verdict == Verdict.RE:
        how = f"signal {p.signal}" if p.signal else f"exit code {p.exit_code}"
        err = p.stderr.decode("utf-8", "replace").strip()
        return f"runtime error ({how})" + (f": {err[:200]}" if err else "")
    return {
        Verdict.TLE: "time limit exceeded",
        Verdict.MLE: "memory limit exceeded",
        Verdict.OLE: "output limit exceeded",
        Verdict.SE: "sandbox error",
    }.get(p.verdict, str(p.verdict))


def from_check(name: str, check: CheckResult, time_s: float, memory_mb: float) -> TestResult:
    return TestResult(
        name=name,
        verdict=check.verdict,
        score=check.score,
        time_s=time_s,
        memory_mb=memory_mb,
        message=check.message,
    )


def hung_up(p: ProcResult, judge_said: CheckResult) -> bool:
    """Whether a program's failure is best explained by the judge's side having given its
    verdict and hung up: the judge rejected the exchange and the program then died of SIGPIPE
    or exited non-zero (EOF or a broken pipe where it expected an answer). A program killed by
    any other signal (a crash of its own) keeps its RE."""
    if p.verdict != Verdict.RE or judge_said.verdict in (Verdict.AC, Verdict.SE):
        return False
    return p.signal is None or p.signal == SIGPIPE


def judge_side(
    result: JobResult, name: str, parse: Callable[[ProcResult], CheckResult]
) -> CheckResult:
    """What the interactor or manager said; SE when it failed (the contestant's own resource
    verdicts are still reported first: a judge waiting on a stuck program is the program's)."""
    if result.error:
        return CheckResult(verdict=Verdict.SE, score=0.0, message=result.error)
    try:
        return parse(result.proc(name))
    except KeyError:
        return CheckResult(verdict=Verdict.SE, score=0.0, message=f"the {name} did not run")


def checker_stage(result: JobResult, protocol: str, max_points: float | None = None) -> CheckResult:
    """What the checker said in its stage of a job."""
    try:
        proc = result.proc("checker")
    except KeyError:
        return CheckResult(verdict=Verdict.SE, score=0.0, message="the checker did not run")
    return parse_checker(proc, protocol, max_points)

"""How one test is run: batch, grader, communication and interactive task types.

`prepare` compiles everything a submission needs once (the program, with the problem's grader
where it has one, and the problem's checker, manager or interactor); `run_tests` runs it on
tests and returns one `TestResult` each. Everything executes through the sandbox.

Verdict precedence: the contestant's resource verdicts (TLE, MLE, RE, OLE) come before what the
checker, manager or interactor says, except that a program that exited non-zero or died of
SIGPIPE while the manager or interactor rejected the exchange gets that rejection (it was talking
to a judge that had hung up); a program killed by another signal keeps its RE.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from cpsolve.errors import ProblemError
from cpsolve.judge.checkers import (
    CHECKER_LIMITS,
    CheckResult,
    compare,
    parse_cms,
    parse_testlib,
    run_program_checker,
)
from cpsolve.languages import Language, language_of
from cpsolve.problem import Problem, TaskType
from cpsolve.sandbox.base import (
    Artifact,
    Job,
    JobResult,
    Limits,
    ProcResult,
    ProcSpec,
    RunResult,
    Sandbox,
    Stage,
    Verdict,
)

RESOURCE = (Verdict.TLE, Verdict.MLE, Verdict.RE, Verdict.OLE)
SIGPIPE = int(signal.SIGPIPE)
HEADER_SUFFIXES = (".h", ".hpp", ".hh")


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
class Harness:
    """A submission compiled with everything its problem needs to run and check one test."""

    problem: Problem
    sandbox: Sandbox
    program: Artifact
    checker: Artifact | None = None
    manager: Artifact | None = None
    interactor: Artifact | None = None

    @property
    def limits(self) -> Limits:
        return contestant_limits(self.problem)


@dataclass
class Case:
    """A test's data as the task type needs it."""

    name: str
    input: bytes
    answer: bytes


def contestant_limits(problem: Problem) -> Limits:
    return Limits(cpu_s=problem.time_limit_s, memory_mb=problem.memory_limit_mb)


# ---- compiling -----------------------------------------------------------------------------


def _headers_beside(path: Path) -> dict[str, bytes]:
    found = sorted(path.parent.glob("*"))
    return {p.name: p.read_bytes() for p in found if p.suffix in HEADER_SUFFIXES}


def compile_support(sandbox: Sandbox, problem: Problem, relpath: str) -> Artifact:
    """Compile one of the problem's own programs (checker, manager, generator...), with the
    headers that sit beside it (testlib.h); a compile error is the problem's fault."""
    path = problem.path(relpath)
    if not path.is_file():
        raise ProblemError(f"{problem.id}: program '{relpath}' does not exist")
    art = sandbox.compile(
        path.read_text(), language_of(path), _headers_beside(path), filename=path.name
    )
    if not art.ok:
        head = art.message.strip()[:400]
        raise ProblemError(f"{problem.id}: '{relpath}' does not compile: {head}")
    return art


def compile_submission(
    sandbox: Sandbox, problem: Problem, source: str, language: Language
) -> Artifact:
    """Compile a contestant's source, together with the problem's grader when it has one."""
    spec = problem.grader
    if spec is None:
        return sandbox.compile(source, language)
    extra = {Path(h).name: problem.path(h).read_bytes() for h in spec.headers}
    graders = [problem.path(s) for s in spec.sources.get(language, [])]
    if not graders and spec.sources:
        known = ", ".join(sorted(spec.sources))
        return Artifact(
            key="",
            language=language,
            ok=False,
            message=f"this problem's grader exists only for {known}, not {language}",
        )
    filename = spec.filename.get(language)
    if language == Language.PYTHON and graders:
        # Python graders are the entry point and import the contestant's module.
        extra |= {g.name: g.read_bytes() for g in graders[1:]}
        extra[filename or "solution.py"] = source.encode()
        return sandbox.compile(graders[0].read_text(), language, extra, filename=graders[0].name)
    extra |= {g.name: g.read_bytes() for g in graders}
    return sandbox.compile(
        source, language, extra, filename=filename, extra_sources=[g.name for g in graders]
    )


def prepare(problem: Problem, sandbox: Sandbox, source: str, language: Language) -> Harness:
    """Compile a submission and the problem's judging programs. A CE shows as `program.ok`."""
    program = compile_submission(sandbox, problem, source, Language(language))
    h = Harness(problem=problem, sandbox=sandbox, program=program)
    if problem.checker.type == "program" and problem.checker.path:
        h.checker = compile_support(sandbox, problem, problem.checker.path)
    if problem.task_type == TaskType.COMMUNICATION and problem.manager is not None:
        h.manager = compile_support(sandbox, problem, problem.manager.path)
    if problem.task_type == TaskType.INTERACTIVE and problem.interactor is not None:
        h.interactor = compile_support(sandbox, problem, problem.interactor.path)
    return h


# ---- running -------------------------------------------------------------------------------


def run_tests(h: Harness, cases: Sequence[Case]) -> list[TestResult]:
    """Run the prepared submission on each case (batch-like task types in one sandbox batch)."""
    if not h.program.ok:
        return [_result(c.name, Verdict.CE, message=h.program.message) for c in cases]
    if h.problem.task_type in (TaskType.COMMUNICATION, TaskType.INTERACTIVE):
        comm = h.problem.task_type == TaskType.COMMUNICATION
        one = run_communication if comm else run_interactive
        if len(cases) == 1:
            return [one(h, cases[0])]
        with ThreadPoolExecutor(max(1, min(len(cases), h.sandbox.workers))) as pool:
            return list(pool.map(lambda c: one(h, c), cases))
    runs = h.sandbox.run_batch(h.program, [c.input for c in cases], h.limits, keep_output=True)
    return [_check_batch(h, c, r) for c, r in zip(cases, runs, strict=True)]


def _result(name: str, verdict: Verdict, score: float = 0.0, message: str = "", **kw) -> TestResult:
    return TestResult(name=name, verdict=verdict, score=score, message=message, **kw)


def _resource_message(p: RunResult | ProcResult) -> str:
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


def _from_check(name: str, check: CheckResult, time_s: float, memory_mb: float) -> TestResult:
    return TestResult(
        name=name,
        verdict=check.verdict,
        score=check.score,
        time_s=time_s,
        memory_mb=memory_mb,
        message=check.message,
    )


def _check_batch(h: Harness, case: Case, run: RunResult) -> TestResult:
    usage = {"time_s": run.cpu_s, "memory_mb": run.memory_mb}
    if run.verdict != Verdict.AC:
        return _result(case.name, run.verdict, message=_resource_message(run), **usage)
    out = run.stdout or b""
    if h.problem.task_type == TaskType.GRADER and _says_protocol_violation(out):
        message = out.decode("utf-8", "replace").strip().splitlines()[0][:200]
        return _result(case.name, Verdict.PV, message=message, **usage)
    if h.checker is not None:
        check = run_program_checker(
            h.sandbox, h.checker, h.problem.checker.protocol, case.input, out, case.answer
        )
    else:
        check = compare(out, case.answer, h.problem.checker)
    return _from_check(case.name, check, run.cpu_s, run.memory_mb)


def _says_protocol_violation(out: bytes) -> bool:
    """A grader reports a protocol violation by starting its output with those words."""
    return out.lstrip()[:18].lower() == b"protocol violation"


def _hung_up(p: ProcResult, judge_said: CheckResult) -> bool:
    """Whether a program's failure is best explained by the judge's side having given its
    verdict and hung up: the judge rejected the exchange and the program then died of SIGPIPE
    or exited non-zero (EOF or a broken pipe where it expected an answer). A program killed by
    any other signal (a crash of its own) keeps its RE."""
    if p.verdict != Verdict.RE or judge_said.verdict in (Verdict.AC, Verdict.SE):
        return False
    return p.signal is None or p.signal == SIGPIPE


# ---- interactive (Codeforces) --------------------------------------------------------------


def interactive_job(h: Harness, case: Case) -> Job:
    wall = h.limits.wall + 5
    interactor = ProcSpec(
        name="interactor",
        program=h.interactor.key if h.interactor else None,
        args=["input.txt", "tout.txt", "answer.txt"],
        stdin="fifo:to_judge",
        stdout="fifo:to_program",
        limits=Limits(cpu_s=10, wall_s=wall, memory_mb=1024),
        trusted=True,
    )
    program = ProcSpec(
        name="program",
        program=h.program.key,
        stdin="fifo:to_program",
        stdout="fifo:to_judge",
        limits=h.limits,
    )
    stages = [Stage(procs=[interactor, program])]
    if h.checker is not None:
        args = ["input.txt", "tout.txt", "answer.txt"]
        check = ProcSpec(
            name="checker", program=h.checker.key, args=args, limits=CHECKER_LIMITS, trusted=True
        )
        stages.append(Stage(procs=[check]))
    files = {"input.txt": case.input, "answer.txt": case.answer}  # tout.txt: made by the interactor
    return Job(files=files, fifos=["to_program", "to_judge"], stages=stages)


def run_interactive(h: Harness, case: Case) -> TestResult:
    result = h.sandbox.run_job(interactive_job(h, case))
    try:
        prog = result.proc("program")
    except KeyError:
        return _result(case.name, Verdict.SE, message=result.error or "the program did not run")
    usage = {"time_s": prog.cpu_s, "memory_mb": prog.memory_mb}
    said = _judge_side(result, "interactor", parse_testlib)
    if said.verdict == Verdict.PE:  # the program broke the interaction protocol
        said = CheckResult(verdict=Verdict.PV, score=0.0, message=said.message)
    if prog.verdict in RESOURCE and not _hung_up(prog, said):
        return _result(case.name, prog.verdict, message=_resource_message(prog), **usage)
    if prog.verdict == Verdict.SE:
        return _result(case.name, Verdict.SE, message="sandbox error", **usage)
    if said.verdict == Verdict.AC and h.checker is not None:
        said = _checker_stage(result, h.problem.checker.protocol)
    return _from_check(case.name, said, **usage)


def _judge_side(
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


def _checker_stage(result: JobResult, protocol: str) -> CheckResult:
    try:
        proc = result.proc("checker")
    except KeyError:
        return CheckResult(verdict=Verdict.SE, score=0.0, message="the checker did not run")
    return parse_cms(proc) if protocol == "cms" else parse_testlib(proc)


# ---- communication (CMS) -------------------------------------------------------------------


def communication_job(h: Harness, case: Case) -> Job:
    assert h.problem.manager is not None and h.manager is not None
    spec = h.problem.manager
    n = spec.num_processes
    tl = h.problem.time_limit_s
    manager_args: list[str] = []
    fifos: list[str] = []
    users: list[ProcSpec] = []
    for i in range(n):
        up, down = f"u{i}_to_m", f"m_to_u{i}"
        fifos += [up, down]
        manager_args += [up, down]
        args = [down, up] if spec.user_io == "fifo_io" else []
        if n != 1:
            args.append(str(i))
        std = spec.user_io == "std_io"
        users.append(
            ProcSpec(
                name=f"user{i}",
                program=h.program.key,
                args=args,
                stdin=f"fifo:{down}" if std else "null",
                stdout=f"fifo:{up}" if std else "capture",
                limits=h.limits,
            )
        )
    manager_limits = Limits(
        cpu_s=n * (tl + 1), wall_s=n * (2 * tl + 1) + 5, memory_mb=1024, processes=1
    )
    manager = ProcSpec(
        name="manager",
        program=h.manager.key,
        args=manager_args,
        stdin="input",
        limits=manager_limits,
        trusted=True,
    )
    return Job(input=case.input, fifos=fifos, stages=[Stage(procs=[manager, *users])])


_CMS_TEXT = {
    "translate:success": "output is correct",
    "translate:wrong": "output isn't correct",
    "translate:partial": "output is partially correct",
}


def run_communication(h: Harness, case: Case) -> TestResult:
    result = h.sandbox.run_job(communication_job(h, case))
    users = [p for p in result.procs if p.name.startswith("user")]
    if not users:
        return _result(case.name, Verdict.SE, message=result.error or "the program did not run")
    cpu = sum(p.cpu_s for p in users)
    usage = {"time_s": cpu, "memory_mb": max((p.memory_mb for p in users), default=0.0)}
    said = _judge_side(result, "manager", parse_cms)
    said.message = _CMS_TEXT.get(said.message, said.message)
    for p in users:
        if p.verdict in RESOURCE and not _hung_up(p, said):
            return _result(case.name, p.verdict, message=_resource_message(p), **usage)
        if p.verdict == Verdict.SE:
            return _result(case.name, Verdict.SE, message="sandbox error", **usage)
    if cpu > h.problem.time_limit_s:
        message = "time limit exceeded (all processes together)"
        return _result(case.name, Verdict.TLE, message=message, **usage)
    return _from_check(case.name, said, **usage)

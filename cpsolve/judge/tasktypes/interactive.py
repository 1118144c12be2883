"""`interactive` (Codeforces): the interactor, run as `interactor input output answer`, talks to
the program over two pipes and judges with testlib exit codes (PE read as PV); a program
checker, when the problem has one, then reads the interactor's output file."""

from __future__ import annotations

from cpsolve.judge.checkers import CHECKER_LIMITS, CheckResult, parse_kattis, parse_testlib
from cpsolve.judge.tasktypes.base import JobTaskType, Support
from cpsolve.judge.tasktypes.compiling import compile_support
from cpsolve.judge.tasktypes.results import (
    RESOURCE,
    Case,
    TestResult,
    checker_stage,
    from_check,
    hung_up,
    judge_side,
    resource_message,
    result,
)
from cpsolve.sandbox.base import Artifact, Job, Limits, ProcSpec, Stage, Verdict

FILES = ["input.txt", "tout.txt", "answer.txt"]  # tout.txt: made by the interactor
KATTIS_ARGS = ["input.txt", "answer.txt", "./"]  # a Kattis validator: the feedback dir is cwd


class Interactive(JobTaskType):
    def _compile_support(self) -> Support:
        checker = self._compile_checker()
        spec = self.problem.interactor
        interactor = compile_support(self.sandbox, self.problem, spec.path) if spec else None
        return Support(checker=checker, interactor=interactor)

    @property
    def _kattis(self) -> bool:
        spec = self.problem.interactor
        return spec is not None and spec.protocol == "kattis"

    def job(self, program: Artifact, case: Case) -> Job:
        support = self.support()
        interactor = ProcSpec(
            name="interactor",
            program=support.interactor.key if support.interactor else None,
            args=list(KATTIS_ARGS if self._kattis else FILES),
            stdin="fifo:to_judge",
            stdout="fifo:to_program",
            limits=Limits(cpu_s=10, wall_s=self.limits.wall + 5, memory_mb=1024),
            trusted=True,
        )
        contestant = ProcSpec(
            name="program",
            program=program.key,
            stdin="fifo:to_program",
            stdout="fifo:to_judge",
            limits=self.limits,
        )
        stages = [Stage(procs=[interactor, contestant])]
        if support.checker is not None:
            check = ProcSpec(
                name="checker",
                program=support.checker.key,
                args=list(FILES),
                limits=CHECKER_LIMITS,
                trusted=True,
            )
            stages.append(Stage(procs=[check]))
        files = {"input.txt": case.input, "answer.txt": case.answer}
        return Job(files=files, fifos=["to_program", "to_judge"], stages=stages)

    def run_case(self, program: Artifact, case: Case) -> TestResult:
        done = self.sandbox.run_job(self.job(program, case))
        try:
            prog = done.proc("program")
        except KeyError:
            return result(case.name, Verdict.SE, message=done.error or "the program did not run")
        usage = {"time_s": prog.cpu_s, "memory_mb": prog.memory_mb}
        said = judge_side(done, "interactor", parse_kattis if self._kattis else parse_testlib)
        if said.verdict == Verdict.PE:  # the program broke the interaction protocol
            said = CheckResult(verdict=Verdict.PV, score=0.0, message=said.message)
        if prog.verdict in RESOURCE and not hung_up(prog, said):
            return result(case.name, prog.verdict, message=resource_message(prog), **usage)
        if prog.verdict == Verdict.SE:
            return result(case.name, Verdict.SE, message="sandbox error", **usage)
        if said.verdict == Verdict.AC and self.support().checker is not None:
            said = checker_stage(
                done, self.problem.checker.protocol, self.problem.checker.max_points
            )
        return from_check(case.name, said, **usage)

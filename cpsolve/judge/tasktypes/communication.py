"""`communication` (CMS): the manager reads the test on stdin and talks to `num_processes`
instances of the program over FIFO pairs; it prints the score on stdout and a message on
stderr. The instances' CPU times add up against the time limit.

When the problem has a program checker (TPS packages), the manager's stdout is instead the
output that checker judges: `checker input answer manager_output`, in the checker's protocol,
run in the sandbox after the manager finished; the answer is the manager's output with the
model solution."""

from __future__ import annotations

from cpsolve.judge.checkers import CheckResult, parse_cms, run_program_checker
from cpsolve.judge.tasktypes.base import JobTaskType, Support
from cpsolve.judge.tasktypes.compiling import compile_support
from cpsolve.judge.tasktypes.results import (
    RESOURCE,
    Case,
    TestResult,
    from_check,
    hung_up,
    judge_side,
    resource_message,
    result,
)
from cpsolve.sandbox.base import Artifact, Job, JobResult, Limits, ProcSpec, Stage, Verdict

_CMS_TEXT = {
    "translate:success": "output is correct",
    "translate:wrong": "output isn't correct",
    "translate:partial": "output is partially correct",
}


class Communication(JobTaskType):
    def _compile_support(self) -> Support:
        checker = self._compile_checker()
        spec = self.problem.manager
        manager = compile_support(self.sandbox, self.problem, spec.path) if spec else None
        return Support(checker=checker, manager=manager)

    def job(self, program: Artifact, case: Case) -> Job:
        spec, manager = self.problem.manager, self.support().manager
        assert spec is not None and manager is not None
        n = spec.num_processes
        tl = self.problem.time_limit_s
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
                    program=program.key,
                    args=args,
                    stdin=f"fifo:{down}" if std else "null",
                    stdout=f"fifo:{up}" if std else "capture",
                    limits=self.limits,
                )
            )
        manager_limits = Limits(
            cpu_s=n * (tl + 1), wall_s=n * (2 * tl + 1) + 5, memory_mb=1024, processes=1
        )
        judge = ProcSpec(
            name="manager",
            program=manager.key,
            args=manager_args,
            stdin="input",
            limits=manager_limits,
            trusted=True,
        )
        return Job(input=case.input, fifos=fifos, stages=[Stage(procs=[judge, *users])])

    def run_case(self, program: Artifact, case: Case) -> TestResult:
        done = self.sandbox.run_job(self.job(program, case))
        users = [p for p in done.procs if p.name.startswith("user")]
        if not users:
            return result(case.name, Verdict.SE, message=done.error or "the program did not run")
        cpu = sum(p.cpu_s for p in users)
        usage = {"time_s": cpu, "memory_mb": max((p.memory_mb for p in users), default=0.0)}
        said = self._judged(done, case)
        said.message = _CMS_TEXT.get(said.message, said.message)
        for p in users:
            if p.verdict in RESOURCE and not hung_up(p, said):
                return result(case.name, p.verdict, message=resource_message(p), **usage)
            if p.verdict == Verdict.SE:
                return result(case.name, Verdict.SE, message="sandbox error", **usage)
        if cpu > self.problem.time_limit_s:
            message = "time limit exceeded (all processes together)"
            return result(case.name, Verdict.TLE, message=message, **usage)
        return from_check(case.name, said, **usage)

    def _judged(self, done: JobResult, case: Case) -> CheckResult:
        """The manager's score, or the checker's verdict on the manager's output."""
        checker = self.support().checker
        if checker is None:
            return judge_side(done, "manager", parse_cms)
        try:
            manager = done.proc("manager")
        except KeyError:
            manager = None
        if done.error or manager is None or manager.verdict != Verdict.AC:
            return judge_side(done, "manager", parse_cms)  # SE: the manager failed
        spec = self.problem.checker
        return run_program_checker(
            self.sandbox,
            checker,
            spec.protocol,
            case.input,
            manager.stdout,
            case.answer,
            spec.max_points,
        )

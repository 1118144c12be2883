"""The compile, execute and judge stages of a run: programs x tests through the sandbox.

Every result lands in the store keyed by (program hash, input hash, limits), so nothing runs
twice, across programs that only differ in comments and across resumed runs alike.

* public tests: run and checked with the problem's checker and task type (verdict, score);
* generated inputs: run only (no answer exists); the output is kept for clustering. For
  interactive and communication tasks the "output" is what the interactor or manager said.
  Only a program that passes the public tests a subtask requires runs that subtask's generated
  inputs (the public filter AlphaCode and o1-ioi apply before clustering): the planner submits
  the others only after every passing candidate, and they are most of a pool's programs;
* hidden tests: only in the judge stage (`judge_programs`), which stores points per subtask and
  nothing of the tests themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from cpsolve.judge.scoring import judge_program
from cpsolve.judge.tasktypes import Case, TaskTypeRunner, task_type_for
from cpsolve.judge.testdata import TestData
from cpsolve.languages import Language
from cpsolve.problem import Problem
from cpsolve.sandbox.base import Artifact, Sandbox, Verdict
from cpsolve.sandbox.pool import failed_in_sandbox
from cpsolve.sandbox.worker import SandboxFailure
from cpsolve.store import ExecutionRow, Store

PUBLIC = "public"
SLICE = 16  # the most generated inputs of one program run at once (the batches grow to it)
COMPILE_TRIES = 3  # a compile the sandbox failed (not the program) is tried this often


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Executor:
    """Compiles and runs one problem's candidate programs, recording everything in the store."""

    def __init__(self, problem: Problem, sandbox: Sandbox, store: Store) -> None:
        self.problem = problem
        self.sandbox = sandbox
        self.store = store
        self.workers = max(1, getattr(sandbox, "workers", 1))
        self.task_type: TaskTypeRunner = task_type_for(problem, sandbox)
        self.test_data = TestData(problem, sandbox, task_type=self.task_type)  # hidden tests
        self.limits = self.task_type.limits
        self.limits_key = self.limits.model_dump_json()
        self._artifacts: dict[str, Artifact] = {}
        self._required: dict[str, list[str]] = {}  # subtask -> its public tests' input shas

    # ---- compiling -----------------------------------------------------------------------

    def artifact(self, program: str) -> Artifact:
        """The program's compiled artifact; a compile the sandbox failed is tried again, then
        raises SandboxFailure: it is never recorded as the program's CE."""
        if program not in self._artifacts:
            row = self.store.program(program)
            for _ in range(COMPILE_TRIES):
                art = self.task_type.compile(row.source, Language(row.language))
                if not failed_in_sandbox(art):
                    break
            else:
                raise SandboxFailure(f"the sandbox failed to compile {program[:12]}: {art.message}")
            if row.compile_ok is None:
                self.store.set_compiled(program, art.ok, art.message[:2000])
            self._artifacts[program] = art
        return self._artifacts[program]

    def compile_all(self, programs: Sequence[str], tick: Callable[[], None]) -> None:
        self.task_type.support()  # a broken checker is the problem's fault: say so first
        with ThreadPoolExecutor(self.workers) as pool:
            for _ in pool.map(self.artifact, programs):
                tick()

    # ---- public tests ----------------------------------------------------------------------

    def public_cases(self) -> list[Case]:
        p = self.problem
        return [
            Case(name=t.name, input=p.read_input(t), answer=p.read_output(t) or b"")
            for t in p.public_tests
        ]

    def run_public(self, program: str, cases: Sequence[Case]) -> None:
        done = self.store.executed(program, PUBLIC)
        todo = [c for c in cases if sha(c.input) not in done]
        if not todo:
            return
        results = self.task_type.run_tests(self.artifact(program), todo)
        self.store.add_executions(
            [
                ExecutionRow(
                    program,
                    sha(c.input),
                    PUBLIC,
                    str(r.verdict),
                    r.time_s,
                    r.memory_mb,
                    None,
                    r.score,
                )
                for c, r in zip(todo, results, strict=True)
            ]
        )

    # ---- generated inputs ------------------------------------------------------------------

    def run_generated(self, program: str, inputs: Sequence[bytes]) -> None:
        """Run the program on one subtask's generated inputs, largest first; once it timed out
        on one of them (now or in an earlier, resumed run), the rest are recorded as TLE
        without running (cpu None marks them): no second is spent on a known timeout."""
        known = self.store.executions(program, self.limits_key)
        todo = list({sha(x): x for x in inputs if sha(x) not in known}.values())
        if not todo:
            return
        todo.sort(key=lambda x: (len(x), sha(x)), reverse=True)  # large inputs reveal slow ones
        art = self.artifact(program)
        if not art.ok:
            self.store.add_executions([self._row(program, x, "CE", 0.0, 0.0) for x in todo])
            return
        timed_out = any(known[h].verdict == "TLE" for h in map(sha, inputs) if h in known)
        step = 1  # batches grow 1, 2, 4 ... SLICE: a timeout stops the run within one batch
        while todo:
            part, todo = todo[:step], todo[step:]
            if timed_out:
                rows = [self._row(program, x, "TLE", None, None) for x in part]
            else:
                rows = self._cut_at_timeout(program, self._run_part(program, art, part))
                timed_out = any(r.verdict == "TLE" for r in rows)
            self.store.add_executions(rows)
            step = min(2 * step, max(SLICE, self.workers))

    def _cut_at_timeout(self, program: str, rows: list[ExecutionRow]) -> list[ExecutionRow]:
        """Rows after the batch's first TLE are recorded as skipped TLEs whatever they did:
        the matrix is then what running one input at a time gives, however the inputs were
        batched (a resumed run batches differently)."""
        first = next((i for i, r in enumerate(rows) if r.verdict == "TLE"), len(rows))
        skipped = [ExecutionRow(program, r.input, self.limits_key, "TLE", None, None, None, None)
                   for r in rows[first + 1 :]]  # fmt: skip
        return rows[: first + 1] + skipped

    def _row(
        self, program: str, x: bytes, verdict: str, cpu: float | None, mem: float | None
    ) -> ExecutionRow:
        return ExecutionRow(program, sha(x), self.limits_key, verdict, cpu, mem, None, None)

    def _run_part(self, program: str, art: Artifact, part: list[bytes]) -> list[ExecutionRow]:
        """One batch of generated inputs through the sandbox (or the task type, for
        interactive and communication tasks, whose "output" is what the grader said)."""
        if not self.task_type.runs_on_stdin:
            cases = [Case(name=f"gen-{sha(x)[:8]}", input=x, answer=b"") for x in part]
            results = self.task_type.run_tests(art, cases)
            return [
                ExecutionRow(
                    program,
                    sha(x),
                    self.limits_key,
                    _run_verdict(r.verdict),
                    r.time_s,
                    r.memory_mb,
                    f"{r.verdict} {r.score:.6f}".encode(),
                    r.score,
                )
                for x, r in zip(part, results, strict=True)
            ]
        runs = self.sandbox.run_batch(art, part, self.limits, keep_output=True)
        return [
            ExecutionRow(
                program,
                sha(x),
                self.limits_key,
                str(r.verdict),
                r.cpu_s,
                r.memory_mb,
                r.stdout if r.verdict == Verdict.AC else None,
                None,
            )
            for x, r in zip(part, runs, strict=True)
        ]

    def passes_public(self, program: str, subtask: str) -> bool:
        """Whether the program passed every public test a candidate for `subtask` must pass
        (after `run_public`; a subtask with no public tests binds nothing)."""
        done = self.store.executions(program, PUBLIC)
        wanted = self._public_shas(subtask)
        return all(h in done and done[h].verdict == "AC" for h in wanted)

    def _public_shas(self, subtask: str) -> list[str]:
        if subtask not in self._required:
            tests = self.problem.public_tests_for(subtask)
            self._required[subtask] = [sha(self.problem.read_input(t)) for t in tests]
        return self._required[subtask]

    def run_generated_all(self, program: str, subtasks: Sequence[Sequence[bytes]]) -> None:
        """`run_generated` on each subtask's list in turn (a timeout stops only its own)."""
        for inputs in subtasks:
            self.run_generated(program, inputs)

    def parallel(self, jobs: Sequence[Callable[[], None]], tick: Callable[[], None]) -> None:
        """Run the jobs on the executor's workers, calling `tick` after each."""
        with ThreadPoolExecutor(self.workers) as pool:
            for _ in pool.map(lambda job: job(), jobs):
                tick()

    # ---- hidden tests (the judge) ------------------------------------------------------------

    def judge(self, program: str, data: TestData) -> dict[str, float]:
        """Points per subtask of one program on the hidden tests, judged once and stored."""
        ids = [s.id for s in self.problem.subtasks]
        have = {sid: self.store.judged(program, sid) for sid in ids}
        if all(v is not None for v in have.values()):
            return {sid: v[0] for sid, v in have.items() if v is not None}
        row = self.store.program(program)
        result = judge_program(
            self.problem,
            row.source,
            Language(row.language),
            self.sandbox,
            data=data,
            task_type=self.task_type,
        )
        for st in result.subtasks:
            detail = {"verdict": str(st.verdict)}
            self.store.add_judged(program, st.id, st.earned, detail)
        return {st.id: st.earned for st in result.subtasks}

    def judge_all(
        self, programs: Sequence[str], data: TestData, tick: Callable[[], None]
    ) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}

        def one(program: str) -> None:
            out[program] = self.judge(program, data)

        self.parallel([partial(one, p) for p in programs], tick)
        return out


def _run_verdict(v: Verdict) -> str:
    """On generated inputs there is no answer: only crashes and limits are the program's."""
    return str(v) if v in (Verdict.TLE, Verdict.MLE, Verdict.RE, Verdict.OLE, Verdict.CE) else "AC"

"""The compile, execute and judge stages of a run: programs x tests through the sandbox.

Every result lands in the store keyed by (program hash, input hash, limits), so nothing runs
twice, across programs that only differ in comments and across resumed runs alike.

* public tests: run and checked with the problem's checker and task type (verdict, score);
* generated inputs: run only (no answer exists); the output is kept for clustering. For
  interactive and communication tasks the "output" is what the interactor or manager said;
* hidden tests: only in the judge stage (`judge_programs`), which stores points per subtask and
  nothing of the tests themselves.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from cpsolve.judge.scoring import judge_program
from cpsolve.judge.tasktypes import Case, TaskTypeRunner, task_type_for
from cpsolve.judge.testdata import TestData
from cpsolve.languages import Language
from cpsolve.problem import Problem
from cpsolve.sandbox.base import Artifact, Sandbox, Verdict
from cpsolve.store import ExecutionRow, Store

PUBLIC = "public"
MAX_TIMEOUTS = 2  # time-outs on generated inputs after which a candidate counts as slow
SLICE = 16  # generated inputs run per batch between those checks


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

    # ---- compiling -----------------------------------------------------------------------

    def artifact(self, program: str) -> Artifact:
        if program not in self._artifacts:
            row = self.store.program(program)
            art = self.task_type.compile(row.source, Language(row.language))
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
        done = self.store.executed(program, self.limits_key)
        todo = list({sha(x): x for x in inputs if sha(x) not in done}.values())
        if not todo:
            return
        art = self.artifact(program)
        if not art.ok:
            self.store.add_executions(
                [
                    ExecutionRow(program, sha(x), self.limits_key, "CE", 0.0, 0.0, None, None)
                    for x in todo
                ]
            )
            return
        if not self.task_type.runs_on_stdin:
            cases = [Case(name=f"gen-{sha(x)[:8]}", input=x, answer=b"") for x in todo]
            results = self.task_type.run_tests(art, cases)
            rows: list[ExecutionRow] = [
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
                for x, r in zip(todo, results, strict=True)
            ]
        else:
            rows = self._run_until_slow(program, art, todo)
        self.store.add_executions(rows)

    def _run_until_slow(self, program: str, art: Artifact, todo: list[bytes]) -> list[ExecutionRow]:
        """Run in slices; once a program has timed out `MAX_TIMEOUTS` times, its remaining
        inputs are recorded as TLE without running them (cpu None marks them): a slow candidate
        would otherwise spend the time limit on every generated input."""
        rows: list[ExecutionRow] = []
        timeouts = 0
        step = max(SLICE, self.workers)
        for start in range(0, len(todo), step):
            part = todo[start : start + step]
            if timeouts >= MAX_TIMEOUTS:
                rows += [
                    ExecutionRow(program, sha(x), self.limits_key, "TLE", None, None, None, None)
                    for x in part
                ]
                continue
            runs = self.sandbox.run_batch(art, part, self.limits, keep_output=True)
            for x, r in zip(part, runs, strict=True):
                out = r.stdout if r.verdict == Verdict.AC else None
                rows.append(
                    ExecutionRow(
                        program,
                        sha(x),
                        self.limits_key,
                        str(r.verdict),
                        r.cpu_s,
                        r.memory_mb,
                        out,
                        None,
                    )
                )
                timeouts += r.verdict == Verdict.TLE
        return rows

    def execute_all(
        self, work: Sequence[tuple[str, list[bytes]]], tick: Callable[[], None]
    ) -> None:
        """Public tests and the given generated inputs for each program, in parallel."""
        cases = self.public_cases()

        def one(item: tuple[str, list[bytes]]) -> None:
            program, inputs = item
            self.run_public(program, cases)
            self.run_generated(program, inputs)

        with ThreadPoolExecutor(self.workers) as pool:
            for _ in pool.map(one, work):
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

        with ThreadPoolExecutor(self.workers) as pool:
            for _ in pool.map(one, programs):
                tick()
        return out


def _run_verdict(v: Verdict) -> str:
    """On generated inputs there is no answer: only crashes and limits are the program's."""
    return str(v) if v in (Verdict.TLE, Verdict.MLE, Verdict.RE, Verdict.OLE, Verdict.CE) else "AC"

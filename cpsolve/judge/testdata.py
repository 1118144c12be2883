"""Test data: materialise generated inputs and missing answers, cached on disk by content.

A test's input is inline, in a file, or the stdout of the problem's generator run with the test's
`gen` arguments. A test without an answer gets the output of the problem's main reference
solution (`main: true`, else the first one expected to be AC everywhere). Both are cached under
`$CPSOLVE_CACHE/tests` (default `~/.cache/cpsolve/tests`), keyed by hashes of the programs' sources
and the arguments or input, so a re-run compiles and runs nothing. An entry carries its size and
sha256 and is used only when both match; it is written whole (temp file, fsync, rename), and only
output that arrived whole from the sandbox (its sha256 as the box computed it) is cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cpsolve.errors import ProblemError
from cpsolve.judge.tasktypes import (
    HEADER_SUFFIXES,
    Case,
    TaskTypeRunner,
    compile_support,
    task_type_for,
)
from cpsolve.problem import Problem, ReferenceSolution, TestCase
from cpsolve.sandbox.base import Artifact, Limits, RunResult, Sandbox, Verdict

GENERATOR_LIMITS = Limits(cpu_s=30.0, wall_s=90.0, memory_mb=2048, output_mb=256)
FORMAT = "cpsolve-testdata-v1"


def cache_dir() -> Path:
    root = os.environ.get("CPSOLVE_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "cpsolve") / "tests"


def _sha(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.hexdigest()


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).hexdigest().encode()


def _whole_output(run: RunResult) -> bytes | None:
    """The run's stdout if it arrived whole (the box's own sha256 of what the program wrote
    matches the bytes received), else None."""
    data = run.stdout or b""
    if run.verdict == Verdict.OLE or (run.stdout_sha and _digest(data).decode() != run.stdout_sha):
        return None
    return data


def _program_digest(problem: Problem, relpath: str) -> bytes:
    """A digest of a program's source and the headers beside it."""
    path = problem.path(relpath)
    parts = [path.name.encode(), path.read_bytes()]
    for p in sorted(path.parent.glob("*")):
        if p.suffix in HEADER_SUFFIXES:
            parts += [p.name.encode(), p.read_bytes()]
    return _sha(*parts).encode()


def main_solution(problem: Problem) -> ReferenceSolution | None:
    """The reference solution whose outputs are the answers: `main`, else the first all-AC."""
    for r in problem.reference_solutions:
        if r.main:
            return r
    for r in problem.reference_solutions:
        if r.expect and all(v == "AC" for v in r.expect.values()):
            return r
    return None


class TestData:
    """Inputs and answers of one problem's tests, materialised on demand and cached."""

    __test__ = False

    def __init__(
        self,
        problem: Problem,
        sandbox: Sandbox,
        root: Path | None = None,
        *,
        task_type: TaskTypeRunner | None = None,
    ) -> None:
        self.problem = problem
        self.sandbox = sandbox
        self.root = root or cache_dir()
        # the caller's task type when it holds one (one per problem); a new one compiles nothing
        # until used
        self.task_type = task_type or task_type_for(problem, sandbox)
        self._generator: Artifact | None = None
        self._main: Artifact | None = None

    # -- cache -------------------------------------------------------------------------------

    # An entry is a header line "cpsolve-testdata-v1 SIZE SHA256" and the data: it is trusted
    # only when both still match (a truncated or altered entry is made again, never used).

    def _load(self, kind: str, key: str) -> bytes | None:
        path = self.root / kind / key[:2] / key
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        head, _, data = raw.partition(b"\n")
        if head.split() != [FORMAT.encode(), str(len(data)).encode(), _digest(data)]:
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return data

    def _store(self, kind: str, key: str, data: bytes) -> None:
        path = self.root / kind / key[:2] / key
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(b"%s %d %s\n" % (FORMAT.encode(), len(data), _digest(data)))
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    # -- inputs ------------------------------------------------------------------------------

    def _gen_key(self, test: TestCase) -> str:
        assert self.problem.generator is not None and test.gen is not None
        digest = _program_digest(self.problem, self.problem.generator.path)
        return _sha(FORMAT.encode(), b"gen", digest, json.dumps(test.gen).encode())

    def inputs(self, tests: Sequence[TestCase]) -> list[bytes]:
        """The input of each test, running the generator only for those not in the cache."""
        out: list[bytes | None] = []
        missing: list[int] = []
        for i, t in enumerate(tests):
            if t.gen is None:
                out.append(self.problem.read_input(t))
                continue
            out.append(self._load("inputs", self._gen_key(t)))
            if out[-1] is None:
                missing.append(i)
        if missing:
            workers = max(1, getattr(self.sandbox, "workers", 1))
            with ThreadPoolExecutor(workers) as pool:
                made = list(pool.map(lambda i: self._generate(tests[i]), missing))
            for i, data in zip(missing, made, strict=True):
                out[i] = data
        return [x if x is not None else b"" for x in out]

    def _generate(self, test: TestCase) -> bytes:
        assert self.problem.generator is not None and test.gen is not None
        if self._generator is None:
            path = self.problem.generator.path
            self._generator = compile_support(self.sandbox, self.problem, path)
        [run] = self.sandbox.run_batch(
            self._generator, [b""], GENERATOR_LIMITS, keep_output=True, args=test.gen
        )
        if run.verdict != Verdict.AC:
            err = run.stderr.decode("utf-8", "replace").strip()[:300]
            raise ProblemError(
                f"{self.problem.id}: the generator failed on test '{test.name}' "
                f"(args {' '.join(test.gen)}): {run.verdict} {err}"
            )
        data = _whole_output(run)
        if data is None:
            raise ProblemError(
                f"{self.problem.id}: the generator's output for test '{test.name}' did not "
                "arrive whole from the sandbox; run again"
            )
        self._store("inputs", self._gen_key(test), data)
        return data

    # -- answers -----------------------------------------------------------------------------

    def _answer_key(self, ref: ReferenceSolution, data: bytes) -> str:
        parts = [FORMAT.encode(), b"answer", _program_digest(self.problem, ref.path)]
        grader = self.problem.grader
        if grader is not None:
            for rel in [*grader.headers, *grader.sources.get(ref.language, [])]:
                parts.append(_program_digest(self.problem, rel))
        return _sha(*parts, hashlib.sha256(data).digest())

    def answers(self, tests: Sequence[TestCase], inputs: Sequence[bytes]) -> list[bytes]:
        """The answer of each test: its own, else the main solution's output (cached)."""
        out: list[bytes | None] = [self.problem.read_output(t) for t in tests]
        todo = [i for i, a in enumerate(out) if a is None]
        if not todo or not self.task_type.answers_from_reference:
            return [a or b"" for a in out]  # none missing, or a manager/interactor judges
        ref = main_solution(self.problem)
        if ref is None:
            names = ", ".join(tests[i].name for i in todo[:3])
            raise ProblemError(
                f"{self.problem.id}: tests {names} have no answer and no reference solution is "
                "marked main or expected AC on every subtask; add 'output' or a main solution"
            )
        keys = {i: self._answer_key(ref, inputs[i]) for i in todo}
        for i in todo:
            out[i] = self._load("answers", keys[i])
        missing = [i for i in todo if out[i] is None]
        if missing:
            for i, data in zip(missing, self._run_main(ref, tests, inputs, missing), strict=True):
                out[i] = data
                self._store("answers", keys[i], data)
        return [a or b"" for a in out]

    def _run_main(
        self,
        ref: ReferenceSolution,
        tests: Sequence[TestCase],
        inputs: Sequence[bytes],
        which: list[int],
    ) -> list[bytes]:
        if self._main is None:
            source = self.problem.path(ref.path).read_text()
            main = self.task_type.compile(source, ref.language)
            if not main.ok:  # kept only when it compiled: a later call tries again
                raise ProblemError(
                    f"{self.problem.id}: main solution '{ref.path}' does not compile: "
                    f"{main.message.strip()[:300]}"
                )
            self._main = main
        tl = self.problem.time_limit_s
        limits = Limits(cpu_s=max(5.0, 3 * tl), memory_mb=max(1024, self.problem.memory_limit_mb))
        runs = self.sandbox.run_batch(self._main, [inputs[i] for i in which], limits)
        for i, run in zip(which, runs, strict=True):
            if run.verdict != Verdict.AC or _whole_output(run) is None:
                why = run.verdict if run.verdict != Verdict.AC else "its output arrived cut"
                raise ProblemError(
                    f"{self.problem.id}: main solution '{ref.path}' failed on test "
                    f"'{tests[i].name}' ({why}), so that test has no answer"
                )
        return [r.stdout or b"" for r in runs]

    # -- both --------------------------------------------------------------------------------

    def cases(self, tests: Sequence[TestCase]) -> list[Case]:
        inputs = self.inputs(tests)
        answers = self.answers(tests, inputs)
        return [
            Case(name=t.name, input=i, answer=a)
            for t, i, a in zip(tests, inputs, answers, strict=True)
        ]

"""The problem format: load, validate, resolve test files, subtask order and inclusion.

One `problem.json` describes one problem (see docs/problem-format.md). Test data sits inline, in
files beside the problem, or is described by arguments to the problem's own generator (Polygon
style), in which case `cpsolve.judge.testdata` materialises it. Nothing here runs a program.
"""

from __future__ import annotations

import fnmatch
import json
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from cpsolve.errors import ProblemError
from cpsolve.languages import Language, language_of


class Strict(BaseModel):
    """Base for every model of the format: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=False)


class TaskType(StrEnum):
    BATCH = "batch"
    GRADER = "grader"
    COMMUNICATION = "communication"
    INTERACTIVE = "interactive"


class Scoring(StrEnum):
    SUBTASKS = "subtasks"
    ALL_OR_NOTHING = "all-or-nothing"


class Source(Strict):
    kind: Literal["ioi", "codeforces", "icpc", "atcoder", "original", "other"] = "original"
    contest: str | None = None
    url: str | None = None


class CheckerSpec(Strict):
    """How a contestant's output is compared with the answer."""

    type: Literal["exact", "lines", "tokens", "float", "program"] = "tokens"
    abs_tol: float = 1e-6
    rel_tol: float = 1e-6
    path: str | None = None  # the checker's source, for type == "program"
    protocol: Literal["testlib", "cms", "kattis"] = "testlib"
    # A testlib checker that gives absolute points (pointscmp, Codeforces-style `quitp(12)` or
    # `quitpi("12")`): a test's score is its points divided by this.
    max_points: float | None = Field(default=None, gt=0)
    case_sensitive: bool = True  # False: tokens (and non-numbers under `float`) compare caseless

    @model_validator(mode="after")
    def _program_needs_path(self) -> CheckerSpec:
        if self.type == "program" and not self.path:
            raise ValueError("a checker of type 'program' needs 'path'")
        return self


def needs_max_points(spec: CheckerSpec, source: str, filename: str) -> bool:
    """Whether a testlib checker gives absolute points (testlib's `quitpi`, or `pointscmp`) and
    the problem does not say out of how many: its scores could not be mapped to [0, 1]."""
    if spec.type != "program" or spec.protocol != "testlib" or spec.max_points is not None:
        return False
    return "quitpi(" in source or filename.startswith("pointscmp")


class GraderSpec(Strict):
    """Files compiled together with the contestant's code (IOI-style function interface).

    `sources` and `headers` are per language; `filename` is the name the contestant's file must
    have so that the grader's includes find it (e.g. "mountain.cpp" next to "mountain.h").
    """

    sources: dict[Language, list[str]] = Field(default_factory=dict)
    headers: list[str] = Field(default_factory=list)
    filename: dict[Language, str] = Field(default_factory=dict)
    interface: str = ""  # the function signatures, shown to the model in prompts


class ManagerSpec(Strict):
    """A communication task's manager (CMS convention).

    The manager reads the test input on stdin and talks to `num_processes` instances of the
    contestant's program over FIFOs; it writes the score (a float in [0, 1]) on stdout and a
    message on stderr. With `user_io: std_io` each instance has its FIFOs as stdin/stdout; with
    `fifo_io` it gets their paths as arguments.
    """

    path: str
    num_processes: int = Field(default=1, ge=1, le=16)
    user_io: Literal["std_io", "fifo_io"] = "std_io"


class InteractorSpec(Strict):
    """A Codeforces-style interactor: testlib convention, `interactor input output answer`,
    its stdin connected to the program's stdout and its stdout to the program's stdin.
    With protocol `kattis` it runs as `interactor input answer feedback_dir` and exits 42
    (accept) or 43 (reject), as the Kattis problem package format has it."""

    path: str
    protocol: Literal["testlib", "kattis"] = "testlib"


class TestCase(Strict):
    """One test: input inline, in a file, or produced by the problem's generator."""

    name: str
    input: str | None = None
    input_file: str | None = None
    gen: list[str] | None = None  # arguments to the problem's generator
    output: str | None = None
    output_file: str | None = None
    subtasks: list[str] | None = None  # public tests only: which subtasks it belongs to (None: all)

    @model_validator(mode="after")
    def _one_input(self) -> TestCase:
        given = [x is not None for x in (self.input, self.input_file, self.gen)]
        if sum(given) != 1:
            raise ValueError("a test needs exactly one of 'input', 'input_file', 'gen'")
        if self.output is not None and self.output_file is not None:
            raise ValueError("a test takes 'output' or 'output_file', not both")
        return self

    @property
    def has_answer(self) -> bool:
        return self.output is not None or self.output_file is not None


class Subtask(Strict):
    id: str
    points: float = Field(ge=0)
    constraints: str = ""
    tests: list[str] = Field(default_factory=list)  # glob patterns over hidden test names


class ReferenceSolution(Strict):
    """A solution shipped with the problem and the verdict it must earn on each subtask.

    Verdicts: AC, WA, TLE, MLE, RE, PA (partial), or "any"; a solution whose every expectation
    is AC is a model solution and may produce the answers of generated tests.
    """

    path: str
    expect: dict[str, str]
    main: bool = False
    # The verdict the package gives the solution as a whole when it does not say on which
    # subtasks (a CMS `wrong_answer/` folder): at least one subtask must earn it.
    verdict: str | None = None

    @property
    def language(self) -> Language:
        return language_of(self.path)


class ProgramSpec(Strict):
    """A program shipped with the problem (its test generator or input validator)."""

    path: str


class Problem(Strict):
    id: str
    name: str
    source: Source = Field(default_factory=Source)
    statement: str = ""
    statement_file: str | None = None
    time_limit_s: float = Field(default=1.0, gt=0, le=60)
    memory_limit_mb: int = Field(default=256, ge=16, le=4096)
    task_type: TaskType = TaskType.BATCH
    checker: CheckerSpec = Field(default_factory=CheckerSpec)
    scoring: Scoring = Scoring.SUBTASKS
    score_precision: int | None = Field(default=None, ge=0, le=10)  # CMS: a subtask's earned
    # points are rounded to this many decimals
    subtasks: list[Subtask] = Field(default_factory=list)
    public_tests: list[TestCase] = Field(default_factory=list)
    hidden_tests: list[TestCase] = Field(default_factory=list)
    grader: GraderSpec | None = None
    manager: ManagerSpec | None = None
    interactor: InteractorSpec | None = None
    generator: ProgramSpec | None = None
    validator: ProgramSpec | None = None
    reference_solutions: list[ReferenceSolution] = Field(default_factory=list)

    _base_dir: Path = PrivateAttr(default=Path("."))
    _source_path: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> Problem:
        if self.task_type == TaskType.GRADER and self.grader is None:
            raise ValueError("task_type 'grader' needs a 'grader' section")
        if self.task_type == TaskType.COMMUNICATION and self.manager is None:
            raise ValueError("task_type 'communication' needs a 'manager' section")
        if self.task_type == TaskType.INTERACTIVE and self.interactor is None:
            raise ValueError("task_type 'interactive' needs an 'interactor' section")
        if not self.subtasks:
            # Codeforces/ICPC style: one subtask holding every hidden test.
            self.subtasks = [Subtask(id="all", points=1.0, tests=["*"])]
        ids = [s.id for s in self.subtasks]
        if len(set(ids)) != len(ids):
            raise ValueError(f"subtask ids must be unique, got {ids}")
        names = [t.name for t in self.public_tests + self.hidden_tests]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"test names must be unique, repeated: {dup}")
        if any(t.gen is not None for t in self.hidden_tests) and self.generator is None:
            raise ValueError("tests with 'gen' need the problem's 'generator'")
        for t in self.public_tests:
            for sid in t.subtasks or []:
                if sid not in ids:
                    raise ValueError(f"public test '{t.name}' names unknown subtask '{sid}'")
        for r in self.reference_solutions:
            unknown = set(r.expect) - set(ids)
            if unknown:
                raise ValueError(f"{r.path}: expect names unknown subtasks {sorted(unknown)}")
        return self

    # ---- files ---------------------------------------------------------------------------

    @property
    def base_dir(self) -> Path:
        return self._base_dir

    @property
    def source_path(self) -> Path | None:
        return self._source_path

    def path(self, relative: str) -> Path:
        """A file of the problem, relative to the directory of its problem.json."""
        return (self._base_dir / relative).resolve()

    def statement_text(self) -> str:
        if self.statement_file:
            return self.path(self.statement_file).read_text()
        return self.statement

    def read_input(self, test: TestCase) -> bytes:
        """A test's input, for inline or file tests. Generated tests go through testdata."""
        if test.input is not None:
            return test.input.encode()
        if test.input_file is not None:
            return self.path(test.input_file).read_bytes()
        raise ValueError(f"test '{test.name}' is generated: use cpsolve.judge.testdata to read it")

    def read_output(self, test: TestCase) -> bytes | None:
        if test.output is not None:
            return test.output.encode()
        if test.output_file is not None:
            return self.path(test.output_file).read_bytes()
        return None

    # ---- subtasks ------------------------------------------------------------------------

    @cached_property
    def subtask_tests(self) -> dict[str, list[str]]:
        """Hidden test names of each subtask, in the order the tests are listed."""
        names = [t.name for t in self.hidden_tests]
        out: dict[str, list[str]] = {}
        for st in self.subtasks:
            chosen = {n for pat in st.tests for n in names if fnmatch.fnmatchcase(n, pat)}
            out[st.id] = [n for n in names if n in chosen]
        return out

    def subtask(self, subtask_id: str) -> Subtask:
        for st in self.subtasks:
            if st.id == subtask_id:
                return st
        raise KeyError(subtask_id)

    def includes(self, outer: str, inner: str) -> bool:
        """Whether subtask `outer` strictly includes `inner`: its tests contain all of inner's."""
        if outer == inner:
            return False
        a, b = set(self.subtask_tests[outer]), set(self.subtask_tests[inner])
        if not b:
            return False
        return b <= a and (a != b or self.subtask_index(outer) > self.subtask_index(inner))

    def included_subtasks(self, subtask_id: str) -> list[str]:
        """Subtasks that `subtask_id` strictly includes, easiest first."""
        return [s.id for s in self.subtasks if self.includes(subtask_id, s.id)]

    def subtask_index(self, subtask_id: str) -> int:
        return [s.id for s in self.subtasks].index(subtask_id)

    def hardest_first(self, *, scoring_only: bool = True) -> list[str]:
        """Subtask ids from the hardest (listed last) to the easiest; 0-point ones left out."""
        return [s.id for s in reversed(self.subtasks) if s.points > 0 or not scoring_only]

    def public_tests_for(self, subtask_id: str) -> list[TestCase]:
        """Public tests that a candidate for `subtask_id` must pass: those of the subtask and
        of every subtask it includes (a test with no `subtasks` belongs to all)."""
        wanted = {subtask_id, *self.included_subtasks(subtask_id)}
        return [t for t in self.public_tests if t.subtasks is None or wanted & set(t.subtasks)]

    @property
    def max_score(self) -> float:
        return sum(s.points for s in self.subtasks)

    def test(self, name: str) -> TestCase:
        for t in self.public_tests + self.hidden_tests:
            if t.name == name:
                return t
        raise KeyError(name)


# ---- loading -------------------------------------------------------------------------------


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _first_error(err: ValidationError) -> str:
    e = err.errors()[0]
    msg = e["msg"].removeprefix("Value error, ")
    if e["type"] == "extra_forbidden":
        msg = "unknown field"
    loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    return f"{_loc(loc)}: {msg}"


def load_problem(path: str | Path, *, check_files: bool = True) -> Problem:
    """Load and validate a problem; `path` is a problem.json or the directory holding one.

    Every error is a ProblemError whose message names the file and the field.
    """
    p = Path(path)
    if p.is_dir():
        p = p / "problem.json"
    if not p.exists():
        raise ProblemError(f"{p}: no such problem file")
    try:
        raw = json.loads(p.read_text())
    except json.JSONDecodeError as e:
        where = f"line {e.lineno} column {e.colno}"
        raise ProblemError(f"{p}: malformed JSON at {where}: {e.msg}") from None
    except UnicodeDecodeError:
        raise ProblemError(f"{p}: not a UTF-8 text file") from None
    if not isinstance(raw, dict):
        raise ProblemError(f"{p}: the top level must be a JSON object")
    try:
        problem = Problem.model_validate(raw)
    except ValidationError as e:
        raise ProblemError(f"{p}: {_first_error(e)}") from None
    problem._base_dir = p.parent.resolve()
    problem._source_path = p
    _check_references(problem, p, check_files=check_files)
    return problem


def _check_points(problem: Problem, p: Path) -> None:
    path = problem.path(problem.checker.path or "")
    if not path.is_file():
        return
    source = path.read_text(errors="replace")
    if needs_max_points(problem.checker, source, path.name):
        raise ProblemError(
            f"{p}: checker.max_points: the checker gives absolute testlib points "
            "(quitpi or pointscmp); declare the maximum so a test's score can be computed"
        )


def _check_references(problem: Problem, p: Path, *, check_files: bool) -> None:
    for i, st in enumerate(problem.subtasks):
        names = [t.name for t in problem.hidden_tests]
        for pat in st.tests:
            if not any(fnmatch.fnmatchcase(n, pat) for n in names):
                raise ProblemError(f"{p}: subtasks[{i}].tests: '{pat}' matches no hidden test")
    if not check_files:
        return
    files: list[tuple[str, str]] = []
    for kind in ("public_tests", "hidden_tests"):
        for i, t in enumerate(getattr(problem, kind)):
            for field in ("input_file", "output_file"):
                value = getattr(t, field)
                if value is not None:
                    files.append((f"{kind}[{i}].{field}", value))
    for i, r in enumerate(problem.reference_solutions):
        files.append((f"reference_solutions[{i}].path", r.path))
        try:
            r.language  # noqa: B018 - validates the extension
        except Exception as e:
            raise ProblemError(f"{p}: reference_solutions[{i}].path: {e}") from None
    for field in ("generator", "validator", "manager", "interactor"):
        spec = getattr(problem, field)
        if spec is not None:
            files.append((f"{field}.path", spec.path))
    if problem.checker.path:
        files.append(("checker.path", problem.checker.path))
        _check_points(problem, p)
    if problem.statement_file:
        files.append(("statement_file", problem.statement_file))
    if problem.grader is not None:
        for lang, srcs in problem.grader.sources.items():
            files += [(f"grader.sources.{lang}", s) for s in srcs]
        files += [("grader.headers", h) for h in problem.grader.headers]
    for field, rel in files:
        if not problem.path(rel).is_file():
            raise ProblemError(f"{p}: {field}: file '{rel}' does not exist")


def find_problems(root: str | Path) -> list[Path]:
    """Every problem.json at or below `root`, sorted; `root` may be one problem file."""
    r = Path(root)
    if r.is_file():
        return [r]
    if (r / "problem.json").is_file():
        return [r / "problem.json"]
    if not r.exists():
        raise ProblemError(f"{r}: no such file or directory")
    found = sorted(r.glob("*/problem.json"))
    if not found:
        raise ProblemError(f"{r}: holds no problem.json")
    return found

"""Import a TPS task directory (IOI's Task Preparation System) by generating its tests as TPS does.

A TPS directory holds `problem.json` (`name`, `code`, `title`, `type`: Batch or Communication,
`time_limit` in s, `memory_limit` in MB), `gen/` (generators and `gen/data`, see `_tps_data`),
`validator/`, `checker/checker.cpp` (CMS protocol: `checker input answer output`), `grader/cpp/`
(compiled with the solution; headers beside it), `grader/manager.cpp` (Communication: it talks
to the solution over two FIFOs whose paths the solution gets as arguments), `subtasks.json`
(`global_validators`, `subtask_sensitive_validators`, `subtasks`: name -> `index`, `score`,
`validators`), `solutions.json` (file -> `verdict`, `except`) and `solution/`.

The import, every program compiled and run in the sandbox: each gen/data line makes an input
(its generator run with its arguments, or a manual file), with gen/input.header and
gen/output.header around it; each input is checked by the validators that apply to it (a
rejected input stops the import); the model solution (verdict `model_solution`) makes the
answers: its output (Batch), or the manager's output (Communication with a checker, which then
judges the manager's output against it). Written: `tests/NAME.in`/`.out` and problem.json, with
the package's programs copied beside it.
"""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path
from typing import Any

from cpsolve.errors import ProblemError, UserError
from cpsolve.importers._tps_data import GenData, GenTest, parse_gen_data
from cpsolve.importers.cms import expectations, read_json
from cpsolve.judge.tasktypes import Case, Communication, task_type_for
from cpsolve.judge.tasktypes.compiling import HEADER_SUFFIXES
from cpsolve.languages import EXTENSIONS, Language, language_of
from cpsolve.problem import (
    CheckerSpec,
    GraderSpec,
    ManagerSpec,
    Problem,
    ProgramSpec,
    ReferenceSolution,
    Scoring,
    Source,
    Subtask,
    TestCase,
    load_problem,
)
from cpsolve.sandbox.base import Artifact, Limits, Sandbox, Verdict

TOOL_LIMITS = Limits(cpu_s=30.0, wall_s=60.0, memory_mb=2048, output_mb=256)
COPIED = ("grader", "checker", "solution", "validator", "statement")
TYPES = {"Batch", "Communication"}


def _json(path: Path) -> Any:
    return read_json(path, "TPS task directory")


def _compile(sandbox: Sandbox, path: Path) -> Artifact:
    """One of the package's own programs (generator, validator), with the headers beside it."""
    if path.suffix not in EXTENSIONS:
        raise UserError(f"{path}: a {path.suffix or 'suffix-less'} program is not supported")
    headers = {p.name: p.read_bytes() for p in path.parent.iterdir() if p.suffix in HEADER_SUFFIXES}
    art = sandbox.compile(path.read_text(), language_of(path), headers, filename=path.name)
    if not art.ok:
        raise UserError(f"{path}: does not compile: {art.message.strip()[:300]}")
    return art


def _run(sandbox: Sandbox, art: Artifact, stdin: bytes, args: list[str], what: str) -> bytes:
    run = sandbox.run_batch(art, [stdin], TOOL_LIMITS, keep_output=True, args=args)[0]
    if run.verdict != Verdict.AC:
        err = run.stderr.decode("utf-8", "replace").strip()[:300]
        raise UserError(f"{what} failed ({run.verdict}, exit code {run.exit_code}): {err}")
    return run.stdout or b""


class _Programs:
    """The package's programs of one folder, compiled once each, found by name as TPS does."""

    def __init__(self, sandbox: Sandbox, folder: Path) -> None:
        self.sandbox, self.folder = sandbox, folder
        self.compiled: dict[str, Artifact] = {}

    def get(self, name: str) -> Artifact:
        if name not in self.compiled:
            found = [self.folder / name] if Path(name).suffix else []
            found += [self.folder / f"{name}{ext}" for ext in EXTENSIONS]
            path = next((p for p in found if p.is_file()), None)
            if path is None:
                raise UserError(
                    f"{self.folder}: no program '{name}'; TPS commands other than C, C++ or "
                    "Python programs are not supported"
                )
            self.compiled[name] = _compile(self.sandbox, path)
        return self.compiled[name]


def _generate(sandbox: Sandbox, pkg: Path, data: GenData) -> dict[str, bytes]:
    """Every test's input, as `tps gen` makes it."""
    gen = pkg / "gen"
    programs = _Programs(sandbox, gen)
    head = (gen / "input.header").read_bytes() if (gen / "input.header").is_file() else b""
    tail = (gen / "output.header").read_bytes() if (gen / "output.header").is_file() else b""
    inputs: dict[str, bytes] = {}
    for test in data.tests:
        inputs[test.name] = head + _input(sandbox, gen, programs, test) + tail
    return inputs


def _input(sandbox: Sandbox, gen: Path, programs: _Programs, test: GenTest) -> bytes:
    where = f"gen/data line {test.line} (test {test.name})"
    if test.manual is not None:
        path = gen / "manual" / test.manual
        if not path.is_file():
            raise UserError(f"{where}: gen/manual/{test.manual} does not exist")
        return path.read_bytes()
    program, *args = test.command
    return _run(sandbox, programs.get(program), b"", args, f"{where}: generator '{program}'")


def _validator_commands(spec: dict[str, Any], subtask: str) -> list[list[str]]:
    """The validator command lines that check a test of `subtask` (TPS's get_test_validators)."""
    lines = list(spec.get("global_validators") or [])
    lines += [
        v.replace("{subtask}", subtask) for v in spec.get("subtask_sensitive_validators") or []
    ]
    lines += list(spec["subtasks"][subtask].get("validators") or [])
    return [shlex.split(v) for v in lines]


def _validate(
    sandbox: Sandbox, pkg: Path, spec: dict[str, Any], data: GenData, inputs: dict[str, bytes]
) -> int:
    """Check every input with each validator that applies to it; returns how many checks ran."""
    programs = _Programs(sandbox, pkg / "validator")
    done: set[tuple[str, tuple[str, ...]]] = set()
    for subtask in spec["subtasks"]:
        for name in data.tests_of(subtask) if subtask in data.sets else []:
            for command in _validator_commands(spec, subtask):
                if (name, tuple(command)) in done:
                    continue  # a global validator checks each test once
                done.add((name, tuple(command)))
                what = f"test {name} (subtask {subtask}): validator '{' '.join(command)}'"
                _run(sandbox, programs.get(command[0]), inputs[name], command[1:], what)
    return len(done)


def _grader(pkg: Path, code: str) -> GraderSpec | None:
    folder = pkg / "grader" / "cpp"
    grader = folder / "grader.cpp"
    if not grader.is_file():
        return None
    headers = sorted(f"grader/cpp/{h.name}" for h in folder.iterdir() if h.suffix == ".h")
    cpp = Language.CPP
    return GraderSpec(
        sources={cpp: ["grader/cpp/grader.cpp"]}, headers=headers, filename={cpp: f"{code}.cpp"}
    )


def _subtasks(spec: dict[str, Any], data: GenData, where: Path) -> list[Subtask]:
    items = sorted(spec["subtasks"].items(), key=lambda kv: kv[1].get("index", 0))
    out = []
    for name, st in items:
        if name not in data.sets or not data.tests_of(name):
            raise UserError(f"{where}: subtask '{name}' has no tests in gen/data")
        tests = ["".join(f"[{c}]" if c in "*?[]" else c for c in t) for t in data.tests_of(name)]
        out.append(Subtask(id=name, points=float(st.get("score", 0)), tests=tests))
    return out


def _solutions(
    pkg: Path, subtasks: list[Subtask], graded: bool
) -> tuple[list[ReferenceSolution], list[str]]:
    """solutions.json's solutions we can run, each expecting its verdict with its exceptions;
    and the files left out (languages cpsolve does not run, or the C++ grader cannot take)."""
    listed = _json(pkg / "solutions.json")
    refs, skipped = [], []
    for name, entry in listed.items():
        path = pkg / "solution" / name
        if path.suffix not in EXTENSIONS or (graded and EXTENSIONS[path.suffix] != Language.CPP):
            skipped.append(name)
            continue
        if not path.is_file():
            raise UserError(f"{pkg / 'solutions.json'}: solution/{name} does not exist")
        verdict = str(entry.get("verdict", ""))
        expect = expectations(
            subtasks, verdict, entry.get("except") or {}, f"solutions.json ({name})"
        )
        refs.append(
            ReferenceSolution(
                path=f"solution/{name}", expect=expect, main=verdict == "model_solution"
            )
        )
    if sum(r.main for r in refs) != 1:
        raise UserError(f"{pkg}: solutions.json needs exactly one C++/C/Python 'model_solution'")
    return refs, skipped


def _task_fields(pkg: Path, meta: dict[str, Any], code: str) -> dict[str, Any]:
    kind = str(meta.get("type") or "Batch")
    if kind not in TYPES:
        raise UserError(f"{pkg}: TPS task type '{kind}' is not supported (Batch, Communication)")
    fields: dict[str, Any] = {}
    grader = _grader(pkg, code)
    if grader is not None:
        fields |= {"task_type": "grader", "grader": grader}
    checker = pkg / "checker" / "checker.cpp"
    if checker.is_file():
        fields["checker"] = CheckerSpec(type="program", path="checker/checker.cpp", protocol="cms")
    if kind == "Communication":
        if not (pkg / "grader" / "manager.cpp").is_file():
            raise UserError(f"{pkg}: a Communication task needs grader/manager.cpp")
        fields["task_type"] = "communication"
        fields["manager"] = ManagerSpec(path="grader/manager.cpp", user_io="fifo_io")
    return fields


def _statement(pkg: Path) -> str:
    index = pkg / "statement" / "index.md"
    return index.read_text() if index.is_file() else ""


def _answers(problem: Problem, sandbox: Sandbox, inputs: dict[str, bytes]) -> dict[str, bytes]:
    """The model solution's answers: its output, or (Communication) the manager's output."""
    runner = task_type_for(problem, sandbox)
    model = next(r for r in problem.reference_solutions if r.main)
    program = runner.compile(problem.path(model.path).read_text(), model.language)
    if not program.ok:
        raise UserError(f"{model.path}: does not compile: {program.message.strip()[:300]}")
    names = list(inputs)
    if isinstance(runner, Communication):
        outs = []
        for name in names:
            done = sandbox.run_job(runner.job(program, Case(name, inputs[name], b"")))
            manager = done.proc("manager") if not done.error else None
            if manager is None or manager.verdict != Verdict.AC:
                raise UserError(f"{model.path}: the manager failed on test {name}: {done.error}")
            outs.append(manager.stdout)
        return dict(zip(names, outs, strict=True))
    limits = runner.limits.model_copy(update={"cpu_s": TOOL_LIMITS.cpu_s, "wall_s": None})
    runs = sandbox.run_batch(program, [inputs[n] for n in names], limits, keep_output=True)
    bad = next(((n, r) for n, r in zip(names, runs, strict=True) if r.verdict != Verdict.AC), None)
    if bad is not None:
        raise UserError(f"{model.path}: the model solution gets {bad[1].verdict} on test {bad[0]}")
    return {n: r.stdout or b"" for n, r in zip(names, runs, strict=True)}


def _write(problem: Problem, out: Path) -> Path:
    target = out / "problem.json"
    data = problem.model_dump(mode="json", exclude_defaults=True)
    target.write_text(json.dumps({"id": problem.id, **data}, indent=2) + "\n")
    return target


def build_problem(pkg: Path, data: GenData, with_answers: bool) -> tuple[Problem, list[str]]:
    """Our problem for a TPS directory whose tests go to tests/NAME.in (and .out)."""
    meta = _json(pkg / "problem.json")
    spec = _json(pkg / "subtasks.json")
    code = str(meta.get("name") or meta.get("code") or pkg.name)
    subtasks = _subtasks(spec, data, pkg / "subtasks.json")
    fields = _task_fields(pkg, meta, code)
    refs, skipped = _solutions(pkg, subtasks, "grader" in fields)
    glob = [shlex.split(v) for v in spec.get("global_validators") or []]
    if len(glob) == 1 and len(glob[0]) == 1 and (pkg / "validator" / glob[0][0]).is_file():
        fields["validator"] = ProgramSpec(path=f"validator/{glob[0][0]}")  # for problems check
    answered = with_answers and (fields.get("task_type") != "communication" or "checker" in fields)
    tests = [
        TestCase(
            name=t.name,
            input_file=f"tests/{t.name}.in",
            output_file=f"tests/{t.name}.out" if answered else None,
        )
        for t in data.tests
    ]
    examples = {n for s in subtasks if s.points == 0 for n in data.tests_of(s.id)}
    public = [
        TestCase(name=f"example-{t.name}", input_file=t.input_file, output_file=t.output_file)
        for t in tests
        if t.name in examples and t.output_file
    ]
    problem = Problem(
        id=code,
        name=str(meta.get("title") or code),
        source=Source(kind="ioi"),
        statement=_statement(pkg),
        time_limit_s=float(meta.get("time_limit") or 1.0),
        memory_limit_mb=int(meta.get("memory_limit") or 256),
        scoring=Scoring.SUBTASKS,
        subtasks=subtasks,
        public_tests=public,
        hidden_tests=tests,
        reference_solutions=refs,
        **fields,
    )
    return problem, skipped


def import_tps(package: Path, out: Path, sandbox: Sandbox) -> tuple[Path, list[str]]:
    """Generate a TPS directory's tests and write our problem into `out`; returns the problem
    file and the solutions left out (languages cpsolve does not run)."""
    pkg = package.resolve()
    if not pkg.is_dir():
        raise UserError(f"{package}: no such TPS task directory")
    if not (pkg / "gen" / "data").is_file():
        raise UserError(f"{pkg}: gen/data is missing; is this a TPS task directory?")
    data = parse_gen_data((pkg / "gen" / "data").read_text(), f"{pkg}/gen/data")
    spec = _json(pkg / "subtasks.json")
    problem, skipped = build_problem(pkg, data, with_answers=False)
    inputs = _generate(sandbox, pkg, data)
    _validate(sandbox, pkg, spec, data, inputs)
    out.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        if (pkg / name).is_dir():
            shutil.copytree(pkg / name, out / name, dirs_exist_ok=True)
    (out / "tests").mkdir(exist_ok=True)
    for name, text in inputs.items():
        (out / "tests" / f"{name}.in").write_bytes(text)
    problem._base_dir = out.resolve()
    try:
        answers = _answers(problem, sandbox, inputs)
    except ProblemError as e:  # the checker or manager does not compile
        raise UserError(str(e)) from None
    final, _ = build_problem(pkg, data, with_answers=True)
    if final.hidden_tests[0].output_file:
        for name, text in answers.items():
            (out / "tests" / f"{name}.out").write_bytes(text)
    target = _write(final, out)
    try:
        load_problem(target)
    except ProblemError as e:
        raise UserError(f"the imported problem does not load: {e}") from None
    return target, skipped

"""Import CMS/TPS task packages as the IOI publishes them (TPS's CMS export).

A package holds:

* `problem.json`: `code`, `name`, `time_limit` (s), `memory_limit` (bytes, or MiB when small),
  `score_precision` (decimals a subtask's score is rounded to), `task_type` (`Batch` or
  `Communication`) and `task_type_params`, a list (or its JSON text): Batch `[compilation,
  [input_file, output_file], evaluation]` with compilation `grader` (the default, as in CMS) or
  `alone`; Communication `[num_processes, compilation, user_io]` with compilation `stub` or
  `alone` and user_io `std_io` or `fifo_io`. The older dict form
  (`task_type_parameters_Batch_compilation`, ...) is read too.
* `graders/`: `grader.<ext>` (Batch), `stub.<ext>` and `manager.cpp` (Communication), headers.
* `checker/checker.cpp`: a CMS comparator (score on stdout, message on stderr), used whenever it
  exists, as CMS's own TPS loader does.
* `tests/NAME.in` and `tests/NAME.out`; `subtasks/*.json` (`score`, `testcases`), in file order.
* `solutions/<verdict>/FILE` and, when TPS exported it, `solutions.json` (`verdict`, `except`:
  subtask name -> verdict), which is exact: the verdict on every subtask, but those `except`
  names (matched exactly, against the subtask file's name with or without its `NN-` index).
  Without solutions.json only `model_solution/` is known to be accepted everywhere: TPS exports
  subtask solutions into `correct/` too, so those expect nothing per subtask, and another known
  verdict folder (`wrong_answer`, `time_limit`, ...) is the verdict of the solution as a whole:
  at least one subtask must earn it.

0-point subtasks (the examples) also become public tests. A TPS source directory (gen/ and
subtasks.json, no tests/) is refused with a pointer to `cpsolve import tps`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from cpsolve.errors import ProblemError, UserError
from cpsolve.languages import EXTENSIONS, Language
from cpsolve.problem import (
    CheckerSpec,
    GraderSpec,
    ManagerSpec,
    Problem,
    ReferenceSolution,
    Scoring,
    Source,
    Subtask,
    TestCase,
    load_problem,
)

VERDICTS = {
    "correct": "AC",
    "failed": "any",  # TPS: a verdict CMS does not name
    "time_limit_and_runtime_error": "any",
    "model_solution": "AC",
    "accepted": "AC",
    "wrong_answer": "WA",
    "incorrect": "WA",
    "time_limit": "TLE",
    "time_limit_exceeded": "TLE",
    "runtime_error": "RE",
    "memory_limit": "MLE",
    "memory_limit_exceeded": "MLE",
    "partially_correct": "PA",
    "protocol_violation": "PV",
}
COPIED = ("graders", "checker", "tests", "solutions")


def read_json(path: Path, kind: str = "CMS task package") -> Any:
    """A package's JSON file, or one sentence saying it is missing (is this a `kind`?) or bad."""
    if not path.is_file():
        raise UserError(f"{path}: missing; is this a {kind}?")
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise UserError(f"{path}: not valid JSON ({e})") from None


def _params(raw: Any, path: Path) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw) if raw.strip() else []
        except json.JSONDecodeError:
            raise UserError(f"{path}: task_type_params is not valid JSON") from None
    return raw if raw is not None else []


def _param(params: Any, index: int, key: str, default: Any) -> Any:
    if isinstance(params, list):
        return params[index] if len(params) > index else default
    if isinstance(params, dict):
        return params.get(key, default)
    return default


def _memory_mb(value: Any) -> int:
    v = float(value or 256)
    return max(16, int(v // (1 << 20))) if v >= 1 << 16 else int(v)


def _by_language(folder: Path, stem: str) -> dict[Language, list[str]]:
    out: dict[Language, list[str]] = {}
    for ext, lang in EXTENSIONS.items():
        f = folder / f"{stem}{ext}"
        if f.is_file() and lang not in out:
            out[lang] = [f"graders/{f.name}"]
    return out


def _grader(pkg: Path, code: str, stem: str) -> GraderSpec:
    folder = pkg / "graders"
    sources = _by_language(folder, stem)
    if not sources:
        raise UserError(f"{pkg}: the task compiles with a {stem} but graders/ holds no {stem}.*")
    headers = sorted(f"graders/{h.name}" for h in folder.glob("*.h"))
    names = {Language.CPP: f"{code}.cpp", Language.C: f"{code}.c", Language.PYTHON: f"{code}.py"}
    return GraderSpec(sources=sources, headers=headers, filename={k: names[k] for k in sources})


def _tests(pkg: Path) -> list[TestCase]:
    folder = pkg / "tests"
    inputs = sorted(folder.glob("*.in"))
    if not inputs:
        raise UserError(f"{pkg}: tests/ holds no *.in files")
    tests = []
    for f in inputs:
        out = f.with_suffix(".out")
        has_out = out.is_file() and out.stat().st_size > 0
        tests.append(
            TestCase(
                name=f.stem,
                input_file=f"tests/{f.name}",
                output_file=f"tests/{out.name}" if has_out else None,
            )
        )
    return tests


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def _subtasks(pkg: Path, names: set[str]) -> list[Subtask]:
    files = sorted((pkg / "subtasks").glob("*.json"))
    if not files:
        raise UserError(f"{pkg}: subtasks/ holds no *.json files")
    subtasks = []
    for f in files:
        data = read_json(f)
        cases = [str(t) for t in data.get("testcases", [])]
        unknown = [t for t in cases if t not in names]
        if unknown:
            raise UserError(f"{f}: testcase '{unknown[0]}' has no tests/{unknown[0]}.in")
        subtasks.append(
            Subtask(
                id=f.stem,
                points=float(data.get("score", 0)),
                tests=[_glob_escape(t) for t in cases],
            )
        )
    return subtasks


def subtask_named(subtask_id: str, name: str) -> bool:
    """Whether a solutions.json `except` name denotes a subtask: its id exactly, or its id
    without the `NN-` index the CMS export puts in front ("01-small" is "small")."""
    if subtask_id == name:
        return True
    head, _, rest = subtask_id.partition("-")
    return head.isdigit() and rest == name


def expectations(
    subtasks: list[Subtask], verdict: str, exceptions: dict[str, str], where: str
) -> dict[str, str]:
    """A solutions.json entry's expectation per subtask: its verdict, but its exceptions."""
    expect = {s.id: VERDICTS.get(verdict, "any") for s in subtasks}
    for name, v in exceptions.items():
        hit = [s.id for s in subtasks if subtask_named(s.id, name)]
        if not hit:
            raise UserError(f"{where}: 'except' names subtask '{name}', which does not exist")
        expect.update({sid: VERDICTS.get(v, "any") for sid in hit})
    return expect


def _solutions(pkg: Path, subtasks: list[Subtask]) -> list[ReferenceSolution]:
    tps = pkg / "solutions.json"
    exact = read_json(tps) if tps.is_file() else None
    refs: list[ReferenceSolution] = []
    for f in sorted((pkg / "solutions").glob("*/*")):
        if f.suffix.lower() not in EXTENSIONS:
            continue  # a language we do not run (Java, Pascal)
        path = f"solutions/{f.parent.name}/{f.name}"
        folder = f.parent.name.lower()
        if exact is not None and f.name in exact:
            entry = exact[f.name]
            where = f"{tps} ({f.name})"
            expect = expectations(
                subtasks, entry.get("verdict", folder), entry.get("except") or {}, where
            )
            refs.append(ReferenceSolution(path=path, expect=expect))
            continue
        verdict = VERDICTS.get(folder, "any")
        anything = {s.id: "any" for s in subtasks}
        if folder in ("model_solution", "accepted"):
            refs.append(ReferenceSolution(path=path, expect={s.id: "AC" for s in subtasks}))
        elif verdict in ("AC", "any"):
            refs.append(ReferenceSolution(path=path, expect=anything))
        else:
            refs.append(ReferenceSolution(path=path, expect=anything, verdict=verdict))
    return refs


def _statement(pkg: Path) -> str:
    for candidate in ("statement.md", "statement/index.md", "statement/en.md"):
        if (pkg / candidate).is_file():
            return (pkg / candidate).read_text()
    return ""


def _precision(value: Any) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or not 0 <= value <= 10:
        raise UserError(f"score_precision must be an integer from 0 to 10, got {value!r}")
    return value


def refuse_tps_source(pkg: Path) -> None:
    """A TPS source directory is not a CMS package: say so, and what to use instead."""
    if (
        (pkg / "subtasks.json").is_file()
        and (pkg / "gen").is_dir()
        and not (pkg / "tests").is_dir()
    ):
        raise UserError(
            f"{pkg} is a TPS task directory (tests are generated from gen/data, not shipped); "
            "import it with `cpsolve import tps`"
        )


def build_problem(pkg: Path) -> Problem:
    """Our problem for a CMS package (paths relative to the package)."""
    refuse_tps_source(pkg)
    meta = read_json(pkg / "problem.json")
    task_type = str(meta.get("task_type") or meta.get("type") or "Batch")
    params = _params(meta.get("task_type_params"), pkg / "problem.json")
    code = str(meta.get("code") or meta.get("name") or pkg.name)
    tests = _tests(pkg)
    subtasks = _subtasks(pkg, {t.name for t in tests})
    fields: dict[str, Any] = {}
    if task_type == "Batch":
        has_grader = bool(_by_language(pkg / "graders", "grader"))
        default = "grader" if has_grader else "alone"
        compilation = _param(params, 0, "task_type_parameters_Batch_compilation", default)
        io = _param(params, 1, "task_type_parameters_Batch_io", ["", ""])
        if isinstance(io, list) and any(io):
            raise UserError(f"{pkg}: tasks that read and write files ({io}) are not supported")
        evaluation = _param(params, 2, "task_type_parameters_Batch_evaluation", "diff")
        if compilation == "grader":
            fields |= {"task_type": "grader", "grader": _grader(pkg, code, "grader")}
    elif task_type == "Communication":
        processes = int(_param(params, 0, "task_type_parameters_Communication_num_processes", 1))
        compilation = _param(params, 1, "task_type_parameters_Communication_compilation", "stub")
        user_io = _param(params, 2, "task_type_parameters_Communication_user_io", "std_io")
        manager = next((f for f in sorted((pkg / "graders").glob("manager.*"))), None)
        if manager is None or manager.suffix not in EXTENSIONS:
            raise UserError(f"{pkg}: a Communication task needs graders/manager.cpp")
        fields["task_type"] = "communication"
        fields["manager"] = ManagerSpec(
            path=f"graders/{manager.name}", num_processes=processes, user_io=user_io
        )
        if compilation == "stub":
            fields["grader"] = _grader(pkg, code, "stub")
        evaluation = "manager"
    else:
        raise UserError(f"{pkg}: task type '{task_type}' is not supported (Batch, Communication)")
    checker = next(
        (f for f in sorted((pkg / "checker").glob("checker.*")) if f.suffix in EXTENSIONS), None
    )
    if evaluation == "comparator" and checker is None:
        raise UserError(f"{pkg}: evaluation 'comparator' needs checker/checker.cpp")
    if checker is not None:  # CMS's TPS loader uses it whenever it exists
        fields["checker"] = CheckerSpec(
            type="program", path=f"checker/{checker.name}", protocol="cms"
        )
    examples = {t for s in subtasks if s.points == 0 for t in s.tests}
    public = [
        TestCase(name=f"example-{t.name}", input_file=t.input_file, output_file=t.output_file)
        for t in tests
        if _glob_escape(t.name) in examples and t.output_file
    ]
    return Problem(
        id=code,
        name=str(meta.get("name") or meta.get("title") or code),
        source=Source(kind="ioi", contest=meta.get("contest")),
        statement=_statement(pkg),
        time_limit_s=float(meta.get("time_limit") or 1.0),
        memory_limit_mb=_memory_mb(meta.get("memory_limit")),
        scoring=Scoring.SUBTASKS,
        subtasks=subtasks,
        public_tests=public,
        hidden_tests=tests,
        reference_solutions=_solutions(pkg, subtasks),
        score_precision=_precision(meta.get("score_precision")),
        **fields,
    )


def import_cms(package: Path, out: Path) -> Path:
    """Write our problem.json for a CMS package into `out`, with its files; returns the file."""
    pkg = package.resolve()
    if not pkg.is_dir():
        raise UserError(f"{package}: no such package directory")
    problem = build_problem(pkg)
    out.mkdir(parents=True, exist_ok=True)
    if out.resolve() != pkg:
        for name in COPIED:
            if (pkg / name).is_dir():
                shutil.copytree(pkg / name, out / name, dirs_exist_ok=True)
    target = out / "problem.json"
    data = problem.model_dump(mode="json", exclude_defaults=True)
    target.write_text(json.dumps({"id": problem.id, **data}, indent=2) + "\n")
    try:
        load_problem(target)
    except ProblemError as e:
        raise UserError(f"the imported problem does not load: {e}") from None
    return target

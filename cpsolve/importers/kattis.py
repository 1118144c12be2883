"""Import a Kattis/ICPC problem package (https://www.kattis.com/problem-package-format/), in
its legacy layout, with the 2023-07 draft's `type`, `limits.time_limit` and `output_validator/`.

What is read, and how it maps (docs/problem-format.md lists what is refused):

* `problem.yaml`: `name`, `type` (`pass-fail`, `scoring`, `interactive`), `validation`
  (`default`, `custom`, `custom interactive`), `validator_flags`, `limits` (`time_limit`,
  `memory` in MiB). The time limit is `limits.time_limit`, else the `.timelimit` file that
  problemtools writes, else the importer's `time_limit` argument.
* `data/sample` and `data/secret`, nested groups, lexicographic order; a test is `X.in` with
  `X.ans`, named by its path under `data/` (`secret/group1/03`). Samples are public tests too.
* pass-fail: every test (samples first) in one all-or-nothing subtask, as Kattis judges it.
  scoring: each group directly under `data/secret` is a subtask (or `data/secret` itself when it
  has none) worth what the default grader gives an all-accepted group: `accept_score` per test,
  summed, or once with `grader_flags` `min`, `max` or `avg`; a rejected group earns 0. Samples
  form a 0-point subtask.
* Output validation: the default validator's flags become cpsolve's `tokens` (`case_sensitive`
  kept), `float` (`float_tolerance`, `float_absolute_tolerance`, `float_relative_tolerance`) or
  `exact` (`space_change_sensitive`); a custom validator is a `kattis`-protocol program checker,
  a custom interactive one a `kattis`-protocol interactor.
* `submissions/<accepted|wrong_answer|time_limit_exceeded|run_time_error>/`: reference solutions
  expecting AC, WA, TLE, RE (scoring problems: AC on every subtask for accepted ones, the others
  "any" per subtask, as the package does not say which group fails).
* `input_validators/` (or `input_format_validators/`): the problem's validator, behind a wrapper
  that turns exit code 42 into 0 (cpsolve's convention).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import yaml

from cpsolve.errors import UserError
from cpsolve.importers.exit42 import wrap_exit42
from cpsolve.importers.package import PackageImport, write_problem
from cpsolve.languages import EXTENSIONS
from cpsolve.problem import (
    CheckerSpec,
    InteractorSpec,
    Problem,
    ProgramSpec,
    ReferenceSolution,
    Scoring,
    Source,
    Subtask,
    TestCase,
)

VERDICTS = {
    "accepted": "AC",
    "wrong_answer": "WA",
    "time_limit_exceeded": "TLE",
    "run_time_error": "RE",
    "partially_accepted": "any",
}
DEFAULT_MEMORY_MB = 2048  # the legacy format's default when problem.yaml names none
SCORE_MODES = ("sum", "min", "max", "avg")
HEADERS = (".h", ".hpp", ".hh")


def _yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as e:
        raise UserError(f"{path}: not valid YAML ({str(e).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: the top level must be a mapping")
    return data


def _unsupported(pkg: Path, what: str) -> UserError:
    return UserError(f"{pkg.name}: {what} is not supported by cpsolve's Kattis import")


# ---- settings ------------------------------------------------------------------------------


def _problem_type(meta: dict[str, Any]) -> tuple[str, bool]:
    """('pass-fail' | 'scoring', interactive) from `type` (2023-07) and `validation` (legacy)."""
    kinds = str(meta.get("type") or "pass-fail").split()
    validation = str(meta.get("validation") or "default").split()
    interactive = "interactive" in kinds or "interactive" in validation
    return ("scoring" if "scoring" in kinds else "pass-fail"), interactive


def _time_limit(pkg: Path, meta: dict[str, Any], given: float | None) -> float:
    limits = meta.get("limits") or {}
    if limits.get("time_limit") is not None:
        return float(limits["time_limit"])
    marker = pkg / ".timelimit"
    if marker.is_file():
        try:
            return float(marker.read_text().split()[0])
        except (ValueError, IndexError):
            raise UserError(f"{marker}: holds no number of seconds") from None
    if given is not None:
        return given
    raise UserError(
        f"{pkg.name}: no time limit (Kattis derives it from the judges' solutions); "
        "pass --time-limit SECONDS or add a .timelimit file"
    )


def default_checker(pkg: Path, flags: str) -> CheckerSpec:
    """The default output validator's flags as one of cpsolve's comparisons, exactly."""
    words = flags.split()
    tol: dict[str, float] = {}
    case = space = False
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("float_tolerance", "float_absolute_tolerance", "float_relative_tolerance"):
            try:
                tol[w] = float(words[i + 1])
            except (IndexError, ValueError):
                raise UserError(f"{pkg.name}: validator flag {w} needs a number") from None
            i += 2
            continue
        if w == "case_sensitive":
            case = True
        elif w == "space_change_sensitive":
            space = True
        else:
            raise _unsupported(pkg, f"the default validator flag '{w}'")
        i += 1
    if space and tol:
        raise _unsupported(pkg, "space_change_sensitive together with a float tolerance")
    if space:
        if not case:
            raise _unsupported(pkg, "space_change_sensitive without case_sensitive")
        return CheckerSpec(type="exact")
    if not tol:
        return CheckerSpec(type="tokens", case_sensitive=case)
    both = tol.get("float_tolerance", 0.0)
    return CheckerSpec(
        type="float",
        abs_tol=tol.get("float_absolute_tolerance", both),
        rel_tol=tol.get("float_relative_tolerance", both),
        case_sensitive=case,
    )


def _programs(pkg: Path, folder: Path, what: str) -> list[Path]:
    """The source of each program in `folder`: a single file, or a directory holding one source
    (headers beside it are compiled with it)."""
    if not folder.is_dir():
        return []
    found = []
    for entry in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if entry.stem == "cpsolve_exit42":
            continue  # our own wrapper, from an import into the package itself
        if entry.is_file() and entry.suffix.lower() not in HEADERS:
            if entry.suffix.lower() not in EXTENSIONS:
                raise _unsupported(pkg, f"the {what} '{entry.name}' (C, C++ and Python run)")
            found.append(entry)
        elif entry.is_dir():
            if any((entry / s).is_file() for s in ("build", "run")):
                raise _unsupported(pkg, f"the {what} '{entry.name}' with build/run scripts")
            sources = [p for p in sorted(entry.iterdir()) if p.suffix.lower() in EXTENSIONS]
            if len(sources) != 1:
                raise _unsupported(pkg, f"the {what} '{entry.name}' of {len(sources)} sources")
            found.append(sources[0])
    return found


# ---- test data -----------------------------------------------------------------------------


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def _walk(folder: Path, data: Path) -> list[TestCase]:
    """Tests under `folder`, files and groups together in lexicographic order of base name."""
    tests: list[TestCase] = []
    entries = sorted(folder.iterdir(), key=lambda p: p.stem if p.is_file() else p.name)
    for entry in entries:
        if entry.is_dir():
            tests += _walk(entry, data)
        elif entry.suffix == ".in":
            answer = entry.with_suffix(".ans")
            if not answer.is_file():
                raise UserError(f"{entry}: has no answer file {answer.name}")
            rel = entry.relative_to(data.parent).as_posix()
            tests.append(
                TestCase(
                    name=rel.removeprefix("data/").removesuffix(".in"),
                    input_file=rel,
                    output_file=rel.removesuffix(".in") + ".ans",
                )
            )
    return tests


def _settings(data: Path, folder: Path) -> dict[str, Any]:
    """A group's testdata.yaml: its own, else its closest ancestor's (up to data/)."""
    here = folder
    while True:
        if (here / "testdata.yaml").is_file():
            return _yaml(here / "testdata.yaml")
        if here == data or here == here.parent:
            return {}
        here = here.parent


def _group_points(pkg: Path, data: Path, group: Path, count: int) -> float:
    """What the default grader gives a group whose every test is accepted (0 when rejected)."""
    conf = _settings(data, group)
    where = group.relative_to(data.parent).as_posix()
    if str(conf.get("grading") or "default") != "default":
        raise _unsupported(pkg, f"a custom grader ({where})")
    if float(conf.get("reject_score") or 0) != 0:
        raise _unsupported(pkg, f"a non-zero reject_score ({where})")
    flags = str(conf.get("grader_flags") or "").split()
    odd = [f for f in flags if f not in (*SCORE_MODES, "first_error", "worst_error")]
    if odd and not (group == data and odd == ["ignore_sample"]):
        raise _unsupported(pkg, f"grader_flags {' '.join(odd)} ({where})")
    modes = [f for f in flags if f in SCORE_MODES] or ["sum"]
    accept = float(conf.get("accept_score", 1))
    points = accept * count if modes[-1] == "sum" else accept
    low, high = _range(pkg, conf, where)
    if not low <= points <= high:
        raise _unsupported(pkg, f"a range that clips the group's score ({where})")
    return points


def _range(pkg: Path, conf: dict[str, Any], where: str) -> tuple[float, float]:
    raw = conf.get("range")
    if raw is None:
        return -math.inf, math.inf
    try:
        low, high = (float(x) for x in str(raw).split())
    except ValueError:
        raise UserError(f"{pkg.name}: range '{raw}' of {where} is not two numbers") from None
    return low, high


def _nested_settings(group: Path) -> bool:
    return any(p.parent != group for p in group.rglob("testdata.yaml"))


def _scoring_subtasks(pkg: Path, data: Path, tests: list[TestCase]) -> list[Subtask]:
    """Subtasks of a scoring problem: samples (0 points), then each group of data/secret."""
    secret = data / "secret"
    root_flags = str(_settings(data, data).get("grader_flags") or "").split()
    samples = [t for t in tests if t.name.startswith("sample/")]
    subtasks = []
    if samples:
        points = 0.0 if "ignore_sample" in root_flags else None
        if points is None:
            points = _group_points(pkg, data, data / "sample", len(samples))
        subtasks.append(Subtask(id="sample", points=points, tests=["sample/*"]))
    groups = sorted(p for p in secret.iterdir() if p.is_dir())
    if not groups:
        count = sum(t.name.startswith("secret/") for t in tests)
        points = _group_points(pkg, data, secret, count)
        return [*subtasks, Subtask(id="secret", points=points, tests=["secret/*"])]
    if any(p.suffix == ".in" for p in secret.iterdir()):
        raise _unsupported(pkg, "tests directly in data/secret beside its groups")
    if str(_settings(data, secret).get("on_reject") or "break") != "continue":
        raise _unsupported(
            pkg,
            "scoring groups judged with on_reject: break at data/secret (cpsolve judges "
            "every group; set on_reject: continue there)",
        )
    for g in groups:
        if _nested_settings(g):
            raise _unsupported(pkg, f"testdata.yaml below the group secret/{g.name}")
        prefix = f"secret/{g.name}/"
        count = sum(t.name.startswith(prefix) for t in tests)
        points = _group_points(pkg, data, g, count)
        subtasks.append(Subtask(id=g.name, points=points, tests=[_glob_escape(prefix) + "*"]))
    return subtasks


def _group_flags(pkg: Path, data: Path) -> None:
    """Per-group output validator flags change the validation per group: refused."""
    for conf in data.rglob("testdata.yaml"):
        settings = _yaml(conf)
        if settings.get("output_validator_flags") or settings.get("output_validator_args"):
            where = conf.parent.relative_to(pkg).as_posix()
            raise _unsupported(pkg, f"output validator flags in testdata.yaml ({where})")


# ---- programs ------------------------------------------------------------------------------


def _solutions(
    pkg: Path, subtasks: list[Subtask], scoring: bool, notes: list[str]
) -> list[ReferenceSolution]:
    refs: list[ReferenceSolution] = []
    folder = pkg / "submissions"
    if not folder.is_dir():
        return refs
    for verdict_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        verdict = VERDICTS.get(verdict_dir.name)
        if verdict is None:
            notes.append(f"submissions/{verdict_dir.name}/ is not a verdict cpsolve knows: skipped")
            continue
        for f in sorted(verdict_dir.iterdir()):
            if not f.is_file() or f.suffix.lower() not in EXTENSIONS:
                notes.append(
                    f"submissions/{verdict_dir.name}/{f.name}: not C, C++ or Python: skipped"
                )
                continue
            if verdict == "AC" or not scoring:
                expect = {s.id: verdict for s in subtasks}
            else:
                expect = {s.id: "any" for s in subtasks}
            refs.append(
                ReferenceSolution(path=f"submissions/{verdict_dir.name}/{f.name}", expect=expect)
            )
    if not any(all(v == "AC" for v in r.expect.values()) for r in refs):
        notes.append("no accepted submission in C, C++ or Python: nothing produces answers")
    return refs


def _output_validation(pkg: Path, meta: dict[str, Any], interactive: bool) -> dict[str, Any]:
    validation = str(meta.get("validation") or "default").split()
    flags = str(meta.get("validator_flags") or "")
    custom = "custom" in validation or interactive or (pkg / "output_validator").is_dir()
    if "score" in validation:
        raise _unsupported(pkg, "validation 'custom score' (scores from score.txt)")
    if not custom:
        return {"checker": default_checker(pkg, flags)}
    if flags.strip():
        raise _unsupported(pkg, "validator_flags passed to a custom output validator")
    found = _programs(pkg, pkg / "output_validators", "output validator")
    found += _programs(pkg, pkg / "output_validator", "output validator")
    if len(found) != 1:
        raise UserError(
            f"{pkg.name}: custom validation needs one output validator, found {len(found)}"
        )
    rel = found[0].relative_to(pkg).as_posix()
    if interactive:
        return {
            "task_type": "interactive",
            "interactor": InteractorSpec(path=rel, protocol="kattis"),
        }
    return {"checker": CheckerSpec(type="program", path=rel, protocol="kattis")}


def _input_validator(pkg: Path, out: Path, notes: list[str]) -> ProgramSpec | None:
    """The first input validator, wrapped so that exit 42 reads as valid."""
    for name in ("input_validators", "input_format_validators"):
        try:
            found = _programs(pkg, pkg / name, "input validator")
        except UserError as e:
            notes.append(f"{e}; the problem has no validator")
            return None
        if not found:
            continue
        if len(found) > 1:
            notes.append(f"{name}/: only {found[0].name} of {len(found)} validators is run")
        flags = [
            p
            for p in (pkg / "data").rglob("testdata.yaml")
            if _yaml(p).get("input_validator_flags")
        ]
        if flags:
            notes.append("input_validator_flags are not passed: the problem has no validator")
            return None
        rel = found[0].relative_to(pkg)
        wrapper = wrap_exit42(out / rel)
        return ProgramSpec(path=wrapper.relative_to(out).as_posix())
    return None


def _statement(pkg: Path) -> str:
    for folder in ("problem_statement", "statement"):
        for name in ("problem.en.md", "problem.md", "problem.en.tex", "problem.tex"):
            if (pkg / folder / name).is_file():
                return (pkg / folder / name).read_text()
    return ""


def _name(meta: dict[str, Any], pkg: Path) -> str:
    name = meta.get("name")
    if isinstance(name, dict):
        name = name.get("en") or next(iter(name.values()), None)
    return str(name or pkg.name)


# ---- the problem ---------------------------------------------------------------------------


def build_problem(pkg: Path, out: Path, time_limit: float | None, notes: list[str]) -> Problem:
    """Our problem for the package `pkg`, already copied to `out` (paths relative to it)."""
    meta = _yaml(pkg / "problem.yaml")
    if not (pkg / "problem.yaml").is_file():
        raise UserError(f"{pkg}: no problem.yaml; is this a Kattis problem package?")
    kind, interactive = _problem_type(meta)
    if (pkg / "include").is_dir():
        raise _unsupported(pkg, "code in include/ compiled with every submission")
    data = pkg / "data"
    if not (data / "secret").is_dir():
        raise UserError(f"{pkg.name}: data/secret is missing")
    _group_flags(pkg, data)
    tests = [t for g in ("sample", "secret") if (data / g).is_dir() for t in _walk(data / g, data)]
    if kind == "scoring":
        subtasks = _scoring_subtasks(pkg, data, tests)
        scoring = Scoring.SUBTASKS
    else:
        subtasks = [Subtask(id="all", points=1.0, tests=["*"])]
        scoring = Scoring.ALL_OR_NOTHING
    public = [
        TestCase(name=f"example-{t.name}", input_file=t.input_file, output_file=t.output_file)
        for t in tests
        if t.name.startswith("sample/")
    ]
    limits = meta.get("limits") or {}
    return Problem(
        id=pkg.name,
        name=_name(meta, pkg),
        source=Source(kind="icpc", contest=meta.get("source"), url=meta.get("source_url")),
        statement=_statement(pkg),
        time_limit_s=_time_limit(pkg, meta, time_limit),
        memory_limit_mb=int(limits.get("memory") or DEFAULT_MEMORY_MB),
        scoring=scoring,
        subtasks=subtasks,
        public_tests=public,
        hidden_tests=tests,
        validator=_input_validator(pkg, out, notes),
        reference_solutions=_solutions(pkg, subtasks, kind == "scoring", notes),
        **_output_validation(pkg, meta, interactive),
    )


def import_kattis(package: Path, out: Path, time_limit: float | None = None) -> PackageImport:
    """Write our problem.json for a Kattis package into `out`, with the package's files."""
    pkg = package.resolve()
    if not pkg.is_dir():
        raise UserError(f"{package}: no such package directory")
    if not (pkg / "problem.yaml").is_file():
        raise UserError(f"{pkg}: no problem.yaml; is this a Kattis problem package?")
    if out.resolve() != pkg:
        shutil.copytree(pkg, out, dirs_exist_ok=True)
    done = PackageImport(target=out / "problem.json")
    write_problem(build_problem(pkg, out, time_limit, done.notes), done.target)
    return done

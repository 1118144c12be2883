"""Import a Polygon (Codeforces) package (https://polygon.codeforces.com/docs).

What is read from `problem.xml`, and how it maps (docs/problem-format.md lists what is refused):

* `names` (English first), the `tests` testset's `time-limit` (ms) and `memory-limit` (bytes).
* Tests, numbered from 1: `manual` ones are the files of `input-path-pattern` (answers from
  `answer-path-pattern` when the package has them, else from the main solution); `generated`
  ones keep their `cmd` as generator arguments, so the sandbox runs the generator (one generator
  per problem). Samples are public tests too.
* Groups with points: a `complete-group` group is a subtask worth its points over its tests and
  those of the groups it depends on (Polygon scores a group only when its dependencies pass);
  an `each-test` group gives each of its tests a subtask worth the test's points. Without
  points, the problem is all-or-nothing (Codeforces).
* The checker: `std::wcmp.cpp` is cpsolve's `tokens` (exactly what it compares); any other is
  run as a testlib program. The interactor (testlib protocol), the first validator.
* Solutions by tag: main (the answers' source), accepted, wrong-answer, time-limit-exceeded,
  memory-limit-exceeded, presentation-error, failed (RE); with groups, a non-accepted tag says
  nothing about which group fails, so those expect "any" per subtask.
"""

from __future__ import annotations

import re
import shlex
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from cpsolve.errors import UserError
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

TAGS = {
    "main": "AC",
    "accepted": "AC",
    "wrong-answer": "WA",
    "time-limit-exceeded": "TLE",
    "memory-limit-exceeded": "MLE",
    "presentation-error": "PE",
    "failed": "RE",
    "rejected": "any",
    "time-limit-exceeded-or-accepted": "any",
    "time-limit-exceeded-or-memory-limit-exceeded": "any",
}
EXACT_STD = {"std::wcmp.cpp": CheckerSpec(type="tokens")}
_PATTERN = re.compile(r"%0?(\d*)d")


def _unsupported(pkg: Path, what: str) -> UserError:
    return UserError(f"{pkg.name}: {what} is not supported by cpsolve's Polygon import")


def _xml(pkg: Path) -> ET.Element:
    path = pkg / "problem.xml"
    if not path.is_file():
        raise UserError(f"{pkg}: no problem.xml; is this a Polygon package?")
    try:
        return ET.parse(path).getroot()
    except ET.ParseError as e:
        raise UserError(f"{path}: not valid XML ({e})") from None


def _source(element: ET.Element | None) -> str | None:
    found = element.find("source") if element is not None else None
    return found.get("path") if found is not None else None


def _name(root: ET.Element, pkg: Path) -> str:
    names = root.findall("names/name")
    english = [n for n in names if n.get("language") == "english"]
    chosen = english or names
    value = chosen[0].get("value") if chosen else None
    return value or root.get("short-name") or pkg.name


def _path_for(pattern: str, index: int) -> str:
    return _PATTERN.sub(lambda m: f"{index:0{m.group(1) or 1}d}", pattern, count=1)


# ---- tests ---------------------------------------------------------------------------------


def _generators(root: ET.Element) -> dict[str, str]:
    """Executables by name (the source's stem): what a test's `cmd` starts with."""
    out = {}
    for exe in root.findall("files/executables/executable"):
        path = _source(exe)
        if path:
            out[Path(path).stem] = path
    return out


def _tests(
    pkg: Path, testset: ET.Element, gens: dict[str, str]
) -> tuple[list[TestCase], str | None]:
    """The testset's tests and the one generator their `cmd`s use (None when none is used)."""
    in_pat = testset.findtext("input-path-pattern") or "tests/%02d"
    ans_pat = testset.findtext("answer-path-pattern") or "tests/%02d.a"
    tests, used = [], set()
    for i, test in enumerate(testset.findall("tests/test"), 1):
        name = f"{i:02d}"
        answer = _path_for(ans_pat, i)
        answer_file = answer if (pkg / answer).is_file() else None
        if test.get("method") == "generated":
            words = shlex.split(test.get("cmd") or "")
            if not words or words[0] not in gens:
                raise UserError(f"{pkg.name}: test {i}: generator '{test.get('cmd')}' not found")
            if any(w.startswith((">", "<", "|")) or "{" in w for w in words[1:]):
                raise _unsupported(pkg, f"the generator command '{test.get('cmd')}' (test {i})")
            used.add(words[0])
            tests.append(TestCase(name=name, gen=words[1:], output_file=answer_file))
            continue
        path = _path_for(in_pat, i)
        if not (pkg / path).is_file():
            raise UserError(f"{pkg.name}: manual test {i} has no file {path}")
        tests.append(TestCase(name=name, input_file=path, output_file=answer_file))
    if len(used) > 1:
        raise _unsupported(pkg, f"tests made by {len(used)} generators ({', '.join(sorted(used))})")
    return tests, (gens[used.pop()] if used else None)


# ---- groups --------------------------------------------------------------------------------


def _points(value: str | None) -> float:
    return float(value) if value not in (None, "") else 0.0


def _subtasks(pkg: Path, testset: ET.Element, tests: list[TestCase]) -> list[Subtask] | None:
    """Subtasks from groups and points; None when the problem is all-or-nothing."""
    xml_tests = testset.findall("tests/test")
    groups = testset.findall("groups/group")
    if not groups:
        if not any(_points(t.get("points")) for t in xml_tests):
            return None
        return [
            Subtask(id=t.name, points=_points(x.get("points")), tests=[t.name])
            for t, x in zip(tests, xml_tests, strict=True)
        ]
    members: dict[str, list[str]] = {g.get("name", ""): [] for g in groups}
    for t, x in zip(tests, xml_tests, strict=True):
        group = x.get("group", "")
        if group not in members:
            raise _unsupported(pkg, f"test {t.name} outside the declared groups")
        members[group].append(t.name)
    subtasks = []
    for g in groups:
        name = g.get("name", "")
        deps = _closure(name, groups)
        if g.get("points-policy", "complete-group") == "complete-group":
            names = [n for d in [*deps, name] for n in members[d]]
            own = [x for x in xml_tests if x.get("group", "") == name]
            worth = sum(_points(x.get("points")) for x in own)  # when the group names none
            points = _points(g.get("points")) if g.get("points") is not None else worth
            subtasks.append(Subtask(id=name, points=points, tests=names))
            continue
        if deps:
            raise _unsupported(pkg, f"an each-test group with dependencies (group {name})")
        for t, x in zip(tests, xml_tests, strict=True):
            if x.get("group", "") == name:
                each = _points(x.get("points"))
                subtasks.append(Subtask(id=f"{name}-{t.name}", points=each, tests=[t.name]))
    return subtasks


def _closure(name: str, groups: list[ET.Element]) -> list[str]:
    """The groups `name` depends on, directly or not, in their listed order."""
    direct = {
        g.get("name", ""): [d.get("group", "") for d in g.findall("dependencies/dependency")]
        for g in groups
    }
    seen: set[str] = set()
    todo = list(direct.get(name, []))
    while todo:
        d = todo.pop()
        if d not in seen and d != name:
            seen.add(d)
            todo += direct.get(d, [])
    return [g.get("name", "") for g in groups if g.get("name", "") in seen]


# ---- programs ------------------------------------------------------------------------------


def _checker(pkg: Path, root: ET.Element, interactive: bool) -> CheckerSpec:
    checker = root.find("assets/checker")
    if checker is None:
        return CheckerSpec(type="tokens")
    std = EXACT_STD.get(checker.get("name") or "")
    if std is not None and not interactive:  # an interactive problem's checker reads tout
        return std.model_copy()
    path = _source(checker)
    if path is None or not (pkg / path).is_file():
        raise UserError(f"{pkg.name}: the checker's source is missing")
    return CheckerSpec(type="program", path=path, protocol="testlib")


def _solutions(
    pkg: Path, root: ET.Element, subtasks: list[Subtask], notes: list[str]
) -> list[ReferenceSolution]:
    refs = []
    for sol in root.findall("assets/solutions/solution"):
        path, tag = _source(sol), sol.get("tag", "")
        if path is None:
            continue
        if Path(path).suffix.lower() not in EXTENSIONS:
            notes.append(f"{path}: not C, C++ or Python: skipped")
            continue
        verdict = TAGS.get(tag)
        if verdict is None:
            notes.append(f"{path}: tag '{tag}' is not one cpsolve knows: skipped")
            continue
        single = len(subtasks) == 1
        expect = {s.id: verdict if verdict == "AC" or single else "any" for s in subtasks}
        refs.append(ReferenceSolution(path=path, expect=expect, main=tag == "main"))
    return refs


def _statement(pkg: Path) -> str:
    for legend in sorted(pkg.glob("statement-sections/english/legend.tex")):
        return legend.read_text()
    return ""


# ---- the problem ---------------------------------------------------------------------------


def build_problem(pkg: Path, notes: list[str]) -> Problem:
    """Our problem for the Polygon package `pkg` (paths relative to it)."""
    root = _xml(pkg)
    judging = root.find("judging")
    testsets = judging.findall("testset") if judging is not None else []
    testset = next((t for t in testsets if t.get("name") == "tests"), None)
    if judging is None or testset is None:
        raise UserError(f"{pkg.name}: problem.xml has no 'tests' testset")
    if judging.get("input-file") or judging.get("output-file"):
        raise _unsupported(pkg, "reading and writing files instead of stdin and stdout")
    others = [t.get("name") for t in testsets if t is not testset]
    if others:
        notes.append(f"testsets {', '.join(map(str, others))} are not imported (only 'tests')")
    tests, generator = _tests(pkg, testset, _generators(root))
    subtasks = _subtasks(pkg, testset, tests)
    xml_tests = testset.findall("tests/test")
    public = [
        TestCase(name=f"example-{t.name}", input_file=t.input_file, output_file=t.output_file)
        for t, x in zip(tests, xml_tests, strict=True)
        if x.get("sample") == "true" and t.input_file
    ]
    interactor = _source(root.find("assets/interactor"))
    validator = _source(root.find("assets/validators/validator"))
    fields: dict = {}
    if interactor:
        fields |= {"task_type": "interactive", "interactor": InteractorSpec(path=interactor)}
    return Problem(
        id=root.get("short-name") or pkg.name,
        name=_name(root, pkg),
        source=Source(kind="codeforces", url=root.get("url")),
        statement=_statement(pkg),
        time_limit_s=float(testset.findtext("time-limit") or 1000) / 1000,
        memory_limit_mb=int(testset.findtext("memory-limit") or 256 << 20) >> 20,
        checker=_checker(pkg, root, bool(interactor)),
        scoring=Scoring.SUBTASKS if subtasks else Scoring.ALL_OR_NOTHING,
        subtasks=subtasks or [],
        public_tests=public,
        hidden_tests=tests,
        generator=ProgramSpec(path=generator) if generator else None,
        validator=ProgramSpec(path=validator) if validator else None,
        reference_solutions=_solutions(pkg, root, subtasks or [Subtask(id="all", points=1)], notes),
        **fields,
    )


def import_polygon(package: Path, out: Path) -> PackageImport:
    """Write our problem.json for a Polygon package into `out`, with the package's files."""
    pkg = package.resolve()
    if not pkg.is_dir():
        raise UserError(f"{package}: no such package directory")
    done = PackageImport(target=out / "problem.json")
    problem = build_problem(pkg, done.notes)
    if out.resolve() != pkg:
        shutil.copytree(pkg, out, dirs_exist_ok=True)
    write_problem(problem, done.target)
    return done

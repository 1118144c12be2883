"""Import open-r1 dataset rows (JSON lines): `open-r1/ioi` and `open-r1/codeforces`.

open-r1/ioi holds a row per subtask: `id`, `name`, `year`, `day`, `subtask`, `statement`, `score`,
`time_limit` (s), `memory_limit` (MB), `task_type` (`Batch`, `Communication`, ...),
`test_names`, `starting_code`, `grader_files` (`[[path, content], ...]`). Its tests are the rows
of open-r1/ioi-test-cases: `problem_id`, `test_name`, `test_input`, `test_output`. The subtask
rows of one problem become one problem: subtasks in name order with their points and tests, the
0-point ones' tests also public; Batch with a grader -> `grader`, Communication -> a manager (and
stub); a `checker.*` among the grader files -> a CMS checker.

open-r1/codeforces holds a row per problem: `id` (`"1234/A"`), `contest_id`, `index`, `title`,
`description`, `input_format`, `output_format`, `interaction_format`, `note`, `examples`,
`time_limit` (s), `memory_limit` (MB), `rating`, `tags`, `official_tests`, `input_mode`,
`generated_checker` (a Python checker run as `checker input answer output`, printing the score).
Its generated tests are rows of `problem_id`, `input`, `output`. Scoring is all-or-nothing;
interactive problems are skipped unless the row carries an `interactor` source.

Neither dataset carries solutions in its problem rows; rows of `problem_id` and `code` (with an
optional `language` and `label`/`verdict`, e.g. `correct`, `wrong_answer`) attach C++ or Python
reference solutions. Test-case and solution rows may sit in SRC or in files given with
`--tests` and `--solutions`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cpsolve.importers._dataset import (
    MALFORMED,
    ImportReport,
    Row,
    RowSkipped,
    Shown,
    checker_from_text,
    malformed,
    memory_mb,
    nothing_shown,
    read_rows,
    safe_relpath,
    seconds,
    slug,
    solution_language,
    write_problem,
)
from cpsolve.importers.cms import VERDICTS
from cpsolve.languages import Language, language_of
from cpsolve.problem import (
    CheckerSpec,
    GraderSpec,
    InteractorSpec,
    ManagerSpec,
    Problem,
    ReferenceSolution,
    Scoring,
    Source,
    Subtask,
    TestCase,
)

Files = dict[str, str | bytes]
SHORT_VERDICTS = ("AC", "WA", "TLE", "MLE", "RE", "PA")


@dataclass
class Rows:
    """The rows of SRC and the extra files, sorted by kind."""

    problems: list[Row] = field(default_factory=list)
    tests: dict[str, list[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(list))
    solutions: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))


def _kind(data: dict[str, Any]) -> str:
    if "code" in data and "test_names" not in data:
        return "solution"
    if "test_name" in data or ("problem_id" in data and "input" in data and "id" not in data):
        return "test"
    return "problem"


def gather(src: Path, extra: list[Path], report: ImportReport) -> Rows:
    """Problem rows from SRC, then test-case and solution rows from SRC and the extra files;
    those of problems SRC does not hold are dropped as they stream by (test-case files are big)."""
    rows = Rows()
    known: set[str] | None = None
    for path in [src, *extra]:
        for row in read_rows(path):
            if not isinstance(row.data, dict):
                report.skip(f"{path.name} line {row.line}", "not a JSON object")
                continue
            kind = _kind(row.data)
            pid = str(row.data.get("problem_id") or row.data.get("id") or "")
            if kind == "problem":
                rows.problems.append(row)
            elif not pid:
                report.skip(f"{path.name} line {row.line}", f"{kind} row without 'problem_id'")
            elif known is not None and pid not in known:
                continue
            elif kind == "solution":
                rows.solutions[pid].append(row)
            else:
                _add_test(rows, pid, row.data)
        if known is None:
            known = {str(r.data.get("id") or r.data.get("problem_id")) for r in rows.problems}
    return rows


def _add_test(rows: Rows, pid: str, data: dict[str, Any]) -> None:
    name = str(data.get("test_name") or len(rows.tests[pid]) + 1)
    inp = data.get("test_input", data.get("input"))
    out = data.get("test_output", data.get("output"))
    rows.tests[pid].append((name, str(inp or ""), str(out or "")))


# ---- shared --------------------------------------------------------------------------------


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def _file_test(name: str, inp: str, out: str, files: Files) -> TestCase:
    files[f"tests/{name}.in"], files[f"tests/{name}.out"] = inp, out
    return TestCase(name=name, input_file=f"tests/{name}.in", output_file=f"tests/{name}.out")


def _solutions(
    rows: list[Row], subtasks: list[str], limit: int, files: Files
) -> list[ReferenceSolution]:
    """Reference solutions from solution rows: correct ones AC everywhere; others expected to
    earn their label's verdict on the last subtask and "any" elsewhere."""
    refs: list[ReferenceSolution] = []
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        code = str(row.data.get("code") or "")
        ext = solution_language(code, row.data.get("language"))
        label = str(row.data.get("verdict") or row.data.get("label") or "").lower()
        short = label.upper() if label.upper() in SHORT_VERDICTS else "any"
        verdict = VERDICTS.get(label, short)
        kind = "correct" if verdict == "AC" else "incorrect"
        if not code or ext is None or counts[kind] >= limit:
            continue
        counts[kind] += 1
        path = f"solutions/{kind}-{counts[kind]}.{ext}"
        files[path] = code
        expect = {s: ("AC" if verdict == "AC" else "any") for s in subtasks}
        expect[subtasks[-1]] = verdict
        refs.append(ReferenceSolution(path=path, expect=expect))
    return refs


def _run(
    build: Any,
    rows: Rows,
    out: Path,
    report: ImportReport,
    groups: dict[str, list[Row]],
    show: Shown,
) -> None:
    for pid, group in groups.items():
        show(pid)
        where = f"line {group[0].line} ({pid})"
        try:
            problem, files = build(pid, group, rows)
            out.mkdir(parents=True, exist_ok=True)
            report.written.append(write_problem(out, problem, files))
        except RowSkipped as e:
            report.skip(where, str(e))
        except MALFORMED as e:
            report.skip(where, malformed(e))


# ---- open-r1/ioi ---------------------------------------------------------------------------


def _ioi_graders(row: Row, code: str, files: Files) -> dict[str, Any]:
    """Our task type, grader, manager and checker from the rows' grader files."""
    found: dict[str, str] = {}
    headers: list[str] = []
    for entry in row.data.get("grader_files") or []:
        if not isinstance(entry, list | tuple) or len(entry) != 2 or not entry[1]:
            continue
        rel = safe_relpath(str(entry[0]))
        if rel is None:
            raise RowSkipped(f"grader file '{entry[0]}' points outside the problem")
        base = Path(rel).name
        if base.endswith(".h"):
            headers.append(rel)
        elif base.rsplit(".", 1)[-1] in ("cpp", "cc", "c", "py"):
            found.setdefault(base.rsplit(".", 1)[0], rel)
        else:
            continue  # compile.sh, run.sh: CMS scripts we do not need
        files[rel] = str(entry[1])
    task_type = str(row.data.get("task_type") or "Batch")
    fields: dict[str, Any] = {}
    stub_or_grader = "grader"
    if task_type == "Communication":
        if "manager" not in found:
            raise RowSkipped("a Communication task needs a manager among its grader files")
        fields["task_type"] = "communication"
        fields["manager"] = ManagerSpec.model_validate(
            {
                "path": found["manager"],
                "num_processes": int(row.data.get("num_processes") or 1),
                "user_io": str(row.data.get("user_io") or "std_io"),
            }
        )
        stub_or_grader = "stub"
    elif task_type != "Batch":
        raise RowSkipped(f"task type '{task_type}' is not supported (Batch, Communication)")
    if stub_or_grader in found:
        src = found[stub_or_grader]
        lang = language_of(src)
        ext = {Language.PYTHON: "py", Language.C: "c"}.get(lang, "cpp")
        fields["grader"] = GraderSpec(
            sources={lang: [src]},
            headers=sorted(headers),
            filename={lang: f"{code}.{ext}"},
            interface=str(row.data.get("starting_code") or ""),
        )
        fields.setdefault("task_type", "grader")
    if "checker" in found:
        fields["checker"] = CheckerSpec(type="program", path=found["checker"], protocol="cms")
    return fields


def _ioi_tests(
    pid: str, group: list[Row], rows: Rows, files: Files
) -> tuple[list[TestCase], dict[str, tuple[str, str]]]:
    data: dict[str, tuple[str, str]] = {n: (i, o) for n, i, o in rows.tests.get(pid, [])}
    for row in group:  # tests carried inline by a subtask row
        inline = row.data.get("test_cases")
        if isinstance(inline, dict):
            data.update({str(k): (str(v[0]), str(v[1])) for k, v in inline.items()})
        elif isinstance(inline, list):
            data.update(dict(zip(row.data.get("test_names") or [], inline, strict=False)))
    names: list[str] = []
    for row in group:
        names += [str(n) for n in row.data["test_names"] if str(n) not in names]
    missing = [n for n in names if n not in data]
    if missing:
        raise RowSkipped(
            f"no test-case rows for {len(missing)} of its tests (first '{missing[0]}'); "
            "give the open-r1/ioi-test-cases rows with --tests"
        )
    return [_file_test(n, *data[n], files) for n in names], data


def build_ioi(pid: str, group: list[Row], rows: Rows) -> tuple[Problem, Files]:
    for row in group:
        for key in ("subtask", "test_names"):
            row.need(key)
    group = sorted(group, key=lambda r: str(r.data["subtask"]))
    first = group[0]
    code = slug(pid)
    files: Files = {}
    fields = _ioi_graders(first, str(pid), files)
    hidden, data = _ioi_tests(pid, group, rows, files)
    subtasks = [
        Subtask(
            id=str(r.data["subtask"]),
            points=float(r.data.get("score") or 0),
            tests=[_glob_escape(str(n)) for n in r.data["test_names"]],
        )
        for r in group
    ]
    examples = [n for r in group if not r.data.get("score") for n in r.data["test_names"]]
    public = [TestCase(name=f"example-{n}", input=data[n][0], output=data[n][1]) for n in examples]
    year = first.data.get("year")
    problem = Problem(
        id=code,
        name=str(first.data.get("name") or pid),
        source=Source(kind="ioi", contest=f"IOI {year}" if year else "IOI"),
        statement=str(first.data.get("statement") or first.data.get("problem") or ""),
        time_limit_s=seconds(first.data.get("time_limit")),
        memory_limit_mb=memory_mb(first.data.get("memory_limit")),
        scoring=Scoring.SUBTASKS,
        subtasks=subtasks,
        public_tests=public,
        hidden_tests=hidden,
        reference_solutions=_solutions(
            rows.solutions.get(pid, []), [s.id for s in subtasks], 3, files
        ),
        **fields,
    )
    return problem, files


def import_open_r1_ioi(
    src: Path, out: Path, extra: list[Path] | None = None, show: Shown = nothing_shown
) -> ImportReport:
    report = ImportReport()
    rows = gather(src, extra or [], report)
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows.problems:
        pid = row.data.get("id") or row.data.get("problem_id")
        if not pid:
            report.skip(f"line {row.line}", "missing required field 'id'")
            continue
        groups[str(pid)].append(row)
    _run(build_ioi, rows, out, report, groups, show)
    return report


# ---- open-r1/codeforces --------------------------------------------------------------------


def _cf_statement(d: dict[str, Any]) -> str:
    parts = [f"# {d.get('title') or d['id']}", str(d["description"])]
    for title, key in (
        ("Input", "input_format"),
        ("Output", "output_format"),
        ("Interaction", "interaction_format"),
        ("Note", "note"),
    ):
        if d.get(key):
            parts.append(f"## {title}\n\n{d[key]}")
    return "\n\n".join(parts) + "\n"


def _cf_pairs(value: Any, key: str) -> list[tuple[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise RowSkipped(f"'{key}' is not a list of {{input, output}} objects")
    return [(str(t.get("input") or ""), str(t.get("output") or "")) for t in value]


def _cf_interactive(d: dict[str, Any], files: Files) -> dict[str, Any]:
    if not d.get("interactor"):
        raise RowSkipped("interactive problem and the row gives no 'interactor'; not imported")
    ext = solution_language(str(d["interactor"]), d.get("interactor_language")) or "cpp"
    files[f"interactor/interactor.{ext}"] = str(d["interactor"])
    return {
        "task_type": "interactive",
        "interactor": InteractorSpec(path=f"interactor/interactor.{ext}"),
    }


def build_codeforces(pid: str, group: list[Row], rows: Rows) -> tuple[Problem, Files]:
    row = group[0]
    row.need("description")
    d = row.data
    if str(d.get("input_mode") or "stdio") != "stdio":
        raise RowSkipped(f"input mode '{d['input_mode']}': only stdin/stdout is supported")
    files: Files = {}
    fields = _cf_interactive(d, files) if d.get("interaction_format") else {}
    examples = _cf_pairs(d.get("examples"), "examples")
    hidden = [
        _file_test(f"o-{n:03d}", i, o, files)
        for n, (i, o) in enumerate(_cf_pairs(d.get("official_tests"), "official_tests"), start=1)
    ]
    generated = rows.tests.get(pid, [])
    hidden += [_file_test(f"g-{n:03d}", i, o, files) for n, (_, i, o) in enumerate(generated, 1)]
    if not hidden:  # no official nor generated tests: judge on the examples
        hidden = [_file_test(f"ex-{n:03d}", i, o, files) for n, (i, o) in enumerate(examples, 1)]
    if not hidden:
        raise RowSkipped("no tests at all (no examples, official or generated tests)")
    if d.get("generated_checker"):
        files["checker/checker.py"] = str(d["generated_checker"])
        fields["checker"] = CheckerSpec(type="program", path="checker/checker.py", protocol="cms")
    else:
        text = f"{d['description']}\n{d.get('output_format') or ''}\n{d.get('note') or ''}"
        fields["checker"] = checker_from_text(text)
    contest, index = d.get("contest_id"), d.get("index")
    url = f"https://codeforces.com/contest/{contest}/problem/{index}" if contest and index else None
    problem = Problem(
        id=slug(pid),
        name=str(d.get("title") or pid),
        source=Source(kind="codeforces", contest=d.get("contest_name"), url=url),
        statement=_cf_statement(d),
        time_limit_s=seconds(d.get("time_limit")),
        memory_limit_mb=memory_mb(d.get("memory_limit")),
        scoring=Scoring.ALL_OR_NOTHING,
        public_tests=[
            TestCase(name=f"example-{n}", input=i, output=o)
            for n, (i, o) in enumerate(examples, start=1)
        ],
        hidden_tests=hidden,
        reference_solutions=_solutions(rows.solutions.get(pid, []), ["all"], 2, files),
        **fields,
    )
    return problem, files


def import_open_r1_codeforces(
    src: Path, out: Path, extra: list[Path] | None = None, show: Shown = nothing_shown
) -> ImportReport:
    report = ImportReport()
    rows = gather(src, extra or [], report)
    groups: dict[str, list[Row]] = {}
    for row in rows.problems:
        pid = row.data.get("id")
        if not pid:
            report.skip(f"line {row.line}", "missing required field 'id'")
        elif str(pid) in groups:
            report.skip(f"line {row.line} ({pid})", "a problem with this id was already read")
        else:
            groups[str(pid)] = [row]
    _run(build_codeforces, rows, out, report, groups, show)
    return report

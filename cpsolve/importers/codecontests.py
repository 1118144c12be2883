"""Import DeepMind CodeContests rows (JSON lines, one problem a row).

Fields read: `name`, `description`, `public_tests`, `private_tests`, `generated_tests` (each
`{input: [...], output: [...]}`), `solutions` and `incorrect_solutions` (`{language: [int],
solution: [str]}` with the dataset's language ids: 1 Python 2, 2 C++, 3 Python 3, 4 Java),
`time_limit` (`{seconds, nanos}`), `memory_limit_bytes`, `source` (1 CodeChef, 2 Codeforces,
3 HackerEarth, 4 Code Jam, 5 AtCoder, 6 Aizu), `cf_contest_id`, `cf_index`, `input_file`,
`output_file`.

Each row becomes `OUT/<slug of name>/`: the statement, public tests inline, every test (public,
private, generated: Codeforces' final judging includes the examples) as files under `tests/`,
all-or-nothing scoring, the token checker (float when the statement allows an absolute or
relative error), and a few C++ and Python 3 solutions: correct ones expected AC, incorrect ones
"any". Rows that read or write files, or have no tests, are skipped with a note.
"""

from __future__ import annotations

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
    slug,
    write_problem,
)
from cpsolve.problem import Problem, ReferenceSolution, Scoring, Source, TestCase

LANGUAGES = {2: "cpp", 3: "py"}  # C++ and Python 3; Python 2 (1) and Java (4) are not run
SOURCES = {2: "codeforces", 5: "atcoder"}
SOURCE_NAMES = {1: "CodeChef", 2: "Codeforces", 3: "HackerEarth", 4: "Code Jam", 5: "AtCoder"}
SOURCE_NAMES[6] = "Aizu"


def _pairs(row: Row, key: str) -> list[tuple[str, str]]:
    block = row.data.get(key) or {}
    if not isinstance(block, dict):
        raise RowSkipped(f"'{key}' is not an object with 'input' and 'output' lists")
    inputs, outputs = block.get("input") or [], block.get("output") or []
    if len(inputs) != len(outputs):
        raise RowSkipped(f"'{key}' has {len(inputs)} inputs but {len(outputs)} outputs")
    return [(str(i), str(o)) for i, o in zip(inputs, outputs, strict=True)]


def _time_limit(value: Any) -> float:
    if isinstance(value, dict):
        total = float(value.get("seconds") or 0) + float(value.get("nanos") or 0) / 1e9
    else:
        total = float(value or 0)
    return min(60.0, total) if total > 0 else 1.0


def _pick_solutions(
    row: Row, key: str, verdict: str, limit: int, files: dict[str, str | bytes]
) -> list[ReferenceSolution]:
    block = row.data.get(key) or {}
    langs, codes = block.get("language") or [], block.get("solution") or []
    by_lang: dict[str, list[str]] = {"cpp": [], "py": []}
    for lang, code in zip(langs, codes, strict=False):
        ext = LANGUAGES.get(int(lang)) if str(lang).lstrip("-").isdigit() else None
        if ext is not None and code:
            by_lang[ext].append(str(code))
    chosen: list[tuple[str, str]] = []
    for i in range(limit):  # alternate languages so both are represented
        for ext in ("cpp", "py"):
            if i < len(by_lang[ext]) and len(chosen) < limit:
                chosen.append((ext, by_lang[ext][i]))
    kind = "correct" if verdict == "AC" else "incorrect"
    refs = []
    for n, (ext, code) in enumerate(chosen, start=1):
        path = f"solutions/{kind}-{n}.{ext}"
        files[path] = code
        refs.append(ReferenceSolution(path=path, expect={"all": verdict}))
    return refs


def build(row: Row, max_solutions: int) -> tuple[Problem, dict[str, str | bytes]]:
    """Our problem and its files for one CodeContests row."""
    name = str(row.need("name"))
    description = str(row.need("description"))
    if row.data.get("input_file") or row.data.get("output_file"):
        raise RowSkipped("the problem reads or writes files; only stdin/stdout is supported")
    public = _pairs(row, "public_tests")
    every = [("ex", public), ("p", _pairs(row, "private_tests"))]
    every.append(("g", _pairs(row, "generated_tests")))
    files: dict[str, str | bytes] = {}
    hidden: list[TestCase] = []
    for prefix, pairs in every:
        for n, (inp, out) in enumerate(pairs, start=1):
            test = f"{prefix}-{n:03d}"
            files[f"tests/{test}.in"], files[f"tests/{test}.out"] = inp, out
            hidden.append(
                TestCase(name=test, input_file=f"tests/{test}.in", output_file=f"tests/{test}.out")
            )
    if not hidden:
        raise RowSkipped("no tests at all (public, private and generated are empty)")
    raw_source = row.data.get("source")
    source = raw_source if isinstance(raw_source, int) else 0
    contest, index = row.data.get("cf_contest_id"), row.data.get("cf_index")
    url = None
    if source == 2 and contest and index:
        url = f"https://codeforces.com/contest/{contest}/problem/{index}"
    refs = _pick_solutions(row, "solutions", "AC", max_solutions, files)
    refs += _pick_solutions(row, "incorrect_solutions", "any", max_solutions, files)
    problem = Problem(
        id=slug(name),
        name=name,
        source=Source.model_validate(
            {"kind": SOURCES.get(source, "other"), "contest": SOURCE_NAMES.get(source), "url": url}
        ),
        statement=description,
        time_limit_s=_time_limit(row.data.get("time_limit")),
        memory_limit_mb=memory_mb(row.data.get("memory_limit_bytes")),
        checker=checker_from_text(description),
        scoring=Scoring.ALL_OR_NOTHING,
        public_tests=[
            TestCase(name=f"example-{n}", input=i, output=o)
            for n, (i, o) in enumerate(public, start=1)
        ],
        hidden_tests=hidden,
        reference_solutions=refs,
    )
    return problem, files


def import_codecontests(
    src: Path, out: Path, max_solutions: int = 2, show: Shown = nothing_shown
) -> ImportReport:
    """Write one problem directory under `out` per usable row of `src`."""
    report = ImportReport()
    seen: set[str] = set()
    for row in read_rows(src):
        where = f"line {row.line}"
        if not isinstance(row.data, dict):
            report.skip(where, "not a JSON object")
            continue
        if row.data.get("name"):
            where += f" ({row.data['name']})"
            show(str(row.data["name"]))
        try:
            problem, files = build(row, max_solutions)
            if problem.id in seen:
                raise RowSkipped(f"a problem with id '{problem.id}' was already imported")
            seen.add(problem.id)
            out.mkdir(parents=True, exist_ok=True)
            report.written.append(write_problem(out, problem, files))
        except RowSkipped as e:
            report.skip(where, str(e))
        except MALFORMED as e:
            report.skip(where, malformed(e))
    return report

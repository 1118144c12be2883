"""`cpsolve import codecontests|open-r1-ioi|open-r1-codeforces`: dataset rows (JSON lines) become
problems that load, whose reference solutions earn their expected verdicts, and whose unusable
rows are skipped with a one-line note."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cpsolve.importers._dataset import Row
from cpsolve.importers.open_r1 import Rows, build_ioi
from cpsolve.judge.scoring import judge_program
from cpsolve.judge.testdata import TestData
from cpsolve.problem import Problem, load_problem
from cpsolve.sandbox.base import Sandbox

DATA = Path(__file__).parent / "fixtures" / "datasets"
IMPORTS = {
    "codecontests": ["codecontests", str(DATA / "codecontests.jsonl")],
    "ioi": [
        "open-r1-ioi",
        str(DATA / "open_r1_ioi.jsonl"),
        "--tests",
        str(DATA / "open_r1_ioi_tests.jsonl"),
        "--solutions",
        str(DATA / "open_r1_ioi_solutions.jsonl"),
    ],
    "codeforces": [
        "open-r1-codeforces",
        str(DATA / "open_r1_codeforces.jsonl"),
        "--tests",
        str(DATA / "open_r1_codeforces_tests.jsonl"),
        "--solutions",
        str(DATA / "open_r1_codeforces_solutions.jsonl"),
    ],
}


def cpsolve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cpsolve", *args], capture_output=True, text=True, timeout=180
    )


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    """Each fixture imported once through the real CLI: format -> (out dir, stdout)."""
    done = {}
    for fmt, args in IMPORTS.items():
        out = tmp_path_factory.mktemp(fmt)
        proc = cpsolve("import", *args, "--out", str(out))
        assert proc.returncode == 0, proc.stderr
        done[fmt] = (out, proc.stdout)
    return done


def test_codecontests_rows(imported: dict[str, tuple[Path, str]]) -> None:
    out, stdout = imported["codecontests"]
    assert "skipped line 3 (9003_C. Forgotten Statement): missing required field 'description'" in (
        stdout
    )
    assert "imported 2 problems" in stdout
    lantern = load_problem(out / "9001_A-Lantern-Festival")
    assert lantern.scoring == "all-or-nothing" and lantern.checker.type == "tokens"
    assert (lantern.time_limit_s, lantern.memory_limit_mb) == (2.0, 256)
    assert lantern.source.kind == "codeforces"
    assert lantern.source.url == "https://codeforces.com/contest/9001/problem/A"
    assert [t.name for t in lantern.public_tests] == ["example-1"]
    assert [t.name for t in lantern.hidden_tests] == ["ex-001", "p-001", "g-001", "g-002"]
    assert lantern.read_output(lantern.test("p-001")) == b"3000000007\n"
    # Java (4) and Python 2 (1) solutions are left out; C++ (2) and Python 3 (3) kept.
    assert {r.path: r.expect for r in lantern.reference_solutions} == {
        "solutions/correct-1.cpp": {"all": "AC"},
        "solutions/correct-2.py": {"all": "AC"},
        "solutions/incorrect-1.cpp": {"all": "any"},
    }
    rain = load_problem(out / "9002_B-Rain-Gauges")
    assert rain.checker.type == "float" and rain.checker.abs_tol == pytest.approx(1e-6)
    assert (rain.time_limit_s, rain.memory_limit_mb, rain.source.kind) == (1.5, 256, "atcoder")


def test_open_r1_ioi_rows_group_into_one_problem(imported: dict[str, tuple[Path, str]]) -> None:
    out, stdout = imported["ioi"]
    assert "skipped line 4 (paintwall): task type 'OutputOnly' is not supported" in stdout
    assert "imported 1 problems" in stdout
    p = load_problem(out / "beacons")
    assert [(s.id, s.points) for s in p.subtasks] == [
        ("00-samples", 0),
        ("01-small", 40),
        ("02-full", 60),
    ]
    assert p.subtask_tests["01-small"] == ["0-01", "1-01", "1-02"]
    assert p.subtask_tests["02-full"][-2:] == ["2-01", "2-02"]
    assert p.task_type == "grader" and p.grader is not None
    assert p.grader.sources == {"cpp": ["graders/grader.cpp"]}
    assert p.grader.headers == ["graders/beacons.h"]
    assert p.grader.filename == {"cpp": "beacons.cpp"}
    assert "brightest" in p.grader.interface
    assert (p.checker.type, p.checker.path, p.checker.protocol) == (
        "program",
        "checker/checker.cpp",
        "cms",
    )
    assert [t.name for t in p.public_tests] == ["example-0-01"]
    assert p.source.contest == "IOI 2031"
    assert not (out / "beacons" / "compile_cpp.sh").exists()
    assert {r.path: r.expect["02-full"] for r in p.reference_solutions} == {
        "solutions/correct-1.cpp": "AC",
        "solutions/incorrect-1.cpp": "WA",
    }


def test_open_r1_codeforces_rows(imported: dict[str, tuple[Path, str]]) -> None:
    out, stdout = imported["codeforces"]
    assert "skipped line 3 (9100/C): interactive problem and the row gives no 'interactor'" in (
        stdout
    )
    a = load_problem(out / "9100-A")
    assert (a.checker.type, a.checker.path, a.checker.protocol) == (
        "program",
        "checker/checker.py",
        "cms",
    )
    assert [t.name for t in a.hidden_tests] == ["o-001", "o-002", "o-003", "g-001", "g-002"]
    assert a.scoring == "all-or-nothing" and a.name == "Nobody In Place"
    assert "## Input" in a.statement and "## Output" in a.statement
    b = load_problem(out / "9100-B")
    assert b.checker.type == "tokens"
    assert [t.name for t in b.hidden_tests] == ["o-001", "o-002", "g-001"]
    assert [(t.input, t.output) for t in b.public_tests] == [("banana\n", "3\n")]


def _judged(problem: Problem, sandbox: Sandbox, cache: Path) -> dict[str, dict[str, str]]:
    data = TestData(problem, sandbox, root=cache)
    verdicts = {}
    for ref in problem.reference_solutions:
        source = problem.path(ref.path).read_text()
        result = judge_program(problem, source, ref.language, sandbox, data=data)
        verdicts[ref.path] = {s.id: str(s.verdict) for s in result.subtasks}
        for s in result.subtasks:
            want = ref.expect[s.id]
            assert want == "any" or want == s.verdict, (problem.id, ref.path, s.id, s.verdict)
    return verdicts


def test_imported_solutions_earn_their_verdicts(
    imported: dict[str, tuple[Path, str]], sandbox: Sandbox, tmp_path: Path
) -> None:
    judged = {}
    for out, _ in imported.values():
        for path in sorted(out.glob("*/problem.json")):
            problem = load_problem(path)
            assert problem.reference_solutions, problem.id
            judged[problem.id] = _judged(problem, sandbox, tmp_path / "cache")
    # The incorrect ones really fail where they should, so the "any" above is no free pass.
    assert judged["9001_A-Lantern-Festival"]["solutions/incorrect-1.cpp"]["all"] == "WA"
    assert judged["9002_B-Rain-Gauges"]["solutions/incorrect-1.py"]["all"] == "WA"
    assert judged["beacons"]["solutions/incorrect-1.cpp"]["01-small"] == "AC"
    assert judged["9100-A"]["solutions/incorrect-1.py"]["all"] == "WA"


def test_cli_judge_on_an_imported_problem(imported: dict[str, tuple[Path, str]]) -> None:
    out = imported["ioi"][0] / "beacons"
    proc = cpsolve(
        "judge", str(out), str(out / "solutions/incorrect-1.cpp"), "--sandbox", "local", "--json"
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert (result["score"], result["max_score"]) == (40, 100)


# ---- bad input -----------------------------------------------------------------------------


def _fails_cleanly(proc: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    text = " ".join(proc.stderr.split())
    for phrase in phrases:
        assert phrase in text, text


def test_missing_file(tmp_path: Path) -> None:
    proc = cpsolve("import", "codecontests", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path))
    _fails_cleanly(proc, "nope.jsonl: no such file")


def test_not_json_lines(tmp_path: Path) -> None:
    src = tmp_path / "rows.jsonl"
    src.write_text('{"name": "ok"}\n[1, 2\n')
    for command in ("codecontests", "open-r1-ioi", "open-r1-codeforces"):
        proc = cpsolve("import", command, str(src), "--out", str(tmp_path / "out"))
        _fails_cleanly(proc, "line 2 is not valid JSON", "one JSON object per line")


def test_parquet_is_refused_with_what_to_do(tmp_path: Path) -> None:
    src = tmp_path / "train-00000.parquet"
    src.write_bytes(b"PAR1\x00\x00PAR1")
    proc = cpsolve("import", "open-r1-codeforces", str(src), "--out", str(tmp_path / "out"))
    _fails_cleanly(proc, "is a Parquet file", "convert it to JSON lines", "read_parquet")


def test_rows_missing_required_fields_are_skipped_with_a_note(tmp_path: Path) -> None:
    src = tmp_path / "rows.jsonl"
    rows = [
        {"id": "77/A", "title": "No Description", "official_tests": []},
        ["not", "an", "object"],
        {"title": "No Id", "description": "x"},
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    proc = cpsolve("import", "open-r1-codeforces", str(src), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "skipped line 1 (77/A): missing required field 'description'" in lines
    assert "skipped rows.jsonl line 2: not a JSON object" in lines
    assert "skipped line 3: missing required field 'id'" in lines
    assert "imported 0 problems" in lines[-1]


def test_ioi_rows_without_their_test_cases_are_skipped(tmp_path: Path) -> None:
    proc = cpsolve("import", "open-r1-ioi", str(DATA / "open_r1_ioi.jsonl"), "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "skipped line 1 (beacons): no test-case rows for 5 of its tests" in proc.stdout
    assert "with --tests" in proc.stdout
    assert not (tmp_path / "beacons").exists()


def test_gzipped_rows_and_an_interactor(tmp_path: Path) -> None:
    rows = [
        json.loads(line)
        for line in (DATA / "open_r1_codeforces.jsonl").read_text().split("\n")
        if line
    ]
    rows[2]["interactor"] = "#include <cstdio>\nint main() { return 0; }\n"
    rows[2]["official_tests"] = [{"input": "500\n", "output": ""}]
    src = tmp_path / "rows.jsonl.gz"
    with gzip.open(src, "wt") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    proc = cpsolve("import", "open-r1-codeforces", str(src), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert "imported 3 problems" in proc.stdout
    c = load_problem(tmp_path / "out" / "9100-C")
    assert c.task_type == "interactive" and c.interactor is not None
    assert c.interactor.path == "interactor/interactor.cpp"


def test_rows_with_fields_of_the_wrong_type_are_skipped(tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (DATA / "open_r1_ioi.jsonl").read_text().splitlines()]
    rows[0]["score"] = "lots"
    src = tmp_path / "rows.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    tests = str(DATA / "open_r1_ioi_tests.jsonl")
    proc = cpsolve("import", "open-r1-ioi", str(src), "--tests", tests, "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "skipped line 1 (beacons): malformed row: ValueError" in proc.stdout


def test_ioi_communication_rows_map_to_a_manager_and_stub() -> None:
    row = {
        "id": "relay",
        "name": "Relay",
        "subtask": "01-all",
        "score": 100,
        "task_type": "Communication",
        "num_processes": 2,
        "test_names": ["1-01"],
        "grader_files": [
            ["graders/manager.cpp", "int main() {}\n"],
            ["graders/stub.cpp", "int main() {}\n"],
            ["graders/relay.h", "void relay();\n"],
            ["../escape.cpp", ""],  # empty entries are ignored, whatever their path
        ],
    }
    rows = Rows()
    rows.tests["relay"].append(("1-01", "5\n", "5\n"))
    problem, files = build_ioi("relay", [Row(1, row)], rows)
    assert problem.task_type == "communication" and problem.manager is not None
    assert (problem.manager.path, problem.manager.num_processes) == ("graders/manager.cpp", 2)
    assert problem.grader is not None
    assert problem.grader.sources == {"cpp": ["graders/stub.cpp"]}
    assert problem.grader.filename == {"cpp": "relay.cpp"}
    assert set(files) == {
        "graders/manager.cpp",
        "graders/stub.cpp",
        "graders/relay.h",
        "tests/1-01.in",
        "tests/1-01.out",
    }

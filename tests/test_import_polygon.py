"""`cpsolve import polygon`: Polygon packages become problems whose tests are generated in the
sandbox, whose groups score as Polygon scores them and whose tagged solutions earn their tags;
and `cpsolve bench` runs over a directory of packages of mixed formats, importing each once."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cpsolve.cli.problems import check_problem
from cpsolve.errors import UserError
from cpsolve.importers.detect import bench_problems, detect
from cpsolve.importers.polygon import import_polygon
from cpsolve.problem import load_problem
from cpsolve.sandbox.base import Sandbox

FIXTURES = Path(__file__).parent / "fixtures"
CLI = [sys.executable, "-m", "cpsolve"]


def cpsolve(
    *args: str | Path, timeout: float = 900, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )


def test_groups_dependencies_generator_and_tags(tmp_path: Path) -> None:
    done = import_polygon(FIXTURES / "polygon-sumrange", tmp_path / "sumrange")
    problem = load_problem(done.target)
    assert done.notes == []
    assert (problem.id, problem.name) == ("sumrange", "Best Stretch")
    assert (problem.time_limit_s, problem.memory_limit_mb) == (1.0, 256)
    assert [(s.id, s.points) for s in problem.subtasks] == [("0", 0), ("1", 30), ("2", 70)]
    # a group counts only when the groups it depends on pass: their tests are in its subtask
    assert problem.subtask_tests["1"] == ["01", "02", "03", "04"]
    assert problem.subtask_tests["2"] == [f"{i:02d}" for i in range(1, 8)]
    assert problem.generator is not None and problem.generator.path == "files/gen.cpp"
    assert problem.test("05").gen == ["100000", "3"]
    assert problem.test("02").input_file == "tests/02"
    assert (problem.checker.type, problem.checker.path) == ("program", "files/check.cpp")
    assert problem.validator is not None and problem.validator.path == "files/val.cpp"
    refs = {r.path: r for r in problem.reference_solutions}
    assert refs["solutions/kadane.cpp"].main
    assert refs["solutions/kadane.py"].expect == {"0": "AC", "1": "AC", "2": "AC"}
    assert [t.name for t in problem.public_tests] == ["example-01"]


def test_interactive_package_and_std_checker(tmp_path: Path) -> None:
    problem = load_problem(import_polygon(FIXTURES / "polygon-guess", tmp_path / "g").target)
    assert problem.task_type == "interactive" and problem.interactor is not None
    assert problem.interactor.path == "files/interactor.cpp"
    # an interactive problem's checker reads the interactor's record: it is kept as a program
    assert problem.checker.type == "program"
    assert problem.scoring == "all-or-nothing"
    assert {r.path: r.expect for r in problem.reference_solutions} == {
        "solutions/halving.cpp": {"all": "AC"},
        "solutions/one_by_one.py": {"all": "WA"},
    }
    pkg = tmp_path / "batch"
    shutil.copytree(FIXTURES / "polygon-guess", pkg)
    xml = (pkg / "problem.xml").read_text()
    start, end = xml.index("<interactor>"), xml.index("</interactor>") + len("</interactor>")
    (pkg / "problem.xml").write_text(xml[:start] + xml[end:])
    assert import_polygon(pkg, tmp_path / "b").target.is_file()
    assert load_problem(tmp_path / "b").checker.type == "tokens"  # std::wcmp, exactly


def test_unsupported_feature_is_one_clear_sentence(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(FIXTURES / "polygon-sumrange", pkg)
    xml = (pkg / "problem.xml").read_text()
    (pkg / "problem.xml").write_text(xml.replace('input-file=""', 'input-file="input.txt"'))
    with pytest.raises(UserError, match=r"reading and writing files .* is not supported"):
        import_polygon(pkg, tmp_path / "out")
    (pkg / "problem.xml").write_text(xml.replace('cmd="gen 50 1"', 'cmd="other 50 1"'))
    (pkg / "files" / "other.cpp").write_text("int main() {}\n")
    (pkg / "problem.xml").write_text(
        (pkg / "problem.xml")
        .read_text()
        .replace(
            "</executables>",
            '<executable><source path="files/other.cpp" type="cpp.g++17"/></executable>'
            "</executables>",
        )
    )
    res = cpsolve("import", "polygon", pkg, "--out", tmp_path / "out2")
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "tests made by 2 generators (gen, other) is not supported" in res.stderr


def test_checked_packages_earn_their_tags_and_a_planted_one_fails(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    out = tmp_path / "set"
    for name in ("sumrange", "guess"):
        res = cpsolve("import", "polygon", FIXTURES / f"polygon-{name}", "--out", out / name)
        assert res.returncode == 0, res.stderr
    details = {}
    for name in ("sumrange", "guess"):
        checks = check_problem(out / name / "problem.json", sandbox)
        assert all(c.ok for c in checks), [c for c in checks if not c.ok]
        details |= {c.what: c.detail for c in checks if c.what != "validator"}
        details[f"validator {name}"] = next(c.detail for c in checks if c.what == "validator")
    assert details["validator sumrange"] == "8 tests"  # the testlib validator on generated inputs
    assert details["solution solutions/all_pairs.cpp"] == "0:AC 1:AC 2:TLE (30 points)"
    assert details["solution solutions/int_sum.cpp"].startswith("0:AC 1:WA 2:WA")
    assert details["solution solutions/one_by_one.py"] == "all:WA (0 points)"

    raw = json.loads((out / "sumrange" / "problem.json").read_text())
    for ref in raw["reference_solutions"]:
        if ref["path"].endswith("all_pairs.cpp"):
            ref["expect"]["2"] = "AC"  # planted: the package tags it time-limit-exceeded
    (out / "sumrange" / "problem.json").write_text(json.dumps(raw))
    checks = check_problem(out / "sumrange" / "problem.json", sandbox)
    bad = [c.detail for c in checks if not c.ok]
    assert bad == ["subtask 2 expected AC, got TLE"]


def test_bench_over_mixed_formats_imports_once(tmp_path: Path) -> None:
    root = tmp_path / "set"
    root.mkdir()
    for name, package in (("twosum", "kattis-twosum"), ("guess", "polygon-guess")):
        shutil.copytree(FIXTURES / package, root / name)
    shutil.copytree(FIXTURES / "cms" / "total", root / "total")
    (root / "notes").mkdir()  # not a package: left alone
    assert [detect(root / n) for n in ("twosum", "guess", "total", "notes")] == [
        "kattis",
        "polygon",
        "cms",
        None,
    ]
    tps = root / "tpstask"
    (tps / "gen").mkdir(parents=True)
    (tps / "subtasks.json").write_text("{}")
    cache = tmp_path / "cache"
    paths, skipped = bench_problems(root, cache)
    assert [load_problem(p).id for p in paths] == ["guess-thousand", "total", "twosum"]
    assert list(skipped) == ["tpstask"]  # a bare TPS skeleton imports with no importer
    if importlib.util.find_spec("cpsolve.importers.tps") is None:
        assert "is a TPS source package, and this cpsolve has no TPS importer" in skipped["tpstask"]
    stamp = {p: p.stat().st_mtime_ns for p in paths}
    again, _ = bench_problems(root, cache)
    assert again == paths and {p: p.stat().st_mtime_ns for p in again} == stamp  # reused
    (root / "twosum" / "data" / "secret" / "05.in").write_text("10\n")
    (root / "twosum" / "data" / "secret" / "05.ans").write_text("1 9\n")
    changed, _ = bench_problems(root, cache)
    assert changed[2] != paths[2] and len(load_problem(changed[2]).hidden_tests) == 6


RUN = ["--engine", "simulated", "--samples", "8", "--generated-inputs", "8"]
# a small pool: more unmodified right programs than the default share, so that one is drawn
RUN += ["--option", 'settings={"full_share": 0.5}']


@pytest.mark.slow
def test_run_and_bench_solve_imports_with_the_simulated_engine(tmp_path: Path) -> None:
    out, runs = tmp_path / "guess", tmp_path / "runs"
    import_polygon(FIXTURES / "polygon-guess", out)
    res = cpsolve("run", out, *RUN, "--sandbox", "local", "--runs-dir", runs)
    assert res.returncode == 0, res.stderr[-3000:]
    assert "score 1 / 1" in res.stdout

    root = tmp_path / "set"  # a Polygon and a Kattis package side by side, imported on the fly
    shutil.copytree(FIXTURES / "polygon-guess", root / "guess")
    shutil.copytree(FIXTURES / "kattis-twosum", root / "twosum")
    env = {**os.environ, "CPSOLVE_CACHE": str(tmp_path / "cache")}
    bench = [root, *RUN, "--sandbox", "local", "--runs-dir", runs, "--out", tmp_path / "b"]
    res = cpsolve("bench", *bench, env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    rows = json.loads((tmp_path / "b" / "bench.json").read_text())["problems"]
    assert {r["problem"]: r["solved"] for r in rows} == {
        "guess-thousand": True,
        "twosum": True,  # a Kattis problem is named by its package directory
    }
    imports = sorted(p.name for p in (tmp_path / "cache" / "imports").iterdir())
    assert [n.rsplit("-", 1)[0] for n in imports] == ["kattis-twosum", "polygon-guess"]
    res = cpsolve("bench", *bench, env=env)
    assert res.returncode == 0, res.stderr[-3000:]
    assert sorted(p.name for p in (tmp_path / "cache" / "imports").iterdir()) == imports


def test_group_without_points_is_worth_its_tests(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(FIXTURES / "polygon-sumrange", pkg)
    xml = (pkg / "problem.xml").read_text().replace('name="1" points="30"', 'name="1"')
    xml = xml.replace(
        'group="1" method="manual" points="0"', 'group="1" method="manual" points="4"'
    )
    xml = xml.replace(
        'cmd="gen 50 1" group="1" method="generated" points="0"',
        'cmd="gen 50 1" group="1" method="generated" points="5"',
    )
    (pkg / "problem.xml").write_text(xml)
    problem = load_problem(import_polygon(pkg, tmp_path / "out").target)
    assert [(s.id, s.points) for s in problem.subtasks] == [("0", 0), ("1", 9), ("2", 70)]

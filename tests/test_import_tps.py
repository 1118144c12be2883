"""`cpsolve import tps`: a TPS task directory's tests generated as TPS does, on the real sandbox;
the imported problem passes `problems check` exactly when its solutions earn the package's
verdicts, and `cpsolve run` with the simulated engine solves it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cpsolve.cli.problems import check_problem
from cpsolve.errors import UserError
from cpsolve.importers._tps_data import parse_gen_data
from cpsolve.importers.cms import import_cms
from cpsolve.importers.tps import import_tps
from cpsolve.problem import load_problem
from cpsolve.sandbox.base import Sandbox
from cpsolve.sandbox.factory import docker_is_ready, open_sandbox

FIXTURES = Path(__file__).parent / "fixtures"
SPAN, GUESS = FIXTURES / "tps-span", FIXTURES / "tps-guess"
CLI = [sys.executable, "-m", "cpsolve"]


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, timeout=900, check=False
    )


@pytest.fixture(scope="module")
def span(tmp_path_factory: pytest.TempPathFactory, sandbox: Sandbox) -> Path:
    target, skipped = import_tps(SPAN, tmp_path_factory.mktemp("span"), sandbox)
    assert skipped == ["span.java", "span.py"]  # the grader is C++ only
    return target


@pytest.fixture(scope="module")
def guess(tmp_path_factory: pytest.TempPathFactory, sandbox: Sandbox) -> Path:
    return import_tps(GUESS, tmp_path_factory.mktemp("guess"), sandbox)[0]


def test_gen_data_is_read_as_tps_reads_it() -> None:
    data = parse_gen_data((SPAN / "gen" / "data").read_text())
    assert [t.name for t in data.tests] == [
        "0-01",
        "tiny-01",
        "1-01",
        "1-02",
        "2-01",
        "2-02",
        "2-03",
    ]
    assert data.tests[0].manual == "sample-1.in"
    assert data.tests[2].command == ("gen", "5", "100", "sorted", "2")
    assert data.tests_of("sorted") == ["0-01", "tiny-01", "1-01", "1-02"]
    assert data.tests_of("full") == [t.name for t in data.tests]  # inclusion is transitive
    with pytest.raises(UserError, match="gen/data:2: @include names undefined test set 'nope'"):
        parse_gen_data("@subtask a\n@include nope\n")
    with pytest.raises(UserError, match="gen/data:1: a test before any @subtask"):
        parse_gen_data("gen 1 2\n")


def test_batch_package_maps_grader_checker_subtasks_and_verdicts(span: Path) -> None:
    problem = load_problem(span)
    assert problem.task_type == "grader" and problem.grader is not None
    assert problem.grader.sources == {"cpp": ["grader/cpp/grader.cpp"]}
    assert problem.grader.headers == ["grader/cpp/span.h"]
    assert (problem.checker.type, problem.checker.protocol) == ("program", "cms")
    assert problem.validator is not None and problem.validator.path == "validator/validator.cpp"
    assert [(s.id, s.points) for s in problem.subtasks] == [
        ("samples", 0),
        ("sorted", 40),
        ("full", 60),
    ]
    assert problem.subtask_tests["sorted"] == ["0-01", "tiny-01", "1-01", "1-02"]
    assert [t.name for t in problem.public_tests] == ["example-0-01"]
    # the model solution's answers: the largest minus the smallest of the generated numbers
    for name in ("1-02", "2-02", "2-03"):
        numbers = [int(x) for x in (span.parent / f"tests/{name}.in").read_text().split()[1:]]
        assert (span.parent / f"tests/{name}.out").read_text() == f"{max(numbers) - min(numbers)}\n"
    expect = {r.path: (r.expect, r.main) for r in problem.reference_solutions}
    assert expect["solution/span.cpp"] == ({"samples": "AC", "sorted": "AC", "full": "AC"}, True)
    assert expect["solution/ends.cpp"] == ({"samples": "AC", "sorted": "AC", "full": "WA"}, False)


@pytest.mark.parametrize("which", ["span", "guess"])
def test_imported_problem_passes_problems_check(
    which: str, span: Path, guess: Path, sandbox: Sandbox
) -> None:
    checks = check_problem({"span": span, "guess": guess}[which], sandbox)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert sum(c.what.startswith("solution ") for c in checks) == 3


def test_a_planted_wrong_expectation_fails_the_check(
    span: Path, tmp_path: Path, sandbox: Sandbox
) -> None:
    planted = tmp_path / "span"
    shutil.copytree(span.parent, planted)
    data = json.loads((planted / "problem.json").read_text())
    ends = next(r for r in data["reference_solutions"] if r["path"].endswith("ends.cpp"))
    ends["expect"]["full"] = "AC"
    (planted / "problem.json").write_text(json.dumps(data))
    bad = [c for c in check_problem(planted, sandbox) if not c.ok]
    assert [(c.what, c.detail) for c in bad] == [
        ("solution solution/ends.cpp", "subtask full expected AC, got WA")
    ]


def test_communication_manager_output_judged_by_the_checker(guess: Path) -> None:
    problem = load_problem(guess)
    assert problem.task_type == "communication" and problem.manager is not None
    assert (problem.manager.path, problem.manager.user_io) == ("grader/manager.cpp", "fifo_io")
    assert (problem.checker.type, problem.checker.path) == ("program", "checker/checker.cpp")
    # the answers are the manager's output with the model solution (halving: at most 10 asks)
    assert (guess.parent / "tests/1-02.out").read_text() == "found 9\n"
    upward = next(r for r in problem.reference_solutions if r.path.endswith("upward.cpp"))
    assert upward.expect == {"samples": "AC", "all": "PA"}


@pytest.fixture(scope="module")
def docker() -> Iterator[Sandbox]:
    if not docker_is_ready():
        pytest.skip("no Docker daemon with a current sandbox image")
    with open_sandbox("docker") as sb:
        yield sb


def test_communication_with_a_checker_on_docker(guess: Path, docker: Sandbox) -> None:
    checks = check_problem(guess, docker)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]


def test_an_input_the_validator_rejects_stops_the_import(tmp_path: Path, sandbox: Sandbox) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(SPAN, pkg)
    data = (pkg / "gen" / "data").read_text() + "gen 2000 5 random 9\n"
    (pkg / "gen" / "data").write_text(data)
    with pytest.raises(UserError, match=r"test 2-04 \(subtask full\): validator 'validator.cpp'"):
        import_tps(pkg, tmp_path / "out", sandbox)


def test_subtask_sensitive_validators_get_the_subtask(tmp_path: Path, sandbox: Sandbox) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(GUESS, pkg)
    (pkg / "gen" / "manual" / "sample-1.in").write_text("20 1\n")
    with pytest.raises(UserError, match=r"test 0-01 \(subtask samples\): validator 'bounds.cpp sa"):
        import_tps(pkg, tmp_path / "out", sandbox)


def test_unsupported_features_are_one_sentence(tmp_path: Path, sandbox: Sandbox) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(SPAN, pkg)
    meta = json.loads((pkg / "problem.json").read_text())
    (pkg / "problem.json").write_text(json.dumps(meta | {"type": "OutputOnly"}))
    with pytest.raises(UserError, match="TPS task type 'OutputOnly' is not supported"):
        import_tps(pkg, tmp_path / "out", sandbox)
    spec = json.loads((SPAN / "subtasks.json").read_text())
    spec["subtasks"]["full"]["validators"] = ["grep hello"]
    (pkg / "problem.json").write_text(json.dumps(meta))
    (pkg / "subtasks.json").write_text(json.dumps(spec))
    with pytest.raises(UserError, match=r"validator.*no program 'grep'"):
        import_tps(pkg, tmp_path / "out", sandbox)


def test_cms_import_of_a_tps_directory_points_to_import_tps(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"is a TPS task directory.*`cpsolve import tps`"):
        import_cms(SPAN, tmp_path / "out")
    res = cli("import", "cms", SPAN, "--out", tmp_path / "out")
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "cpsolve import tps" in res.stderr


def test_cli_import_then_run_with_the_simulated_engine(tmp_path: Path) -> None:
    out = tmp_path / "span"
    res = cli("import", "tps", SPAN, "--out", out, "--sandbox", "local")
    assert res.returncode == 0, res.stderr[-2000:]
    assert "left out solution/span.java" in res.stdout
    assert "grader task, 3 subtasks, 7 tests, 3 solutions" in res.stdout
    run = cli(
        "run", out, "--engine", "simulated", "--samples", "8", "--generated-inputs", "8",
        "--sandbox", "local", "--workers", "2", "--runs-dir", tmp_path / "runs",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    assert "score 100 / 100" in run.stdout

"""`cpsolve import kattis`: Kattis/ICPC problem packages become problems whose submissions earn
the verdicts of their folders, judged by the package's own validators."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cpsolve.cli.problems import check_problem, check_validator
from cpsolve.errors import UserError
from cpsolve.importers.kattis import default_checker, import_kattis
from cpsolve.judge.checkers import outputs_equal
from cpsolve.judge.testdata import TestData
from cpsolve.problem import load_problem
from cpsolve.sandbox.base import Sandbox

PACKAGES = Path(__file__).parent / "fixtures"
CLI = [sys.executable, "-m", "cpsolve"]


def cpsolve(*args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_scoring_package_maps_groups_and_float_tolerance(tmp_path: Path) -> None:
    done = import_kattis(PACKAGES / "kattis-circlearea", tmp_path / "circle")
    problem = load_problem(done.target)
    assert done.notes == []
    assert problem.scoring == "subtasks"
    assert [(s.id, s.points) for s in problem.subtasks] == [
        ("sample", 0),
        ("group1", 30),  # accept_score 30 with grader_flags min: once for the group
        ("group2", 70),  # accept_score 35, summed over its two tests
    ]
    assert problem.subtask_tests["group2"] == ["secret/group2/01", "secret/group2/02"]
    assert (problem.checker.type, problem.checker.abs_tol, problem.checker.rel_tol) == (
        "float",
        0.0,
        1e-6,
    )
    assert problem.checker.case_sensitive is False  # the default validator ignores case
    assert [t.name for t in problem.public_tests] == ["example-sample/1"]
    assert problem.validator is not None and problem.validator.path.endswith("cpsolve_exit42.py")
    expect = {r.path: r.expect for r in problem.reference_solutions}
    assert expect["submissions/accepted/area.cpp"]["group2"] == "AC"


def test_default_validator_flags_map_exactly() -> None:
    pkg = Path("pkg")
    assert default_checker(pkg, "").type == "tokens"
    tokens = default_checker(pkg, "")
    assert outputs_equal(b"Yes  3\n", b"yes 3", tokens)  # caseless, any whitespace
    strict = default_checker(pkg, "case_sensitive")
    assert not outputs_equal(b"Yes 3", b"yes 3", strict)
    assert default_checker(pkg, "case_sensitive space_change_sensitive").type == "exact"
    both = default_checker(pkg, "float_tolerance 1e-4")
    assert (both.abs_tol, both.rel_tol) == (1e-4, 1e-4)
    assert outputs_equal(b"0.0314", b"3.14000000e-2", both)
    absolute = default_checker(pkg, "float_absolute_tolerance 0.5")
    assert (absolute.abs_tol, absolute.rel_tol) == (0.5, 0.0)
    assert not outputs_equal(b"100.6", b"100", absolute)


def test_unsupported_feature_is_one_clear_sentence(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(PACKAGES / "kattis-twosum", pkg)
    (pkg / "problem.yaml").write_text("validation: custom\nvalidator_flags: strict\n")
    with pytest.raises(UserError, match="validator_flags passed to a custom output validator"):
        import_kattis(pkg, tmp_path / "out")
    (pkg / "problem.yaml").write_text("validator_flags: space_change_sensitive float_tolerance 1\n")
    with pytest.raises(UserError, match="is not supported by cpsolve's Kattis import"):
        import_kattis(pkg, tmp_path / "out2")
    (pkg / "include" / "cpp").mkdir(parents=True)
    with pytest.raises(UserError, match="code in include/ compiled with every submission"):
        import_kattis(pkg, tmp_path / "out4")
    shutil.rmtree(pkg / "include")
    res = cpsolve("import", "kattis", pkg, "--out", tmp_path / "out3")
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "space_change_sensitive together with a float tolerance is not supported" in res.stderr


def test_time_limit_comes_from_timelimit_or_the_option(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(PACKAGES / "kattis-twosum", pkg)
    assert load_problem(import_kattis(pkg, tmp_path / "a").target).time_limit_s == 1.0
    (pkg / ".timelimit").unlink()
    with pytest.raises(UserError, match="pass --time-limit SECONDS"):
        import_kattis(pkg, tmp_path / "b")
    assert load_problem(import_kattis(pkg, tmp_path / "c", 2.5).target).time_limit_s == 2.5


def test_checked_packages_earn_their_verdicts_and_a_planted_one_fails(
    tmp_path: Path, sandbox: Sandbox
) -> None:
    """Every fixture imported through the real CLI, then checked in the sandbox."""
    out = tmp_path / "set"
    for name in ("circlearea", "twosum", "guess"):
        res = cpsolve("import", "kattis", PACKAGES / f"kattis-{name}", "--out", out / name)
        assert res.returncode == 0, res.stderr
        assert "wrote" in res.stdout
    twosum = load_problem(out / "twosum")
    assert (twosum.checker.type, twosum.checker.protocol) == ("program", "kattis")
    assert {r.path: r.expect["all"] for r in twosum.reference_solutions} == {
        "submissions/accepted/halves.py": "AC",
        "submissions/accepted/one_and_rest.cpp": "AC",
        "submissions/run_time_error/crash.py": "RE",
        "submissions/time_limit_exceeded/count_up.py": "TLE",
        "submissions/wrong_answer/zero.py": "WA",
    }
    guess = load_problem(out / "guess")
    assert guess.task_type == "interactive" and guess.interactor is not None
    assert guess.interactor.protocol == "kattis"
    details = {}
    for name in ("circlearea", "twosum", "guess"):
        checks = check_problem(out / name / "problem.json", sandbox)
        assert all(c.ok for c in checks), [c for c in checks if not c.ok]
        details |= {c.what: c.detail for c in checks if c.what != "validator"}
        details[f"validator {name}"] = next(c.detail for c in checks if c.what == "validator")
    # the exit-42 validators (Python, C++ calling exit) accepted every input, examples included
    assert (details["validator circlearea"], details["validator twosum"]) == ("7 tests", "6 tests")
    partial = details["solution submissions/wrong_answer/two_digits.py"]
    assert partial == "sample:WA group1:WA group2:AC (70 points)"

    raw = json.loads((out / "twosum" / "problem.json").read_text())
    for ref in raw["reference_solutions"]:
        if ref["path"].endswith("zero.py"):
            ref["expect"]["all"] = "TLE"  # planted: the package says WA
    (out / "twosum" / "problem.json").write_text(json.dumps(raw))
    res = cpsolve("problems", "check", out / "twosum", "--sandbox", "local")
    assert res.returncode != 0
    assert "zero.py: subtask all expected TLE, got WA" in res.stderr


RUN = ["--engine", "simulated", "--samples", "8", "--generated-inputs", "8"]
# a small pool: more unmodified right programs than the default share, so that one is drawn
RUN += ["--option", 'settings={"full_share": 0.5}']


@pytest.mark.slow
def test_run_with_the_simulated_engine_solves_an_import(tmp_path: Path) -> None:
    out = tmp_path / "twosum"
    import_kattis(PACKAGES / "kattis-twosum", out)
    res = cpsolve("run", out, *RUN, "--sandbox", "local", "--runs-dir", tmp_path / "runs")
    assert res.returncode == 0, res.stderr[-3000:]
    assert "score 1 / 1" in res.stdout


def test_exit42_validator_rejects_a_bad_input(tmp_path: Path, sandbox: Sandbox) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(PACKAGES / "kattis-twosum", pkg)
    (pkg / "data" / "secret" / "09.in").write_text("1\n")  # n must be at least 2
    (pkg / "data" / "secret" / "09.ans").write_text("1 0\n")
    problem = load_problem(import_kattis(pkg, tmp_path / "out").target)
    check = check_validator(problem, sandbox, TestData(problem, sandbox, tmp_path / "cache"))
    assert not check.ok and "rejects 1 test(s), first 'secret/09'" in check.detail

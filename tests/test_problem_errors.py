"""Bad input through the real CLI: one clear sentence on stderr, a non-zero exit, no traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "judge"


def cpsolve(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cpsolve", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_one_sentence(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    err = " ".join(proc.stderr.split())  # rich may wrap long lines
    for needle in needles:
        assert needle in err, proc.stderr


@pytest.fixture
def mean(tmp_path: Path) -> Path:
    dst = tmp_path / "mean"
    shutil.copytree(FIXTURES / "mean", dst)
    return dst


def edit(problem_dir: Path, **changes: object) -> None:
    path = problem_dir / "problem.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_missing_problem_file(tmp_path: Path) -> None:
    proc = cpsolve("judge", tmp_path / "nowhere", FIXTURES / "mean/solutions/mean.py")
    assert_one_sentence(proc, "no such problem file")


def test_malformed_json(mean: Path) -> None:
    (mean / "problem.json").write_text('{"id": "mean", "name": ')
    proc = cpsolve("judge", mean, mean / "solutions/mean.py")
    assert_one_sentence(proc, "problem.json", "malformed JSON at line 1")


def test_unknown_field(mean: Path) -> None:
    edit(mean, time_limit=2)
    proc = cpsolve("judge", mean, mean / "solutions/mean.py")
    assert_one_sentence(proc, "time_limit: unknown field")


def test_glob_matching_no_test(mean: Path) -> None:
    edit(mean, subtasks=[{"id": "1", "points": 100, "tests": ["9-*"]}], reference_solutions=[])
    proc = cpsolve("judge", mean, mean / "solutions/mean.py")
    assert_one_sentence(proc, "subtasks[0].tests: '9-*' matches no hidden test")


def test_missing_test_file(mean: Path) -> None:
    edit(mean, hidden_tests=[{"name": "01", "input_file": "tests/01.in", "output": "1\n"}])
    proc = cpsolve("judge", mean, mean / "solutions/mean.py")
    assert_one_sentence(proc, "hidden_tests[0].input_file: file 'tests/01.in' does not exist")


def test_solution_in_unknown_language(mean: Path) -> None:
    sol = mean / "solutions/mean.rb"
    sol.write_text("puts 1\n")
    proc = cpsolve("judge", mean, sol)
    assert_one_sentence(proc, "mean.rb: unknown language '.rb'")


def test_missing_solution_file(mean: Path) -> None:
    proc = cpsolve("judge", mean, mean / "solutions/absent.py")
    assert_one_sentence(proc, "absent.py: no such solution file")


def test_solution_that_does_not_compile(mean: Path) -> None:
    sol = mean / "solutions/broken.cpp"
    sol.write_text("int main() { return }\n")
    proc = cpsolve("judge", mean, sol, "--sandbox", "local")
    assert_one_sentence(proc, "broken.cpp does not compile")


def test_reference_solution_in_unknown_language_fails_the_check(mean: Path) -> None:
    (mean / "solutions/mean.rb").write_text("puts 1\n")
    edit(mean, reference_solutions=[{"path": "solutions/mean.rb", "expect": {"all": "AC"}}])
    proc = cpsolve("problems", "check", mean, "--sandbox", "local")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "reference_solutions[0].path" in proc.stderr and "unknown language" in proc.stderr


def test_check_reports_a_solution_that_misses_its_verdict(mean: Path) -> None:
    edit(mean, reference_solutions=[{"path": "solutions/two_digits.py", "expect": {"all": "AC"}}])
    proc = cpsolve("problems", "check", mean, "--sandbox", "local")
    assert proc.returncode == 1
    assert "solution solutions/two_digits.py: subtask all expected AC, got WA" in proc.stderr


def test_check_passes_a_good_problem(mean: Path) -> None:
    proc = cpsolve("problems", "check", mean, "--sandbox", "local")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 of 1 problems pass" in proc.stdout


def test_check_reports_a_public_test_the_main_solution_fails(mean: Path) -> None:
    edit(mean, public_tests=[{"name": "ex1", "input": "2\n1 2\n", "output": "2.5\n"}])
    proc = cpsolve("problems", "check", mean, "--sandbox", "local")
    assert proc.returncode == 1
    assert "public tests: solutions/mean.py gets WA on 'ex1'" in proc.stderr


def _with_single_value_subtask(mean: Path, public: dict[str, object]) -> None:
    """Subtask "one" (N = 1) with a solution right only there, and one public example with
    N = 2, which belongs to subtask "all" only."""
    (mean / "solutions/first.py").write_text("input()\nprint(input().split()[0])\n")
    edit(
        mean,
        scoring="subtasks",
        subtasks=[
            {"id": "one", "points": 30, "tests": ["03"]},
            {"id": "all", "points": 70, "tests": ["*"]},
        ],
        public_tests=[{"name": "ex1", "input": "2\n1 3\n", "output": "2\n", **public}],
        reference_solutions=[
            {"path": "solutions/mean.py", "expect": {"one": "AC", "all": "AC"}},
            {"path": "solutions/first.py", "expect": {"one": "AC", "all": "WA"}},
        ],
    )


def test_check_reports_an_example_missing_its_subtask_tags(mean: Path) -> None:
    _with_single_value_subtask(mean, {})  # untagged: the example binds subtask "one" too
    proc = cpsolve("problems", "check", mean, "--sandbox", "local")
    assert proc.returncode == 1
    err = " ".join(proc.stderr.split())
    assert (
        "solutions/first.py: public test 'ex1' gets WA though it is expected AC on subtask one"
        in err
    )


def test_check_accepts_an_example_tagged_with_its_subtasks(mean: Path) -> None:
    _with_single_value_subtask(mean, {"subtasks": ["all"]})
    proc = cpsolve("problems", "check", mean, "--sandbox", "local")
    assert proc.returncode == 0, proc.stdout + proc.stderr

"""The CMS importer on a package as TPS exports it: the checker used whenever checker/ holds one,
the grader compiled in by default, solutions.json exact (subtask names matched exactly),
folder verdicts on the solution as a whole, score_precision applied; checked on the real
sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cpsolve.cli.problems import check_problem
from cpsolve.errors import UserError
from cpsolve.importers.cms import build_problem, import_cms
from cpsolve.judge.scoring import judge_program
from cpsolve.problem import load_problem
from cpsolve.sandbox.base import Sandbox

PACKAGE = Path(__file__).parent / "fixtures" / "tps-cms-export"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return import_cms(PACKAGE, tmp_path_factory.mktemp("extremes") / "extremes")


def test_checker_grader_and_precision_without_task_parameters(imported: Path) -> None:
    problem = load_problem(imported)
    assert (problem.checker.type, problem.checker.path, problem.checker.protocol) == (
        "program",
        "checker/checker.cpp",
        "cms",
    )
    assert problem.task_type == "grader" and problem.grader is not None
    assert problem.grader.sources == {"cpp": ["graders/grader.cpp"]}
    assert problem.score_precision == 2


def test_solution_expectations_are_the_packages(imported: Path) -> None:
    refs = {r.path: r for r in load_problem(imported).reference_solutions}
    model = refs["solutions/correct/extremes.cpp"]
    assert set(model.expect.values()) == {"AC"}
    # "quadratic" names 01-quadratic only, not 02-subquadratic
    assert refs["solutions/correct/first_hundred.cpp"].expect == {
        "00-samples": "AC",
        "01-quadratic": "AC",
        "02-subquadratic": "WA",
        "03-full": "WA",
    }
    partial = refs["solutions/partially_correct/min_only.cpp"]
    assert set(partial.expect.values()) == {"any"} and partial.verdict == "PA"


def test_problems_check_passes_and_scores_are_rounded(imported: Path, sandbox: Sandbox) -> None:
    checks = check_problem(imported, sandbox)
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    problem = load_problem(imported)
    source = problem.path("solutions/partially_correct/min_only.cpp").read_text()
    result = judge_program(problem, source, "cpp", sandbox)
    # a third of 25, 35 and 40 points, each rounded to 2 decimals as CMS does
    assert [s.earned for s in result.subtasks] == [0, 8.33, 11.67, 13.33]
    assert result.score == pytest.approx(33.33)


def test_a_planted_wrong_expectation_fails_the_check(
    imported: Path, tmp_path: Path, sandbox: Sandbox
) -> None:
    planted = tmp_path / "extremes"
    shutil.copytree(imported.parent, planted)
    data = json.loads((planted / "problem.json").read_text())
    for ref in data["reference_solutions"]:
        if ref["path"].endswith("min_only.cpp"):
            ref["verdict"] = "WA"
    (planted / "problem.json").write_text(json.dumps(data))
    bad = [c for c in check_problem(planted, sandbox) if not c.ok]
    assert [c.what for c in bad] == ["solution solutions/partially_correct/min_only.cpp"]
    assert bad[0].detail.startswith("expected WA on some subtask, got PA PA PA PA")


def test_except_naming_no_subtask_and_bad_precision_are_one_sentence(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(PACKAGE, pkg)
    sols = json.loads((pkg / "solutions.json").read_text())
    sols["first_hundred.cpp"]["except"] = {"quadrati": "correct"}
    (pkg / "solutions.json").write_text(json.dumps(sols))
    with pytest.raises(UserError, match="'except' names subtask 'quadrati', which does not exist"):
        build_problem(pkg)
    shutil.copy(PACKAGE / "solutions.json", pkg / "solutions.json")
    meta = json.loads((pkg / "problem.json").read_text())
    (pkg / "problem.json").write_text(json.dumps(meta | {"score_precision": "two"}))
    with pytest.raises(UserError, match="score_precision must be an integer from 0 to 10"):
        build_problem(pkg)


def test_explicit_alone_compilation_still_imports_without_the_grader(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(PACKAGE, pkg)
    meta = json.loads((pkg / "problem.json").read_text())
    (pkg / "problem.json").write_text(json.dumps(meta | {"task_type_params": ["alone"]}))
    problem = build_problem(pkg)
    assert problem.task_type == "batch" and problem.grader is None

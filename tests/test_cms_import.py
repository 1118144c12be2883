"""`cpsolve import cms`: CMS/TPS task packages become problems whose solutions earn the verdicts
of their folders."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cpsolve.errors import UserError
from cpsolve.importers.cms import build_problem, import_cms
from cpsolve.judge.scoring import judge_program
from cpsolve.judge.testdata import TestData
from cpsolve.problem import load_problem
from cpsolve.sandbox.base import Sandbox

PACKAGES = Path(__file__).parent / "fixtures" / "cms"


def test_batch_package_with_grader_and_comparator(tmp_path: Path) -> None:
    target = import_cms(PACKAGES / "total", tmp_path / "total")
    problem = load_problem(target)
    assert problem.task_type == "grader"
    assert problem.grader is not None
    assert problem.grader.sources == {"cpp": ["graders/grader.cpp"]}
    assert problem.grader.filename == {"cpp": "total.cpp"}
    assert problem.grader.headers == ["graders/total.h"]
    assert (problem.checker.type, problem.checker.protocol) == ("program", "cms")
    assert problem.memory_limit_mb == 256 and problem.time_limit_s == 1.0
    assert [(s.id, s.points) for s in problem.subtasks] == [
        ("00-samples", 0),
        ("01-small", 40),
        ("02-full", 60),
    ]
    assert problem.subtask_tests["01-small"] == ["0-01", "1-01", "1-02"]
    assert [t.name for t in problem.public_tests] == ["example-0-01"]
    expect = {r.path: r.expect for r in problem.reference_solutions}
    assert expect["solutions/model_solution/total.cpp"] == {
        "00-samples": "AC",
        "01-small": "AC",
        "02-full": "AC",
    }
    slow = next(r for r in problem.reference_solutions if r.path.endswith("slow.cpp"))
    assert set(slow.expect.values()) == {"any"} and slow.verdict == "TLE"
    assert (tmp_path / "total/graders/total.h").is_file()


def test_communication_package(tmp_path: Path) -> None:
    problem = load_problem(import_cms(PACKAGES / "relay", tmp_path / "relay"))
    assert problem.task_type == "communication"
    assert problem.manager is not None
    assert problem.manager.path == "graders/manager.cpp"
    assert (problem.manager.num_processes, problem.manager.user_io) == (1, "fifo_io")
    assert problem.grader is not None and problem.grader.sources == {"cpp": ["graders/stub.cpp"]}


@pytest.mark.parametrize("package", ["total", "relay"])
def test_imported_solutions_earn_the_verdicts_of_their_folders(
    package: str, tmp_path: Path, sandbox: Sandbox
) -> None:
    problem = load_problem(import_cms(PACKAGES / package, tmp_path / package))
    data = TestData(problem, sandbox, root=tmp_path / "cache")
    assert problem.reference_solutions
    for ref in problem.reference_solutions:
        source = problem.path(ref.path).read_text()
        result = judge_program(problem, source, ref.language, sandbox, data=data)
        for s in result.subtasks:
            want = ref.expect[s.id]
            assert want == "any" or want == s.verdict, (ref.path, s.id, s.verdict)
        if ref.verdict:
            assert ref.verdict in {s.verdict for s in result.subtasks}, ref.path
    assert any(r.verdict for r in problem.reference_solutions)


def test_tps_solutions_json_is_exact(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(PACKAGES / "total", pkg)
    (pkg / "solutions.json").write_text(
        json.dumps(
            {
                "int_sum.cpp": {
                    "verdict": "incorrect",
                    "except": {"samples": "correct", "small": "correct"},
                }
            }
        )
    )
    ref = {r.path: r.expect for r in build_problem(pkg).reference_solutions}
    assert ref["solutions/wrong_answer/int_sum.cpp"] == {
        "00-samples": "AC",
        "01-small": "AC",
        "02-full": "WA",
    }


def test_memory_limit_in_mib_and_dict_params(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(PACKAGES / "total", pkg)
    meta = json.loads((pkg / "problem.json").read_text())
    meta["memory_limit"] = 512
    meta["task_type_params"] = json.dumps({"task_type_parameters_Batch_compilation": "alone"})
    (pkg / "problem.json").write_text(json.dumps(meta))
    problem = build_problem(pkg)
    assert problem.memory_limit_mb == 512
    assert problem.task_type == "batch" and problem.grader is None
    # checker/checker.cpp is used whenever it exists, as CMS's TPS loader does
    assert (problem.checker.type, problem.checker.path) == ("program", "checker/checker.cpp")


def test_unsupported_package_is_one_clear_error(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(PACKAGES / "total", pkg)
    meta = json.loads((pkg / "problem.json").read_text())
    meta["task_type"] = "OutputOnly"
    (pkg / "problem.json").write_text(json.dumps(meta))
    with pytest.raises(UserError, match="task type 'OutputOnly' is not supported"):
        build_problem(pkg)
    with pytest.raises(UserError, match="missing; is this a CMS task package"):
        build_problem(tmp_path / "empty")


def test_cli_import_cms(tmp_path: Path) -> None:
    out = tmp_path / "imported"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cpsolve",
            "import",
            "cms",
            str(PACKAGES / "total"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "3 subtasks, 5 tests, 3 solutions" in proc.stdout
    assert load_problem(out).id == "total"
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "cpsolve",
            "import",
            "cms",
            str(tmp_path / "nope"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert "no such package directory" in bad.stderr

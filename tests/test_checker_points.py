"""testlib's points conventions: `points X` in [0, 1], absolute points and `quitpi` mapped through
the checker's declared `max_points` (fractions `a/b` as they are), the rest SE; a checker that
gives absolute points without a declared maximum is refused when the problem loads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cpsolve.errors import ProblemError
from cpsolve.judge.checkers import run_program_checker
from cpsolve.languages import Language
from cpsolve.problem import load_problem
from cpsolve.sandbox.base import Artifact, Sandbox, Verdict

# A checker in testlib's convention that says, as its verdict, what the contestant printed:
# exit code 7 (points) and the output's text on stderr.
ECHO_POINTS = """import sys
text = open(sys.argv[2]).read().strip()
sys.stderr.write(text + "\\n")
sys.exit(7)
"""


@pytest.fixture(scope="module")
def checker(sandbox: Sandbox) -> Artifact:
    art = sandbox.compile(ECHO_POINTS, Language.PYTHON)
    assert art.ok, art.message
    return art


@pytest.mark.parametrize(
    ("said", "max_points", "verdict", "score"),
    [
        ("points 0.25 quarter", None, Verdict.PA, 0.25),
        ("points 1", None, Verdict.AC, 1.0),
        ("points 30 thirty of fifty", 50, Verdict.PA, 0.6),
        ("points 50", 50, Verdict.AC, 1.0),
        ("points points_info=30 ok", 50, Verdict.PA, 0.6),
        ("points points_info=3/4", None, Verdict.PA, 0.75),
        ("points 0", 50, Verdict.WA, 0.0),
    ],
)
def test_points_that_map_exactly(
    said: str,
    max_points: float | None,
    verdict: Verdict,
    score: float,
    sandbox: Sandbox,
    checker: Artifact,
) -> None:
    got = run_program_checker(sandbox, checker, "testlib", b"", said.encode(), b"", max_points)
    assert (got.verdict, got.score) == (verdict, pytest.approx(score))


@pytest.mark.parametrize(
    ("said", "max_points", "why"),
    [
        ("points 30", None, "unless the checker declares max_points"),
        ("points 60", 50, "outside [0, 1]"),
        ("points points_info=30", None, "no max_points is declared"),
        ("points points_info=lots", 50, "not a number"),
        ("thirty", None, "printed no 'points X'"),
    ],
)
def test_points_that_do_not_map_are_system_errors(
    said: str, max_points: float | None, why: str, sandbox: Sandbox, checker: Artifact
) -> None:
    got = run_program_checker(sandbox, checker, "testlib", b"", said.encode(), b"", max_points)
    assert got.verdict == Verdict.SE and why in got.message


def _problem(tmp_path: Path, source: str, checker: dict[str, object]) -> Path:
    (tmp_path / "check.cpp").write_text(source)
    spec = {
        "id": "p",
        "name": "p",
        "checker": {"type": "program", "path": "check.cpp", **checker},
        "hidden_tests": [{"name": "1", "input": "1\n", "output": "1\n"}],
    }
    (tmp_path / "problem.json").write_text(json.dumps(spec))
    return tmp_path / "problem.json"


def test_absolute_points_without_a_maximum_are_refused_at_load(tmp_path: Path) -> None:
    quitpi = '#include "testlib.h"\nint main() { quitpi("12", "ok"); }\n'
    with pytest.raises(ProblemError, match=r"checker\.max_points: the checker gives absolute"):
        load_problem(_problem(tmp_path, quitpi, {}))
    assert load_problem(_problem(tmp_path, quitpi, {"max_points": 20})).checker.max_points == 20
    plain = '#include "testlib.h"\nint main() { quitp(0.5, "half"); }\n'
    assert load_problem(_problem(tmp_path, plain, {})).checker.max_points is None

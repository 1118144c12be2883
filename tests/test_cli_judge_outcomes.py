"""`cpsolve judge` through the real CLI: every outcome a script can tell apart, and program-
controlled text that cannot take over the operator's terminal."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cpsolve.cli.judge import exit_code
from cpsolve.cli.safe import plain, shown
from cpsolve.judge.scoring import JudgeResult, SubtaskResult, TestResult
from cpsolve.sandbox.base import Verdict

FIXTURES = Path(__file__).parent / "fixtures" / "judge"
# A compile error whose message quotes the line: a screen clear, a cursor move, a bidi override
# and rich markup for a fake verdict.
HOSTILE_CE = "#error \x1b[2J\x1b[H\u202e[bold green]AC 100/100[/]\nint main() {}\n"


def cpsolve(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cpsolve", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def mean(tmp_path: Path) -> Path:
    dst = tmp_path / "mean"
    shutil.copytree(FIXTURES / "mean", dst)
    (dst / "solutions/hostile_ce.cpp").write_text(HOSTILE_CE)
    return dst


def test_compile_error_as_json_with_its_own_exit_code(mean: Path) -> None:
    proc = cpsolve("judge", mean, mean / "solutions/hostile_ce.cpp", "--json", "--sandbox", "local")
    assert proc.returncode == 1, proc.stderr
    result = json.loads(proc.stdout)
    assert result["verdict"] == "CE" and result["score"] == 0
    assert "#error" in result["compile_message"]
    assert {s["verdict"] for s in result["subtasks"]} == {"CE"}


def test_compile_error_message_is_printed_inert(mean: Path) -> None:
    proc = cpsolve("judge", mean, mean / "solutions/hostile_ce.cpp", "--sandbox", "local")
    assert proc.returncode == 1
    assert "\x1b" not in proc.stderr + proc.stdout and "\u202e" not in proc.stderr
    err = "".join(proc.stderr.split())
    assert "\\x1b[2J" in err  # visible, not executed
    assert "[boldgreen]AC100/100[/]" in err  # the markup is shown, not drawn


def test_a_judged_program_exits_zero_whatever_its_verdict(mean: Path) -> None:
    wrong = mean / "solutions/wrong.py"
    wrong.write_text("print(0)\n")
    proc = cpsolve("judge", mean, wrong, "--json", "--sandbox", "local")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["verdict"] == "WA"


def _result(verdicts: list[Verdict], overall: Verdict) -> JudgeResult:
    tests = [TestResult(name=f"t{i}", verdict=v, score=0.0) for i, v in enumerate(verdicts)]
    sub = SubtaskResult(id="1", points=1, earned=0, verdict=overall, tests=[t.name for t in tests])
    return JudgeResult(
        problem="p", score=0, max_score=1, verdict=overall, subtasks=[sub], tests=tests
    )


def test_exit_codes_tell_outcomes_apart() -> None:
    assert exit_code(_result([Verdict.WA], Verdict.WA)) == 0
    assert exit_code(_result([], Verdict.CE)) == 1
    assert exit_code(_result([Verdict.AC, Verdict.SE], Verdict.SE)) == 3


def test_shown_keeps_newlines_and_tabs_and_makes_the_rest_visible() -> None:
    assert plain("a\tb\nc\x07d\x1b[0m\u200fe") == "a\tb\nc\\x07d\\x1b[0m\\u200fe"
    assert shown("[red]x[/]") == "\\[red]x\\[/]"
    assert plain("naïve → ok") == "naïve → ok"

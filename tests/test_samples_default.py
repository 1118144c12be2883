"""Without --samples, replay serves the whole recorded pool (the fewest solution samples any
subtask holds), so pooled problems of different sizes bench side by side; other engines draw 100.
The resolved number is what the run id hashes and what the run records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cpsolve.config import DEFAULT_SAMPLES, RunConfig
from cpsolve.errors import UserError
from cpsolve.problem import load_problem
from cpsolve.run.pipeline import run_problem
from cpsolve.sample.engines.factory import resolve_samples
from cpsolve.sample.engines.samples import SampleRecord, write_samples
from tests.test_engines_cli import PROBLEM  # two subtasks: N <= 10 (40), N <= 10^18 (60)

RIGHT = "```python\nprint(2 * int(input()))\n```"
WRONG = "```python\nprint(int(input()) + 2)\n```"


@pytest.fixture
def problem_dir(tmp_path: Path) -> Path:
    d = tmp_path / "twice"
    d.mkdir()
    (d / "problem.json").write_text(json.dumps(PROBLEM))
    return d


def _record(path: Path, counts: dict[str, int], problem: str = "twice") -> None:
    recs = [
        SampleRecord(problem=problem, subtask=sid, text=RIGHT if i == 0 else WRONG, seed=i)
        for sid, n in counts.items()
        for i in range(n)
    ]
    recs.append(SampleRecord(problem=problem, subtask="2", role="generator", text="x", seed=0))
    write_samples(path, recs)


def test_replay_takes_the_fewest_any_subtask_holds(problem_dir: Path) -> None:
    _record(problem_dir / "samples.jsonl.gz", {"1": 7, "2": 3})
    problem = load_problem(problem_dir)
    assert resolve_samples(RunConfig(), problem).samples == 3  # the shipped pool
    other = problem_dir / "other.jsonl"
    _record(other, {"1": 5, "2": 9})
    assert resolve_samples(RunConfig(model=str(other)), problem).samples == 5
    assert resolve_samples(RunConfig(samples=2), problem).samples == 2  # the user's number wins
    assert resolve_samples(RunConfig(engine="simulated"), problem).samples == DEFAULT_SAMPLES


def test_a_recording_without_a_subtask_says_which(problem_dir: Path) -> None:
    path = problem_dir / "samples.jsonl"
    _record(path, {"1": 4})
    _record(problem_dir / "elsewhere.jsonl", {"1": 4, "2": 4}, problem="another")
    problem = load_problem(problem_dir)
    with pytest.raises(UserError, match="no solution samples for problem 'twice' subtask '2'"):
        resolve_samples(RunConfig(), problem)
    with pytest.raises(UserError, match="subtask '1'"):
        resolve_samples(RunConfig(model=str(problem_dir / "elsewhere.jsonl")), problem)


def test_a_run_replays_the_whole_pool_and_records_the_number(
    problem_dir: Path, tmp_path: Path
) -> None:
    _record(problem_dir / "samples.jsonl.gz", {"1": 4, "2": 6})
    config = RunConfig(
        language="python",
        tests="problem",
        generated_inputs=0,
        generators=0,
        validators=0,
        sandbox="local",
        workers=2,
    )
    result = run_problem(problem_dir, config, runs_dir=tmp_path / "runs")
    saved = json.loads((result.run_dir / "config.json").read_text())
    assert saved["samples"] == 4  # resolved before the run, so the run id names it
    assert result.report.counts["samples"] == 8  # 4 a subtask, both subtasks
    again = run_problem(
        problem_dir, config.model_copy(update={"samples": 4}), runs_dir=tmp_path / "runs"
    )
    assert again.run_dir == result.run_dir  # the same run: --samples 4 resumes it
    assert result.report.score == 100  # the right program is in every subtask's pool

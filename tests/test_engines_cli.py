"""`cpsolve sample`: record completions with a real engine, replay them, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cpsolve.sample.engines.samples import read_samples
from tests._fixtures_models import tiny_model  # noqa: F401

PROBLEM = {
    "id": "twice",
    "name": "Twice",
    "statement": "Read N and print 2N.\n\n1. (40 points) N <= 10\n2. (60 points) N <= 10^18\n",
    "subtasks": [
        {"id": "1", "points": 40, "constraints": "N <= 10", "tests": ["a*"]},
        {"id": "2", "points": 60, "constraints": "N <= 10^18", "tests": ["*"]},
    ],
    "public_tests": [{"name": "ex", "input": "3\n", "output": "6\n"}],
    "hidden_tests": [
        {"name": "a1", "input": "5\n", "output": "10\n"},
        {"name": "b1", "input": "99999\n", "output": "199998\n"},
    ],
}


def cpsolve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cpsolve", *args], capture_output=True, text=True, timeout=600
    )


@pytest.fixture
def problem(tmp_path: Path) -> Path:
    path = tmp_path / "twice" / "problem.json"
    path.parent.mkdir()
    path.write_text(json.dumps(PROBLEM))
    return path


@pytest.mark.slow
def test_sample_with_hf_then_replay(problem: Path, tmp_path: Path, tiny_model: Path) -> None:  # noqa: F811
    out = tmp_path / "samples.jsonl.gz"
    done = cpsolve(
        "sample", str(problem), "--engine", "hf", "--model", str(tiny_model), "--n", "3",
        "--max-tokens", "6", "--role", "solution", "--role", "generator", "--out", str(out),
        "--seed", "5",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = list(read_samples(out))
    assert len(records) == 3 * 2 * 2  # n x roles x subtasks
    keys = [(r.subtask, r.role) for r in records[::3]]
    assert keys == [("2", "solution"), ("2", "generator"), ("1", "solution"), ("1", "generator")]
    assert all(r.problem == "twice" and r.tokens and r.logprob is not None for r in records)
    assert len({r.seed for r in records[::3]}) == 4  # every request its own seed
    assert "wrote 12 samples" in done.stderr

    replayed = tmp_path / "replayed.jsonl"
    again = cpsolve(
        "sample", str(problem), "--engine", "replay", "--model", str(out), "--n", "3",
        "--role", "solution", "--role", "generator", "--out", str(replayed),
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert [r.text for r in read_samples(replayed)] == [r.text for r in records]

    more = cpsolve(
        "sample", str(problem), "--engine", "replay", "--model", str(out), "--n", "4",
        "--subtask", "1", "--out", str(tmp_path / "x.jsonl"),
    )  # fmt: skip
    assert more.returncode == 2
    assert "4 were asked for but it holds only 3" in more.stderr
    assert "Traceback" not in more.stderr


def test_sample_errors_are_one_sentence(problem: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "s.jsonl")
    bad_engine = cpsolve("sample", str(problem), "--engine", "gpt9", "--model", "m", "--out", out)
    assert bad_engine.returncode == 2 and "unknown engine 'gpt9'" in bad_engine.stderr
    bad_subtask = cpsolve(
        "sample", str(problem), "--engine", "replay", "--model", out, "--out", out,
        "--subtask", "7",
    )  # fmt: skip
    assert bad_subtask.returncode == 2 and "no subtask '7'" in bad_subtask.stderr
    bad_option = cpsolve(
        "sample", str(problem), "--engine", "openai", "--model", "m", "--out", out,
        "--option", "warp_speed=9",
    )  # fmt: skip
    assert bad_option.returncode == 2 and "does not take these options" in bad_option.stderr
    assert "Traceback" not in bad_engine.stderr + bad_subtask.stderr + bad_option.stderr

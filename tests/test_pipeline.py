"""cpsolve run end to end on a small problem with recorded samples, through the real CLI.

Covers: the report's contents, reruns doing no work twice, kill -9 at any moment then resuming
to the same result, hidden tests never reaching prompts/inputs/selection, and the bad inputs a
user can give (one sentence, non-zero exit, nothing lost).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cpsolve.config import RunConfig
from cpsolve.languages import Language
from cpsolve.problem import load_problem
from cpsolve.sample.stage import plan_missing_chunks
from cpsolve.store import Store
from tests._fixtures_pipeline import MARKER, make_problem

CLI = [sys.executable, "-m", "cpsolve"]
CONFIG = Path(__file__).parent / "fixtures" / "pipeline" / "sumword.config.json"
FAST = ["--config", str(CONFIG), "--sandbox", "local", "--workers", "2"]


def cpsolve(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def problem_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_problem(tmp_path_factory.mktemp("problem"))


@pytest.fixture(scope="module")
def finished(problem_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    runs = tmp_path_factory.mktemp("runs")
    res = cpsolve("run", problem_dir, *FAST, "--runs-dir", runs)
    assert res.returncode == 0, res.stderr[-3000:]
    run_dir = Path(res.stdout.strip().splitlines()[-1])
    assert run_dir.is_dir() and run_dir.parent == runs
    return run_dir


def counts(run_dir: Path) -> dict[str, int]:
    db = sqlite3.connect(run_dir / "run.sqlite")
    out = {
        t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("samples", "programs", "inputs", "executions", "judged", "submissions")
    }
    db.close()
    return out


def plan(run_dir: Path) -> list[tuple]:
    rep = json.loads((run_dir / "report.json").read_text())
    return [(s["subtask"], s["program"], s["earned"]) for s in rep["submissions"]]


def test_report_holds_what_users_compare(finished: Path) -> None:
    rep = json.loads((finished / "report.json").read_text())
    assert rep["problem"] == "sumword" and rep["max_score"] == 100
    # the right program is among the candidates, and feedback lets the planner find it
    assert rep["score"] == 100
    assert [s["id"] for s in rep["subtasks"]] == ["big", "small"]  # hardest first
    big = rep["subtasks"][0]
    assert big["candidates"] == 10 and 0 < big["programs"] <= 10 and big["generated_inputs"] > 0
    assert big["clusters"] >= 2  # int overflow and the right sum differ on generated inputs
    assert set(rep["baselines"]) >= {"random", "alphacode", "oracle"}
    assert rep["baselines"]["oracle"] >= rep["score"] >= 0
    assert set(rep["counts"]) == {"samples", "compiles", "executions"}
    assert rep["counts"]["samples"] > 20  # solutions, generators and validators
    assert {"sample", "compile", "execute", "select"} <= set(rep["timings"])
    assert 1 <= len(rep["submissions"]) <= 50
    for name in ("report.md", "scaling_samples.png", "scaling_submissions.png", "matrix.npz"):
        assert (finished / name).stat().st_size > 0
    assert "Test-time scaling" in (finished / "report.md").read_text()


def test_generated_inputs_split_the_overflow_and_feedback_finds_the_right_cluster(
    finished: Path,
) -> None:
    """On the public examples int and long long agree; on generated inputs with big values
    they do not, so they land in different clusters, and when the judge says the first pick
    earned only the small subtask, the planner moves to the other cluster."""
    rep = json.loads((finished / "report.json").read_text())
    subs = rep["submissions"]
    big = [s for s in subs if s["subtask"] == "big"]
    full = next(s for s in big if s["subtask_points"]["big"] == 70)
    assert full["n"] <= 4
    wrong = [s for s in big if s["n"] < full["n"]]
    assert all(s["cluster"] != full["cluster"] for s in wrong if s["subtask_points"]["big"] == 0)


def test_running_again_does_no_work_twice(problem_dir: Path, finished: Path) -> None:
    before = counts(finished)
    res = cpsolve("run", problem_dir, *FAST, "--runs-dir", finished.parent)
    assert res.returncode == 0, res.stderr[-2000:]
    assert Path(res.stdout.strip().splitlines()[-1]) == finished
    assert counts(finished) == before
    assert plan(finished)


def test_a_library_caller_resumes_a_cli_run_headless(problem_dir: Path, finished: Path) -> None:
    """run_problem without progress or console: no bar, no rich, the CLI's run and plan."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from cpsolve.config import load_config\n"
        "from cpsolve.run.pipeline import run_problem\n"
        f"cfg = load_config({str(CONFIG)!r}, {{'sandbox': 'local', 'workers': 2}})\n"
        f"res = run_problem({str(problem_dir)!r}, cfg, runs_dir=Path({str(finished.parent)!r}))\n"
        "print(res.run_dir)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'typer'}))\n"
    )
    before = counts(finished)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.splitlines() == [str(finished), "[]"] and res.stderr == ""
    assert counts(finished) == before and plan(finished)


def test_kill_9_at_any_moment_then_resume_gives_the_same_result(
    problem_dir: Path, finished: Path, tmp_path: Path
) -> None:
    expected, expected_counts = plan(finished), counts(finished)
    for delay in (1.0, 2.5, 4.0):
        runs = tmp_path / f"after-{delay}"
        proc = subprocess.Popen(
            [*CLI, "run", str(problem_dir), *FAST, "--runs-dir", str(runs)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        res = cpsolve("run", problem_dir, *FAST, "--runs-dir", runs)
        assert res.returncode == 0, res.stderr[-2000:]
        run_dir = Path(res.stdout.strip().splitlines()[-1])
        assert plan(run_dir) == expected
        assert counts(run_dir) == expected_counts  # nothing lost, nothing counted twice


def test_hidden_tests_stay_hidden(problem_dir: Path, finished: Path, tmp_path: Path) -> None:
    """A marker carried by every hidden test appears in no prompt, generated input, store row
    that selection reads, or the execution matrix."""
    problem = load_problem(problem_dir)
    config = RunConfig()
    store = Store(tmp_path / "probe.sqlite")
    for sid in problem.hardest_first():
        for role in ("solution", "generator", "validator"):
            for chunk in plan_missing_chunks(store, problem, config, sid, role, 5, Language.CPP):
                assert MARKER not in chunk.request.model_dump_json()
    store.close()
    db = sqlite3.connect(finished / "run.sqlite")
    for table in ("samples", "programs", "candidates", "inputs", "outputs", "executions"):
        for row in db.execute(f"SELECT * FROM {table}"):
            for cell in row:
                raw = cell if isinstance(cell, bytes) else str(cell).encode()
                assert MARKER.encode() not in raw, f"hidden data in {table}"
    db.close()
    assert MARKER.encode() not in (finished / "matrix.npz").read_bytes()


# ---- what a user can get wrong --------------------------------------------------------------


def one_sentence(res: subprocess.CompletedProcess[str], *words: str) -> None:
    assert res.returncode != 0
    assert "Traceback" not in res.stderr, res.stderr
    err = " ".join(res.stderr.split())
    for w in words:
        assert w in err, err


def test_missing_problem(tmp_path: Path) -> None:
    one_sentence(cpsolve("run", tmp_path / "nope", "--runs-dir", tmp_path), "no such problem")


def test_malformed_problem(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "problem.json").write_text('{"id": "x", ')
    one_sentence(cpsolve("run", tmp_path / "p", "--runs-dir", tmp_path), "malformed JSON")


def test_unknown_engine(problem_dir: Path, tmp_path: Path) -> None:
    res = cpsolve("run", problem_dir, "--engine", "gpt9", "--runs-dir", tmp_path)
    one_sentence(res, "unknown engine", "replay")


def test_model_that_cannot_be_loaded_offline(problem_dir: Path, tmp_path: Path) -> None:
    res = cpsolve(
        "run",
        problem_dir,
        "--engine",
        "replay",
        "--model",
        tmp_path / "none.jsonl",
        "--runs-dir",
        tmp_path,
    )
    one_sentence(res, "none.jsonl")


def test_no_sandbox_available(problem_dir: Path, tmp_path: Path) -> None:
    env = dict(os.environ, DOCKER_HOST="unix:///nonexistent/docker.sock")
    res = subprocess.run(
        [*CLI, "run", str(problem_dir), "--sandbox", "docker", "--runs-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    one_sentence(res, "Docker daemon does not answer")


def test_unwritable_runs_dir(problem_dir: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    res = cpsolve("run", problem_dir, *FAST, "--runs-dir", blocker / "runs")
    one_sentence(res, "cannot write the run directory")


def _stages(runs: Path) -> set[str]:
    for db_path in runs.glob("*/run.sqlite"):
        try:
            db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.1)
            names = {r[0] for r in db.execute("SELECT name FROM stages")}
            db.close()
            return names
        except sqlite3.Error:
            return set()
    return set()


def test_interrupted_run_says_so_and_loses_nothing(problem_dir: Path, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [*CLI, "run", str(problem_dir), *FAST, "--runs-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    # interrupt in the middle: once sampling is stored, before the run selects
    while time.monotonic() < deadline and proc.poll() is None:
        if "sample" in _stages(tmp_path):
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    if "select" in _stages(tmp_path):
        pytest.skip("the run had finished its work before the interrupt arrived")
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert "resume" in err
    res = cpsolve("run", problem_dir, *FAST, "--runs-dir", tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]


def test_full_runs_dir_says_so_and_resumes_once_there_is_room(
    problem_dir: Path, tmp_path: Path
) -> None:
    runs = tmp_path / "small-disk"
    runs.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(runs)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("needs root to mount a small tmpfs")
    try:
        res = cpsolve("run", problem_dir, *FAST, "--runs-dir", runs)
        one_sentence(res, "cannot write the run", "run the same command again")
        subprocess.run(["mount", "-o", "remount,size=64m", str(runs)], check=True)
        res = cpsolve("run", problem_dir, *FAST, "--runs-dir", runs)
        assert res.returncode == 0, res.stderr[-2000:]
        assert json.loads((Path(res.stdout.split()[-1]) / "report.json").read_text())["score"]
    finally:
        subprocess.run(["umount", "-l", str(runs)], check=False)

"""`cpsolve eval`: the CI gate names the metric that regressed and exits non-zero."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cpsolve.run.bench import BenchReport, ProblemRow, totals
from cpsolve.select.metrics import find_regressions, pass_at_k


def bench(tmp: Path, name: str, scores: dict[str, float]) -> Path:
    rows = [
        ProblemRow(problem=p, run_dir="x", score=s, max_score=100, solved=s >= 100)
        for p, s in scores.items()
    ]
    rep = BenchReport(set="problems", engine="replay", problems=rows, total=totals(rows))
    path = tmp / name
    path.write_text(rep.model_dump_json())
    return path


def cpsolve_eval(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cpsolve", "eval", *map(str, args)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_a_regression_is_named_and_fails(tmp_path: Path) -> None:
    base = bench(tmp_path, "base.json", {"a": 100, "b": 40})
    worse = bench(tmp_path, "worse.json", {"a": 100, "b": 30})
    res = cpsolve_eval(worse, "--baseline", base)
    assert res.returncode != 0
    assert "b.score" in res.stderr and "Traceback" not in res.stderr


def test_no_regression_and_tolerance_pass(tmp_path: Path) -> None:
    base = bench(tmp_path, "base.json", {"a": 100, "b": 40})
    same = bench(tmp_path, "same.json", {"a": 100, "b": 45})
    assert cpsolve_eval(same, "--baseline", base).returncode == 0
    slightly = bench(tmp_path, "slightly.json", {"a": 100, "b": 38})
    assert cpsolve_eval(slightly, "--baseline", base, "--tolerance", "2").returncode == 0


def test_a_missing_problem_is_a_regression(tmp_path: Path) -> None:
    base = bench(tmp_path, "base.json", {"a": 100, "b": 40})
    fewer = bench(tmp_path, "fewer.json", {"a": 100})
    assert find_regressions(json.loads(fewer.read_text())["total"], {"problems": 2.0})
    assert cpsolve_eval(fewer, "--baseline", base).returncode != 0


def test_malformed_report_or_config_is_one_sentence(tmp_path: Path) -> None:
    base = bench(tmp_path, "base.json", {"a": 100})
    bad = tmp_path / "bad.json"
    bad.write_text('{"problems": [')
    res = cpsolve_eval(bad, "--baseline", base)
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "bad.json: malformed JSON at line 1" in res.stderr
    res = subprocess.run(
        [sys.executable, "-m", "cpsolve", "run", "problems/shortest-route", "--config", bad],
        capture_output=True, text=True, check=False, timeout=120,
        cwd=Path(__file__).parents[1],
    )  # fmt: skip
    assert res.returncode != 0 and "Traceback" not in res.stderr
    assert "bad.json: malformed JSON at line 1" in res.stderr


def test_pass_at_k_is_the_unbiased_estimator() -> None:
    assert pass_at_k(10, 0, 5) == 0.0
    assert pass_at_k(10, 10, 1) == 1.0
    assert abs(pass_at_k(10, 1, 1) - 0.1) < 1e-12
    assert abs(pass_at_k(4, 1, 2) - 0.5) < 1e-12  # 1 - C(3,2)/C(4,2)
    assert pass_at_k(5, 4, 2) == 1.0  # fewer wrong than k: always a right one

"""The selection gate of `cpsolve eval` bites: on the shipped pools' real matrices, a bench
whose planner was swapped for random order fails it; the real planner passes it."""

from __future__ import annotations

from pathlib import Path

import pytest

import cpsolve.select.baselines as baselines
from cpsolve.run.bench import BenchReport, ProblemRow, aggregate_selection, selection_gate, totals
from cpsolve.select.baselines import run_baselines, selection_table
from cpsolve.select.matrix import ExecutionMatrix
from tests.test_eval import cpsolve_eval

POOLS = sorted((Path(__file__).parent / "fixtures" / "pools").glob("*.matrix.npz"))


def bench_of_pools() -> BenchReport:
    """What `cpsolve bench` reports about selection on the pools' matrices."""
    rows = []
    for path in POOLS:
        m = ExecutionMatrix.load(path)
        results = run_baselines(m, seed=0)
        rows.append(
            ProblemRow(
                problem=path.name.split(".")[0],
                run_dir=str(path),
                score=results["ours"].points,
                max_score=float(m.points.sum()),
                solved=results["ours"].fraction >= 1,
                baselines={k: v.points for k, v in results.items() if k != "ours"},
                selection=selection_table(m, results),
            )
        )
    out = BenchReport(set="pools", engine="replay", problems=rows, total=totals(rows))
    out.selection = aggregate_selection(rows)
    return out


def random_order_planner(matrix: ExecutionMatrix, *args: object, **kw: object):
    """The planner swapped for random order: one random draw of the compiled candidates."""
    limit = max(len(baselines.random_k(matrix, 10_000)), 1)
    return baselines.score_submissions(
        matrix, "ours", baselines.random_k(matrix, limit, seed=3), limit
    )


def test_the_real_planner_passes_the_gate(tmp_path: Path) -> None:
    bench = bench_of_pools()
    assert selection_gate(bench) == []
    path = tmp_path / "bench.json"
    path.write_text(bench.model_dump_json())
    base = tmp_path / "baseline.json"
    base.write_text(bench.model_dump_json())
    res = cpsolve_eval(path, "--baseline", base)
    assert res.returncode == 0, res.stdout + res.stderr


def test_random_order_in_place_of_the_planner_fails_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = bench_of_pools()
    monkeypatch.setattr(baselines, "replay_planner", random_order_planner)
    bad = bench_of_pools()
    failures = selection_gate(bad)
    assert failures, bad.selection["ours"].points
    path = tmp_path / "bench.json"
    path.write_text(bad.model_dump_json())
    base = tmp_path / "baseline.json"
    base.write_text(good.model_dump_json())  # the committed baseline: the real planner's
    res = cpsolve_eval(path, "--baseline", base)
    assert res.returncode != 0
    failed = res.stderr.split("failed:")[-1]  # the one-sentence error names every check
    assert "beaten k=" in failed
    assert "selection.ours@10" in failed  # and the committed per-k figures regressed too


def test_the_committed_baseline_holds_per_k_figures() -> None:
    import json

    committed = json.loads((Path(__file__).parents[1] / "benchmarks" / "baseline.json").read_text())
    # k = 10, 50 and the limit: the gate's ks (fewer submissions are reported, not gated)
    assert {f"selection.ours@{k}" for k in ("10", "50", "limit")} <= set(committed)

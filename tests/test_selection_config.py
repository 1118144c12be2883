"""`--selection` and `--ranker` reach the planner of every run, and bench scores each problem
with a scorer tuned on the other problems only."""

from __future__ import annotations

from pathlib import Path

import pytest

from cpsolve.config import RunConfig
from cpsolve.errors import UserError
from cpsolve.progress import NullProgress
from cpsolve.run.bench import leave_one_problem_out
from cpsolve.run.plan import planner_ranker, planner_settings, scorer_name
from cpsolve.select.planner import PlannerSettings
from tests.test_gate import bench_of_pools


def test_run_ids_stay_when_unset_and_follow_the_files_content(tmp_path: Path) -> None:
    old = RunConfig().run_id("p", "d")
    assert RunConfig(selection=None, ranker=None).run_id("p", "d") == old
    a = tmp_path / "a.json"
    a.write_text(PlannerSettings(penalty=2.0).model_dump_json())
    with_a = RunConfig(selection=str(a)).run_id("p", "d")
    assert with_a != old
    a.write_text(PlannerSettings(penalty=3.0).model_dump_json())
    assert RunConfig(selection=str(a)).run_id("p", "d") != with_a  # new weights, new run
    with pytest.raises(UserError, match="no such file"):
        RunConfig(ranker=str(tmp_path / "none.joblib")).run_id("p", "d")


def test_the_planner_uses_the_selection_file_or_the_shipped_default(tmp_path: Path) -> None:
    shipped = planner_settings(RunConfig())  # the shipped scorer, tuned: not the hand-set one
    assert shipped != PlannerSettings() and shipped.penalty > 0
    assert planner_settings(RunConfig(), hand_set=True) == PlannerSettings()
    assert "shipped default" in scorer_name(RunConfig())
    f = tmp_path / "tuned.json"
    f.write_text(PlannerSettings(penalty=7.5).model_dump_json())
    cfg = RunConfig(selection=str(f), submissions=3)
    s = planner_settings(cfg)
    assert s.penalty == 7.5 and s.limit == 3
    assert str(f) in scorer_name(cfg)
    assert planner_ranker(cfg) is None
    f.write_text("{}x")
    with pytest.raises(UserError, match="not selection settings"):
        planner_settings(cfg)


def test_bench_scores_each_problem_with_a_scorer_that_never_saw_it() -> None:
    bench = bench_of_pools()
    leave_one_problem_out(bench.problems, RunConfig(), NullProgress())
    for row in bench.problems:
        assert row.scorer.startswith("tuned on ")
        seen = row.scorer.removeprefix("tuned on ").split(" (")[0].split(", ")
        assert row.problem not in seen
        assert sorted([*seen, row.problem]) == sorted(r.problem for r in bench.problems)
        assert row.selection["ours"].points["limit"] <= row.selection["oracle"].points["limit"]

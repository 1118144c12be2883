"""Random search over selection settings, and the two commands that learn from judged runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cpsolve.errors import UserError
from cpsolve.select.baselines import replay_planner
from cpsolve.select.planner import PlannerSettings, load_settings
from cpsolve.select.rerank import FEATURES, LearnedRanker
from cpsolve.select.tuning import tune
from tests.test_planner import make_matrix, make_problem


def _misled_matrix(shift: int = 0):
    """The largest cluster is wrong and the model was unsure of it (low logprob); the right
    cluster is smaller but confident. Default weights trust the cluster size."""
    p = make_problem([("all", 1, ["a*"])])
    rows = [{"st": "all", "out": [shift, 0], "lp": -1.0} for _ in range(3)]
    rows += [{"st": "all", "out": [shift + 1, 1], "lp": -0.1, "hidden": {"all": 1}}] * 2
    rows.append({"st": "all", "out": [shift + 2, 2], "lp": -3.0})
    return make_matrix(p, ["all", "all"], rows)


def test_random_search_finds_settings_that_beat_the_default() -> None:
    ms = [_misled_matrix(k) for k in range(3)]
    one = PlannerSettings(limit=1)
    assert replay_planner(ms[0], one).points == 0
    result = tune(ms, trials=40, seed=0, base=one)
    assert result.start_score == 0.0
    assert result.score == 1.0
    assert all(replay_planner(m, result.settings).points == 1 for m in ms)
    assert result.settings.limit == 1  # the search changes weights and penalty only


def test_tuning_is_reproducible_and_needs_judged_runs() -> None:
    ms = [_misled_matrix()]
    a = tune(ms, trials=10, seed=5, base=PlannerSettings(limit=1))
    b = tune(ms, trials=10, seed=5, base=PlannerSettings(limit=1))
    assert a.settings == b.settings
    ms[0].hidden_points = None
    with pytest.raises(UserError, match="hidden"):
        tune(ms, trials=3)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cpsolve", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_tune_selection_and_train_ranker(tmp_path: Path) -> None:
    runs = []
    for k in range(2):
        run = tmp_path / f"run{k}"
        _misled_matrix(k).save(run / "matrix.npz")
        runs.append(str(run))
    out = tmp_path / "weights.json"
    done = _cli("tune-selection", *runs, "--trials", "30", "--limit", "1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    settings = load_settings(out)
    assert settings.limit == 1
    assert all(replay_planner(_misled_matrix(k), settings).points == 1 for k in range(2))

    ranker = tmp_path / "ranker.joblib"
    done = _cli("train-ranker", *runs, "--out", str(ranker))
    assert done.returncode == 0, done.stderr
    assert LearnedRanker.load(ranker).scores(np.zeros((1, len(FEATURES)))).shape == (1,)


def test_cli_reports_a_run_without_matrix_in_one_sentence(tmp_path: Path) -> None:
    done = _cli("tune-selection", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "no execution matrix" in done.stderr
    assert "Traceback" not in done.stderr
    (tmp_path / "bad.json").write_text('{"penalty": -1}')
    with pytest.raises(UserError):
        load_settings(tmp_path / "bad.json")

"""Features, the heuristic scorer, and the learned ranker on disk."""

from __future__ import annotations

import joblib
import numpy as np
import pytest

from cpsolve.errors import UserError
from cpsolve.select.planner import Planner, prepare
from cpsolve.select.rerank import (
    FEATURES,
    LearnedRanker,
    ScoreWeights,
    features,
    heuristic_scores,
    passes_public,
    training_set,
)
from tests.test_planner import TWO, make_matrix, make_problem

PUBLIC = [
    {"name": "ex-small", "input": "1\n", "output": "1\n", "subtasks": ["small"]},
    {"name": "ex-full", "input": "2\n", "output": "2\n", "subtasks": ["full"]},
]


def _matrix():
    p = make_problem(TWO, public_tests=PUBLIC)
    rows = [
        # a full candidate must pass small's public test too (full includes small)
        {"st": "full", "out": [0, 0], "pub": [False, True], "len": 100},
        {"st": "full", "out": [0, "TLE"], "pub": [True, True], "len": 400, "lp": -0.5},
        {"st": "small", "out": [0, 0], "pub": [True, False], "len": 100},
        {"st": "small", "out": [1, 1], "pub": [True, False], "ok": False, "len": 100},
    ]
    rows[1]["hidden"] = {"small": 30, "full": 20}
    rows[2]["hidden"] = {"small": 30}
    return make_matrix(p, ["small", "full"], rows)


def test_public_filter_counts_tests_of_included_subtasks() -> None:
    m = _matrix()
    assert passes_public(m).tolist() == [False, True, True, False]


def test_feature_values() -> None:
    m = _matrix()
    x = features(m, prepare(m).clusterings)
    col = {f: x[:, k] for k, f in enumerate(FEATURES)}
    assert col["public_pass"].tolist() == [0.5, 1.0, 1.0, 1.0]
    assert col["gen_error_rate"].tolist() == [0.0, 0.5, 0.0, 0.0]  # small sees 1 input only
    assert col["cluster_share"].tolist() == [0.5, 0.5, 1.0, 0.0]
    assert col["logprob"].tolist() == [0.0, -0.5, 0.0, 0.0]
    assert col["logprob_known"].tolist() == [0, 1, 0, 0]
    assert col["log_code_len"][1] > 0 > col["log_code_len"][0]
    assert col["time_frac"].tolist() == pytest.approx([0.1, 0.1, 0.1, 0.1])


def test_heuristic_weights_change_the_order() -> None:
    m = _matrix()
    x = features(m, prepare(m).clusterings)
    s = heuristic_scores(x)
    assert s[1] < s[0]  # the TLE costs more than a failed public test at default weights
    s2 = heuristic_scores(x, ScoreWeights(gen_error_rate=0.0, timed_out=0.0, max_input_time=0.0))
    assert s2[1] > s2[0]


def test_training_set_labels_full_points_on_own_subtask() -> None:
    m = _matrix()
    x = features(m, prepare(m).clusterings)
    xs, y = training_set(m, x)
    assert xs.shape == (3, len(FEATURES))  # the candidate that did not compile is left out
    assert y.tolist() == [False, False, True]


def _separable(n: int = 60, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, len(FEATURES)))
    return x, x[:, 2] > 0.0  # right exactly when the cluster share feature is high


def test_learned_ranker_round_trips_through_disk(tmp_path) -> None:
    x, y = _separable()
    ranker = LearnedRanker.fit(x, y)
    path = ranker.save(tmp_path / "ranker.joblib")
    again = LearnedRanker.load(path)
    assert np.allclose(again.scores(x), ranker.scores(x))
    assert ((again.scores(x) > 0.5) == y).mean() > 0.9
    m = _matrix()
    assert Planner(m, ranker=again).next() is not None


def test_incompatible_ranker_is_refused_with_a_sentence(tmp_path) -> None:
    x, y = _separable()
    ranker = LearnedRanker.fit(x, y)
    old = tmp_path / "old.joblib"
    joblib.dump({"format": 1, "features": ["public_pass"], "model": ranker.model}, old)
    with pytest.raises(UserError, match="retrain it"):
        LearnedRanker.load(old)
    # same feature names, but format 1 measured time_frac finely: its weights mean other things
    joblib.dump({"format": 1, "features": list(FEATURES), "model": ranker.model}, old)
    with pytest.raises(UserError, match="retrain it"):
        LearnedRanker.load(old)
    junk = tmp_path / "junk.joblib"
    junk.write_bytes(b"not a pickle at all")
    with pytest.raises(UserError, match="not a ranker"):
        LearnedRanker.load(junk)
    with pytest.raises(UserError, match="no such ranker"):
        LearnedRanker.load(tmp_path / "missing.joblib")


def test_training_needs_both_labels() -> None:
    x, _ = _separable()
    with pytest.raises(UserError, match="both right and wrong"):
        LearnedRanker.fit(x, np.ones(len(x), bool))


def test_time_jitter_below_a_tenth_of_the_limit_changes_no_score() -> None:
    """Measured time differs from run to run; the feature moves in tenths of the limit, so a
    rerun (or a resumed run) that measured 0.11 s instead of 0.19 s ranks the same way."""
    m = _matrix()
    base = heuristic_scores(features(m, prepare(m).clusterings))
    m.gen_time[:] = np.where(np.arange(m.gen_time.shape[1]) % 2, 0.11, 0.19)
    assert heuristic_scores(features(m, prepare(m).clusterings)).tolist() == base.tolist()
    m.gen_time[:] = 0.95
    x = features(m, prepare(m).clusterings)
    assert x[:, FEATURES.index("time_frac")].max() == pytest.approx(0.9)


def test_plurality_agreement_picks_the_right_singleton_over_near_misses() -> None:
    """Four inputs of `full`. The right program is alone in its exact cluster; three near
    misses each give a wrong answer on one input of their own; a popular wrong algorithm (two
    samples) is wrong everywhere; a program failing the public test does not vote. On every
    input the plurality of the public-test passers is the right answer: the right program
    agrees on all four, each near miss on three, the wrong algorithm on none; with the
    default weights the right one scores highest, though its cluster is not the largest."""
    p = make_problem([("full", 100, ["a*"])], public_tests=[PUBLIC[1] | {"subtasks": None}])
    right, wrong_alg = [0, 0, 0, 0], [5, 5, 5, 5]
    rows = [
        {"st": "full", "out": right, "hidden": {"full": 100}},
        {"st": "full", "out": [1, 0, 0, 0]},
        {"st": "full", "out": [0, 2, 0, 0]},
        {"st": "full", "out": [0, 0, 3, 0]},
        {"st": "full", "out": wrong_alg},
        {"st": "full", "out": wrong_alg},
        {"st": "full", "out": [7, 7, 7, 7], "pub": [False]},
        {"st": "full", "out": [7, 7, 7, 7], "pub": [False]},
        {"st": "full", "out": [7, 7, 7, 7], "pub": [False]},
    ]
    m = make_matrix(p, ["full"] * 4, rows)
    x = features(m, prepare(m).clusterings)
    agree = x[:, FEATURES.index("plurality")]
    assert agree.tolist() == pytest.approx([1.0, 0.75, 0.75, 0.75, 0.0, 0.0, 0.0, 0.0, 0.0])
    scores = heuristic_scores(x)
    assert int(np.argmax(scores[:6])) == 0
    assert x[4, FEATURES.index("cluster_share")] > x[0, FEATURES.index("cluster_share")]

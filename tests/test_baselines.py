"""Baselines and the offline replay on hand-made matrices with known answers."""

from __future__ import annotations

import numpy as np

from cpsolve.select.baselines import (
    codet,
    largest_clusters,
    oracle_points,
    padded_curve,
    public_then_random,
    random_k,
    replay_planner,
    run_baselines,
    sample_scaling,
    score_submissions,
)
from tests.test_planner import TWO, make_matrix, make_problem


def _mixed_matrix(n_wrong: int = 40, seed: int = 1):
    """One right cluster of 6 among many wrong singletons, two subtasks."""
    rng = np.random.default_rng(seed)
    p = make_problem(TWO)
    rows = []
    for k in range(n_wrong):
        st = "full" if k % 2 else "small"
        rows.append({"st": st, "out": [int(rng.integers(10, 99)), 100 + k], "id": f"w{k}"})
    for k in range(6):
        st = "full" if k % 2 else "small"
        rows.append({"st": st, "out": [1, 1], "id": f"r{k}", "hidden": {"small": 30, "full": 70}})
    return make_matrix(p, ["small", "full"], rows)


def test_oracle_bounds_ours_and_every_baseline() -> None:
    m = _mixed_matrix()
    results = run_baselines(m, limit=5)
    assert results["oracle"].points == 100
    assert results["ours"].points == 100  # the right cluster is the largest
    for name, r in results.items():
        assert 0 <= r.points <= results["oracle"].points, name
        assert r.points == padded_curve(r)[-1], name  # points: the curve at the limit
        assert len(r.curve) == 50 or name in ("alphacode", "codet", "ours"), name


def test_random_is_reproducible_by_seed() -> None:
    m = _mixed_matrix()
    assert random_k(m, 10, seed=3) == random_k(m, 10, seed=3)
    assert random_k(m, 10, seed=3) != random_k(m, 10, seed=4)
    assert public_then_random(m, 10, seed=7) == public_then_random(m, 10, seed=7)


def test_largest_clusters_and_codet_start_with_the_consensus() -> None:
    m = _mixed_matrix()
    right = {m.meta.candidate_ids.index(f"r{k}") for k in range(6)}
    assert largest_clusters(m, 2)[0] in right
    assert codet(m, 2)[0] in right
    assert codet(m, 2)[1] in right  # round-robin: full first, then small


def test_oracle_with_fewer_submissions_than_subtasks_picks_the_best_pair() -> None:
    p = make_problem([("a", 10, ["a*"]), ("b", 20, ["b*"]), ("c", 40, ["c*"])])
    rows = [
        {"st": "c", "out": [0], "hidden": {"a": 10, "b": 20}},
        {"st": "c", "out": [0], "hidden": {"c": 40}},
        {"st": "c", "out": [0], "hidden": {"b": 20, "c": 40}},
        {"st": "c", "out": [0], "hidden": {"a": 10}, "ok": False},
    ]
    m = make_matrix(p, ["c"], rows)
    assert oracle_points(m, 1) == 60
    assert oracle_points(m, 2) == 70
    assert oracle_points(m, 2, max_combinations=1) == 70  # greedy reaches it here too
    assert oracle_points(m, 0) == 0


def test_replay_counts_best_points_per_subtask_and_its_curve() -> None:
    p = make_problem(TWO)
    rows = [
        {"st": "full", "out": [0, 0], "hidden": {"small": 30, "full": 10}},
        {"st": "full", "out": [0, 1], "hidden": {"small": 0, "full": 70}},
    ]
    m = make_matrix(p, ["small", "full"], rows)
    r = score_submissions(m, "fixed", [0, 1], 10)
    assert r.curve == [40, 100] and r.points == 100
    ours = replay_planner(m)
    assert ours.points == 100 and ours.curve[-1] == 100


def test_curves_against_submissions_and_samples() -> None:
    m = _mixed_matrix()
    results = run_baselines(m, limit=4)
    oracle = results["oracle"].curve
    assert len(oracle) == 50 and oracle[0] == 100  # one right candidate earns everything
    assert padded_curve(results["ours"])[-1] == results["ours"].points
    assert len(padded_curve(results["ours"])) == 4
    scaling = sample_scaling(m, [1, 5, 23], seed=0)
    assert scaling["oracle"][-1] == 100
    for name in ("ours", "random", "oracle"):
        assert len(scaling[name]) == 3
        assert all(0 <= v <= o for v, o in zip(scaling[name], scaling["oracle"], strict=True))
    assert scaling["oracle"] == sorted(scaling["oracle"])  # more samples never hurt the oracle


def test_take_keeps_the_rows_asked_for() -> None:
    m = _mixed_matrix()
    sub = m.take([3, 41])
    assert sub.meta.candidate_ids == [m.meta.candidate_ids[3], m.meta.candidate_ids[41]]
    assert np.array_equal(sub.gen_class, m.gen_class[[3, 41]])
    assert sub.hidden_points is not None and sub.hidden_points[1].tolist() == [30, 70]


def test_ours_never_beats_the_oracle_on_random_matrices() -> None:
    p = make_problem([("s1", 10, ["a*"]), ("s2", 30, ["a*", "b*"]), ("s3", 60, ["a*", "b*", "c*"])])
    ids = ["s1", "s2", "s3"]
    for seed in range(20):
        rng = np.random.default_rng(seed)
        rows = []
        for k in range(int(rng.integers(5, 40))):
            level = int(rng.integers(0, 4))  # solves the first `level` subtasks (nested)
            behaviour = level if rng.random() < 0.7 else 10 + k
            rows.append(
                {
                    "st": ids[int(rng.integers(0, 3))],
                    "out": [behaviour, behaviour + int(rng.integers(0, 2)), behaviour],
                    "hidden": dict(list(zip(ids, (10, 30, 60), strict=True))[:level]),
                    "ok": bool(rng.random() < 0.9),
                }
            )
        m = make_matrix(p, ["s1", "s2", "s3"], rows)
        for limit in (1, 2, 5):
            r = run_baselines(m, limit=limit, seed=seed)
            assert 0 <= r["ours"].points <= r["oracle"].points, (seed, limit)
            assert all(v.points <= r["oracle"].points for v in r.values()), (seed, limit)


def _one_subtask(n: int, right: int, n_public_fail: int = 0):
    p = make_problem([("all", 1, ["a*"])], scoring="all-or-nothing")
    rows = [{"st": "all", "out": [k + 1], "id": f"w{k}", "pub": []} for k in range(n - right)]
    rows += [{"st": "all", "out": [0], "id": f"r{k}", "hidden": {"all": 1}, "pub": []}
             for k in range(right)]  # fmt: skip
    return make_matrix(p, ["all"], rows)


def test_random_baselines_are_expectations_with_a_band() -> None:
    from math import comb

    from cpsolve.select.baselines import expected_replay, random_orders

    m = _one_subtask(40, 4)
    r = expected_replay(m, "random", random_orders(m, 4000, seed=1), 10, 50)
    for k in (1, 5, 10):
        exact = 1 - comb(36, k) / comb(40, k)
        assert abs(r.curve[k - 1] - exact) < 0.03, (k, r.curve[k - 1], exact)
    assert r.first_full[0] is not None and abs(r.first_full[0] - 41 / 5) < 0.4
    assert all(lo <= hi for lo, hi in zip(r.low, r.high, strict=True))
    assert r.low[0] == 0 and r.high[-1] == 1  # one draw misses at k=1, every draw hits by 50


def test_the_k_table_compares_every_strategy_with_the_oracle() -> None:
    from cpsolve.select.baselines import selection_table

    m = _one_subtask(60, 3)
    table = selection_table(m, run_baselines(m, seed=0))
    assert set(table) == {"ours", "random", "public-then-random", "alphacode", "codet", "oracle"}
    assert list(table["ours"].points) == ["1", "2", "5", "10", "50", "limit"]
    assert table["oracle"].of_oracle["1"] == 1.0
    assert table["ours"].points["1"] == 1  # the right cluster is the largest
    assert table["ours"].first_full == {"all": 1.0}
    assert table["random"].points["1"] < 0.2 and table["random"].high  # expected, with a band
    assert abs(table["random"].first_full["all"] - 61 / 4) < 3


def test_a_pool_sample_with_no_candidate_replays_to_nothing() -> None:
    """The samples plot replays the first n samples; none of them may have compiled (a small
    pool of an import): every strategy then scores 0, with no subtask ever full."""
    m = _mixed_matrix().take([])
    results = run_baselines(m, limit=4)
    assert results["ours"].points == 0 and results["oracle"].points == 0
    assert results["ours"].first_full == [None, None]

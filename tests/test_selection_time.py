"""Time on the largest generated inputs ranks an almost-right, too-slow program below the
right ones (the Bellman-Ford candidate of shortest-route, on a hand-made matrix)."""

from __future__ import annotations

import numpy as np

from cpsolve.select.baselines import replay_planner
from cpsolve.select.planner import Planner, PlannerSettings
from cpsolve.select.rerank import FEATURES, ScoreWeights
from tests.test_planner import make_matrix, make_problem

SIZES = [30, 40, 200_000]  # the last input is a max-size one


def slow_matrix(tle: bool = False):
    p = make_problem([("all", 100, ["a*"])])
    rows = [{"st": "all", "out": [1, 2, 3], "id": f"right{k}", "lp": -0.6, "len": 900,
             "hidden": {"all": 100}} for k in range(4)]  # fmt: skip
    # the slow one: same answers, a shorter program the model liked more
    slow_out: list[object] = [1, 2, "TLE" if tle else 3]
    rows.insert(0, {"st": "all", "out": slow_out, "id": "slow", "lp": -0.1, "len": 300})
    rows += [{"st": "all", "out": [k, k, k], "id": f"wrong{k}"} for k in range(5, 9)]
    m = make_matrix(p, ["all", "all", "all"], rows)
    m.gen_time = np.full(m.gen_time.shape, 0.01, np.float32)
    m.gen_time[0, 2] = 0.95 if not tle else 1.0  # the hand-made problem's limit: 1 s
    m.gen_time[0, :2] = 0.01
    m.input_size = np.array(SIZES)
    return m


def test_slow_on_max_inputs_ranks_below_the_right_programs() -> None:
    m = slow_matrix()
    assert m.meta.time_limit_s == 1
    planner = Planner(m)
    x = planner.prep.x
    col = {f: x[:, k] for k, f in enumerate(FEATURES)}
    assert col["max_input_time"][0] == 0.9 and col["max_input_time"][1] == 0.0
    right = planner.scores[1:5]
    assert planner.scores[0] < right.min()  # same cluster, ranked below every right one
    assert planner.prep.clusterings[0].labels[0] == planner.prep.clusterings[0].labels[1]
    first = replay_planner(m, PlannerSettings(limit=1))
    assert first.points == 100


def test_without_the_time_features_the_slow_program_would_go_first() -> None:
    m = slow_matrix()
    blind = ScoreWeights(time_frac=0.0, max_input_time=0.0, timed_out=0.0)
    planner = Planner(m, PlannerSettings(weights=blind))
    assert planner.next() == ("all", "slow")  # what the time features prevent


def test_a_time_out_on_a_max_input_leaves_the_cluster_and_is_flagged() -> None:
    m = slow_matrix(tle=True)
    planner = Planner(m)
    cl = planner.prep.clusterings[0]
    assert cl.labels[0] != cl.labels[1]
    x = planner.prep.x
    assert x[0, FEATURES.index("timed_out")] == 1 and x[1, FEATURES.index("timed_out")] == 0
    assert x[0, FEATURES.index("max_input_time")] == 1.0


def test_matrices_without_sizes_count_every_input_as_largest(tmp_path) -> None:
    m = slow_matrix()
    m.input_size = None
    assert Planner(m).prep.x[0, FEATURES.index("max_input_time")] == 0.9
    m2 = slow_matrix()
    from cpsolve.select.matrix import ExecutionMatrix

    back = ExecutionMatrix.load(m2.save(tmp_path / "m.npz"))
    assert back.input_size is not None and back.input_size.tolist() == SIZES
    assert back.largest_inputs(0).tolist() == [2]

"""Output classes under each checker, and clusters of candidates by behaviour."""

from __future__ import annotations

import numpy as np

from cpsolve.problem import CheckerSpec
from cpsolve.select.cluster import cluster_subtask, exact_labels
from cpsolve.select.matrix import NO_OUTPUT, ExecutionMatrix, output_classes
from tests.test_planner import TWO, make_matrix, make_problem


def test_tokens_checker_ignores_whitespace_but_exact_does_not() -> None:
    outs = [b"1 2\n", b"1  2", b"1 3\n", None, b"1\n2\n"]
    tokens = output_classes(outs, CheckerSpec(type="tokens"))
    assert tokens.tolist() == [0, 0, 1, NO_OUTPUT, 0]
    exact = output_classes(outs, CheckerSpec(type="exact"))
    assert exact.tolist() == [0, 1, 2, NO_OUTPUT, 3]
    lines = output_classes([b"a b\n", b"a b  \n\n", b"a  b\n"], CheckerSpec(type="lines"))
    assert lines.tolist() == [0, 0, 1]


def test_float_checker_groups_within_tolerance_not_by_hash() -> None:
    spec = CheckerSpec(type="float", abs_tol=1e-3, rel_tol=0)
    outs = [b"0.5000 yes\n", b"0.5004 yes", b"0.51 yes", b"0.5 no", b"0.5", b"0.50001 yes"]
    assert output_classes(outs, spec).tolist() == [0, 0, 1, 2, 3, 0]


def test_float_grouping_is_greedy_against_the_founder() -> None:
    # 1.0 ~ 1.0008 ~ 1.0016 but 1.0 !~ 1.0016: the chain is cut deterministically.
    spec = CheckerSpec(type="float", abs_tol=1e-3, rel_tol=0)
    assert output_classes([b"1.0", b"1.0008", b"1.0016"], spec).tolist() == [0, 0, 1]
    assert output_classes([b"1.0008", b"1.0", b"1.0016"], spec).tolist() == [0, 0, 0]


def test_float_checker_compares_integers_exactly() -> None:
    spec = CheckerSpec(type="float", abs_tol=1e-6, rel_tol=1e-6)
    outs = [b"1000000000000000001 0.5", b"1000000000000000000 0.5", b"+0007 0.5", b"7 0.5000001"]
    assert output_classes(outs, spec).tolist() == [0, 1, 2, 2]


def test_float_relative_tolerance_and_non_finite_tokens() -> None:
    spec = CheckerSpec(type="float", abs_tol=0, rel_tol=1e-6)
    outs = [b"1000000", b"1000000.5", b"1000002", b"nan", b"nan", b"inf"]
    assert output_classes(outs, spec).tolist() == [0, 0, 1, 2, 2, 3]


def test_exact_clusters_split_by_output_and_by_failure_kind() -> None:
    p = make_problem([("all", 1, ["a*"])])
    rows = [
        {"st": "all", "out": [0, 1]},
        {"st": "all", "out": [0, 1]},
        {"st": "all", "out": [0, "TLE"]},
        {"st": "all", "out": [0, "RE"]},
        {"st": "all", "out": [0, "RE"]},
        {"st": "all", "out": [2, 1]},
    ]
    m = make_matrix(p, ["all", "all"], rows)
    cl = cluster_subtask(m, 0, "exact")
    assert cl.labels.tolist() == [0, 0, 1, 2, 2, 3]
    assert cl.share().tolist() == [2 / 6, 2 / 6, 1 / 6, 2 / 6, 2 / 6, 1 / 6]


def test_clusters_use_inputs_of_included_subtasks_only() -> None:
    p = make_problem(TWO)
    # columns: small, full, and a third input belonging to "full" only
    rows = [
        {"st": "small", "out": [0, 1, 5]},
        {"st": "small", "out": [0, 2, 6]},  # differs only on full's inputs
        {"st": "full", "out": [0, 1, 5]},
        {"st": "full", "out": [0, 2, 6]},
    ]
    m = make_matrix(p, ["small", "full", "full"], rows)
    assert cluster_subtask(m, 0, "exact").n_clusters == 1
    assert cluster_subtask(m, 1, "exact").n_clusters == 2


def test_auto_mode_goes_fuzzy_when_every_candidate_differs() -> None:
    p = make_problem([("all", 1, ["a*"])])
    base = list(range(20))
    rows = []
    for k in range(4):  # near-copies of one behaviour, each differing on one input
        out = base.copy()
        out[k] = 100 + k
        rows.append({"st": "all", "out": out})
    for k in range(3):  # near-copies of another
        out = [x + 50 for x in base]
        out[k] = 200 + k
        rows.append({"st": "all", "out": out})
    m = make_matrix(p, ["all"] * 20, rows)
    assert cluster_subtask(m, 0, "exact").n_clusters == 7
    cl = cluster_subtask(m, 0, "auto", threshold=0.2)
    assert cl.mode == "fuzzy"
    assert cl.labels.tolist() == [0, 0, 0, 0, 1, 1, 1]


def test_fuzzy_mode_caps_the_quadratic_part_and_attaches_the_rest() -> None:
    from cpsolve.select.cluster import fuzzy_labels

    a, b, far, d = [0, 0, 0, 1], [0, 0, 0, 2], [9, 9, 9, 9], [0, 0, 0, 3]
    sig = np.array([a, a, b, far, d], dtype=np.int32)
    # head (2 distinct rows, the most common first): a and b, merged; far stays alone,
    # d joins the cluster of a (distance 1/4)
    assert fuzzy_labels(sig, 0.5, max_points=2).tolist() == [0, 0, 0, 1, 0]
    assert fuzzy_labels(sig, 0.2, max_points=2).tolist() == [0, 0, 1, 2, 3]


def test_exact_labels_follow_first_appearance() -> None:
    sig = np.array([[3, 3], [1, 1], [3, 3], [2, 2]], dtype=np.int32)
    assert exact_labels(sig).tolist() == [0, 1, 0, 2]


def test_uncompiled_candidates_join_no_cluster(tmp_path) -> None:
    p = make_problem([("all", 1, ["a*"])])
    rows = [{"st": "all", "out": [0]}, {"st": "all", "out": ["CE"], "ok": False}]
    m = make_matrix(p, ["all"], rows)
    m2 = ExecutionMatrix.load(m.save(tmp_path / "matrix.npz"))
    assert cluster_subtask(m2, 0).members.tolist() == [0]


def test_classes_agree_with_the_judges_checker() -> None:
    from cpsolve.judge.checkers import outputs_equal

    rng = np.random.default_rng(0)
    pool = [b"1", b"1.0000001", b"1.1", b"-0", b"0.0000000001", b"12345678901234567890", b"x"]
    outs = [b" ".join(rng.choice(pool, size=2).tolist()) for _ in range(200)]
    for spec in (
        CheckerSpec(type="float", abs_tol=1e-6, rel_tol=1e-6),
        CheckerSpec(type="tokens"),
        CheckerSpec(type="lines"),
        CheckerSpec(type="exact"),
    ):
        ids = output_classes(outs, spec)
        founders: dict[int, bytes] = {}
        for out, c in zip(outs, ids.tolist(), strict=True):
            founder = founders.setdefault(c, out)
            assert outputs_equal(out, founder, spec), (spec.type, out, founder)
        firsts = list(founders.values())
        for k, f in enumerate(firsts):
            assert not any(outputs_equal(f, g, spec) for g in firsts[:k]), (spec.type, f)

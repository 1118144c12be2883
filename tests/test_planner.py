"""The online planner on hand-made matrices whose right plan is known."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cpsolve.problem import Problem
from cpsolve.select.matrix import NOT_RUN, ExecutionMatrix, verdict_code
from cpsolve.select.planner import Planner, PlannerSettings, SubmissionFeedback


def make_problem(subtasks: list[tuple[str, float, list[str]]], **extra: Any) -> Problem:
    """A problem whose hidden tests are named after the glob patterns' first letters."""
    letters = sorted({pat[0] for _, _, pats in subtasks for pat in pats})
    hidden = [{"name": f"{c}-1", "input": "1\n", "output": "1\n"} for c in letters]
    raw = {
        "id": "hand-made",
        "name": "Hand made",
        "subtasks": [{"id": i, "points": p, "tests": pats} for i, p, pats in subtasks],
        "hidden_tests": hidden,
        **extra,
    }
    return Problem.model_validate(raw)


def make_matrix(
    problem: Problem,
    inputs: list[str],
    rows: list[dict[str, Any]],
) -> ExecutionMatrix:
    """rows: {"st": subtask id, "out": per input a class id, a verdict name, or None (not run),
    optional "pub": list of public passes, "hidden": {subtask id: points}, "len", "ok", "lp"}."""
    n_pub = len(problem.public_tests)
    verdict = np.zeros((len(rows), len(inputs)), np.int8)
    cls = np.zeros((len(rows), len(inputs)), np.int32)
    for r, row in enumerate(rows):
        for i, o in enumerate(row["out"]):
            if o is None:
                verdict[r, i], cls[r, i] = NOT_RUN, -1
            elif isinstance(o, str):
                verdict[r, i], cls[r, i] = verdict_code(o), -1
            else:
                cls[r, i] = o
    ids = [s.id for s in problem.subtasks]
    hidden = np.array([[row.get("hidden", {}).get(s, 0.0) for s in ids] for row in rows])
    pub = np.array([row.get("pub", [True] * n_pub) for row in rows], dtype=bool)
    return ExecutionMatrix.build(
        problem,
        candidate_ids=[row.get("id", f"c{r}") for r, row in enumerate(rows)],
        candidate_subtasks=[row["st"] for row in rows],
        code_len=[row.get("len", 100) for row in rows],
        compile_ok=[row.get("ok", True) for row in rows],
        logprob=[row.get("lp", np.nan) for row in rows],
        public_passed=pub,
        public_verdict=np.where(pub, 0, verdict_code("WA")),
        input_subtasks=inputs,
        gen_verdict=verdict,
        gen_class=cls,
        gen_time=np.full(verdict.shape, 0.1),
        hidden_points=hidden,
    )


def run_plan(planner: Planner, matrix: ExecutionMatrix) -> list[tuple[str, str]]:
    """Drive the planner to the end with the matrix's hidden points as the judge."""
    out = []
    while (nxt := planner.next()) is not None:
        out.append(nxt)
        c = matrix.meta.candidate_ids.index(nxt[1])
        assert matrix.hidden_points is not None
        planner.feedback(
            dict(zip(matrix.subtask_ids, matrix.hidden_points[c].tolist(), strict=True))
        )
    return out


TWO = [("small", 30, ["a*"]), ("full", 70, ["a*", "b*"])]


def test_hardest_subtask_first_then_round_robin() -> None:
    p = make_problem(TWO)
    m = make_matrix(
        p,
        ["small", "full"],
        [
            {"st": "small", "out": [1, 1], "id": "s1"},
            {"st": "small", "out": [2, 2], "id": "s2"},
            {"st": "full", "out": [1, 1], "id": "f1"},
            {"st": "full", "out": [2, 2], "id": "f2"},
        ],
    )
    plan = run_plan(Planner(m), m)
    assert [sid for sid, _ in plan] == ["full", "small", "full", "small"]


def test_feedback_closes_subtask_and_its_included_ones() -> None:
    p = make_problem(TWO)
    rows = [{"st": "small", "out": [k, k], "id": f"s{k}"} for k in range(3)]
    rows += [{"st": "full", "out": [k, k], "id": f"f{k}"} for k in range(3)]
    rows[3]["hidden"] = {"small": 30, "full": 70}  # f0 solves everything
    m = make_matrix(p, ["small", "full"], rows)
    planner = Planner(m)
    plan = run_plan(planner, m)
    assert plan == [("full", "f0")]  # small solved through full: no more submissions
    assert planner.solved == {0, 1}
    assert planner.total == 100


def test_solved_subtask_gets_no_more_submissions() -> None:
    p = make_problem(TWO)
    rows = [{"st": "small", "out": [k, 0], "id": f"s{k}"} for k in range(4)]
    # full's candidates give small's input an answer no small candidate gives: each one's
    # failure on small (it earns 0 there) refutes none of small's candidates
    rows += [{"st": "full", "out": [7, k], "id": f"f{k}"} for k in range(4)]
    rows[0]["hidden"] = {"small": 30}
    m = make_matrix(p, ["small", "full"], rows)
    plan = run_plan(Planner(m, PlannerSettings(limit=50)), m)
    assert [sid for sid, _ in plan].count("small") == 1
    # full's own candidates run out, then the plan tries small's other candidates for full
    assert [c for sid, c in plan if sid == "full"] == ["f0", "f1", "f2", "f3", "s1", "s2", "s3"]


def test_solving_included_subtask_filters_containing_candidates() -> None:
    p = make_problem(TWO)
    # full candidates disagree with the small solution on small's input (column 0), except f2
    rows = [
        {"st": "small", "out": [5, 0], "id": "s0", "hidden": {"small": 30}},
        {"st": "full", "out": [6, 1], "id": "f0"},
        {"st": "full", "out": [6, 1], "id": "f1"},
        {"st": "full", "out": [5, 2], "id": "f2", "hidden": {"small": 30, "full": 70}},
    ]
    m = make_matrix(p, ["small", "full"], rows)
    planner = Planner(m)
    assert planner.next() == ("full", "f0")  # largest cluster first
    planner.feedback({"small": 0, "full": 0})
    assert planner.next() == ("small", "s0")
    planner.feedback({"small": 30, "full": 0})
    assert planner.next() == ("full", "f2")  # f1 moved behind: it disagrees on small
    planner.feedback({"small": 30, "full": 70})
    assert planner.next() is None


def test_subtask_out_of_candidates_drops_out() -> None:
    p = make_problem(TWO)
    rows = [{"st": "full", "out": [k, k], "id": f"f{k}"} for k in range(3)]
    rows.append({"st": "small", "out": [0, 0], "id": "s0"})
    m = make_matrix(p, ["small", "full"], rows)
    plan = run_plan(Planner(m), m)
    assert [c for _, c in plan] == ["f0", "s0", "f1", "f2"]


def test_disagreeing_candidates_are_tried_after_the_agreeing_ones() -> None:
    p = make_problem(TWO)
    rows = [
        {"st": "small", "out": [5, 0], "id": "s0", "hidden": {"small": 30}},
        {"st": "full", "out": [6, 1], "id": "f0"},
        {"st": "full", "out": [6, 1], "id": "f1", "hidden": {"small": 30, "full": 70}},
        {"st": "full", "out": [5, 2], "id": "f2"},
    ]
    m = make_matrix(p, ["small", "full"], rows)
    plan = run_plan(Planner(m), m)
    # f2 agrees with s0 and comes first, but is wrong; f1 disagrees (another right answer
    # the checker would accept, say) and is still submitted, and earns the points
    assert [c for _, c in plan] == ["f0", "s0", "f2", "f1"]


CHAIN = [("a", 20, ["a*"]), ("b", 30, ["a*", "b*"]), ("c", 50, ["a*", "b*", "c*"])]


def test_communication_like_outputs_never_end_the_plan_early() -> None:
    """Right programs of a communication task say different things on every input (their own
    query strategies), so no candidate agrees with a solver's outputs: the plan must go on
    submitting and reach the full score."""
    p = make_problem(CHAIN)
    rows: list[dict[str, Any]] = []
    uid = iter(range(1000, 100_000))
    for st, right_every in (("a", 2), ("b", 5), ("c", 9)):
        for k in range(12):
            right = k % right_every == right_every - 1
            hidden = {"a": 20.0, "b": 30.0 if st != "a" else 0.0, "c": 50.0 if st == "c" else 0.0}
            rows.append(
                {
                    "st": st,
                    "out": [next(uid) for _ in range(3)],
                    "id": f"{st}{k}",
                    "hidden": hidden if right else {},
                }
            )
    m = make_matrix(p, ["a", "b", "c"], rows)
    planner = Planner(m, PlannerSettings(limit=50))
    plan = run_plan(planner, m)
    assert planner.total == 100
    assert len(plan) < 50  # it stopped because everything was solved, not for lack of picks


@pytest.mark.parametrize("seed", range(30))
def test_a_plan_ends_only_when_budget_spent_all_solved_or_all_submitted(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = make_problem(CHAIN)
    ids = ["a", "b", "c"]
    n = int(rng.integers(3, 40))
    rows = []
    for k in range(n):
        st = ids[int(rng.integers(0, 3))]
        hidden = {s: float(pts) for s, pts in zip(ids, (20, 30, 50), strict=True)}
        hidden = {s: v for s, v in hidden.items() if rng.random() < 0.15}
        rows.append(
            {
                "st": st,
                "out": [int(x) for x in rng.integers(0, 3, size=3)],
                "id": f"x{k}",
                "hidden": hidden,
                "ok": bool(rng.random() < 0.9),
                "pub": [],
            }
        )
    m = make_matrix(p, ids, rows)
    limit = int(rng.integers(1, 45))
    planner = Planner(m, PlannerSettings(limit=limit))
    plan = run_plan(planner, m)
    assert len({c for _, c in plan}) == len(plan)  # nothing submitted twice
    compiled = {r["id"] for r in rows if r["ok"]}
    assert {c for _, c in plan} <= compiled
    all_solved = planner.solved >= {0, 1, 2}
    assert len(plan) == limit or all_solved or {c for _, c in plan} == compiled


def test_limit_and_all_or_nothing_default() -> None:
    p = make_problem([("all", 1, ["a*"])], scoring="all-or-nothing")
    rows = [{"st": "all", "out": [k], "id": f"c{k}"} for k in range(30)]
    m = make_matrix(p, ["all"], rows)
    assert len(run_plan(Planner(m), m)) == 10
    assert len(run_plan(Planner(m, PlannerSettings(limit=3)), m)) == 3
    m2 = make_matrix(make_problem([("all", 1, ["a*"])]), ["all"], rows)
    assert len(run_plan(Planner(m2), m2)) == 30  # IOI limit 50, only 30 candidates


def test_penalty_moves_plan_to_next_cluster() -> None:
    p = make_problem([("all", 1, ["a*"])])
    rows = [{"st": "all", "out": [0], "id": f"big{k}"} for k in range(3)]
    rows += [{"st": "all", "out": [1], "id": f"mid{k}"} for k in range(2)]
    m = make_matrix(p, ["all"], rows)
    big, mid = PlannerSettings(penalty=100.0), PlannerSettings(penalty=0.0)
    with_penalty = [c for _, c in run_plan(Planner(m, big), m)][:2]
    without = [c for _, c in run_plan(Planner(m, mid), m)][:2]
    assert with_penalty == ["big0", "mid0"]
    assert without == ["big0", "big1"]


def test_ties_are_broken_by_cluster_size_then_order() -> None:
    p = make_problem([("all", 1, ["a*"])])
    rows = [{"st": "all", "out": [k % 2], "id": f"c{k}"} for k in range(4)]  # two even clusters
    m = make_matrix(p, ["all"], rows)
    scores = np.zeros(4)
    first = Planner(m, PlannerSettings(penalty=1.0), scores=scores)
    assert [c for _, c in run_plan(first, m)] == ["c0", "c1", "c2", "c3"]


def test_public_test_failures_rank_below_passing_candidates() -> None:
    p = make_problem(
        [("all", 1, ["a*"])], public_tests=[{"name": "ex", "input": "1\n", "output": "1\n"}]
    )
    rows = [{"st": "all", "out": [0], "id": f"bad{k}", "pub": [False]} for k in range(5)]
    rows.append({"st": "all", "out": [1], "id": "good", "pub": [True]})
    m = make_matrix(p, ["all"], rows)
    assert [c for _, c in run_plan(Planner(m), m)][:2] == ["good", "bad0"]


def test_string_subtask_ids_and_unknown_ids() -> None:
    p = make_problem([("2", 0, ["a*"]), ("10", 40, ["a*"]), ("1", 60, ["a*", "b*"])])
    rows = [
        {"st": "10", "out": [0, 0], "id": "x", "hidden": {"10": 40}},
        {"st": "10", "out": [1, 1], "id": "y"},
        {"st": "1", "out": [2, 0], "id": "z"},  # z fails "10": x answers its input otherwise
    ]
    m = make_matrix(p, ["10", "1"], rows)
    planner = Planner(m)
    assert planner.next() == ("1", "z")  # listed last = hardest, whatever its name
    planner.feedback(SubmissionFeedback(points={"1": 0, "10": 0}))
    assert planner.next() == ("10", "x")
    planner.feedback({"10": 40, "1": 0})
    # "10" solved and "1" out of its own candidates: "10"'s last one is tried for "1"
    assert planner.next() == ("1", "y")
    planner.feedback({"10": 0, "1": 0})
    assert planner.next() is None  # nothing left to submit
    fresh = Planner(m)
    fresh.next()
    with pytest.raises(KeyError):
        fresh.feedback({"0": 1})  # an index in place of an id is refused, not ignored


def test_candidates_that_did_not_compile_are_never_submitted() -> None:
    p = make_problem([("all", 1, ["a*"])])
    rows = [{"st": "all", "out": ["CE"], "id": "broken", "ok": False}]
    rows.append({"st": "all", "out": [3], "id": "fine"})
    m = make_matrix(p, ["all"], rows)
    assert [c for _, c in run_plan(Planner(m), m)] == ["fine"]


def test_feedback_takes_the_judges_result() -> None:
    from cpsolve.judge.scoring import JudgeResult, SubtaskResult

    p = make_problem(TWO)
    rows = [{"st": "full", "out": [k, k], "id": f"f{k}"} for k in range(2)]
    m = make_matrix(p, ["small", "full"], rows)
    planner = Planner(m)
    assert planner.next() == ("full", "f0")
    subtasks = [
        SubtaskResult(id="small", points=30, earned=30, verdict="AC"),
        SubtaskResult(id="full", points=70, earned=70, verdict="AC"),
    ]
    result = JudgeResult(
        problem="hand-made", score=100, max_score=100, verdict="AC", subtasks=subtasks, tests=[]
    )
    planner.feedback(result)
    assert planner.next() is None and planner.total == 100


def test_zero_point_examples_subtask_neither_solves_nor_filters() -> None:
    p = make_problem([("examples", 0, ["e*"]), ("full", 100, ["e*", "f*"])])
    rows = [
        {"st": "full", "out": [1, 1], "id": "wrong"},
        {"st": "full", "out": [2, 2], "id": "right", "hidden": {"full": 100}},
    ]
    m = make_matrix(p, ["examples", "full"], rows)
    planner = Planner(m)
    assert planner.next() == ("full", "wrong")
    planner.feedback({"examples": 0, "full": 0})  # 0 >= 0 points must not count as solved
    assert planner.next() == ("full", "right")


def test_a_refuted_algorithm_loses_its_clusters_in_the_easier_subtasks_too() -> None:
    """f0 (the popular wrong algorithm, sampled for full) earns 0 on small too: small's
    clusters that give its outputs on small's inputs count that submission, so the next one
    for small is the right program, not the same algorithm again."""
    p = make_problem(TWO)
    rows = [{"st": "full", "out": [9, 9], "id": f"f{k}"} for k in range(3)]
    rows.append({"st": "full", "out": [1, 1], "id": "f3", "hidden": {"small": 30, "full": 70}})
    rows += [{"st": "small", "out": [9, None], "id": f"s{k}"} for k in range(3)]
    rows.append({"st": "small", "out": [1, None], "id": "s3", "hidden": {"small": 30}})
    m = make_matrix(p, ["small", "full"], rows)
    settings = PlannerSettings(penalty=10.0)
    planner = Planner(m, settings)
    assert planner.next() == ("full", "f0")
    planner.feedback({"small": 0, "full": 0})
    assert planner.next() == ("small", "s3")
    # what the same judge's answer only for full (nothing said of small) leaves alone
    planner = Planner(m, settings)
    planner.next()
    planner.feedback({"full": 0})
    assert planner.next() == ("small", "s0")

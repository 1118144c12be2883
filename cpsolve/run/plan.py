"""The planner's loop with the judge in it: the run's submissions, made and stored one by one.

Already-made submissions (a resumed run) are replayed from the store, not judged again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cpsolve.config import RunConfig
from cpsolve.sample.stage import Candidate
from cpsolve.select.matrix import ExecutionMatrix
from cpsolve.select.planner import Planner, PlannerSettings
from cpsolve.store import Store, SubmissionRow

Judge = Callable[[str], dict[str, float]]
"""judge(program sha) -> points per subtask on the hidden tests"""


def plan_and_submit(
    config: RunConfig,
    store: Store,
    matrix: ExecutionMatrix,
    cands: Sequence[Candidate],
    judge: Judge | None,
) -> list[SubmissionRow]:
    """The planner's submissions, with the judge's feedback when there is a judge (the
    problem has hidden tests)."""
    planner = Planner(matrix, planner_settings(config))
    made = {s.n: s for s in store.submissions()}
    out = []
    while (pick := planner.next()) is not None:
        sub = planner.submissions[-1]
        cand = cands[sub.candidate_index]
        n = len(planner.submissions)
        earned: dict[str, float] = {}
        if n in made and made[n].program == cand.program:
            earned = made[n].earned
        elif judge is not None:
            earned = judge(cand.program)
        if judge is not None:
            planner.feedback(earned)
        rank = _rank(planner, matrix, sub.candidate_index)
        row = SubmissionRow(n, pick[0], cand.program, sub.cluster, rank, earned)
        store.add_submission(row)
        out.append(row)
    return out


def _rank(planner: Planner, matrix: ExecutionMatrix, cand: int) -> int:
    """1 + how many candidates of the same subtask the ranker scored higher."""
    rows = matrix.candidates_of(int(matrix.cand_subtask[cand]))
    return 1 + int((planner.scores[rows] > planner.scores[cand]).sum())


def planner_settings(config: RunConfig) -> PlannerSettings:
    update: dict[str, object] = {}
    if config.submissions is not None:
        update["limit"] = config.submissions
    if config.penalty is not None:
        update["penalty"] = config.penalty
    return PlannerSettings().model_copy(update=update)

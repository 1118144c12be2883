"""The planner's loop with the judge in it: the run's submissions, made and stored one by one.

Already-made submissions (a resumed run) are replayed from the store, not judged again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources

from cpsolve.config import RunConfig
from cpsolve.sample.stage import Candidate
from cpsolve.select.matrix import ExecutionMatrix
from cpsolve.select.planner import Planner, PlannerSettings, load_settings
from cpsolve.select.rerank import LearnedRanker
from cpsolve.store import Store, SubmissionRow

DEFAULT_SELECTION = "selection.json"  # in cpsolve/data: the shipped scorer (see docs/design.md)

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
    planner = Planner(matrix, planner_settings(config), ranker=planner_ranker(config))
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


def planner_settings(config: RunConfig, *, hand_set: bool = False) -> PlannerSettings:
    """The run's planner settings: `--selection FILE`, else the shipped default scorer (with
    `hand_set`, the code's hand-set defaults instead: what leave-one-problem-out tunes from,
    since the shipped scorer was tuned on pools a bench may hold), with the config's limit and
    penalty overrides."""
    if config.selection:
        base = load_settings(config.selection)
    elif hand_set:
        base = PlannerSettings()
    else:
        with resources.as_file(resources.files("cpsolve") / "data" / DEFAULT_SELECTION) as p:
            base = load_settings(p)
    update: dict[str, object] = {}
    if config.submissions is not None:
        update["limit"] = config.submissions
    if config.penalty is not None:
        update["penalty"] = config.penalty
    return base.model_copy(update=update)


def planner_ranker(config: RunConfig) -> LearnedRanker | None:
    """The learned ranker of `--ranker FILE`, or None (the settings' heuristic weights)."""
    return LearnedRanker.load(config.ranker) if config.ranker else None


def scorer_name(config: RunConfig) -> str:
    """What scores the candidates, for the report."""
    if config.ranker:
        return f"learned ranker {config.ranker}"
    if config.selection:
        return f"selection settings {config.selection}"
    return f"shipped default scorer (cpsolve/data/{DEFAULT_SELECTION})"

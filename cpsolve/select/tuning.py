"""Choose the scorer's weights and the cluster penalty by random search over judged runs.

Each trial replays the whole submission process (the online Planner, with hidden results as
the judge) on every matrix and scores the share of the maximum points held after each
submission, averaged over the submissions up to the limit and over the runs (sooner is better),
as o1-ioi tuned its selection on earlier years. Trial 0 is the starting settings, so the
result is never worse than them on the runs tuned on. Clustering and features do not depend
on the weights: they are computed once per matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel

from cpsolve.errors import UserError
from cpsolve.select.baselines import ReplayResult, padded_curve, replay_planner
from cpsolve.select.matrix import ExecutionMatrix
from cpsolve.select.planner import PlannerSettings, Prepared, prepare
from cpsolve.select.rerank import ScoreWeights

# Range searched for each weight: signs follow what the feature means (errors never help).
WEIGHT_RANGES: dict[str, tuple[float, float]] = {
    "public_pass": (0.0, 6.0),
    "gen_error_rate": (-6.0, 0.0),
    "cluster_share": (0.0, 10.0),
    "log_code_len": (-1.0, 0.5),
    "logprob": (0.0, 3.0),
    "logprob_known": (-1.0, 1.0),
    "time_frac": (-3.0, 0.0),
    "max_input_time": (-3.0, 0.0),
    "timed_out": (-6.0, 0.0),
    "plurality": (0.0, 8.0),
}
PENALTY_RANGE = (0.01, 10.0)  # searched log-uniformly


class TuningResult(BaseModel):
    settings: PlannerSettings
    score: float  # mean share of max points over the runs, with `settings`
    start_score: float  # the same with the starting settings
    trials: int
    runs: int


def sample_settings(rng: np.random.Generator, base: PlannerSettings) -> PlannerSettings:
    weights = ScoreWeights(
        **{k: float(rng.uniform(lo, hi)) for k, (lo, hi) in WEIGHT_RANGES.items()}
    )
    lo, hi = np.log(PENALTY_RANGE[0]), np.log(PENALTY_RANGE[1])
    penalty = float(np.exp(rng.uniform(lo, hi)))
    return base.model_copy(update={"weights": weights, "penalty": penalty})


def evaluate(
    matrices: Sequence[ExecutionMatrix], prepared: Sequence[Prepared], settings: PlannerSettings
) -> float:
    """Mean over the runs of the share of the maximum points the Planner holds after each
    submission, averaged over the submissions up to the limit (a plan that ends holds its
    points): earning them sooner scores higher, so a scorer that already reaches the full
    points within the limit everywhere can still be told from a faster one."""
    shares = [
        _area(replay_planner(m, settings, prepared=p))
        for m, p in zip(matrices, prepared, strict=True)
    ]
    return float(np.mean(shares)) if shares else 0.0


def _area(r: ReplayResult) -> float:
    if r.max_score <= 0 or r.limit <= 0:
        return 0.0
    return float(np.mean(padded_curve(r))) / r.max_score


def tune(
    matrices: Sequence[ExecutionMatrix],
    *,
    trials: int = 200,
    seed: int = 0,
    base: PlannerSettings | None = None,
    on_trial: Callable[[int, float], None] | None = None,
) -> TuningResult:
    """Random search: `trials` settings (the first is `base`), the best mean share wins;
    ties keep the earlier trial."""
    base = base or PlannerSettings()
    judged = [m for m in matrices if m.has_hidden]
    if not judged:
        raise UserError(
            "tuning needs runs judged with hidden tests; none of the given runs has hidden results"
        )
    prepared = [prepare(m, base) for m in judged]
    rng = np.random.default_rng(seed)
    best, best_score = base, evaluate(judged, prepared, base)
    start = best_score
    if on_trial:
        on_trial(0, best_score)
    for t in range(1, trials):
        candidate = sample_settings(rng, base)
        score = evaluate(judged, prepared, candidate)
        if score > best_score:
            best, best_score = candidate, score
        if on_trial:
            on_trial(t, best_score)
    return TuningResult(
        settings=best, score=best_score, start_score=start, trials=trials, runs=len(judged)
    )

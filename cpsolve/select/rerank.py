"""Score candidates from what they did: a weighted heuristic, or a learned scikit-learn model.

Features per candidate (the columns of `features()`, named by `FEATURES`):
public-test pass fraction, error rate on generated inputs, its cluster's share of the subtask's
candidates, code length relative to the subtask's median (log), mean token logprob where known
(0 otherwise) and whether it is known, and the slowest successful run relative to the time limit,
in steps of a tenth (measured time jitters from run to run; a finer value would let that noise
reorder equal candidates, and a resumed run would not plan what an uninterrupted one did); the
slowest run on the subtask's largest generated inputs relative to the limit (a time-out counts
as the whole limit; tenths too), and whether it timed out on any generated input: a program
right on everything but too slow on the maximum sizes ranks below the right ones (it leaves
their cluster only where a time-out changed its verdict); and its agreement with the plurality:
the share of its subtask's generated inputs on which it gives the output most of the subtask's
public-test passers give (CodeT's dual agreement, per candidate). Exact clusters see a right
program that only a few samples share as one more small cluster; wrong programs near the right
one (an edge case missed, a bound off by one) each differ from it on a few inputs of their own,
so on every input most of them side with it, and the plurality's answer is the right one unless
one wrong algorithm outnumbers everything else.
Filtering (candidates failing a public test they must pass rank below all that pass) is the
planner's first key, `passes_public()`; the score orders candidates within that tier.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from cpsolve.errors import UserError
from cpsolve.select.cluster import Clustering
from cpsolve.select.matrix import NOT_RUN, OK, ExecutionMatrix, verdict_code

TLE = verdict_code("TLE")

FEATURES: tuple[str, ...] = (
    "public_pass",
    "gen_error_rate",
    "cluster_share",
    "log_code_len",
    "logprob",
    "logprob_known",
    "time_frac",
    "max_input_time",
    "timed_out",
    "plurality",
)
RANKER_FORMAT = 4  # 2: time_frac in tenths; 3: max_input_time, timed_out; 4: plurality
TIME_STEPS = 10  # time_frac is floor(slowest / limit * TIME_STEPS) / TIME_STEPS


class ScoreWeights(BaseModel):
    """Weights of the heuristic scorer, one per feature (see FEATURES)."""

    model_config = ConfigDict(extra="forbid")

    public_pass: float = 2.0
    gen_error_rate: float = -2.0
    cluster_share: float = 4.0
    log_code_len: float = -0.1
    logprob: float = 0.5
    logprob_known: float = 0.0
    time_frac: float = -0.5
    max_input_time: float = -1.0
    timed_out: float = -2.0
    plurality: float = 3.0

    def vector(self) -> np.ndarray:
        return np.array([getattr(self, f) for f in FEATURES], dtype=np.float64)


def passes_public(matrix: ExecutionMatrix) -> np.ndarray:
    """Per candidate: compiled and passed every public test its subtask (and the subtasks that
    subtask includes) requires."""
    required = matrix.public_required[matrix.cand_subtask]
    failed = required & ~matrix.public_passed
    return matrix.compile_ok & ~failed.any(axis=1)


def _public_fraction(matrix: ExecutionMatrix) -> np.ndarray:
    required = matrix.public_required[matrix.cand_subtask]
    n_req = required.sum(axis=1)
    n_ok = (required & matrix.public_passed).sum(axis=1)
    return np.where(n_req > 0, n_ok / np.maximum(n_req, 1), 1.0)


def _relevant_mask(matrix: ExecutionMatrix) -> np.ndarray:
    per_subtask = np.zeros((matrix.n_subtasks, matrix.n_inputs), dtype=bool)
    for s in range(matrix.n_subtasks):
        per_subtask[s, matrix.relevant_inputs(s)] = True
    return per_subtask[matrix.cand_subtask]


def _log_len(matrix: ExecutionMatrix) -> np.ndarray:
    out = np.zeros(matrix.n_candidates)
    length = np.log1p(matrix.code_len.astype(np.float64))
    for s in range(matrix.n_subtasks):
        rows = matrix.candidates_of(s)
        if rows.size:
            out[rows] = length[rows] - np.median(length[rows])
    return out


def _tenths(frac: np.ndarray) -> np.ndarray:
    frac = np.clip(np.asarray(frac, dtype=np.float64), 0.0, 1.0)
    return np.floor(frac * TIME_STEPS + 1e-9) / TIME_STEPS


def _largest_mask(matrix: ExecutionMatrix) -> np.ndarray:
    per_subtask = np.zeros((matrix.n_subtasks, matrix.n_inputs), dtype=bool)
    for s in range(matrix.n_subtasks):
        per_subtask[s, matrix.largest_inputs(s)] = True
    return per_subtask[matrix.cand_subtask]


def time_features(matrix: ExecutionMatrix, relevant: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per candidate: the slowest run on its subtask's largest inputs relative to the limit
    (a time-out: 1; tenths), and whether any relevant generated input timed out."""
    tle = relevant & (matrix.gen_verdict == TLE)
    limit = matrix.meta.time_limit_s
    ran = (matrix.gen_verdict != NOT_RUN) & _largest_mask(matrix)
    t = np.where(matrix.gen_verdict == TLE, limit, matrix.gen_time)
    slowest = np.where(ran, t, 0.0).max(axis=1, initial=0.0)
    return _tenths(slowest / limit), tle.any(axis=1).astype(np.float64)


def column_plurality(classes: np.ndarray) -> np.ndarray:
    """Per column, the most frequent non-negative value (the smallest on a tie; -1 if none)."""
    out = np.full(classes.shape[1], -1, dtype=np.int64)
    for j in range(classes.shape[1]):
        col = classes[:, j][classes[:, j] >= 0]
        if col.size:
            vals, counts = np.unique(col, return_counts=True)
            out[j] = vals[np.argmax(counts)]
    return out


def plurality_agreement(matrix: ExecutionMatrix) -> np.ndarray:
    """Per candidate: the share of its subtask's relevant generated inputs on which it ran and
    gave the output class that most of the subtask's public-test passers gave (0 where no
    passer gave one, or the subtask has no generated input)."""
    out = np.zeros(matrix.n_candidates)
    voters = passes_public(matrix)
    for s in range(matrix.n_subtasks):
        rows, cols = matrix.candidates_of(s), matrix.relevant_inputs(s)
        if not rows.size or not cols.size:
            continue
        ran = matrix.gen_verdict[np.ix_(rows, cols)] == OK
        classes = np.where(ran, matrix.gen_class[np.ix_(rows, cols)], -1)
        plural = column_plurality(classes[voters[rows]])
        out[rows] = ((classes == plural[None, :]) & (plural >= 0)[None, :]).mean(axis=1)
    return out


def features(matrix: ExecutionMatrix, clusterings: dict[int, Clustering]) -> np.ndarray:
    """The (candidates x FEATURES) feature matrix; candidates in no cluster get share 0."""
    relevant = _relevant_mask(matrix)
    ran = relevant & (matrix.gen_verdict != NOT_RUN)
    good = ran & (matrix.gen_verdict == OK)
    n_ran = ran.sum(axis=1)
    error_rate = np.where(n_ran > 0, (n_ran - good.sum(axis=1)) / np.maximum(n_ran, 1), 0.0)
    share = np.zeros(matrix.n_candidates)
    for cl in clusterings.values():
        share[cl.members] = cl.share()
    slowest = np.where(good, matrix.gen_time, 0.0).max(axis=1, initial=0.0)
    time_frac = _tenths(slowest / matrix.meta.time_limit_s)
    max_input_time, timed_out = time_features(matrix, relevant)
    known = ~np.isnan(matrix.logprob)
    cols = {
        "public_pass": _public_fraction(matrix),
        "gen_error_rate": error_rate,
        "cluster_share": share,
        "log_code_len": _log_len(matrix),
        "logprob": np.where(known, matrix.logprob, 0.0),
        "logprob_known": known.astype(np.float64),
        "time_frac": time_frac,
        "max_input_time": max_input_time,
        "timed_out": timed_out,
        "plurality": plurality_agreement(matrix),
    }
    return np.column_stack([np.asarray(cols[f], dtype=np.float64) for f in FEATURES])


def heuristic_scores(x: np.ndarray, weights: ScoreWeights | None = None) -> np.ndarray:
    """Weighted sum of the features: the default scorer."""
    return x @ (weights or ScoreWeights()).vector()


class LearnedRanker:
    """A scikit-learn classifier of "this candidate earns its subtask's full points", saved
    with its feature list and a format version so an incompatible file is refused."""

    def __init__(self, model: object, feature_names: tuple[str, ...] = FEATURES) -> None:
        self.model = model
        self.feature_names = feature_names

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, *, seed: int = 0) -> LearnedRanker:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        y = np.asarray(y, dtype=bool)
        if y.all() or not y.any():
            raise UserError(
                "training a ranker needs judged candidates both right and wrong; "
                "add runs whose candidates did not all pass (or all fail) the hidden tests"
            )
        model = make_pipeline(
            StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed)
        )
        model.fit(x, y)
        return cls(model)

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Probability that each candidate is right."""
        return self.model.predict_proba(x)[:, 1]  # type: ignore[attr-defined]

    def save(self, path: str | Path) -> Path:
        import joblib
        import sklearn

        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        blob = {
            "format": RANKER_FORMAT,
            "features": list(self.feature_names),
            "sklearn": sklearn.__version__,
            "model": self.model,
        }
        joblib.dump(blob, p)
        return p

    @classmethod
    def load(cls, path: str | Path) -> LearnedRanker:
        import joblib

        p = Path(path)
        if not p.is_file():
            raise UserError(f"{p}: no such ranker file; train one with `cpsolve train-ranker`")
        try:
            blob = joblib.load(p)
        except Exception as e:  # joblib raises many kinds on a foreign file
            raise UserError(f"{p}: not a ranker saved by cpsolve ({type(e).__name__})") from None
        if not isinstance(blob, dict) or "format" not in blob or "model" not in blob:
            raise UserError(f"{p}: not a ranker saved by cpsolve; retrain with train-ranker")
        if blob["format"] != RANKER_FORMAT or tuple(blob.get("features", ())) != FEATURES:
            raise UserError(
                f"{p}: ranker format {blob['format']} with features {blob.get('features')} "
                f"does not match this cpsolve (format {RANKER_FORMAT}, features "
                f"{list(FEATURES)}); retrain it with `cpsolve train-ranker`"
            )
        return cls(blob["model"], tuple(blob["features"]))


def training_set(matrix: ExecutionMatrix, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the judged, compiled candidates of a matrix with hidden results:
    label = earned the full points of the subtask it was sampled for."""
    if matrix.hidden_points is None:
        return np.zeros((0, x.shape[1])), np.zeros(0, dtype=bool)
    own = matrix.hidden_points[np.arange(matrix.n_candidates), matrix.cand_subtask]
    full = matrix.points[matrix.cand_subtask]
    keep = matrix.compile_ok & ~np.isnan(own)
    return x[keep], (own[keep] >= full[keep] - 1e-9)

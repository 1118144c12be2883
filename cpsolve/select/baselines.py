"""Selection baselines beside ours, on the same matrix, and the offline replay that scores them.

A baseline picks submissions without the judge's feedback (except ours, the online Planner);
each is scored by replaying its submissions against the matrix's hidden results: a subtask earns
the best points any submission earned on it, as IOI (CMS) scores a contestant.

- random: compiled candidates in random order (o1-ioi's random-50), as an expectation: the mean
  of `DRAWS` random orders, with the 10th-90th percentile band of the curve.
- public-then-random: random order among candidates passing their public tests, then the rest;
  the same expectation over `DRAWS` orders.
- alphacode (AlphaCode's largest-clusters-first): per subtask, public-test passers clustered by
  behaviour, one member of each cluster from the largest down, round after round.
- codet (CodeT's dual agreement): a generated input's expected output is the plurality output;
  candidates are grouped by the set of such tests (and public tests) they agree with, and a group
  scores (tests agreed) x sqrt(members).
- oracle: the most any k compiled candidates could earn together.

Every strategy is replayed to a horizon of at least `max(KS)` submissions (the curve), whatever
the contest's limit, so points after k submissions compare at every k; `points` is the value at
the limit. "Submissions until full points" of a subtask: the 1-based position of the first
submission earning them (None: not within the horizon); for the random strategies, the mean
over the draws of that position in a whole random order of the candidates (None: no candidate
earns them).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

from cpsolve.select.cluster import exact_labels, signatures
from cpsolve.select.matrix import ExecutionMatrix
from cpsolve.select.metrics import StrategyRow, strategy_table
from cpsolve.select.planner import Planner, PlannerSettings, Prepared
from cpsolve.select.rerank import LearnedRanker, column_plurality, passes_public

BASELINES = ("random", "public-then-random", "alphacode", "codet")
KS = (1, 2, 5, 10, 50)  # points after k submissions are reported for these k
DRAWS = 1000  # random orders averaged for the random baselines


@dataclass
class ReplayResult:
    """Points a strategy earned with at most `limit` submissions; `curve[j]` after j+1."""

    name: str
    points: float
    max_score: float
    limit: int
    submissions: list[int] = field(default_factory=list)  # candidate indices, in order
    curve: list[float] = field(default_factory=list)
    low: list[float] = field(default_factory=list)  # 10th percentile of the curve (random ones)
    high: list[float] = field(default_factory=list)  # 90th percentile
    first_full: list[float | None] = field(default_factory=list)  # per subtask index

    @property
    def fraction(self) -> float:
        return self.points / self.max_score if self.max_score else 0.0


def _hidden(matrix: ExecutionMatrix) -> np.ndarray:
    if matrix.hidden_points is None:
        raise ValueError(f"matrix of {matrix.meta.problem_id} has no hidden results to replay")
    return np.nan_to_num(matrix.hidden_points.astype(np.float64), nan=0.0)


def judge_points(matrix: ExecutionMatrix, candidate: int) -> dict[str, float]:
    """What the judge would say about one submission: points per subtask id."""
    row = _hidden(matrix)[candidate]
    return dict(zip(matrix.subtask_ids, row.tolist(), strict=True))


def score_submissions(
    matrix: ExecutionMatrix, name: str, picks: list[int], limit: int
) -> ReplayResult:
    """Replay a fixed list of submissions (the first `limit` of `picks`)."""
    return _replay(matrix, name, picks[:limit], limit)


def _replay(matrix: ExecutionMatrix, name: str, picks: list[int], limit: int) -> ReplayResult:
    """Score `picks` (possibly longer than `limit`: the curve goes on to the horizon)."""
    hidden = _hidden(matrix)
    rows = hidden[np.asarray(picks, dtype=np.int64)].reshape(len(picks), matrix.n_subtasks)
    curve = np.maximum.accumulate(rows, axis=0).sum(axis=1) if picks else np.zeros(0)
    at_limit = float(curve[min(limit, len(picks)) - 1]) if picks else 0.0
    first = first_full_positions(matrix, rows[None, :, :])[0]
    return ReplayResult(
        name,
        at_limit,
        float(matrix.points.sum()),
        limit,
        list(picks),
        curve.tolist(),
        first_full=[None if np.isnan(v) else float(v) for v in first],
    )


FULL_TOL = 1e-9


def _full_flags(matrix: ExecutionMatrix, rows: np.ndarray) -> np.ndarray:
    full = matrix.points
    return (rows >= full - FULL_TOL) & (full > 0)


def first_full_positions(matrix: ExecutionMatrix, rows: np.ndarray) -> np.ndarray:
    """(draws, subtasks): 1-based position of the first of `rows` (draws, n, subtasks of
    hidden points) earning each subtask's full points; NaN where none does."""
    if rows.shape[1] == 0:  # no submission (a sample of the pool with nothing compiled)
        return np.full((rows.shape[0], matrix.n_subtasks), np.nan)
    flags = _full_flags(matrix, rows)
    hit = flags.any(axis=1)
    return np.where(hit, flags.argmax(axis=1) + 1.0, np.nan)


def replay_planner(
    matrix: ExecutionMatrix,
    settings: PlannerSettings | None = None,
    *,
    ranker: LearnedRanker | None = None,
    prepared: Prepared | None = None,
    name: str = "ours",
) -> ReplayResult:
    """Run the online Planner with the matrix's hidden results standing in for the judge."""
    planner = Planner(matrix, settings, ranker=ranker, prepared=prepared)
    curve: list[float] = []
    while planner.next() is not None:
        planner.feedback(judge_points(matrix, planner.submissions[-1].candidate_index))
        curve.append(planner.total)
    picks = [s.candidate_index for s in planner.submissions]
    return _replay(matrix, name, picks, planner.limit)


# ---- static baselines ----------------------------------------------------------------------


def _compiled(matrix: ExecutionMatrix) -> np.ndarray:
    return np.flatnonzero(matrix.compile_ok)


def random_k(matrix: ExecutionMatrix, k: int, seed: int = 0) -> list[int]:
    rng = np.random.default_rng(seed)
    pool = _compiled(matrix)
    return rng.permutation(pool)[:k].tolist()


def public_then_random(matrix: ExecutionMatrix, k: int, seed: int = 0) -> list[int]:
    rng = np.random.default_rng(seed)
    pool = rng.permutation(_compiled(matrix))
    passed = passes_public(matrix)[pool]
    return np.concatenate([pool[passed], pool[~passed]])[:k].tolist()


def random_orders(
    matrix: ExecutionMatrix, draws: int = DRAWS, seed: int = 0, *, public_first: bool = False
) -> np.ndarray:
    """(draws, compiled candidates): independent random orders of the compiled candidates;
    with `public_first`, those passing their public tests come first in each."""
    rng = np.random.default_rng(seed)
    pool = _compiled(matrix)
    keys = rng.random((draws, pool.size))
    if public_first:
        keys += ~passes_public(matrix)[pool]  # the failing ones sort after every passing one
    return pool[np.argsort(keys, axis=1)]


def expected_replay(
    matrix: ExecutionMatrix, name: str, orders: np.ndarray, limit: int, horizon: int
) -> ReplayResult:
    """The mean replay of many orders (draws x candidates), with the 10th-90th percentile band
    of the curve up to `horizon` and the mean submissions until each subtask's full points
    over whole orders."""
    hidden = _hidden(matrix)
    draws = max(orders.shape[0], 1)
    rows = hidden[orders]  # (draws, n, subtasks)
    if orders.shape[1] == 0:
        curves = np.zeros((draws, 1))
    else:
        curves = np.maximum.accumulate(rows[:, :horizon], axis=1).sum(axis=2)
    curves = np.pad(curves, ((0, 0), (0, max(horizon - curves.shape[1], 0))), mode="edge")
    mean = curves.mean(axis=0)
    low, high = np.percentile(curves, [10, 90], axis=0)
    first = first_full_positions(matrix, rows) if orders.shape[1] else None
    n_sub = matrix.n_subtasks
    first_mean: list[float | None] = (
        [None] * n_sub
        if first is None
        else [None if np.isnan(c).all() else float(np.nanmean(c)) for c in first.T]
    )
    return ReplayResult(
        name,
        float(mean[min(limit, horizon) - 1]),
        float(matrix.points.sum()),
        limit,
        [],
        mean.tolist(),
        low.tolist(),
        high.tolist(),
        first_mean,
    )


def _round_robin(matrix: ExecutionMatrix, per_subtask: dict[int, list[int]], k: int) -> list[int]:
    """Interleave per-subtask orders, hardest subtask first, until k picks or none left."""
    queues = [list(per_subtask.get(s, [])) for s in matrix.hardest_first()]
    out: list[int] = []
    while len(out) < k and any(queues):
        for q in queues:
            if q and len(out) < k:
                out.append(q.pop(0))
    return out


def _rounds(groups: list[np.ndarray]) -> list[int]:
    """One member of each group in the given order, then a second of each, and so on."""
    out: list[int] = []
    depth = max((g.size for g in groups), default=0)
    for r in range(depth):
        out += [int(g[r]) for g in groups if g.size > r]
    return out


def _subtask_pool(matrix: ExecutionMatrix, s: int) -> np.ndarray:
    rows = matrix.candidates_of(s)
    rows = rows[matrix.compile_ok[rows]]
    passed = rows[passes_public(matrix)[rows]]
    return passed if passed.size else rows


def largest_clusters(matrix: ExecutionMatrix, k: int) -> list[int]:
    orders: dict[int, list[int]] = {}
    for s in range(matrix.n_subtasks):
        rows = _subtask_pool(matrix, s)
        labels = exact_labels(signatures(matrix, rows, matrix.relevant_inputs(s)))
        sizes = np.bincount(labels) if labels.size else np.zeros(0, int)
        by_size = np.argsort(-sizes, kind="stable")
        orders[s] = _rounds([rows[labels == g] for g in by_size])
    return _round_robin(matrix, orders, k)


def codet(matrix: ExecutionMatrix, k: int) -> list[int]:
    orders: dict[int, list[int]] = {}
    for s in range(matrix.n_subtasks):
        rows = matrix.candidates_of(s)
        rows = rows[matrix.compile_ok[rows]]
        sig = signatures(matrix, rows, matrix.relevant_inputs(s))
        agree = sig == column_plurality(sig)[None, :]
        public = matrix.public_passed[rows][:, matrix.public_required[s]]
        passed = np.ascontiguousarray(np.hstack([agree, public]).astype(np.uint8))
        labels = exact_labels(passed)
        if not labels.size:
            orders[s] = []
            continue
        size = np.bincount(labels)
        tests = np.zeros(size.size)
        tests[labels] = passed.sum(axis=1)
        score = tests * np.sqrt(size)
        order = np.lexsort((np.arange(size.size), -score))
        orders[s] = _rounds([rows[labels == g] for g in order])
    return _round_robin(matrix, orders, k)


def _pareto_front(rows: np.ndarray, chunk: int = 128) -> np.ndarray:
    """Distinct rows that no other row matches everywhere and beats somewhere."""
    keep = np.ones(len(rows), dtype=bool)
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk, None, :]
        ge = np.all(rows[None, :, :] >= part, axis=2)
        gt = np.any(rows[None, :, :] > part, axis=2)
        keep[start : start + chunk] = ~np.any(ge & gt, axis=1)
    return rows[keep]


def oracle_curve(
    matrix: ExecutionMatrix, k_max: int, *, max_combinations: int = 50_000
) -> list[float]:
    """The most any k compiled candidates could earn together, for k = 1..k_max. Exact from
    k = subtasks on, and below that when the search over the Pareto front is small; else a
    greedy lower bound."""
    hidden = _hidden(matrix)[matrix.compile_ok]
    if hidden.size == 0 or k_max <= 0:
        return [0.0] * max(k_max, 0)
    everything = float(hidden.max(axis=0).sum())
    small_k = range(1, min(k_max + 1, matrix.n_subtasks))
    front = _pareto_front(np.unique(hidden, axis=0)) if small_k else hidden[:0]
    curve = [_oracle_small_k(front, k, max_combinations) for k in small_k]
    return curve + [everything] * (k_max - len(curve))


def _oracle_small_k(front: np.ndarray, k: int, max_combinations: int) -> float:
    k = min(k, len(front))
    if math.comb(len(front), k) <= max_combinations:
        combos = itertools.combinations(range(len(front)), k)
        best_total = 0.0
        while batch := list(itertools.islice(combos, 8192)):
            picked = front[np.array(batch)]  # (batch, k, subtasks)
            best_total = max(best_total, float(picked.max(axis=1).sum(axis=1).max()))
        return best_total
    best = np.zeros(front.shape[1])
    for _ in range(k):
        best = np.maximum(best, front[int(np.argmax(np.maximum(front, best).sum(axis=1)))])
    return float(best.sum())


def oracle_points(matrix: ExecutionMatrix, k: int, *, max_combinations: int = 50_000) -> float:
    """The most any k compiled candidates could earn together (see `oracle_curve`)."""
    if k <= 0:
        return 0.0
    return oracle_curve(matrix, k, max_combinations=max_combinations)[-1]


def run_baselines(
    matrix: ExecutionMatrix,
    *,
    limit: int | None = None,
    seed: int = 0,
    settings: PlannerSettings | None = None,
    ranker: LearnedRanker | None = None,
    horizon: int | None = None,
    draws: int = DRAWS,
) -> dict[str, ReplayResult]:
    """Ours, every baseline, and the oracle, each scored at the same submission limit, with
    curves to `horizon` submissions (default: the limit or max(KS), whichever is more)."""
    settings = settings or PlannerSettings()
    k = limit or settings.limit or matrix.default_limit()
    h = max(horizon or max(k, max(KS)), k)
    ours = replay_planner(matrix, settings.model_copy(update={"limit": h}), ranker=ranker)
    ours.limit = k
    ours.points = _at(ours.curve, k)
    out = {"ours": ours}
    for name, first in (("random", False), ("public-then-random", True)):
        orders = random_orders(matrix, draws, seed, public_first=first)
        out[name] = expected_replay(matrix, name, orders, k, h)
    for name, picks in (("alphacode", largest_clusters(matrix, h)), ("codet", codet(matrix, h))):
        out[name] = _replay(matrix, name, picks, k)
    curve = oracle_curve(matrix, h)
    out["oracle"] = ReplayResult(
        "oracle", curve[k - 1], float(matrix.points.sum()), k, [], curve, first_full=[]
    )
    return out


def _at(curve: list[float], k: int) -> float:
    """Points after k submissions of a curve (a plan that stopped early keeps its points)."""
    return float(curve[min(k, len(curve)) - 1]) if curve else 0.0


def padded_curve(result: ReplayResult) -> list[float]:
    """Points after 1..limit submissions; a strategy that stopped early keeps its points."""
    curve = list(result.curve[: result.limit]) or [0.0]
    return curve + [curve[-1]] * (result.limit - len(curve))


def sample_scaling(
    matrix: ExecutionMatrix,
    sizes: list[int],
    *,
    seed: int = 0,
    settings: PlannerSettings | None = None,
) -> dict[str, list[float]]:
    """Points of ours, random-k and the oracle when only `n` random candidates per subtask had
    been sampled, for each n in `sizes` (the same draw grows with n)."""
    rng = np.random.default_rng(seed)
    shuffled = {s: rng.permutation(matrix.candidates_of(s)) for s in range(matrix.n_subtasks)}
    out: dict[str, list[float]] = {"ours": [], "random": [], "oracle": []}
    for n in sizes:
        rows = np.sort(np.concatenate([v[:n] for v in shuffled.values()]))
        results = run_baselines(matrix.take(rows), seed=seed, settings=settings, horizon=1)
        for name in out:
            out[name].append(results[name].points)
    return out


def selection_table(
    matrix: ExecutionMatrix, results: dict[str, ReplayResult], ks: tuple[int, ...] = KS
) -> dict[str, StrategyRow]:
    """The k-table of `run_baselines`' results: points after k submissions per strategy, as a
    share of the oracle's, bands for the random ones, submissions until full points."""
    limit = results["ours"].limit
    ids = matrix.subtask_ids
    firsts = {
        name: {ids[s]: v for s, v in enumerate(r.first_full) if matrix.points[s] > 0}
        for name, r in results.items()
        if r.first_full
    }
    return strategy_table(
        {name: r.curve for name, r in results.items()},
        ks=ks,
        limit=limit,
        bands={name: (r.low, r.high) for name, r in results.items() if r.low},
        first_full=firsts,
    )

"""Metrics people compare across runs: pass@k (unbiased), n@k, solve rate; and the regression
check behind `cpsolve eval`. Pure functions."""

from __future__ import annotations

from collections.abc import Sequence
from math import comb

from pydantic import BaseModel, Field


def pass_at_k(n: int, c: int, k: int) -> float:
    """Chance that at least one of k samples drawn from n (c of them correct) is correct.

    The unbiased estimator of Chen et al. (2021): 1 - C(n-c, k) / C(n, k).
    """
    if n <= 0 or k <= 0:
        return 0.0
    k = min(k, n)
    if n - c < k:
        return 1.0
    return 1.0 - comb(n - c, k) / comb(n, k)


class Regression(BaseModel):
    metric: str
    baseline: float
    current: float
    allowed: float


def find_regressions(
    current: dict[str, float],
    baseline: dict[str, float],
    *,
    tolerance: float = 0.0,
    relative: float = 0.0,
) -> list[Regression]:
    """Metrics (higher is better) that fell below baseline by more than the tolerance.

    A metric in the baseline but missing from the current results is a regression too.
    """
    out = []
    for name, base in sorted(baseline.items()):
        allowed = max(tolerance, abs(base) * relative)
        cur = current.get(name)
        if cur is None:
            out.append(
                Regression(metric=name, baseline=base, current=float("nan"), allowed=allowed)
            )
        elif cur < base - allowed - 1e-9:
            out.append(Regression(metric=name, baseline=base, current=cur, allowed=allowed))
    return out


# ---- points after k submissions, against the oracle -----------------------------------------

STRATEGIES = ("ours", "random", "public-then-random", "alphacode", "codet", "oracle")
BASELINE_NAMES = ("random", "public-then-random", "alphacode", "codet")


class StrategyRow(BaseModel):
    """One strategy on one problem (or summed over a set): points after k submissions for each
    reported k ("1", "2", ..., "limit"), each as a share of the oracle's with the same k, and
    per subtask the submissions until its full points (expected, for the random ones)."""

    points: dict[str, float]
    of_oracle: dict[str, float | None]
    low: dict[str, float] = Field(default_factory=dict)  # 10th percentile (random ones)
    high: dict[str, float] = Field(default_factory=dict)  # 90th percentile
    first_full: dict[str, float | None] = Field(default_factory=dict)


def k_labels(ks: Sequence[int], limit: int) -> list[tuple[str, int]]:
    """("1", 1), ..., ("limit", limit): the columns of the table."""
    return [(str(k), k) for k in ks] + [("limit", limit)]


def at_k(curve: Sequence[float], k: int) -> float:
    """Points after k submissions; a curve shorter than k kept its last value."""
    return float(curve[min(k, len(curve)) - 1]) if len(curve) else 0.0


def strategy_table(
    curves: dict[str, Sequence[float]],
    *,
    ks: Sequence[int],
    limit: int,
    bands: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
    first_full: dict[str, dict[str, float | None]] | None = None,
) -> dict[str, StrategyRow]:
    """The k-table of one problem from each strategy's curve (points after 1, 2, ...
    submissions); `curves` must hold "oracle"."""
    cols = k_labels(ks, limit)
    oracle = {label: at_k(curves["oracle"], k) for label, k in cols}
    out: dict[str, StrategyRow] = {}
    for name, curve in curves.items():
        pts = {label: round(at_k(curve, k), 4) for label, k in cols}
        row = StrategyRow(points=pts, of_oracle=_shares(pts, oracle))
        if bands and name in bands:
            lo, hi = bands[name]
            row.low = {label: round(at_k(lo, k), 4) for label, k in cols}
            row.high = {label: round(at_k(hi, k), 4) for label, k in cols}
        row.first_full = dict((first_full or {}).get(name, {}))
        out[name] = row
    return out


def _shares(points: dict[str, float], oracle: dict[str, float]) -> dict[str, float | None]:
    return {k: (round(v / oracle[k], 4) if oracle[k] > 0 else None) for k, v in points.items()}


def aggregate_tables(
    tables: Sequence[dict[str, StrategyRow]], max_scores: Sequence[float]
) -> dict[str, StrategyRow]:
    """Per strategy and k, each problem's points as a share of its maximum, summed over the
    problems (every problem counts 1, whether it is worth 1 point or 100); shares against the
    oracle's sum."""
    names = [n for n in STRATEGIES if all(n in t for t in tables)] if tables else []
    out: dict[str, StrategyRow] = {}
    if "oracle" not in names:
        return out
    labels = list(tables[0]["oracle"].points)
    scale = [1.0 / m if m > 0 else 0.0 for m in max_scores]
    summed = {
        n: {
            k: round(
                sum(t[n].points.get(k, 0.0) * w for t, w in zip(tables, scale, strict=True)), 4
            )
            for k in labels
        }
        for n in names
    }
    for n in names:
        out[n] = StrategyRow(points=summed[n], of_oracle=_shares(summed[n], summed["oracle"]))
    return out


class GateFailure(BaseModel):
    k: str
    ours: float
    best: float
    baseline: str


def beats_baselines(
    table: dict[str, StrategyRow], ks: Sequence[str] = ("10", "50")
) -> list[GateFailure]:
    """Each k of `ks` at which ours earns less than the best baseline (expected values for the
    random ones) in an aggregate table: the gate's first rule."""
    out: list[GateFailure] = []
    if "ours" not in table:
        return out
    for k in ks:
        if k not in table["ours"].points:
            continue
        rivals = {n: table[n].points[k] for n in BASELINE_NAMES if n in table}
        if not rivals:
            continue
        best = max(rivals, key=lambda n: rivals[n])
        ours = table["ours"].points[k]
        if ours < rivals[best] - 1e-9:
            out.append(GateFailure(k=k, ours=ours, best=rivals[best], baseline=best))
    return out

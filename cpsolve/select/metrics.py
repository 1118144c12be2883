"""Metrics people compare across runs: pass@k (unbiased), n@k, solve rate; and the regression
check behind `cpsolve eval`. Pure functions."""

from __future__ import annotations

from math import comb

from pydantic import BaseModel


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

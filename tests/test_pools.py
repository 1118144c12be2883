"""benchmarks/pool_stats.py finds each failure mode in a small hand-made judged pool, and computes
random@50 as an expectation over random orders, never above the oracle."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from cpsolve.select.matrix import VERDICTS, ExecutionMatrix, MatrixMeta

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("pool_stats", ROOT / "benchmarks" / "pool_stats.py")
assert _spec is not None and _spec.loader is not None
pool_stats = importlib.util.module_from_spec(_spec)
sys.modules["pool_stats"] = pool_stats  # its dataclass looks its module up
_spec.loader.exec_module(pool_stats)

AC, TLE, WA = VERDICTS.index("AC"), VERDICTS.index("TLE"), VERDICTS.index("WA")
SIZES = np.array([10, 20, 30, 5000])  # the last input is the large one
# kind -> (passes public, output classes on the 4 inputs, verdicts, right on hidden)
KINDS = {
    "right": (True, [0, 0, 0, 0], [AC] * 4, True),
    "popular": (True, [1, 1, 1, 1], [AC] * 4, False),
    "slow": (True, [0, 0, 0, -1], [AC, AC, AC, TLE], False),
    "overflow": (True, [0, 0, 0, 2], [AC] * 4, False),
    "edge": (True, [0, 3, 0, 0], [AC] * 4, False),
    "hidden_edge": (True, [0, 0, 0, 0], [AC] * 4, False),
    "fails_public": (False, [4, 4, 4, 4], [AC] * 4, False),
}
POOL = ["right"] + ["popular"] * 5 + ["slow", "overflow", "edge", "hidden_edge"]
POOL += ["fails_public"] * 90


def _matrix(kinds: list[str]) -> ExecutionMatrix:
    c = len(kinds)
    rows = [KINDS[k] for k in kinds]
    return ExecutionMatrix(
        meta=MatrixMeta(
            problem_id="synthetic",
            scoring="all-or-nothing",
            time_limit_s=1.0,
            subtask_ids=["all"],
            subtask_points=[1.0],
            candidate_ids=[f"c{i}" for i in range(c)],
            public_test_names=["ex1"],
            input_names=[f"all:{i}" for i in range(4)],
        ),
        cand_subtask=np.zeros(c),
        code_len=np.full(c, 100),
        logprob=np.full(c, np.nan),
        compile_ok=np.ones(c, dtype=bool),
        includes=np.zeros((1, 1), dtype=bool),
        public_required=np.ones((1, 1), dtype=bool),
        public_passed=np.array([[r[0]] for r in rows]),
        public_verdict=np.array([[AC if r[0] else WA] for r in rows]),
        input_subtask=np.zeros(4),
        gen_verdict=np.array([r[2] for r in rows]),
        gen_class=np.array([r[1] for r in rows]),
        gen_time=np.full((c, 4), 0.1),
        hidden_points=np.array([[1.0 if r[3] else 0.0] for r in rows]),
    )


def test_each_failure_mode_is_found():
    s = pool_stats.pool_stats(_matrix(POOL), SIZES, draws=50)
    assert (s.samples, s.right) == (100, 1)
    assert (s.popular_wrong, s.slow, s.large_only, s.edge) == (5, 1, 1, 2)
    modes = s.modes()
    assert modes["rare right (<=3%)"] and modes["slow"] and modes["large-only"] and modes["edge"]
    assert not modes["popular wrong (>=10%)"]  # 5 of 100


def test_random50_is_an_expectation_below_the_oracle():
    s = pool_stats.pool_stats(_matrix(POOL), SIZES, draws=200)
    assert s.oracle50 == 1.0
    assert s.random50 == pytest.approx(0.5, abs=0.1)  # 50 of 100 draws hold the right one
    assert s.limit == 10 and s.oracle_limit == 1.0  # all-or-nothing: cpsolve's limit is 10
    assert s.random_limit == pytest.approx(0.1, abs=0.05)  # 10 of 100 draws
    few = pool_stats.pool_stats(_matrix(POOL[:10]), SIZES, draws=20)
    assert few.random50 == 1.0  # 50 submissions take all 10 candidates


def test_the_table_flags_a_set_that_does_not_discriminate(tmp_path):
    m = _matrix(POOL[:10])
    path = m.save(tmp_path / "matrix.npz")
    assert pool_stats.main([str(path), "--draws", "5", "--out", str(tmp_path / "P.md")]) == 1
    text = (tmp_path / "P.md").read_text()
    assert "| synthetic | all | 10 |" in text and "= 100.0%" in text
    big = _matrix(POOL).save(tmp_path / "big.npz")
    assert pool_stats.main([str(big), "--draws", "200"]) == 0

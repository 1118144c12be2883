"""Selection speed at o1-ioi's scale: 10,000 candidates x 256 generated inputs, one core.

Times clustering, ranking (features + heuristic scores) and a 50-submission online plan on a
synthetic matrix (a few hundred behaviours of Zipf-like sizes, singletons, failures), and prints
each in seconds and as a ratio to one numpy hashing pass over the same class matrix (a
multiply-add row hash), measured in the same run. Target: the whole under 2 s. Also the
expected random baselines: `DRAWS` (1000) random orders replayed to 50 submissions on a
300-candidate matrix (with hidden results), against one replay of a single order in the same
run; target: well under a second.

    python benchmarks/selection_speed.py [--candidates 10000] [--inputs 256] [--repeat 3]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core, before numpy loads its BLAS

import argparse  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from cpsolve.select.baselines import DRAWS  # noqa: E402
from cpsolve.select.matrix import ExecutionMatrix, MatrixMeta, verdict_code  # noqa: E402
from cpsolve.select.planner import Planner, PlannerSettings, prepare  # noqa: E402
from cpsolve.select.rerank import heuristic_scores  # noqa: E402


def synthetic(n: int, m: int, seed: int = 0, *, blur: bool = False) -> ExecutionMatrix:
    """Behaviours of Zipf-like sizes; with `blur`, every candidate also differs on one input."""
    rng = np.random.default_rng(seed)
    n_behaviours = 300
    sizes = 1.0 / np.arange(1, n_behaviours + 1) ** 1.1
    behaviour_of = rng.choice(n_behaviours, size=n, p=sizes / sizes.sum())
    singles = rng.random(n) < 0.3  # a third of the candidates do something of their own
    table = rng.integers(0, 8, size=(n_behaviours, m), dtype=np.int32)
    cls = table[behaviour_of]
    noise = rng.integers(0, 1000, size=(int(singles.sum()), m), dtype=np.int32)
    cls[singles] = np.where(rng.random((int(singles.sum()), m)) < 0.2, noise, cls[singles])
    failing = (rng.random((n_behaviours, m)) < 0.03)[behaviour_of]  # a behaviour's TLEs
    verdict = np.zeros((n, m), dtype=np.int8)
    verdict[failing] = verdict_code("TLE")
    cls[failing] = -1
    if blur:
        col = rng.integers(0, m, size=n)
        cls[np.arange(n), col] = 10_000 + np.arange(n)
        verdict[np.arange(n), col] = 0
    meta = MatrixMeta(
        problem_id="synthetic",
        time_limit_s=1.0,
        subtask_ids=["all"],
        subtask_points=[100.0],
        candidate_ids=[f"c{k}" for k in range(n)],
        public_test_names=["ex1", "ex2"],
        input_names=[f"gen-{k}" for k in range(m)],
    )
    passed = rng.random((n, 2)) < 0.6
    return ExecutionMatrix(
        meta=meta,
        cand_subtask=np.zeros(n, np.int32),
        code_len=rng.integers(300, 3000, size=n),
        logprob=rng.normal(-0.4, 0.1, size=n),
        compile_ok=rng.random(n) < 0.95,
        includes=np.zeros((1, 1), bool),
        public_required=np.ones((1, 2), bool),
        public_passed=passed,
        public_verdict=np.where(passed, 0, verdict_code("WA")),
        input_subtask=np.zeros(m, np.int32),
        gen_verdict=verdict,
        gen_class=cls,
        gen_time=rng.random((n, m)).astype(np.float32) * 0.5,
    )


def best_of(repeat: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def hash_pass(matrix: ExecutionMatrix) -> np.ndarray:
    """The baseline: one vectorised multiply-add hash of every row of the class matrix."""
    keys = np.random.default_rng(1).integers(1, 2**63, size=matrix.n_inputs, dtype=np.uint64)
    return (matrix.gen_class.astype(np.uint64) * keys[None, :]).sum(axis=1)


def plan(matrix: ExecutionMatrix, prepared, scores: np.ndarray) -> list[tuple[str, str]]:
    planner = Planner(matrix, PlannerSettings(limit=50), prepared=prepared, scores=scores)
    out = []
    while (nxt := planner.next()) is not None:
        out.append(nxt)
        planner.feedback({"all": 0.0})  # every submission wrong: the plan goes all 50 deep
    return out


def expected_random(n: int = 300, m: int = 64, draws: int = DRAWS) -> tuple[float, float]:
    """Seconds for `draws` random orders replayed to 50 submissions, and for one order."""
    from cpsolve.select.baselines import expected_replay, random_orders, score_submissions

    matrix = synthetic(n, m, seed=2)
    rng = np.random.default_rng(3)
    matrix.hidden_points = (rng.random((n, 1)) < 0.05).astype(np.float32) * 100
    t_many, _ = best_of(3, lambda: expected_replay(
        matrix, "random", random_orders(matrix, draws), 50, 50))  # fmt: skip
    t_one, _ = best_of(3, lambda: score_submissions(
        matrix, "random", random_orders(matrix, 1)[0].tolist(), 50))  # fmt: skip
    return t_many, t_one


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=10_000)
    ap.add_argument("--inputs", type=int, default=256)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    matrix = synthetic(args.candidates, args.inputs)
    settings = PlannerSettings(limit=50)

    t_hash, _ = best_of(args.repeat, lambda: hash_pass(matrix))
    t_prep, prepared = best_of(args.repeat, lambda: prepare(matrix, settings))
    t_score, scores = best_of(args.repeat, lambda: heuristic_scores(prepared.x, settings.weights))
    t_plan, submitted = best_of(args.repeat, lambda: plan(matrix, prepared, scores))
    total = t_prep + t_score + t_plan
    blurred = synthetic(args.candidates, args.inputs, blur=True)  # every candidate differs
    prepare(blurred, settings)  # the first fuzzy call pays for importing scikit-learn
    t_fuzzy, fuzzy_prep = best_of(args.repeat, lambda: prepare(blurred, settings))
    rows = [
        ("numpy hashing pass (baseline)", t_hash),
        ("cluster + features", t_prep),
        ("scores", t_score),
        (f"plan of {len(submitted)} submissions", t_plan),
        ("selection total", total),
        ("all differ: auto -> fuzzy", t_fuzzy),
    ]
    n_exact, n_fuzzy = prepared.clusterings[0].n_clusters, fuzzy_prep.clusterings[0].n_clusters
    print(f"matrix: {args.candidates} candidates x {args.inputs} inputs")
    print(f"clusters: {n_exact} exact; {n_fuzzy} fuzzy when each candidate differs on one input")
    for label, t in rows:
        print(f"{label:32s}{t:8.3f} s  ({t / t_hash:7.1f} x hash)")
    print(f"target (total under 2 s on one core): {'met' if total < 2 else 'NOT met'}")
    t_many, t_one = expected_random()
    print(
        f"expected random ({DRAWS} orders x 50 submissions, 300 candidates){t_many:8.3f} s  "
        f"({t_many / t_one:7.1f} x one order)"
    )


if __name__ == "__main__":
    main()

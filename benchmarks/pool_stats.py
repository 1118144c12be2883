"""The failure modes of candidate pools, measured from their judged execution matrices.

    python benchmarks/pool_stats.py RUN_DIR_OR_MATRIX... [--out problems/POOLS.md] [--draws 1000]

A RUN_DIR is what `cpsolve run` / `cpsolve bench` leaves (matrix.npz with the judge's points,
run.sqlite for the generated inputs' sizes); a bare matrix.npz works too (the right programs'
running time on an input then stands in for its size). For the hardest subtask of each pool it
counts, among the candidates sampled for it:

* right: full points from the judge (a selection problem only when rare: <= 3%);
* popular wrong: the largest cluster (same output class on every generated input) of wrong
  candidates that pass the public tests, as a share of the subtask's samples;
* slow: wrong, pass the public tests, time out on a generated input, and give the right
  programs' output wherever they finish;
* large-only: wrong, no timeout, the right programs' output on every small input and another on
  some large one (the largest quarter by bytes): overflow and the like;
* edge: wrong, pass the public tests, neither of the above, and give the right programs' output
  on at least half the generated inputs (an edge case the public tests miss, found by a few
  generated inputs or only by the hidden tests; a wrong algorithm differs almost everywhere).

And, over the whole pool, the EXPECTED points of 50 random submissions (mean over `--draws`
random orders of the compiled candidates) against the oracle's with 50, and the same at the
problem's submission limit (50 for IOI-style problems, 10 for all-or-nothing ones, cpsolve's
defaults: 50 random picks from a pool of 30 candidates are all of them). A set discriminates
only when random earns at most 60% of the oracle at the limit, in aggregate over the problems'
shares of their maximum. It prints the Markdown table
(and writes it with --out) and exits 1 when the set's aggregate ratio at the limit is above 0.6.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from cpsolve.select.baselines import DRAWS, expected_replay, oracle_points, random_orders
from cpsolve.select.matrix import VERDICTS, ExecutionMatrix
from cpsolve.select.rerank import column_plurality, passes_public

TLE = VERDICTS.index("TLE")
RANDOM_SHARE_MAX = 0.6


@dataclass
class PoolStats:
    problem: str
    subtask: str
    samples: int  # candidates sampled for the hardest subtask
    right: int
    popular_wrong: int  # size of the largest wrong cluster that passes the public tests
    slow: int
    large_only: int
    edge: int
    random50: float  # expected points of 50 random submissions, whole problem
    oracle50: float  # the most 50 submissions can earn, whole problem
    limit: int  # the problem's submission limit (50 IOI-style, 10 all-or-nothing)
    random_limit: float  # expected points of random submissions up to the limit
    oracle_limit: float
    max_points: float  # the problem's maximum, to aggregate shares

    @property
    def right_share(self) -> float:
        return self.right / max(1, self.samples)

    def modes(self) -> dict[str, bool]:
        """Which failure modes the pool holds (the thresholds of issue 16)."""
        return {
            "rare right (<=3%)": self.right > 0 and self.right_share <= 0.03,
            "popular wrong (>=10%)": self.popular_wrong >= 0.10 * self.samples,
            "slow": self.slow > 0,
            "large-only": self.large_only > 0,
            "edge": self.edge > 0,
        }


def hardest(matrix: ExecutionMatrix) -> int:
    """The subtask that includes the most others (the last of those on a tie)."""
    scoring = matrix.hardest_first() or list(range(matrix.n_subtasks))
    return max(scoring, key=lambda s: (int(matrix.includes[s].sum()), s))


def _large_columns(sizes: np.ndarray) -> np.ndarray:
    """The largest quarter of the columns (at least one), by size."""
    if sizes.size == 0:
        return np.zeros(0, dtype=bool)
    k = max(1, int(np.ceil(0.25 * sizes.size)))
    cut = np.sort(sizes)[-k]
    return sizes >= cut


def pool_stats(
    matrix: ExecutionMatrix, sizes: np.ndarray | None = None, *, draws: int = DRAWS
) -> PoolStats:
    """The failure modes of one judged pool; `sizes` (I,) are the generated inputs' bytes."""
    if matrix.hidden_points is None:
        raise ValueError(f"{matrix.meta.problem_id}: the matrix holds no judged points")
    h = hardest(matrix)
    rows = matrix.candidates_of(h)
    cols = matrix.relevant_inputs(h)
    points = np.nan_to_num(matrix.hidden_points[rows, h])
    right = points >= matrix.points[h] - 1e-9
    classes = matrix.gen_class[np.ix_(rows, cols)]
    timeout = (matrix.gen_verdict[np.ix_(rows, cols)] == TLE).any(axis=1)
    if sizes is None:  # the right programs' time as the size's stand-in
        t = matrix.gen_time[np.ix_(rows[right], cols)] if right.any() else np.zeros((1, cols.size))
        sizes = t.max(axis=0) if t.size else np.zeros(cols.size)
    else:
        sizes = np.asarray(sizes)[cols]
    large = _large_columns(np.asarray(sizes, dtype=np.float64))
    ref = column_plurality(classes[right]) if right.any() else np.full(cols.size, -1)
    known = ref >= 0
    same = (classes == ref) | ~known
    public = passes_public(matrix)[rows] & matrix.compile_ok[rows]
    wrong = public & ~right
    finished = classes >= 0
    slow = wrong & timeout & (same | ~finished).all(axis=1)
    large_only = wrong & ~timeout & same[:, ~large].all(axis=1) & ~same[:, large].all(axis=1)
    edge = wrong & ~slow & ~large_only & (same.mean(axis=1) >= 0.5)
    return PoolStats(
        problem=matrix.meta.problem_id,
        subtask=matrix.subtask_ids[h],
        samples=int(rows.size),
        right=int(right.sum()),
        popular_wrong=_largest_cluster(classes[wrong]),
        slow=int(slow.sum()),
        large_only=int(large_only.sum()),
        edge=int(edge.sum()),
        random50=expected_random(matrix, 50, draws),
        oracle50=float(oracle_points(matrix, 50)),
        limit=matrix.default_limit(),
        random_limit=expected_random(matrix, matrix.default_limit(), draws),
        oracle_limit=float(oracle_points(matrix, matrix.default_limit())),
        max_points=float(sum(matrix.points)),
    )


def _largest_cluster(classes: np.ndarray) -> int:
    if classes.shape[0] == 0:
        return 0
    _, counts = np.unique(classes, axis=0, return_counts=True)
    return int(counts.max())


def expected_random(matrix: ExecutionMatrix, k: int, draws: int) -> float:
    """The mean points of k random submissions over `draws` random orders (the same orders
    as the bench's random baseline)."""
    return expected_replay(matrix, "random", random_orders(matrix, draws), k, k).points


def sizes_of(run_dir: Path, matrix: ExecutionMatrix) -> np.ndarray | None:
    """The generated inputs' sizes in bytes from the run's store, by the matrix's input names."""
    db = run_dir / "run.sqlite"
    if not db.is_file():
        return None
    from cpsolve.store import Store

    store = Store(db)
    try:
        size = {
            f"{sid}:{row.sha[:12]}": len(row.data)
            for sid in matrix.subtask_ids
            for row in store.inputs(sid)
        }
    finally:
        store.close()
    return np.array([size.get(name, 0) for name in matrix.meta.input_names], dtype=np.int64)


def load(path: Path) -> tuple[ExecutionMatrix, np.ndarray | None]:
    if path.is_dir():
        matrix = ExecutionMatrix.load(path / "matrix.npz")
        return matrix, sizes_of(path, matrix)
    return ExecutionMatrix.load(path), None


def markdown(stats: list[PoolStats]) -> str:
    head = (
        "| problem | hardest | samples | right | popular wrong | slow | large-only | edge "
        "| random@50 / oracle@50 | random@limit / oracle@limit | modes missing |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n"
    )
    lines = []
    for s in stats:
        missing = [name for name, ok in s.modes().items() if not ok]
        lines.append(
            f"| {s.problem} | {s.subtask} | {s.samples} | {s.right} ({s.right_share:.1%}) "
            f"| {s.popular_wrong} ({s.popular_wrong / max(1, s.samples):.0%}) | {s.slow} "
            f"| {s.large_only} | {s.edge} | {s.random50:.2f} / {s.oracle50:.2f} "
            f"| {s.random_limit:.2f} / {s.oracle_limit:.2f} (k={s.limit}) "
            f"| {', '.join(missing) or 'none'} |"
        )
    r50, o50, rlim, olim = aggregate(stats)
    tail = (
        f"\nAggregate (each problem's points as a share of its maximum): expected random@50 "
        f"{r50:.2f} of oracle@50 {o50:.2f} = {r50 / max(o50, 1e-9):.1%}; at each problem's "
        f"submission limit, random {rlim:.2f} of oracle {olim:.2f} = "
        f"{rlim / max(olim, 1e-9):.1%} (the set discriminates at <= {RANDOM_SHARE_MAX:.0%}).\n"
    )
    return head + "\n".join(lines) + "\n" + tail


def aggregate(stats: list[PoolStats]) -> tuple[float, float, float, float]:
    """Random and oracle points at 50 and at the limit, summed as shares of each maximum."""

    def total(f: str) -> float:
        return sum(getattr(s, f) / max(s.max_points, 1e-9) for s in stats)

    return total("random50"), total("oracle50"), total("random_limit"), total("oracle_limit")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path, help="run directories or matrix.npz files")
    ap.add_argument("--out", type=Path, help="write the Markdown table here")
    ap.add_argument("--draws", type=int, default=DRAWS)
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON lines too")
    args = ap.parse_args(argv)
    stats = []
    for path in args.paths:
        matrix, sizes = load(path)
        stats.append(pool_stats(matrix, sizes, draws=args.draws))
        if args.json:
            print(asdict(stats[-1]))
    text = markdown(stats)
    print(text)
    if args.out:
        args.out.write_text(
            args.out.read_text().split("<!-- table -->")[0] + "<!-- table -->\n\n" + text
            if args.out.is_file()
            else text
        )
    _, _, rnd, orc = aggregate(stats)
    return 0 if rnd <= RANDOM_SHARE_MAX * orc else 1


if __name__ == "__main__":
    sys.exit(main())

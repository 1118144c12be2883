"""Output classes under a program checker, for problems with several right answers.

Clustering groups candidates by the outputs the checker calls equal (`matrix.output_classes`).
Exact, token and float checkers say that without running anything; a program checker (any
shortest path, any valid construction) cannot be read that way, and equal tokens would split the
right programs of such a problem over many small clusters, each printing another valid answer.

A generated input has no jury answer, so each distinct output stands in for it in turn: two
outputs are equal when the problem's checker gives each full points with the other as the answer.
A checker that reads from the answer only what it needs (the optimal length, say) then puts every
right output in one class and groups wrong ones by what they got wrong.

Per input column, the token classes are taken largest first; each joins the first class founder
it is equal to both ways, else founds a class; at most `MAX_FOUNDERS` founders are tried, so a
column of many different wrong outputs costs a bounded number of checker runs. The checker's
verdicts are kept in the run store (`checked_pairs`), so a rerun or a resumed run runs none twice.
`merge_classes` is the pure grouping; `CheckerEquivalence` runs the checker through the sandbox;
`compare_stage` is the run's stage around it (a progress task).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from cpsolve.judge.checkers import run_program_checker
from cpsolve.problem import Problem
from cpsolve.progress import Progress
from cpsolve.sandbox.base import Artifact, Sandbox
from cpsolve.select.matrix import NO_OUTPUT
from cpsolve.store import Store

MAX_FOUNDERS = 8
FULL = 1.0 - 1e-9

Same = Callable[[int, int], bool]
"""same(a, b): output a earns full points with output b as the answer (indices into reps)."""


def merge_classes(column: np.ndarray, same: Same, max_founders: int = MAX_FOUNDERS) -> np.ndarray:
    """New class ids for one input column of token class ids (NO_OUTPUT kept).

    `same(a, b)` is asked about token class ids. Classes are visited largest first (ties: the
    earlier id); the result is renumbered from 0 in order of first appearance, as
    `output_classes` numbers them.
    """
    present = column[column != NO_OUTPUT]
    if present.size == 0:
        return column.copy()
    sizes = np.bincount(present)
    order = [int(c) for c in np.lexsort((np.arange(sizes.size), -sizes)) if sizes[c] > 0]
    founders: list[int] = []
    to: dict[int, int] = {}
    for c in order:
        for f in founders[:max_founders]:
            if same(c, f) and same(f, c):
                to[c] = to[f]
                break
        else:
            to[c] = len(founders)
            founders.append(c)
    merged = np.array([to.get(int(c), NO_OUTPUT) for c in column], dtype=np.int32)
    first: dict[int, int] = {}
    for v in merged:
        if v != NO_OUTPUT:
            first.setdefault(int(v), len(first))
    return np.array([first.get(int(v), NO_OUTPUT) for v in merged], dtype=np.int32)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class CheckerEquivalence:
    """Merges token classes with the problem's program checker, through the sandbox."""

    def __init__(self, problem: Problem, sandbox: Sandbox, store: Store, checker: Artifact):
        spec = problem.checker
        if spec.type != "program":
            raise ValueError("CheckerEquivalence needs a program checker")
        self.protocol = spec.protocol
        self.sandbox, self.store, self.checker = sandbox, store, checker

    def column(
        self, inp: bytes, classes: np.ndarray, outputs: Sequence[bytes | None]
    ) -> np.ndarray:
        """Merged class ids of one column: `classes` are its token class ids, `outputs` the
        candidates' outputs (one member's output stands for its class)."""
        reps: dict[int, bytes] = {}
        for c, out in zip(classes.tolist(), outputs, strict=True):
            if c != NO_OUTPUT and out is not None:
                reps.setdefault(c, out)
        if len(reps) < 2:
            return merge_classes(classes, lambda a, b: False)
        in_sha = _sha(inp)
        known = self.store.checked_pairs(in_sha)
        shas = {c: _sha(o) for c, o in reps.items()}
        fresh: list[tuple[str, str, str, bool]] = []

        def same(a: int, b: int) -> bool:
            key = (shas[a], shas[b])
            if key not in known:
                res = run_program_checker(
                    self.sandbox, self.checker, self.protocol, inp, reps[a], reps[b]
                )
                known[key] = res.score >= FULL
                fresh.append((in_sha, *key, known[key]))
            return known[key]

        merged = merge_classes(classes, same)
        if fresh:
            self.store.add_checked_pairs(fresh)
        return merged

    def matrix(
        self,
        classes: np.ndarray,
        inputs: Sequence[bytes],
        outputs: Sequence[Sequence[bytes | None]],
        workers: int,
        tick: Callable[[], None] = lambda: None,
    ) -> np.ndarray:
        """`gen_class` merged column by column (columns in parallel): classes is (C, I), inputs
        the I column inputs, outputs[k] the C outputs on column k."""
        out = classes.copy()

        def one(k: int) -> None:
            out[:, k] = self.column(inputs[k], classes[:, k], outputs[k])
            tick()

        with ThreadPoolExecutor(max(1, workers)) as pool:
            list(pool.map(one, range(classes.shape[1])))
        return out


def compare_stage(
    problem: Problem,
    sandbox: Sandbox,
    store: Store,
    checker: Artifact | None,
    classes: np.ndarray,
    inputs: Sequence[bytes],
    outputs: Sequence[Sequence[bytes | None]],
    workers: int,
    progress: Progress,
) -> np.ndarray:
    """`classes` (candidates x inputs) merged where the problem's program `checker` (as the
    problem's task type compiled it) calls the outputs equal."""
    assert checker is not None  # asked only for a problem with a program checker
    eq = CheckerEquivalence(problem, sandbox, store, checker)
    with progress.task("compare outputs (checker)", classes.shape[1]) as task:
        return eq.matrix(classes, inputs, outputs, workers, task.advance)

"""Output classes under a program checker: the pure grouping, and the real checker of
problems/shortest-route (several right answers) run through the local sandbox."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from cpsolve.execute.equivalence import CheckerEquivalence, merge_classes
from cpsolve.judge.tasktypes import compile_support
from cpsolve.problem import load_problem
from cpsolve.sandbox.base import Sandbox
from cpsolve.select.matrix import NO_OUTPUT, output_classes
from cpsolve.store import Store

N = NO_OUTPUT
ROUTE = Path(__file__).parents[1] / "problems" / "shortest-route"


def recording(*pairs: tuple[int, int]) -> tuple[Callable[[int, int], bool], list]:
    """same(a, b) true for the given pairs only; the list records what was asked."""
    asked: list[tuple[int, int]] = []

    def same(a: int, b: int) -> bool:
        asked.append((a, b))
        return (a, b) in pairs

    return same, asked


def test_equal_both_ways_merges_and_ids_follow_first_appearance() -> None:
    col = np.array([0, 1, 1, 2, N, 3], np.int32)
    same, _ = recording((1, 3), (3, 1))
    merged = merge_classes(col, same)
    assert merged.tolist() == [0, 1, 1, 2, N, 1]


def test_one_way_acceptance_is_not_equality() -> None:
    """A checker that accepts a against b but not b against a (b is better than a, say) keeps
    them apart."""
    col = np.array([0, 0, 1], np.int32)
    same, _ = recording((1, 0))
    assert merge_classes(col, same).tolist() == [0, 0, 1]


def test_largest_class_founds_first() -> None:
    col = np.array([0, 1, 1, 1, 2], np.int32)
    same, asked = recording()
    merge_classes(col, same)
    assert asked[0] == (0, 1)  # class 0 is compared with class 1, the largest, first


def test_founders_tried_are_bounded() -> None:
    col = np.arange(20, dtype=np.int32)  # twenty different outputs, none equal
    same, asked = recording()
    merged = merge_classes(col, same, max_founders=3)
    assert merged.tolist() == list(range(20))
    assert len(asked) <= 3 * 20


def test_a_column_without_outputs_stays_as_it_is() -> None:
    col = np.array([N, N], np.int32)
    assert merge_classes(col, lambda a, b: True).tolist() == [N, N]


def test_shortest_route_checker_groups_valid_routes_of_equal_length(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    problem = load_problem(ROUTE)
    checker = compile_support(sandbox, problem, problem.checker.path or "")
    store = Store(tmp_path / "run.sqlite")
    eq = CheckerEquivalence(problem, sandbox, store, checker)
    # two shortest routes of length 2 from 1 to 4, and a longer one through the road 1-4 (5)
    inp = b"4 5\n1 2 1\n2 4 1\n1 3 1\n3 4 1\n1 4 5\n"
    outputs = [
        b"2 3\n1 2 4\n",
        b"2 3\n1 3 4\n",
        b"2 3\n1 2 4\n",
        b"5 2\n1 4\n",
        b"2 3\n1 4 4\n",  # claims 2 with a route that does not exist
        None,
    ]
    tokens = output_classes(outputs, problem.checker)
    assert tokens.tolist() == [0, 1, 0, 2, 3, N]  # token equality splits the two right routes
    merged = eq.column(inp, tokens, outputs)
    assert merged.tolist() == [0, 0, 0, 1, 2, N]
    # the verdicts are stored: a second pass (a resumed run) runs no checker
    runs = store.checked_pairs(hashlib.sha256(inp).hexdigest())
    assert runs and all(isinstance(v, bool) for v in runs.values())
    again = CheckerEquivalence(problem, sandbox, store, checker)
    again.checker = None  # type: ignore[assignment]  # any checker run would now fail
    assert again.column(inp, tokens, outputs).tolist() == merged.tolist()
    store.close()


def test_matrix_merges_every_column(sandbox: Sandbox, tmp_path: Path) -> None:
    problem = load_problem(ROUTE)
    checker = compile_support(sandbox, problem, problem.checker.path or "")
    store = Store(tmp_path / "run.sqlite")
    eq = CheckerEquivalence(problem, sandbox, store, checker)
    inputs = [b"4 4\n1 2 1\n2 4 1\n1 3 1\n3 4 1\n", b"2 0\n"]
    outputs = [[b"2 3\n1 2 4\n", b"2 3\n1 3 4\n"], [b"-1\n", b"-1\n"]]
    classes = np.stack([output_classes(col, problem.checker) for col in outputs], axis=1)
    merged = eq.matrix(classes, inputs, outputs, workers=2)
    assert merged.tolist() == [[0, 0], [0, 0]]
    store.close()

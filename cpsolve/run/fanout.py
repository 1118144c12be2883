"""Problems fanned out over a cluster's sandbox: several runs at once from one driver.

Each problem's run stays the driver's (its store, its report, written here); its compiles and
executions go to the shared sandbox, which on a Ray cluster (`--cluster ray`) spreads them over
every node's actors. Running problems side by side keeps those actors busy where one problem's
stages alone (sampling, planning, judging on few programs) would leave most of them idle.
Results come back in the order of `items`, so a bench's report does not depend on which problem
finished first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def fan_out(items: Sequence[T], run: Callable[[T], R], parallel: int) -> list[R]:
    """`run` on every item, at most `parallel` at a time; results in the order of `items`."""
    if parallel <= 1 or len(items) <= 1:
        return [run(x) for x in items]
    with ThreadPoolExecutor(min(parallel, len(items)), thread_name_prefix="cpsolve-fan") as ex:
        return list(ex.map(run, items))

"""Progress as events, so a stage runs the same with bars (the CLI), in a library or headless.

Stages of every flow folder take it, so it sits at the bottom with errors.py. A stage opens one
task a bar, `with progress.task("sample subtask 2", total=100) as t:`, and calls `t.advance(k)`
as work lands; `note` is a line between tasks (bench's problem header). The CLI draws these with
rich (`cpsolve/cli/progress.py`); `NullProgress` draws nothing.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Protocol


class Task(Protocol):
    def advance(self, k: int = 1) -> None:
        """`k` more units of the task are done."""
        ...


class Progress(Protocol):
    def task(self, name: str, total: int, done: int = 0) -> AbstractContextManager[Task]:
        """A task of `total` units, `done` of them already (a resumed run), open while inside."""
        ...

    def note(self, text: str) -> None:
        """A line for whoever watches, between tasks."""
        ...


class NullTask:
    def advance(self, k: int = 1) -> None:
        pass


class NullProgress:
    """Progress that goes nowhere: library callers, workers, tests."""

    def task(self, name: str, total: int, done: int = 0) -> AbstractContextManager[Task]:
        return nullcontext(NullTask())

    def note(self, text: str) -> None:
        pass

"""The run's progress drawn with rich: one bar a task, labels as the stages name them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cpsolve.progress import Task


class _Bar:
    def __init__(self, bar: Progress, task: object) -> None:
        self._bar, self._task = bar, task

    def advance(self, k: int = 1) -> None:
        self._bar.advance(self._task, k)  # type: ignore[arg-type]


class RichProgress:
    """`cpsolve.progress.Progress` on a rich console (stderr by default)."""

    def __init__(self, console: Console | None = None, label: str = "{task.description:<28}"):
        self.console = console or Console(stderr=True)
        self.label = label

    def task(self, name: str, total: int, done: int = 0) -> AbstractContextManager[Task]:
        return self._open(name, total, done)

    @contextmanager
    def _open(self, name: str, total: int, done: int) -> Iterator[Task]:
        columns = (TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.console, transient=False) as bar:
            yield _Bar(bar, bar.add_task(name, total=total, completed=done))

    def note(self, text: str) -> None:
        self.console.rule(text)

"""The run's progress drawn with rich: one bar a task, labels as the stages name them."""

from __future__ import annotations

import threading
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
    """`cpsolve.progress.Progress` on a rich console (stderr by default). Tasks open at the
    same time (a streaming run's threads) share one live display: rich allows one."""

    def __init__(self, console: Console | None = None, label: str = "{task.description:<28}"):
        self.console = console or Console(stderr=True)
        self.label = label
        self._lock = threading.Lock()
        self._live: Progress | None = None
        self._open_tasks = 0

    def task(self, name: str, total: int, done: int = 0) -> AbstractContextManager[Task]:
        return self._open(name, total, done)

    @contextmanager
    def _open(self, name: str, total: int, done: int) -> Iterator[Task]:
        with self._lock:
            if self._live is None:
                columns = (
                    TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
                )  # fmt: skip
                self._live = Progress(*columns, console=self.console, transient=False)
                self._live.start()
            self._open_tasks += 1
            bar = self._live
        tid = bar.add_task(name, total=total, completed=done)
        try:
            yield _Bar(bar, tid)
        finally:
            bar.stop_task(tid)  # its clock shows how long it was open, not until the bars stop
            with self._lock:
                self._open_tasks -= 1
                if not self._open_tasks:
                    bar.stop()
                    self._live = None

    def note(self, text: str) -> None:
        self.console.rule(text)

"""The CLI's progress bars: a bar's clock stops when its task closes."""

from __future__ import annotations

import io
import time

from rich.console import Console

from cpsolve.cli.progress import RichProgress


def test_a_closed_bar_keeps_the_time_it_was_open() -> None:
    """A task that opens already complete (a resumed run's stage, or the samples a streaming
    run's sampler stored before) showed the time until every bar stopped; it keeps its own."""
    progress = RichProgress(Console(file=io.StringIO(), force_terminal=False))
    with progress.task("the long one", 10) as long:
        with progress.task("already done", 8, 8):
            pass
        live = progress._live
        assert live is not None
        [done] = [t for t in live.tasks if t.description == "already done"]
        closed_at = done.elapsed
        time.sleep(0.05)
        assert done.elapsed == closed_at  # its clock stopped when it closed
        long.advance(10)

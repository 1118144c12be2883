"""`cpsolve train-ranker` and `cpsolve tune-selection`: learn selection from judged runs.

Both read `RUN_DIR/matrix.npz` (written by the pipeline) from each run directory given; only
runs whose candidates were judged with hidden tests teach anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from cpsolve.errors import UserError
from cpsolve.select.matrix import ExecutionMatrix
from cpsolve.select.planner import PlannerSettings, prepare
from cpsolve.select.rerank import FEATURES, LearnedRanker, training_set

console = Console()

RunDirs = Annotated[list[Path], typer.Argument(help="run directories holding matrix.npz")]


def load_matrices(run_dirs: list[Path]) -> list[ExecutionMatrix]:
    """Every run's matrix; a run directory without one is a UserError naming it."""
    return [ExecutionMatrix.load(d) for d in run_dirs]


def _judged(matrices: list[ExecutionMatrix], what: str) -> list[ExecutionMatrix]:
    judged = [m for m in matrices if m.has_hidden]
    if not judged:
        raise UserError(
            f"{what} needs runs judged with hidden tests; none of the given runs has them "
            "(run problems that ship hidden tests)"
        )
    return judged


def train_ranker(
    run_dirs: RunDirs,
    out: Annotated[Path, typer.Option("--out", help="where to write the ranker")] = Path(
        "ranker.joblib"
    ),
    seed: Annotated[int, typer.Option(help="seed of the classifier")] = 0,
) -> None:
    """Fit the learned ranker on judged runs (label: the candidate earned full points)."""
    judged = _judged(load_matrices(run_dirs), "train-ranker")
    xs, ys = [], []
    for m in judged:
        x, y = training_set(m, prepare(m).x)
        xs.append(x)
        ys.append(y)
    x_all, y_all = np.vstack(xs), np.concatenate(ys)
    ranker = LearnedRanker.fit(x_all, y_all, seed=seed)
    ranker.save(out)
    console.print(
        f"ranker on {len(y_all)} candidates ({int(y_all.sum())} right) from {len(judged)} "
        f"runs, features {', '.join(FEATURES)}: written to {out}"
    )


def tune_selection(
    run_dirs: RunDirs,
    trials: Annotated[int, typer.Option("--trials", min=1, help="settings tried")] = 200,
    out: Annotated[Path, typer.Option("--out", help="where to write the settings")] = Path(
        "weights.json"
    ),
    seed: Annotated[int, typer.Option(help="seed of the random search")] = 0,
    limit: Annotated[int | None, typer.Option(help="submission limit replayed")] = None,
) -> None:
    """Random search over scorer weights and cluster penalty, replaying judged runs."""
    from cpsolve.select.tuning import tune

    judged = _judged(load_matrices(run_dirs), "tune-selection")
    base = PlannerSettings(limit=limit)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("tuning", total=trials)

        def step(t: int, best: float) -> None:
            progress.update(task, completed=t + 1, description=f"tuning (best {best:.3f})")

        result = tune(judged, trials=trials, seed=seed, base=base, on_trial=step)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(result.settings.model_dump_json(indent=2) + "\n")
    table = Table(title=f"selection tuned on {result.runs} runs, {result.trials} trials")
    table.add_column("settings")
    table.add_column("mean share of max points", justify="right")
    table.add_row("default", f"{result.start_score:.3f}")
    table.add_row("tuned", f"{result.score:.3f}")
    console.print(table)
    console.print(f"penalty {result.settings.penalty:.3g}; written to {out}")


def register(app: typer.Typer) -> None:
    app.command("train-ranker")(train_ranker)
    app.command("tune-selection")(tune_selection)

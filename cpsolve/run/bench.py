"""Many problems, one config: every problem of a set run (resumably) and summed up.

Per problem and in total: IOI points, solve rate, pass@k (unbiased estimator over the judged
candidates of the full subtask), n@k (solved with the submission limit from k samples), and our
selection next to the baselines on the same samples. Writes bench.json, bench.md and a plot.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from cpsolve.config import RunConfig
from cpsolve.errors import UserError
from cpsolve.importers.detect import bench_problems
from cpsolve.problem import load_problem
from cpsolve.progress import NullProgress, Progress
from cpsolve.run.fanout import fan_out as run_all
from cpsolve.run.pipeline import run_problem
from cpsolve.run.report import Report, selection_markdown
from cpsolve.sandbox.base import Sandbox
from cpsolve.select.metrics import StrategyRow, aggregate_tables, beats_baselines, pass_at_k

PASS_KS = (1, 10, 100)


class ProblemRow(BaseModel):
    problem: str
    run_dir: str
    score: float | None
    max_score: float
    solved: bool
    pass_at: dict[str, float] = Field(default_factory=dict)  # "pass@1": value
    baselines: dict[str, float | None] = Field(default_factory=dict)
    samples: int = 0
    selection: dict[str, StrategyRow] = Field(default_factory=dict)  # the run's k-table
    scorer: str = ""  # what scored this problem's candidates


class BenchReport(BaseModel):
    set: str
    engine: str
    problems: list[ProblemRow]
    skipped: dict[str, str] = Field(default_factory=dict)  # problem -> why
    total: dict[str, float] = Field(default_factory=dict)
    # strategy -> points after k submissions summed over the judged problems
    selection: dict[str, StrategyRow] = Field(default_factory=dict)

    def metrics(self) -> dict[str, float]:
        """Flat higher-is-better metrics for `cpsolve eval`: totals, each problem's score,
        and our aggregate points after k submissions (`selection.ours@k`)."""
        skip = ("baseline.", "max_points")
        out = {f"total.{k}": v for k, v in self.total.items() if not k.startswith(skip)}
        for row in self.problems:
            if row.score is not None:
                out[f"{row.problem}.score"] = row.score
        ours = self.selection.get("ours")
        if ours is not None:
            out.update({f"selection.ours@{k}": v for k, v in ours.points.items()})
        return out


GATE_KS = ("10", "50")  # ours must earn at least the best baseline's aggregate points there


def selection_gate(bench: BenchReport) -> list[str]:
    """Why the bench fails the selection gate (empty: it passes): at k = 10 and 50, on the
    aggregate of the judged problems, ours earned less than the best baseline (expected values
    for the random ones)."""
    return [
        f"k={f.k}: ours {f.ours:g} < {f.baseline} {f.best:g}"
        for f in beats_baselines(bench.selection, GATE_KS)
    ]


def problem_row(report: Report, run_dir: Path) -> ProblemRow:
    full = report.subtasks[0] if report.subtasks else None  # hardest first
    pass_at: dict[str, float] = {}
    if full is not None and full.correct is not None:
        for k in PASS_KS:
            if k <= max(full.candidates, 1):
                pass_at[f"pass@{k}"] = round(pass_at_k(full.candidates, full.correct, k), 4)
    score = report.score
    return ProblemRow(
        problem=report.problem,
        run_dir=str(run_dir),
        score=score,
        max_score=report.max_score,
        solved=score is not None and score >= report.max_score - 1e-9,
        pass_at=pass_at,
        baselines=report.baselines,
        samples=report.counts.get("samples", 0),
        selection=report.selection,
        scorer=report.scorer,
    )


def run_bench(
    set_dir: Path,
    config: RunConfig,
    *,
    runs_dir: Path,
    sandbox: Sandbox,
    progress: Progress | None = None,
    fan_out: bool = False,
) -> BenchReport:
    """Every problem of the set, one run each; `progress` gets a note a problem and its runs'
    tasks. `fan_out`: problems run side by side, as many as the sandbox has workers (a
    cluster's sandbox); the report is the same either way."""
    progress = progress or NullProgress()
    paths, skipped = bench_problems(set_dir, sandbox=sandbox)  # other formats: imported, cached
    todo: list[tuple[str, Path]] = []
    for i, path in enumerate(paths, 1):
        problem = load_problem(path)
        if config.engine == "replay" and config.model is None and not _has_samples(path):
            skipped[problem.id] = "no shipped samples to replay"
            continue
        todo.append((f"[{i}/{len(paths)}] {problem.id}", path))

    def one(item: tuple[str, Path]) -> ProblemRow:
        note, path = item
        progress.note(note)
        result = run_problem(path, config, runs_dir=runs_dir, sandbox=sandbox, progress=progress)
        return problem_row(result.report, result.run_dir)

    rows = run_all(todo, one, sandbox.workers if fan_out else 1)
    if not rows:
        raise UserError(f"{set_dir}: no problem could be run ({'; '.join(skipped.values())})")
    bench = BenchReport(set=str(set_dir), engine=config.engine, problems=rows, skipped=skipped)
    bench.total = totals(rows)
    if config.selection is None and config.ranker is None:
        leave_one_problem_out(rows, config, progress)
    bench.selection = aggregate_selection(rows)
    return bench


LOPO_TRIALS = 20  # tuning trials per left-out problem


def leave_one_problem_out(rows: list[ProblemRow], config: RunConfig, progress: Progress) -> None:
    """Score each judged problem's selection with settings tuned on the other problems'
    matrices only (starting from the hand-set defaults, not the shipped scorer, which was tuned
    on pools this set may hold), so no problem is scored by a scorer that saw it; the row's
    k-table and `scorer` say so. With fewer than two judged problems, the shipped default
    stays."""
    from cpsolve.run.plan import planner_settings
    from cpsolve.select.baselines import run_baselines, selection_table
    from cpsolve.select.matrix import ExecutionMatrix
    from cpsolve.select.tuning import tune

    judged = [r for r in rows if r.selection]
    if len(judged) < 2:
        return
    matrices = {r.problem: ExecutionMatrix.load(r.run_dir) for r in judged}
    base = planner_settings(config, hand_set=True)
    for row in judged:
        progress.note(f"leave-one-problem-out: tuning for {row.problem} on the others")
        others = [m for name, m in matrices.items() if name != row.problem]
        tuned = tune(others, trials=LOPO_TRIALS, seed=config.seed, base=base).settings
        m = matrices[row.problem]
        row.selection = selection_table(m, run_baselines(m, seed=config.seed, settings=tuned))
        names = ", ".join(n for n in matrices if n != row.problem)
        row.scorer = f"tuned on {names} ({LOPO_TRIALS} trials from the hand-set defaults)"


def aggregate_selection(rows: list[ProblemRow]) -> dict[str, StrategyRow]:
    """The k-table summed over the problems whose candidates were judged (each problem's
    points as a share of its maximum)."""
    judged = [r for r in rows if r.selection]
    return aggregate_tables([r.selection for r in judged], [r.max_score for r in judged])


def _has_samples(path: Path) -> bool:
    base = path.parent if path.name == "problem.json" else path
    return any((base / n).is_file() for n in ("samples.jsonl.gz", "samples.jsonl"))


def totals(rows: list[ProblemRow]) -> dict[str, float]:
    judged = [r for r in rows if r.score is not None]
    out: dict[str, float] = {"problems": float(len(rows))}
    if not judged:
        return out
    out["points"] = round(sum(r.score or 0.0 for r in judged), 4)
    out["max_points"] = round(sum(r.max_score for r in judged), 4)
    out["solve_rate"] = round(sum(r.solved for r in judged) / len(judged), 4)
    names = sorted({k for r in judged for k in r.baselines})
    for name in names:
        vals = [r.baselines.get(name) for r in judged]
        out[f"baseline.{name}"] = round(sum(float(v or 0.0) for v in vals), 4)
    for k in PASS_KS:
        rates = [r.pass_at[f"pass@{k}"] for r in judged if f"pass@{k}" in r.pass_at]
        if rates:
            out[f"pass@{k}"] = round(sum(rates) / len(rates), 4)
    return out


def write_bench(bench: BenchReport, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    js = out_dir / "bench.json"
    js.write_text(bench.model_dump_json(indent=2) + "\n")
    plot = _plot(bench, out_dir)
    k_plot = _plot_k(bench, out_dir)
    md = out_dir / "bench.md"
    md.write_text(render_markdown(bench, plot, k_plot))
    return [js, md] + [p for p in (plot, k_plot) if p]


def render_markdown(bench: BenchReport, plot: Path | None, k_plot: Path | None = None) -> str:
    names = sorted({k for r in bench.problems for k in r.baselines})
    head = ["problem", "cpsolve", *names, "max", "solved", "pass@1", "pass@10"]
    lines = [f"# cpsolve bench: {bench.set} ({bench.engine})", ""]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in bench.problems:
        cells = [r.problem, _f(r.score), *[_f(r.baselines.get(n)) for n in names], _f(r.max_score)]
        cells += [
            "yes" if r.solved else "no",
            _f(r.pass_at.get("pass@1")),
            _f(r.pass_at.get("pass@10")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Totals", ""] + [f"- {k}: {_f(v)}" for k, v in bench.total.items()]
    if bench.selection:
        lines += ["", "## Aggregate over the judged problems", ""]
        lines += selection_markdown(bench.selection)[2:]
    for r in bench.problems:
        if r.selection:
            lines += ["", f"### {r.problem}" + (f" (scorer: {r.scorer})" if r.scorer else "")]
            lines += ["", *selection_markdown(r.selection)[2:]]
    if bench.skipped:
        lines += ["", "## Skipped", ""] + [f"- {k}: {v}" for k, v in bench.skipped.items()]
    if plot:
        lines += ["", f"![points per problem]({plot.name})"]
    if k_plot:
        lines += ["", f"![aggregate points after k submissions]({k_plot.name})"]
    return "\n".join(lines) + "\n"


def _f(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:g}" if float(x).is_integer() else f"{x:.3f}"


def _plot(bench: BenchReport, out_dir: Path) -> Path | None:
    rows = [r for r in bench.problems if r.score is not None and r.max_score > 0]
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    series = {"cpsolve": [r.score or 0.0 for r in rows]}
    for name in ("random", "alphacode", "oracle"):
        series[name] = [r.baselines.get(name) or 0.0 for r in rows]
    x = np.arange(len(rows))
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(max(6, 1.2 * len(rows)), 4), dpi=100)
    for j, (name, vals) in enumerate(series.items()):
        frac = [v / r.max_score for v, r in zip(vals, rows, strict=True)]
        ax.bar(x + j * width, frac, width, label=name)
    ax.set_xticks(x + 0.4 - width / 2, [r.problem for r in rows], rotation=30, ha="right")
    ax.set_ylabel("share of max points")
    ax.set_ylim(0, 1.05)
    ax.legend()
    ax.set_title("selection against baselines, same candidates")
    fig.tight_layout()
    path = out_dir / "bench.png"
    fig.savefig(path)
    plt.close(fig)
    return path


def _plot_k(bench: BenchReport, out_dir: Path) -> Path | None:
    """Aggregate share of the oracle's points after k submissions, one line per strategy
    (random ones: expectations)."""
    table = bench.selection
    if "oracle" not in table:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [k for k in table["oracle"].points if k != "limit"]
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    for name, row in table.items():
        if name == "oracle":
            continue
        ys = [row.of_oracle.get(k) or 0.0 for k in labels]
        ax.plot(labels, ys, marker="o" if name == "ours" else ".", label=name)
    ax.set_xlabel("submissions k")
    ax.set_ylabel("share of the oracle's points at k")
    ax.set_ylim(0, 1.05)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(f"{len(bench.problems)} problems: selection against baselines")
    fig.tight_layout()
    path = out_dir / "bench_k.png"
    fig.savefig(path)
    plt.close(fig)
    return path

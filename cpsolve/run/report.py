"""A run's report: the pydantic model, report.json, report.md and the scaling-curve plots.

Nothing here computes selection or scores: the pipeline fills the model, this module writes it.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field

from cpsolve.select.baselines import ReplayResult
from cpsolve.select.metrics import StrategyRow
from cpsolve.testgen.summary import InputsSummary


class SubtaskReport(BaseModel):
    id: str
    points: float
    earned: float = 0.0
    candidates: int = 0  # solution samples
    programs: int = 0  # distinct programs extracted from them
    compiled: int = 0
    passing_public: int = 0
    generated_inputs: int = 0
    clusters: int = 0
    correct: int | None = None  # candidates judged to earn the subtask's full points
    inputs: InputsSummary | None = None  # the generated inputs: kept, largest, agreement, splits


class SubmissionReport(BaseModel):
    n: int
    subtask: str
    program: str
    cluster: int | None = None
    rank: int | None = None
    earned: float | None = None  # points of the problem's score gained by this submission
    subtask_points: dict[str, float] = Field(default_factory=dict)


class Curve(BaseModel):
    x: list[int]
    ours: list[float]
    random: list[float] = Field(default_factory=list)  # expected (mean of many draws)
    oracle: list[float] = Field(default_factory=list)
    others: dict[str, list[float]] = Field(default_factory=dict)  # more strategies by name
    bands: dict[str, list[list[float]]] = Field(default_factory=dict)  # name: [p10, p90]


class Report(BaseModel):
    problem: str
    name: str = ""
    run_id: str = ""
    engine: str = ""
    model: str | None = None
    judged: bool = False  # the problem has hidden tests and the planner got feedback
    score: float | None = None
    max_score: float
    subtasks: list[SubtaskReport]
    submissions: list[SubmissionReport]
    baselines: dict[str, float | None] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)
    curves: dict[str, Curve] = Field(default_factory=dict)
    # strategy -> points after k submissions, share of the oracle's, submissions to full points
    selection: dict[str, StrategyRow] = Field(default_factory=dict)
    scorer: str = ""  # what scored the candidates: "heuristic (default weights)", a file...
    notes: list[str] = Field(default_factory=list)


def submissions_curve(results: dict[str, ReplayResult], limit: int) -> Curve:
    """Points against submissions 1..limit: ours, the expected random order with its band,
    public-then-random (band too), AlphaCode, CodeT and the oracle."""

    def pad(ys: list[float]) -> list[float]:
        ys = list(ys[:limit]) or [0.0]
        return ys + [ys[-1]] * (limit - len(ys))

    others = {n: pad(results[n].curve) for n in ("public-then-random", "alphacode", "codet")}
    bands = {n: [pad(r.low), pad(r.high)] for n, r in results.items() if r.low and n != "ours"}
    return Curve(
        x=list(range(1, limit + 1)),
        ours=pad(results["ours"].curve),
        random=pad(results["random"].curve),
        oracle=pad(results["oracle"].curve),
        others={n: ys for n, ys in others.items() if n in results},
        bands=bands,
    )


def write_report(report: Report, out_dir: Path) -> list[Path]:
    """Write report.json, report.md and the plots; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "report.json"]
    written[0].write_text(report.model_dump_json(indent=2) + "\n")
    plots = _plot_curves(report, out_dir)
    written += plots
    md = out_dir / "report.md"
    md.write_text(render_markdown(report, [p.name for p in plots]))
    written.append(md)
    return written


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:g}" if float(x).is_integer() else f"{x:.2f}"


def render_markdown(report: Report, plots: list[str]) -> str:
    lines = [f"# cpsolve run: {report.name or report.problem}", ""]
    if report.engine == "simulated" or (report.model or "").startswith("simulated"):
        lines += ["> Candidates come from the simulated model, a test instrument, not an LLM.", ""]
    score = _fmt(report.score) if report.judged else "not judged (no hidden tests)"
    lines += [
        f"- run: `{report.run_id}`  engine: `{report.engine}`  model: `{report.model}`",
        f"- score: **{score}** / {_fmt(report.max_score)}",
        "",
        "## Subtasks (hardest first)",
        "",
        "| subtask | points | earned | samples | programs | compiled | pass public "
        "| inputs | clusters | correct |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in report.subtasks:
        lines.append(
            f"| {s.id} | {_fmt(s.points)} | {_fmt(s.earned)} | {s.candidates} | {s.programs} "
            f"| {s.compiled} | {s.passing_public} | {s.generated_inputs} | {s.clusters} "
            f"| {_fmt(s.correct)} |"
        )
    lines += [
        "",
        "## Submissions",
        "",
        "| # | subtask | cluster | rank | earned |",
        "|---|---|---|---|---|",
    ]
    for sub in report.submissions:
        lines.append(
            f"| {sub.n} | {sub.subtask} | {_fmt(sub.cluster)} | {_fmt(sub.rank)} "
            f"| {_fmt(sub.earned)} |"
        )
    if report.baselines:
        lines += ["", "## Selection against baselines (same candidates, same limit)", ""]
        lines += ["| strategy | points |", "|---|---|"]
        lines.append(f"| cpsolve | {_fmt(report.score)} |")
        for k, v in report.baselines.items():
            lines.append(f"| {k} | {_fmt(v)} |")
    if report.selection:
        lines += ["", *selection_markdown(report.selection)]
    if report.scorer:
        lines += ["", f"Scorer: {report.scorer}"]
    if plots:
        lines += ["", "## Test-time scaling", ""]
        lines += [f"![{p}]({p})" for p in plots]
    lines += ["", "## Counts and timings", ""]
    lines += [f"- {k}: {v}" for k, v in report.counts.items()]
    lines += [f"- {k}: {v:.1f} s" for k, v in report.timings.items()]
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in report.notes]
    return "\n".join(lines) + "\n"


def selection_markdown(table: dict[str, StrategyRow]) -> list[str]:
    """The k-table: points after k submissions (share of the oracle's with the same k), and
    submissions until each subtask's full points; random ones are expectations."""
    if not table:
        return []
    ks = list(next(iter(table.values())).points)
    subtasks = sorted({s for r in table.values() for s in r.first_full}, key=str)
    head = ["strategy", *[f"k={k}" for k in ks], *[f"to full {s}" for s in subtasks]]
    lines = [
        "## Points after k submissions (share of the oracle's with the same k)",
        "",
        "Random and public-then-random: expected values over many random orders.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for name, row in table.items():
        cells = [name]
        for k in ks:
            share = row.of_oracle.get(k)
            cells.append(_fmt(row.points[k]) + ("" if share is None else f" ({share:.2f})"))
        cells += [_fmt(row.first_full.get(s)) for s in subtasks]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _plot_curves(report: Report, out_dir: Path) -> list[Path]:
    if not report.curves:
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    titles = {
        "samples": ("samples per subtask", "score against number of samples"),
        "submissions": ("submissions", "score against number of submissions"),
    }
    out: list[Path] = []
    for key, curve in report.curves.items():
        xlabel, title = titles.get(key, (key, key))
        fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
        ax.plot(curve.x, curve.ours, marker="o", label="cpsolve")
        colour: dict[str, object] = {}
        if curve.random:
            (line,) = ax.plot(curve.x, curve.random, marker=".", linestyle="--", label="random")
            colour["random"] = line.get_color()
        for name, ys in curve.others.items():
            (line,) = ax.plot(curve.x, ys, marker=".", linestyle="-.", label=name)
            colour[name] = line.get_color()
        for name, (lo, hi) in curve.bands.items():
            ax.fill_between(
                curve.x, lo, hi, alpha=0.15, color=colour.get(name), label=f"{name} 10-90%"
            )
        if curve.oracle:
            ax.plot(curve.x, curve.oracle, marker=".", linestyle=":", label="oracle")
        ax.set_xscale("log" if key == "samples" and max(curve.x) > 8 * min(curve.x) else "linear")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("points")
        ax.set_ylim(0, report.max_score * 1.05 or 1)
        ax.set_title(f"{report.problem}: {title}")
        ax.grid(alpha=0.3)
        ax.legend()
        fig.tight_layout()
        path = out_dir / f"scaling_{key}.png"
        fig.savefig(path)
        plt.close(fig)
        out.append(path)
    return out


def load_report(path: str | Path) -> Report:
    from cpsolve.errors import UserError

    p = Path(path)
    if p.is_dir():
        p = p / "report.json"
    if not p.is_file():
        raise UserError(f"{p}: no such report")
    try:
        return Report.model_validate(json.loads(p.read_text()))
    except (json.JSONDecodeError, ValueError) as e:
        raise UserError(f"{p}: not a cpsolve report ({str(e).splitlines()[0]})") from None

"""`cpsolve run`, `cpsolve bench` and `cpsolve eval`: the tool people use."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from cpsolve.cli.progress import RichProgress
from cpsolve.errors import UserError

if TYPE_CHECKING:
    from cpsolve.config import RunConfig
    from cpsolve.run.bench import BenchReport
    from cpsolve.run.report import Report
    from cpsolve.sandbox.base import Sandbox

ProblemArg = Annotated[Path, typer.Argument(help="a problem.json or the directory holding one")]
EngineOpt = Annotated[
    str | None, typer.Option(help="vllm | openai | hf | replay | simulated (default: replay)")
]
ModelOpt = Annotated[
    str | None, typer.Option(help="model id/path, served model name, or samples file to replay")
]
SamplesOpt = Annotated[
    int | None,
    typer.Option(help="solution samples per subtask; default: all a replayed pool holds, else 100"),
]
SubmissionsOpt = Annotated[int | None, typer.Option(help="submission limit (50 IOI, 10 CF)")]
SandboxOpt = Annotated[str | None, typer.Option(help="auto | local | docker")]
SeedOpt = Annotated[int | None, typer.Option(help="seed of sampling and every random choice")]
ConfigOpt = Annotated[Path | None, typer.Option(help="a JSON file of run settings")]
InputsOpt = Annotated[int | None, typer.Option(help="generated inputs per subtask")]
WorkersOpt = Annotated[int | None, typer.Option(help="sandbox workers (default: cores)")]
RunsOpt = Annotated[Path, typer.Option(help="where run directories go")]
SelectionOpt = Annotated[
    Path | None, typer.Option(help="planner settings from `cpsolve tune-selection`")
]
RankerOpt = Annotated[Path | None, typer.Option(help="ranker from `cpsolve train-ranker`")]
ClusterOpt = Annotated[str | None, typer.Option(help="ray: run the sandbox on a Ray cluster")]
RayAddressOpt = Annotated[str | None, typer.Option(help="the Ray cluster (default: RAY_ADDRESS)")]
EngineOptionOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--engine-option",
        help="engine option KEY=VALUE (repeatable; e.g. tensor_parallel_size=2, "
        "gpu_memory_utilization=0.8); added to the config file's engine_options",
    ),
]
OptionOpt = Annotated[list[str] | None, typer.Option("--option", hidden=True)]  # the old name
StagedOpt = Annotated[
    bool,
    typer.Option("--staged", help="run the stages one after the other instead of streaming"),
]


def _config(
    config: Path | None, options: list[str] | None, staged: bool, **flags: object
) -> RunConfig:
    from cpsolve.cli.sample import parse_options
    from cpsolve.config import load_config

    given = parse_options(options or [])
    if given and config is not None:  # the flags add to (and win over) the file's section
        given = {**load_config(config, {}).engine_options, **given}
    return load_config(config, {**flags, "engine_options": given or None, "staged": staged or None})


def _path(p: Path | None) -> str | None:
    return None if p is None else str(p.resolve())


@contextmanager
def interrupt_says_resume(console: Console) -> Iterator[None]:
    """Ctrl-C: say that nothing is lost and how to go on, exit 130, no traceback."""
    try:
        yield
    except KeyboardInterrupt:
        console.print(
            "[yellow]interrupted:[/] everything finished so far is kept in the run store; "
            "run the same command again to resume."
        )
        raise typer.Exit(130) from None


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("bench")(bench)
    app.command("eval")(evaluate)


def run(
    problem: ProblemArg,
    engine: EngineOpt = None,
    model: ModelOpt = None,
    samples: SamplesOpt = None,
    submissions: SubmissionsOpt = None,
    sandbox: SandboxOpt = None,
    out: Annotated[Path | None, typer.Option(help="run directory (default runs/<id>)")] = None,
    seed: SeedOpt = None,
    config: ConfigOpt = None,
    generated_inputs: InputsOpt = None,
    workers: WorkersOpt = None,
    base_url: Annotated[str | None, typer.Option(help="openai engine: server URL")] = None,
    engine_option: EngineOptionOpt = None,
    option: OptionOpt = None,
    staged: StagedOpt = False,
    runs_dir: RunsOpt = Path("runs"),
    selection: SelectionOpt = None,
    ranker: RankerOpt = None,
    cluster: ClusterOpt = None,
    ray_address: RayAddressOpt = None,
) -> None:
    """Solve one problem: sample, test, cluster, rank, submit; write the run's report."""
    from cpsolve.run.pipeline import run_problem

    cfg = _config(
        config,
        [*(option or []), *(engine_option or [])],
        staged,
        engine=engine,
        model=model,
        samples=samples,
        submissions=submissions,
        sandbox=sandbox,
        seed=seed,
        generated_inputs=generated_inputs,
        workers=workers,
        base_url=base_url,
        selection=_path(selection),
        ranker=_path(ranker),
    )
    console = Console(stderr=True)
    sb = _cluster_sandbox(cfg, cluster, ray_address, console)
    with interrupt_says_resume(console), sb or nullcontext():
        result = run_problem(
            problem,
            cfg,
            runs_dir=runs_dir,
            out=out,
            sandbox=sb,
            progress=RichProgress(console),
            console=console,
        )
        lost = getattr(sb, "lost", 0)
        if lost:
            console.print(f"ray: {lost} request(s) sent again after losing their node")
        show_submissions(result.report)
        typer.echo(str(result.run_dir))


def _cluster_sandbox(
    cfg: RunConfig, cluster: str | None, address: str | None, console: Console
) -> Sandbox | None:
    """The sandbox on a cluster (`--cluster ray`); None: the run opens its own."""
    if cluster is None:
        return None
    from cpsolve.sandbox.factory import open_sandbox

    return open_sandbox(cfg.sandbox, cfg.workers, console, cluster=cluster, ray_address=address)


def show_submissions(report: Report) -> None:
    console = Console()
    table = Table(title=f"{report.problem}: submissions")
    for col in ("#", "subtask", "cluster", "rank", "earned"):
        table.add_column(col, justify="right")
    for s in report.submissions:
        earned = "-" if s.earned is None else f"{s.earned:g}"
        table.add_row(str(s.n), s.subtask, str(s.cluster), str(s.rank), earned)
    console.print(table)
    if report.judged:
        line = f"score {report.score:g} / {report.max_score:g}"
        if report.baselines:
            line += (
                "   ("
                + ", ".join(f"{k} {v:g}" for k, v in report.baselines.items() if v is not None)
                + ")"
            )
        console.print(line)
    else:
        console.print("not judged: the problem has no hidden tests; submit in this order")


def bench(
    set_dir: Annotated[Path, typer.Argument(help="a directory of problem directories")],
    engine: EngineOpt = None,
    model: ModelOpt = None,
    samples: SamplesOpt = None,
    submissions: SubmissionsOpt = None,
    sandbox: SandboxOpt = None,
    out: Annotated[Path | None, typer.Option(help="where bench.json/md go")] = None,
    seed: SeedOpt = None,
    config: ConfigOpt = None,
    generated_inputs: InputsOpt = None,
    workers: WorkersOpt = None,
    engine_option: EngineOptionOpt = None,
    option: OptionOpt = None,
    staged: StagedOpt = False,
    runs_dir: RunsOpt = Path("runs"),
    selection: SelectionOpt = None,
    ranker: RankerOpt = None,
    cluster: ClusterOpt = None,
    ray_address: RayAddressOpt = None,
) -> None:
    """Run every problem of a set (resumable) and report points, solve rate, pass@k, baselines."""
    from cpsolve.run.bench import run_bench, write_bench
    from cpsolve.sandbox.factory import open_sandbox

    cfg = _config(
        config,
        [*(option or []), *(engine_option or [])],
        staged,
        engine=engine,
        model=model,
        samples=samples,
        submissions=submissions,
        sandbox=sandbox,
        seed=seed,
        generated_inputs=generated_inputs,
        workers=workers,
        selection=_path(selection),
        ranker=_path(ranker),
    )
    console = Console(stderr=True)
    sb = _cluster_sandbox(cfg, cluster, ray_address, console)
    sb = sb or open_sandbox(cfg.sandbox, cfg.workers, console=console)
    try:
        with interrupt_says_resume(console):
            bars = RichProgress(console)
            result = run_bench(
                set_dir, cfg, runs_dir=runs_dir, sandbox=sb, progress=bars, fan_out=bool(cluster)
            )
    finally:
        sb.close()
    out_dir = out or runs_dir / f"bench-{set_dir.resolve().name}-{cfg.run_id('set', '')[4:]}"
    write_bench(result, out_dir)
    table = Table(title=f"bench: {set_dir}")
    for col in ("problem", "cpsolve", "random", "oracle", "max", "pass@1"):
        table.add_column(col, justify="right")
    for r in result.problems:
        fmt = lambda v: "-" if v is None else f"{v:g}"  # noqa: E731
        table.add_row(
            r.problem,
            fmt(r.score),
            fmt(r.baselines.get("random")),
            fmt(r.baselines.get("oracle")),
            fmt(r.max_score),
            fmt(r.pass_at.get("pass@1")),
        )
    Console().print(table)
    Console().print(", ".join(f"{k} {v:g}" for k, v in result.total.items()))
    typer.echo(str(out_dir))


def evaluate(
    report: Annotated[Path, typer.Argument(help="bench.json, report.json, or their directory")],
    baseline: Annotated[Path, typer.Option(help="the committed baseline to compare with")],
    tolerance: Annotated[float, typer.Option(help="points a metric may drop")] = 0.0,
    relative: Annotated[float, typer.Option(help="share of a metric it may drop")] = 0.0,
) -> None:
    """Exit non-zero when a metric regressed against the baseline, naming it, or when (on a
    bench) our selection earned less than the best baseline at k = 10 or 50."""
    from cpsolve.run.bench import selection_gate
    from cpsolve.select.metrics import find_regressions

    current = _metrics(report)
    base = _metrics(baseline)
    regressions = find_regressions(current, base, tolerance=tolerance, relative=relative)
    console = Console()
    table = Table(title="eval against baseline")
    for col in ("metric", "baseline", "current", "status"):
        table.add_column(col)
    bad = {r.metric for r in regressions}
    for name in sorted(base):
        cur = current.get(name)
        status = "[red]REGRESSED[/]" if name in bad else "ok"
        table.add_row(name, f"{base[name]:g}", "-" if cur is None else f"{cur:g}", status)
    console.print(table)
    bench_report = _bench(report)
    beaten = selection_gate(bench_report) if bench_report is not None else []
    for line in beaten:
        console.print(f"[red]BEATEN[/] {line}")
    if regressions or beaten:
        names = ", ".join([r.metric for r in regressions] + [f"beaten {b}" for b in beaten])
        raise UserError(f"{len(regressions) + len(beaten)} check(s) failed: {names}")
    typer.echo(f"no regression on {len(base)} metrics; selection not beaten by a baseline")


def _bench(path: Path) -> BenchReport | None:
    from cpsolve.config import read_json
    from cpsolve.run.bench import BenchReport

    p = path / "bench.json" if path.is_dir() else path
    data = read_json(p) if p.is_file() else None
    if isinstance(data, dict) and "problems" in data and "total" in data:
        return BenchReport.model_validate(data)
    return None


def _metrics(path: Path) -> dict[str, float]:
    from cpsolve.config import read_json

    p = path
    if p.is_dir():
        p = p / "bench.json" if (p / "bench.json").is_file() else p / "report.json"
    if not p.is_file():
        raise UserError(f"{path}: no bench.json or report.json there")
    data = read_json(p)
    if isinstance(data, dict) and "problems" in data and "total" in data:
        from cpsolve.run.bench import BenchReport

        return BenchReport.model_validate(data).metrics()
    if isinstance(data, dict) and "max_score" in data and "subtasks" in data:
        return {"score": float(data.get("score") or 0.0)}
    if isinstance(data, dict) and all(isinstance(v, int | float) for v in data.values()):
        return {k: float(v) for k, v in data.items()}
    raise UserError(f"{p}: neither a bench report, a run report nor a metrics file")

"""`cpsolve import ...`: one subcommand per importer of `cpsolve.importers`.

The importers return what they wrote and skipped and report the problem they are on through a
callback; this module draws the status line and prints the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from cpsolve.importers._dataset import ImportReport

import_app = typer.Typer(
    help="Import problems from other formats (CMS/TPS, Kattis, Polygon packages, datasets).",
    no_args_is_help=True,
)

SrcArg = Annotated[Path, typer.Argument(help="Dataset rows: a .jsonl or .jsonl.gz file.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Directory to write the problems to.")]
TestsOpt = Annotated[
    list[Path] | None,
    typer.Option("--tests", help="JSON-lines file of test-case rows (repeatable)."),
]
SolutionsOpt = Annotated[
    list[Path] | None,
    typer.Option("--solutions", help="JSON-lines file of solution rows (repeatable)."),
]


@contextmanager
def status(what: str) -> Iterator[Callable[[str], None]]:
    """A status line on stderr naming the problem being written."""
    with Console(stderr=True).status(what) as line:
        yield lambda name: line.update(f"{what}: {name}")


def print_report(report: ImportReport, out: Path) -> None:
    """One line per skipped row, then the totals."""
    for note in report.skipped:
        typer.echo(note)
    typer.echo(
        f"imported {len(report.written)} problems into {out}, skipped {len(report.skipped)} rows"
    )


@import_app.command("cms")
def cms(
    package: Annotated[Path, typer.Argument(help="A CMS/TPS task package directory.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write the problem to.")],
) -> None:
    """Import a CMS/TPS task package (IOI format) as a cpsolve problem."""
    from cpsolve.importers.cms import import_cms

    echo_problem(import_cms(package, out))


@import_app.command("tps")
def tps(
    package: Annotated[Path, typer.Argument(help="A TPS task directory (gen/, subtasks.json).")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write the problem to.")],
    sandbox: Annotated[str, typer.Option(help="Sandbox backend: local, docker or auto.")] = "auto",
) -> None:
    """Import a TPS task directory: generate its tests from gen/data as TPS does."""
    from cpsolve.cli.judge import opened_sandbox
    from cpsolve.importers.tps import import_tps

    with opened_sandbox(sandbox) as sb, status("generating and validating tests"):
        target, skipped = import_tps(package, out, sb)
    for name in skipped:
        typer.echo(f"left out solution/{name}: a language the judge's graders do not take")
    echo_problem(target)


@import_app.command("kattis")
def kattis(
    package: Annotated[Path, typer.Argument(help="A Kattis/ICPC problem package directory.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write the problem to.")],
    time_limit: Annotated[
        float | None,
        typer.Option(help="Seconds, when neither problem.yaml nor .timelimit gives one."),
    ] = None,
) -> None:
    """Import a Kattis/ICPC problem package (problem.yaml, data/, submissions/)."""
    from cpsolve.importers.kattis import import_kattis

    done = import_kattis(package, out, time_limit)
    for note in done.notes:
        typer.echo(f"note: {note}", err=True)
    echo_problem(done.target)


@import_app.command("polygon")
def polygon(
    package: Annotated[Path, typer.Argument(help="A Polygon package directory (problem.xml).")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write the problem to.")],
) -> None:
    """Import a Polygon (Codeforces) package: problem.xml, tests and generators, checker."""
    from cpsolve.importers.polygon import import_polygon

    done = import_polygon(package, out)
    for note in done.notes:
        typer.echo(f"note: {note}", err=True)
    echo_problem(done.target)


def echo_problem(target: Path) -> None:
    """One line saying what an imported problem holds."""
    from cpsolve.problem import load_problem

    problem = load_problem(target)
    typer.echo(
        f"wrote {target}: {problem.task_type} task, {len(problem.subtasks)} subtasks, "
        f"{len(problem.hidden_tests)} tests, {len(problem.reference_solutions)} solutions"
    )


@import_app.command("codecontests")
def codecontests(
    src: Annotated[Path, typer.Argument(help="CodeContests rows: a .jsonl or .jsonl.gz file.")],
    out: Annotated[Path, typer.Option("--out", help="Directory to write the problems to.")],
    max_solutions: Annotated[
        int, typer.Option(help="At most this many correct and as many incorrect solutions.")
    ] = 2,
) -> None:
    """Import DeepMind CodeContests rows (JSON lines) as cpsolve problems."""
    from cpsolve.importers.codecontests import import_codecontests

    with status("importing") as show:
        report = import_codecontests(src, out, max_solutions, show)
    print_report(report, out)


@import_app.command("open-r1-ioi")
def open_r1_ioi(
    src: SrcArg, out: OutOpt, tests: TestsOpt = None, solutions: SolutionsOpt = None
) -> None:
    """Import open-r1/ioi subtask rows (and ioi-test-cases rows) as cpsolve problems."""
    from cpsolve.importers.open_r1 import import_open_r1_ioi

    with status("importing") as show:
        report = import_open_r1_ioi(src, out, [*(tests or []), *(solutions or [])], show)
    print_report(report, out)


@import_app.command("open-r1-codeforces")
def open_r1_codeforces(
    src: SrcArg, out: OutOpt, tests: TestsOpt = None, solutions: SolutionsOpt = None
) -> None:
    """Import open-r1/codeforces rows (and generated-test rows) as cpsolve problems."""
    from cpsolve.importers.open_r1 import import_open_r1_codeforces

    with status("importing") as show:
        report = import_open_r1_codeforces(src, out, [*(tests or []), *(solutions or [])], show)
    print_report(report, out)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")

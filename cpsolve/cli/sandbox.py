"""`cpsolve sandbox build|doctor`: make the sandbox image and say which backends work."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

console = Console()

sandbox_app = typer.Typer(
    help="Build the sandbox image and check which sandbox backends work.",
    no_args_is_help=True,
)


@sandbox_app.command("build")
def build(
    offline: Annotated[
        bool,
        typer.Option(help="Make the base with debootstrap from the apt mirror (no registry)."),
    ] = False,
    tag: Annotated[
        str, typer.Option(help="Tag of the image to build (default: versioned by its content).")
    ] = "",
    force: Annotated[
        bool, typer.Option(help="Rebuild even when a current image (and base) exists.")
    ] = False,
    mirror: Annotated[
        str, typer.Option(help="Debian mirror URL for --offline (default: from apt sources).")
    ] = "",
) -> None:
    """Build the Docker sandbox image (skipped when a current one exists)."""
    from cpsolve.sandbox import image

    with console.status("building the sandbox image") as status:

        def say(line: str) -> None:
            status.update(line)
            console.print(f"  {line}", highlight=False, soft_wrap=True)

        done = image.build_image(
            tag=tag or None,
            offline=offline,
            force=force,
            mirror=mirror or None,
            say=say,
        )
    console.print(done, highlight=False, soft_wrap=True)


@sandbox_app.command("doctor")
def doctor(
    runs: Annotated[int, typer.Option(min=1, help="Runs of a trivial program per backend.")] = 200,
    tag: Annotated[str, typer.Option(help="Tag of the Docker sandbox image.")] = "",
) -> None:
    """Say which sandbox backends work here and what one run costs in each."""
    from cpsolve.sandbox import doctor as checks

    for line in checks.report(runs=runs, tag=tag):
        console.print(line, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app, name="sandbox")

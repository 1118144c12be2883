"""The `cpsolve` command line.

Each module of this package adds its own commands through a `register(app)` function, so a
command group lives beside nothing else. Errors a user can cause end in one sentence on stderr and
exit code 2; internal faults keep their traceback. Text that programs or files control is printed
through `safe.shown`, so it cannot move the cursor or draw markup.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer
from rich.console import Console

from cpsolve.cli.safe import shown
from cpsolve.errors import UserError

app = typer.Typer(
    name="cpsolve",
    help="Solve competitive-programming problems with test-time compute.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

err_console = Console(stderr=True)

_registered = False


@app.callback()
def _root() -> None:
    """Solve competitive-programming problems with test-time compute."""


def _register_all() -> None:
    global _registered
    if _registered:
        return
    _registered = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear sentence and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {shown(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def main() -> None:
    _register_all()
    try:
        app()
    except UserError as e:
        raise SystemExit(_print_error(str(e))) from None
    except KeyboardInterrupt:
        err_console.print("interrupted: work done so far is kept; run the same command to resume.")
        raise SystemExit(130) from None


def _print_error(message: str) -> int:
    err_console.print(f"[bold red]error:[/] {shown(message)}", highlight=False, soft_wrap=True)
    return 2


if __name__ == "__main__":  # pragma: no cover
    main()


@app.command("version")
def version() -> None:
    """Print cpsolve's version."""
    from cpsolve import __version__

    typer.echo(__version__)

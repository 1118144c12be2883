"""`cpsolve import ...`: one subcommand per importer module of `cpsolve.importers`."""

from __future__ import annotations

import typer

from cpsolve.importers import importer_modules

import_app = typer.Typer(
    help="Import problems from other formats (CMS/TPS packages, datasets).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    for module in importer_modules():
        module.register_cli(import_app)
    app.add_typer(import_app, name="import")

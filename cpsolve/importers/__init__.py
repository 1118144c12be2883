"""Importers: turn what users already have (CMS/TPS task packages, dataset rows) into problems.

Each importer is one module of this package with a `register_cli(app)` function adding its
command to the `cpsolve import` group; `importer_modules()` finds them, so a new importer is a
new module here and nothing else changes.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def importer_modules() -> list[ModuleType]:
    """Every importer module of this package (those with a `register_cli`), sorted by name."""
    found = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if callable(getattr(module, "register_cli", None)):
            found.append(module)
    return found

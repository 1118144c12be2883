"""The package's layout holds: imports point one way, the instrument and the UI stay at the edges.

Read from the source with `ast` (every import, those under TYPE_CHECKING and inside functions
too), so a move that brings back a circle or an upward import fails here, not in review.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "cpsolve"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(module: str, is_pkg: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports() -> dict[str, set[str]]:
    """Every cpsolve module and the cpsolve modules it imports (names resolved to modules)."""
    files = {_module_name(p): p for p in PKG.rglob("*.py")}
    known = set(files)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_pkg = path.name == "__init__.py"
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mod = _resolve(name, is_pkg, node)
                targets = [f"{mod}.{a.name}" for a in node.names] + [mod]
            for t in targets:
                while t and t not in known:
                    t = t.rpartition(".")[0]
                if t and t != name:
                    found.add(t)
        graph[name] = found
    return graph


def _all_imports() -> dict[str, set[str]]:
    """Like `_imports`, with third-party names kept (for the rich/typer rule)."""
    out: dict[str, set[str]] = {}
    for path in PKG.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        out[_module_name(path)] = names
    return out


GRAPH = _imports()


def _in(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_the_graph_is_read() -> None:
    assert "cpsolve.run.pipeline" in GRAPH
    assert "cpsolve.execute.stage" in GRAPH["cpsolve.run.pipeline"]


def test_no_import_circle() -> None:
    """Peel off modules that import nothing still left; whatever cannot be peeled is a circle."""
    left = {m: {d for d in deps if d in GRAPH} for m, deps in GRAPH.items()}
    changed = True
    while changed:
        changed = False
        for m in [m for m, deps in left.items() if not deps]:
            del left[m]
            for deps in left.values():
                deps.discard(m)
            changed = True
    assert not left, f"import circle among: {sorted(left)}"


def test_the_simulated_model_is_imported_by_no_production_module() -> None:
    users = [m for m, deps in GRAPH.items() if not _in(m, "cpsolve.simulate")]
    bad = [m for m in users if any(_in(d, "cpsolve.simulate") for d in GRAPH[m])]
    assert not bad


def test_engines_import_nothing_above_them() -> None:
    above = ("cpsolve.testgen", "cpsolve.judge", "cpsolve.execute", "cpsolve.run")
    above += ("cpsolve.select", "cpsolve.simulate", "cpsolve.sandbox", "cpsolve.serve")
    for m, deps in GRAPH.items():
        if _in(m, "cpsolve.sample.engines"):
            assert not [d for d in deps if _in(d, *above)], m


def test_selection_is_free_of_io_modules() -> None:
    io = ("cpsolve.sandbox", "cpsolve.store", "cpsolve.sample", "cpsolve.execute", "cpsolve.run")
    for m, deps in GRAPH.items():
        if _in(m, "cpsolve.select"):
            assert not [d for d in deps if _in(d, *io)], m


@pytest.mark.parametrize("ui", ["rich", "typer"])
def test_ui_libraries_only_under_cli(ui: str) -> None:
    bad = [m for m, names in _all_imports().items() if ui in names and not _in(m, "cpsolve.cli")]
    assert not bad


def test_the_in_box_runner_imports_only_itself_and_the_standard_library() -> None:
    runner = "cpsolve.sandbox.runner"
    for m, deps in GRAPH.items():
        if _in(m, runner):
            assert not [d for d in deps if not _in(d, runner)], m

"""Which format a problem directory is in, and its import, cached by the package's content.

`cpsolve bench` takes a directory whose entries are packages of any supported format: cpsolve's
own `problem.json`, CMS and TPS task packages, Kattis/ICPC problem packages, Polygon packages.
`bench_problems` finds them, imports each non-cpsolve package on the fly into
`$CPSOLVE_CACHE/imports/<format>-<name>-<content hash>/` (default `~/.cache/cpsolve`), and reuses
that import while the package's files stay the same.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from cpsolve.errors import ProblemError, UserError
from cpsolve.problem import find_problems
from cpsolve.sandbox.base import Sandbox

FORMAT = "cpsolve-import-v1"  # part of every cache key: bump it when an importer's output changes


def detect(path: Path) -> str | None:
    """'polygon', 'kattis', 'tps', 'cms', 'cpsolve', or None when `path` is none of them."""
    if not path.is_dir():
        return None
    if (path / "problem.xml").is_file():
        return "polygon"
    if (path / "problem.yaml").is_file():
        return "kattis"
    if (path / "subtasks.json").is_file() and (path / "gen").is_dir():
        return "tps"
    meta = path / "problem.json"
    if not meta.is_file():
        return None
    try:
        raw = json.loads(meta.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "cpsolve"  # loading it says what is wrong
    if isinstance(raw, dict) and "id" not in raw and (path / "tests").is_dir():
        return "cms"
    return "cpsolve"


def content_hash(package: Path) -> str:
    """A hash of every file of the package: its path and its bytes."""
    h = hashlib.sha256(FORMAT.encode())
    for f in sorted(p for p in package.rglob("*") if p.is_file()):
        rel = f.relative_to(package).as_posix().encode()
        h.update(len(rel).to_bytes(8, "little") + rel)
        data = f.read_bytes()
        h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def _tps(package: Path, out: Path, sandbox: Sandbox | None) -> Path:
    """A TPS package's import: its tests are generated, so it needs a sandbox (the bench's, or
    one opened for it)."""
    from cpsolve.importers.tps import import_tps

    if sandbox is not None:
        return import_tps(package, out, sandbox)[0]
    from cpsolve.sandbox.factory import open_sandbox

    with open_sandbox("auto") as own:
        return import_tps(package, out, own)[0]


def _importer(kind: str, sandbox: Sandbox | None) -> Callable[[Path, Path], Path]:
    if kind == "kattis":
        from cpsolve.importers.kattis import import_kattis

        return lambda pkg, out: import_kattis(pkg, out).target
    if kind == "polygon":
        from cpsolve.importers.polygon import import_polygon

        return lambda pkg, out: import_polygon(pkg, out).target
    if kind == "cms":
        from cpsolve.importers.cms import import_cms

        return import_cms
    return lambda pkg, out: _tps(pkg, out, sandbox)


def imports_dir() -> Path:
    root = os.environ.get("CPSOLVE_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "cpsolve") / "imports"


def imported(
    package: Path, kind: str, cache: Path | None = None, sandbox: Sandbox | None = None
) -> Path:
    """The problem.json of `package`'s import, made now or reused from the cache."""
    pkg = package.resolve()
    root = cache or imports_dir()
    folder = root / f"{kind}-{pkg.name}-{content_hash(pkg)[:16]}"
    if (folder / "problem.json").is_file():
        return folder / "problem.json"
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".import-", dir=root))
    try:
        target = _importer(kind, sandbox)(pkg, work / "problem")
        try:
            os.replace(target.parent, folder)
        except OSError:
            if not (folder / "problem.json").is_file():
                raise
            # another bench imported it meanwhile: theirs is as good
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder / "problem.json"


def bench_problems(
    set_dir: Path, cache: Path | None = None, sandbox: Sandbox | None = None
) -> tuple[list[Path], dict[str, str]]:
    """The problem files of a set (packages imported on the fly) and the packages skipped, each
    with the sentence that says why."""
    kind = detect(set_dir)
    if set_dir.is_file() or kind == "cpsolve":
        return find_problems(set_dir), {}
    if kind is not None:
        return [imported(set_dir, kind, cache, sandbox)], {}
    if not set_dir.is_dir():
        raise ProblemError(f"{set_dir}: no such file or directory")
    paths: list[Path] = []
    skipped: dict[str, str] = {}
    for entry in sorted(p for p in set_dir.iterdir() if p.is_dir()):
        kind = detect(entry)
        if kind == "cpsolve":
            paths.append(entry / "problem.json")
        elif kind is not None:
            try:
                paths.append(imported(entry, kind, cache, sandbox))
            except UserError as e:
                skipped[entry.name] = str(e)
    if not paths and not skipped:
        raise ProblemError(f"{set_dir}: holds no problem.json and no package cpsolve imports")
    return paths, skipped

"""Shared pieces of the dataset-row importers (CodeContests, open-r1): reading JSON lines, naming
problems, writing a problem directory and checking that it loads.

Not an importer itself (its name starts with "_", so the registry passes it by).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cpsolve.errors import ProblemError, UserError
from cpsolve.problem import CheckerSpec, Problem, load_problem

PARQUET_HINT = (
    "convert it to JSON lines first, e.g. "
    "`python -c \"import pandas as pd; pd.read_parquet('IN.parquet')"
    ".to_json('OUT.jsonl', orient='records', lines=True)\"` "
    "or `datasets.Dataset.from_parquet('IN.parquet').to_json('OUT.jsonl')`"
)


class RowSkipped(Exception):
    """A row that cannot become a problem; its message says why, in a few words."""


# What a field of the wrong type or out of range raises while a row is turned into a problem.
MALFORMED = (ValueError, TypeError, KeyError, AttributeError)


def malformed(e: Exception) -> str:
    """One line saying what is wrong with a row whose fields do not fit."""
    if isinstance(e, ValidationError):
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "row"
        return f"malformed row: {where}: {first['msg']}"
    text = str(e).strip().splitlines()
    return f"malformed row: {type(e).__name__}: {text[0] if text else ''}"


@dataclass
class Row:
    line: int
    data: dict[str, Any]

    def need(self, key: str) -> Any:
        """A field the row cannot do without."""
        value = self.data.get(key)
        if value is None or value == "":
            raise RowSkipped(f"missing required field '{key}'")
        return value


@dataclass
class ImportReport:
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def skip(self, where: str, reason: str) -> None:
        self.skipped.append(f"skipped {where}: {reason}")


def read_rows(src: Path) -> Iterator[Row]:
    """The JSON objects of a JSON-lines file (.jsonl, .json or .jsonl.gz), one per line.

    A line that is not JSON makes the whole file unreadable (UserError); a line holding JSON that is
    not an object is returned as-is for the importer to skip with a note.
    """
    if not src.is_file():
        raise UserError(f"{src}: no such file; give a JSON-lines file (.jsonl or .jsonl.gz)")
    if src.suffix.lower() in (".parquet", ".pq"):
        raise UserError(f"{src} is a Parquet file, which cpsolve does not read; {PARQUET_HINT}")
    opener = gzip.open if src.suffix.lower() == ".gz" else open
    try:
        with opener(src, "rt", encoding="utf-8") as f:
            for number, text in enumerate(f, start=1):
                if not text.strip():
                    continue
                yield Row(number, _parse_line(src, number, text))
    except (UnicodeDecodeError, OSError, EOFError) as e:
        raise UserError(f"{src}: cannot be read as UTF-8 JSON lines ({e})") from None


def _parse_line(src: Path, number: int, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise UserError(
            f"{src} line {number} is not valid JSON ({e.msg}); "
            "expected JSON lines, one JSON object per line"
        ) from None


def slug(text: str) -> str:
    """A problem id and directory name made of letters, digits, '-' and '_'."""
    s = re.sub(r"[^A-Za-z0-9_-]+", "-", text.strip()).strip("-")
    return s[:80] or "problem"


def memory_mb(value: Any, default: int = 256) -> int:
    """Megabytes from MB or bytes (values of 64 Ki and more are bytes), clamped to the format."""
    try:
        v = float(value or 0)
    except (TypeError, ValueError):
        v = 0
    mb = int(v // (1 << 20)) if v >= 1 << 16 else int(v)
    return min(4096, max(16, mb or default))


def seconds(value: Any, default: float = 1.0) -> float:
    try:
        v = float(value or 0)
    except (TypeError, ValueError):
        v = 0
    return min(60.0, v) if v > 0 else default


_TOLERANCE = re.compile(
    r"(?:absolute|relative)\s+(?:or\s+(?:absolute|relative)\s+)?error"
    r".{0,80}?10\s*\^?\s*\{?\s*[-\u2212]\s*(\d+)",
    re.IGNORECASE | re.DOTALL,
)
_TOLERANCE_E = re.compile(
    r"(?:absolute|relative)\s+(?:or\s+(?:absolute|relative)\s+)?error.{0,80}?1e-(\d+)",
    re.IGNORECASE | re.DOTALL,
)


def checker_from_text(text: str) -> CheckerSpec:
    """A float checker when the statement allows an absolute or relative error of 10^-k;
    the token checker otherwise."""
    m = _TOLERANCE.search(text) or _TOLERANCE_E.search(text)
    if not m:
        return CheckerSpec()
    tol = 10.0 ** -int(m.group(1))
    return CheckerSpec(type="float", abs_tol=tol, rel_tol=tol)


def safe_relpath(name: str) -> str | None:
    """A dataset-given file path made relative and kept inside the problem directory."""
    parts = [p for p in Path(name.replace("\\", "/")).parts if p not in ("/", ".", "")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def write_problem(out: Path, problem: Problem, files: dict[str, str | bytes]) -> Path:
    """Write `problem` and its files under `out/<id>/`; the problem must load back.

    A problem that does not load is a skipped row (RowSkipped), not a crash.
    """
    target_dir = out / problem.id
    if target_dir.exists():
        for sub in ("tests", "solutions"):
            shutil.rmtree(target_dir / sub, ignore_errors=True)
    for rel, content in files.items():
        path = target_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    target = target_dir / "problem.json"
    data = problem.model_dump(mode="json", exclude_defaults=True)
    target.write_text(json.dumps({"id": problem.id, "name": problem.name, **data}, indent=2) + "\n")
    try:
        load_problem(target)
    except ProblemError as e:
        raise RowSkipped(f"the imported problem does not load: {e}") from None
    return target


def solution_language(code: str, hint: Any = None) -> str | None:
    """'cpp' or 'py' for a solution, from a language hint or the code itself; None otherwise."""
    h = str(hint or "").strip().lower()
    if h in ("cpp", "c++", "cpp17", "c++17", "gnu++17", "cxx", "cc"):
        return "cpp"
    if h in ("python", "python3", "py", "py3", "pypy3"):
        return "py"
    if h:
        return None
    if re.search(r"^\s*#\s*include\b", code, re.MULTILINE):
        return "cpp"
    return "py"


Shown = Callable[[str], None]
"""shown(name): the importer is writing the problem `name` (for a status line)."""


def nothing_shown(name: str) -> None:
    pass

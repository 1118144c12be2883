"""The programming languages cpsolve compiles and runs, and how a file name maps to one."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from cpsolve.errors import UserError


class Language(StrEnum):
    CPP = "cpp"
    C = "c"
    PYTHON = "python"


EXTENSIONS: dict[str, Language] = {
    ".cpp": Language.CPP,
    ".cc": Language.CPP,
    ".cxx": Language.CPP,
    ".c": Language.C,
    ".py": Language.PYTHON,
}

SOURCE_NAME: dict[Language, str] = {
    Language.CPP: "main.cpp",
    Language.C: "main.c",
    Language.PYTHON: "main.py",
}

# Names a model or a user may give a language (a fence tag, a flag).
ALIASES: dict[str, Language] = {
    "cpp": Language.CPP,
    "c++": Language.CPP,
    "cxx": Language.CPP,
    "cc": Language.CPP,
    "c": Language.C,
    "python": Language.PYTHON,
    "python3": Language.PYTHON,
    "py": Language.PYTHON,
}


def language_of(path: str | Path) -> Language:
    """The language of a source file, from its extension; a clear error when it is unknown."""
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        known = ", ".join(sorted(EXTENSIONS))
        raise UserError(f"{path}: unknown language '{suffix or '(no extension)'}' (known: {known})")
    return EXTENSIONS[suffix]


def parse_language(name: str) -> Language:
    """A language from a name such as 'c++' or 'py'."""
    key = name.strip().lower()
    if key not in ALIASES:
        raise UserError(f"unknown language '{name}' (known: {', '.join(sorted(ALIASES))})")
    return ALIASES[key]

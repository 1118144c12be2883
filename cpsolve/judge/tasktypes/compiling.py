"""Compiling for the judge: the problem's own programs, and a submission with its grader."""

from __future__ import annotations

from pathlib import Path

from cpsolve.errors import ProblemError
from cpsolve.languages import Language, language_of
from cpsolve.problem import Problem
from cpsolve.sandbox.base import Artifact, Sandbox

HEADER_SUFFIXES = (".h", ".hpp", ".hh")


def _headers_beside(path: Path) -> dict[str, bytes]:
    found = sorted(path.parent.glob("*"))
    return {p.name: p.read_bytes() for p in found if p.suffix in HEADER_SUFFIXES}


def compile_support(sandbox: Sandbox, problem: Problem, relpath: str) -> Artifact:
    """Compile one of the problem's own programs (checker, manager, generator...), with the
    headers that sit beside it (testlib.h); a compile error is the problem's fault."""
    path = problem.path(relpath)
    if not path.is_file():
        raise ProblemError(f"{problem.id}: program '{relpath}' does not exist")
    art = sandbox.compile(
        path.read_text(), language_of(path), _headers_beside(path), filename=path.name
    )
    if not art.ok:
        head = art.message.strip()[:400]
        raise ProblemError(f"{problem.id}: '{relpath}' does not compile: {head}")
    return art


def compile_submission(
    sandbox: Sandbox, problem: Problem, source: str, language: Language
) -> Artifact:
    """Compile a contestant's source, together with the problem's grader when it has one."""
    spec = problem.grader
    if spec is None:
        return sandbox.compile(source, language)
    extra = {Path(h).name: problem.path(h).read_bytes() for h in spec.headers}
    graders = [problem.path(s) for s in spec.sources.get(language, [])]
    if not graders and spec.sources:
        known = ", ".join(sorted(spec.sources))
        return Artifact(
            key="",
            language=language,
            ok=False,
            message=f"this problem's grader exists only for {known}, not {language}",
        )
    filename = spec.filename.get(language)
    if language == Language.PYTHON and graders:
        # Python graders are the entry point and import the contestant's module.
        extra |= {g.name: g.read_bytes() for g in graders[1:]}
        extra[filename or "solution.py"] = source.encode()
        return sandbox.compile(graders[0].read_text(), language, extra, filename=graders[0].name)
    extra |= {g.name: g.read_bytes() for g in graders}
    return sandbox.compile(
        source, language, extra, filename=filename, extra_sources=[g.name for g in graders]
    )

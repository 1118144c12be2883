"""What importing one contest package gives: the problem file written and what was left out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cpsolve.errors import ProblemError, UserError
from cpsolve.problem import Problem, load_problem


@dataclass
class PackageImport:
    """The problem.json an importer wrote, and one sentence per thing it left out."""

    target: Path
    notes: list[str] = field(default_factory=list)


def write_problem(problem: Problem, target: Path) -> None:
    """Write `problem` as `target` (paths relative to its folder) and check that it loads."""
    data = problem.model_dump(mode="json", exclude_defaults=True)
    target.write_text(json.dumps({"id": problem.id, **data}, indent=2) + "\n")
    try:
        load_problem(target)
    except ProblemError as e:
        raise UserError(f"the imported problem does not load: {e}") from None

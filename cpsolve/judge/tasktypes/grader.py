"""`grader`: batch, with the contestant's functions compiled into the problem's grader (every
task type compiles with the grader when the problem has one, see `compile_submission`)."""

from __future__ import annotations

from cpsolve.judge.tasktypes.batch import Batch


class Grader(Batch):
    """A grader reports a protocol violation by starting its output with those words."""

    def protocol_violation(self, out: bytes) -> str | None:
        if out.lstrip()[:18].lower() != b"protocol violation":
            return None
        return out.decode("utf-8", "replace").strip().splitlines()[0][:200]

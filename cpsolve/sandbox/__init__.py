"""Sandboxes: where untrusted programs run. See `base` for the contract."""

from cpsolve.sandbox.base import (
    Artifact,
    Job,
    JobResult,
    Limits,
    ProcResult,
    ProcSpec,
    RunResult,
    Sandbox,
    Stage,
    Verdict,
)

__all__ = [
    "Artifact",
    "Job",
    "JobResult",
    "Limits",
    "ProcResult",
    "ProcSpec",
    "RunResult",
    "Sandbox",
    "Stage",
    "Verdict",
]

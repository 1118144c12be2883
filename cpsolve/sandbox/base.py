"""The sandbox contract: what callers (judge, task types, testgen, pipeline) may rely on.

Two levels:

* `compile(source, language, extra_files)` -> `Artifact` (compiled once, cached by language,
  flags and the exact source's hash).
* `run_job(job)` -> `JobResult`: the general form. A job is a list of stages run one after the
  other in one fresh working directory; the processes of a stage run at the same time and may be
  wired together with FIFOs (interactor <-> program, manager <-> N instances). Stage k+1 sees the
  files stage k left (a checker reads the program's output file).
* `run_batch(artifact, inputs, limits)` -> one `RunResult` per input: the hot loop, one program on
  many stdin inputs, executed by the in-box runner without a round trip per run. Identical
  (artifact, input, limits) pairs are executed once.

Processes run as an unprivileged uid under rlimits; time is CPU time of the whole process tree,
memory is peak RSS. Everything crossing this boundary is a pydantic model, so the same structures
travel as JSON to the in-box runner (`cpsolve/sandbox/runner/`) in either backend.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from enum import StrEnum
from typing import Literal, Protocol, Self, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from cpsolve.languages import Language


class Verdict(StrEnum):
    AC = "AC"  # accepted (or, for a plain run, exited 0 within limits)
    PA = "PA"  # partial score
    WA = "WA"
    PE = "PE"
    TLE = "TLE"
    MLE = "MLE"
    RE = "RE"
    OLE = "OLE"
    PV = "PV"  # protocol violation (grader/manager/interactor said so)
    CE = "CE"
    SE = "SE"  # sandbox error: never blamed on the program


class Limits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cpu_s: float = Field(default=1.0, gt=0)
    wall_s: float | None = None  # default: 2 * cpu_s + 1
    memory_mb: int = Field(default=256, ge=8)
    output_mb: int = Field(default=64, ge=1)  # stdout and any file written (RLIMIT_FSIZE)
    stderr_kb: int = Field(default=16, ge=1)  # captured head of stderr
    processes: int = Field(default=1, ge=1)  # threads count too (RLIMIT_NPROC on its own uid)
    open_files: int = Field(default=64, ge=8)

    @property
    def wall(self) -> float:
        return self.wall_s if self.wall_s is not None else 2 * self.cpu_s + 1


class Artifact(BaseModel):
    """A compiled program (or a CE). `key` addresses it in the compile cache."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str
    language: Language
    ok: bool
    message: str = ""  # compiler output head, when not ok (or warnings)
    compile_s: float = 0.0


class ProcSpec(BaseModel):
    """One process of a job stage.

    `program` is an artifact key, or None with `argv` naming a system command (e.g. python3).
    Streams: "input" (the job's input bytes), "file:NAME" (a file in the working directory),
    "fifo:NAME" (a FIFO the job declares), "null", and for stdout/stderr also "capture".
    """

    model_config = ConfigDict(extra="forbid")

    name: str
    program: str | None = None
    args: list[str] = Field(default_factory=list)
    stdin: str = "null"
    stdout: str = "capture"
    stderr: str = "capture"
    limits: Limits = Field(default_factory=Limits)
    trusted: bool = False  # a checker/manager/interactor: its failure is SE, not the contestant's


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    procs: list[ProcSpec]


class Job(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: dict[str, bytes] = Field(default_factory=dict)  # placed in the working directory
    input: bytes = b""
    fifos: list[str] = Field(default_factory=list)
    stages: list[Stage]
    collect: list[str] = Field(default_factory=list)  # files to bring back after the last stage
    collect_max_bytes: int = 64 << 20


class ProcResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    verdict: Verdict  # from resources alone: AC (exit 0), RE, TLE, MLE, OLE, SE
    exit_code: int | None = None
    signal: int | None = None
    cpu_s: float = 0.0
    wall_s: float = 0.0
    memory_mb: float = 0.0
    stdout: bytes = b""
    stderr: bytes = b""  # head only
    stdout_truncated: bool = False


class JobResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    procs: list[ProcResult]  # every process of every stage, in order; stages after a failure may
    # be skipped (a stage runs only when the previous one's processes all exited)
    files: dict[str, bytes] = Field(default_factory=dict)
    error: str | None = None  # set on SE

    def proc(self, name: str) -> ProcResult:
        for p in self.procs:
            if p.name == name:
                return p
        raise KeyError(name)


class RunResult(BaseModel):
    """One program on one input (run_batch)."""

    model_config = ConfigDict(extra="forbid")

    verdict: Verdict  # AC means: exited 0 within limits (no checking here)
    exit_code: int | None = None
    signal: int | None = None
    cpu_s: float = 0.0
    wall_s: float = 0.0
    memory_mb: float = 0.0
    stdout: bytes | None = None  # kept when asked for (keep_output), capped by limits.output_mb
    stdout_sha: str = ""  # sha256 of the whole stdout, always set
    stderr: bytes = b""


def compile_error_runs(artifact: Artifact, n: int) -> list[RunResult]:
    """What running a program that did not compile gives on each of `n` inputs: CE, with the
    compiler's message (nothing runs)."""
    ce = RunResult(verdict=Verdict.CE, stderr=artifact.message.encode()[:4096])
    return [ce] * n


def input_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@runtime_checkable
class Sandbox(Protocol):
    """What every backend provides. Thread-safe: many batches and jobs may be in flight."""

    name: str
    workers: int

    def compile(
        self,
        source: str,
        language: Language,
        extra_files: dict[str, bytes] | None = None,
        *,
        filename: str | None = None,
        extra_sources: Sequence[str] = (),
    ) -> Artifact:
        """Compile (or, for Python, syntax-check and store) a program.

        `extra_files` are placed beside the source (graders, headers); `filename` is the name the
        source gets (default main.cpp / main.py); `extra_sources` names files of `extra_files`
        compiled together with it (a grader's .cpp).
        """
        ...

    def run_batch(
        self,
        artifact: Artifact,
        inputs: Sequence[bytes],
        limits: Limits,
        *,
        keep_output: bool = True,
        args: Sequence[str] = (),
    ) -> list[RunResult]:
        """Run one program on each input (its stdin); one result per input, in order."""
        ...

    def run_job(self, job: Job) -> JobResult:
        """Run a multi-process, multi-stage job (task types, checkers, managers)."""
        ...

    def close(self) -> None:
        """Release every worker, container and temporary file."""
        ...

    def __enter__(self) -> Self:
        """`with open_sandbox(...) as sb:` closes it at the end of the block."""
        ...

    def __exit__(self, *exc: object) -> None: ...


SandboxKind = Literal["auto", "local", "docker"]

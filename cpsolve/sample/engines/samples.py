"""samples.jsonl: completions recorded once (on a GPU) and replayed anywhere.

One JSON object a line: problem, subtask, role, text, and where known tokens, logprob, model,
seed, finish_reason. A name ending in `.gz` is read and written gzip-compressed.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO

from pydantic import BaseModel, ConfigDict, ValidationError

from cpsolve.errors import UserError
from cpsolve.sample.engines.base import Completion, FinishReason, Role


class SampleRecord(BaseModel):
    """One line of samples.jsonl."""

    model_config = ConfigDict(extra="ignore")

    problem: str
    subtask: str
    role: Role = "solution"
    text: str
    tokens: int | None = None
    logprob: float | None = None
    model: str | None = None
    seed: int | None = None
    finish_reason: FinishReason = "stop"

    @classmethod
    def of(cls, c: Completion) -> SampleRecord:
        return cls(
            problem=c.problem,
            subtask=c.subtask,
            role=c.role,
            text=c.text,
            tokens=c.tokens,
            logprob=c.logprob,
            model=c.model or None,
            seed=c.seed,
            finish_reason=c.finish_reason,
        )


def _open(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return path.open(mode, encoding="utf-8")


def read_samples(path: str | Path) -> Iterator[SampleRecord]:
    """Records of a samples.jsonl(.gz), lazily, in file order; blank lines are skipped."""
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{p}: no such samples file")
    lineno = 0
    try:
        with _open(p, "r") as f:
            for lineno, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    yield SampleRecord.model_validate_json(line)
                except ValidationError as e:
                    raise UserError(f"{p}:{lineno}: bad sample record ({_why(e)})") from None
    except (EOFError, OSError, UnicodeDecodeError) as e:  # gzip.BadGzipFile is an OSError
        raise UserError(
            f"{p}: unreadable after line {lineno} ({e}); the file is truncated or not a "
            "samples file: record it again"
        ) from None


def _why(e: ValidationError) -> str:
    err = e.errors()[0]
    if err["type"] == "json_invalid":
        return "not valid JSON"
    where = ".".join(str(x) for x in err["loc"]) or "record"
    return f"{where}: {err['msg']}"


class SampleWriter:
    """Appends records to a samples.jsonl(.gz) as they come; use as a context manager."""

    def __init__(self, path: str | Path, *, append: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f = _open(self.path, "a" if append else "w")
        self.count = 0

    def write(self, items: Iterable[Completion | SampleRecord]) -> int:
        n = 0
        for item in items:
            rec = SampleRecord.of(item) if isinstance(item, Completion) else item
            self._f.write(rec.model_dump_json() + "\n")
            n += 1
        self._f.flush()
        self.count += n
        return n

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> SampleWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def write_samples(path: str | Path, items: Iterable[Completion | SampleRecord]) -> int:
    """Write all `items` to `path` (replacing it); returns how many were written."""
    with SampleWriter(path) as w:
        return w.write(items)

"""The `replay` engine: completions recorded in a samples.jsonl(.gz), served again in order.

Records are served in file order per (problem, subtask, role): the first request for a key gets
its first n records, the next request the following ones; a request whose `offset` lies ahead
(a resumed run asking only for what it lost) skips to that record. The file is read forward
only as far as needed, so replaying a large recording holds little more than one chunk in
memory when the file is grouped by key (as `cpsolve sample` writes it).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from pathlib import Path

from cpsolve.errors import UserError
from cpsolve.sample.engines.base import Completion, SampleRequest
from cpsolve.sample.engines.chunks import Piece, serve_by_piece
from cpsolve.sample.engines.samples import SampleRecord, read_samples

Key = tuple[str, str, str]


class ReplayEngine:
    name = "replay"

    def __init__(self, path: str | Path, model: str = "", chunk_size: int = 1000) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise UserError(f"{self.path}: no such samples file to replay")
        self.model = model or f"replay:{self.path.name}"
        self.chunk_size = chunk_size
        self._records: Iterator[SampleRecord] = read_samples(self.path)
        self._pending: dict[Key, deque[SampleRecord]] = defaultdict(deque)
        self._served: dict[Key, int] = defaultdict(int)
        self._exhausted = False

    def sample(self, requests: Iterable[SampleRequest]) -> Iterator[list[Completion]]:
        return serve_by_piece(requests, self.chunk_size, self._serve)

    def _serve(self, piece: Piece) -> Iterator[Completion]:
        req = piece.request
        key = (req.problem, req.subtask, req.role)
        # A request with an offset (a resumed run) starts that far into the key's records:
        # skip what an earlier run already took. Offsets only move forward.
        while self._served[key] < req.offset + piece.start:
            self._next(key, asked=req.offset + piece.start + 1)
            self._served[key] += 1
        for i in range(piece.count):
            # everything served for this key before this request, plus all this request asks
            asked = self._served[key] - piece.start - i + req.n
            rec = self._next(key, asked=asked)
            self._served[key] += 1
            yield Completion(
                request_index=piece.request_index,
                sample_index=piece.start + i,
                role=req.role,
                problem=req.problem,
                subtask=req.subtask,
                text=rec.text,
                tokens=rec.tokens,
                finish_reason=rec.finish_reason,
                logprob=rec.logprob,
                model=rec.model or self.model,
                seed=rec.seed,
            )

    def _next(self, key: Key, asked: int) -> SampleRecord:
        queue = self._pending[key]
        while not queue and not self._exhausted:
            rec = next(self._records, None)
            if rec is None:
                self._exhausted = True
                break
            self._pending[(rec.problem, rec.subtask, rec.role)].append(rec)
        if not queue:
            have = self._served[key]
            problem, subtask, role = key
            raise UserError(
                f"{self.path} ran out of {role} samples for problem '{problem}' subtask "
                f"'{subtask}': {asked} were asked for but it holds only {have}; record more "
                f"with `cpsolve sample` or ask for fewer"
            )
        return queue.popleft()

    def close(self) -> None:
        self._pending.clear()

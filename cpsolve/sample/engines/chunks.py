"""Cutting a stream of requests into chunks of at most `chunk_size` samples.

A request for n samples may be split into pieces (samples start..start+count-1); pieces of
several requests share a chunk until it is full. Engines generate one chunk at a time, so
memory holds one chunk's completions however many samples were asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from cpsolve.sample.engines.base import Completion, SampleRequest


class Piece(NamedTuple):
    request_index: int
    request: SampleRequest
    start: int  # index of its first sample within the request
    count: int  # type: ignore[assignment]  # shadows tuple.count, on purpose: it reads well


def plan_chunks(requests: Iterable[SampleRequest], chunk_size: int) -> Iterator[list[Piece]]:
    """Pieces grouped into chunks of at most `chunk_size` samples, in request order."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    chunk: list[Piece] = []
    room = chunk_size
    for index, req in enumerate(requests):
        start = 0
        while start < req.n:
            count = min(req.n - start, room)
            chunk.append(Piece(index, req, start, count))
            start += count
            room -= count
            if room == 0:
                yield chunk
                chunk, room = [], chunk_size
    if chunk:
        yield chunk


def serve_by_piece(
    requests: Iterable[SampleRequest],
    chunk_size: int,
    serve: Callable[[Piece], Iterable[Completion]],
) -> Iterator[list[Completion]]:
    """`Engine.sample` for engines that make each piece's completions on their own: one list
    of completions a chunk."""
    for chunk in plan_chunks(requests, chunk_size):
        yield [c for piece in chunk for c in serve(piece)]

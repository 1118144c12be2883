"""Sampling on a Ray cluster: replicas of an engine as Ray actors, data parallel across them.

    get_engine("ray", engine="vllm", model="/models/m", tensor_parallel_size=2, replicas=4)

Each replica is an actor holding one engine built by the registry (`engine`, with the other
keywords as its options) and reserving `gpus_per_replica` GPUs (for vLLM: its tensor parallel
size, so tensor parallelism stays within a replica; a CPU replica reserves one CPU instead).
Requests are cut into the usual chunks; a chunk's pieces are spread over the replicas, each
piece sent as a request of its own whose seed is the seed its first sample has in the whole
request (`sample_seed(seed, start)`) and whose offset is moved the same way. Since engines seed
sample i with seed + i, the completions are those one engine would give, whatever the number of
replicas; they come back renumbered into their request and in request order.

A replica whose actor is lost is dropped and its pieces are sent to another one.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator
from typing import Any

import ray
from ray.exceptions import ActorUnavailableError, RayActorError

from cpsolve.errors import UserError
from cpsolve.sample.engines.base import Completion, SampleRequest, sample_seed
from cpsolve.sample.engines.chunks import Piece, plan_chunks

START_TIMEOUT_S = 1800.0  # a large model loads for minutes


class Replica:
    """The actor body: one engine of the registry."""

    def __init__(self, engine: str, options: dict[str, Any]) -> None:
        from cpsolve.sample.engines import get_engine

        self.engine = get_engine(engine, **options)

    def model(self) -> str:
        return self.engine.model

    def generate(self, requests: list[SampleRequest]) -> list[Completion]:
        return [c for chunk in self.engine.sample(requests) for c in chunk]

    def close(self) -> None:
        self.engine.close()


def join(address: str | None) -> None:
    """Join the Ray cluster at `address` (or RAY_ADDRESS); one sentence when it cannot."""
    if ray.is_initialized():
        return
    addr = address or os.environ.get("RAY_ADDRESS")
    if not addr:
        raise UserError("the ray engine needs a cluster: set RAY_ADDRESS or the address option")
    try:
        ray.init(address=addr, log_to_driver=False, logging_level=logging.ERROR)
    except Exception as exc:
        raise UserError(f"cannot join the Ray cluster at {addr}: {exc}") from None


def sub_request(piece: Piece) -> SampleRequest:
    """Samples start..start+count-1 of the piece's request as a request of their own."""
    req = piece.request
    params = req.params.model_copy(update={"seed": sample_seed(req.params.seed, piece.start)})
    return req.model_copy(
        update={"n": piece.count, "params": params, "offset": req.offset + piece.start}
    )


def spread(pieces: list[Piece], parts: int) -> list[list[Piece]]:
    """Pieces split (a piece cut in two where needed) into `parts` runs of about equal samples,
    in order."""
    total = sum(p.count for p in pieces)
    share = -(-total // max(1, parts))
    out: list[list[Piece]] = [[]]
    room = share
    for p in pieces:
        start, left = p.start, p.count
        while left:
            if room == 0:
                out.append([])
                room = share
            take = min(left, room)
            out[-1].append(Piece(p.request_index, p.request, start, take))
            start, left, room = start + take, left - take, room - take
    return [g for g in out if g]


class RayEngine:
    name = "ray"

    def __init__(
        self,
        engine: str = "vllm",
        replicas: int | None = None,
        gpus_per_replica: float | None = None,
        address: str | None = None,
        chunk_size: int = 4096,
        **options: Any,
    ) -> None:
        """`replicas` of engine `engine` (built with `options`), each with `gpus_per_replica`
        GPUs (default: vLLM's tensor_parallel_size, 0 for others); `replicas` defaults to as
        many as the cluster's GPUs hold (one for a CPU engine)."""
        join(address)
        gpus = gpus_per_replica
        if gpus is None:
            gpus = float(options.get("tensor_parallel_size", 1)) if engine == "vllm" else 0.0
        if replicas is None:
            have = float(ray.cluster_resources().get("GPU", 0))
            replicas = max(1, int(have // gpus)) if gpus else 1
        if gpus and float(ray.cluster_resources().get("GPU", 0)) < gpus * replicas:
            raise UserError(
                f"the Ray cluster has fewer GPUs than {replicas} replica(s) of {gpus:g} need"
            )
        self.chunk_size = chunk_size
        actor: Any = ray.remote(Replica)
        actor = actor.options(num_gpus=gpus, num_cpus=0 if gpus else 1, max_restarts=0)
        self._replicas: list[Any] = [actor.remote(engine, options) for _ in range(replicas)]
        try:
            self.model = ray.get(self._replicas[0].model.remote(), timeout=START_TIMEOUT_S)
            ray.get([r.model.remote() for r in self._replicas[1:]], timeout=START_TIMEOUT_S)
        except Exception as exc:
            self.close()
            raise UserError(f"the {engine} replicas did not start on the cluster: {exc}") from None

    @property
    def replicas(self) -> int:
        return len(self._replicas)

    def sample(self, requests: Iterable[SampleRequest]) -> Iterator[list[Completion]]:
        for chunk in plan_chunks(requests, self.chunk_size):
            yield self._chunk(chunk)

    def _chunk(self, chunk: list[Piece]) -> list[Completion]:
        out: list[Completion] = []
        groups = spread(chunk, len(self._replicas))
        while groups:
            refs = [
                (g, r, r.generate.remote([sub_request(p) for p in g]))
                for g, r in zip(groups, self._replicas, strict=False)
            ]
            groups = groups[len(refs) :]
            for g, r, ref in refs:
                try:
                    done = ray.get(ref)
                except (RayActorError, ActorUnavailableError):
                    self._replicas.remove(r)
                    if not self._replicas:
                        raise UserError("every sampling replica on the cluster is lost") from None
                    groups.append(g)
                    continue
                for c in done:
                    p = g[c.request_index]
                    out.append(
                        c.model_copy(
                            update={
                                "request_index": p.request_index,
                                "sample_index": p.start + c.sample_index,
                            }
                        )
                    )
        out.sort(key=lambda c: (c.request_index, c.sample_index))
        return out

    def close(self) -> None:
        for r in self._replicas:
            with contextlib.suppress(Exception):  # a lost replica holds nothing to release
                ray.get(r.close.remote(), timeout=60)
            ray.kill(r, no_restart=True)
        self._replicas = []

"""The Engine protocol: chat requests in, completions out, streamed in chunks.

Every backend (vllm, openai, hf, replay, simulated) implements `Engine.sample`. A caller hands
over a list of `SampleRequest`s, each asking for `n` completions of one prompt, and iterates over
the chunks that come back, storing each chunk before asking for the next, so that 10,000 samples
per subtask never sit in memory at once:

    engine = get_engine("vllm", model="/models/qwen")
    for chunk in engine.sample(requests):
        store.add(chunk)          # list[Completion], each tagged with its request's index

Completions of one request may be spread over several chunks; within a request they come back
in sample order (`sample_index` 0, 1, ...). A chunk never holds more than the engine's
`chunk_size` completions unless one request alone asks for more in a single generate call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from cpsolve.languages import Language

Role = Literal["solution", "generator", "validator"]
FinishReason = Literal["stop", "length", "error"]


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


class SamplingParams(BaseModel):
    """How to sample. `seed` makes a request reproducible: sample i of a request uses a seed
    derived from (seed, i) where the backend allows it, so re-running gives the same texts."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(default=1.0, ge=0.0)
    top_p: float = Field(default=1.0, gt=0.0, le=1.0)
    max_tokens: int = Field(default=4096, ge=1)
    seed: int | None = None
    stop: list[str] = Field(default_factory=list)


class SampleRequest(BaseModel):
    """`n` completions of one chat prompt, tagged with what they are for."""

    model_config = ConfigDict(extra="forbid")

    messages: list[ChatMessage]
    n: int = Field(default=1, ge=1)
    params: SamplingParams = Field(default_factory=SamplingParams)
    role: Role = "solution"
    problem: str = ""
    subtask: str = ""
    # The language the prompt asks for. Models read only the prompt; the simulated engine, which
    # cannot, answers in this one (C++ when None). Nothing seeds or hashes it.
    language: Language | None = None
    # Index of this request's first sample within its (problem, subtask, role) stream. A run
    # that asks again for samples it lost (a resumed run) sets it; `replay` serves the recorded
    # samples from there, engines that sample use `params.seed` instead.
    offset: int = Field(default=0, ge=0)


class Completion(BaseModel):
    """One sampled completion. `request_index` is the position of its request in the list given
    to `Engine.sample`; `sample_index` its position among that request's `n` samples."""

    model_config = ConfigDict(extra="forbid")

    request_index: int
    sample_index: int = 0
    role: Role
    problem: str
    subtask: str
    text: str
    tokens: int | None = None
    finish_reason: FinishReason = "stop"
    logprob: float | None = None  # cumulative log-probability of the sampled tokens
    model: str = ""
    seed: int | None = None


def sample_seed(base: int | None, sample_index: int) -> int | None:
    """The seed of sample `sample_index` of a request whose seed is `base` (None stays None).

    `base + sample_index`, as vLLM's V1 engine seeds the children of an `n > 1` request, so a
    request gives the same samples whether it is generated whole or split across chunks."""
    if base is None:
        return None
    return base + sample_index


def request_seed(base: int, *parts: str) -> int:
    """A seed for one request, stable and distinct per (base, problem, subtask, role, ...).

    Two requests with the same seed draw from the same random stream, so callers give every
    request its own; 30 bits leave room for `sample_seed(seed, i)` below 2**31."""
    digest = hashlib.blake2b("\x1f".join([str(base), *parts]).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % (2**30)


@runtime_checkable
class Engine(Protocol):
    """A source of completions. `name` is the registry name; `model` what completions record."""

    name: str
    model: str

    def sample(self, requests: Iterable[SampleRequest]) -> Iterator[list[Completion]]:
        """Completions for every request, `n` each, in chunks."""
        ...

    def close(self) -> None:
        """Release what the engine holds (GPU memory, connections, a server)."""
        ...

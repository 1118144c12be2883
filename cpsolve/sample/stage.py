"""The sampling and extraction stage of a run, written into the store as it streams in.

    sample_stage(problem, config, store, engine, progress)   solutions of every subtask
    solution_candidates(problem, store) -> list[Candidate]   what selection ranks

Samples are asked for in fixed chunks; chunk c of (subtask, role) holds samples c*C .. c*C+C-1
and is stored in one transaction, so a killed run re-asks for whole missing chunks only. Each
chunk's request carries seed `base + c*C`, which is what one request for all n samples would give
sample c*C (engines seed sample i of a request with `seed + i`), and `offset` c*C, which the
replay engine uses to serve the same recorded samples again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cpsolve.config import RunConfig
from cpsolve.languages import Language
from cpsolve.problem import Problem
from cpsolve.progress import Progress
from cpsolve.sample.engines.base import Engine, Role, SampleRequest, SamplingParams, request_seed
from cpsolve.sample.extract import Extraction, extract_program
from cpsolve.sample.prompts import build_messages
from cpsolve.source import normalise_source
from cpsolve.store import CandidateRow, Store


@dataclass(frozen=True)
class Candidate:
    """A solution program sampled for a subtask, as selection sees it."""

    id: str  # subtask/chunk/idx
    subtask: str
    program: str  # sha
    logprob: float  # mean per token; nan where the engine gave none


@dataclass(frozen=True)
class ChunkPlan:
    subtask: str
    role: Role
    chunk: int
    size: int
    request: SampleRequest


def program_sha(source: str, language: Language) -> str:
    """The id of a program: its normalised source (comments and whitespace ignored)."""
    norm = normalise_source(source, language)
    return hashlib.sha256(f"{language}\n{norm}".encode()).hexdigest()


def plan_missing_chunks(
    store: Store,
    problem: Problem,
    config: RunConfig,
    subtask: str,
    role: Role,
    n: int,
    language: Language,
) -> list[ChunkPlan]:
    """The chunks of (subtask, role) not yet in the store, each with its request."""
    size = config.chunk_size
    done = store.chunks_done(subtask, role)
    base = request_seed(config.seed, problem.id, subtask, role)
    messages = build_messages(problem, role, subtask, language)
    plans = []
    for c in range((n + size - 1) // size):
        if c in done:
            continue
        count = min(size, n - c * size)
        params = SamplingParams(
            temperature=config.temperature,
            top_p=config.top_p,
            max_tokens=config.max_tokens,
            seed=base + c * size,
        )
        req = SampleRequest(
            messages=messages,
            n=count,
            params=params,
            role=role,
            problem=problem.id,
            subtask=subtask,
            language=language,
            offset=c * size,
        )
        plans.append(ChunkPlan(subtask, role, c, count, req))
    return plans


def sample_chunks(
    store: Store,
    engine: Engine,
    plans: list[ChunkPlan],
    on_chunk: Callable[[int], None] | None = None,
    on_stored: Callable[[ChunkPlan, list[dict[str, object]]], None] | None = None,
) -> None:
    """Ask the engine for every planned chunk and store each as soon as it is complete;
    `on_stored(plan, rows)` sees each chunk once it is in the store (streaming runs)."""
    if not plans:
        return
    pending: dict[int, list[dict[str, object] | None]] = {
        i: [None] * p.size for i, p in enumerate(plans)
    }
    for completions in engine.sample([p.request for p in plans]):
        for comp in completions:
            rows = pending.get(comp.request_index)
            if rows is None:
                continue
            rows[comp.sample_index] = comp.model_dump()
        for i in [i for i, rows in pending.items() if all(r is not None for r in rows)]:
            p = plans[i]
            rows = pending.pop(i)
            store.add_chunk(p.subtask, p.role, p.chunk, rows)  # type: ignore[arg-type]
            if on_chunk is not None:
                on_chunk(p.size)
            if on_stored is not None:
                on_stored(p, rows)  # type: ignore[arg-type]


def extract_candidates(
    store: Store, subtask: str, role: Role, languages: Sequence[Language]
) -> None:
    """Turn stored completions into programs (or the reason none came out), once each.

    `languages` in order of preference: solutions are asked for in one language, generators and
    validators are taken in any language the sandbox runs."""
    known = {(c.chunk, c.idx) for c in store.candidates(subtask, role)}
    rows = [
        _candidate(store, subtask, role, s.chunk, s.idx, s.text, s.finish_reason, languages)
        for s in store.samples(subtask, role)
        if (s.chunk, s.idx) not in known
    ]
    if rows:
        store.add_candidates(rows)


def extract_chunk(
    store: Store, plan: ChunkPlan, rows: Sequence[dict[str, object]], languages: Sequence[Language]
) -> list[CandidateRow]:
    """The candidates of one just-stored chunk (its completions as `sample_chunks` stored
    them), written to the store; what `extract_candidates` would give for them."""
    out = [
        _candidate(
            store, plan.subtask, plan.role, plan.chunk, i, str(r["text"]),
            r.get("finish_reason"), languages,  # type: ignore[arg-type]
        )
        for i, r in enumerate(rows)
    ]  # fmt: skip
    store.add_candidates(out)
    return out


def _candidate(
    store: Store,
    subtask: str,
    role: Role,
    chunk: int,
    idx: int,
    text: str,
    finish_reason: str | None,
    languages: Sequence[Language],
) -> CandidateRow:
    ex = _extract_any(text, languages, finish_reason or "stop")
    if ex.code is None:
        return CandidateRow(subtask, role, chunk, idx, None, ex.reason or "no code")
    lang = ex.language or languages[0]
    sha = program_sha(ex.code, lang)
    store.add_program(sha, str(lang), ex.code)
    return CandidateRow(subtask, role, chunk, idx, sha, None)


def _extract_any(text: str, languages: Sequence[Language], finish_reason: str) -> Extraction:
    first = None
    for lang in languages:
        ex = extract_program(text, lang, finish_reason)
        if ex.ok:
            return ex
        first = first or ex
    assert first is not None
    return first


def sample_stage(
    problem: Problem, config: RunConfig, store: Store, engine: Engine, progress: Progress
) -> None:
    """The solution samples of every subtask, hardest first, stored and extracted."""
    for sid in problem.hardest_first():
        sample_subtask(problem, config, store, engine, progress, sid)


def sample_subtask(
    problem: Problem,
    config: RunConfig,
    store: Store,
    engine: Engine,
    progress: Progress,
    sid: str,
) -> None:
    """The solution samples of one subtask, stored chunk by chunk, then extracted."""
    language = Language(config.language)
    plans = plan_missing_chunks(store, problem, config, sid, "solution", config.n_samples, language)
    have = config.n_samples - sum(p.size for p in plans)
    with progress.task(f"sample subtask {sid}", config.n_samples, have) as task:
        sample_chunks(store, engine, plans, task.advance)
    extract_candidates(store, sid, "solution", [language])


def solution_candidates(problem: Problem, store: Store) -> list[Candidate]:
    """Every sample that gave a program, subtasks hardest first, in sample order."""
    out = []
    for sid in problem.hardest_first():
        samples = {(s.chunk, s.idx): s for s in store.samples(sid, "solution")}
        for c in store.candidates(sid, "solution"):
            if c.program is None:
                continue
            s = samples[(c.chunk, c.idx)]
            tok = s.tokens or 0
            mean = s.logprob / tok if s.logprob is not None and tok else float("nan")
            out.append(Candidate(f"{sid}/{c.chunk}/{c.idx}", sid, c.program, mean))
    return out

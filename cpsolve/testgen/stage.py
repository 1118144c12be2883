"""The generated-inputs stage of a run: testgen's programs sampled, run and voted, in the store.

    inputs_stage(problem, config, store, engine, sandbox, progress) -> {subtask: [input bytes]}

Generator and validator completions are sampled through the same store-backed chunks as
solutions (so a resumed run samples nothing twice), their programs extracted, and testgen turns
them into a validated, deduplicated input set per subtask, kept with its provenance. The
subtask's inputs are marked done as a whole (stage `tests:<subtask>`): a run killed half-way
through a subtask's testgen redoes that subtask's selection (its samples and executions are
already stored).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

from cpsolve.config import RunConfig
from cpsolve.execute.executor import sha
from cpsolve.languages import Language
from cpsolve.problem import Problem
from cpsolve.progress import Progress
from cpsolve.sample.engines.base import Engine, Role
from cpsolve.sample.stage import (
    ChunkPlan,
    extract_candidates,
    plan_missing_chunks,
    sample_chunks,
)
from cpsolve.sandbox.base import Sandbox
from cpsolve.store import InputRow, Store


class SampledProgram(NamedTuple):
    sha: str
    language: str
    source: str


def inputs_stage(
    problem: Problem,
    config: RunConfig,
    store: Store,
    engine: Engine,
    sandbox: Sandbox,
    progress: Progress,
) -> dict[str, list[bytes]]:
    """The generated inputs of every subtask, hardest first: made once, then read back."""
    return {
        sid: subtask_inputs(problem, config, store, engine, sandbox, progress, sid)
        for sid in problem.hardest_first()
    }


def subtask_inputs(
    problem: Problem,
    config: RunConfig,
    store: Store,
    engine: Engine,
    sandbox: Sandbox,
    progress: Progress,
    sid: str,
    before_validators: Callable[[], None] | None = None,
) -> list[bytes]:
    """The generated inputs of one subtask: made once (stage `tests:<sid>`), then read back.
    `before_validators` is called once the generators have run, before the validators are
    read (a streaming run waits there until its sampler has stored them)."""
    stage = f"tests:{sid}"
    if not store.stage_done(stage):
        start = time.perf_counter()
        items = build_inputs(
            problem, config, store, engine, sandbox, progress, sid, before_validators
        )
        store.set_inputs(sid, items)
        store.mark_stage(stage, time.perf_counter() - start)
    return [row.data for row in store.inputs(sid)]


def test_program_plans(
    problem: Problem, config: RunConfig, store: Store, sid: str
) -> list[ChunkPlan]:
    """The generator and validator chunks of a subtask still to sample (none when the run's
    inputs are not model-written, or when they are already made)."""
    if config.generated_inputs == 0 or config.tests not in ("model", "both"):
        return []
    if store.stage_done(f"tests:{sid}"):
        return []
    language = Language(config.language)
    return [
        *plan_missing_chunks(store, problem, config, sid, "generator", config.generators, language),
        *plan_missing_chunks(store, problem, config, sid, "validator", config.validators, language),
    ]


def sampled_programs(
    problem: Problem,
    config: RunConfig,
    store: Store,
    engine: Engine,
    progress: Progress,
    sid: str,
    role: Role,
    n: int,
) -> list[SampledProgram]:
    """The `role` programs sampled for a subtask."""
    if n <= 0:
        return []
    language = Language(config.language)
    plans = plan_missing_chunks(store, problem, config, sid, role, n, language)
    with progress.task(f"sample {role}s {sid}", n, n - sum(p.size for p in plans)) as task:
        sample_chunks(store, engine, plans, task.advance)
    # generators and validators are taken in any language the sandbox runs
    others = [lang for lang in (Language.CPP, Language.PYTHON) if lang != language]
    extract_candidates(store, sid, role, [language, *others])
    out = []
    for c in store.candidates(sid, role):
        if c.program is not None:
            row = store.program(c.program)
            out.append(SampledProgram(c.program, row.language, row.source))
    return out


def build_inputs(
    problem: Problem,
    config: RunConfig,
    store: Store,
    engine: Engine,
    sandbox: Sandbox,
    progress: Progress,
    sid: str,
    before_validators: Callable[[], None] | None = None,
) -> list[InputRow]:
    """The kept inputs of one subtask, with their provenance (`subtask_inputs`)."""
    if config.generated_inputs == 0:
        return []
    from cpsolve.testgen import inputs as testgen

    sample = (problem, config, store, engine, progress, sid)
    model = config.tests in ("model", "both")
    gens = sampled_programs(*sample, "generator", config.generators) if model else []

    @cache
    def validators() -> list[SampledProgram]:
        if not model:
            return []
        if before_validators is not None:
            before_validators()
        return sampled_programs(*sample, "validator", config.validators)

    result = testgen.select_inputs(
        problem,
        sid,
        sandbox,
        generators=gens,
        validators=validators,
        mode=config.tests,
        target=config.generated_inputs,
        quorum=config.validator_quorum,
        seed=config.seed,
    )
    validators()  # sampled even when none voted, as a streaming run's sampler samples them
    return [InputRow(sha(x.data), x.data, x.provenance()) for x in result.inputs]

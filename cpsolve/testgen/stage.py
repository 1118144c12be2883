"""The generated-inputs stage of a run: testgen's programs sampled, run and voted, in the store.

Generator and validator completions are sampled through the same store-backed chunks as
solutions (so a resumed run samples nothing twice), their programs extracted, and testgen turns
them into a validated, deduplicated input set per subtask, kept with its provenance. The
subtask's inputs are marked done as a whole: a run killed half-way through a subtask's testgen
redoes that subtask's selection (its samples and executions are already stored).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.progress import Progress

from cpsolve.execute.executor import sha
from cpsolve.languages import Language
from cpsolve.sample.engines.base import Role
from cpsolve.sample.stage import extract_candidates, plan_missing_chunks, sample_chunks

if TYPE_CHECKING:
    from cpsolve.run.pipeline import Run


def inputs_for_run(run: Run, prog: Progress) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {}
    for sid in run.problem.hardest_first():
        stage = f"tests:{sid}"
        if not run.store.stage_done(stage):
            start = time.perf_counter()
            items = build_inputs(run, sid, prog)
            run.store.set_inputs(sid, items)
            run.store.mark_stage(stage, time.perf_counter() - start)
        out[sid] = [data for _, data, _ in run.store.inputs(sid)]
    return out


def sampled_programs(run: Run, sid: str, role: Role, n: int, prog: Progress) -> list[tuple]:
    """(program sha, language, source) of the `role` programs sampled for a subtask."""
    if n <= 0:
        return []
    plans = plan_missing_chunks(run.store, run.problem, run.config, sid, role, n, run.language)
    task = prog.add_task(f"sample {role}s {sid}", total=n, completed=n - sum(p.size for p in plans))
    sample_chunks(run.store, run.engine, plans, lambda k: prog.advance(task, k))
    # generators and validators are taken in any language the sandbox runs
    others = [lang for lang in (Language.CPP, Language.PYTHON) if lang != run.language]
    extract_candidates(run.store, sid, role, [run.language, *others])
    out = []
    for _c, _i, program, _reason in run.store.candidates(sid, role):
        if program is not None:
            row = run.store.program(program)
            out.append((program, row["language"], row["source"]))
    return out


def build_inputs(run: Run, sid: str, prog: Progress) -> list[tuple[str, bytes, dict]]:
    """The kept inputs of one subtask: (sha, bytes, provenance)."""
    cfg = run.config
    if cfg.generated_inputs == 0:
        return []
    from cpsolve.testgen import inputs as testgen

    gens = vals = []
    if cfg.tests in ("model", "both"):
        gens = sampled_programs(run, sid, "generator", cfg.generators, prog)
        vals = sampled_programs(run, sid, "validator", cfg.validators, prog)
    result = testgen.select_inputs(
        run.problem,
        sid,
        run.sandbox,
        generators=gens,
        validators=vals,
        mode=cfg.tests,
        target=cfg.generated_inputs,
        quorum=cfg.validator_quorum,
        seed=cfg.seed,
    )
    return [(sha(x.data), x.data, x.provenance()) for x in result.inputs]

"""One problem end to end: sample, extract, write tests, compile, execute, select, judge, report.

    problem -> for each subtask, hardest first: solution samples -> programs
            -> generated inputs (model-written generators and validators)
            -> programs x (public tests + generated inputs) -> execution matrix
            -> clusters, ranks -> planner (judge feedback when the problem has hidden tests)
            -> report.json, report.md, plots

Each stage writes into the run's store and marks itself done, so running the same command again
(after a crash, Ctrl-C or kill -9) picks up where the last run stopped and ends with the same
result. Hidden tests are read by the judge alone: nothing here hands them to a prompt, a
generated input or a ranking feature.

The stages live in their flow folders and take what they need as arguments (problem, config,
store, engine, sandbox, progress); this module only wires them, times each under its name in the
store and builds the report. The engine is built on first use (`LazyEngine`), so a resumed run
whose samples are all stored loads no model; progress goes to a `Progress` (none by default).
"""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from cpsolve.config import RunConfig, problem_digest
from cpsolve.errors import UserError
from cpsolve.execute.equivalence import compare_stage
from cpsolve.execute.executor import Executor
from cpsolve.execute.stage import compile_stage, execute_stage, judge_stage
from cpsolve.problem import Problem, load_problem
from cpsolve.progress import NullProgress, Progress
from cpsolve.run.matrix import build_matrix
from cpsolve.run.plan import Judge, plan_and_submit, planner_ranker, planner_settings, scorer_name
from cpsolve.run.report import (
    Curve,
    Report,
    SubmissionReport,
    SubtaskReport,
    submissions_curve,
    write_report,
)
from cpsolve.run.stream import stream_stages
from cpsolve.sample.engines.factory import (
    LazyEngine,
    build_engine,
    check_engine,
    replay_path,
    resolve_samples,
)
from cpsolve.sample.stage import Candidate, sample_stage, solution_candidates
from cpsolve.sandbox.base import Sandbox
from cpsolve.select.baselines import (
    run_baselines,
    sample_scaling,
    selection_table,
)
from cpsolve.select.matrix import ExecutionMatrix
from cpsolve.store import Store, SubmissionRow
from cpsolve.testgen.stage import inputs_stage
from cpsolve.testgen.summary import summarize_inputs


@dataclass
class RunResult:
    report: Report
    run_dir: Path


class StageClock:
    """Seconds spent per stage, added up in the store across resumed runs; a stage nested in
    another counts for itself only."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._inner: list[float] = []  # time spent in stages nested in the open ones

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        self._inner.append(0.0)
        try:
            yield
        finally:
            inner = self._inner.pop()
        spent = time.perf_counter() - start
        if self._inner:
            self._inner[-1] += spent
        self.add(name, spent - inner)

    def add(self, name: str, seconds: float) -> None:
        """Count `seconds` more for stage `name` (a streaming run's overlapping stages)."""
        before = self.store.stage_seconds().get(name, 0.0)
        self.store.mark_stage(name, before + seconds)


# ---- the whole run -----------------------------------------------------------------------------


def run_problem(
    problem_path: str | Path,
    config: RunConfig,
    *,
    runs_dir: Path = Path("runs"),
    out: Path | None = None,
    sandbox: Sandbox | None = None,
    progress: Progress | None = None,
    console: Any = None,
) -> RunResult:
    """Run one problem (resuming what its run directory holds) and write its report.

    `progress` receives the stages' tasks (none drawn by default); `console`, when given, is
    where a sandbox opened here says which backend it chose."""
    from cpsolve.sandbox.factory import open_sandbox

    progress = progress or NullProgress()
    problem = load_problem(problem_path)
    assert problem.source_path is not None
    check_engine(config, problem)
    config = resolve_samples(config, problem)
    run_id = config.run_id(problem.id, problem_digest(problem.source_path))
    run_dir = out or runs_dir / run_id
    _prepare_dir(run_dir, config)
    own = sandbox is None
    sb = sandbox or open_sandbox(config.sandbox, config.workers, console=console)
    store = Store(run_dir / "run.sqlite")
    engine = LazyEngine(partial(build_engine, config, problem), config.engine)
    try:
        report = _run(problem, config, run_id, run_dir, sb, store, engine, progress)
        write_report(report, run_dir)
    except (OSError, sqlite3.OperationalError) as e:
        if not _is_storage_error(e):
            raise
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise UserError(
            f"cannot write the run directory {run_dir}: {why}; free space and run the same "
            "command again to resume"
        ) from None
    finally:
        engine.close()
        store.close()
        if own:
            sb.close()
    return RunResult(report, run_dir)


def _is_storage_error(e: OSError | sqlite3.OperationalError) -> bool:
    if isinstance(e, sqlite3.OperationalError):
        return any(w in str(e) for w in ("full", "disk", "readonly", "unable to open"))
    return e.errno in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT)


def _prepare_dir(run_dir: Path, config: RunConfig) -> None:
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        probe = run_dir / ".write-test"
        probe.write_text("ok")
        probe.unlink()
        (run_dir / "config.json").write_text(config.model_dump_json(indent=2) + "\n")
    except OSError as e:
        raise UserError(f"cannot write the run directory {run_dir}: {e.strerror or e}") from None


def _run(
    problem: Problem,
    config: RunConfig,
    run_id: str,
    run_dir: Path,
    sandbox: Sandbox,
    store: Store,
    engine: LazyEngine,
    progress: Progress,
) -> Report:
    """The stages, each timed under its name in the store (`StageClock`): streamed (overlapping,
    `run/stream.py`) by default, one after the other with `config.staged`; the same result."""
    clock = StageClock(store)
    executor = Executor(problem, sandbox, store)
    if config.staged:
        staged = _staged(problem, config, store, engine, sandbox, executor, clock, progress)
        cands, inputs, compiled = staged
    else:
        for name, seconds in stream_stages(
            problem, config, store, engine, sandbox, executor, progress
        ).items():
            clock.add(name, seconds)
        cands = solution_candidates(problem, store)
        inputs = {sid: [row.data for row in store.inputs(sid)] for sid in problem.hardest_first()}
        compiled = [p for p in sorted({c.program for c in cands}) if store.program(p).compile_ok]
    programs = sorted({c.program for c in cands})
    hidden = None
    if problem.hidden_tests and config.judge_all:
        with clock.stage("judge"):
            hidden = judge_stage(problem, executor, compiled, progress)
        for p in programs:
            hidden.setdefault(p, {s.id: 0.0 for s in problem.subtasks})

    def compare(
        classes: np.ndarray, inputs: list[bytes], outputs: list[list[bytes | None]]
    ) -> np.ndarray:
        with clock.stage("compare"):
            checker = executor.task_type.support().checker
            return compare_stage(
                problem, sandbox, store, checker, classes, inputs, outputs, executor.workers,
                progress,
            )  # fmt: skip

    with clock.stage("select"):
        matrix = build_matrix(problem, store, executor.limits_key, cands, inputs, hidden, compare)
        matrix.save(run_dir / "matrix.npz")
        subs = plan_and_submit(config, store, matrix, cands, _judge(problem, executor))
    return build_report(problem, config, store, run_id, matrix, cands, inputs, subs)


def _staged(
    problem: Problem,
    config: RunConfig,
    store: Store,
    engine: LazyEngine,
    sandbox: Sandbox,
    executor: Executor,
    clock: StageClock,
    progress: Progress,
) -> tuple[list[Candidate], dict[str, list[bytes]], list[str]]:
    """Sample, write tests, compile, execute, one stage after the other (`--staged`)."""
    with clock.stage("sample"):
        sample_stage(problem, config, store, engine, progress)
    cands = solution_candidates(problem, store)
    with clock.stage("tests"):
        inputs = inputs_stage(problem, config, store, engine, sandbox, progress)
    programs = sorted({c.program for c in cands})
    with clock.stage("compile"):
        compiled = compile_stage(executor, programs, progress)
    with clock.stage("execute"):
        execute_stage(problem, executor, cands, inputs, progress)
    return cands, inputs, compiled


def _judge(problem: Problem, executor: Executor) -> Judge | None:
    """The judge the planner asks after each submission; None without hidden tests."""
    if not problem.hidden_tests:
        return None
    return lambda program: executor.judge(program, executor.test_data)


def build_report(
    problem: Problem,
    config: RunConfig,
    store: Store,
    run_id: str,
    matrix: ExecutionMatrix,
    cands: list[Candidate],
    inputs: dict[str, list[bytes]],
    subs: list[SubmissionRow],
) -> Report:
    judged = bool(problem.hidden_tests)
    best: dict[str, float] = {s.id: 0.0 for s in problem.subtasks}
    rows = []
    total_before = 0.0
    for s in subs:
        for sid, pts in s.earned.items():
            best[sid] = max(best.get(sid, 0.0), float(pts))
        total = _score(problem, best)
        rows.append(
            SubmissionReport(
                n=s.n,
                subtask=s.subtask,
                program=s.program[:12],
                cluster=s.cluster,
                rank=s.rank,
                earned=(total - total_before) if judged else None,
                subtask_points=s.earned,
            )
        )
        total_before = total
    from cpsolve.select.cluster import cluster_all

    clusterings = cluster_all(matrix, planner_settings(config).cluster_mode)
    subtasks = []
    for st in problem.hardest_first(scoring_only=False):
        k = matrix.subtask_index(st)
        mine = [c for c in cands if c.subtask == st]
        rows_k = matrix.candidates_of(k)
        correct = None
        if matrix.hidden_points is not None:
            hp = np.nan_to_num(matrix.hidden_points[rows_k, k])
            correct = int((hp >= problem.subtask(st).points - 1e-9).sum())
        subtasks.append(
            SubtaskReport(
                id=st,
                points=problem.subtask(st).points,
                earned=best.get(st, 0.0),
                candidates=len(store.samples(st, "solution")),
                programs=len({c.program for c in mine}),
                compiled=int(matrix.compile_ok[rows_k].sum()),
                passing_public=int(_passes_public(matrix, rows_k).sum()),
                generated_inputs=len(inputs.get(st, [])),
                clusters=clusterings[k].n_clusters if k in clusterings else 0,
                correct=correct,
                inputs=summarize_inputs(store.inputs(st), matrix, k),
            )
        )
    report = Report(
        problem=problem.id,
        name=problem.name,
        run_id=run_id,
        engine=config.engine,
        model=config.model
        or (str(replay_path(config, problem)) if config.engine == "replay" else None),
        judged=judged,
        score=_score(problem, best) if judged else None,
        max_score=problem.max_score,
        subtasks=subtasks,
        submissions=rows,
        timings={k: round(v, 2) for k, v in store.stage_seconds().items()},
        counts={
            "samples": store.count_samples(),
            "compiles": store.count_compiled(),
            "executions": store.count_executions(),
        },
    )
    if matrix.hidden_points is not None:
        _add_baselines(report, matrix, config)
    return report


def _score(problem: Problem, best: dict[str, float]) -> float:
    return float(sum(best.values()))


def _passes_public(matrix: ExecutionMatrix, rows: np.ndarray) -> np.ndarray:
    from cpsolve.select.rerank import passes_public

    return passes_public(matrix)[rows]


def _add_baselines(report: Report, matrix: ExecutionMatrix, config: RunConfig) -> None:
    settings = planner_settings(config)
    results = run_baselines(
        matrix, seed=config.seed, settings=settings, ranker=planner_ranker(config)
    )
    report.scorer = scorer_name(config)
    report.baselines = {k: round(v.points, 4) for k, v in results.items() if k != "ours"}
    report.selection = selection_table(matrix, results)
    limit = results["ours"].limit
    report.curves["submissions"] = submissions_curve(results, limit)
    per_subtask = max(len(matrix.candidates_of(s)) for s in range(matrix.n_subtasks))
    sizes = sorted({max(1, per_subtask >> k) for k in range(8)} | {per_subtask})
    curve = sample_scaling(matrix, sizes, seed=config.seed, settings=settings)
    report.curves["samples"] = Curve(
        x=sizes, ours=curve["ours"], random=curve["random"], oracle=curve["oracle"]
    )

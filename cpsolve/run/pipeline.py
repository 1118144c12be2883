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
"""

from __future__ import annotations

import errno
import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cpsolve.config import RunConfig, problem_digest
from cpsolve.errors import UserError
from cpsolve.execute.executor import PUBLIC, Executor, sha
from cpsolve.judge.tasktypes import compile_support
from cpsolve.judge.testdata import TestData
from cpsolve.languages import Language
from cpsolve.problem import Problem, load_problem
from cpsolve.run.report import Curve, Report, SubmissionReport, SubtaskReport, write_report
from cpsolve.sample.engines import get_engine
from cpsolve.sample.engines.base import Engine
from cpsolve.sample.stage import extract_candidates, plan_missing_chunks, sample_chunks
from cpsolve.sandbox.base import Sandbox
from cpsolve.select.baselines import padded_curve, run_baselines, sample_scaling
from cpsolve.select.matrix import NOT_RUN, ExecutionMatrix, output_classes, verdict_code
from cpsolve.select.planner import Planner, PlannerSettings
from cpsolve.store import Store
from cpsolve.testgen import stage as generated


@dataclass
class RunResult:
    report: Report
    run_dir: Path


@dataclass
class Candidate:
    id: str  # subtask/chunk/idx
    subtask: str
    program: str
    logprob: float


class Run:
    """The state of one run: its problem, config, store, sandbox and (lazily) engine."""

    def __init__(
        self,
        problem: Problem,
        config: RunConfig,
        run_dir: Path,
        sandbox: Sandbox,
        console: Console,
    ) -> None:
        self.problem = problem
        self.config = config
        self.run_dir = run_dir
        self.sandbox = sandbox
        self.console = console
        self.store = Store(run_dir / "run.sqlite")
        self.executor = Executor(problem, sandbox, self.store)
        self.language = Language(config.language)
        self._engine: Engine | None = None
        self._inner: list[float] = []  # time spent in stages nested in the open ones

    # ---- helpers -------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.config, self.problem)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
        self.store.close()

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Adds the time spent inside to the stage's seconds in the store; a stage nested in
        another counts for itself only."""
        start = time.perf_counter()
        self._inner.append(0.0)
        try:
            yield
        finally:
            inner = self._inner.pop()
        spent = time.perf_counter() - start
        if self._inner:
            self._inner[-1] += spent
        before = self.store.stage_seconds().get(name, 0.0)
        self.store.mark_stage(name, before + spent - inner)

    def progress(self) -> Progress:
        return Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=False,
        )

    # ---- stages ----------------------------------------------------------------------------

    def sample(self) -> None:
        with self.stage("sample"), self.progress() as prog:
            for sid in self.problem.hardest_first():
                plans = plan_missing_chunks(
                    self.store,
                    self.problem,
                    self.config,
                    sid,
                    "solution",
                    self.config.samples,
                    self.language,
                )
                have = self.config.samples - sum(p.size for p in plans)
                task = prog.add_task(
                    f"sample subtask {sid}", total=self.config.samples, completed=have
                )
                sample_chunks(self.store, self.engine, plans, partial(prog.advance, task))
                extract_candidates(self.store, sid, "solution", [self.language])

    def candidates(self) -> list[Candidate]:
        out = []
        for sid in self.problem.hardest_first():
            samples = {(s["chunk"], s["idx"]): s for s in self.store.samples(sid, "solution")}
            for chunk, idx, program, _reason in self.store.candidates(sid, "solution"):
                if program is None:
                    continue
                s = samples[(chunk, idx)]
                lp = s["logprob"]
                tok = s["tokens"] or 0
                mean = lp / tok if lp is not None and tok else float("nan")
                out.append(Candidate(f"{sid}/{chunk}/{idx}", sid, program, mean))
        return out

    def generate_inputs(self) -> dict[str, list[bytes]]:
        with self.stage("tests"), self.progress() as prog:
            return generated.inputs_for_run(self, prog)

    def compile(self, programs: list[str]) -> None:
        with self.stage("compile"), self.progress() as prog:
            task = prog.add_task("compile programs", total=len(programs))
            self.executor.compile_all(programs, lambda: prog.advance(task))

    def execute(self, cands: list[Candidate], inputs: dict[str, list[bytes]]) -> None:
        per_program: dict[str, list[bytes]] = {}
        for c in cands:
            mine = [*inputs.get(c.subtask, [])]
            for inner in self.problem.included_subtasks(c.subtask):
                mine += inputs.get(inner, [])
            per_program.setdefault(c.program, []).extend(mine)
        work = list(per_program.items())
        with self.stage("execute"), self.progress() as prog:
            task = prog.add_task("run programs on tests", total=len(work))
            self.executor.execute_all(work, lambda: prog.advance(task))

    def merge_by_checker(
        self, classes: np.ndarray, inputs: list[bytes], outputs: list[list[bytes | None]]
    ) -> np.ndarray:
        """Output classes equal under the problem's program checker (see `equivalence`)."""
        from cpsolve.execute.equivalence import CheckerEquivalence

        path = self.problem.checker.path
        assert path is not None  # a program checker has one (problem validation)
        checker = compile_support(self.sandbox, self.problem, path)
        eq = CheckerEquivalence(self.problem, self.sandbox, self.store, checker)
        with self.stage("compare"), self.progress() as prog:
            task = prog.add_task("compare outputs (checker)", total=classes.shape[1])
            return eq.matrix(
                classes, inputs, outputs, self.executor.workers, partial(prog.advance, task)
            )

    def judge_all(self, programs: list[str]) -> dict[str, dict[str, float]]:
        data = TestData(self.problem, self.sandbox)
        with self.stage("judge"), self.progress() as prog:
            task = prog.add_task("judge on hidden tests", total=len(programs))
            data.cases(self.problem.hidden_tests)  # materialise once, before the threads
            return self.executor.judge_all(programs, data, lambda: prog.advance(task))


def preflight(config: RunConfig, problem: Problem) -> None:
    """Fail before any work on what the user can fix: an unknown engine, a missing samples
    file, an engine whose package is not installed, a model-less engine."""
    from cpsolve.sample.engines import ENGINES, _missing

    name = config.engine.strip().lower()
    if name not in ENGINES:
        raise UserError(f"unknown engine '{config.engine}' (known: {', '.join(sorted(ENGINES))})")
    if name == "replay":
        path = Path(config.model) if config.model else _shipped_samples(problem)
        if not path.is_file():
            raise UserError(f"{path}: no such samples file to replay")
    elif name not in ("simulated",) and not config.model:
        raise UserError(f"the {name} engine needs --model (a model id or path)")
    missing = _missing(ENGINES[name].requires)
    if missing:
        extra = ENGINES[name].extra
        how = f"pip install 'cpsolve[{extra}]'" if extra else f"pip install {' '.join(missing)}"
        raise UserError(f"engine '{name}' needs {', '.join(missing)}: run {how}")


def make_engine(config: RunConfig, problem: Problem) -> Engine:
    """The configured engine; replay defaults to the problem's shipped samples."""
    kwargs: dict[str, object] = {}
    if config.engine == "replay":
        path = Path(config.model) if config.model else _shipped_samples(problem)
        kwargs["path"] = path
    elif config.engine == "openai":
        if not config.model:
            raise UserError("the openai engine needs --model (the served model's name)")
        kwargs["model"] = config.model
        if config.base_url:
            kwargs["base_url"] = config.base_url
    elif config.engine == "simulated":
        kwargs["problems"] = [problem]
    else:
        if not config.model:
            raise UserError(f"the {config.engine} engine needs --model (a model id or path)")
        kwargs["model"] = config.model
    return get_engine(config.engine, **kwargs)


def _shipped_samples(problem: Problem) -> Path:
    for name in ("samples.jsonl.gz", "samples.jsonl"):
        p = problem.base_dir / name
        if p.is_file():
            return p
    raise UserError(
        f"problem '{problem.id}' ships no samples.jsonl(.gz) to replay: pass --model FILE, or "
        "record samples with `cpsolve sample` (or use --engine simulated)"
    )


# ---- the matrix ----------------------------------------------------------------------------


def build_matrix(
    run: Run,
    cands: list[Candidate],
    inputs: dict[str, list[bytes]],
    hidden: dict[str, dict[str, float]] | None,
) -> ExecutionMatrix:
    problem, store, ex = run.problem, run.store, run.executor
    public = [sha(problem.read_input(t)) for t in problem.public_tests]
    col_inputs = [x for sid in inputs for x in inputs[sid]]
    cols: list[tuple[str, str]] = [(sid, sha(x)) for sid in inputs for x in inputs[sid]]
    n, p, i = len(cands), len(public), len(cols)
    pub_pass = np.zeros((n, p), bool)
    pub_verdict = np.full((n, p), NOT_RUN, np.int8)
    gen_verdict = np.full((n, i), NOT_RUN, np.int8)
    gen_time = np.zeros((n, i), np.float32)
    outputs: list[list[bytes | None]] = [[None] * n for _ in range(i)]
    compile_ok, code_len = [], []
    cache: dict[str, tuple] = {}
    for r, c in enumerate(cands):
        if c.program not in cache:
            prog = store.program(c.program)
            cache[c.program] = (
                prog,
                store.executions(c.program, PUBLIC),
                store.executions(c.program, ex.limits_key),
            )
        prog, pub, gen = cache[c.program]
        compile_ok.append(bool(prog["compile_ok"]))
        code_len.append(len(prog["source"]))
        for k, h in enumerate(public):
            if h in pub:
                pub_verdict[r, k] = verdict_code(pub[h]["verdict"])
                pub_pass[r, k] = pub[h]["verdict"] == "AC"
        for k, (_sid, h) in enumerate(cols):
            e = gen.get(h)
            if e is None:
                continue
            gen_verdict[r, k] = verdict_code(e["verdict"])
            # a run recorded as TLE without running (a slow candidate) used the whole limit
            cpu = e["cpu_s"]
            gen_time[r, k] = cpu if cpu is not None else problem.time_limit_s
            if e["output"] is not None:
                outputs[k][r] = store.output(e["output"])
    gen_class = (
        np.stack([output_classes(outputs[k], problem.checker) for k in range(i)], axis=1)
        if i
        else np.zeros((n, 0), np.int32)
    )
    if problem.checker.type == "program" and i:
        gen_class = run.merge_by_checker(gen_class, col_inputs, outputs)
    hidden_points = None
    if hidden is not None:
        ids = [s.id for s in problem.subtasks]
        hidden_points = np.array(
            [[hidden.get(c.program, {}).get(s, np.nan) for s in ids] for c in cands], np.float32
        )
    return ExecutionMatrix.build(
        problem,
        candidate_ids=[c.id for c in cands],
        candidate_subtasks=[c.subtask for c in cands],
        code_len=code_len,
        compile_ok=compile_ok,
        public_passed=pub_pass,
        public_verdict=pub_verdict,
        input_subtasks=[sid for sid, _ in cols],
        gen_verdict=gen_verdict,
        gen_class=gen_class,
        gen_time=gen_time,
        logprob=[c.logprob for c in cands],
        input_names=[f"{sid}:{h[:12]}" for sid, h in cols],
        hidden_points=hidden_points,
    )


# ---- planning with the judge -----------------------------------------------------------------


def plan_and_submit(run: Run, matrix: ExecutionMatrix, cands: list[Candidate]) -> list[dict]:
    """The planner's submissions, with the judge's feedback when the problem has hidden tests.

    Already-made submissions (a resumed run) are replayed from the store, not judged again.
    """
    settings = planner_settings(run.config)
    planner = Planner(matrix, settings)
    judged = bool(run.problem.hidden_tests)
    data = TestData(run.problem, run.sandbox) if judged else None
    made = {s["n"]: s for s in run.store.submissions()}
    out = []
    while (pick := planner.next()) is not None:
        sub = planner.submissions[-1]
        cand = cands[sub.candidate_index]
        n = len(planner.submissions)
        earned: dict[str, float] = {}
        if n in made and made[n]["program"] == cand.program:
            earned = made[n]["earned"]
        elif judged and data is not None:
            earned = run.executor.judge(cand.program, data)
        if judged:
            planner.feedback(earned)
        rank = _rank(planner, matrix, sub.candidate_index)
        run.store.add_submission(n, pick[0], cand.program, sub.cluster, rank, earned)
        out.append(
            {
                "n": n,
                "subtask": pick[0],
                "program": cand.program,
                "cluster": sub.cluster,
                "rank": rank,
                "earned": earned,
            }
        )
    return out


def _rank(planner: Planner, matrix: ExecutionMatrix, cand: int) -> int:
    """1 + how many candidates of the same subtask the ranker scored higher."""
    rows = matrix.candidates_of(int(matrix.cand_subtask[cand]))
    return 1 + int((planner.scores[rows] > planner.scores[cand]).sum())


def planner_settings(config: RunConfig) -> PlannerSettings:
    update: dict[str, object] = {}
    if config.submissions is not None:
        update["limit"] = config.submissions
    if config.penalty is not None:
        update["penalty"] = config.penalty
    return PlannerSettings().model_copy(update=update)


# ---- the whole run -----------------------------------------------------------------------------


def run_problem(
    problem_path: str | Path,
    config: RunConfig,
    *,
    runs_dir: Path = Path("runs"),
    out: Path | None = None,
    sandbox: Sandbox | None = None,
    console: Console | None = None,
) -> RunResult:
    from cpsolve.sandbox.factory import open_sandbox

    console = console or Console(stderr=True)
    problem = load_problem(problem_path)
    assert problem.source_path is not None
    run_id = config.run_id(problem.id, problem_digest(problem.source_path))
    run_dir = out or runs_dir / run_id
    preflight(config, problem)
    _prepare_dir(run_dir, config)
    own = sandbox is None
    sb = sandbox or open_sandbox(config.sandbox, config.workers, console=console)
    run = Run(problem, config, run_dir, sb, console)
    try:
        report = _run(run, run_id)
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
        run.close()
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


def _run(run: Run, run_id: str) -> Report:
    problem = run.problem
    run.sample()
    cands = run.candidates()
    inputs = run.generate_inputs()
    programs = sorted({c.program for c in cands})
    run.compile(programs)
    run.execute(cands, inputs)
    hidden = None
    if problem.hidden_tests and run.config.judge_all:
        ok = [p for p in programs if run.store.program(p)["compile_ok"]]
        hidden = run.judge_all(ok)
        for p in programs:
            hidden.setdefault(p, {s.id: 0.0 for s in problem.subtasks})
    with run.stage("select"):
        matrix = build_matrix(run, cands, inputs, hidden)
        matrix.save(run.run_dir / "matrix.npz")
        subs = plan_and_submit(run, matrix, cands)
    return build_report(run, run_id, matrix, cands, inputs, subs)


def build_report(
    run: Run,
    run_id: str,
    matrix: ExecutionMatrix,
    cands: list[Candidate],
    inputs: dict[str, list[bytes]],
    subs: list[dict],
) -> Report:
    problem, store = run.problem, run.store
    judged = bool(problem.hidden_tests)
    best: dict[str, float] = {s.id: 0.0 for s in problem.subtasks}
    rows = []
    total_before = 0.0
    for s in subs:
        for sid, pts in s["earned"].items():
            best[sid] = max(best.get(sid, 0.0), float(pts))
        total = _score(problem, best)
        rows.append(
            SubmissionReport(
                n=s["n"],
                subtask=s["subtask"],
                program=s["program"][:12],
                cluster=s["cluster"],
                rank=s["rank"],
                earned=(total - total_before) if judged else None,
                subtask_points=s["earned"],
            )
        )
        total_before = total
    from cpsolve.select.cluster import cluster_all

    clusterings = cluster_all(matrix, planner_settings(run.config).cluster_mode)
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
            )
        )
    report = Report(
        problem=problem.id,
        name=problem.name,
        run_id=run_id,
        engine=run.config.engine,
        model=run.config.model
        or (str(_shipped_samples(problem)) if run.config.engine == "replay" else None),
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
        _add_baselines(report, matrix, run)
    return report


def _score(problem: Problem, best: dict[str, float]) -> float:
    return float(sum(best.values()))


def _passes_public(matrix: ExecutionMatrix, rows: np.ndarray) -> np.ndarray:
    from cpsolve.select.rerank import passes_public

    return passes_public(matrix)[rows]


def _add_baselines(report: Report, matrix: ExecutionMatrix, run: Run) -> None:
    settings = planner_settings(run.config)
    results = run_baselines(matrix, seed=run.config.seed, settings=settings)
    report.baselines = {k: round(v.points, 4) for k, v in results.items() if k != "ours"}
    limit = results["ours"].limit
    report.curves["submissions"] = Curve(
        x=list(range(1, limit + 1)),
        ours=padded_curve(results["ours"]),
        random=padded_curve(results["random"]),
        oracle=padded_curve(results["oracle"]),
    )
    per_subtask = max(len(matrix.candidates_of(s)) for s in range(matrix.n_subtasks))
    sizes = sorted({max(1, per_subtask >> k) for k in range(8)} | {per_subtask})
    curve = sample_scaling(matrix, sizes, seed=run.config.seed, settings=settings)
    report.curves["samples"] = Curve(
        x=sizes, ours=curve["ours"], random=curve["random"], oracle=curve["oracle"]
    )


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n")

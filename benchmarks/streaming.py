"""Streaming vs staged stages, on the simulated engine with a delay per sample, in one run.

A model takes real time per sample; the simulated engine's `delay_s` stands in for it. Measured
here, each on a fresh run directory and a fresh sandbox (its own compile cache):

- sampling S: every sample of the run (solutions, generators, validators) alone, no sandbox;
- execution E: the staged run's tests + compile + execute stages on a store that already holds
  those samples (so no sampling inside them);
- staged: a staged run's sample + tests + compile + execute stages (target: about S + E);
- streaming: a streaming run's overlapped part (the `stream` timing; target: at most 1.15 x
  max(S, E)).

Judging, selection and the report come after both and are the same work; they are printed but
left out of the ratios. The delay is chosen so that S is about E (where overlap matters most)
unless --delay is given. Both runs must give the same report (timings aside).

    python benchmarks/streaming.py [--problem problems/gathering-point] [--samples 24]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cpsolve.config import RunConfig  # noqa: E402
from cpsolve.languages import Language  # noqa: E402
from cpsolve.problem import load_problem  # noqa: E402
from cpsolve.run.pipeline import run_problem  # noqa: E402
from cpsolve.sample.engines.factory import build_engine  # noqa: E402
from cpsolve.sample.stage import plan_missing_chunks, sample_chunks  # noqa: E402
from cpsolve.sandbox.local import LocalSandbox  # noqa: E402
from cpsolve.store import Store  # noqa: E402
from cpsolve.testgen.stage import test_program_plans  # noqa: E402

STREAMED = ("sample", "tests", "compile", "execute")


def config(ns: argparse.Namespace, delay: float, *, staged: bool) -> RunConfig:
    return RunConfig(
        engine="simulated",
        samples=ns.samples,
        generated_inputs=ns.generated_inputs,
        chunk_size=ns.chunk,
        generators=ns.generators,
        validators=ns.validators,
        judge_all=False,
        workers=ns.workers,
        staged=staged,
        engine_options={"delay_s": delay, "chunk_size": ns.chunk, "quiet": True},
    )


def sample_only(problem_path: Path, cfg: RunConfig, run_dir: Path) -> tuple[float, int]:
    """Every sample of the run into `run_dir`'s store; (seconds, samples)."""
    problem = load_problem(problem_path)
    run_dir.mkdir(parents=True)
    store = Store(run_dir / "run.sqlite")
    engine = build_engine(cfg, problem)
    start = time.perf_counter()
    plans = []
    for sid in problem.hardest_first():
        plans += test_program_plans(problem, cfg, store, sid)
        plans += plan_missing_chunks(
            store, problem, cfg, sid, "solution", cfg.samples, Language(cfg.language)
        )
    sample_chunks(store, engine, plans)
    seconds = time.perf_counter() - start
    engine.close()
    store.close()
    return seconds, sum(p.size for p in plans)


def timed_run(problem: Path, cfg: RunConfig, out: Path, workers: int) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory(prefix="cpsolve-bench-cache-") as cache:
        sandbox = LocalSandbox(workers=workers, cache_dir=Path(cache))
        try:
            start = time.perf_counter()
            result = run_problem(problem, cfg, out=out, sandbox=sandbox)
            wall = time.perf_counter() - start
        finally:
            sandbox.close()
    return wall, result.report.model_dump()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problem", type=Path, default=ROOT / "problems" / "gathering-point")
    ap.add_argument("--samples", type=int, default=24, help="solution samples per subtask")
    ap.add_argument("--generated-inputs", type=int, default=8)
    ap.add_argument("--generators", type=int, default=4, help="generator samples per subtask")
    ap.add_argument("--validators", type=int, default=4, help="validator samples per subtask")
    ap.add_argument("--chunk", type=int, default=4, help="samples per chunk (store and engine)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--delay", type=float, help="seconds per sample (default: S about E)")
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="cpsolve-bench-stream-") as tmp:
        work = Path(tmp)
        base = config(ns, 0.0, staged=True)
        s0, n = sample_only(ns.problem, base, work / "execution")
        _, _ = timed_run(ns.problem, base, work / "execution", ns.workers)
        timings = json.loads((work / "execution" / "report.json").read_text())["timings"]
        execution = sum(timings.get(k, 0.0) for k in ("tests", "compile", "execute"))
        delay = ns.delay if ns.delay is not None else max(0.0, execution - s0) / n
        print(
            f"{ns.problem.name}: {n} samples, {ns.workers} workers, delay {delay * 1000:.1f} ms "
            f"a sample (staged stages with no delay: {timings})",
            flush=True,
        )
        sampling, _ = sample_only(ns.problem, config(ns, delay, staged=True), work / "sampling")
        staged_wall, staged = timed_run(
            ns.problem, config(ns, delay, staged=True), work / "staged", ns.workers
        )
        stream_wall, streamed = timed_run(
            ns.problem, config(ns, delay, staged=False), work / "streamed", ns.workers
        )
    staged_part = sum(staged["timings"].get(k, 0.0) for k in STREAMED)
    stream_part = streamed["timings"]["stream"]
    same = {k: v for k, v in staged.items() if k != "timings"} == {
        k: v for k, v in streamed.items() if k != "timings"
    }
    print(f"sampling alone S          {sampling:8.2f} s")
    print(f"execution alone E         {execution:8.2f} s  (tests + compile + execute, staged)")
    print(f"staged    sample..execute {staged_part:8.2f} s  (whole run {staged_wall:.2f} s)")
    print(f"streaming sample..execute {stream_part:8.2f} s  (whole run {stream_wall:.2f} s)")
    print(f"staged / (S + E)          {staged_part / (sampling + execution):8.3f}")
    print(
        f"streaming / max(S, E)     {stream_part / max(sampling, execution):8.3f}  (target <= 1.15)"
    )
    print(f"streaming / staged        {stream_part / staged_part:8.3f}")
    print(f"same report               {same}")


if __name__ == "__main__":
    main()

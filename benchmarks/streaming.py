"""Streaming vs staged stages, on the simulated engine with a delay per sample, in one run.

A model takes real time per sample; the simulated engine's `delay_s` stands in for it. Measured
here, each on a fresh run directory and a fresh sandbox (its own compile cache):

- sampling S: every sample of the run (solutions, generators, validators) alone, no sandbox;
- execution E: the staged run's tests + compile + execute stages on a store that already holds
  those samples (so no sampling inside them), measured before and after the runs below (mean);
- staged: a staged run's sample + tests + compile + execute stages (target: about S + E);
- streaming: a streaming run's overlapped part (the `stream` timing; target: at most 1.15 x
  max(S, E)).

Judging, selection and the report come after both and are the same work; they are printed but
left out of the ratios. The delay is chosen so that S is about E (where overlap matters most)
unless --delay is given (the first repetition's E sets it; the later ones keep it). Both runs
must give the same report (timings aside). Each ratio is taken within a repetition, where its
parts ran minutes apart; the medians over --repeat repetitions are the result (on a shared
two-core machine one measure of E varies by a tenth between runs).

    python benchmarks/streaming.py [--problem problems/gathering-point] [--samples 24] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
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
TIMED = ("time_frac", "max_input_time", "timed_out")  # the scorer's features of measured times


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
        selection=str(ns.selection),
    )


def untimed_selection(path: Path) -> Path:
    """The shipped scorer with no weight on measured times: two runs never measure the same
    times, and a program near a tenth of the limit would rank differently in each; what the
    reports compare is the streaming pipeline, not timing noise (as `tests/test_streaming.py`)."""
    settings = json.loads((ROOT / "cpsolve" / "data" / "selection.json").read_text())
    for key in TIMED:
        settings["weights"][key] = 0.0
    path.write_text(json.dumps(settings))
    return path


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


def execution_alone(ns: argparse.Namespace, run_dir: Path) -> tuple[float, float, int]:
    """E: a staged run's tests + compile + execute on a store already holding its samples;
    (E, the seconds sampling took with no delay, samples)."""
    base = config(ns, 0.0, staged=True)
    s0, n = sample_only(ns.problem, base, run_dir)
    timed_run(ns.problem, base, run_dir, ns.workers)
    timings = json.loads((run_dir / "report.json").read_text())["timings"]
    return sum(timings.get(k, 0.0) for k in ("tests", "compile", "execute")), s0, n


def measure(ns: argparse.Namespace, work: Path, delay: float | None) -> dict[str, float]:
    """One repetition, each part on a fresh run directory: E, S, staged, streaming, E again.
    E is the mean of the measures before and after the runs (the machine's speed drifts over
    the minutes between them)."""
    before, s0, n = execution_alone(ns, work / "execution-before")
    if delay is None:
        delay = max(0.0, before - s0) / n
    sampling, _ = sample_only(ns.problem, config(ns, delay, staged=True), work / "sampling")
    _, staged = timed_run(ns.problem, config(ns, delay, staged=True), work / "staged", ns.workers)
    _, streamed = timed_run(
        ns.problem, config(ns, delay, staged=False), work / "streamed", ns.workers
    )
    if {k: v for k, v in staged.items() if k != "timings"} != {
        k: v for k, v in streamed.items() if k != "timings"
    }:
        sys.exit("streaming and staged gave different reports")
    after, _, _ = execution_alone(ns, work / "execution-after")
    return {
        "samples": n,
        "delay": delay,
        "S": sampling,
        "E": (before + after) / 2,
        "staged": sum(staged["timings"].get(k, 0.0) for k in STREAMED),
        "streaming": streamed["timings"]["stream"],
    }


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
    ap.add_argument("--repeat", type=int, default=3, help="repetitions; medians are the result")
    ns = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="cpsolve-bench-stream-") as tmp:
        ns.selection = untimed_selection(Path(tmp) / "untimed.selection.json")
        for i in range(ns.repeat):
            m = measure(ns, Path(tmp) / str(i), ns.delay if i == 0 else rows[0]["delay"])
            m["staged/(S+E)"] = m["staged"] / (m["S"] + m["E"])
            m["streaming/max(S,E)"] = m["streaming"] / max(m["S"], m["E"])
            m["streaming/staged"] = m["streaming"] / m["staged"]
            rows.append(m)
            print(
                f"{ns.problem.name} #{i + 1}: {int(m['samples'])} samples, {ns.workers} workers, "
                f"delay {m['delay'] * 1000:.0f} ms a sample: S {m['S']:.2f} s, E {m['E']:.2f} s, "
                f"staged {m['staged']:.2f} s, streaming {m['streaming']:.2f} s",
                flush=True,
            )

    def med(key: str) -> float:
        return statistics.median(r[key] for r in rows)

    print(f"medians of {ns.repeat} repetitions (the same delay in each; reports identical in each)")
    print(f"sampling alone S          {med('S'):8.2f} s")
    print(f"execution alone E         {med('E'):8.2f} s  (tests + compile + execute, staged)")
    print(f"staged    sample..execute {med('staged'):8.2f} s")
    print(f"streaming sample..execute {med('streaming'):8.2f} s")
    print(f"staged / (S + E)          {med('staged/(S+E)'):8.3f}")
    print(f"streaming / max(S, E)     {med('streaming/max(S,E)'):8.3f}  (target <= 1.15)")
    print(f"streaming / staged        {med('streaming/staged'):8.3f}")


if __name__ == "__main__":
    main()

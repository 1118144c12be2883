"""Run cost: sandbox CPU seconds a simulated run spends on its programs, over the minimum.

The simulated engine samples a pooled problem's programs; the run's stages up to execution
(sample, generated inputs, compile, execute) then run twice, each in a fresh run directory and
sandbox, with the same samples and inputs:

- before: the old rule (each program on all its inputs in slices of 16, in input order, stopped
  only after 2 timeouts across all its subtasks);
- after: the executor (largest inputs first, a candidate stops on a subtask at its first
  timeout there, batches growing from one).

Cost = sum of cpu_s of the executions that actually ran (public tests and generated inputs).
Minimum = each program's CPU on the inputs it finished plus one time limit per (program,
subtask) it timed out on (public tests count as one subtask). Target: after <= 1.3.

    python benchmarks/run_cost.py [--problem problems/street-lamps] [--samples 30]
        [--generated-inputs 16] [--sandbox local] [--workers N] [--only after]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cpsolve.config import RunConfig  # noqa: E402
from cpsolve.execute.executor import PUBLIC, Executor, sha  # noqa: E402
from cpsolve.execute.stage import compile_stage, execute_stage  # noqa: E402
from cpsolve.problem import Problem, load_problem  # noqa: E402
from cpsolve.progress import NullProgress  # noqa: E402
from cpsolve.sample.engines.factory import LazyEngine, build_engine  # noqa: E402
from cpsolve.sample.stage import sample_stage, solution_candidates  # noqa: E402
from cpsolve.sandbox.factory import open_sandbox  # noqa: E402
from cpsolve.store import Store  # noqa: E402
from cpsolve.testgen.stage import inputs_stage  # noqa: E402

OLD_SLICE, OLD_MAX_TIMEOUTS = 16, 2


class OldRuleExecutor(Executor):
    """The executor before issue 15: all of a program's inputs in one list, slices of 16,
    stopped after 2 timeouts."""

    def run_generated_all(self, program: str, subtasks: Sequence[Sequence[bytes]]) -> None:
        super().run_generated_all(program, [[x for group in subtasks for x in group]])

    def run_generated(self, program: str, inputs: Sequence[bytes]) -> None:
        done = self.store.executed(program, self.limits_key)
        todo = list({sha(x): x for x in inputs if sha(x) not in done}.values())
        art = self.artifact(program) if todo else None
        if art is None or not art.ok:
            return super().run_generated(program, inputs)
        timeouts, step = 0, max(OLD_SLICE, self.workers)
        for start in range(0, len(todo), step):
            part = todo[start : start + step]
            if timeouts >= OLD_MAX_TIMEOUTS:
                rows = [self._row(program, x, "TLE", None, None) for x in part]
            else:
                rows = self._run_part(program, art, part)
                timeouts += sum(r.verdict == "TLE" for r in rows)
            self.store.add_executions(rows)


def time_steps(name: str) -> Callable[[str], None]:
    """Print each step's wall seconds to stderr (a slow machine shows where it waits)."""
    last = [time.perf_counter()]

    def step(what: str) -> None:
        now = time.perf_counter()
        print(f"  {name}: {what} ({now - last[0]:.0f} s)", file=sys.stderr, flush=True)
        last[0] = now

    return step


@dataclass
class Ran:
    """What a run left to measure: its store, the programs, each subtask's input hashes."""

    store: Store
    programs: list[str]
    limits_key: str
    time_limit: float
    subtasks: dict[str, set[str]]


def run(problem: Problem, config: RunConfig, run_dir: Path, executor_class: type) -> Ran:
    """The stages of a run up to execution, in run_dir."""
    run_dir.mkdir(parents=True)
    store = Store(run_dir / "run.sqlite")
    engine = LazyEngine(lambda: build_engine(config, problem), config.engine)
    progress = NullProgress()
    with open_sandbox(config.sandbox, config.workers) as sandbox:
        executor = executor_class(problem, sandbox, store)
        step = time_steps(run_dir.name)
        sample_stage(problem, config, store, engine, progress)
        step("sampled")
        cands = solution_candidates(problem, store)
        inputs = inputs_stage(problem, config, store, engine, sandbox, progress)
        step("inputs written")
        programs = compile_stage(executor, sorted({c.program for c in cands}), progress)
        step(f"{len(programs)} programs compiled")
        execute_stage(problem, executor, cands, inputs, progress)
        step("executed")
    subtasks = {sid: {sha(x) for x in xs} for sid, xs in inputs.items()}
    return Ran(store, programs, executor.limits_key, executor.limits.cpu_s, subtasks)


def cost(ran: Ran) -> tuple[float, float, int]:
    """(CPU seconds run, the minimum, timed-out program-subtask pairs); a program's public
    tests count as one more subtask."""
    spent = minimum = 0.0
    pairs = 0
    for program in ran.programs:
        public = list(ran.store.executions(program, PUBLIC).values())
        generated = ran.store.executions(program, ran.limits_key)
        groups = [public] + [
            [e for h, e in generated.items() if h in members] for members in ran.subtasks.values()
        ]
        for rows in groups:
            spent += sum(e.cpu_s or 0.0 for e in rows)
            minimum += sum(e.cpu_s or 0.0 for e in rows if e.verdict != "TLE")
            if any(e.verdict == "TLE" for e in rows):
                pairs += 1
                minimum += ran.time_limit
    return spent, minimum, pairs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--problem", default=str(ROOT / "problems" / "street-lamps"))
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--generated-inputs", type=int, default=16)
    ap.add_argument("--sandbox", default="local")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--only", choices=["before", "after"], default=None)
    ap.add_argument(
        "--tests",
        choices=["problem", "model", "both"],
        default="problem",
        help="who writes the generated inputs (problem: its own generator, fast)",
    )
    ns = ap.parse_args()
    problem = load_problem(ns.problem)
    config = RunConfig(
        engine="simulated", samples=ns.samples, generated_inputs=ns.generated_inputs,
        sandbox=ns.sandbox, workers=ns.workers, seed=1, tests=ns.tests,
    )  # fmt: skip
    rules = {"before": OldRuleExecutor, "after": Executor}
    print(f"{problem.id}: {ns.samples} samples a subtask, {ns.generated_inputs} generated inputs")
    with tempfile.TemporaryDirectory(prefix="cpsolve-run-cost-") as tmp:
        for name, cls in rules.items():
            if ns.only and name != ns.only:
                continue
            spent, minimum, pairs = cost(run(problem, config, Path(tmp) / name, cls))
            ratio = spent / minimum if minimum else float("nan")
            print(
                f"{name:6}: {spent:8.2f} CPU s run, minimum {minimum:8.2f} s "
                f"({pairs} timed-out program-subtask pairs): ratio {ratio:.2f}"
                + ("   (target <= 1.3)" if name == "after" else "")
            )


if __name__ == "__main__":
    main()

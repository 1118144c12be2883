"""The compile, execute and judge stages of a run, over one shared `Executor`.

    compile_stage(executor, programs, progress) -> programs that compiled
    execute_stage(problem, executor, candidates, inputs, progress)   results in the store
    subtask_inputs, execute_program                                   the same, per program
    judge_stage(problem, executor, programs, progress) -> points per program, subtask

Results land in the run's store (see `executor`); these functions only say what runs on what
and report progress.
"""

from __future__ import annotations

from collections.abc import Sequence

from cpsolve.execute.executor import Executor
from cpsolve.judge.tasktypes import Case
from cpsolve.problem import Problem
from cpsolve.progress import Progress
from cpsolve.sample.stage import Candidate


def compile_stage(executor: Executor, programs: Sequence[str], progress: Progress) -> list[str]:
    """Compile every program once; the ones that compiled, in the given order."""
    with progress.task("compile programs", len(programs)) as task:
        executor.compile_all(programs, task.advance)
    return [p for p in programs if executor.store.program(p).compile_ok]


def execute_stage(
    problem: Problem,
    executor: Executor,
    candidates: Sequence[Candidate],
    inputs: dict[str, list[bytes]],
    progress: Progress,
) -> None:
    """Every program on the public tests and on the generated inputs of its subtask and of
    the subtasks that subtask includes."""
    per_program: dict[str, list[bytes]] = {}
    for c in candidates:
        per_program.setdefault(c.program, []).extend(subtask_inputs(problem, c.subtask, inputs))
    work = list(per_program.items())
    with progress.task("run programs on tests", len(work)) as task:
        executor.execute_all(work, task.advance)


def subtask_inputs(problem: Problem, subtask: str, inputs: dict[str, list[bytes]]) -> list[bytes]:
    """The generated inputs a candidate of `subtask` runs on: its own, then those of the
    subtasks it includes. A program's list is this over its candidates in candidate order."""
    mine = [*inputs.get(subtask, [])]
    for inner in problem.included_subtasks(subtask):
        mine += inputs.get(inner, [])
    return mine


def execute_program(
    executor: Executor, program: str, inputs: Sequence[bytes], cases: Sequence[Case]
) -> None:
    """One program on the public tests (`executor.public_cases()`) and on its generated inputs,
    as `execute_stage` runs each program (streaming runs call it per program)."""
    executor.run_public(program, cases)
    executor.run_generated(program, inputs)


def judge_stage(
    problem: Problem, executor: Executor, programs: Sequence[str], progress: Progress
) -> dict[str, dict[str, float]]:
    """Points per subtask of each program on the hidden tests."""
    data = executor.test_data
    with progress.task("judge on hidden tests", len(programs)) as task:
        data.cases(problem.hidden_tests)  # materialise once, before the threads
        return executor.judge_all(programs, data, task.advance)

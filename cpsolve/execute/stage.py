"""The compile, execute and judge stages of a run, over one shared `Executor`.

    compile_stage(executor, programs, progress) -> programs that compiled
    execute_stage(problem, executor, candidates, inputs, progress)   results in the store
    judge_stage(problem, executor, programs, progress) -> points per program, subtask

Results land in the run's store (see `executor`); these functions only say what runs on what
and report progress.
"""

from __future__ import annotations

from collections.abc import Sequence

from cpsolve.execute.executor import Executor
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
    the subtasks that subtask includes, subtask by subtask (a timeout in one stops the program
    on the rest of that subtask's inputs only)."""
    per_program: dict[str, dict[str, list[bytes]]] = {}  # program -> subtask -> its inputs
    for c in candidates:
        mine = per_program.setdefault(c.program, {})
        for sid in (c.subtask, *problem.included_subtasks(c.subtask)):
            mine.setdefault(sid, inputs.get(sid, []))
    work = [(program, list(subtasks.values())) for program, subtasks in per_program.items()]
    with progress.task("run programs on tests", len(work)) as task:
        executor.execute_all(work, task.advance)


def judge_stage(
    problem: Problem, executor: Executor, programs: Sequence[str], progress: Progress
) -> dict[str, dict[str, float]]:
    """Points per subtask of each program on the hidden tests."""
    data = executor.test_data
    with progress.task("judge on hidden tests", len(programs)) as task:
        data.cases(problem.hidden_tests)  # materialise once, before the threads
        return executor.judge_all(programs, data, task.advance)

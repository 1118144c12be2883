"""The compile, execute and judge stages of a run, over one shared `Executor`.

    compile_stage(executor, programs, progress) -> programs that compiled
    execute_stage(problem, executor, candidates, inputs, progress)   results in the store
    program_inputs, execute_program                                   the same, per program
    judge_stage(problem, executor, programs, progress) -> points per program, subtask

Results land in the run's store (see `executor`); these functions only say what runs on what
and report progress.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial

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
    """Every program on the public tests, then, for each subtask it was sampled for whose
    public tests it passes, on the generated inputs of that subtask and of the subtasks it
    includes, subtask by subtask (a timeout in one stops the program on the rest of that
    subtask's inputs only)."""
    per_program: dict[str, set[str]] = {}  # program -> the subtasks it was sampled for
    for c in candidates:
        per_program.setdefault(c.program, set()).add(c.subtask)
    cases = executor.public_cases()
    work = [
        partial(execute_program, executor, p, sids, inputs, cases)
        for p, sids in per_program.items()
    ]
    with progress.task("run programs on tests", len(work)) as task:
        executor.parallel(work, task.advance)


def program_inputs(
    problem: Problem, subtasks: Iterable[str], inputs: Mapping[str, list[bytes]]
) -> list[list[bytes]]:
    """The generated inputs a program runs on, one list per subtask: those of the subtasks it
    was sampled for and of the subtasks these include, in the problem's subtask order (so a
    staged and a streaming run give the executor the same lists in the same order)."""
    wanted: set[str] = set()
    for sid in subtasks:
        wanted |= {sid, *problem.included_subtasks(sid)}
    return [inputs.get(s.id, []) for s in problem.subtasks if s.id in wanted]


def execute_program(
    executor: Executor,
    program: str,
    sampled_for: Iterable[str],
    inputs: Mapping[str, list[bytes]],
    cases: Sequence[Case],
) -> None:
    """One program on the public tests (`executor.public_cases()`), then on the generated
    inputs (`program_inputs`) of the subtasks it was sampled for whose public tests it passes:
    the public filter of AlphaCode and o1-ioi. A program that fails them is submitted only after
    every one that passes, so its outputs would order nothing that matters, and such programs
    are most of a pool."""
    executor.run_public(program, cases)
    passing = [s for s in sampled_for if executor.passes_public(program, s)]
    executor.run_generated_all(program, program_inputs(executor.problem, passing, inputs))


def judge_stage(
    problem: Problem, executor: Executor, programs: Sequence[str], progress: Progress
) -> dict[str, dict[str, float]]:
    """Points per subtask of each program on the hidden tests."""
    data = executor.test_data
    with progress.task("judge on hidden tests", len(programs)) as task:
        data.cases(problem.hidden_tests)  # materialise once, before the threads
        return executor.judge_all(programs, data, task.advance)

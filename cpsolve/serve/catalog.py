"""The problems a grading service serves: loaded once from a directory, looked up by id."""

from __future__ import annotations

from pathlib import Path

from cpsolve.errors import ProblemError, UserError
from cpsolve.problem import Problem, find_problems, load_problem
from cpsolve.serve.models import ExampleTest, ProblemInfo, SubtaskInfo


class UnknownProblem(UserError):
    """A request named a problem the service does not hold."""


class Catalog:
    """Problems by id, from every problem.json at or below a directory."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems: dict[str, Problem] = {}
        for p in problems:
            if p.id in self.problems:
                raise ProblemError(f"two problems have the id '{p.id}'")
            self.problems[p.id] = p

    @classmethod
    def load(cls, root: str | Path) -> Catalog:
        return cls([load_problem(p) for p in find_problems(root)])

    def get(self, problem_id: str) -> Problem:
        try:
            return self.problems[problem_id]
        except KeyError:
            raise UnknownProblem(f"no problem '{problem_id[:100]}' on this server") from None

    def info(self) -> list[ProblemInfo]:
        return [problem_info(p) for p in self.problems.values()]

    def info_of(self, problem_id: str) -> ProblemInfo:
        return problem_info(self.get(problem_id))


def _examples(problem: Problem) -> list[ExampleTest]:
    out = []
    for t in problem.public_tests:
        if t.input is None and t.input_file is None:
            continue  # generated: nothing to show
        answer = problem.read_output(t)
        out.append(
            ExampleTest(
                name=t.name,
                input=problem.read_input(t).decode(errors="replace"),
                output=None if answer is None else answer.decode(errors="replace"),
            )
        )
    return out


def problem_info(problem: Problem) -> ProblemInfo:
    """A problem as clients see it: statement, limits, subtasks, examples; no hidden test."""
    return ProblemInfo(
        id=problem.id,
        name=problem.name,
        statement=problem.statement_text(),
        time_limit_s=problem.time_limit_s,
        memory_limit_mb=problem.memory_limit_mb,
        task_type=problem.task_type.value,
        scoring=problem.scoring.value,
        subtasks=[
            SubtaskInfo(id=s.id, points=s.points, constraints=s.constraints)
            for s in problem.subtasks
        ],
        examples=_examples(problem),
    )

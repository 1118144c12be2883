"""`cpsolve problems check PATH...`: a problem is ready when its file validates, its validator
accepts every test, and each reference solution earns exactly its expected verdict per subtask."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from cpsolve.cli.safe import plain, shown
from cpsolve.errors import UserError
from cpsolve.judge.scoring import judge_program
from cpsolve.judge.tasktypes import compile_support
from cpsolve.judge.testdata import TestData, main_solution
from cpsolve.problem import Problem, ReferenceSolution, find_problems, load_problem
from cpsolve.sandbox.base import Limits, Sandbox, Verdict

console = Console()
err_console = Console(stderr=True)

problems_app = typer.Typer(help="Check the problems of a problem set.", no_args_is_help=True)

VALIDATOR_LIMITS = Limits(cpu_s=10.0, wall_s=30.0, memory_mb=1024)


class Check(BaseModel):
    problem: str
    what: str
    ok: bool
    detail: str = ""


def expectation_met(expected: str, got: str) -> bool:
    return expected.lower() == "any" or expected.upper() == got


def check_validator(problem: Problem, sandbox: Sandbox, data: TestData) -> Check:
    if problem.validator is None:
        return Check(problem=problem.id, what="validator", ok=True, detail="none given")
    validator = compile_support(sandbox, problem, problem.validator.path)
    tests = problem.public_tests + problem.hidden_tests
    runs = sandbox.run_batch(validator, data.inputs(tests), VALIDATOR_LIMITS, keep_output=False)
    bad = [(t.name, r) for t, r in zip(tests, runs, strict=True) if r.verdict != Verdict.AC]
    if not bad:
        return Check(problem=problem.id, what="validator", ok=True, detail=f"{len(tests)} tests")
    name, run = bad[0]
    why = run.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
    detail = f"rejects {len(bad)} test(s), first '{name}' ({run.verdict}): {' '.join(why)}"
    return Check(problem=problem.id, what="validator", ok=False, detail=detail)


def check_public(problem: Problem, sandbox: Sandbox, data: TestData) -> Check:
    """The main solution must pass the public tests: the pipeline filters candidates on them."""
    ref = main_solution(problem)
    if ref is None or not problem.public_tests:
        return Check(problem=problem.id, what="public tests", ok=True, detail="nothing to check")
    source = problem.path(ref.path).read_text()
    runner = data.task_type  # one per problem: its checker compiles once for every check
    program = runner.prepare(source, ref.language)
    results = runner.run_tests(program, data.cases(problem.public_tests))
    bad = [r for r in results if r.verdict != Verdict.AC]
    if not bad:
        detail = f"{ref.path} passes all {len(results)}"
        return Check(problem=problem.id, what="public tests", ok=True, detail=detail)
    r = bad[0]
    detail = f"{ref.path} gets {r.verdict} on '{r.name}': {r.message}"
    return Check(problem=problem.id, what="public tests", ok=False, detail=detail)


def check_solution(problem: Problem, index: int, sandbox: Sandbox, data: TestData) -> Check:
    ref = problem.reference_solutions[index]
    what = f"solution {ref.path}"
    source = problem.path(ref.path).read_text()
    result = judge_program(
        problem, source, ref.language, sandbox, data=data, task_type=data.task_type
    )
    wrong, parts = [], []
    for s in result.subtasks:
        expected = ref.expect.get(s.id, "any")
        parts.append(f"{s.id}:{s.verdict}")
        if not expectation_met(expected, s.verdict):
            wrong.append(f"subtask {s.id} expected {expected}, got {s.verdict}")
    got = [s.verdict for s in result.subtasks]
    if result.verdict != Verdict.CE:
        wrong += public_misses(problem, ref, data)
    if ref.verdict and not any(expectation_met(ref.verdict, v) for v in got):
        wrong.append(f"expected {ref.verdict} on some subtask, got {' '.join(got)}")
    if result.verdict == Verdict.CE:
        head = result.compile_message.strip().splitlines()[:1]
        wrong.insert(0, f"does not compile: {' '.join(head)}")
    detail = "; ".join(wrong) if wrong else " ".join(parts) + f" ({result.score:g} points)"
    return Check(problem=problem.id, what=what, ok=not wrong, detail=detail)


def public_misses(problem: Problem, ref: ReferenceSolution, data: TestData) -> list[str]:
    """The public tests a solution fails although it is expected AC on a subtask they belong
    to (an untagged public test belongs to every subtask). The pipeline requires a subtask's
    candidates to pass its public tests, so an example outside a subtask's constraints that is
    not tagged with its own subtasks filters that subtask's right programs out."""
    every = [s.id for s in problem.subtasks]
    ac = {sid for sid, v in ref.expect.items() if v.upper() == "AC"}
    tests = [t for t in problem.public_tests if ac & set(t.subtasks or every)]
    if not tests:
        return []
    runner = data.task_type
    program = runner.prepare(problem.path(ref.path).read_text(), ref.language)
    out = []
    for t, r in zip(tests, runner.run_tests(program, data.cases(tests)), strict=True):
        if r.verdict != Verdict.AC:
            subs = ", ".join(sorted(ac & set(t.subtasks or every)))
            out.append(
                f"public test '{t.name}' gets {r.verdict} though it is expected AC on subtask "
                f"{subs}, which the test belongs to: list its subtasks in its 'subtasks'"
            )
    return out


def check_problem(path: Path, sandbox: Sandbox) -> list[Check]:
    try:
        problem = load_problem(path)
    except UserError as e:
        return [Check(problem=str(path), what="problem file", ok=False, detail=str(e))]
    checks = [Check(problem=problem.id, what="problem file", ok=True, detail="valid")]
    data = TestData(problem, sandbox)
    steps: list[Callable[[], Check]] = [
        partial(check_validator, problem, sandbox, data),
        partial(check_public, problem, sandbox, data),
    ]
    steps += [
        partial(check_solution, problem, i, sandbox, data)
        for i in range(len(problem.reference_solutions))
    ]
    for step in steps:
        try:
            checks.append(step())
        except UserError as e:
            checks.append(Check(problem=problem.id, what="tests", ok=False, detail=str(e)))
            break
    return checks


def checks_table(checks: list[Check]) -> Table:
    table = Table(title="problem checks")
    for col in ("problem", "check", "result", "detail"):
        table.add_column(col)
    for c in checks:
        mark = "[green]ok[/]" if c.ok else "[bold red]FAIL[/]"
        table.add_row(shown(c.problem), shown(c.what), mark, shown(c.detail))
    return table


@problems_app.command("check")
def check(
    paths: Annotated[list[Path], typer.Argument(help="Problem files or directories of problems.")],
    sandbox: Annotated[str, typer.Option(help="Sandbox backend: local, docker or auto.")] = "auto",
) -> None:
    """Validate problems: file, validator on every test, expected verdicts of solutions."""
    from cpsolve.cli.judge import opened_sandbox

    files = [f for p in paths for f in find_problems(p)]
    checks: list[Check] = []
    with opened_sandbox(sandbox) as sb, err_console.status("checking") as status:
        for f in files:
            status.update(f"checking {f}")
            checks += check_problem(f, sb)
    console.print(checks_table(checks))
    failed = sorted({c.problem for c in checks if not c.ok})
    passed = len(files) - len(failed)
    console.print(f"{passed} of {len(files)} problems pass", highlight=False)
    if failed:
        for c in checks:
            if not c.ok:
                typer.echo(plain(f"FAIL {c.problem}: {c.what}: {c.detail}"), err=True)
        err_console.print(f"[bold red]failing:[/] {shown(', '.join(failed))}", highlight=False)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(problems_app, name="problems")

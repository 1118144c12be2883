"""`cpsolve judge PROBLEM SOLUTION`: one program on a problem's hidden tests.

Exit codes say what happened, so a script can tell a program's outcome from cpsolve's:
0 the program was judged (its verdict and points are printed, whatever they are); 1 it does not
compile (verdict CE; `--json` prints the compiler's message); 2 cpsolve could not judge it (a bad
problem, solution file or option: one sentence on stderr); 3 the sandbox failed on some test
(verdict SE: nothing the program did, run it again).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cpsolve.cli.safe import shown
from cpsolve.errors import UserError
from cpsolve.judge.scoring import JudgeResult, TestResult, judge_program
from cpsolve.languages import Language, language_of
from cpsolve.problem import load_problem
from cpsolve.sandbox.base import Sandbox

console = Console()
err_console = Console(stderr=True)

VERDICT_STYLE = {"AC": "green", "PA": "yellow", "CE": "magenta", "SE": "bold red"}
EXIT_JUDGED, EXIT_COMPILE_ERROR, EXIT_SYSTEM_ERROR = 0, 1, 3  # 2: a UserError (cli/__init__.py)


@contextmanager
def opened_sandbox(kind: str) -> Iterator[Sandbox]:
    """The sandbox of the given kind, closed afterwards."""
    from cpsolve.sandbox.factory import open_sandbox

    if kind not in ("auto", "local", "docker"):
        raise UserError(f"unknown sandbox '{kind}' (use auto, local or docker)")
    sandbox = open_sandbox(kind)  # type: ignore[arg-type]
    try:
        yield sandbox
    finally:
        sandbox.close()


def read_solution(path: Path) -> tuple[str, Language]:
    """A solution file's text and language, or a clear error."""
    if not path.is_file():
        raise UserError(f"{path}: no such solution file")
    language = language_of(path)
    try:
        return path.read_text(), language
    except UnicodeDecodeError:
        raise UserError(f"{path}: the solution is not a UTF-8 text file") from None


def styled(verdict: str) -> str:
    return f"[{VERDICT_STYLE.get(verdict, 'red')}]{verdict}[/]"


def result_table(result: JudgeResult) -> Table:
    by_name = {t.name: t for t in result.tests}
    table = Table(title=f"{shown(result.problem)}: {result.score:g} / {result.max_score:g}")
    for col in ("subtask", "points", "earned", "verdict", "tests", "max time s", "max mem MB"):
        table.add_column(col, justify="left" if col in ("subtask", "verdict") else "right")
    for s in result.subtasks:
        ran = [by_name[n] for n in s.tests if n in by_name]
        table.add_row(
            shown(s.id),
            f"{s.points:g}",
            f"{s.earned:g}",
            styled(s.verdict),
            str(len(ran)),
            f"{max((t.time_s for t in ran), default=0):.2f}",
            f"{max((t.memory_mb for t in ran), default=0):.0f}",
        )
    return table


def as_json(result: JudgeResult) -> str:
    data = {
        "problem": result.problem,
        "score": result.score,
        "max_score": result.max_score,
        "verdict": result.verdict,
        "compile_message": result.compile_message,
        "subtasks": [
            s.model_dump(include={"id", "points", "earned", "verdict"}) for s in result.subtasks
        ],
        "tests": [
            t.model_dump(include={"name", "verdict", "score", "time_s", "memory_mb", "message"})
            for t in result.tests
        ],
    }
    return json.dumps(data, indent=2)


def judge(
    problem: Annotated[Path, typer.Argument(help="A problem.json or the directory holding it.")],
    solution: Annotated[Path, typer.Argument(help="The solution's source file (.cpp, .c, .py).")],
    as_json_: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    sandbox: Annotated[str, typer.Option(help="Sandbox backend: local, docker or auto.")] = "auto",
    subtask: Annotated[
        list[str] | None, typer.Option(help="Judge only this subtask (repeatable).")
    ] = None,
) -> None:
    """Judge one program on a problem's hidden tests: verdict and points per subtask."""
    prob = load_problem(problem)
    source, language = read_solution(solution)
    if subtask:
        known = [s.id for s in prob.subtasks]
        for sid in subtask:
            if sid not in known:
                raise UserError(f"{prob.id} has no subtask '{sid}' (it has {', '.join(known)})")
    with opened_sandbox(sandbox) as sb, err_console.status("judging") as status:

        def show(t: TestResult) -> None:
            status.update(f"judging: test {t.name} {t.verdict}")

        result = judge_program(prob, source, language, sb, subtask or None, progress=show)
    if as_json_:
        typer.echo(as_json(result))
    elif result.verdict == "CE":
        lines = result.compile_message.strip().splitlines()
        errors = [line for line in lines if "error:" in line] or lines  # past the warnings
        why = shown(errors[0] if errors else "compiler failed")
        line = f"[magenta]CE[/] {shown(str(solution))} does not compile: {why}"
        err_console.print(line, highlight=False, soft_wrap=True)
    else:
        console.print(result_table(result))
    raise typer.Exit(exit_code(result))


def exit_code(result: JudgeResult) -> int:
    if result.verdict == "CE":
        return EXIT_COMPILE_ERROR
    if any(t.verdict == "SE" for t in result.tests):
        return EXIT_SYSTEM_ERROR
    return EXIT_JUDGED


def register(app: typer.Typer) -> None:
    app.command("judge")(judge)

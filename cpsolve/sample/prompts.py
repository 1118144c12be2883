"""Prompt templates per role: a solution for one subtask, an input generator, an input validator.

A solution prompt shows the statement with the OTHER subtasks' constraints taken out (as o1-ioi
prompted: one subtask at a time), that subtask's constraints, how the program talks to the judge
(the task type's interface) and the language. Only public tests ever reach a prompt.

Templates are text with `{{name}}` placeholders (see PLACEHOLDERS); a TOML or JSON file can
replace any of them (docs/prompts.md):

    [solution]
    system = "You are a competitive programmer."
    user = "{{statement}}\\n\\nSolve subtask {{subtask_id}} in {{language_name}}."
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from cpsolve.errors import UserError
from cpsolve.languages import Language
from cpsolve.problem import Problem, Subtask, TaskType
from cpsolve.sample.engines.base import ChatMessage, Role

PLACEHOLDERS = {
    "problem_name": "the problem's name",
    "statement": "the statement (titled), other subtasks' constraints removed",
    "subtask_id": "the subtask's id",
    "subtask_points": "the subtask's points",
    "constraints": "the subtask's constraints",
    "subtask_section": "a paragraph naming the subtask and its constraints (empty if only one)",
    "interface": "how the program reads and writes: stdin/stdout, grader functions, protocol",
    "language": "the fence tag of the language (cpp, c, python)",
    "language_name": "the language as people name it (C++17, C, Python 3)",
    "time_limit": "time limit in seconds",
    "memory_limit": "memory limit in MB",
    "examples": "the public tests of the subtask, as input/output blocks",
}

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")

LANGUAGE_NAME = {Language.CPP: "C++17", Language.C: "C", Language.PYTHON: "Python 3"}
FENCE_TAG = {Language.CPP: "cpp", Language.C: "c", Language.PYTHON: "python"}
MAX_EXAMPLE_CHARS = 2000


class Template(BaseModel):
    model_config = ConfigDict(extra="forbid")

    system: str = ""
    user: str


class PromptSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    solution: Template
    generator: Template
    validator: Template


SYSTEM = (
    "You are a world-class competitive programmer. Think about the problem, then give one "
    "complete program in a single fenced code block."
)

DEFAULTS = PromptSet(
    solution=Template(
        system=SYSTEM,
        user=(
            "{{statement}}\n\n{{subtask_section}}"
            "## Limits\n\nTime limit: {{time_limit}} s. Memory limit: {{memory_limit}} MB.\n\n"
            "## Interface\n\n{{interface}}\n\n{{examples}}"
            "Write a solution in {{language_name}} that is correct and fast enough for these "
            "constraints. End your answer with the complete program in one "
            "```{{language}} fenced block."
        ),
    ),
    generator=Template(
        system=SYSTEM,
        user=(
            "{{statement}}\n\n{{subtask_section}}{{examples}}"
            "Write a test input generator in {{language_name}}. It takes an integer seed as its "
            "first command-line argument (argv[1]), seeds its random number generator with it "
            "and prints ONE random input that follows the input format exactly and satisfies "
            "every constraint{{for_subtask}}. The same seed must always print the same input. "
            "Vary sizes and shapes between seeds: small cases and edge cases. When the seed "
            "is a multiple of 4, print a LARGEST case instead: every size at the maximum the "
            "constraints allow{{for_subtask}}, values at their extremes (answers that need "
            "64-bit integers), and a worst-case shape for slow solutions (long chains, dense "
            "graphs, many equal values). Print the input only. End your answer with the "
            "complete program in one ```{{language}} fenced block."
        ),
    ),
    validator=Template(
        system=SYSTEM,
        user=(
            "{{statement}}\n\n{{subtask_section}}{{examples}}"
            "Write an input validator in {{language_name}}. It reads one test input from "
            "standard input and exits with code 0 if and only if the input follows the input "
            "format exactly (tokens, line breaks, no extra data) and satisfies every "
            "constraint{{for_subtask}}; otherwise it exits with code 1. It prints nothing "
            "required on stdout. End your answer with the complete program in one "
            "```{{language}} fenced block."
        ),
    ),
)

_EXTRA = {"for_subtask"}


def load_prompts(path: str | Path | None = None) -> PromptSet:
    """The default templates, with those a TOML/JSON file gives replacing them by role."""
    if path is None:
        return DEFAULTS
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{p}: no such prompt file")
    try:
        raw = tomllib.loads(p.read_text()) if p.suffix == ".toml" else json.loads(p.read_text())
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as e:
        raise UserError(f"{p}: cannot be parsed ({e})") from None
    if not isinstance(raw, dict):
        raise UserError(f"{p}: the top level must map roles to templates")
    merged = DEFAULTS.model_dump()
    for role, tpl in raw.items():
        if role not in merged:
            raise UserError(f"{p}: unknown role '{role}' (known: solution, generator, validator)")
        if not isinstance(tpl, dict):
            raise UserError(f"{p}: '{role}' must be a table with 'system' and/or 'user'")
        merged[role] = {**merged[role], **tpl}
    try:
        prompts = PromptSet.model_validate(merged)
    except ValidationError as e:
        err = e.errors()[0]
        raise UserError(f"{p}: {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    _check_placeholders(prompts, p)
    return prompts


def _check_placeholders(prompts: PromptSet, source: Path) -> None:
    known = set(PLACEHOLDERS) | _EXTRA
    for role in ("solution", "generator", "validator"):
        tpl: Template = getattr(prompts, role)
        for text in (tpl.system, tpl.user):
            for name in _PLACEHOLDER.findall(text):
                if name not in known:
                    raise UserError(
                        f"{source}: {role}: unknown placeholder '{{{{{name}}}}}' "
                        f"(known: {', '.join(sorted(PLACEHOLDERS))})"
                    )


def render(text: str, values: dict[str, str]) -> str:
    """Replace `{{name}}` placeholders; values are inserted verbatim, never re-scanned."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


# ---- the statement of one subtask ------------------------------------------------------------


def _mentions(line: str, text: str) -> bool:
    """Whether `line` holds `text` as a whole phrase (not inside a longer number or word)."""
    pattern = re.escape(text)
    if text[:1].isalnum():
        pattern = r"(?<![\w.])" + pattern
    if text[-1:].isalnum():
        pattern += r"(?![\w])"
    return re.search(pattern, line) is not None


def _states_subtask(line: str, st: Subtask) -> bool:
    """Whether `line` is where the statement lists subtask `st`: it holds its constraints and
    reads as a subtask entry (a table row, the word 'subtask', or the subtask's points)."""
    constraints = st.constraints.strip()
    if not constraints or not _mentions(line, constraints):
        return False
    return (
        line.lstrip().startswith("|")
        or "subtask" in line.lower()
        or _mentions(line, f"{st.points:g}")
    )


def statement_for_subtask(problem: Problem, subtask_id: str) -> str:
    """The statement with the lines that list other subtasks' constraints taken out.

    A line is dropped when it lists another subtask (see `_states_subtask`) and does not also
    list this one; general constraints lines stay. The statement gets the problem's name as a
    title when it has none."""
    target = problem.subtask(subtask_id)
    others = [s for s in problem.subtasks if s.id != subtask_id]
    kept = []
    for line in problem.statement_text().splitlines():
        if not _states_subtask(line, target) and any(_states_subtask(line, o) for o in others):
            continue
        kept.append(line)
    text = "\n".join(kept).strip()
    if not text.startswith("#"):
        text = f"# {problem.name}\n\n{text}"
    return text


def _subtask_section(problem: Problem, st: Subtask) -> str:
    if len(problem.subtasks) == 1:
        return f"## Constraints\n\n{st.constraints}\n\n" if st.constraints.strip() else ""
    constraints = st.constraints.strip() or "the full problem, no extra constraints"
    return (
        f"## Subtask {st.id} ({st.points:g} points)\n\n"
        f"Solve this subtask only. Its constraints: {constraints}\n\n"
    )


# ---- how the program talks to the judge ------------------------------------------------------


def interface_text(problem: Problem, language: Language) -> str:
    """What the program must read and write for the problem's task type, in the prompt's words."""
    tt = problem.task_type
    if tt == TaskType.BATCH:
        return "Read the input from standard input and write the output to standard output."
    if tt == TaskType.GRADER:
        return _grader_text(problem, language)
    if tt == TaskType.INTERACTIVE:
        return (
            "This problem is interactive. Your program talks to an interactor: read its "
            "messages from standard input and write your queries and answers to standard "
            "output, as the statement describes. Flush standard output after every line you "
            "write (fflush(stdout) / cout.flush() / print(..., flush=True)) and never read "
            "more than the interactor has sent."
        )
    return _communication_text(problem)


def _grader_text(problem: Problem, language: Language) -> str:
    grader = problem.grader
    assert grader is not None
    text = (
        "Your code is compiled together with the problem's grader, which reads the input and "
        "calls your functions. Do not write a main function, do not read standard input and "
        "do not write to standard output. Implement the functions below."
    )
    if grader.interface.strip():
        text += f"\n\n```{FENCE_TAG[language]}\n{grader.interface.strip()}\n```"
    if grader.headers:
        includes = ", ".join(f'#include "{Path(h).name}"' for h in grader.headers)
        text += f"\n\nStart your file with {includes}."
    if language in grader.filename:
        text += f" The grader expects your file to be {grader.filename[language]}."
    return text


def _communication_text(problem: Problem) -> str:
    manager = problem.manager
    assert manager is not None
    copies = (
        "one instance of your program"
        if manager.num_processes == 1
        else f"{manager.num_processes} instances of your program, each run separately"
    )
    if manager.user_io == "std_io":
        channel = "through standard input and output"
    else:
        channel = "through two named pipes whose paths are given as command-line arguments"
    text = (
        f"This is a communication task: a manager program talks to {copies} {channel}, "
        "following the protocol the statement describes. Flush after every message you write."
    )
    if problem.grader is not None and problem.grader.interface.strip():
        text += f"\n\nInterface:\n\n```\n{problem.grader.interface.strip()}\n```"
    return text


# ---- examples (public tests only) ------------------------------------------------------------


def _clip(text: str) -> str:
    if len(text) <= MAX_EXAMPLE_CHARS:
        return text
    return text[:MAX_EXAMPLE_CHARS] + "\n... (truncated)\n"


def examples_text(problem: Problem, subtask_id: str) -> str:
    """The public tests of the subtask as input/output blocks, those the statement does not
    already show; hidden tests never appear."""
    statement = problem.statement_text()
    blocks = []
    for test in problem.public_tests_for(subtask_id):
        if test.gen is not None:
            continue
        try:
            data = problem.read_input(test).decode("utf-8")
            answer = problem.read_output(test)
        except (OSError, UnicodeDecodeError):
            continue
        if data.strip() and data.strip() in statement:
            continue
        block = f"Input:\n```\n{_clip(data).rstrip()}\n```\n"
        if answer is not None:
            block += f"Output:\n```\n{_clip(answer.decode('utf-8', 'replace')).rstrip()}\n```\n"
        blocks.append(f"### Example {test.name}\n\n{block}")
    return "## Examples\n\n" + "\n".join(blocks) + "\n" if blocks else ""


# ---- messages --------------------------------------------------------------------------------


def prompt_values(problem: Problem, subtask_id: str, language: Language) -> dict[str, str]:
    st = problem.subtask(subtask_id)
    several = len(problem.subtasks) > 1
    return {
        "problem_name": problem.name,
        "statement": statement_for_subtask(problem, subtask_id),
        "subtask_id": st.id,
        "subtask_points": f"{st.points:g}",
        "constraints": st.constraints.strip(),
        "subtask_section": _subtask_section(problem, st),
        "interface": interface_text(problem, language),
        "language": FENCE_TAG[language],
        "language_name": LANGUAGE_NAME[language],
        "time_limit": f"{problem.time_limit_s:g}",
        "memory_limit": str(problem.memory_limit_mb),
        "examples": examples_text(problem, subtask_id),
        "for_subtask": f" of subtask {st.id}" if several else "",
    }


def build_messages(
    problem: Problem,
    role: Role,
    subtask_id: str,
    language: Language,
    prompts: PromptSet | None = None,
) -> list[ChatMessage]:
    """The chat messages that ask for a program of `role` for one subtask."""
    tpl: Template = getattr(prompts or DEFAULTS, role)
    values = prompt_values(problem, subtask_id, language)
    messages = []
    if tpl.system.strip():
        messages.append(ChatMessage(role="system", content=render(tpl.system, values)))
    messages.append(ChatMessage(role="user", content=render(tpl.user, values)))
    return messages

"""Prompts: one subtask at a time, the task type's interface, public tests only, overrides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cpsolve.errors import UserError
from cpsolve.languages import Language
from cpsolve.problem import Problem, load_problem
from cpsolve.sample.prompts import build_messages, load_prompts, statement_for_subtask

STATEMENT = """# Hill Walk

Walk over N hills of heights h_i and report the highest one you can reach.

## Constraints

- 1 <= N <= 200000, 1 <= h_i <= 10^9

## Subtasks

1. (10 points) N <= 10
2. (30 points) N <= 5000
3. (60 points) no additional constraints
"""

SECRET = "7777777 424242 HIDDEN"


def write_problem(tmp_path: Path, **extra: Any) -> Problem:
    data = {
        "id": "hill-walk",
        "name": "Hill Walk",
        "statement": STATEMENT,
        "subtasks": [
            {"id": "1", "points": 10, "constraints": "N <= 10", "tests": ["1-*"]},
            {"id": "2", "points": 30, "constraints": "N <= 5000", "tests": ["1-*", "2-*"]},
            {
                "id": "3",
                "points": 60,
                "constraints": "no additional constraints",
                "tests": ["*"],
            },
        ],
        "public_tests": [
            {"name": "ex1", "input": "3\n1 5 2\n", "output": "5\n"},
            {"name": "ex-big", "input": "6\n1 2 3 4 5 6\n", "output": "6\n", "subtasks": ["3"]},
        ],
        "hidden_tests": [
            {"name": "1-01", "input": SECRET + "\n", "output": "424242\n"},
            {"name": "2-01", "input": "2\n9 8\n", "output": "SECRET-ANSWER-9\n"},
            {"name": "3-01", "input": "1\n31337\n", "output": "31337\n"},
        ],
        **extra,
    }
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(data))
    return load_problem(path)


def user_text(problem: Problem, role: str, subtask: str, lang: Language = Language.CPP) -> str:
    messages = build_messages(problem, role, subtask, lang)  # type: ignore[arg-type]
    assert messages[-1].role == "user"
    return messages[-1].content


@pytest.mark.parametrize("role", ["solution", "generator", "validator"])
@pytest.mark.parametrize("subtask", ["1", "2", "3"])
def test_hidden_tests_never_reach_a_prompt(tmp_path: Path, role: str, subtask: str) -> None:
    problem = write_problem(tmp_path)
    text = "\n".join(m.content for m in build_messages(problem, role, subtask, Language.CPP))  # type: ignore[arg-type]
    for hidden in ("7777777", "424242", "SECRET-ANSWER-9", "31337"):
        assert hidden not in text


def test_solution_prompt_shows_only_its_subtask(tmp_path: Path) -> None:
    problem = write_problem(tmp_path)
    text = user_text(problem, "solution", "2")
    assert "N <= 5000" in text
    assert "N <= 10" not in text
    assert "no additional constraints" not in text
    assert "1 <= N <= 200000" in text  # general constraints stay
    assert "Subtask 2 (30 points)" in text
    assert "Walk over N hills" in text


def test_statement_for_last_subtask_drops_the_easier_ones(tmp_path: Path) -> None:
    problem = write_problem(tmp_path)
    text = statement_for_subtask(problem, "3")
    assert "no additional constraints" in text
    assert "N <= 10" not in text and "N <= 5000" not in text


def test_examples_are_the_subtasks_public_tests(tmp_path: Path) -> None:
    problem = write_problem(tmp_path)
    assert "1 5 2" in user_text(problem, "solution", "1")
    assert "1 2 3 4 5 6" not in user_text(problem, "solution", "1")
    assert "1 2 3 4 5 6" in user_text(problem, "solution", "3")


def test_language_is_named_and_fenced(tmp_path: Path) -> None:
    problem = write_problem(tmp_path)
    assert "```cpp" in user_text(problem, "solution", "3", Language.CPP)
    py = user_text(problem, "solution", "3", Language.PYTHON)
    assert "Python 3" in py and "```python" in py
    assert "standard input" in py


def test_generator_takes_a_seed_and_validator_exits_zero(tmp_path: Path) -> None:
    problem = write_problem(tmp_path)
    gen = user_text(problem, "generator", "1", Language.PYTHON)
    assert "argv[1]" in gen and "seed" in gen and "subtask 1" in gen
    assert "N <= 10" in gen and "N <= 5000" not in gen
    val = user_text(problem, "validator", "2")
    assert "exits with code 0 if and only if" in val and "subtask 2" in val


def test_grader_task_shows_the_interface(tmp_path: Path) -> None:
    (tmp_path / "hill.h").write_text("long long highest(std::vector<int> h);\n")
    problem = write_problem(
        tmp_path,
        task_type="grader",
        grader={
            "headers": ["hill.h"],
            "filename": {"cpp": "hill.cpp"},
            "interface": "long long highest(std::vector<int> h);",
        },
    )
    text = user_text(problem, "solution", "3")
    assert "long long highest(std::vector<int> h);" in text
    assert "Do not write a main function" in text
    assert '#include "hill.h"' in text and "hill.cpp" in text


def test_interactive_and_communication_tasks_say_how_to_talk(tmp_path: Path) -> None:
    (tmp_path / "inter.cpp").write_text("int main() {}\n")
    inter = write_problem(tmp_path, task_type="interactive", interactor={"path": "inter.cpp"})
    assert "interactive" in user_text(inter, "solution", "3")
    assert "Flush" in user_text(inter, "solution", "3")
    comm = write_problem(
        tmp_path,
        task_type="communication",
        manager={"path": "inter.cpp", "num_processes": 2},
    )
    text = user_text(comm, "solution", "3")
    assert "manager" in text and "2 instances" in text


def test_prompt_file_overrides_one_role(tmp_path: Path) -> None:
    problem = write_problem(tmp_path)
    path = tmp_path / "prompts.toml"
    path.write_text(
        '[solution]\nsystem = ""\nuser = """Task {{problem_name}} / {{subtask_id}}: '
        '{{constraints}} in {{language_name}}. Keep {x} as is."""\n'
    )
    prompts = load_prompts(path)
    msgs = build_messages(problem, "solution", "2", Language.CPP, prompts)
    assert len(msgs) == 1
    assert msgs[0].content == "Task Hill Walk / 2: N <= 5000 in C++17. Keep {x} as is."
    gen = build_messages(problem, "generator", "2", Language.CPP, prompts)
    assert "argv[1]" in gen[-1].content  # other roles keep their defaults


def test_prompt_file_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "p.json"
    bad.write_text(json.dumps({"solution": {"user": "{{statment}}"}}))
    with pytest.raises(UserError, match="unknown placeholder '\\{\\{statment\\}\\}'"):
        load_prompts(bad)
    bad.write_text(json.dumps({"checker": {"user": "x"}}))
    with pytest.raises(UserError, match="unknown role 'checker'"):
        load_prompts(bad)
    with pytest.raises(UserError, match="no such prompt file"):
        load_prompts(tmp_path / "missing.toml")


def test_braces_in_statements_are_left_alone(tmp_path: Path) -> None:
    problem = write_problem(tmp_path, statement=STATEMENT + "\nSet {a, b} and {{statement}}.\n")
    assert "Set {a, b} and {{statement}}." in user_text(problem, "solution", "3")

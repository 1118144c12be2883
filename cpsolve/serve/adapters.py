"""Reward functions for RL trainers: TRL's `reward_funcs` and verl's `compute_score`.

Both take the program out of a completion with cpsolve's extractor (`extract_program`) and grade
it through the service (`CPSOLVE_SERVE_URL`, with `CPSOLVE_SERVE_TOKEN`) or in this process (a
`LocalClient` over `CPSOLVE_PROBLEMS`). A completion with no program earns the shape's reward of a
program that fails (`no_program_reward`). A sandbox failure earns nothing: TRL gets None, which it
leaves out of the advantage, and verl's `compute_score` raises `InfraUnavailable` (or, made with
`on_infra="nan"`, scores NaN) so the trainer drops the sample instead of learning from a 0.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, Literal

from cpsolve.languages import Language, parse_language
from cpsolve.sample.extract import extract_program
from cpsolve.serve.client import GradingClient, HttpClient, LocalClient
from cpsolve.serve.models import GradeRequest, GradeResponse, RewardShape, Status
from cpsolve.serve.rewards import COMPILE_PENALTY


class InfraUnavailable(RuntimeError):
    """No grading could be had for a sample (sandbox or service failure): drop the sample."""


def no_program_reward(shape: RewardShape) -> float:
    return COMPILE_PENALTY if shape == RewardShape.CODEFORCES else 0.0


def completion_text(completion: str | Sequence[dict[str, Any]]) -> str:
    """A completion's text: TRL passes a string, or chat messages for conversational data."""
    if isinstance(completion, str):
        return completion
    said = [m.get("content") or "" for m in completion if m.get("role", "assistant") == "assistant"]
    return said[-1] if said else ""


_default: GradingClient | None = None


def default_client() -> GradingClient:
    """The service at CPSOLVE_SERVE_URL, else the judge in-process over CPSOLVE_PROBLEMS."""
    global _default
    if _default is None:
        url = os.environ.get("CPSOLVE_SERVE_URL")
        if url:
            _default = HttpClient(url, os.environ.get("CPSOLVE_SERVE_TOKEN"))
        elif os.environ.get("CPSOLVE_PROBLEMS"):
            _default = LocalClient(os.environ["CPSOLVE_PROBLEMS"])
        else:
            raise RuntimeError("set CPSOLVE_SERVE_URL (a cpsolve serve) or CPSOLVE_PROBLEMS")
    return _default


def grade_completions(
    client: GradingClient,
    problems: Sequence[str],
    completions: Sequence[str],
    languages: Sequence[Language],
    shape: RewardShape,
) -> list[float | None]:
    """The reward of each completion on its problem; None where no grading could be had."""
    rewards: list[float | None] = [no_program_reward(shape)] * len(completions)
    todo: list[tuple[int, GradeRequest]] = []
    for i, (problem, text, lang) in enumerate(zip(problems, completions, languages, strict=True)):
        found = extract_program(text, lang)
        if found.code is not None and found.language is not None:
            req = GradeRequest(
                problem=problem, language=found.language, code=found.code, reward=shape
            )
            todo.append((i, req))
    answers = client.grade_many([r for _, r in todo])
    for (i, _), answer in zip(todo, answers, strict=True):
        rewards[i] = answer.reward if answer.status == Status.GRADED else None
    return rewards


def trl_reward(
    client: GradingClient | str | None = None,
    *,
    shape: RewardShape | str = RewardShape.BINARY,
    language: Language | str = Language.CPP,
    problem_column: str = "problem",
) -> Callable[..., list[float | None]]:
    """A reward function for `trl.GRPOTrainer(reward_funcs=...)`: the dataset's `problem_column`
    names each prompt's problem (a `language` column, when present, the wanted language).
    `client`: a client, the service's URL, or None for `default_client()`."""
    shape, language = RewardShape(shape), parse_language(str(language))
    if isinstance(client, str):
        client = HttpClient(client, os.environ.get("CPSOLVE_SERVE_TOKEN"))

    def cpsolve_reward(
        prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any
    ) -> list[float | None]:
        if problem_column not in kwargs:
            raise KeyError(f"the dataset needs a '{problem_column}' column naming the problem")
        problems = [str(p) for p in kwargs[problem_column]]
        langs = [parse_language(x) for x in kwargs.get("language") or [language] * len(problems)]
        texts = [completion_text(c) for c in completions]
        return grade_completions(client or default_client(), problems, texts, langs, shape)

    return cpsolve_reward


def make_compute_score(
    client: GradingClient | None = None, *, on_infra: Literal["raise", "nan"] = "raise"
) -> Callable[..., dict[str, Any]]:
    """A verl `compute_score(data_source, solution_str, ground_truth, extra_info=None)`:
    `ground_truth` is the problem id; `extra_info` may give `language` and `reward_shape`."""

    def compute_score(
        data_source: str,
        solution_str: str,
        ground_truth: str,
        extra_info: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        extra = extra_info or {}
        lang = parse_language(str(extra.get("language", "cpp")))
        shape = RewardShape(extra.get("reward_shape", RewardShape.BINARY))
        found = extract_program(solution_str, lang)
        if found.code is None or found.language is None:
            return {"score": no_program_reward(shape), "status": "no_program", "verdict": ""}
        req = GradeRequest(problem=ground_truth, language=found.language, code=found.code,
                           reward=shape)  # fmt: skip
        answer: GradeResponse = (client or default_client()).grade_many([req])[0]
        if answer.status != Status.GRADED or answer.reward is None:
            if on_infra == "raise":
                raise InfraUnavailable(f"{data_source}/{ground_truth}: {answer.message}")
            return {"score": float("nan"), "status": answer.status.value, "verdict": ""}
        return {"score": answer.reward, "status": answer.status.value, "verdict": answer.verdict}

    return compute_score


compute_score = make_compute_score()
"""verl's entry point (`custom_reward_function.name: compute_score`), over `default_client()`."""

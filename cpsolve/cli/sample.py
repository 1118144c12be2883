"""`cpsolve sample`: sample completions for a problem with any engine and record them.

    cpsolve sample problems/street-lamps --engine vllm --model /models/m --n 1000 \\
        --out samples.jsonl.gz --role solution --subtask 4

The file it writes is what the `replay` engine serves (samples.jsonl, DESIGN.md).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cpsolve.errors import UserError

console = Console(stderr=True)

ROLES = ("solution", "generator", "validator")


def parse_options(pairs: list[str]) -> dict[str, Any]:
    """`KEY=VALUE` engine options, values read as int, float, bool (true/false) or else text;
    `-` in a key reads as `_` (max-model-len is max_model_len)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--engine-option '{pair}' must look like KEY=VALUE")
        out[key.strip().replace("-", "_")] = parse_value(value.strip())
    return out


def parse_value(text: str) -> Any:
    """An option's value: an int, a float, a bool (true/false, any case), a JSON object or list
    (`settings={"full_share": 0.5}`), else the text."""
    if text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise UserError(
                f"engine option value {text[:60]!r} is not valid JSON: {e.msg}"
            ) from None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)  # type: ignore[no-any-return]
        except ValueError:
            pass
    return text


def engine_options(**given: Any) -> dict[str, Any]:
    """The engine options given as flags (unset ones left out)."""
    return {k: v for k, v in given.items() if v is not None}


def build_requests(
    problem_path: Path,
    *,
    roles: list[str],
    subtasks: list[str],
    n: int,
    language: str,
    params: dict[str, Any],
    seed: int,
    prompts_file: Path | None,
) -> list[Any]:
    from cpsolve.languages import parse_language
    from cpsolve.problem import load_problem
    from cpsolve.sample.engines.base import SampleRequest, SamplingParams, request_seed
    from cpsolve.sample.prompts import build_messages, load_prompts

    problem = load_problem(problem_path)
    prompts = load_prompts(prompts_file)
    lang = parse_language(language)
    known = [s.id for s in problem.subtasks]
    chosen = subtasks or problem.hardest_first()
    for sid in chosen:
        if sid not in known:
            raise UserError(f"problem '{problem.id}' has no subtask '{sid}' (it has {known})")
    for role in roles:
        if role not in ROLES:
            raise UserError(f"unknown role '{role}' (known: {', '.join(ROLES)})")
    return [
        SampleRequest(
            messages=build_messages(problem, role, sid, lang, prompts),  # type: ignore[arg-type]
            n=n,
            params=SamplingParams(**params, seed=request_seed(seed, problem.id, sid, role)),
            role=role,  # type: ignore[arg-type]
            problem=problem.id,
            subtask=sid,
            language=lang,
        )
        for sid in chosen
        for role in roles
    ]


def run_sampling(engine: Any, requests: list[Any], out: Path, *, append: bool) -> Counter[str]:
    """Sample every request into `out`, chunk by chunk, with a progress bar; finish reasons."""
    from cpsolve.sample.engines.samples import SampleWriter

    total = sum(r.n for r in requests)
    reasons: Counter[str] = Counter()
    columns = (TextColumn("sampling"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar, SampleWriter(out, append=append) as writer:
        task = bar.add_task("sampling", total=total)
        for chunk in engine.sample(requests):
            writer.write(chunk)
            reasons.update(c.finish_reason for c in chunk)
            bar.advance(task, len(chunk))
    return reasons


def register(app: typer.Typer) -> None:
    app.command("sample")(sample)


def sample(
    problem: Annotated[Path, typer.Argument(help="problem.json or its directory.")],
    engine: Annotated[str, typer.Option(help="vllm, openai, hf, replay or simulated.")],
    model: Annotated[
        str, typer.Option(help="Model directory or name (for replay: the samples file).")
    ],
    out: Annotated[Path, typer.Option(help="samples.jsonl to write (.gz to compress).")],
    n: Annotated[int, typer.Option(min=1, help="Samples per subtask and role.")] = 1,
    role: Annotated[
        list[str] | None, typer.Option(help="solution, generator, validator (repeatable).")
    ] = None,
    subtask: Annotated[
        list[str] | None,
        typer.Option(help="Subtask ids (repeatable; default: all, hardest first)."),
    ] = None,
    language: Annotated[str, typer.Option(help="Language of the programs asked for.")] = "cpp",
    temperature: Annotated[float, typer.Option(min=0.0)] = 1.0,
    top_p: Annotated[float, typer.Option(min=0.0, max=1.0)] = 1.0,
    max_tokens: Annotated[int, typer.Option(min=1)] = 4096,
    seed: Annotated[int, typer.Option(help="Base seed; each request gets its own from it.")] = 0,
    stop: Annotated[list[str] | None, typer.Option(help="Stop sequence (repeatable).")] = None,
    prompts: Annotated[
        Path | None, typer.Option(help="TOML/JSON file overriding prompt templates.")
    ] = None,
    chunk_size: Annotated[int | None, typer.Option(min=1, help="Samples per chunk.")] = None,
    base_url: Annotated[str | None, typer.Option(help="openai: the server's /v1 URL.")] = None,
    api_key: Annotated[str | None, typer.Option(help="openai: API key.")] = None,
    concurrency: Annotated[int | None, typer.Option(help="openai: requests in flight.")] = None,
    tensor_parallel_size: Annotated[int | None, typer.Option(help="vllm: GPUs.")] = None,
    gpu_memory_utilization: Annotated[float | None, typer.Option(help="vllm.")] = None,
    max_model_len: Annotated[int | None, typer.Option(help="vllm.")] = None,
    dtype: Annotated[str | None, typer.Option(help="vllm/hf: auto, bfloat16, float32...")] = None,
    chat_template: Annotated[str | None, typer.Option(help="vllm/hf: chat template file.")] = None,
    engine_option: Annotated[
        list[str] | None,
        typer.Option(
            "--engine-option", help="Other engine option KEY=VALUE (repeatable), as run takes."
        ),
    ] = None,
    option: Annotated[list[str] | None, typer.Option("--option", hidden=True)] = None,
    append: Annotated[bool, typer.Option(help="Append to --out instead of replacing it.")] = False,
) -> None:
    """Sample completions for a problem's subtasks and record them in a samples.jsonl."""
    from cpsolve.config import RunConfig
    from cpsolve.problem import load_problem
    from cpsolve.sample.engines.factory import build_engine

    requests = build_requests(
        problem,
        roles=role or ["solution"],
        subtasks=subtask or [],
        n=n,
        language=language,
        params={
            "temperature": temperature,
            "top_p": top_p,
            "max_tokens": max_tokens,
            "stop": stop or [],
        },
        seed=seed,
        prompts_file=prompts,
    )
    options = engine_options(
        chunk_size=chunk_size,
        api_key=api_key,
        concurrency=concurrency,
        tensor_parallel_size=tensor_parallel_size,
        gpu_memory_utilization=gpu_memory_utilization,
        max_model_len=max_model_len,
        dtype=dtype,
        chat_template=chat_template,
    )
    options.update(parse_options([*(option or []), *(engine_option or [])]))
    config = RunConfig(engine=engine, model=model, base_url=base_url, engine_options=options)
    eng = build_engine(config, load_problem(problem))
    try:
        reasons = run_sampling(eng, requests, out, append=append)
    finally:
        eng.close()
    summary = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
    console.print(f"wrote {sum(reasons.values())} samples to {out} ({summary})", highlight=False)

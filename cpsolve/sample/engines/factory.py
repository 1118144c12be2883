"""The one place an engine is built from a run's config: `run`, `bench` and `sample` use it.

`check_engine` fails before any work on what the user can fix (an unknown engine, a missing
extra, a missing model, a missing samples file); `build_engine` checks, then constructs. Which
engine takes a path, a model or the problem is decided here and nowhere else; the simulated
engine is reached through the registry by name, never imported.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from cpsolve.config import DEFAULT_SAMPLES, RunConfig
from cpsolve.errors import UserError
from cpsolve.problem import Problem
from cpsolve.sample.engines import ENGINES, check_installed, get_engine
from cpsolve.sample.engines.base import Completion, Engine, SampleRequest

NO_MODEL = ("replay", "simulated")  # engines that run without --model
SET_HERE = {"self", "model", "path", "problems", "llm"}  # keywords `engine_kwargs` fills in


def shipped_samples(problem: Problem) -> Path:
    """The samples the problem ships, which replay serves when no file is given."""
    for name in ("samples.jsonl.gz", "samples.jsonl"):
        p = problem.base_dir / name
        if p.is_file():
            return p
    raise UserError(
        f"problem '{problem.id}' ships no samples.jsonl(.gz) to replay: pass --model FILE, or "
        "record samples with `cpsolve sample` (or use --engine simulated)"
    )


def replay_path(config: RunConfig, problem: Problem) -> Path:
    return Path(config.model) if config.model else shipped_samples(problem)


def resolve_samples(config: RunConfig, problem: Problem) -> RunConfig:
    """The config with `samples` set for this problem: as the user gave it; for replay without
    it, every solution sample the recording holds for each of the problem's subtasks (the
    fewest over the subtasks), so a pooled problem is replayed whole, whatever its pool's size;
    otherwise DEFAULT_SAMPLES. Runs resolve before hashing, so the run id names the number."""
    if config.samples is not None:
        return config
    n = DEFAULT_SAMPLES
    if check_installed(config.engine) == "replay":
        n = recorded_solutions(replay_path(config, problem), problem)
    return config.model_copy(update={"samples": n})


def recorded_solutions(path: Path, problem: Problem) -> int:
    """The solution samples `path` holds for every subtask of `problem` (the fewest)."""
    from cpsolve.sample.engines.samples import read_samples

    count = dict.fromkeys((st.id for st in problem.subtasks), 0)
    for rec in read_samples(path):
        if rec.problem == problem.id and rec.role == "solution" and rec.subtask in count:
            count[rec.subtask] += 1
    sid, fewest = min(count.items(), key=lambda kv: kv[1])
    if fewest == 0:
        raise UserError(
            f"{path} holds no solution samples for problem '{problem.id}' subtask '{sid}': "
            "record them with `cpsolve sample`, or pass --samples N with an engine that samples"
        )
    return fewest


def check_engine(config: RunConfig, problem: Problem) -> str:
    """The engine's registry key, or the one-sentence UserError of what is missing."""
    name = check_installed(config.engine)
    if name == "replay":
        path = replay_path(config, problem)
        if not path.is_file():
            raise UserError(f"{path}: no such samples file to replay")
    elif name not in NO_MODEL and not config.model:
        raise UserError(f"the {name} engine needs --model (a model id or path)")
    check_options(name, config.engine_options, deep=False)
    return name


def engine_class(name: str) -> type:
    """The class registered as engine `name` (a checked registry key), imported."""
    module_name, _, cls_name = ENGINES[name].target.partition(":")
    return getattr(importlib.import_module(module_name), cls_name)  # type: ignore[no-any-return]


def accepted_options(name: str, *, deep: bool = True) -> set[str] | None:
    """The engine options engine `name` takes: its constructor's keywords (less those this
    factory sets), and where it passes the rest on (vLLM's `LLM`), what that takes, read from
    its signature (`deep`); None when that is not known without `deep` (importing vLLM)."""
    cls = engine_class(name)
    params = inspect.signature(cls).parameters.values()
    keys = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    keys -= SET_HERE
    if any(p.kind == p.VAR_KEYWORD for p in params):
        passed_on = getattr(cls, "passed_on_options", None)
        if passed_on is None or not deep:
            return None
        keys |= passed_on()
    return keys


def check_options(name: str, options: dict[str, Any], *, deep: bool = True) -> None:
    """A UserError in one sentence naming the keys engine `name` takes, for any it does not."""
    if not options:
        return
    keys = accepted_options(name, deep=deep)
    unknown = sorted(set(options) - keys) if keys is not None else []
    if unknown:
        raise UserError(
            f"engine '{name}' does not take these options: {', '.join(unknown)} (it takes "
            f"{', '.join(sorted(keys or ())) or 'none'})"
        )


def engine_kwargs(name: str, config: RunConfig, problem: Problem) -> dict[str, Any]:
    """The constructor keywords of engine `name` (a checked registry key) for this config."""
    kwargs: dict[str, Any] = {}
    if name == "replay":
        kwargs["path"] = replay_path(config, problem)
    elif name == "simulated":
        kwargs["problems"] = [problem]
        if config.model:
            kwargs["model"] = config.model
    else:
        kwargs["model"] = config.model
        if name == "openai" and config.base_url:
            kwargs["base_url"] = config.base_url
    return {**kwargs, **config.engine_options}


def build_engine(config: RunConfig, problem: Problem) -> Engine:
    """The configured engine, checked and constructed."""
    name = check_engine(config, problem)
    check_options(name, config.engine_options)
    kwargs = engine_kwargs(name, config, problem)
    if not config.engine_options:
        return get_engine(name, **kwargs)
    try:
        return get_engine(name, **kwargs)
    except TypeError as e:
        raise UserError(f"engine '{name}' does not take these options: {e}") from None


class LazyEngine:
    """An engine built on its first use: a resumed run whose samples are all stored never
    loads a model."""

    def __init__(self, build: Callable[[], Engine], name: str) -> None:
        self._build = build
        self._engine: Engine | None = None
        self.name = name

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._build()
        return self._engine

    @property
    def model(self) -> str:
        return self.engine.model

    @model.setter
    def model(self, value: str) -> None:
        self.engine.model = value

    def sample(self, requests: Iterable[SampleRequest]) -> Iterator[list[Completion]]:
        return self.engine.sample(requests)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()

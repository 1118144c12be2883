"""The `hf` engine: transformers `generate`, for machines without vLLM.

The samples of one request share a prompt, so they are generated `batch_size` at a time as
`num_return_sequences` of a single prompt (no padding), each batch seeded from the request's
seed: the same request, seed and batch size give the same completions. Cumulative logprobs are
those of the model's own distribution (before temperature and top-p), like vLLM's, computed by
one forward pass over each finished sample. A completion records the seed of its batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cpsolve.errors import UserError
from cpsolve.sample.engines.base import ChatMessage, Completion, SampleRequest, sample_seed
from cpsolve.sample.engines.chunks import Piece, serve_by_piece
from cpsolve.sample.engines.models import go_offline, read_chat_template, resolve_model


class HFEngine:
    name = "hf"

    def __init__(
        self,
        model: str,
        *,
        device: str = "cpu",
        dtype: str = "auto",
        batch_size: int = 8,
        chunk_size: int = 64,
        logprobs: bool = True,
        chat_template: str | None = None,
        trust_remote_code: bool = False,
    ) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        go_offline()
        path = resolve_model(model)
        self.model = model
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        self.logprobs = logprobs
        self.device = torch.device(device)
        self.tokenizer = AutoTokenizer.from_pretrained(
            path, local_files_only=True, trust_remote_code=trust_remote_code
        )
        self._template = read_chat_template(chat_template)
        if self._template is None and not getattr(self.tokenizer, "chat_template", None):
            raise UserError(
                f"model '{model}' has no chat template; pass one with --chat-template FILE"
            )
        torch_dtype = dtype if dtype == "auto" else getattr(torch, dtype)
        lm: Any = AutoModelForCausalLM.from_pretrained(
            path, dtype=torch_dtype, local_files_only=True, trust_remote_code=trust_remote_code
        )
        self.lm: Any = lm.to(self.device)
        self.lm.eval()
        self._eos = self._eos_ids()

    def _eos_ids(self) -> set[int]:
        eos = self.lm.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        ids = eos if isinstance(eos, list) else [eos]
        return {i for i in ids if i is not None}

    def prompt_ids(self, messages: Sequence[ChatMessage]) -> list[int]:
        text = self.tokenizer.apply_chat_template(
            [m.model_dump() for m in messages],
            tokenize=False,
            add_generation_prompt=True,
            chat_template=self._template,
        )
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def sample(self, requests: Iterable[SampleRequest]) -> Iterator[list[Completion]]:
        return serve_by_piece(requests, self.chunk_size, self._piece)

    def _piece(self, pc: Piece) -> Iterator[Completion]:
        ids = self.prompt_ids(pc.request.messages)
        done = 0
        while done < pc.count:
            size = min(self.batch_size, pc.count - done)
            start = pc.start + done
            seed = sample_seed(pc.request.params.seed, start)
            for k, sample in enumerate(self._generate(pc.request, ids, size, seed)):
                yield self._completion(pc, start + k, *sample, seed=seed)
            done += size

    def _generate(
        self, req: SampleRequest, ids: list[int], size: int, seed: int | None
    ) -> list[tuple[list[int], float | None]]:
        import torch

        p = req.params
        if seed is not None:
            torch.manual_seed(seed)
        prompt = torch.tensor([ids], device=self.device)
        kwargs: dict[str, Any] = {"do_sample": p.temperature > 0}
        if p.temperature > 0:
            kwargs.update(temperature=p.temperature, top_p=p.top_p, top_k=0)
        if p.stop:
            kwargs.update(stop_strings=list(p.stop), tokenizer=self.tokenizer)
        with torch.no_grad():
            seqs = self.lm.generate(
                prompt,
                attention_mask=torch.ones_like(prompt),
                max_new_tokens=p.max_tokens,
                num_return_sequences=size if p.temperature > 0 else 1,
                pad_token_id=self.tokenizer.pad_token_id or next(iter(self._eos), 0),
                **kwargs,
            )
        rows = seqs[:, len(ids) :].tolist()
        if p.temperature == 0:  # greedy: every sample is the same one
            rows = rows * size
        out = []
        for row in rows:
            gen = self._cut_at_eos(row)
            out.append((gen, self._logprob(ids, gen) if self.logprobs else None))
        return out

    def _cut_at_eos(self, row: list[int]) -> list[int]:
        for i, tok in enumerate(row):
            if tok in self._eos:
                return row[: i + 1]
        return row

    def _logprob(self, prompt: list[int], gen: list[int]) -> float | None:
        """Sum of log p(token) over the generated tokens, under the model's raw distribution."""
        import torch

        if not gen:
            return 0.0
        seq = torch.tensor([prompt + gen], device=self.device)
        with torch.no_grad():
            logits = self.lm(seq).logits[0, len(prompt) - 1 : -1].float()
        logp = torch.log_softmax(logits, dim=-1)
        picked = logp.gather(1, torch.tensor(gen, device=self.device)[:, None])
        return float(picked.sum())

    def _completion(
        self, pc: Piece, index: int, gen: list[int], logprob: float | None, *, seed: int | None
    ) -> Completion:
        """`seed` is the seed of the batch the sample came from (see the module's docstring)."""
        req = pc.request
        ended = bool(gen) and gen[-1] in self._eos
        text = str(self.tokenizer.decode(gen, skip_special_tokens=True))
        stopped = False
        for s in req.params.stop:
            at = text.find(s)
            if at >= 0:
                text, stopped = text[:at], True
        return Completion(
            request_index=pc.request_index,
            sample_index=index,
            role=req.role,
            problem=req.problem,
            subtask=req.subtask,
            text=text,
            tokens=len(gen),
            finish_reason="stop"
            if ended or stopped or len(gen) < req.params.max_tokens
            else "length",
            logprob=logprob,
            model=self.model,
            seed=seed,
        )

    def close(self) -> None:
        self.lm = None

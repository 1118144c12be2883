"""The `openai` engine: any OpenAI-compatible chat endpoint (`vllm serve`, SGLang, hosted APIs).

Requests go out on a thread pool over one httpx client, at most `concurrency` at a time. A
request for n samples asks for `n` at once; when the server refuses `n > 1` the engine
remembers it and sends n requests of one sample each, seeded `seed + i` (vLLM's own child
seeding, so both paths give the same samples on vLLM). Samples a server leaves out are asked
for again one by one. Transient failures (connection errors, 408, 409, 429, 5xx) are retried
with exponential backoff and full jitter, honouring Retry-After.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from cpsolve.errors import UserError
from cpsolve.sample.engines.base import Completion, FinishReason, SampleRequest, sample_seed
from cpsolve.sample.engines.chunks import Piece, plan_chunks

_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
Unit = tuple[int, int, int]  # (piece in chunk, first sample index, n)
_FINISH: dict[str | None, FinishReason] = {"stop": "stop", "length": "length", "eos": "stop"}


def _indices(pc: Piece) -> range:
    return range(pc.start, pc.start + pc.count)


class ServerError(RuntimeError):
    """The server answered with an error that retrying will not fix."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


class OpenAIEngine:
    name = "openai"

    def __init__(
        self,
        model: str,
        *,
        base_url: str = "http://127.0.0.1:8000/v1",
        api_key: str | None = None,
        concurrency: int = 16,
        max_retries: int = 6,
        backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        timeout_s: float = 600.0,
        use_n: bool = True,
        logprobs: bool = True,
        chunk_size: int = 256,
    ) -> None:
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.use_n = use_n
        self.logprobs = logprobs
        self.chunk_size = chunk_size
        key = api_key or os.environ.get("OPENAI_API_KEY", "")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.Client(
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=30.0),
            limits=httpx.Limits(max_connections=concurrency),
        )
        self._pool = ThreadPoolExecutor(
            max_workers=concurrency, thread_name_prefix="cpsolve-openai"
        )
        self.requests_sent = 0  # HTTP calls made, retries included
        self._lock = threading.Lock()

    # ---- one HTTP call -----------------------------------------------------------------

    def _payload(self, req: SampleRequest, n: int, seed: int | None) -> dict[str, Any]:
        p = req.params
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [m.model_dump() for m in req.messages],
            "n": n,
            "temperature": p.temperature,
            "top_p": p.top_p,
            "max_tokens": p.max_tokens,
        }
        if seed is not None:
            body["seed"] = seed
        if p.stop:
            body["stop"] = list(p.stop)
        if self.logprobs:
            body["logprobs"] = True
        return body

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /chat/completions with retries; the parsed JSON answer."""
        url = f"{self.base_url}/chat/completions"
        for attempt in range(self.max_retries + 1):
            last = attempt == self.max_retries
            try:
                with self._lock:
                    self.requests_sent += 1
                resp = self._client.post(url, json=body)
            except httpx.TransportError as e:
                if last:
                    raise UserError(
                        f"cannot reach {self.base_url} ({type(e).__name__}); is the server "
                        f"running, and is --base-url right?"
                    ) from None
                self._sleep(attempt, None)
                continue
            if resp.status_code == 200:
                return resp.json()
            if resp.status_code in _RETRY_STATUS and not last:
                self._sleep(attempt, resp.headers.get("retry-after"))
                continue
            raise self._error(resp)
        raise AssertionError("unreachable")

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        cap = min(self.max_backoff_s, self.backoff_s * 2**attempt)
        delay = random.uniform(0, cap)  # full jitter
        if retry_after:
            with contextlib.suppress(ValueError):
                delay = max(delay, min(float(retry_after), self.max_backoff_s))
        time.sleep(delay)

    def _error(self, resp: httpx.Response) -> Exception:
        try:
            detail = resp.json()
            message = str(detail.get("error", {}).get("message", detail))
        except ValueError:
            message = resp.text[:300]
        if resp.status_code in (401, 403):
            return UserError(
                f"{self.base_url} refused the API key (HTTP {resp.status_code}); "
                f"set OPENAI_API_KEY or --api-key"
            )
        if resp.status_code == 404:
            return UserError(
                f"{self.base_url} has no model '{self.model}' (HTTP 404): {message[:200]}"
            )
        return ServerError(resp.status_code, message)

    # ---- samples -----------------------------------------------------------------------

    def _ask(self, pc: Piece, start: int, n: int) -> dict[int, dict[str, Any]] | None:
        """Choices for samples start..start+n-1 of a piece, keyed by sample index; None when
        the server refuses `n > 1`."""
        seed = sample_seed(pc.request.params.seed, start)
        try:
            answer = self._post(self._payload(pc.request, n, seed))
        except ServerError as e:
            if n > 1 and e.status in (400, 422):
                return None
            raise
        choices = sorted(answer.get("choices", []), key=lambda c: c.get("index", 0))
        return {start + i: c for i, c in enumerate(choices[:n])}

    def _units(self, chunk: list[Piece], got: list[dict[int, Any]]) -> list[Unit]:
        """HTTP calls still needed: one per piece with `n`, else one per missing sample."""
        units: list[Unit] = []
        for k, pc in enumerate(chunk):
            missing = [i for i in _indices(pc) if i not in got[k]]
            if pc.request.params.temperature == 0 and missing:
                units.append((k, pc.start, 1))  # greedy: one answer serves every sample
            elif self.use_n and len(missing) == pc.count and pc.count > 1:
                units.append((k, pc.start, pc.count))
            else:
                units += [(k, i, 1) for i in missing]
        return units

    def _chunk(self, chunk: list[Piece]) -> list[Completion]:
        got: list[dict[int, Any]] = [{} for _ in chunk]
        for _ in range(4):
            units = self._units(chunk, got)
            if not units:
                break
            answers = self._pool.map(lambda u: self._ask(chunk[u[0]], u[1], u[2]), units)
            for (k, start, _n), answer in zip(units, answers, strict=True):
                if answer is None:
                    self.use_n = False  # this server does not take n > 1: one call a sample
                elif chunk[k].request.params.temperature == 0 and answer:
                    got[k].update(dict.fromkeys(_indices(chunk[k]), answer[start]))
                else:
                    got[k].update(answer)
        if self._units(chunk, got):
            raise RuntimeError(f"{self.base_url} left samples unanswered after 4 rounds")
        return [
            self._completion(pc, i, got[k][i]) for k, pc in enumerate(chunk) for i in _indices(pc)
        ]

    def _completion(self, pc: Piece, i: int, choice: dict[str, Any]) -> Completion:
        req = pc.request
        message = choice.get("message") or {}
        text = message.get("content") or ""
        reasoning = message.get("reasoning_content") or message.get("reasoning")
        if reasoning:
            text = f"<think>{reasoning}</think>{text}"
        content = (choice.get("logprobs") or {}).get("content")
        tokens = len(content) if content is not None else None
        logprob = sum(t["logprob"] for t in content) if content else None
        return Completion(
            request_index=pc.request_index,
            sample_index=i,
            role=req.role,
            problem=req.problem,
            subtask=req.subtask,
            text=text,
            tokens=tokens,
            finish_reason=_FINISH.get(choice.get("finish_reason"), "error"),
            logprob=logprob,
            model=self.model,
            seed=sample_seed(req.params.seed, i),
        )

    def sample(self, requests: Iterable[SampleRequest]) -> Iterator[list[Completion]]:
        for chunk in plan_chunks(requests, self.chunk_size):
            yield self._chunk(chunk)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._client.close()

"""Clients of the grading service: over HTTP with retries, or the judge in this process.

Both answer a list of requests with a list of `GradeResponse`s. A grading that cannot be had (the
server stays down, keeps timing out, or the sandbox fails) comes back with status `infra` and no
reward, so a trainer drops the sample instead of punishing it. A request the server refuses
(4xx other than 429) raises `GradingRejected`: that is a bug in the caller, not noise.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Any, Protocol

import httpx

from cpsolve.serve.models import (
    BatchRequest,
    BatchResponse,
    GradeRequest,
    GradeResponse,
    RewardShape,
    Status,
)

RETRY_STATUS = {429, 502, 503, 504}


class GradingRejected(Exception):
    """The server refused a request (a 4xx other than 429); the message is its sentence."""


class GradingClient(Protocol):
    def grade_many(self, requests: Sequence[GradeRequest]) -> list[GradeResponse]: ...


def infra_answer(req: GradeRequest, why: str) -> GradeResponse:
    """The answer for a request no grading could be had for."""
    return GradeResponse(
        status=Status.INFRA,
        problem=req.problem,
        max_score=0.0,
        reward_shape=req.reward or RewardShape.BINARY,
        message=why,
        attempts=0,
    )


class HttpClient:
    """The grading service over HTTP. Retries connection failures, 429 (after Retry-After),
    502/503/504 with exponential backoff, up to `retries` times or `deadline_s` seconds."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        timeout_s: float = 330.0,
        retries: int = 30,
        backoff_s: float = 0.2,
        max_backoff_s: float = 5.0,
        deadline_s: float = 900.0,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout_s)
        self.retries, self.backoff_s, self.max_backoff_s = retries, backoff_s, max_backoff_s
        self.deadline_s = deadline_s
        self.tries = 0  # HTTP attempts made, for tests and benchmarks

    def _post(self, path: str, body: dict[str, Any]) -> httpx.Response | str:
        """The server's answer, or why none came (after every retry)."""
        start, delay, why = time.monotonic(), self.backoff_s, "no attempt"
        for _ in range(self.retries + 1):
            self.tries += 1
            try:
                r = self._http.post(path, json=body)
            except httpx.TransportError as e:  # refused, reset, timed out: the server is away
                why = f"{type(e).__name__}: {e}"
            else:
                if r.status_code not in RETRY_STATUS:
                    return r
                why = f"HTTP {r.status_code}: {r.text[:200]}"
                hint = r.headers.get("retry-after", "")
                if hint.isdigit():
                    delay = max(delay, float(hint))
            if time.monotonic() - start + delay > self.deadline_s:
                break
            time.sleep(delay)
            delay = min(self.max_backoff_s, delay * 2)
        return why

    @staticmethod
    def _check(r: httpx.Response) -> Any:
        if r.status_code != 200:
            try:
                sentence = r.json()["detail"]
            except (ValueError, KeyError, TypeError):
                sentence = r.text[:200]
            raise GradingRejected(f"HTTP {r.status_code}: {sentence}")
        return r.json()

    def grade(self, req: GradeRequest) -> GradeResponse:
        r = self._post("/grade", req.model_dump(mode="json", exclude_none=True))
        if isinstance(r, str):
            return infra_answer(req, f"the grading service did not answer: {r}")
        return GradeResponse.model_validate(self._check(r))

    def grade_many(self, requests: Sequence[GradeRequest]) -> list[GradeResponse]:
        if not requests:
            return []
        out: list[GradeResponse] = []
        for i in range(0, len(requests), 64):
            part = list(requests[i : i + 64])
            body = BatchRequest(requests=part).model_dump(mode="json", exclude_none=True)
            r = self._post("/grade/batch", body)
            if isinstance(r, str):
                out += [infra_answer(q, f"the grading service did not answer: {r}") for q in part]
            else:
                out += BatchResponse.model_validate(self._check(r)).results
        return out

    def close(self) -> None:
        self._http.close()


class LocalClient:
    """The judge in this process: a grader over a directory of problems and its own sandbox."""

    def __init__(self, set_dir: str | Path, *, sandbox: str = "auto", **grader: Any) -> None:
        from cpsolve.sandbox.factory import open_sandbox
        from cpsolve.serve.catalog import Catalog
        from cpsolve.serve.grader import Grader

        catalog = Catalog.load(set_dir)
        self.sandbox = open_sandbox(sandbox)  # type: ignore[arg-type]
        self.grader = Grader(catalog, self.sandbox, **grader)

    def grade_many(self, requests: Sequence[GradeRequest]) -> list[GradeResponse]:
        from cpsolve.errors import UserError
        from cpsolve.serve.grader import Busy

        futures: list[Future[GradeResponse]] = []
        for r in requests:
            while True:
                try:
                    futures.append(self.grader.submit(r))
                    break
                except UserError as e:
                    raise GradingRejected(str(e)) from None
                except Busy:  # the queue is full: wait for the oldest of ours to finish
                    wait([f for f in futures if not f.done()][:1])
        return [f.result() for f in futures]

    def close(self) -> None:
        self.grader.close()
        self.sandbox.close()

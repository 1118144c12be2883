"""The HTTP face of the grader (FastAPI): routes, request parsing, errors in one sentence.

Bodies are read and parsed here, not by FastAPI's validation, so that every bad request gets a
4xx and one sentence: 400 malformed JSON, 401 a missing or wrong token, 404 an unknown problem,
413 code over the size cap, 422 a missing or wrong field. 429 with Retry-After when the queue is
full; 504 when a request runs past its time bound (the grading goes on, and the same request
sent again joins it).
"""

from __future__ import annotations

import asyncio
import hmac
import json
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError

from cpsolve.errors import UserError
from cpsolve.serve.catalog import UnknownProblem
from cpsolve.serve.grader import Busy, Grader
from cpsolve.serve.models import (
    MAX_BATCH,
    MAX_CODE_BYTES,
    BatchRequest,
    BatchResponse,
    GradeRequest,
    GradeResponse,
    ProblemInfo,
)

M = TypeVar("M", bound=BaseModel)

MAX_BODY = 8 * MAX_CODE_BYTES  # JSON escapes may grow code up to 6 times
RETRY_AFTER_S = 1


class Refused(Exception):
    """A request answered with a 4xx (or 5xx) status and one sentence."""

    def __init__(self, code: int, sentence: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(sentence)
        self.code, self.sentence, self.headers = code, sentence, headers or {}


def _sentence(err: ValidationError) -> tuple[int, str]:
    first = err.errors()[0]
    where = ".".join(str(x) for x in first["loc"])
    if not where:
        return 422, "the body must be a JSON object"
    if first["type"] == "missing":
        return 422, f"the field '{where}' is missing"
    if first["type"] == "extra_forbidden":
        return 422, f"unknown field '{where}'"
    msg = str(first["msg"]).removeprefix("Value error, ")
    if where.endswith("code") and "cap" in msg:
        return 413, msg
    return 422, f"'{where}': {msg}"


async def _parse(request: Request, model: type[M], limit: int) -> M:
    size = request.headers.get("content-length")
    if size is not None and size.isdigit() and int(size) > limit:
        raise Refused(413, f"the body is over the {limit // 1024} KiB cap")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refused(413, f"the body is over the {limit // 1024} KiB cap")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise Refused(400, f"the body is not valid JSON ({str(e)[:120]})") from None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise Refused(*_sentence(e)) from None
    except UserError as e:
        raise Refused(422, str(e)) from None


def create_app(grader: Grader, *, token: str | None = None, timeout_s: float = 300.0) -> FastAPI:
    """The grading service over `grader`; `token`: the bearer token every route but /healthz
    asks for; `timeout_s`: the time bound of one request."""
    app = FastAPI(title="cpsolve grading service", docs_url=None, redoc_url=None)
    metrics = grader.metrics

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> JSONResponse:
        metrics.bad_requests.labels(str(exc.code)).inc()
        return JSONResponse({"detail": exc.sentence}, exc.code, headers=exc.headers)

    def authorize(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise Refused(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})

    def submit(req: GradeRequest) -> asyncio.Future[GradeResponse]:
        try:
            fut = grader.submit(req)
        except UnknownProblem as e:
            raise Refused(404, str(e)) from None
        except UserError as e:
            raise Refused(422, str(e)) from None
        except Busy as e:
            headers = {"Retry-After": str(RETRY_AFTER_S)}
            raise Refused(429, f"the server is busy ({e}); retry later", headers) from None
        return asyncio.wrap_future(fut)

    async def answers(futures: list[asyncio.Future[GradeResponse]]) -> list[GradeResponse]:
        try:  # shield: a timed-out wait must not cancel a grading other requests share
            return await asyncio.wait_for(asyncio.shield(asyncio.gather(*futures)), timeout_s)
        except TimeoutError:
            metrics.timeouts.inc()
            raise Refused(504, f"grading took longer than {timeout_s:g} s; retry") from None

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "problems": len(grader.catalog.problems), "pending": grader.pending}

    @app.get("/metrics")
    async def prometheus(request: Request) -> Response:
        authorize(request)
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")

    @app.get("/problems")
    async def problems(request: Request) -> list[ProblemInfo]:
        authorize(request)
        return grader.catalog.info()

    @app.get("/problems/{problem_id}")
    async def problem(request: Request, problem_id: str) -> ProblemInfo:
        authorize(request)
        try:
            return grader.catalog.info_of(problem_id)
        except UnknownProblem as e:
            raise Refused(404, str(e)) from None

    @app.post("/grade")
    async def grade(request: Request) -> GradeResponse:
        authorize(request)
        req = await _parse(request, GradeRequest, MAX_BODY)
        return (await answers([submit(req)]))[0]

    @app.post("/grade/batch")
    async def grade_batch(request: Request) -> BatchResponse:
        authorize(request)
        batch = await _parse(request, BatchRequest, MAX_BATCH * MAX_BODY)
        return BatchResponse(results=await answers([submit(r) for r in batch.requests]))

    return app

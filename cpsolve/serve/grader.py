"""The grading core of the service: judge requests on one shared sandbox, with retries on sandbox
failures, identical requests in flight graded once, and a bounded queue.

* One sandbox serves every request, so its compile cache (keyed by the exact source) and its
  cache of identical executions are shared: a program compiles once however often it is sent.
* A sandbox failure (a test with verdict SE, a compile that the sandbox could not run, an
  exception from the sandbox) is retried `retries` times; if it persists the answer has status
  `infra` and no verdict or reward, never a 0.
* Requests identical in (problem, language, code, subtask, reward shape) share one grading while
  it runs; a finished one is kept in a small result cache and answered from it (`cached: true`).
* At most `max_pending` distinct gradings wait or run; past that `submit` raises `Busy`.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

from cpsolve.errors import UserError
from cpsolve.judge.scoring import JudgeResult, judge_program
from cpsolve.judge.testdata import TestData
from cpsolve.problem import Problem
from cpsolve.sandbox.base import Sandbox, Verdict
from cpsolve.serve.catalog import Catalog
from cpsolve.serve.metrics import ServiceMetrics
from cpsolve.serve.models import (
    GradeRequest,
    GradeResponse,
    RewardShape,
    Status,
    SubtaskPoints,
    TestVerdict,
)
from cpsolve.serve.rewards import reward


class Busy(Exception):
    """The queue of gradings is full; try again later."""


class InfraFailure(Exception):
    """A grading the sandbox could not carry out."""


def request_key(req: GradeRequest, shape: RewardShape) -> str:
    payload = [req.problem, req.language.value, req.code, req.subtask, shape.value]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def sandbox_failure(result: JudgeResult) -> str | None:
    """Why a judge result cannot be trusted (the sandbox failed), or None."""
    if result.verdict == Verdict.CE and result.compile_message.startswith("SE:"):
        return f"the sandbox could not compile: {result.compile_message[3:].strip()[:200]}"
    for t in result.tests:
        if t.verdict == Verdict.SE:
            return f"sandbox error on test {t.name}: {t.message[:200]}"
    return None


def graded(
    problem: Problem, result: JudgeResult, shape: RewardShape, attempts: int
) -> GradeResponse:
    """The answer for a judge result that the sandbox carried out."""
    tests = [
        TestVerdict(**t.model_dump(include=set(TestVerdict.model_fields))) for t in result.tests
    ]
    return GradeResponse(
        status=Status.GRADED,
        problem=result.problem,
        verdict=result.verdict,
        score=result.score,
        max_score=result.max_score,
        reward=reward(problem, result, shape),
        reward_shape=shape,
        subtasks=[
            SubtaskPoints(**s.model_dump(include={"id", "points", "earned", "verdict"}))
            for s in result.subtasks
        ],
        tests=tests,
        time_s=max((t.time_s for t in tests), default=0.0),
        memory_mb=max((t.memory_mb for t in tests), default=0.0),
        compile_message=result.compile_message[:4096],
        attempts=attempts,
    )


class Grader:
    """Grades requests on one sandbox, `threads` at a time. Thread-safe."""

    def __init__(
        self,
        catalog: Catalog,
        sandbox: Sandbox,
        *,
        shape: RewardShape = RewardShape.BINARY,
        threads: int | None = None,
        max_pending: int = 256,
        retries: int = 2,
        retry_delay_s: float = 0.5,
        result_cache: int = 4096,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        self.catalog, self.sandbox, self.shape = catalog, sandbox, shape
        self.max_pending, self.retries, self.retry_delay_s = max_pending, retries, retry_delay_s
        self.result_cache = result_cache
        self.metrics = metrics or ServiceMetrics()
        self._pool = ThreadPoolExecutor(threads or max(1, sandbox.workers), "cpsolve-grade")
        self._lock = threading.Lock()
        self._inflight: dict[str, Future[GradeResponse]] = {}
        self._done: OrderedDict[str, GradeResponse] = OrderedDict()
        self._data: dict[str, TestData] = {}  # per problem: its task type, compiled once

    @property
    def pending(self) -> int:
        return len(self._inflight)

    def check(self, req: GradeRequest) -> Problem:
        """The request's problem, or a UserError that says what is wrong with the request."""
        problem = self.catalog.get(req.problem)
        if req.subtask is not None and req.subtask not in problem.subtask_tests:
            known = ", ".join(problem.subtask_tests)
            raise UserError(f"{problem.id} has no subtask '{req.subtask[:50]}' (it has {known})")
        return problem

    def submit(self, req: GradeRequest) -> Future[GradeResponse]:
        """A future of the request's answer. Raises UserError for a bad request, Busy when the
        queue is full."""
        problem = self.check(req)
        shape = req.reward or self.shape
        key = request_key(req, shape)
        with self._lock:
            hit = self._done.get(key)
            if hit is not None:
                self._done.move_to_end(key)
                self.metrics.cache_hits.inc()
                done: Future[GradeResponse] = Future()
                done.set_result(hit.model_copy(update={"cached": True}))
                return done
            running = self._inflight.get(key)
            if running is not None:
                self.metrics.joined.inc()
                return running
            if len(self._inflight) >= self.max_pending:
                self.metrics.rejected.inc()
                raise Busy(f"{len(self._inflight)} gradings are queued")
            fut = self._pool.submit(self._grade, problem, req, shape)
            self._inflight[key] = fut
            self.metrics.pending.set(len(self._inflight))
        fut.add_done_callback(lambda f: self._finish(key, f))
        return fut

    def grade(self, req: GradeRequest) -> GradeResponse:
        """Grade one request and wait for its answer."""
        return self.submit(req).result()

    def _finish(self, key: str, fut: Future[GradeResponse]) -> None:
        with self._lock:
            self._inflight.pop(key, None)
            self.metrics.pending.set(len(self._inflight))
            if fut.cancelled() or fut.exception() is not None or self.result_cache <= 0:
                return
            answer = fut.result()
            if answer.status == Status.GRADED:
                self._done[key] = answer
                while len(self._done) > self.result_cache:
                    self._done.popitem(last=False)

    def _test_data(self, problem: Problem) -> TestData:
        """The problem's test data and task type, shared by every request for it, so its
        checker, manager or interactor and its main solution compile once for the service."""
        with self._lock:
            if problem.id not in self._data:
                self._data[problem.id] = TestData(problem, self.sandbox)
            return self._data[problem.id]

    def _grade(self, problem: Problem, req: GradeRequest, shape: RewardShape) -> GradeResponse:
        start = time.monotonic()
        why = "not graded"
        subtasks = [req.subtask] if req.subtask is not None else None
        for attempt in range(1, self.retries + 2):
            if attempt > 1:
                self.metrics.retries.inc()
                time.sleep(self.retry_delay_s * (attempt - 1))
            try:
                data = self._test_data(problem)
                result = judge_program(
                    problem, req.code, req.language, self.sandbox, subtasks, data=data
                )
            except Exception as exc:  # the sandbox or the problem's own programs failed
                why = f"{type(exc).__name__}: {str(exc)[:300]}"
                continue
            failure = sandbox_failure(result)
            if failure is None:
                answer = graded(problem, result, shape, attempt)
                self.metrics.answered(answer, time.monotonic() - start)
                return answer
            why = failure
        answer = GradeResponse(
            status=Status.INFRA,
            problem=problem.id,
            max_score=sum(problem.subtask(s).points for s in subtasks or problem.subtask_tests),
            reward_shape=shape,
            message=f"grading failed {self.retries + 1} times: {why}",
            attempts=self.retries + 1,
        )
        self.metrics.answered(answer, time.monotonic() - start)
        return answer

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

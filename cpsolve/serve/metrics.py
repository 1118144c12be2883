"""Prometheus metrics of the grading service, in a registry of its own (one per app)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from cpsolve.serve.models import GradeResponse

LATENCY_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120)


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.answers = Counter(
            "cpsolve_gradings", "Gradings answered, by status and verdict", ["status", "verdict"],
            registry=r,
        )  # fmt: skip
        self.seconds = Histogram(
            "cpsolve_grading_seconds", "Time to grade one distinct request", registry=r,
            buckets=LATENCY_BUCKETS,
        )  # fmt: skip
        self.pending = Gauge("cpsolve_pending_gradings", "Gradings queued or running", registry=r)
        self.rejected = Counter("cpsolve_rejected", "Requests refused with 429", registry=r)
        self.joined = Counter(
            "cpsolve_joined", "Requests that joined an identical grading in flight", registry=r
        )
        self.cache_hits = Counter(
            "cpsolve_result_cache_hits", "Requests answered from the result cache", registry=r
        )
        self.retries = Counter(
            "cpsolve_sandbox_retries", "Gradings retried after a sandbox failure", registry=r
        )
        self.timeouts = Counter(
            "cpsolve_request_timeouts", "Requests that ran past their time bound", registry=r
        )
        self.bad_requests = Counter(
            "cpsolve_bad_requests", "Requests refused with a 4xx", ["code"], registry=r
        )

    def answered(self, answer: GradeResponse, seconds: float) -> None:
        self.answers.labels(answer.status.value, answer.verdict or "").inc()
        self.seconds.observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)

"""The pool of in-box runners that both backends are: workers checked out one request at a time,
the compile cache (on disk) and the run cache they share, and the Sandbox operations
(`compile`, `run_batch`, `run_job`) written once. A backend starts its workers (its transport:
local processes or containers) and hands them to the pool's constructor."""

from __future__ import annotations

import math
import os
import queue
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from cpsolve.languages import SOURCE_NAME, Language
from cpsolve.sandbox.base import (
    Artifact,
    Job,
    JobResult,
    Limits,
    ProcResult,
    RunResult,
    Verdict,
    compile_error_runs,
    input_key,
)
from cpsolve.sandbox.cache import ArtifactCache, CachedArtifact, RunCache, compile_key, run_key
from cpsolve.sandbox.worker import RunnerWorker, SandboxFailure, b64, unb64

REQUEST_SLACK_S = 30.0
SANDBOX_FAILED = "SE: "  # how a compile the sandbox (not the program) failed says so


def failed_in_sandbox(artifact: Artifact) -> bool:
    """Whether a failed compile is the sandbox's failure, not the program's compile error."""
    return not artifact.ok and artifact.message.startswith(SANDBOX_FAILED)


def worker_count(workers: int | None) -> int:
    """How many workers a pool gets: as asked, else one per CPU."""
    return max(1, workers or os.cpu_count() or 1)


def _result(raw: dict[str, Any]) -> RunResult:
    stdout = raw.get("stdout")
    return RunResult(
        verdict=Verdict(raw["verdict"]),
        exit_code=raw.get("exit_code"),
        signal=raw.get("signal"),
        cpu_s=raw.get("cpu_s", 0.0),
        wall_s=raw.get("wall_s", 0.0),
        memory_mb=raw.get("memory_mb", 0.0),
        stdout=None if stdout is None else unb64(stdout),
        stdout_sha=raw.get("stdout_sha", ""),
        stderr=unb64(raw.get("stderr")) or (raw.get("error") or "").encode(),
    )


def _limits(limits: Limits) -> dict[str, Any]:
    return {**limits.model_dump(mode="json"), "wall_s": limits.wall}


class RunnerPool:
    """The Sandbox protocol over started runner workers. Thread-safe; a context manager."""

    name = "pool"
    _closed = True  # until the workers answered: close() (or __del__) on a half-built pool no-ops

    def __init__(
        self,
        workers: Sequence[RunnerWorker],
        *,
        cache_dir: Path | None = None,
        ping_timeout: float = 60,
        key_flags: Sequence[str] = (),
    ) -> None:
        """Take the started `workers` into service once each answered ping (all are closed if
        one does not). `key_flags` join every language's compile flags in the compile key."""
        self._all: list[RunnerWorker] = list(workers)
        self.workers = len(self._all)
        self.runs = RunCache()
        self._idle: queue.Queue[RunnerWorker] = queue.Queue()
        self._compile_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        try:
            self.cache = ArtifactCache(cache_dir)
            info = [w.request("ping", ping_timeout) for w in self._all]  # every one answers
        except BaseException:
            for w in self._all:
                w.close()
            raise
        ping = info[0]
        self.flags: dict[str, list[str]] = {k: [*v, *key_flags] for k, v in ping["flags"].items()}
        self.setuid = bool(ping["setuid"])
        self.pch: str | None = ping.get("pch")  # the runners' PCH dir; None: compiled without
        for w in self._all:
            self._idle.put(w)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix=f"cpsolve-{self.name}")
        self._closed = False

    @contextmanager
    def _worker(self) -> Iterator[RunnerWorker]:
        if self._closed:
            raise SandboxFailure("the sandbox is closed")
        w = self._idle.get()
        try:
            w.checkout()
            yield w
        finally:
            self._idle.put(w)

    def _call(
        self, w: RunnerWorker, item: CachedArtifact | None, op: str, timeout: float, **kw: Any
    ):
        for _ in range(2):
            if item is not None:
                w.ensure(item)
            reply = w.request(op, timeout, **kw)
            if reply["ok"]:
                return reply
            if reply.get("error") == "unknown_artifact":
                w.held.discard(reply.get("key", ""))
                continue
            raise SandboxFailure(f"runner error {reply.get('error')}: {reply.get('message')}")
        raise SandboxFailure("runner keeps losing an artifact")

    # ---- compile

    def compile(
        self,
        source: str,
        language: Language,
        extra_files: dict[str, bytes] | None = None,
        *,
        filename: str | None = None,
        extra_sources: Sequence[str] = (),
    ) -> Artifact:
        extra = dict(extra_files or {})
        name = filename or SOURCE_NAME[language]
        key = compile_key(source, language, self.flags[language.value], name, extra, extra_sources)
        with self._lock:
            klock = self._compile_locks.setdefault(key, threading.Lock())
        with klock:
            hit = self.cache.get(key)
            if hit is not None:
                return hit.artifact
            files = {k: b64(v) for k, v in extra.items()}
            files[name] = b64(source.encode())
            try:
                with self._worker() as w:
                    reply = self._call(
                        w, None, "compile", 60 + REQUEST_SLACK_S, key=key,
                        language=language.value, files=files, source=name,
                        extra_sources=list(extra_sources), return_files=True,
                    )  # fmt: skip
                    if reply["artifact"]["ok"]:
                        w.held.add(key)
            except SandboxFailure as exc:
                return Artifact(
                    key=key, language=language, ok=False, message=f"{SANDBOX_FAILED}{exc}"
                )
            raw = reply["artifact"]
            art = Artifact(
                key=key,
                language=language,
                ok=raw["ok"],
                message=raw["message"][:16384],
                compile_s=raw["compile_s"],
            )
            item = CachedArtifact(
                artifact=art,
                entry=raw["entry"],
                files={k: unb64(v) for k, v in raw["files"].items()},
            )
            self.cache.put(item)
            return art

    def _held(self, key: str) -> CachedArtifact:
        item = self.cache.get(key)
        if item is None:
            raise KeyError(f"artifact {key} was not compiled by this sandbox")
        return item

    # ---- run_batch

    def run_batch(
        self,
        artifact: Artifact,
        inputs: Sequence[bytes],
        limits: Limits,
        *,
        keep_output: bool = True,
        args: Sequence[str] = (),
    ) -> list[RunResult]:
        if not artifact.ok:
            return compile_error_runs(artifact, len(inputs))
        item = self._held(artifact.key)
        keys = [run_key(artifact.key, input_key(x), limits, args) for x in inputs]
        results: dict[str, RunResult] = {}
        todo: dict[str, bytes] = {}
        for k, x in zip(keys, inputs, strict=True):
            hit = self.runs.get(k, keep_output)
            if hit is not None:
                results[k] = hit
            else:
                todo.setdefault(k, x)
        if todo:
            results.update(self._execute(item, todo, limits, keep_output, args))
        out = [results[k] for k in keys]
        if not keep_output:
            out = [r if r.stdout is None else r.model_copy(update={"stdout": None}) for r in out]
        return out

    def _execute(self, item, todo, limits, keep_output, args) -> dict[str, RunResult]:
        pending = list(todo.items())
        size = max(1, min(64, math.ceil(len(pending) / self.workers)))
        chunks = [pending[i : i + size] for i in range(0, len(pending), size)]
        futures = [
            self._pool.submit(self._run_chunk, item, c, limits, keep_output, args) for c in chunks
        ]
        results: dict[str, RunResult] = {}
        for chunk, fut in zip(chunks, futures, strict=True):
            for (k, _), r in zip(chunk, fut.result(), strict=True):
                results[k] = r
                self.runs.put(k, r)
        return results

    def _run_chunk(self, item, chunk, limits, keep_output, args) -> list[RunResult]:
        timeout = len(chunk) * (limits.wall + 1) + REQUEST_SLACK_S
        try:
            with self._worker() as w:
                reply = self._call(
                    w, item, "run_batch", timeout, key=item.artifact.key,
                    inputs=[b64(x) for _, x in chunk], limits=_limits(limits),
                    keep_output=keep_output, args=list(args),
                )  # fmt: skip
        except SandboxFailure as exc:
            se = RunResult(verdict=Verdict.SE, stderr=str(exc).encode())
            return [se for _ in chunk]
        done = [_result(r) for r in reply["results"]]
        if reply.get("dirty") and 0 < len(done) < len(chunk):  # the rest, on a clean worker
            done += self._run_chunk(item, chunk[len(done) :], limits, keep_output, args)
        return done

    # ---- run_job

    def run_job(self, job: Job) -> JobResult:
        items = [
            self._held(p.program) for s in job.stages for p in s.procs if p.program is not None
        ]
        wire = {
            "files": {k: b64(v) for k, v in job.files.items()},
            "input": b64(job.input),
            "fifos": job.fifos,
            "collect": job.collect,
            "collect_max_bytes": job.collect_max_bytes,
            "stages": [
                {"procs": [{**p.model_dump(mode="json"), "limits": _limits(p.limits)}
                           for p in s.procs]}
                for s in job.stages
            ],
        }  # fmt: skip
        timeout = sum(max((p.limits.wall for p in s.procs), default=0) + 1 for s in job.stages)
        try:
            with self._worker() as w:
                for it in items:
                    w.ensure(it)
                reply = self._call(w, None, "run_job", timeout + REQUEST_SLACK_S, job=wire)
        except SandboxFailure as exc:
            return JobResult(procs=[], error=str(exc))
        raw = reply["result"]
        procs = [
            ProcResult(
                name=p["name"],
                verdict=Verdict(p["verdict"]),
                exit_code=p.get("exit_code"),
                signal=p.get("signal"),
                cpu_s=p.get("cpu_s", 0.0),
                wall_s=p.get("wall_s", 0.0),
                memory_mb=p.get("memory_mb", 0.0),
                stdout=unb64(p.get("stdout")),
                stderr=unb64(p.get("stderr")),
                stdout_truncated=p.get("stdout_truncated", False),
            )
            for p in raw["procs"]
        ]
        files = {k: unb64(v) for k, v in raw["files"].items()}
        return JobResult(procs=procs, files=files, error=raw.get("error"))

    # ---- lifetime

    def close(self) -> None:
        """Stop the threads, then every worker (its process or container, its uid block)."""
        if self._closed:
            return
        self._closed = True
        self._pool.shutdown(wait=True)
        for w in self._all:
            w.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if not self._closed:
            self.close()

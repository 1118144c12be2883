"""The Ray backend: the Sandbox protocol over Ray actors, one per CPU on every node with CPUs.

Each actor (`SandboxNode`) runs its node's own sandbox (local or docker) with one worker. The
driver keeps what the run pool keeps (the run dedup cache, which artifacts exist) and sends work
by content hash: a compiled artifact is put in Ray's object store once, when it is compiled, and
every large input (64 KiB or more) once, when it is first run; requests name them by hash and
carry their object refs, so an actor fetches an artifact or large input it does not hold (an
artifact lands in its node's on-disk compile cache, where the node's other actors find it) and
never receives it twice. A small input travels in the request itself (a put costs the driver
more than the bytes). Each actor has two requests in flight, so its sandbox starts the next
chunk of runs as it returns one; chunks shrink towards the end of a batch so actors finish
together.

A node lost mid-run costs retries: a request whose actor died (or whose node went silent past
the request's own timeout) is dropped from the pool and the request is sent again to a surviving
actor; every object lives with the driver, so nothing the survivors need is lost. Results are
the same because a run's result depends on its program, input and limits alone.

Only `open_ray_sandbox` (chosen with `--cluster ray`) imports this module, so a run without
`--cluster` never imports Ray.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import queue
import socket
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Self, TypeVar

import ray
from ray.exceptions import ActorUnavailableError, GetTimeoutError, RayActorError
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from cpsolve.errors import UserError
from cpsolve.languages import Language
from cpsolve.sandbox.base import (
    Artifact,
    Job,
    JobResult,
    Limits,
    RunResult,
    Verdict,
    compile_error_runs,
    input_key,
)
from cpsolve.sandbox.cache import CachedArtifact, RunCache, run_key
from cpsolve.sandbox.pool import REQUEST_SLACK_S
from cpsolve.sandbox.worker import SandboxFailure

T = TypeVar("T")
START_TIMEOUT_S = 300.0
IN_FLIGHT = 2  # requests sent to an actor at once: it starts the next as it returns one
INLINE_BYTES = 64 << 10  # a smaller input travels in the request; a larger one by object ref
MAX_CHUNK = 64  # runs in one request
# Ray starts its workers at nice 15, so every other process on a node (Ray's own, and anything
# else there) comes first; the actors' sandboxes run programs under time limits at nice 0, as
# the local pool does (Ray's job supervisor asks the same for its jobs' workers).
AT_NICE_0 = {"env_vars": {"RAY_worker_niceness": "0"}}
LOST = (RayActorError, ActorUnavailableError, GetTimeoutError)


class SandboxNode:
    """The actor body: this node's sandbox with one worker, and the inputs it has fetched."""

    def __init__(self, kind: str) -> None:
        self.sb: Any = node_sandbox(kind)
        self.inputs: OrderedDict[str, bytes] = OrderedDict()
        self.fetched = 0  # objects this actor pulled from the object store

    def node(self) -> str:
        return str(ray.get_runtime_context().get_node_id())

    def stats(self) -> dict[str, int]:
        return {"fetched": self.fetched}

    def compile(self, kw: dict[str, Any]) -> tuple[Artifact, CachedArtifact | None]:
        art: Artifact = self.sb.compile(**kw)
        return art, self.sb.cache.get(art.key)

    def _ensure(self, refs: dict[str, list[Any]]) -> None:
        for key, (ref,) in refs.items():
            if self.sb.cache.get(key) is None:  # neither this actor nor its node holds it
                self.sb.cache.put(ray.get(ref))
                self.fetched += 1

    def _inputs(self, wanted: list[tuple[str, bytes | list[Any]]]) -> list[bytes]:
        """The inputs: a small one came in the call itself; a large one, named by hash, is
        fetched (those this actor lacks, in one call) and kept."""
        missing = {
            sha: x[0] for sha, x in wanted if not isinstance(x, bytes) and sha not in self.inputs
        }
        if missing:
            for sha, data in zip(missing, ray.get(list(missing.values())), strict=True):
                self.inputs[sha] = data
            self.fetched += len(missing)
        out = [x if isinstance(x, bytes) else self.inputs[sha] for sha, x in wanted]
        while len(self.inputs) > 4096:
            self.inputs.popitem(last=False)
        return out

    def run_batch(
        self,
        art: Artifact,
        refs: dict[str, list[Any]],
        inputs: list[tuple[str, bytes | list[Any]]],
        limits: Limits,
        keep_output: bool,
        args: list[str],
    ) -> list[RunResult]:
        self._ensure(refs)
        data = self._inputs(inputs)
        out: list[RunResult] = self.sb.run_batch(
            art, data, limits, keep_output=keep_output, args=args
        )
        return out

    def run_job(self, job: Job, refs: dict[str, list[Any]]) -> JobResult:
        self._ensure(refs)
        result: JobResult = self.sb.run_job(job)
        return result

    def close(self) -> None:
        self.sb.close()


def node_sandbox(kind: str) -> Any:
    """This node's sandbox with one worker: docker when asked for (or, for auto, when this
    node's daemon and image are ready), else local."""
    if kind in ("auto", "docker"):
        try:
            from cpsolve.sandbox import docker

            if kind == "docker" or docker.docker_ready():
                return docker.DockerSandbox(workers=1)
        except ImportError:
            if kind == "docker":
                raise
    from cpsolve.sandbox.local import LocalSandbox

    return LocalSandbox(workers=1)


def connect(address: str | None) -> None:
    """Join the Ray cluster at `address` (or RAY_ADDRESS); one sentence when it cannot."""
    import os

    addr = address or os.environ.get("RAY_ADDRESS")
    if not addr:
        raise UserError("--cluster ray needs a cluster address: give --ray-address or RAY_ADDRESS")
    if ray.is_initialized():
        return
    host, _, port = addr.removeprefix("ray://").rpartition(":")
    if host and port.isdigit():
        try:
            socket.create_connection((host, int(port)), timeout=5).close()
        except OSError as exc:
            raise UserError(f"cannot reach the Ray cluster at {addr}: {exc}") from None
    try:
        ray.init(address=addr, log_to_driver=False, logging_level=logging.ERROR)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError or its own types
        raise UserError(f"cannot join the Ray cluster at {addr}: {exc}") from None


def node_cpus() -> list[tuple[str, int]]:
    """(node id, CPUs) of every live node with CPUs."""
    out = []
    for n in ray.nodes():
        cpus = int(n.get("Resources", {}).get("CPU", 0))
        if n.get("Alive") and cpus > 0:
            out.append((n["NodeID"], cpus))
    return out


class RaySandbox:
    """The Sandbox protocol over `SandboxNode` actors. Thread-safe; a context manager."""

    name = "ray"
    _closed = True

    def __init__(self, kind: str = "auto", workers: int | None = None) -> None:
        """One actor per CPU of every node with CPUs (at most `workers` in all)."""
        slots = [nid for nid, cpus in node_cpus() for _ in range(cpus)]
        if workers:
            slots = _spread(slots, workers)
        if not slots:
            raise UserError("the Ray cluster has no node with CPUs for the sandbox")
        actor: Any = ray.remote(num_cpus=1, max_restarts=0, runtime_env=AT_NICE_0)(SandboxNode)
        self._actors: list[Any] = [
            actor.options(
                scheduling_strategy=NodeAffinitySchedulingStrategy(nid, soft=False)
            ).remote(kind)
            for nid in slots
        ]
        try:
            self.nodes = ray.get([a.node.remote() for a in self._actors], timeout=START_TIMEOUT_S)
        except Exception as exc:
            for a in self._actors:
                ray.kill(a)
            raise SandboxFailure(f"the Ray sandbox actors did not start: {exc}") from None
        self.workers = len(self._actors)
        self.runs = RunCache()
        self.lost = 0  # requests sent again because their actor was lost
        self._slots: queue.Queue[Any] = queue.Queue()  # an actor once for each request it may take
        for _ in range(IN_FLIGHT):
            for a in self._actors:
                self._slots.put(a)
        self._live = len(self._actors)
        self._gone: set[int] = set()  # id() of the actors known lost
        self._sent: dict[int, list[float]] = {id(a): [] for a in self._actors}  # their timeouts
        self._lock = threading.Lock()
        self._objects: dict[str, Any] = {}  # artifact key or input sha -> object ref
        self._compiled: dict[str, threading.Lock] = {}
        self._arts: dict[str, Artifact] = {}  # compile request hash -> its artifact
        self._threads = ThreadPoolExecutor(
            IN_FLIGHT * self.workers, thread_name_prefix="cpsolve-ray"
        )
        self._closed = False

    # ---- sending a request to some live actor

    def _on_actor(self, call: Callable[[Any], Any], timeout: float) -> Any:
        """`call` on a free slot of a live actor; sent again to another while it is lost. The
        request may wait behind the actor's other requests: its timeout counts theirs too."""
        while True:
            actor = self._checkout()
            with self._lock:
                ahead = sum(self._sent[id(actor)])
                self._sent[id(actor)].append(timeout)
            try:
                result = ray.get(call(actor), timeout=timeout + ahead)
            except LOST:
                self._lose(actor)
                continue
            except BaseException:  # the request's own error: the actor serves on
                self._slots.put(actor)
                raise
            finally:
                with self._lock:
                    self._sent[id(actor)].remove(timeout)
            self._slots.put(actor)
            return result

    def _lose(self, actor: Any) -> None:
        """A request of `actor` failed: it is sent again; the actor leaves the pool (once, for
        all the requests it held)."""
        with self._lock:
            self.lost += 1
            if id(actor) in self._gone:
                return
            self._gone.add(id(actor))
            self._live -= 1
        with contextlib.suppress(Exception):  # gone already, or its node is
            ray.kill(actor, no_restart=True)

    def _checkout(self) -> Any:
        """A free slot of a live actor (a slot of a lost one is dropped)."""
        while True:
            if self._closed:
                raise SandboxFailure("the sandbox is closed")
            with self._lock:
                if self._live <= 0:
                    raise SandboxFailure("every Ray sandbox actor is lost")
            try:
                actor = self._slots.get(timeout=1.0)
            except queue.Empty:
                continue
            with self._lock:
                if id(actor) not in self._gone:
                    return actor

    def _put(self, key: str, value: object) -> list[Any]:
        """The object ref of `key`, putting `value` in the store the first time (a list, so Ray
        hands the ref itself to the actor, which fetches it only when it lacks the object)."""
        with self._lock:
            ref = self._objects.get(key)
            if ref is None:
                ref = self._objects[key] = ray.put(value)
        return [ref]

    def _ref(self, key: str) -> list[Any]:
        with self._lock:
            ref = self._objects.get(key)
        if ref is None:
            raise KeyError(f"artifact {key} was not compiled by this sandbox")
        return [ref]

    # ---- Sandbox

    def compile(
        self,
        source: str,
        language: Language,
        extra_files: dict[str, bytes] | None = None,
        *,
        filename: str | None = None,
        extra_sources: Sequence[str] = (),
    ) -> Artifact:
        kw = {
            "source": source, "language": language, "extra_files": dict(extra_files or {}),
            "filename": filename, "extra_sources": list(extra_sources),
        }  # fmt: skip
        ask = hashlib.sha256(json.dumps(kw, default=_hex, sort_keys=True).encode()).hexdigest()
        with self._lock:
            lock = self._compiled.setdefault(ask, threading.Lock())
        with lock:  # each source compiled once a run (a sandbox error: asked again)
            done = self._arts.get(ask)
            if done is not None:
                return done
            art, item = self._on_actor(lambda a: a.compile.remote(kw), 60 + REQUEST_SLACK_S)
            if item is not None:
                self._put(art.key, item)
                self._arts[ask] = art
        return art  # type: ignore[no-any-return]

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
        refs = {artifact.key: self._ref(artifact.key)}
        shas = [input_key(x) for x in inputs]
        keys = [run_key(artifact.key, s, limits, args) for s in shas]
        results: dict[str, RunResult] = {}
        todo: dict[str, tuple[str, bytes]] = {}
        for k, s, x in zip(keys, shas, inputs, strict=True):
            hit = self.runs.get(k, keep_output)
            if hit is not None:
                results[k] = hit
            else:
                todo.setdefault(k, (s, x))
        chunks = _chunks(list(todo.items()), self.workers)
        futs = [
            self._threads.submit(
                self._run_chunk, artifact, refs, c, limits, keep_output, list(args)
            )
            for c in chunks
        ]
        for chunk, fut in zip(chunks, futs, strict=True):
            for (k, _), r in zip(chunk, fut.result(), strict=True):
                results[k] = r
                self.runs.put(k, r)
        out = [results[k] for k in keys]
        if not keep_output:
            out = [r if r.stdout is None else r.model_copy(update={"stdout": None}) for r in out]
        return out

    def _run_chunk(self, art, refs, chunk, limits, keep_output, args) -> list[RunResult]:
        wire = [(s, x if len(x) < INLINE_BYTES else self._put(s, x)) for _, (s, x) in chunk]
        timeout = len(chunk) * (limits.wall + 1) + REQUEST_SLACK_S
        try:
            return self._on_actor(  # type: ignore[no-any-return]
                lambda a: a.run_batch.remote(art, refs, wire, limits, keep_output, args), timeout
            )
        except SandboxFailure as exc:
            se = RunResult(verdict=Verdict.SE, stderr=str(exc).encode())
            return [se for _ in chunk]

    def run_job(self, job: Job) -> JobResult:
        keys = {p.program for s in job.stages for p in s.procs if p.program is not None}
        refs = {k: self._ref(k) for k in keys}
        timeout = sum(max((p.limits.wall for p in s.procs), default=0) + 1 for s in job.stages)
        try:
            return self._on_actor(  # type: ignore[no-any-return]
                lambda a: a.run_job.remote(job, refs), timeout + REQUEST_SLACK_S
            )
        except SandboxFailure as exc:
            return JobResult(procs=[], error=str(exc))

    def fetched(self) -> int:
        """Objects the live actors pulled from the object store (artifacts and inputs)."""
        with self._lock:
            actors = list(self._actors)
        done = ray.wait([a.stats.remote() for a in actors], num_returns=len(actors), timeout=30)
        total = 0
        for ref in done[0]:
            try:
                total += ray.get(ref)["fetched"]
            except LOST:
                continue
        return total

    def close(self) -> None:
        """Stop each actor's sandbox, then the actors; the objects go with the driver."""
        if self._closed:
            return
        self._closed = True
        self._threads.shutdown(wait=True)
        closing = [a.close.remote() for a in self._actors]
        ray.wait(closing, num_returns=len(closing), timeout=30)
        for a in self._actors:
            with contextlib.suppress(Exception):
                ray.kill(a, no_restart=True)
        self._objects.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _chunks(pending: list[T], workers: int) -> list[list[T]]:
    """`pending` cut into requests: up to MAX_CHUNK runs each, smaller towards the end (what
    remains split over every actor's requests in flight) so the actors finish together."""
    least = min(8, math.ceil(len(pending) / workers))  # a few runs a request, or one each
    out: list[list[T]] = []
    i = 0
    while i < len(pending):
        left = len(pending) - i
        size = min(MAX_CHUNK, max(math.ceil(left / (IN_FLIGHT * workers)), least))
        out.append(pending[i : i + size])
        i += size
    return out


def _spread(slots: list[str], n: int) -> list[str]:
    """At most `n` slots, taken round-robin over the nodes so every node gets its share."""
    by_node: OrderedDict[str, list[str]] = OrderedDict()
    for s in slots:
        by_node.setdefault(s, []).append(s)
    out: list[str] = []
    while len(out) < n and any(by_node.values()):
        for v in by_node.values():
            if v and len(out) < n:
                out.append(v.pop())
    return out


def _hex(b: object) -> str:
    if isinstance(b, bytes):
        return hashlib.sha256(b).hexdigest()
    return str(b)


def open_ray_sandbox(address: str | None, kind: str = "auto", workers: int | None = None) -> Any:
    """Join the cluster at `address` (or RAY_ADDRESS) and start the sandbox actors on it."""
    connect(address)
    return RaySandbox(kind, workers)

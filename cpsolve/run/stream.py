"""The streaming run: sampling, testgen, compiling and execution overlap, with the staged result.

    stream_stages(problem, config, store, engine, sandbox, executor, progress)

Three kinds of thread share the work; the engine is called from the sampler thread alone:

    sampler   generator, then validator chunks of every subtask (hardest first), then solution
              chunks, each stored as it completes and put on a bounded queue (backpressure: the
              sampler waits while the queue is full)
    testgen   one subtask's inputs: its generators compile and run as soon as they are stored,
              while the validators are sampled; the vote waits for those
    this one  (the dispatcher) extracts each chunk's programs, compiles new ones on the
              executor's worker pool, and runs a program on its tests once its input list is
              final; it reads the chunk queue only while few programs are queued to run

A program's generated inputs are those of the subtasks it was sampled for, in hardest-first
order, as the staged `execute_stage` gives them; the list is final once every subtask still
being sampled could only add inputs it already has, and the program runs once, on that list.
Everything lands in the store keyed by content and is read back in sample order afterwards, so
the matrix, the plan and the report are those of the staged run; a killed streaming run resumes
like a staged one (whole chunks, finished subtasks' inputs, stored executions).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from typing import Any

from cpsolve.config import RunConfig
from cpsolve.execute.executor import Executor
from cpsolve.execute.stage import execute_program
from cpsolve.languages import Language
from cpsolve.problem import Problem
from cpsolve.progress import NullTask, Progress, Task
from cpsolve.sample.engines.base import Engine
from cpsolve.sample.stage import (
    ChunkPlan,
    extract_candidates,
    extract_chunk,
    plan_missing_chunks,
    sample_chunks,
)
from cpsolve.sandbox.base import Sandbox
from cpsolve.store import Store
from cpsolve.testgen.stage import subtask_inputs as make_inputs
from cpsolve.testgen.stage import test_program_plans

CHUNK_QUEUE = 4  # stored chunks waiting for extraction before the sampler waits
RUNNABLE_PER_WORKER = 4  # jobs (compiles, runs) in the pool per worker before chunks wait


class Busy:
    """Seconds during which at least one piece of work of a kind was running (the union of
    their intervals), per kind: a stage's time when stages overlap."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: dict[str, int] = {}
        self._since: dict[str, float] = {}
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, kind: str) -> Iterator[None]:
        with self._lock:
            if not self._active.get(kind):
                self._since[kind] = time.perf_counter()
            self._active[kind] = self._active.get(kind, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._active[kind] -= 1
                if not self._active[kind]:
                    spent = time.perf_counter() - self._since[kind]
                    self.seconds[kind] = self.seconds.get(kind, 0.0) + spent


class _Stop(Exception):
    """The dispatcher gave up (an error elsewhere): a waiting producer leaves."""


class StreamRun:
    """One problem's sample → extract → compile → execute flow, overlapped (module docstring)."""

    def __init__(
        self,
        problem: Problem,
        config: RunConfig,
        store: Store,
        engine: Engine,
        sandbox: Sandbox,
        executor: Executor,
        progress: Progress,
    ) -> None:
        self.problem, self.config, self.store = problem, config, store
        self.engine, self.sandbox, self.executor = engine, sandbox, executor
        self.progress = progress
        self.order = problem.hardest_first()
        self.language = Language(config.language)
        self.busy = Busy()
        self.chunks: queue.Queue[tuple[str, Any]] = queue.Queue(CHUNK_QUEUE)
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.stop = threading.Event()
        self.generators_sampled = {sid: threading.Event() for sid in self.order}
        self.tests_sampled = {sid: threading.Event() for sid in self.order}
        # the dispatcher's view
        self.complete: set[str] = set()  # subtasks whose solutions are all sampled
        self.inputs: dict[str, list[bytes]] = {}
        self.subtasks_of: dict[str, set[str]] = {}  # program -> subtasks it was sampled for
        self.compiled: set[str] = set()
        self.waiting: set[str] = set()  # compiled, not yet run
        self.inflight = 0  # jobs (compiles, runs) handed to the pool and not finished
        self.ran = 0
        self.producers = 2
        self.bar: Task = NullTask()
        self._bar_cm: AbstractContextManager[Task] | None = None

    # ---- producers (own threads) ------------------------------------------------------------

    def _sampler(self) -> None:
        for sid in self.order:
            plans = test_program_plans(self.problem, self.config, self.store, sid)
            if plans:
                bar = self.progress.task(f"sample tests {sid}", sum(p.size for p in plans))
                with bar as task, self.busy("sample"):
                    # the generators first: testgen runs them while the validators are sampled
                    for role, done in (
                        ("generator", self.generators_sampled[sid]),
                        ("validator", self.tests_sampled[sid]),
                    ):
                        mine = [p for p in plans if p.role == role]
                        sample_chunks(self.store, self.engine, mine, task.advance)
                        done.set()
            else:  # nothing to sample: the tests are made, or not model-written
                self.generators_sampled[sid].set()
                self.tests_sampled[sid].set()
        for sid in self.order:
            n = self.config.n_samples
            plans = plan_missing_chunks(
                self.store, self.problem, self.config, sid, "solution", n, self.language
            )
            have = n - sum(p.size for p in plans)
            bar = self.progress.task(f"sample subtask {sid}", n, have)
            with bar as task, self.busy("sample"):
                sample_chunks(self.store, self.engine, plans, task.advance, self._stored)
            self._put_chunk(("sampled", sid))

    def _stored(self, plan: ChunkPlan, rows: list[dict[str, object]]) -> None:
        self._put_chunk(("chunk", (plan, rows)))

    def _put_chunk(self, item: tuple[str, Any]) -> None:
        while True:
            if self.stop.is_set():
                raise _Stop
            try:
                self.chunks.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _wait(self, event: threading.Event) -> None:
        while not event.wait(0.2):
            if self.stop.is_set():
                raise _Stop

    def _testgen(self) -> None:
        for sid in self.order:
            self._wait(self.generators_sampled[sid])
            with self.busy("tests"):
                data = make_inputs(
                    self.problem, self.config, self.store, self.engine, self.sandbox,
                    self.progress, sid, partial(self._wait, self.tests_sampled[sid]),
                )  # fmt: skip
            self.events.put(("inputs", (sid, data)))

    def _thread(self, target: Callable[[], None], name: str) -> threading.Thread:
        def body() -> None:
            try:
                target()
            except _Stop:
                pass
            except BaseException as e:  # handed to the dispatcher, which raises it
                self.events.put(("error", e))
            finally:
                self.events.put(("producer-done", name))

        t = threading.Thread(target=body, name=f"cpsolve-{name}", daemon=True)
        t.start()
        return t

    # ---- the dispatcher (the calling thread) -----------------------------------------------

    def run(self) -> dict[str, float]:
        """Run the flow to the end; seconds per stage (busy time, overlapping)."""
        self.executor.task_type.support()  # a broken checker is the problem's fault: say so first
        self.cases = self.executor.public_cases()
        start = time.perf_counter()
        self.pool = ThreadPoolExecutor(self.executor.workers, thread_name_prefix="cpsolve-run")
        threads = [self._thread(self._sampler, "sampler"), self._thread(self._testgen, "testgen")]
        try:
            self._dispatch()
        except BaseException:
            self.stop.set()
            raise
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
            if self._bar_cm is not None:
                self._bar_cm.__exit__(None, None, None)
        for t in threads:
            t.join()
        return {**self.busy.seconds, "stream": time.perf_counter() - start}

    def _dispatch(self) -> None:
        limit = RUNNABLE_PER_WORKER * self.executor.workers
        while self.producers or self.inflight or self.chunks.qsize():
            self._drain_events()
            if self.inflight < limit:
                try:
                    kind, payload = self.chunks.get(timeout=0.05)
                except queue.Empty:
                    continue
                self._on_chunk(kind, payload)
            else:
                try:
                    self._handle(*self.events.get(timeout=0.5))
                except queue.Empty:
                    continue
        self._drain_events()
        left = sorted(self.subtasks_of.keys() - self.compiled) + sorted(self.waiting)
        assert not left, f"programs never run: {left[:3]}"

    def _drain_events(self) -> None:
        while True:
            try:
                self._handle(*self.events.get_nowait())
            except queue.Empty:
                return

    def _handle(self, kind: str, payload: Any) -> None:
        if kind == "error":
            raise payload
        if kind == "producer-done":
            self.producers -= 1
        elif kind == "inputs":
            sid, data = payload
            self.inputs[sid] = data
        elif kind == "compiled":
            self.inflight -= 1
            self.compiled.add(payload)
            self.waiting.add(payload)
        elif kind == "ran":
            self.inflight -= 1
            self.ran += 1
            self.bar.advance(1)
        self._launch_ready()

    def _on_chunk(self, kind: str, payload: Any) -> None:
        if kind == "chunk":
            plan, rows = payload
            for c in extract_chunk(self.store, plan, rows, [self.language]):
                self._note(c.program, plan.subtask)
        else:  # "sampled": the subtask's solutions are all stored; take in what came before
            sid = payload
            extract_candidates(self.store, sid, "solution", [self.language])
            for c in self.store.candidates(sid, "solution"):
                self._note(c.program, sid)
            self.complete.add(sid)
            if self.complete == set(self.order):  # every program known: a bar for the rest
                self._bar_cm = self.progress.task(
                    "compile and run programs", len(self.subtasks_of), self.ran
                )
                self.bar = self._bar_cm.__enter__()
        self._launch_ready()

    def _note(self, program: str | None, sid: str) -> None:
        if program is None:
            return
        if program not in self.subtasks_of:
            self.subtasks_of[program] = set()
            self._submit("compile", program, lambda: self.executor.artifact(program))
        self.subtasks_of[program].add(sid)

    def _covered(self, program: str) -> set[str]:
        out: set[str] = set()
        for sid in self.subtasks_of[program]:
            out |= {sid, *self.problem.included_subtasks(sid)}
        return out

    def _final(self, program: str) -> bool:
        """Whether the program's input list can still grow: not once every subtask still being
        sampled would only add inputs of subtasks it already runs on."""
        covered = self._covered(program)
        if not all(s in self.inputs for s in covered if s in self.tests_sampled):
            return False
        return all(
            {s, *self.problem.included_subtasks(s)} <= covered
            for s in self.order
            if s not in self.complete
        )

    def _launch_ready(self) -> None:
        for program in sorted(p for p in self.waiting if self._final(p)):
            self.waiting.discard(program)
            sampled_for = sorted(self.subtasks_of[program])
            inputs = {s: self.inputs[s] for s in self._covered(program) if s in self.inputs}
            self._submit("execute", program, self._runner(program, sampled_for, inputs))

    def _runner(
        self, program: str, sampled_for: list[str], inputs: dict[str, list[bytes]]
    ) -> Callable[[], None]:
        return lambda: execute_program(self.executor, program, sampled_for, inputs, self.cases)

    def _submit(self, kind: str, program: str, work: Callable[[], object]) -> None:
        self.inflight += 1

        def job() -> None:
            with self.busy(kind):
                work()

        def done(f: Future[None]) -> None:
            e = f.exception() if not f.cancelled() else None
            if e is not None:
                self.events.put(("error", e))
            elif not f.cancelled():
                self.events.put(("compiled" if kind == "compile" else "ran", program))

        self.pool.submit(job).add_done_callback(done)


def stream_stages(
    problem: Problem,
    config: RunConfig,
    store: Store,
    engine: Engine,
    sandbox: Sandbox,
    executor: Executor,
    progress: Progress,
) -> dict[str, float]:
    """Sample, extract, write tests, compile and execute, overlapped; seconds per stage."""
    return StreamRun(problem, config, store, engine, sandbox, executor, progress).run()

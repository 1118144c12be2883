"""The local backend, the embedded default: in-box runners under bubblewrap on this machine.

Each worker is one long-lived in-box runner (`cpsolve/sandbox/runner/`, bound read-only) inside
its own bubblewrap box (no network, read-only /usr and /etc, private /tmp and /dev/shm, own
pid/ipc/uts namespaces) with its own block of unprivileged uids. Where bwrap is missing, the
runner runs under `unshare` (namespaces + rlimits, the host's files visible) and a warning says
the isolation is weaker.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import hashlib
import json
import math
import os
import queue
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cpsolve.languages import SOURCE_NAME, Language
from cpsolve.sandbox.base import (
    Artifact,
    Job,
    JobResult,
    Limits,
    ProcResult,
    RunResult,
    Verdict,
    input_key,
)
from cpsolve.sandbox.cache import (
    ArtifactCache,
    CachedArtifact,
    RunCache,
    compile_key,
    default_cache_dir,
    run_key,
)

RUNNER_DIR = Path(__file__).resolve().parent / "runner"  # the in-box runner package
RUNNER = RUNNER_DIR / "__main__.py"  # its entry, run as a plain file
BOX_RUNNER_DIR = "/opt/cpsolve/runner"  # where the box (bwrap or the image) holds it
BOX_RUNNER = f"{BOX_RUNNER_DIR}/__main__.py"
BOX_PYTHON = "/usr/bin/python3"
UID_BASE, UID_BLOCK, UID_BLOCKS = 100_000, 16, 4096
LOCK_DIR = Path(tempfile.gettempdir()) / "cpsolve-uid-locks"
REQUEST_SLACK_S = 30.0
PCH_MOUNT = "/cpsolve-pch"  # top level: bwrap makes missing parents 0700
PCH_BUILD_TIMEOUT_S = 300


class SandboxFailure(RuntimeError):
    """A runner died, hung or answered an error: the affected results become SE."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str | None) -> bytes:
    return base64.b64decode(text) if text else b""


# ------------------------------------------------------------ isolation


@functools.cache
def isolation_mode() -> str:
    """'bwrap', 'unshare' or 'none': the strongest isolation that actually works here."""
    if shutil.which("bwrap") and os.path.exists(BOX_PYTHON) and _works(_bwrap_prefix(16)):
        return "bwrap"
    if os.geteuid() == 0 and _works(["unshare", "--net", "--ipc", "--uts", "--pid", "--fork"]):
        return "unshare"
    return "none"


def _works(prefix: list[str]) -> bool:
    """Whether `prefix true` runs (bwrap may be installed but not allowed in a container)."""
    try:
        done = subprocess.run([*prefix, "true"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _uid_block() -> tuple[int, int, int]:
    """Claim a uid block no other cpsolve process on this machine uses; (fd, first, last)."""
    LOCK_DIR.mkdir(mode=0o755, exist_ok=True)
    for i in range(UID_BLOCKS):
        fd = os.open(LOCK_DIR / f"{i}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        first = UID_BASE + i * UID_BLOCK
        return fd, first, first + UID_BLOCK - 1
    raise SandboxFailure("no free uid block for a sandbox worker")


def _bwrap_argv(runner_args: list[str], tmp_mb: int, pch_dir: Path | None = None) -> list[str]:
    runner = [BOX_PYTHON, "-I", BOX_RUNNER, "--root", "/tmp/cps", *runner_args]
    pch: list[str] = []
    if pch_dir is not None:  # a missing one is passed too: the runner then compiles without
        if pch_dir.is_dir():
            pch = ["--ro-bind", str(pch_dir), PCH_MOUNT]
        runner += ["--pch-dir", PCH_MOUNT]
    return _bwrap_prefix(tmp_mb) + pch + runner


# ------------------------------------------------------------ precompiled header


def ensure_pch(root: Path | None = None) -> Path | None:
    """The precompiled bits/stdc++.h for this machine's g++ and the runner's C++ flags, built
    once (by cpsolve, outside any box) into <cache>/pch/<key> under a lock; None if it cannot
    be built (compiles then simply go without it)."""
    root = root or default_cache_dir() / "pch"
    try:
        stamp = subprocess.run(
            [sys.executable, "-I", str(RUNNER), "--pch-stamp"],
            capture_output=True, timeout=60, check=True,
        ).stdout  # fmt: skip
        root.mkdir(parents=True, exist_ok=True)
        key = hashlib.sha256(stamp).hexdigest()[:16]
        final = root / key
        with _locked(root / f"{key}.lock"):
            if not (final / "pch.json").is_file():
                _build_pch(root, final)
    except (OSError, subprocess.SubprocessError) as exc:
        warnings.warn(f"no precompiled header (C++ compiles are slower): {exc}", RuntimeWarning,
                      stacklevel=2)  # fmt: skip
        return None
    return final


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _build_pch(root: Path, final: Path) -> None:
    """Build into a fresh directory, then rename: readers see a whole PCH or none."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=root))
    try:
        subprocess.run(
            [sys.executable, "-I", str(RUNNER), "--build-pch", str(tmp)],
            capture_output=True, timeout=PCH_BUILD_TIMEOUT_S, check=True,
            env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"},
        )  # fmt: skip
        tmp.chmod(0o755)
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _bwrap_prefix(tmp_mb: int) -> list[str]:
    argv = ["bwrap", "--die-with-parent", "--new-session", "--unshare-net", "--unshare-ipc"]
    argv += ["--unshare-pid", "--unshare-uts", "--unshare-cgroup-try", "--ro-bind", "/usr", "/usr"]
    for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / top
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            argv += ["--ro-bind", str(path), str(path)]
    argv += ["--ro-bind", "/etc", "/etc"]
    for secret in ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-"):
        if os.path.exists(secret):
            argv += ["--ro-bind", "/dev/null", secret]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    argv += ["--perms", "0755", "--size", str(tmp_mb << 20), "--tmpfs", "/tmp"]
    argv += ["--ro-bind", str(RUNNER_DIR), BOX_RUNNER_DIR, "--chdir", "/"]
    if os.geteuid() == 0:  # the runner switches to pool uids; bwrap drops the rest
        for cap in ("SETUID", "SETGID", "CHOWN", "FOWNER", "DAC_OVERRIDE", "KILL"):
            argv += ["--cap-add", f"CAP_{cap}"]
    return argv


# ------------------------------------------------------------ one worker


class RunnerWorker:
    """One in-box runner as the pool sees it: the JSON-lines protocol (`request`) and the
    artifacts the runner holds (`ensure`), over a transport that a subclass provides (a local
    process here, a container in the Docker backend). Used by one thread at a time."""

    what = "worker"  # how failures name it

    def __init__(self) -> None:
        self.held: set[str] = set()
        self._seq = 0

    def _send(self, line: bytes) -> None:
        raise NotImplementedError

    def _read_line(self, timeout: float) -> bytes:
        raise NotImplementedError

    def restart(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def request(self, op: str, timeout: float, **fields: Any) -> dict[str, Any]:
        self._seq += 1
        line = json.dumps({"id": self._seq, "op": op, **fields}).encode() + b"\n"
        try:
            self._send(line)
            reply = json.loads(self._read_line(timeout))
        except (OSError, ValueError) as exc:
            self.restart()
            raise SandboxFailure(f"sandbox {self.what} failed: {exc}") from exc
        if not isinstance(reply, dict) or reply.get("id") != self._seq:
            self.restart()
            raise SandboxFailure(f"sandbox {self.what} answered out of order")
        return reply

    def ensure(self, item: CachedArtifact) -> None:
        key = item.artifact.key
        if key in self.held:
            return
        files = {k: _b64(v) for k, v in item.files.items()}
        reply = self.request(
            "put", 60, key=key, language=item.artifact.language.value, entry=item.entry,
            files=files,
        )  # fmt: skip
        if not reply["ok"]:
            raise SandboxFailure(f"runner refused an artifact: {reply.get('message')}")
        self.held.add(key)


class _Worker(RunnerWorker):
    """One runner process on this machine."""

    def __init__(self, mode: str, tmp_mb: int, pch_dir: Path | None = None) -> None:
        super().__init__()
        self.mode, self.tmp_mb, self.pch_dir = mode, tmp_mb, pch_dir
        self.lock_fd, first, last = _uid_block()
        self.uids = f"{first}-{last}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.root: str | None = None
        self._buf = b""
        self.start()

    def start(self) -> None:
        args = ["--uids", self.uids, "--store-mb", str(max(64, self.tmp_mb // 4))]
        if self.mode == "bwrap":
            argv = _bwrap_argv(args, self.tmp_mb, self.pch_dir)
        else:
            self.root = tempfile.mkdtemp(prefix="cpsolve-runner-")
            if self.pch_dir is not None:
                args += ["--pch-dir", str(self.pch_dir)]
            argv = [sys.executable, "-I", str(RUNNER), "--root", self.root, *args]
            if self.mode == "unshare":
                argv = ["unshare", "--net", "--ipc", "--uts", "--pid", "--fork", "--kill-child",
                        "--mount-proc", *argv]  # fmt: skip
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, start_new_session=True
        )
        self._buf = b""
        self.held = set()

    def _send(self, line: bytes) -> None:
        assert self.proc and self.proc.stdin
        self.proc.stdin.write(line)
        self.proc.stdin.flush()

    def _read_line(self, timeout: float) -> bytes:
        assert self.proc and self.proc.stdout
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise OSError(f"no answer within {timeout:.0f} s")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise OSError("the runner exited")
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def stop(self) -> None:
        if self.proc is not None:
            try:
                if self.proc.stdin:
                    self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
            for f in (self.proc.stdin, self.proc.stdout):
                if f:
                    with contextlib.suppress(OSError):
                        f.close()
            self.proc = None
        if self.root:
            subprocess.run(["rm", "-rf", self.root], check=False)
            self.root = None

    def restart(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            for f in (self.proc.stdin, self.proc.stdout):
                if f:
                    with contextlib.suppress(OSError):  # unflushed bytes to a dead pipe
                        f.close()
            self.proc = None
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        os.close(self.lock_fd)


# ------------------------------------------------------------ the backend


def _result(raw: dict[str, Any]) -> RunResult:
    stdout = raw.get("stdout")
    return RunResult(
        verdict=Verdict(raw["verdict"]),
        exit_code=raw.get("exit_code"),
        signal=raw.get("signal"),
        cpu_s=raw.get("cpu_s", 0.0),
        wall_s=raw.get("wall_s", 0.0),
        memory_mb=raw.get("memory_mb", 0.0),
        stdout=None if stdout is None else _unb64(stdout),
        stdout_sha=raw.get("stdout_sha", ""),
        stderr=_unb64(raw.get("stderr")) or (raw.get("error") or "").encode(),
    )


def _limits(limits: Limits) -> dict[str, Any]:
    return {**limits.model_dump(mode="json"), "wall_s": limits.wall}


class LocalSandbox:
    """The Sandbox protocol on this machine. Thread-safe; use as a context manager."""

    name = "local"

    def __init__(
        self,
        workers: int | None = None,
        *,
        cache_dir: Path | None = None,
        tmp_mb: int = 1024,
        mode: str | None = None,
        pch: bool = True,
        pch_dir: Path | None = None,
    ) -> None:
        """pch: compile C++ with a precompiled bits/stdc++.h (`ensure_pch`, or the one made by
        `runner.py --build-pch` in pch_dir); the binaries are the same, only faster to make."""
        self._closed = True  # until every worker answered (close() is then a no-op)
        self._init_pool(workers, cache_dir)
        self.mode = mode or isolation_mode()
        if self.mode != "bwrap":
            warnings.warn(
                "bubblewrap (bwrap) is not installed: the local sandbox isolates programs with "
                + ("namespaces and rlimits only" if self.mode == "unshare" else "rlimits only")
                + ", so they can read this machine's files; install bubblewrap or use Docker",
                RuntimeWarning,
                stacklevel=2,
            )
        pch_path = (pch_dir or ensure_pch()) if pch else None
        try:
            for _ in range(self.workers):
                self._all.append(_Worker(self.mode, tmp_mb, pch_path))
            info = [w.request("ping", 60) for w in self._all]
        except BaseException:
            for w in self._all:
                w.close()
            raise
        self._adopt_workers(info[0], info[0]["flags"])
        self._closed = False

    # ---- plumbing

    def _init_pool(self, workers: int | None, cache_dir: Path | None) -> None:
        """The state every pool of runners has (this backend's and Docker's): caches, locks,
        and an empty pool that `_adopt_workers` fills."""
        self._all: list[RunnerWorker] = []
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.cache = ArtifactCache(cache_dir)
        self.runs = RunCache()
        self._idle: queue.Queue[RunnerWorker] = queue.Queue()
        self._compile_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def _adopt_workers(self, ping: dict[str, Any], flags: dict[str, list[str]]) -> None:
        """Take the started runners (`self._all`) into service; `ping` is one runner's answer
        to ping, `flags` the compile flags per language that key the compile cache."""
        self.flags = flags
        self.setuid = bool(ping["setuid"])
        self.pch: str | None = ping.get("pch")  # the runners' PCH dir; None: compiled without
        for w in self._all:
            self._idle.put(w)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix=f"cpsolve-{self.name}")

    @contextmanager
    def _worker(self) -> Iterator[RunnerWorker]:
        if self._closed:
            raise SandboxFailure("the sandbox is closed")
        w = self._idle.get()
        try:
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
            files = {k: _b64(v) for k, v in extra.items()}
            files[name] = _b64(source.encode())
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
                return Artifact(key=key, language=language, ok=False, message=f"SE: {exc}")
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
                files={k: _unb64(v) for k, v in raw["files"].items()},
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
            ce = RunResult(verdict=Verdict.CE, stderr=artifact.message.encode()[:4096])
            return [ce for _ in inputs]
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
                    inputs=[_b64(x) for _, x in chunk], limits=_limits(limits),
                    keep_output=keep_output, args=list(args),
                )  # fmt: skip
        except SandboxFailure as exc:
            se = RunResult(verdict=Verdict.SE, stderr=str(exc).encode())
            return [se for _ in chunk]
        return [_result(r) for r in reply["results"]]

    # ---- run_job

    def run_job(self, job: Job) -> JobResult:
        items = [
            self._held(p.program) for s in job.stages for p in s.procs if p.program is not None
        ]
        wire = {
            "files": {k: _b64(v) for k, v in job.files.items()},
            "input": _b64(job.input),
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
                stdout=_unb64(p.get("stdout")),
                stderr=_unb64(p.get("stderr")),
                stdout_truncated=p.get("stdout_truncated", False),
            )
            for p in raw["procs"]
        ]
        files = {k: _unb64(v) for k, v in raw["files"].items()}
        return JobResult(procs=procs, files=files, error=raw.get("error"))

    # ---- lifetime

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        pool = getattr(self, "_pool", None)  # absent when the constructor was interrupted
        if pool is not None:
            pool.shutdown(wait=True)
        for w in getattr(self, "_all", []):
            w.close()

    def __enter__(self) -> LocalSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_closed", True):
            self.close()

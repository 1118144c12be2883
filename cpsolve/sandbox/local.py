"""The local backend, the embedded default: in-box runners under bubblewrap on this machine.

Each worker is one long-lived in-box runner (`cpsolve/sandbox/runner/`, bound read-only) inside
its own bubblewrap box (no network, read-only /usr and /etc, private /tmp and /dev/shm, own
pid/ipc/uts namespaces) with its own block of unprivileged uids. Where bwrap is missing, the
runner runs under `unshare` (namespaces + rlimits, the host's files visible) and a warning says
the isolation is weaker.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cpsolve.sandbox.cache import default_cache_dir
from cpsolve.sandbox.pool import RunnerPool, worker_count
from cpsolve.sandbox.worker import (
    BOX_RUNNER,
    BOX_RUNNER_DIR,
    RUNNER,
    RUNNER_DIR,
    LineReader,
    RunnerWorker,
    SandboxFailure,
)

__all__ = ["LocalSandbox", "SandboxFailure", "ensure_pch", "isolation_mode"]

BOX_PYTHON = "/usr/bin/python3"
PCH_MOUNT = "/cpsolve-pch"  # top level: bwrap makes missing parents 0700
PCH_BUILD_TIMEOUT_S = 300


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
        # SYS_ADMIN: the launcher gives each program its own IPC/network namespace (programs
        # themselves run with no capability and a seccomp filter)
        for cap in ("SETUID", "SETGID", "CHOWN", "FOWNER", "DAC_OVERRIDE", "KILL", "SYS_ADMIN"):
            argv += ["--cap-add", f"CAP_{cap}"]
    return argv


# ------------------------------------------------------------ one worker


class LocalWorker(RunnerWorker):
    """One runner process on this machine: its transport is the process's stdin and stdout."""

    def __init__(self, mode: str, tmp_mb: int, pch_dir: Path | None = None) -> None:
        super().__init__()
        self.mode, self.tmp_mb, self.pch_dir = mode, tmp_mb, pch_dir
        self.proc: subprocess.Popen[bytes] | None = None
        self.root: str | None = None
        self._lines = LineReader()
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
        self._lines = LineReader()
        self.held = set()

    def _send(self, line: bytes) -> None:
        assert self.proc and self.proc.stdin
        self.proc.stdin.write(line)
        self.proc.stdin.flush()

    def _read_line(self, timeout: float) -> bytes:
        assert self.proc and self.proc.stdout
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while (line := self._lines.pop()) is None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise OSError(f"no answer within {timeout:.0f} s")
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise OSError("the runner exited")
            self._lines.feed(chunk)
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


# ------------------------------------------------------------ the backend


class LocalSandbox(RunnerPool):
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
        the runner's `--build-pch` in pch_dir); the binaries are the same, only faster to make."""
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
        started: list[RunnerWorker] = []
        try:
            for _ in range(worker_count(workers)):
                started.append(LocalWorker(self.mode, tmp_mb, pch_path))
        except BaseException:
            for w in started:
                w.close()
            raise
        super().__init__(started, cache_dir=cache_dir, ping_timeout=60)

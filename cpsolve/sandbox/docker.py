"""The Docker backend: a pool of long-lived containers, each running the in-box runner.

One container per worker, started once: the runner is the container's main process and we talk
to it over the container's attached stdin/stdout (the Docker multiplexed stream: 8-byte frame
headers, stdout frames carry the runner's JSON lines, stderr frames its diagnostics).
Containers run with no network, memory and pids limits, every capability dropped but the ones
the runner needs to switch uids and clean up, no-new-privileges, a read-only root and a sized
tmpfs for the runner's state and work directories.

No container outlives cpsolve: close(), atexit and SIGTERM remove them; the container's stdin
closes with our connection (StdinOnce), so the runner exits and the daemon removes the container
(auto_remove) even when the parent is SIGKILLed; and every start sweeps labelled containers whose
owner process is gone.

Scheduling, caches and the runner protocol are the pool's (`pool.RunnerPool`,
`worker.RunnerWorker`), as in the local backend: only the workers' transport differs.
"""

from __future__ import annotations

import atexit
import os
import select
import signal
import socket
import struct
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any

from cpsolve.errors import UserError
from cpsolve.sandbox.image import find_image, sandbox_image
from cpsolve.sandbox.pool import RunnerPool, worker_count
from cpsolve.sandbox.worker import BOX_RUNNER, LineReader, RunnerWorker, SandboxFailure

LABEL = "cpsolve.sandbox"
OWNER_PID = "cpsolve.owner_pid"
OWNER_START = "cpsolve.owner_start"  # the owner's start time, so a reused pid is not "alive"
OWNER_HOST = "cpsolve.owner_host"
# SYS_ADMIN: the runner's launcher gives each program its own IPC and network namespace
# (unshare); programs run as pool uids with no capability, no-new-privs and a seccomp filter
CAPS = ["SETUID", "SETGID", "CHOWN", "FOWNER", "DAC_OVERRIDE", "KILL", "SYS_ADMIN"]
STATE_DIR = "/box"
IDLE_PING_S = 30.0
READY_TIMEOUT_S = 3.0


def _proc_start(pid: int) -> str | None:
    """A process's start time (clock ticks since boot), or None when it does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return socket.gethostname()


def owner_labels() -> dict[str, str]:
    return {
        LABEL: "1",
        OWNER_PID: str(os.getpid()),
        OWNER_START: _proc_start(os.getpid()) or "",
        OWNER_HOST: _boot_id(),
    }


def _is_stale(labels: dict[str, str]) -> bool:
    """A container whose owner (on this machine, since this boot) no longer runs."""
    if labels.get(OWNER_HOST) != _boot_id():
        return False  # another machine's (a shared daemon) or another boot's: not ours to judge
    try:
        pid = int(labels.get(OWNER_PID, ""))
    except ValueError:
        return True
    return _proc_start(pid) != labels.get(OWNER_START)


def sweep_stale(client: Any) -> int:
    """Remove cpsolve containers whose owner process is dead; how many were removed."""
    removed = 0
    for c in client.containers.list(all=True, filters={"label": LABEL}):
        if _is_stale(c.labels):
            _remove(c)
            removed += 1
    return removed


def _remove(container: Any) -> None:
    import docker  # type: ignore[import-untyped]

    # already gone, auto_remove is on it, or the daemon itself is gone (requests' errors are
    # OSErrors)
    with suppress(docker.errors.DockerException, OSError):
        container.remove(force=True)


def _daemon_answers() -> bool:
    try:
        return bool(_client(timeout=5).ping())
    except Exception:
        return False


def _client(timeout: float = 120) -> Any:
    import docker  # type: ignore[import-untyped]

    return docker.from_env(timeout=timeout)


def docker_ready(tag: str | None = None) -> bool:
    """True only when a daemon answers within a few seconds and the sandbox image exists (by
    default the image of this checkout: its tag is the hash of the Dockerfile and runner)."""
    try:
        client = _client(timeout=READY_TIMEOUT_S)
        client.ping()
        return find_image(client, tag or sandbox_image()) is not None
    except Exception:
        return False


# ------------------------------------------------------------ the attached stream


class _Channel:
    """JSON lines over a container's attached stdin and multiplexed stdout/stderr."""

    def __init__(self, sock: Any) -> None:
        self._io = sock  # keeps the HTTP response (and the connection) alive
        self.sock: socket.socket = getattr(sock, "_sock", sock)
        self.sock.setblocking(True)
        self._raw = bytearray()
        self._lines = LineReader()
        self.stderr_tail = b""

    def send(self, data: bytes) -> None:
        self.sock.settimeout(60)
        self.sock.sendall(data)

    def read_line(self, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while (line := self._lines.pop()) is None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                raise OSError(f"no answer within {timeout:.0f} s")
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                tail = self.stderr_tail.decode(errors="replace").strip()[-300:]
                raise OSError("the runner's container stopped" + (f": {tail}" if tail else ""))
            self._raw += chunk
            self._demux()
        return line

    def _demux(self) -> None:
        """Split complete frames: header = stream (1 byte), 3 zero bytes, big-endian length."""
        raw, pos = self._raw, 0
        while len(raw) - pos >= 8:
            stream, size = struct.unpack_from(">BxxxL", raw, pos)
            if len(raw) - pos - 8 < size:
                break
            payload = bytes(raw[pos + 8 : pos + 8 + size])
            pos += 8 + size
            if stream == 1:
                self._lines.feed(payload)
            elif stream == 2:
                self.stderr_tail = (self.stderr_tail + payload)[-4096:]
        del raw[:pos]  # what is left is one partial frame: linear overall

    def close(self) -> None:
        for s in (self.sock, self._io):
            with suppress(OSError):
                s.close()


# ------------------------------------------------------------ one worker


class ContainerSpec:
    """What every worker container gets (image, limits)."""

    def __init__(self, image: str, memory_mb: int, pids: int, tmpfs_mb: int, store_mb: int):
        self.image, self.memory_mb, self.pids = image, memory_mb, pids
        self.tmpfs_mb, self.store_mb = tmpfs_mb, store_mb

    def create(self, client: Any, uids: str) -> Any:
        import docker  # type: ignore[import-untyped]

        command = ["python3", "-I", BOX_RUNNER, "--root", f"{STATE_DIR}/runner"]
        command += ["--uids", uids, "--store-mb", str(self.store_mb)]
        command += ["--pch-dir", "/opt/cpsolve/pch"]  # built into the image (runner/Dockerfile)
        return client.containers.create(
            self.image,
            command=command,
            stdin_open=True,  # with detach=False the SDK also sets StdinOnce
            tty=False,
            labels=owner_labels(),
            network_mode="none",
            ipc_mode="none",  # no /dev/shm: nothing persists there between runs
            mem_limit=f"{self.memory_mb}m",
            memswap_limit=f"{self.memory_mb}m",
            pids_limit=self.pids,
            cap_drop=["ALL"],
            cap_add=CAPS,
            security_opt=["no-new-privileges"],
            read_only=True,
            tmpfs={
                STATE_DIR: f"rw,exec,nosuid,nodev,size={self.tmpfs_mb}m,mode=0711",
                # the runner's own scratch (gcc's temporary files); programs cannot write it
                "/tmp": "rw,noexec,nosuid,nodev,size=256m,mode=0755",
            },
            auto_remove=True,
            log_config=docker.types.LogConfig(type="none"),  # replies are not logged to disk
            hostname="box",
            working_dir="/",
        )


class ContainerWorker(RunnerWorker):
    """One container and its runner: the transport is the container's attached stream."""

    what = "container"

    def __init__(self, client: Any, spec: ContainerSpec) -> None:
        super().__init__()
        self.client, self.spec = client, spec
        self.container: Any = None
        self.channel: _Channel | None = None
        self.used = 0.0
        self.start()

    def start(self) -> None:
        self.container = self.spec.create(self.client, self.uids)
        try:
            params = {"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1}
            self.channel = _Channel(self.client.api.attach_socket(self.container.id, params))
            self.container.start()
        except Exception:
            self.stop()
            raise
        self.held = set()
        self.used = time.monotonic()

    def request(self, op: str, timeout: float, **fields: Any) -> dict[str, Any]:
        if self.channel is None:  # a replacement that failed to start earlier: try again
            self.restart()
        reply = super().request(op, timeout, **fields)
        self.used = time.monotonic()
        return reply

    def _send(self, line: bytes) -> None:
        assert self.channel is not None
        self.channel.send(line)

    def _read_line(self, timeout: float) -> bytes:
        assert self.channel is not None
        return self.channel.read_line(timeout)

    def checkout(self) -> None:
        """One idle for a while is pinged (and replaced when sick) before it is used."""
        if time.monotonic() - self.used > IDLE_PING_S:
            self.healthy()

    def healthy(self) -> bool:
        """Ping the runner; a dead or hung container is replaced (and False returned)."""
        try:
            return bool(self.request("ping", 10).get("ok"))
        except SandboxFailure:
            return False

    def stop(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.container is not None:
            _remove(self.container)
            self.container = None

    def restart(self) -> None:
        """Replace the container; SandboxFailure (worker left stopped) when that fails."""
        self.stop()
        try:
            self.start()
        except Exception as exc:  # daemon gone, image removed, out of memory...
            if not _daemon_answers():
                raise UserError(
                    "the Docker daemon stopped answering during the run; start it again and run "
                    "the same command to resume (or use --sandbox local)"
                ) from None
            raise SandboxFailure(f"cannot start a sandbox container: {exc}") from exc


# ------------------------------------------------------------ the backend

_open: weakref.WeakSet[DockerSandbox] = weakref.WeakSet()
_hooks_installed = False


def _close_all() -> None:
    for sb in list(_open):
        sb.close()


def _on_sigterm(signum: int, frame: Any) -> None:
    _close_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_hooks() -> None:
    """Remove our containers on normal exit and on SIGTERM (Ctrl-C exits normally)."""
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(_close_all)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) == signal.SIG_DFL:
                signal.signal(sig, _on_sigterm)


def start_containers(client: Any, spec: ContainerSpec, n: int) -> list[RunnerWorker]:
    """Start n worker containers at once; all or none (the started ones are removed)."""
    started: list[RunnerWorker] = []
    error: Exception | None = None
    try:
        with ThreadPoolExecutor(n) as ex:
            futures = [ex.submit(ContainerWorker, client, spec) for _ in range(n)]
            for f in futures:
                try:
                    started.append(f.result())
                except Exception as exc:
                    error = exc
        if len(started) < n:
            raise SandboxFailure(f"a sandbox container did not start: {error}")
    except BaseException:
        for w in started:
            w.close()
        raise
    return started


class DockerSandbox(RunnerPool):
    """The Sandbox protocol over a pool of containers. Thread-safe; a context manager."""

    name = "docker"

    def __init__(
        self,
        workers: int | None = None,
        *,
        cache_dir: Path | None = None,
        image: str | None = None,
        memory_mb: int = 4096,
        pids: int = 512,
        tmpfs_mb: int = 2048,
        store_mb: int = 512,
    ) -> None:
        import docker  # type: ignore[import-untyped]

        self.mode = "docker"
        try:
            self.client = _client()
            self.client.ping()
        except docker.errors.DockerException:
            raise UserError(
                "the Docker daemon does not answer; start it or use --sandbox local."
            ) from None
        # The default tag names this checkout's Dockerfile and runner, so an existing image is
        # a current one; an image named by the caller is taken as it is.
        image = image or sandbox_image()
        found = find_image(self.client, image)
        if found is None:
            raise UserError(
                f"the sandbox image {image} is missing or out of date; run `cpsolve sandbox build`."
            )
        self.image_id = found.id
        self.swept = sweep_stale(self.client)
        _install_hooks()
        spec = ContainerSpec(image, memory_mb, pids, tmpfs_mb, store_mb)
        started = time.monotonic()
        containers = start_containers(self.client, spec, worker_count(workers))
        # The image id joins the compile key: a binary built in this image stays with it.
        marker = f"--cpsolve-image={self.image_id}"
        super().__init__(containers, cache_dir=cache_dir, ping_timeout=120, key_flags=[marker])
        _open.add(self)
        self.startup_s = time.monotonic() - started

    def containers(self) -> list[Any]:
        """The live worker containers (for inspection)."""
        workers = [w for w in self._all if isinstance(w, ContainerWorker)]  # all of them
        return [w.container for w in workers if w.container is not None]

    def close(self) -> None:
        super().close()
        _open.discard(self)

"""One in-box runner as the pool sees it: where the runner's files are, the uid block a worker
claims, and the request/reply protocol over a transport that each backend supplies (a local
process in `local`, a container in `docker`)."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import tempfile
from abc import ABC, abstractmethod
from collections import deque
from pathlib import Path
from typing import Any

from cpsolve.sandbox.cache import CachedArtifact

RUNNER_DIR = Path(__file__).resolve().parent / "runner"  # the in-box runner package
RUNNER = RUNNER_DIR / "__main__.py"  # its entry, run as a plain file (`python3 -I RUNNER`)
BOX_RUNNER_DIR = "/opt/cpsolve/runner"  # where a box holds it (bwrap binds it, the image copies)
BOX_RUNNER = f"{BOX_RUNNER_DIR}/__main__.py"
UID_BASE, UID_BLOCK, UID_BLOCKS = 100_000, 16, 4096
LOCK_DIR = Path(tempfile.gettempdir()) / "cpsolve-uid-locks"


class SandboxFailure(RuntimeError):
    """A runner died, hung or answered an error: the affected results become SE."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str | None) -> bytes:
    return base64.b64decode(text) if text else b""


class LineReader:
    """Reply framing in linear time: bytes arrive in chunks, and only a chunk's own bytes are
    searched for the newline; a line's chunks are joined once, when it is complete (a reply
    carrying 60 MiB of output is read in one pass, not re-scanned per chunk)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._lines: deque[bytes] = deque()

    def feed(self, chunk: bytes) -> None:
        *complete, rest = chunk.split(b"\n")
        for piece in complete:
            self._parts.append(piece)
            self._lines.append(b"".join(self._parts))
            self._parts = []
        if rest:
            self._parts.append(rest)

    def pop(self) -> bytes | None:
        """The next complete line (without its newline), or None before one arrived."""
        return self._lines.popleft() if self._lines else None


def uid_block() -> tuple[int, int, int]:
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


class RunnerWorker(ABC):
    """The JSON-lines protocol (`request`) and the artifacts the runner holds (`ensure`), over a
    transport a subclass provides (`_send`, `_read_line`, `stop`, `restart`). Every worker owns
    a uid block (`uids`, "FIRST-LAST") until `close`. Used by one thread at a time."""

    what = "worker"  # how failures name it

    def __init__(self) -> None:
        self.held: set[str] = set()
        self._seq = 0
        self.lock_fd, first, last = uid_block()
        self.uids = f"{first}-{last}"

    @abstractmethod
    def _send(self, line: bytes) -> None:
        """The transport: write one request line to the runner."""

    @abstractmethod
    def _read_line(self, timeout: float) -> bytes:
        """The transport: one reply line from the runner, within `timeout` seconds."""

    @abstractmethod
    def stop(self) -> None:
        """The transport: end the runner and whatever holds it (its process or container)."""

    @abstractmethod
    def restart(self) -> None:
        """The transport: replace a broken runner with a fresh one."""

    def checkout(self) -> None:
        """Called when the pool hands this worker out; a transport may check its health here
        (the container's does), the local process needs nothing."""
        return

    def close(self) -> None:
        self.stop()
        os.close(self.lock_fd)

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
        if reply.get("dirty"):  # its box could not be cleaned: it ended; start a fresh one
            self.restart()
        return reply

    def ensure(self, item: CachedArtifact) -> None:
        key = item.artifact.key
        if key in self.held:
            return
        files = {k: b64(v) for k, v in item.files.items()}
        reply = self.request(
            "put", 60, key=key, language=item.artifact.language.value, entry=item.entry,
            files=files,
        )  # fmt: skip
        if not reply["ok"]:
            raise SandboxFailure(f"runner refused an artifact: {reply.get('message')}")
        self.held.add(key)

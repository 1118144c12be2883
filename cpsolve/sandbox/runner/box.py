"""What the ops need of the runner: the box they run in, as a structural type.

The compile op (`compiling.py`) and jobs (`jobs.py`) take a `Box`; `server.Runner` is one. The
ops depend on this small face, not on the server that dispatches to them, so the runner's modules
import one way: server -> ops -> box.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from .launch import Proc, Spec
from .store import ArtifactStore


class Box(Protocol):
    uids: list[int | None]
    setuid: bool
    trusted_gid: int | None
    io_dir: str
    store: ArtifactStore

    def env(self, cwd: str) -> dict: ...

    def flags(self) -> dict: ...

    def pch(self) -> dict | None: ...

    def new_dir(self, owner: int | None, mode: int = 0o700) -> str: ...

    def cleanup(
        self, path: str, uids: Sequence[int | None], sweep_needed: bool
    ) -> tuple[float, int]: ...

    def launch(
        self, specs: list[Spec], poll: Callable[[list[Proc]], None] | None = None
    ) -> list[Proc]: ...

    def io_files(self, *names: str) -> list[str]: ...

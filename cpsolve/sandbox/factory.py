"""Choosing a sandbox backend: `open_sandbox("auto" | "local" | "docker")`."""

from __future__ import annotations

import importlib
import sys
from typing import Any

from cpsolve.errors import UserError
from cpsolve.sandbox.base import Sandbox, SandboxKind


def _docker_module() -> Any | None:
    try:
        return importlib.import_module("cpsolve.sandbox.docker")
    except Exception:  # not written yet, or the docker package is broken: no Docker
        return None


def docker_is_ready() -> bool:
    """True when the Docker backend says a daemon answers and the sandbox image exists."""
    mod = _docker_module()
    if mod is None:
        return False
    try:
        return bool(mod.docker_ready())
    except Exception:
        return False


def _say(console: Any, text: str) -> None:
    if console is not None:
        console.print(text, highlight=False)
    else:
        print(text, file=sys.stderr)


def open_sandbox(
    kind: SandboxKind = "auto",
    workers: int | None = None,
    console: Any = None,
    *,
    cluster: str | None = None,
    ray_address: str | None = None,
) -> Sandbox:
    """Open a sandbox; close it with `close()` or use it as a context manager. `cluster="ray"`:
    the `kind` sandbox on every node of the Ray cluster at `ray_address` (or RAY_ADDRESS)."""
    if cluster == "ray":
        from cpsolve.sandbox.ray_pool import open_ray_sandbox

        sb: Sandbox = open_ray_sandbox(ray_address, kind, workers)
        _say(console, f"sandbox: ray ({sb.workers} actors, each a {kind} sandbox)")
        return sb
    if cluster is not None:
        raise UserError(f"unknown cluster '{cluster}' (use ray)")
    if kind == "auto":
        kind = "docker" if docker_is_ready() else "local"
        why = (
            "a Docker daemon and the sandbox image are ready"
            if kind == "docker"
            else ("no ready Docker daemon and sandbox image")
        )
        _say(console, f"sandbox: {kind} ({why})")
    if kind == "docker":
        mod = _docker_module()
        make = getattr(mod, "DockerSandbox", None) if mod is not None else None
        if make is None:
            raise UserError("the Docker sandbox is not available; use --sandbox local")
        return make(workers=workers)
    if kind == "local":
        from cpsolve.sandbox.local import LocalSandbox

        return LocalSandbox(workers=workers)
    raise UserError(f"unknown sandbox '{kind}' (use auto, local or docker)")

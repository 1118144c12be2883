"""Running the grading service: a sandbox, the problems, a grader and uvicorn, closed in order."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from pydantic import BaseModel, Field

from cpsolve.sandbox.base import SandboxKind
from cpsolve.serve.models import RewardShape


class ServeConfig(BaseModel):
    """Every setting of `cpsolve serve`, with its default."""

    set_dir: Path
    host: str = "127.0.0.1"  # loopback: nothing off this machine can reach it unless asked
    port: int = Field(default=8000, ge=0, le=65535)
    sandbox: SandboxKind = "auto"
    workers: int | None = None  # sandbox workers (default: one per CPU)
    threads: int | None = None  # gradings at a time (default: the sandbox's workers)
    reward: RewardShape = RewardShape.BINARY
    token: str | None = None
    max_pending: int = Field(default=256, ge=1)
    timeout_s: float = Field(default=300.0, gt=0)
    retries: int = Field(default=2, ge=0)
    result_cache: int = Field(default=4096, ge=0)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(config: ServeConfig) -> None:
    """Serve until interrupted (uvicorn handles SIGINT and SIGTERM)."""
    import uvicorn

    from cpsolve.sandbox.factory import open_sandbox
    from cpsolve.serve.app import create_app
    from cpsolve.serve.catalog import Catalog
    from cpsolve.serve.grader import Grader

    catalog = Catalog.load(config.set_dir)
    sandbox = open_sandbox(config.sandbox, workers=config.workers)
    grader = Grader(
        catalog,
        sandbox,
        shape=config.reward,
        threads=config.threads,
        max_pending=config.max_pending,
        retries=config.retries,
        result_cache=config.result_cache,
    )
    try:
        app = create_app(grader, token=config.token, timeout_s=config.timeout_s)
        uvicorn.run(app, host=config.host, port=config.port, log_level="warning")
    finally:
        grader.close()
        sandbox.close()

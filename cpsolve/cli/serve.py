"""`cpsolve serve SET_DIR`: the judge as an HTTP grading service (see docs/serve.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cpsolve.errors import UserError

err_console = Console(stderr=True)


def serve(
    set_dir: Annotated[Path, typer.Argument(help="A directory of problems (or one problem).")],
    host: Annotated[str, typer.Option(help="Address to bind; loopback by default.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    sandbox: Annotated[str, typer.Option(help="Sandbox backend: local, docker or auto.")] = "auto",
    workers: Annotated[int | None, typer.Option(help="Sandbox workers (default: CPUs).")] = None,
    reward: Annotated[
        str, typer.Option(help="Default reward shape: binary, fraction, ioi or codeforces.")
    ] = "binary",
    token: Annotated[
        str | None,
        typer.Option(envvar="CPSOLVE_SERVE_TOKEN", help="Require this bearer token."),
    ] = None,
    max_pending: Annotated[int, typer.Option(help="Gradings queued before 429.")] = 256,
    timeout: Annotated[float, typer.Option(help="Time bound of one request, seconds.")] = 300.0,
    retries: Annotated[int, typer.Option(help="Retries after a sandbox failure.")] = 2,
    result_cache: Annotated[
        int, typer.Option(help="Answers of identical requests kept (0: none).")
    ] = 4096,
) -> None:
    """Serve the judge over HTTP: POST /grade, /grade/batch; GET /problems, /healthz, /metrics."""
    try:
        from cpsolve.serve.models import RewardShape
        from cpsolve.serve.server import ServeConfig, is_loopback
        from cpsolve.serve.server import serve as run_server
    except ImportError as e:
        extra = "pip install 'cpsolve[serve]'"
        raise UserError(f"cpsolve serve needs the serve extra: {extra} ({e})") from None
    if sandbox not in ("auto", "local", "docker"):
        raise UserError(f"unknown sandbox '{sandbox}' (use auto, local or docker)")
    shapes = [s.value for s in RewardShape]
    if reward not in shapes:
        raise UserError(f"unknown reward shape '{reward}' (use {', '.join(shapes)})")
    if not is_loopback(host) and token is None:
        err_console.print(
            f"warning: serving on {host} with no token: anyone who reaches it can grade"
        )
    config = ServeConfig(
        set_dir=set_dir, host=host, port=port, sandbox=sandbox, workers=workers,  # type: ignore[arg-type]
        reward=RewardShape(reward), token=token, max_pending=max_pending, timeout_s=timeout,
        retries=retries, result_cache=result_cache,
    )  # fmt: skip
    err_console.print(f"cpsolve serve: http://{host}:{port} ({set_dir})", highlight=False)
    run_server(config)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)

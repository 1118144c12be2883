"""Finding a model on this machine: a directory, or a hub name already in the local cache.

Nothing is downloaded at run time; a model that cannot be loaded offline is a UserError.
"""

from __future__ import annotations

import os
from pathlib import Path

from cpsolve.errors import UserError


def go_offline() -> None:
    """Keep transformers, huggingface_hub and vLLM from reaching for the network."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def resolve_model(model: str) -> str:
    """A local model directory for `model` (a path, or a hub name in the local cache)."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise UserError(f"{path}: not a model directory (it holds no config.json)")
        return str(path.resolve())
    if path.exists():
        raise UserError(f"{path}: a model is a directory with config.json, not a file")
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(model, local_files_only=True)
    except Exception:
        raise UserError(
            f"model '{model}' is neither a local directory nor in the Hugging Face cache; "
            f"download it first (huggingface-cli download {model}) or pass its directory"
        ) from None


def read_chat_template(path: str | None) -> str | None:
    """The text of a chat template file given by the user, if any."""
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{p}: no such chat template file")
    return p.read_text()

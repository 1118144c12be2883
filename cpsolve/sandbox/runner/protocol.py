"""The runner's side of the wire: its version, request errors, base64 and file names."""

from __future__ import annotations

import base64

VERSION = 1


class RequestError(Exception):
    def __init__(self, code: str, message: str, **extra: object) -> None:
        super().__init__(message)
        self.code = code
        self.extra = extra


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def plain_name(name: str) -> str:
    if not name or "/" in name or name in (".", "..") or "\0" in name:
        raise RequestError("bad_request", f"not a plain file name: {name!r}")
    return name

"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cpsolve.sandbox.base import Sandbox
from cpsolve.sandbox.factory import open_sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """The local sandbox, one a test module (a module may define its own)."""
    with open_sandbox("local") as sb:
        yield sb

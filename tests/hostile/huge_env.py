"""Tries to exec with a huge argv and environment (tens of MiB).
Expected: AC (the kernel refuses or the child runs; either way nothing breaks)."""

import os

env = {f"V{i}": "e" * 16384 for i in range(1000)}
argv = ["true"] + ["a" * 4096] * 4000
try:
    os.execve("/bin/true", argv, env)
except OSError as exc:
    print("refused", type(exc).__name__)

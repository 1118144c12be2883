"""What the runner asks of the kernel directly: libc (prctl, SysV IPC removal) and the PATH that
programs and compilers get."""

from __future__ import annotations

import ctypes
import os

PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine, -1)
SYS_PATH = "/usr/local/bin:/usr/bin:/bin"

libc = ctypes.CDLL(None, use_errno=True)

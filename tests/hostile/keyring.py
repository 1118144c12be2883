"""Reaches for kernel state outside the box: the session keyring it may have inherited, a key
that would outlive the run, a user (or other) namespace. Expected: AC, every attempt refused."""

import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
NR = {"x86_64": {"add_key": 248, "keyctl": 250}, "aarch64": {"add_key": 217, "keyctl": 219}}
nr = NR.get(os.uname().machine, NR["x86_64"])
SESSION, USER = -3, -4  # KEY_SPEC_SESSION_KEYRING, KEY_SPEC_USER_KEYRING
buf = ctypes.create_string_buffer(4096)


def report(what: str, ok: bool) -> None:
    print(f"{what} {'LEAKED' if ok else 'refused'}")


found = libc.syscall(nr["keyctl"], 11, SESSION, buf, 4096)  # KEYCTL_READ: its key ids
report("read-session-keyring", found > 0)
desc = libc.syscall(nr["keyctl"], 6, SESSION, buf, 4096)  # KEYCTL_DESCRIBE
report("describe-session-keyring", desc > 0)
key = libc.syscall(nr["add_key"], b"user", b"cpsolve-planted", b"payload", 7, USER)
report("add-user-key", key > 0)
key = libc.syscall(nr["add_key"], b"user", b"cpsolve-planted", b"payload", 7, SESSION)
report("add-session-key", key > 0)
FLAGS = {"user": 0x10000000, "net": 0x40000000, "mount": 0x20000, "ipc": 0x08000000}
for name, flag in FLAGS.items():
    report(f"unshare-{name}", libc.unshare(flag) == 0)
pid = os.fork()
if pid == 0:
    os._exit(0 if libc.unshare(0x10000000) == 0 else 1)
_, status = os.waitpid(pid, 0)
report("child-unshare-user", status == 0)
report("mount", libc.mount(b"none", b".", b"tmpfs", 0, None) == 0)
report("ptrace-parent", libc.ptrace(16, os.getppid(), None, None) == 0)  # PTRACE_ATTACH

"""After a run: kill every process of its uids, reap what this subreaper adopted, and remove
the SysV IPC objects pool uids created."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Sequence

from .system import libc


def uid_pids(uids: set[int]) -> list[tuple[int, int]]:
    """(pid, uid) of the processes (zombies included) whose real uid is in `uids`."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status", "rb") as f:
                for line in f:
                    if line.startswith(b"Uid:"):
                        uid = int(line.split()[1])
                        if uid in uids:
                            found.append((int(name), uid))
                        break
        except (OSError, ValueError):
            continue
    return found


def kill_as(uid: int) -> None:
    """kill(-1, SIGKILL) as `uid`: every process of that uid at once, nothing else."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)
        except BaseException:
            os._exit(1)
        os._exit(0)
    while True:
        try:
            os.waitpid(pid, 0)
            return
        except InterruptedError:
            continue


def sweep(uids: Sequence[int | None]) -> tuple[float, int]:
    """Kill every process of these uids and reap what this subreaper adopted, until /proc shows
    none of them (zombies count against RLIMIT_NPROC until reaped). Returns the reaped
    processes' CPU seconds and max RSS (KiB)."""
    targets = {u for u in uids if u is not None}
    cpu, rss = 0.0, 0
    deadline = time.monotonic() + 10
    while targets:
        left = {uid for _, uid in uid_pids(targets)}
        c, r = reap_orphans()
        cpu, rss = cpu + c, max(rss, r)
        if not left or time.monotonic() > deadline:
            break
        for uid in left:
            kill_as(uid)
        time.sleep(0.0002)
    return cpu, rss


def reap_orphans() -> tuple[float, int]:
    """Reap exited children (orphans adopted by this subreaper); their CPU seconds and max RSS
    (KiB)."""
    cpu, rss = 0.0, 0
    while True:
        try:
            pid, _, ru = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        cpu += ru.ru_utime + ru.ru_stime
        rss = max(rss, ru.ru_maxrss)
    return cpu, rss


IPC_COLUMNS = {"shm": (7, 9), "sem": (4, 6), "msg": (7, 9)}  # (uid, cuid) in /proc/sysvipc/*


def remove_ipc(uids: set[int]) -> None:
    """Remove SysV IPC objects created by pool uids (they would outlive the run). Removal runs
    as the creator: the runner may lack CAP_SYS_ADMIN (Docker)."""
    found: dict[int, list[tuple[str, int]]] = {}
    for kind, (uid_col, cuid_col) in IPC_COLUMNS.items():
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if len(cols) > cuid_col:
                owner = int(cols[cuid_col])
                if owner in uids or int(cols[uid_col]) in uids:
                    found.setdefault(owner, []).append((kind, int(cols[1])))
    for owner, objects in found.items():
        pid = os.fork()
        if pid == 0:
            try:
                os.setresgid(owner, owner, owner)
                os.setresuid(owner, owner, owner)
                for kind, ident in objects:  # IPC_RMID = 0
                    if kind == "sem":
                        libc.semctl(ident, 0, 0, 0)
                    else:
                        getattr(libc, f"{kind}ctl")(ident, 0, None)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)

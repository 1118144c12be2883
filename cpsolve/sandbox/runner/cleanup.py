"""After a run: kill every process of its uids, reap what this subreaper adopted, and remove
the SysV IPC objects pool uids created."""

from __future__ import annotations

import ctypes
import os
import signal
import stat
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
    """Kill every process of these uids and reap what this subreaper adopted (`sweep_left`).
    Returns the reaped processes' CPU seconds and max RSS (KiB)."""
    cpu, rss, _ = sweep_left(uids)
    return cpu, rss


def sweep_left(uids: Sequence[int | None]) -> tuple[float, int, set[int]]:
    """Kill every process of these uids and reap what this subreaper adopted, until /proc shows
    none of them (zombies count against RLIMIT_NPROC until reaped) or 10 s passed. Returns the
    reaped processes' CPU seconds, max RSS (KiB) and the uids that still have a process."""
    targets = {u for u in uids if u is not None}
    cpu, rss = 0.0, 0
    left: set[int] = set()
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
    return cpu, rss, left


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
# (cmd, index of the in-use count among the struct's leading ints): shm_info.used_ids,
# seminfo.semusz, msginfo.msgpool as SHM_INFO, SEM_INFO and MSG_INFO fill them in
IPC_INFO_CMDS = {"shm": (14, 0), "sem": (19, 7), "msg": (12, 0)}


def ipc_in_use() -> bool:
    """Whether this IPC namespace holds any SysV object: three counts from the kernel instead of
    reading /proc/sysvipc (the usual run leaves none). True when the kernel does not say."""
    for kind, (cmd, index) in IPC_INFO_CMDS.items():
        info = (ctypes.c_int * 16)()
        if kind == "sem":
            done = libc.semctl(0, 0, cmd, ctypes.byref(info))
        else:
            done = getattr(libc, f"{kind}ctl")(0, cmd, ctypes.byref(info))
        if done < 0 or info[index] != 0:
            return True
    return False


def remove_ipc(uids: set[int]) -> None:
    """Remove SysV IPC objects created by pool uids (they would outlive the run). Removal runs
    as the creator: the runner may lack CAP_SYS_ADMIN (Docker)."""
    if not ipc_in_use():
        return
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


class CleanupError(OSError):
    """A work directory could not be removed: the box is not clean, the worker must be reset."""


def remove_tree(path: str, max_entries: int = 10_000_000) -> None:
    """Remove the directory `path` and everything in it, or raise CleanupError.

    Without recursion and with two directory fds open at most: a subdirectory that is not empty
    is emptied of its files and its own subdirectories are moved up into `path` (renamed to
    fresh names), so any depth takes a queue, never a stack. Every directory is made searchable
    first (a program may leave one mode 000); links are removed, never followed. The processes
    that wrote the tree are dead (swept) before this runs."""
    try:
        os.rmdir(path)  # the usual case: the run left nothing in it
        return
    except FileNotFoundError:
        return
    except OSError:
        pass  # not empty: the walk below
    try:
        top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CleanupError(f"cannot open {path}: {exc}") from exc
    fresh = 0
    try:
        queue = os.listdir(top)
        while queue:
            name = queue.pop()
            max_entries -= 1
            if max_entries < 0:
                raise CleanupError(f"{path}: too many entries to remove")
            try:
                if not stat.S_ISDIR(os.lstat(name, dir_fd=top).st_mode):
                    os.unlink(name, dir_fd=top)
                    continue
                os.chmod(name, 0o700, dir_fd=top)
                sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=top)
            except FileNotFoundError:
                continue
            try:
                for entry in os.listdir(sub):
                    if stat.S_ISDIR(os.lstat(entry, dir_fd=sub).st_mode):
                        fresh = _move_up(sub, entry, top, fresh)
                        queue.append(f".cps-rm-{fresh}")
                    else:
                        os.unlink(entry, dir_fd=sub)
            finally:
                os.close(sub)
            os.rmdir(name, dir_fd=top)
        os.chmod(top, 0o700)
    except OSError as exc:
        raise CleanupError(f"cannot remove {path}: {exc}") from exc
    finally:
        os.close(top)
    try:
        os.rmdir(path)
    except OSError as exc:
        raise CleanupError(f"cannot remove {path}: {exc}") from exc


def _move_up(sub: int, entry: str, top: int, fresh: int) -> int:
    """Rename directory `entry` of `sub` to a fresh name in `top`; the number it took."""
    while True:
        fresh += 1
        target = f".cps-rm-{fresh}"
        try:
            os.lstat(target, dir_fd=top)
            continue  # taken (a program may have made one): try the next
        except FileNotFoundError:
            pass
        os.rename(entry, target, src_dir_fd=sub, dst_dir_fd=top)
        return fresh

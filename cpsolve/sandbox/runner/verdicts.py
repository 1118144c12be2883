"""Verdicts from resources alone (OLE, TLE, MLE, AC, RE), and what they are read from."""

from __future__ import annotations

import os
import signal
import struct

from .launch import Proc

MEM_HINTS = (b"bad_alloc", b"MemoryError", b"Cannot allocate memory", b"out of memory")


def elf_memory_mb(data: bytes) -> float:
    """Memory an ELF executable maps before main (its PT_LOAD segments: code, data, BSS)."""
    if data[:4] != b"\x7fELF" or data[4] != 2:  # 64-bit only
        return 0.0
    end = "<" if data[5] == 1 else ">"
    (phoff,) = struct.unpack_from(end + "Q", data, 0x20)
    phentsize, phnum = struct.unpack_from(end + "HH", data, 0x36)
    total = 0
    for i in range(phnum):
        off = phoff + i * phentsize
        if off + 56 > len(data):
            break
        if struct.unpack_from(end + "I", data, off)[0] == 1:  # PT_LOAD
            total += struct.unpack_from(end + "Q", data, off + 40)[0]  # p_memsz
    return total / 2**20


def judge(p: Proc, limits: dict, out_size: int, err_head: bytes, static_mb: float = 0) -> dict:
    status = p.status if p.status is not None else 0
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    cpu = p.cpu
    rss_mb = p.rss_kb / 1024.0
    failed = sig is not None or code != 0
    if sig == signal.SIGXFSZ or out_size >= limits["output_mb"] << 20:
        verdict = "OLE"
    elif p.memory_killed:
        verdict = "MLE"
    elif p.timed_out or sig == signal.SIGXCPU or cpu > limits["cpu_s"]:
        verdict = "TLE"
    elif (
        rss_mb > limits["memory_mb"]
        # its arrays alone exceed the limit: with only a loose address-space guard the exec
        # succeeds, and untouched BSS is not resident, but a judge counts declared arrays
        or static_mb >= limits["memory_mb"]
        or (
            failed
            and (rss_mb >= 0.9 * limits["memory_mb"] or any(h in err_head for h in MEM_HINTS))
        )
    ):
        verdict = "MLE"
    elif not failed:
        verdict = "AC"
    else:
        verdict = "RE"
    return {
        "verdict": verdict,
        "exit_code": code,
        "signal": sig,
        "cpu_s": round(cpu, 6),
        "wall_s": round(p.wall, 6),
        "memory_mb": round(rss_mb, 3),
    }


def read_head(path: str, limit: int) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(limit)
    except FileNotFoundError:  # the process failed before opening it
        return b""

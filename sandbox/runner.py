#!/usr/bin/env python3
"""cpsolve in-box runner: compiles and runs untrusted programs. Python 3 stdlib only.

The same file serves both backends: the local backend starts it under bubblewrap, the Docker
backend starts it inside a long-lived container (``python3 /opt/cpsolve/runner.py ...``).

Command line
============
    python3 runner.py [--root DIR] [--uids FIRST-LAST] [--store-mb N]

--root DIR     private state directory (default /tmp/cpsolve-runner); the runner creates
               DIR/art (artifact store), DIR/io (stdin/stdout/stderr files), DIR/box (work dirs).
               It must be private to this runner (a tmpfs inside the box is ideal).
--uids A-B     the unprivileged uids this runner owns (default 100000-100015). Every process of a
               run gets one of them; a job stage with k processes uses the first k. The range
               must not be shared with any other runner or process on the kernel (RLIMIT_NPROC and
               the kill sweep work per uid), so give every concurrent runner its own range.
               When the runner is not root (no CAP_SETUID) programs run under its own uid and
               the isolation is weaker (reported by ping as "setuid": false).
--store-mb N   size cap of the artifact store, least recently used evicted (default 512).

The runner needs, as root: CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_FOWNER, CAP_DAC_OVERRIDE,
CAP_KILL. Programs run with no capabilities, no_new_privs, their own session, umask 022,
env PATH/HOME/TMPDIR/LANG only, cwd = a fresh work directory owned by their uid.

Protocol
========
One JSON object per line on stdin (requests) and stdout (replies); nothing else is ever written
to stdout (diagnostics go to stderr). Requests are handled one at a time, in order; run several
runners for parallelism. Every byte string travels as base64 (standard alphabet, padded).

Request:  {"id": ID, "op": OP, ...fields}      ID: any JSON value, echoed back verbatim.
Reply:    {"id": ID, "ok": true, ...fields}
Error:    {"id": ID, "ok": false, "error": CODE, "message": TEXT[, "key": KEY]}
          CODE is one of: "bad_request" (malformed JSON or fields), "unknown_op",
          "unknown_artifact" (send "put" with that "key", then retry), "internal".
          A malformed line gets id null.

Limits (LIMITS below) is an object: {"cpu_s": float, "wall_s": float, "memory_mb": int,
"output_mb": int, "stderr_kb": int, "processes": int, "open_files": int}; all required.

ops
---
ping      -> {"version": 1, "setuid": bool, "uids": [first, last], "python": PATH,
              "flags": {"cpp": [argv...], "c": [argv...], "python": [argv...]}}
              "flags" are the exact compile commands (they belong in a cache key).
put       {"key": KEY, "language": "cpp"|"c"|"python", "entry": NAME, "files": {NAME: B64}}
          -> {}                 stores an artifact (a binary, or Python sources) under KEY.
compile   {"key": KEY, "language": L, "files": {NAME: B64}, "source": NAME,
           "extra_sources": [NAME...], "return_files": bool}
          -> {"artifact": {"ok": bool, "message": TEXT, "compile_s": float, "entry": NAME,
                           "files": {NAME: B64}}}
          Compiles in the box as a pool uid under compile limits (CPU 20 s, wall 40 s, 2 GiB
          address space, 256 MiB files, 64 processes); on success the artifact is stored under
          KEY; "files" (only when return_files) is what "put" takes back later.
run_batch {"key": KEY, "inputs": [B64...], "limits": LIMITS, "keep_output": bool,
           "args": [ARG...]}
          -> {"results": [RESULT...]}   one per input, in order. RESULT:
             {"verdict": "AC"|"RE"|"TLE"|"MLE"|"OLE"|"SE", "exit_code": int|null,
              "signal": int|null, "cpu_s": float, "wall_s": float, "memory_mb": float,
              "stdout": B64|null (null unless keep_output), "stdout_sha": HEX (sha256 of stdout),
              "stderr": B64 (head, stderr_kb), "stdout_truncated": bool, "error": TEXT|null}
run_job   {"job": {"files": {NAME: B64}, "input": B64, "fifos": [NAME...],
                   "stages": [{"procs": [PROC...]}], "collect": [NAME...],
                   "collect_max_bytes": int}}
          PROC: {"name": TEXT, "program": KEY|null, "args": [ARG...], "stdin": STREAM,
                 "stdout": STREAM, "stderr": STREAM, "limits": LIMITS, "trusted": bool}
          STREAM: "input" (the job input), "file:NAME", "fifo:NAME", "null", "capture"
          (stdout/stderr only). With program null, args[0] names a system command (python3).
          -> {"result": {"procs": [PROCRESULT...], "files": {NAME: B64}, "error": TEXT|null}}
          PROCRESULT: RESULT without stdout_sha/error, plus "name"; "stdout" is B64 ("" when
          not captured). A stage runs only when every process of the previous one got AC;
          skipped processes are not reported. A trusted process that exceeds a limit or cannot
          start makes the job SE (its verdict SE, "error" set); its plain non-zero exit stays RE
          with the exit code (checkers speak through exit codes).
shutdown  -> {} and the runner exits.

Verdicts come from resources alone: OLE (SIGXFSZ or stdout at its cap), TLE (wall timeout,
SIGXCPU, or CPU time over cpu_s), MLE (peak RSS over memory_mb, or a failure with an
allocation-failure message or RSS near the cap), AC (exit 0), RE. CPU time is the whole tree's
(the runner is a child subreaper and adds what orphans used); memory is peak RSS.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import resource
import select
import shutil
import signal
import stat
import sys
import time

VERSION = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
SYS_PATH = "/usr/local/bin:/usr/bin:/bin"
MEM_HINTS = (b"bad_alloc", b"MemoryError", b"Cannot allocate memory", b"out of memory")
COMPILE_LIMITS = {
    "cpu_s": 20.0,
    "wall_s": 40.0,
    "memory_mb": 2048,
    "output_mb": 256,
    "stderr_kb": 16,
    "processes": 64,
    "open_files": 256,
}

_libc = ctypes.CDLL(None, use_errno=True)


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


# ---------------------------------------------------------------- spawning
#
# Every process is started through a launcher: a tiny static C program (compiled from
# LAUNCHER_C when the runner starts) that the runner posix_spawns. The launcher forks the
# program, so the program's peak RSS is not inflated by the runner's own memory, sets it up
# (rlimits, uid, streams), enforces the wall-clock limit and reports on fd 3. Without a C
# compiler, `runner.py --launch` does the same in Python (slower, RSS inflated by Python's).
#
# launcher UID CPU_S FSIZE NOFILE NPROC AS WALL_MS CWD STDIN STDOUT STDERR -- PROGRAM ARGS...
#   UID -1 keeps the uid. Streams: fd:N (inherited fd N), r:PATH, w:PATH, fr:PATH / fw:PATH
#   (FIFO read/write end); paths are opened by the program's side after dropping privileges,
#   read ends first and without blocking, so FIFO pairs never deadlock.
#   Report on fd 3: "ok STATUS UTIME_US STIME_US MAXRSS_KB WALL_US TIMED_OUT" or "err MESSAGE".

LAUNCHER_C = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int errpipe[2];

static void fail(const char *what) {
  char buf[600];
  int n = snprintf(buf, sizeof buf, "%s: %s", what, strerror(errno));
  if (write(errpipe[1], buf, n) < 0) {}
  _exit(127);
}

static void lim(int res, unsigned long long v, unsigned long long hard, const char *what) {
  struct rlimit r = {v, hard};
  if (setrlimit(res, &r) != 0) fail(what);
}

static int is_read(const char *s) { return !strncmp(s, "r:", 2) || !strncmp(s, "fr:", 3); }

static int open_stream(const char *s) {
  if (!strncmp(s, "fd:", 3)) return atoi(s + 3);
  if (!strncmp(s, "r:", 2)) return open(s + 2, O_RDONLY | O_NOFOLLOW);
  if (!strncmp(s, "fr:", 3)) {
    int fd = open(s + 3, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
  }
  if (!strncmp(s, "w:", 2)) return open(s + 2, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
  if (!strncmp(s, "fw:", 3)) return open(s + 3, O_WRONLY | O_NOFOLLOW);
  errno = EINVAL;
  return -1;
}

static void child(char **argv, char **prog) {
  long uid = atol(argv[1]);
  unsigned long long cpu = (unsigned long long)atof(argv[2]) + 1;
  unsigned long long as = strtoull(argv[6], 0, 10);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, 0);
  for (int s = 1; s < 32; s++) signal(s, SIG_DFL);
  if (setpgid(0, 0) != 0) fail("setpgid");
  lim(RLIMIT_CPU, cpu, cpu + 1, "RLIMIT_CPU");
  lim(RLIMIT_FSIZE, strtoull(argv[3], 0, 10), strtoull(argv[3], 0, 10), "RLIMIT_FSIZE");
  lim(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
  lim(RLIMIT_NOFILE, strtoull(argv[4], 0, 10), strtoull(argv[4], 0, 10), "RLIMIT_NOFILE");
  lim(RLIMIT_NPROC, strtoull(argv[5], 0, 10), strtoull(argv[5], 0, 10), "RLIMIT_NPROC");
  lim(RLIMIT_STACK, as, as, "RLIMIT_STACK");
  lim(RLIMIT_MEMLOCK, 0, 0, "RLIMIT_MEMLOCK");
  lim(RLIMIT_MSGQUEUE, 0, 0, "RLIMIT_MSGQUEUE");
  if (uid >= 0) {
    if (setgroups(0, 0) != 0) fail("setgroups");
    if (setresgid(uid, uid, uid) != 0) fail("setresgid");
    if (setresuid(uid, uid, uid) != 0) fail("setresuid");
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
  umask(022);
  if (chdir(argv[8]) != 0) fail("chdir");
  int fds[3];
  for (int phase = 0; phase < 2; phase++)
    for (int i = 0; i < 3; i++)
      if (is_read(argv[9 + i]) == (phase == 0)) {
        int fd = open_stream(argv[9 + i]);
        if (fd < 0) fail(argv[9 + i]);
        fds[i] = fcntl(fd, F_DUPFD, 10);
        if (fds[i] < 0) fail("dup");
      }
  for (int i = 0; i < 3; i++)
    if (dup2(fds[i], i) < 0) fail("dup2");
  syscall(SYS_close_range, 3, errpipe[1] - 1, 0);
  syscall(SYS_close_range, errpipe[1] + 1, ~0U, 0);
  lim(RLIMIT_AS, as, as, "RLIMIT_AS");
  execve(prog[0], prog, environ);
  fail(prog[0]);
}

int main(int argc, char **argv) {
  if (argc < 14 || strcmp(argv[12], "--") != 0) {
    dprintf(3, "err launcher usage\n");
    return 2;
  }
  long wall_ms = atol(argv[7]);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, 0);
  if (pipe2(errpipe, O_CLOEXEC) != 0) { dprintf(3, "err pipe\n"); return 2; }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) { dprintf(3, "err fork: %s\n", strerror(errno)); return 2; }
  if (pid == 0) child(argv, argv + 13);
  close(errpipe[1]);
  for (int i = 0; i < 3; i++) close(i);
  int timed_out = 0, status = 0;
  struct rusage ru;
  for (;;) {
    if (wait4(pid, &status, WNOHANG, &ru) == pid) break;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long used = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    long left = wall_ms - used;
    if (left <= 0 && !timed_out) {
      timed_out = 1;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
    }
    if (left <= 0) left = 1000;
    struct timespec ts = {left / 1000, (left % 1000) * 1000000};
    sigtimedwait(&chld, 0, &ts);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  char msg[700];
  ssize_t n = read(errpipe[0], msg, sizeof msg - 1);
  if (n > 0) {
    msg[n] = 0;
    for (ssize_t i = 0; i < n; i++)
      if (msg[i] == '\n') msg[i] = ' ';
    dprintf(3, "err %s\n", msg);
    return 0;
  }
  long long wall_us = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000;
  dprintf(3, "ok %d %lld %lld %ld %lld %d\n", status,
          (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
          (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec, ru.ru_maxrss, wall_us,
          timed_out);
  return 0;
}
"""

STREAM_PREFIX = {"r": "r:", "w": "w:", "fifo_r": "fr:", "fifo_w": "fw:"}


class Spec:
    """How to start one process: argv, cwd, uid, limits and its three streams.

    A stream is an int (an fd the runner opened, handed to the program) or a tuple
    (kind, path) with kind in "r", "w", "fifo_r", "fifo_w", opened on the program's side.
    """

    def __init__(self, argv, cwd, uid, limits, streams, env):
        self.argv, self.cwd, self.uid, self.limits = argv, cwd, uid, limits
        self.streams, self.env = streams, env

    def launcher_args(self) -> list[str]:
        lim = self.limits
        streams = [
            f"fd:{i}" if isinstance(s, int) else STREAM_PREFIX[s[0]] + s[1]
            for i, s in enumerate(self.streams)
        ]
        return [
            str(-1 if self.uid is None else self.uid),
            repr(float(lim["cpu_s"])),
            str(lim["output_mb"] << 20),
            str(lim["open_files"]),
            str(lim["processes"]),
            str(lim["memory_mb"] << 20),
            str(int(lim["wall_s"] * 1000)),
            self.cwd,
            *streams,
            "--",
            *self.argv,
        ]


class Proc:
    """A launched process; filled in from the launcher's report once it exited."""

    def __init__(self, pid: int, report: int, limits: dict, start: float):
        self.pid, self.report, self.limits, self.start = pid, report, limits, start
        self.deadline = start + limits["wall_s"] + 3.0  # backstop: the launcher times out first
        self.error = ""
        self.status = 0
        self.cpu = 0.0
        self.rss_kb = 0
        self.wall = 0.0
        self.timed_out = False

    def read_report(self) -> None:
        os.set_blocking(self.report, False)
        try:
            line = os.read(self.report, 4096).decode(errors="replace").strip()
        except BlockingIOError:
            line = ""
        os.close(self.report)
        if line.startswith("ok "):
            st, ut, stt, rss, wall, tout = (int(x) for x in line.split()[1:7])
            self.status, self.cpu, self.rss_kb = st, (ut + stt) / 1e6, rss
            self.wall, self.timed_out = wall / 1e6, self.timed_out or bool(tout)
        else:
            self.wall = time.monotonic() - self.start
            self.error = line[4:] if line.startswith("err ") else "the launcher was killed"
            if self.timed_out:
                self.error = ""
                self.status = signal.SIGKILL


def spawn(spec: Spec, launcher: list[str]) -> Proc:
    """Start `spec` through the launcher; wait for it with `wait_all`."""
    rep_r, rep_w = os.pipe()
    null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    actions = [
        (os.POSIX_SPAWN_DUP2, s if isinstance(s, int) else null, i)
        for i, s in enumerate(spec.streams)
    ]
    actions.append((os.POSIX_SPAWN_DUP2, rep_w, 3))
    start = time.monotonic()
    try:
        pid = os.posix_spawn(
            launcher[0], launcher + spec.launcher_args(), spec.env, file_actions=actions,
            setsid=True,
        )  # fmt: skip
    finally:
        os.close(rep_w)
        os.close(null)
    return Proc(pid, rep_r, spec.limits, start)


def wait_all(procs: list[Proc]) -> None:
    """Wait until every launcher exits (each enforces its wall limit; this is the backstop)."""
    pidfds = {os.pidfd_open(p.pid): p for p in procs}
    poller = select.poll()
    for fd in pidfds:
        poller.register(fd, select.POLLIN)
    pending = dict(pidfds)
    while pending:
        now = time.monotonic()
        for p in pending.values():
            if now >= p.deadline and not p.timed_out:
                p.timed_out = True
                with contextlib.suppress(OSError):
                    os.killpg(p.pid, signal.SIGKILL)
        live = [p.deadline for p in pending.values() if not p.timed_out]
        timeout = max(0.0, min(live) - now) if live else 1.0
        for fd, _ in poller.poll(timeout * 1000 + 1):
            p = pending.pop(fd)
            poller.unregister(fd)
            os.waitpid(p.pid, 0)
            p.read_report()
    for fd in pidfds:
        os.close(fd)


def build_launcher(root: str) -> list[str]:
    """Compile the C launcher into `root`; the Python launcher when no compiler works."""
    import subprocess

    src, exe = os.path.join(root, "launcher.c"), os.path.join(root, "launcher")
    with open(src, "w") as f:
        f.write(LAUNCHER_C)
    cc = shutil.which("gcc", path=SYS_PATH) or shutil.which("cc", path=SYS_PATH)
    for static in (["-static"], []):
        if cc is None:
            break
        cmd = [cc, "-O2", *static, "-o", exe, src]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            os.chmod(exe, 0o700)
            return [exe]
    print("runner: no C compiler for the launcher; using the slower Python one", file=sys.stderr)
    return [sys.executable, "-I", os.path.abspath(__file__), "--launch"]


def launch_main(argv: list[str]) -> None:
    """The Python launcher (same arguments and report as LAUNCHER_C)."""
    uid, cpu, fsize, nofile, nproc, mem, wall_ms = argv[:7]
    cwd, streams, prog = argv[7], argv[8:11], argv[12:]
    errr, errw = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(errr)
        try:
            _py_child(int(uid), float(cpu), int(fsize), int(nofile), int(nproc), int(mem), cwd,
                      streams, prog, errw)  # fmt: skip
        except BaseException as exc:
            os.write(errw, f"{type(exc).__name__}: {exc}".encode()[:600])
        os._exit(127)
    os.close(errw)
    for i in range(3):
        os.close(i)
    pidfd = os.pidfd_open(pid)
    timed_out = not select.select([pidfd], [], [], int(wall_ms) / 1000)[0]
    if timed_out:
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - start
    err = os.read(errr, 700).decode(errors="replace").replace("\n", " ")
    if err:
        os.write(3, f"err {err}\n".encode())
        return
    report = (
        f"ok {status} {int(ru.ru_utime * 1e6)} {int(ru.ru_stime * 1e6)} {ru.ru_maxrss} "
        f"{int(wall * 1e6)} {int(timed_out)}\n"
    )
    os.write(3, report.encode())


def _py_child(uid, cpu, fsize, nofile, nproc, mem, cwd, streams, prog, errw) -> None:
    for sig in range(1, signal.NSIG):
        with contextlib.suppress(OSError, ValueError):
            signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    os.setpgid(0, 0)
    c = int(cpu) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (c, c + 1))
    for res, v in (
        (resource.RLIMIT_FSIZE, fsize),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_NOFILE, nofile),
        (resource.RLIMIT_NPROC, nproc),
        (resource.RLIMIT_STACK, mem),
        (resource.RLIMIT_MEMLOCK, 0),
        (resource.RLIMIT_MSGQUEUE, 0),
    ):
        resource.setrlimit(res, (v, v))
    if uid >= 0:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.umask(0o022)
    os.chdir(cwd)
    fds = [0, 0, 0]
    for phase in (0, 1):
        for i, s in enumerate(streams):
            kind, _, path = s.partition(":")
            if (kind in ("r", "fr")) != (phase == 0):
                continue
            if kind == "fd":
                fd = int(path)
            elif kind == "r":
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
            elif kind == "fr":
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                os.set_blocking(fd, True)
            elif kind == "w":
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
            else:
                fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
            fds[i] = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    for i, fd in enumerate(fds):
        os.dup2(fd, i)
    os.closerange(3, errw)
    os.closerange(errw + 1, 1 << 16)
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    os.execve(prog[0], prog, dict(os.environ))


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


def sweep(uids: list[int | None]) -> tuple[float, int]:
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
                        _libc.semctl(ident, 0, 0, 0)
                    else:
                        getattr(_libc, f"{kind}ctl")(ident, 0, None)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)


# ---------------------------------------------------------------- verdicts


def judge(p: Proc, limits: dict, out_size: int, err_head: bytes) -> dict:
    status = p.status if p.status is not None else 0
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    cpu = p.cpu
    rss_mb = p.rss_kb / 1024.0
    failed = sig is not None or code != 0
    if sig == signal.SIGXFSZ or out_size >= limits["output_mb"] << 20:
        verdict = "OLE"
    elif p.timed_out or sig == signal.SIGXCPU or cpu > limits["cpu_s"]:
        verdict = "TLE"
    elif rss_mb > limits["memory_mb"] or (
        failed and (rss_mb >= 0.9 * limits["memory_mb"] or any(h in err_head for h in MEM_HINTS))
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
    with open(path, "rb") as f:
        return f.read(limit)


# ---------------------------------------------------------------- the runner


class Runner:
    def __init__(self, root: str, uids: tuple[int, int], store_mb: int) -> None:
        self.root = root
        self.setuid = os.geteuid() == 0
        self.uids = list(range(uids[0], uids[1] + 1)) if self.setuid else [None]
        self.store_cap = store_mb << 20
        self.art_dir = os.path.join(root, "art")
        self.io_dir = os.path.join(root, "io")
        self.box_dir = os.path.join(root, "box")
        for d, mode in ((root, 0o711), (self.art_dir, 0o711), (self.io_dir, 0o700)):
            os.makedirs(d, mode=mode, exist_ok=True)
            os.chmod(d, mode)
        os.makedirs(self.box_dir, mode=0o711, exist_ok=True)
        self.launcher = build_launcher(root)
        self.store: dict[str, dict] = {}  # key -> {"dir", "argv", "size", "used"}
        self.python = shutil.which("python3", path=SYS_PATH) or "/usr/bin/python3"
        self.gxx = shutil.which("g++", path=SYS_PATH) or "g++"
        self.gcc = shutil.which("gcc", path=SYS_PATH) or "gcc"
        self._flags: dict | None = None
        self.counter = 0
        _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        if self.setuid:
            sweep(self.uids)

    # ---- environment

    def env(self, cwd: str) -> dict:
        return {
            "PATH": SYS_PATH,
            "HOME": cwd,
            "TMPDIR": cwd,
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def flags(self) -> dict:
        if self._flags is None:
            static = self._static_ok(self.gxx, "libstdc++.a") and self._static_ok(
                self.gcc, "libc.a"
            )
            st = ["-static"] if static else []
            self._flags = {
                "cpp": [self.gxx, "-std=gnu++17", "-O2", "-pipe", *st],
                "c": [self.gcc, "-std=gnu11", "-O2", "-pipe", *st],
                "python": [self.python, "-m", "py_compile"],
            }
        return self._flags

    @staticmethod
    def _static_ok(compiler: str, lib: str) -> bool:
        import subprocess

        try:
            out = (
                subprocess.run(
                    [compiler, f"-print-file-name={lib}"], capture_output=True, timeout=20
                )
                .stdout.decode()
                .strip()
            )
        except (OSError, subprocess.SubprocessError):
            return False
        return os.path.isabs(out) and os.path.exists(out)

    # ---- work directories

    def new_dir(self, owner: int | None, mode: int = 0o700) -> str:
        self.counter += 1
        path = os.path.join(self.box_dir, f"w{self.counter}")
        os.mkdir(path, mode)
        if owner is not None:
            os.chown(path, owner, owner)
        os.chmod(path, mode)
        return path

    def cleanup(self, path: str, uids: list[int | None], sweep_needed: bool) -> tuple[float, int]:
        extra = sweep(uids) if sweep_needed else reap_orphans()
        try:
            os.rmdir(path)
        except OSError:
            shutil.rmtree(path, ignore_errors=True)
        if self.setuid:
            remove_ipc({u for u in uids if u is not None})
        return extra

    # ---- artifacts

    def put(self, key: str, language: str, entry: str, files: dict[str, bytes]) -> dict:
        plain_name(entry)
        d = os.path.join(self.art_dir, hashlib.sha256(key.encode()).hexdigest()[:32])
        shutil.rmtree(d, ignore_errors=True)
        os.mkdir(d, 0o755)
        size = 0
        for name, data in files.items():
            path = os.path.join(d, plain_name(name))
            with open(path, "wb") as f:
                f.write(data)
            os.chmod(path, 0o755 if name == entry and language != "python" else 0o644)
            size += len(data)
        os.chmod(d, 0o755)
        path = os.path.join(d, entry)
        argv = [self.python, path] if language == "python" else [path]
        self.store[key] = {"dir": d, "argv": argv, "size": size, "used": time.monotonic()}
        self.evict()
        return self.store[key]

    def evict(self) -> None:
        total = sum(a["size"] for a in self.store.values())
        for key, art in sorted(self.store.items(), key=lambda kv: kv[1]["used"]):
            if total <= self.store_cap or len(self.store) <= 1:
                break
            shutil.rmtree(art["dir"], ignore_errors=True)
            total -= art["size"]
            del self.store[key]

    def artifact(self, key: str) -> dict:
        art = self.store.get(key)
        if art is None:
            raise RequestError("unknown_artifact", f"artifact {key} is not here", key=key)
        art["used"] = time.monotonic()
        return art

    # ---- one process with captured output

    def run_one(self, argv, limits, stdin_fd, cwd, uid, keep: bool) -> dict:
        out_path = os.path.join(self.io_dir, "out")
        err_path = os.path.join(self.io_dir, "err")
        out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        err_fd = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        spec = Spec(argv, cwd, uid, limits, (stdin_fd, out_fd, err_fd), self.env(cwd))
        try:
            proc = spawn(spec, self.launcher)
            wait_all([proc])
        except OSError as exc:  # the launcher did not start (e.g. arguments too long)
            proc = Proc(0, -1, limits, time.monotonic())
            proc.error = f"{type(exc).__name__}: {exc}"
        finally:
            os.close(out_fd)
            os.close(err_fd)
        cpu, rss = self.cleanup(cwd, [uid], limits["processes"] > 1 or proc.timed_out)
        proc.cpu += cpu
        proc.rss_kb = max(proc.rss_kb, rss)
        err_head = read_head(err_path, limits["stderr_kb"] << 10)
        out_size = os.stat(out_path).st_size
        res = judge(proc, limits, out_size, err_head)
        if proc.error:
            mem = "Cannot allocate memory" in proc.error or "MemoryError" in proc.error
            res["verdict"] = "MLE" if mem else "SE"
            res["error"] = f"cannot start {argv[0]}: {proc.error}"
        h = hashlib.sha256()
        kept = bytearray() if keep else None
        with open(out_path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
                if kept is not None:
                    kept += chunk
        res["stdout"] = bytes(kept) if kept is not None else None
        res["stdout_sha"] = h.hexdigest()
        res["stdout_truncated"] = res["verdict"] == "OLE"
        res["stderr"] = err_head
        res.setdefault("error", None)
        return res

    # ---- ops

    def op_ping(self, req: dict) -> dict:
        first, last = (self.uids[0], self.uids[-1]) if self.setuid else (os.geteuid(),) * 2
        return {
            "version": VERSION,
            "setuid": self.setuid,
            "uids": [first, last],
            "python": self.python,
            "flags": self.flags(),
        }

    def op_put(self, req: dict) -> dict:
        files = {k: unb64(v) for k, v in req["files"].items()}
        self.put(req["key"], req["language"], req["entry"], files)
        return {}

    def op_compile(self, req: dict) -> dict:
        lang = req["language"]
        if lang not in ("cpp", "c", "python"):
            raise RequestError("bad_request", f"unknown language {lang!r}")
        files = {plain_name(k): unb64(v) for k, v in req["files"].items()}
        source = plain_name(req["source"])
        extra = [plain_name(s) for s in req.get("extra_sources", [])]
        uid = self.uids[0]
        cwd = self.new_dir(uid)
        for name, data in files.items():
            path = os.path.join(cwd, name)
            with open(path, "wb") as f:
                f.write(data)
            if uid is not None:
                os.chown(path, uid, uid)
        flags = self.flags()[lang]
        if lang == "python":
            argv = [*flags, source, *extra]
        else:
            argv = [*flags, "-o", "main", source, *extra]
            if lang == "c":
                argv.append("-lm")
        with open(os.devnull, "rb") as null:
            stdin_fd = os.dup(null.fileno())
        try:
            res = self._compile_in(argv, cwd, uid, stdin_fd, lang, files, source)
        finally:
            os.close(stdin_fd)
            shutil.rmtree(cwd, ignore_errors=True)
        art = res
        if art["ok"]:
            self.put(req["key"], lang, art["entry"], art["files"])
        art["files"] = (
            {k: b64(v) for k, v in art["files"].items()} if req.get("return_files") else {}
        )
        return {"artifact": art}

    def _compile_in(self, argv, cwd, uid, stdin_fd, lang, files, source) -> dict:
        out_path = os.path.join(self.io_dir, "out")
        limits = COMPILE_LIMITS
        out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            spec = Spec(argv, cwd, uid, limits, (stdin_fd, out_fd, out_fd), self.env(cwd))
            proc = spawn(spec, self.launcher)
            wait_all([proc])
        finally:
            os.close(out_fd)
        cpu, rss = sweep([uid])
        proc.cpu += cpu
        proc.rss_kb = max(proc.rss_kb, rss)
        message = read_head(out_path, limits["stderr_kb"] << 10).decode(errors="replace")
        verdict = judge(proc, limits, 0, message.encode())
        took = round(proc.wall, 3)
        if proc.error:
            return {
                "ok": False,
                "message": f"compiler did not start: {proc.error}",
                "compile_s": took,
                "entry": "",
                "files": {},
            }
        if verdict["verdict"] != "AC":
            why = {
                "TLE": "compilation took too long (the compile-time limit is 20 s CPU)",
                "MLE": "the compiler ran out of memory (2 GiB)",
                "OLE": "the compiler's output exceeded 256 MiB",
            }.get(verdict["verdict"], "")
            msg = (why + "\n" + message).strip() if why else message
            return {"ok": False, "message": msg, "compile_s": took, "entry": "", "files": {}}
        if lang == "python":
            return {
                "ok": True,
                "message": message,
                "compile_s": took,
                "entry": source,
                "files": files,
            }
        binary = os.path.join(cwd, "main")
        fd = os.open(binary, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            data = f.read()
        return {
            "ok": True,
            "message": message,
            "compile_s": took,
            "entry": "main",
            "files": {"main": data},
        }

    def op_run_batch(self, req: dict) -> dict:
        art = self.artifact(req["key"])
        limits = req["limits"]
        argv = art["argv"] + [str(a) for a in req.get("args", [])]
        keep = bool(req.get("keep_output", True))
        in_path = os.path.join(self.io_dir, "in")
        uid = self.uids[0]
        results = []
        for data in req["inputs"]:
            with open(in_path, "wb") as f:
                f.write(unb64(data))
            in_fd = os.open(in_path, os.O_RDONLY | os.O_CLOEXEC)
            try:
                cwd = self.new_dir(uid)
                res = self.run_one(argv, limits, in_fd, cwd, uid, keep)
            finally:
                os.close(in_fd)
            if res["stdout"] is not None:
                res["stdout"] = b64(res["stdout"])
            res["stderr"] = b64(res["stderr"])
            results.append(res)
        return {"results": results}

    def op_run_job(self, req: dict) -> dict:
        from_job = JobRun(self, req["job"])
        return {"result": from_job.run()}

    # ---- loop

    def handle(self, req: dict) -> dict:
        op = req.get("op")
        fn = getattr(self, f"op_{op}", None) if isinstance(op, str) else None
        if fn is None:
            raise RequestError("unknown_op", f"unknown op {op!r}")
        return fn(req)

    def serve(self, inp, out) -> None:
        for line in inp:
            if not line.strip():
                continue
            rid = None
            try:
                req = json.loads(line)
                if not isinstance(req, dict):
                    raise RequestError("bad_request", "a request is a JSON object")
                rid = req.get("id")
                reply = {"id": rid, "ok": True, **self.handle(req)}
            except RequestError as exc:
                reply = {
                    "id": rid,
                    "ok": False,
                    "error": exc.code,
                    "message": str(exc),
                    **exc.extra,
                }
            except (ValueError, KeyError, TypeError) as exc:
                reply = {
                    "id": rid,
                    "ok": False,
                    "error": "bad_request",
                    "message": f"{type(exc).__name__}: {exc}",
                }
            except Exception as exc:  # never die on one bad request
                reply = {
                    "id": rid,
                    "ok": False,
                    "error": "internal",
                    "message": f"{type(exc).__name__}: {exc}",
                }
            out.write(json.dumps(reply) + "\n")
            out.flush()
            if isinstance(req, dict) and req.get("op") == "shutdown" and reply["ok"]:
                return

    def op_shutdown(self, req: dict) -> dict:
        return {}


class JobRun:
    """One run_job request: stages of processes in one work directory."""

    def __init__(self, runner: Runner, job: dict) -> None:
        self.r = runner
        self.job = job
        self.procs_out: list[dict] = []
        self.error: str | None = None
        self.used_uids: set[int] = set()

    def run(self) -> dict:
        r, job = self.r, self.job
        stages = job["stages"]
        width = max((len(s["procs"]) for s in stages), default=0)
        if width > len(r.uids) and r.setuid:
            raise RequestError(
                "bad_request", f"a stage has {width} processes; this runner has {len(r.uids)} uids"
            )
        cwd = r.new_dir(None, 0o1777)
        files: dict[str, str] = {}
        in_path = os.path.join(r.io_dir, "job-in")
        try:
            with open(in_path, "wb") as f:
                f.write(unb64(job.get("input", "")))
            for name, data in job.get("files", {}).items():
                path = os.path.join(cwd, plain_name(name))
                with open(path, "wb") as f:
                    f.write(unb64(data))
                os.chmod(path, 0o644)
            for name in job.get("fifos", []):
                path = os.path.join(cwd, plain_name(name))
                os.mkfifo(path)
                os.chmod(path, 0o666)
            for stage in stages:
                if not self.run_stage(stage["procs"], cwd, in_path):
                    break
            limit = job.get("collect_max_bytes", 64 << 20)
            for name in job.get("collect", []):
                data = self.collect(os.path.join(cwd, plain_name(name)), limit)
                if data is not None:
                    limit -= len(data)
                    files[name] = b64(data)
        finally:
            r.cleanup(cwd, sorted(self.used_uids), True)
            try:
                os.rmdir(cwd)
            except OSError:
                shutil.rmtree(cwd, ignore_errors=True)
        return {"procs": self.procs_out, "files": files, "error": self.error}

    @staticmethod
    def collect(path: str, limit: int) -> bytes | None:
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            return f.read(max(0, limit))

    def stream(self, spec: str, cwd: str, in_path: str, write: bool, cap_path: str):
        if spec == "null":
            return os.open(os.devnull, (os.O_WRONLY if write else os.O_RDONLY) | os.O_CLOEXEC)
        if spec == "input" and not write:
            return os.open(in_path, os.O_RDONLY | os.O_CLOEXEC)
        if spec == "capture" and write:
            return os.open(cap_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        kind, _, name = spec.partition(":")
        path = os.path.join(cwd, plain_name(name))
        if kind == "file":
            return ("w" if write else "r", path)
        if kind == "fifo":
            if name not in self.job.get("fifos", []):
                raise RequestError("bad_request", f"undeclared fifo {name!r}")
            return ("fifo_w" if write else "fifo_r", path)
        raise RequestError("bad_request", f"bad stream {spec!r}")

    def argv_of(self, p: dict) -> list[str]:
        args = [str(a) for a in p.get("args", [])]
        if p.get("program"):
            return self.r.artifact(p["program"])["argv"] + args
        if not args:
            raise RequestError("bad_request", f"process {p['name']!r} has no program")
        exe = args[0] if os.path.isabs(args[0]) else shutil.which(args[0], path=SYS_PATH)
        if exe is None:
            raise RequestError("bad_request", f"no system command {args[0]!r}")
        return [exe, *args[1:]]

    def run_stage(self, specs: list[dict], cwd: str, in_path: str) -> bool:
        r = self.r
        uids = r.uids[: len(specs)] if r.setuid else [None] * len(specs)
        self.used_uids.update(u for u in uids if u is not None)
        argvs = [self.argv_of(p) for p in specs]
        procs, opened, caps = [], [], []
        for i, p in enumerate(specs):
            cap_out = os.path.join(r.io_dir, f"p{i}.out")
            cap_err = os.path.join(r.io_dir, f"p{i}.err")
            caps.append(
                (
                    cap_out if p.get("stdout", "capture") == "capture" else None,
                    cap_err if p.get("stderr", "capture") == "capture" else None,
                )
            )
            streams = (
                self.stream(p.get("stdin", "null"), cwd, in_path, False, ""),
                self.stream(p.get("stdout", "capture"), cwd, in_path, True, cap_out),
                self.stream(p.get("stderr", "capture"), cwd, in_path, True, cap_err),
            )
            opened += [s for s in streams if isinstance(s, int)]
            spec = Spec(argvs[i], cwd, uids[i], p["limits"], streams, r.env(cwd))
            procs.append(spawn(spec, r.launcher))
        for fd in opened:
            os.close(fd)
        wait_all(procs)
        extra_cpu, extra_rss = sweep(uids)
        if procs:
            procs[0].cpu += extra_cpu
            procs[0].rss_kb = max(procs[0].rss_kb, extra_rss)
        self.fix_files(cwd)
        all_ok = True
        for p, spec, proc, (cap_out, cap_err) in zip(specs, argvs, procs, caps, strict=True):
            limits = p["limits"]
            out = read_head(cap_out, limits["output_mb"] << 20) if cap_out else b""
            err = read_head(cap_err, limits["stderr_kb"] << 10) if cap_err else b""
            res = judge(proc, limits, len(out), err)
            if proc.error:
                res["verdict"] = "SE"
                self.error = f"{p['name']}: cannot start {spec[0]}: {proc.error}"
            elif p.get("trusted") and res["verdict"] in ("TLE", "MLE", "OLE"):
                self.error = f"{p['name']} (trusted) exceeded a limit: {res['verdict']}"
                res["verdict"] = "SE"
            res.update(
                name=p["name"],
                stdout=b64(out),
                stderr=b64(err),
                stdout_truncated=res["verdict"] == "OLE",
            )
            self.procs_out.append(res)
            all_ok = all_ok and res["verdict"] == "AC"
        return all_ok

    @staticmethod
    def fix_files(cwd: str) -> None:
        """Between stages: drop planted symlinks, make what was written readable."""
        for dirpath, dirnames, filenames in os.walk(cwd):
            for name in dirnames + filenames:
                path = os.path.join(dirpath, name)
                st = os.lstat(path)
                if stat.S_ISLNK(st.st_mode):
                    os.unlink(path)
                elif stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
                    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                    try:
                        extra = 0o755 if stat.S_ISDIR(st.st_mode) else 0o644
                        os.fchmod(fd, (st.st_mode & 0o7777) | extra)
                    finally:
                        os.close(fd)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--launch"]:
        launch_main(argv[1:])
        return
    ap = argparse.ArgumentParser(description="cpsolve in-box runner (JSON lines on stdin/stdout)")
    ap.add_argument("--root", default="/tmp/cpsolve-runner")
    ap.add_argument("--uids", default="100000-100015")
    ap.add_argument("--store-mb", type=int, default=512)
    ns = ap.parse_args(argv)
    first, _, last = ns.uids.partition("-")
    uids = (int(first), int(last or first))
    while os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC) < 4:
        pass  # keep fds 0-3 taken, so that no file we hand to the launcher lands there
    runner = Runner(ns.root, uids, ns.store_mb)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    with (
        open(sys.stdin.fileno(), encoding="utf-8", closefd=False) as inp,
        open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False) as out,
    ):
        runner.serve(inp, out)


if __name__ == "__main__":
    main()

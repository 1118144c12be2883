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
--pch-dir DIR  a precompiled bits/stdc++.h made by `--build-pch DIR` (read-only to programs).
               C++ sources that name bits/stdc++.h compile with `-I DIR` when DIR/pch.json
               matches this runner's compiler and C++ flags (-static aside: a link flag); else
               exactly as without it. A compile that fails (not on a limit) with the PCH is
               redone without it, so compile errors read exactly as without the PCH. The binary
               is the same either way (GCC only uses a PCH made with the same compiler and
               code-generation flags), so "flags" in ping, the cache key, leave it out.

    python3 runner.py --build-pch DIR   builds that PCH into DIR (trusted: run by cpsolve or
                                        at image build time, never by a program); DIR must be
                                        new or empty. `--pch-stamp` prints what pch.json holds.

The runner needs, as root: CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_FOWNER, CAP_DAC_OVERRIDE,
CAP_KILL; and a C compiler (gcc) at start, to build its launcher into DIR (DIR must allow exec);
without one it falls back to a slower Python launcher. Programs run with no capabilities,
no_new_privs, their own process group, umask 022, env PATH/HOME/TMPDIR/LANG only, stdin/stdout/
stderr redirected to files, cwd = a fresh work directory owned by their uid (removed after the
run). After a run that may have left processes (processes > 1, or a timeout) every process of
its uids is killed (until /proc shows none, zombies reaped: the runner is a child subreaper) and
SysV IPC objects of pool uids are removed. The cpsolve backends give each runner a block of 16
uids from 100000-165535, claimed with a lock file (cpsolve.sandbox.local._uid_block).

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
              "flags": {"cpp": [argv...], "c": [argv...], "python": [argv...]},
              "pch": DIR|null}      (DIR: the --pch-dir in use, null when none is usable)
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
import struct
import sys
import threading
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
# Programs are started by the launcher: a small static C server (compiled from LAUNCHER_C when
# the runner starts) that the runner keeps running beside it. Per process the runner sends a
# request; the launcher forks (a tiny process, so fork is cheap and the program's peak RSS is
# its own), sets the child up (rlimits, uid, streams), execs it, enforces the wall-clock limit,
# reaps it and reports. Without a C compiler, `runner.py --launch ARGS` does the same for one
# process in Python (slower; RSS inflated by Python's own).
#
# Request (to the launcher's stdin): u32 little-endian length, then NUL-terminated strings
#   ID NENV ENV*NENV UID CPU_S FSIZE NOFILE NPROC AS WALL_MS CWD STDIN STDOUT STDERR -- PROG ARGS
#   UID -1 keeps the uid. Streams: R:PATH / W:PATH (opened as root: the runner's own files),
#   r:PATH, w:PATH, fr:PATH / fw:PATH (FIFO ends), opened after dropping privileges, read ends
#   first and without blocking, so FIFO pairs never deadlock; fb:PATH is a FIFO read end opened
#   blocking, for a FIFO whose writer is no stream of the stage but a process that opens it by
#   name (a CMS manager): as in CMS, the program's input does not end before the manager opened
#   it.
# Report (a line on its stdout): "ID ok STATUS UTIME_US STIME_US MAXRSS_KB WALL_US TIMED_OUT"
#   or "ID err MESSAGE".

# A FIFO that joins two processes of one stage as streams (an interactor and the program) must not
# look closed to its reader before its writer has opened it: the launcher opens read ends first
# and without blocking, so a reader that runs ahead would read EOF. The runner holds both ends of
# such FIFOs while the stage starts and lets go after FIFO_GRACE_S (or when the stage ends);
# the only effect on the processes is that an EOF inside that window arrives at its end.
FIFO_GRACE_S = 1.0


def hold_fifos(launches: list) -> list[int]:
    """Open both ends of every FIFO that is a read stream of one process and a write stream of
    another in this stage; returns the fds to release."""
    reads, writes = set(), set()
    for spec in launches:
        for stream in spec.streams:
            if stream.startswith("fr:"):
                reads.add(stream[3:])
            elif stream.startswith("fw:"):
                writes.add(stream[3:])
    fds: list[int] = []
    for path in sorted(reads & writes):
        with contextlib.suppress(OSError):
            rfd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
            fds.append(rfd)
            fds.append(os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOFOLLOW))
    return fds


def block_named_fifo_reads(launches: list) -> None:
    """Read ends of FIFOs that no process of the stage writes as a stream wait for their writer
    (see `fb:` above)."""
    written = {s[3:] for spec in launches for s in spec.streams if s.startswith("fw:")}
    for spec in launches:
        spec.streams = tuple(
            "fb:" + s[3:] if s.startswith("fr:") and s[3:] not in written else s
            for s in spec.streams
        )


def release_fifos(fds: list[int]) -> None:
    while fds:
        with contextlib.suppress(OSError):
            os.close(fds.pop())


LAUNCHER_C = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXJOBS 256

static int errw = -1;

static void fail(const char *what) {
  char buf[600];
  int n = snprintf(buf, sizeof buf, "%s: %s", what, strerror(errno));
  if (write(errw, buf, n) < 0) {}
  _exit(127);
}

static void lim(int res, unsigned long long v, unsigned long long hard, const char *what) {
  struct rlimit r = {v, hard};
  if (setrlimit(res, &r) != 0) fail(what);
}

/* phase 0: as root (R:, W: are the runner's own files); 1: read ends as the uid (r:, fr:);
   2: write ends as the uid (w:, fw:) */
static int phase_of(const char *s) {
  if (!strncmp(s, "R:", 2) || !strncmp(s, "W:", 2)) return 0;
  if (!strncmp(s, "r:", 2) || !strncmp(s, "fr:", 3) || !strncmp(s, "fb:", 3)) return 1;
  return 2;
}

static int open_stream(const char *s) {
  if (!strncmp(s, "R:", 2)) return open(s + 2, O_RDONLY);
  if (!strncmp(s, "W:", 2)) return open(s + 2, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (!strncmp(s, "r:", 2)) return open(s + 2, O_RDONLY | O_NOFOLLOW);
  if (!strncmp(s, "fr:", 3)) {
    int fd = open(s + 3, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
  }
  if (!strncmp(s, "fb:", 3)) return open(s + 3, O_RDONLY | O_NOFOLLOW);
  if (!strncmp(s, "w:", 2)) return open(s + 2, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
  if (!strncmp(s, "fw:", 3)) return open(s + 3, O_WRONLY | O_NOFOLLOW);
  errno = EINVAL;
  return -1;
}

static void open_phase(char **a, int *fds, int phase) {
  for (int i = 0; i < 3; i++)
    if (phase_of(a[8 + i]) == phase) {
      int fd = open_stream(a[8 + i]);
      if (fd < 0) fail(a[8 + i]);
      fds[i] = fcntl(fd, F_DUPFD, 10);
      if (fds[i] < 0) fail("dup");
      close(fd);
    }
}

/* a: UID:GID:UMASK CPU_S FSIZE NOFILE NPROC AS WALL_MS CWD S0 S1 S2 (a[0..10]) */
static void child(char **a, char **prog, char **envp) {
  char *rest;
  long uid = strtol(a[0], &rest, 10);
  long gid = *rest == ':' ? strtol(rest + 1, &rest, 10) : uid;
  mode_t mask = *rest == ':' ? (mode_t)strtol(rest + 1, 0, 8) : 022;
  unsigned long long cpu = (unsigned long long)atof(a[1]) + 1;
  unsigned long long as = strtoull(a[5], 0, 10);
  unsigned long long fsize = strtoull(a[2], 0, 10), nofile = strtoull(a[3], 0, 10);
  unsigned long long nproc = strtoull(a[4], 0, 10);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, 0);
  for (int s = 1; s < 32; s++) signal(s, SIG_DFL);
  if (setpgid(0, 0) != 0) fail("setpgid");
  int fds[3] = {-1, -1, -1};
  open_phase(a, fds, 0);
  lim(RLIMIT_CPU, cpu, cpu + 1, "RLIMIT_CPU");
  lim(RLIMIT_FSIZE, fsize, fsize, "RLIMIT_FSIZE");
  lim(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
  lim(RLIMIT_NOFILE, nofile, nofile, "RLIMIT_NOFILE");
  lim(RLIMIT_NPROC, nproc, nproc, "RLIMIT_NPROC");
  lim(RLIMIT_STACK, as, as, "RLIMIT_STACK");
  lim(RLIMIT_MEMLOCK, 0, 0, "RLIMIT_MEMLOCK");
  lim(RLIMIT_MSGQUEUE, 0, 0, "RLIMIT_MSGQUEUE");
  if (uid >= 0) {
    if (setgroups(0, 0) != 0) fail("setgroups");
    if (setresgid(gid, gid, gid) != 0) fail("setresgid");
    if (setresuid(uid, uid, uid) != 0) fail("setresuid");
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
  umask(mask);
  if (chdir(a[7]) != 0) fail("chdir");
  open_phase(a, fds, 1);
  open_phase(a, fds, 2);
  for (int i = 0; i < 3; i++)
    if (dup2(fds[i], i) < 0) fail("dup2");
  syscall(SYS_close_range, 3, errw - 1, 0);
  syscall(SYS_close_range, errw + 1, ~0U, 0);
  lim(RLIMIT_AS, as, as, "RLIMIT_AS");
  execve(prog[0], prog, envp);
  fail(prog[0]);
}

struct job {
  pid_t pid;
  char id[32];
  int errfd, timed_out;
  struct timespec t0;
  long wall_ms;
};
static struct job jobs[MAXJOBS];
static int njobs;

static long ms_since(struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int read_full(int fd, char *buf, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, buf, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    buf += r;
    n -= r;
  }
  return 0;
}

static void say(const char *line, int n) {
  while (n > 0) {
    ssize_t w = write(1, line, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(3);
    line += w;
    n -= w;
  }
}

static char **args;
static size_t args_cap;

static void start(char *body, uint32_t len) {
  size_t n = 0, need = 1;
  for (uint32_t i = 0; i < len; i++) need += body[i] == 0;
  if (need > args_cap) {
    free(args);
    args = malloc(need * sizeof(char *));
    args_cap = args ? need : 0;
    if (!args) _exit(4);
  }
  for (uint32_t i = 0; i < len; n++) {
    args[n] = body + i;
    i += strlen(body + i) + 1;
  }
  args[n] = 0;
  /* ID NENV ENV... UID CPU FSIZE NOFILE NPROC AS WALL CWD S0 S1 S2 -- PROG... */
  int nenv = n > 1 ? atoi(args[1]) : -1;
  char line[700];
  if (n < 2 || nenv < 0 || n < (size_t)nenv + 15 || strcmp(args[2 + nenv + 11], "--") != 0) {
    int k = snprintf(line, sizeof line, "%s err bad launch request\n", n ? args[0] : "?");
    say(line, k);
    return;
  }
  char **envp = args + 2;
  char **a = args + 2 + nenv;
  int ep[2];
  if (njobs >= MAXJOBS || pipe2(ep, O_CLOEXEC) != 0) {
    int k = snprintf(line, sizeof line, "%s err too many processes at once\n", args[0]);
    say(line, k);
    return;
  }
  struct job *j = &jobs[njobs];
  snprintf(j->id, sizeof j->id, "%s", args[0]);
  j->wall_ms = atol(a[6]);
  j->timed_out = 0;
  clock_gettime(CLOCK_MONOTONIC, &j->t0);
  pid_t pid = fork();
  if (pid == 0) {
    close(ep[0]);
    errw = ep[1];
    char **env = malloc((nenv + 1) * sizeof(char *));
    if (!env) fail("malloc");
    memcpy(env, envp, nenv * sizeof(char *));
    env[nenv] = 0;
    child(a, a + 12, env);
  }
  close(ep[1]);
  if (pid < 0) {
    close(ep[0]);
    int k = snprintf(line, sizeof line, "%s err fork: %s\n", args[0], strerror(errno));
    say(line, k);
    return;
  }
  j->pid = pid;
  j->errfd = ep[0];
  njobs++;
}

static void reap(void) {
  int status;
  struct rusage ru;
  pid_t pid;
  while ((pid = wait4(-1, &status, WNOHANG, &ru)) > 0) {
    for (int i = 0; i < njobs; i++) {
      if (jobs[i].pid != pid) continue;
      struct job *j = &jobs[i];
      long long wall_us;
      struct timespec t;
      clock_gettime(CLOCK_MONOTONIC, &t);
      wall_us = (t.tv_sec - j->t0.tv_sec) * 1000000LL + (t.tv_nsec - j->t0.tv_nsec) / 1000;
      char msg[600], line[800];
      ssize_t m = read(j->errfd, msg, sizeof msg - 1);
      close(j->errfd);
      int k;
      if (m > 0) {
        msg[m] = 0;
        for (ssize_t q = 0; q < m; q++)
          if (msg[q] == '\n') msg[q] = ' ';
        k = snprintf(line, sizeof line, "%s err %s\n", j->id, msg);
      } else {
        k = snprintf(line, sizeof line, "%s ok %d %lld %lld %ld %lld %d\n", j->id, status,
                     (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
                     (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec,
                     ru.ru_maxrss, wall_us, j->timed_out);
      }
      say(line, k);
      jobs[i] = jobs[--njobs];
      break;
    }
  }
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, 0);
  signal(SIGPIPE, SIG_IGN);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return 2;
  fcntl(0, F_SETFD, FD_CLOEXEC);
  fcntl(1, F_SETFD, FD_CLOEXEC);
  static char body[1 << 22];
  for (;;) {
    long timeout = -1;
    for (int i = 0; i < njobs; i++) {
      long left = jobs[i].timed_out ? 1000 : jobs[i].wall_ms - ms_since(&jobs[i].t0);
      if (left < 0) left = 0;
      if (timeout < 0 || left < timeout) timeout = left;
    }
    struct pollfd p[2] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}};
    int r = poll(p, 2, (int)timeout);
    if (r < 0 && errno != EINTR) return 2;
    if (p[1].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {}
      reap();
    }
    for (int i = 0; i < njobs; i++)
      if (!jobs[i].timed_out && ms_since(&jobs[i].t0) >= jobs[i].wall_ms) {
        jobs[i].timed_out = 1;
        kill(-jobs[i].pid, SIGKILL);
        kill(jobs[i].pid, SIGKILL);
      }
    if (p[0].revents) {
      uint32_t len;
      if (read_full(0, (char *)&len, 4) != 0) break;
      if (len >= sizeof body) return 2;
      if (read_full(0, body, len) != 0) break;
      body[len] = 0;
      start(body, len);
    }
  }
  for (int i = 0; i < njobs; i++) {
    kill(-jobs[i].pid, SIGKILL);
    kill(jobs[i].pid, SIGKILL);
  }
  return 0;
}
"""


class Spec:
    """How to start one process: argv, cwd, uid, limits, env and three stream specs."""

    def __init__(self, argv, cwd, uid, limits, streams, env, gid=None, umask=0o022):
        self.argv, self.cwd, self.uid, self.limits = argv, cwd, uid, limits
        self.streams, self.env = streams, env
        self.gid = uid if gid is None else gid
        self.umask = umask

    def launcher_args(self) -> list[str]:
        lim = self.limits
        return [
            "-1:-1:022" if self.uid is None else f"{self.uid}:{self.gid}:{self.umask:03o}",
            repr(float(lim["cpu_s"])),
            str(lim["output_mb"] << 20),
            str(lim["open_files"]),
            str(lim["processes"]),
            str(lim["memory_mb"] << 20),
            str(int(lim["wall_s"] * 1000)),
            self.cwd,
            *self.streams,
            "--",
            *self.argv,
        ]


class Proc:
    """A launched process; filled in from the launcher's report once it exited."""

    def __init__(self, ident: int, limits: dict, start: float, pid: int = 0, report: int = -1):
        self.id, self.limits, self.start = ident, limits, start
        self.pid, self.report = pid, report  # the per-process (Python) launcher only
        self.deadline = start + limits["wall_s"] + 3.0  # backstop: the launcher times out first
        self.error = ""
        self.status = 0
        self.cpu = 0.0
        self.rss_kb = 0
        self.wall = 0.0
        self.timed_out = False
        self.done = False

    def take(self, words: list[str]) -> None:
        """Fill in from a report (without its ID)."""
        self.done = True
        if words and words[0] == "ok":
            st, ut, stt, rss, wall, tout = (int(x) for x in words[1:7])
            self.status, self.cpu, self.rss_kb = st, (ut + stt) / 1e6, rss
            self.wall, self.timed_out = wall / 1e6, self.timed_out or bool(tout)
            return
        self.wall = time.monotonic() - self.start
        if self.timed_out:
            self.status = signal.SIGKILL
        else:
            self.error = " ".join(words[1:]) if words[:1] == ["err"] else "the launcher was lost"


class ServerLauncher:
    """The C launcher, one long-lived process per runner."""

    def __init__(self, exe: str) -> None:
        self.exe = exe
        self.counter = 0
        self.buf = b""
        self.proc = None
        self.restart()

    def restart(self) -> None:
        import subprocess

        if self.proc is not None:
            with contextlib.suppress(OSError):
                self.proc.kill()
            self.proc.wait()
        self.proc = subprocess.Popen(
            [self.exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0
        )
        self.buf = b""

    def start(self, spec: Spec) -> Proc:
        self.counter += 1
        env = [f"{k}={v}" for k, v in spec.env.items()]
        words = [str(self.counter), str(len(env)), *env, *spec.launcher_args()]
        body = b"".join(w.encode() + b"\0" for w in words)
        if len(body) >= 1 << 22:
            raise OSError(7, "argument list too long")  # E2BIG
        proc = Proc(self.counter, spec.limits, time.monotonic())
        try:
            self.proc.stdin.write(len(body).to_bytes(4, "little") + body)
        except OSError:
            self.restart()
            raise
        return proc

    def wait(self, procs: list[Proc]) -> None:
        pending = {p.id: p for p in procs if not p.done}
        fd = self.proc.stdout.fileno()
        while pending:
            while b"\n" in self.buf:
                line, _, self.buf = self.buf.partition(b"\n")
                words = line.decode(errors="replace").split()
                p = pending.pop(int(words[0]), None) if words and words[0].isdigit() else None
                if p is not None:
                    p.take(words[1:])
            if not pending:
                break
            backstop = min(p.deadline for p in pending.values())
            left = backstop - time.monotonic()
            ready = select.select([fd], [], [], max(0.0, left))[0] if left > 0 else []
            data = os.read(fd, 65536) if ready else b""
            if not data:  # the launcher died or hung: every pending process is lost
                self.restart()
                for p in pending.values():
                    p.take(["err", "the launcher was lost"])
                return
            self.buf += data


class ExecLauncher:
    """Fallback: one `runner.py --launch` per process (no C compiler in the box)."""

    def __init__(self, argv: list[str]) -> None:
        self.argv = argv
        self.counter = 0

    def start(self, spec: Spec) -> Proc:
        self.counter += 1
        rep_r, rep_w = os.pipe()
        null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
        actions = [(os.POSIX_SPAWN_DUP2, null, i) for i in range(3)]
        actions.append((os.POSIX_SPAWN_DUP2, rep_w, 3))
        start = time.monotonic()
        try:
            env = dict(spec.env)
            pid = os.posix_spawn(
                self.argv[0], self.argv + spec.launcher_args(), env, file_actions=actions,
                setsid=True,
            )  # fmt: skip
        finally:
            os.close(rep_w)
            os.close(null)
        return Proc(self.counter, spec.limits, start, pid=pid, report=rep_r)

    def wait(self, procs: list[Proc]) -> None:
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
                os.set_blocking(p.report, False)
                try:
                    line = os.read(p.report, 4096).decode(errors="replace")
                except BlockingIOError:
                    line = ""
                os.close(p.report)
                p.take(line.split())
        for fd in pidfds:
            os.close(fd)


def build_launcher(root: str):
    """Compile and start the C launcher; the Python one when no compiler works."""
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
            return ServerLauncher(exe)
    print("runner: no C compiler for the launcher; using the slower Python one", file=sys.stderr)
    return ExecLauncher([sys.executable, "-I", os.path.abspath(__file__), "--launch"])


def launch_main(argv: list[str]) -> None:
    """The Python launcher: one process, same arguments as a request (after NENV ENV), report
    on fd 3 without the ID."""
    ids, cpu, fsize, nofile, nproc, mem, wall_ms = argv[:7]
    cwd, streams, prog = argv[7], argv[8:11], argv[12:]
    errr, errw = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(errr)
        try:
            uid, gid, mask = ids.split(":")
            _py_child(int(uid), int(gid), int(mask, 8), float(cpu), int(fsize), int(nofile),
                      int(nproc), int(mem), cwd, streams, prog, errw)  # fmt: skip
        except BaseException as exc:
            os.write(errw, f"{type(exc).__name__}: {exc}".encode()[:600])
        os._exit(127)
    os.close(errw)
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


def _py_open(spec: str) -> int:
    kind, _, path = spec.partition(":")
    flags = {
        "R": os.O_RDONLY,
        "W": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
        "r": os.O_RDONLY | os.O_NOFOLLOW,
        "fr": os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK,
        "fb": os.O_RDONLY | os.O_NOFOLLOW,
        "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW,
        "fw": os.O_WRONLY | os.O_NOFOLLOW,
    }[kind]
    fd = os.open(path, flags, 0o600 if kind == "W" else 0o644)
    if kind == "fr":
        os.set_blocking(fd, True)
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


def _py_child(uid, gid, mask, cpu, fsize, nofile, nproc, mem, cwd, streams, prog, errw) -> None:
    for sig in range(1, signal.NSIG):
        with contextlib.suppress(OSError, ValueError):
            signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    os.setpgid(0, 0)
    reads = ("r:", "fr", "fb")
    phase = [0 if s[:2] in ("R:", "W:") else 1 if s[:2] in reads else 2 for s in streams]
    fds = [_py_open(s) if ph == 0 else -1 for s, ph in zip(streams, phase, strict=True)]
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
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.umask(mask)
    os.chdir(cwd)
    for want in (1, 2):
        for i, s in enumerate(streams):
            if phase[i] == want:
                fds[i] = _py_open(s)
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
    elif p.timed_out or sig == signal.SIGXCPU or cpu > limits["cpu_s"]:
        verdict = "TLE"
    elif rss_mb > limits["memory_mb"] or (
        failed
        and (
            rss_mb >= 0.9 * limits["memory_mb"]
            or static_mb >= limits["memory_mb"]  # its arrays alone exceed the limit
            or any(h in err_head for h in MEM_HINTS)
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


# ---------------------------------------------------------------- the runner


# ---------------------------------------------------------------- toolchain and PCH

PCH_HEADER = os.path.join("bits", "stdc++.h")


def static_ok(compiler: str, lib: str) -> bool:
    import subprocess

    try:
        out = (
            subprocess.run([compiler, f"-print-file-name={lib}"], capture_output=True, timeout=20)
            .stdout.decode()
            .strip()
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return os.path.isabs(out) and os.path.exists(out)


def make_flags(gxx: str, gcc: str, python: str) -> dict:
    static = static_ok(gxx, "libstdc++.a") and static_ok(gcc, "libc.a")
    st = ["-static"] if static else []
    return {
        "cpp": [gxx, "-std=gnu++17", "-O2", "-pipe", *st],
        "c": [gcc, "-std=gnu11", "-O2", "-pipe", *st],
        "python": [python, "-m", "py_compile"],
    }


def pch_stamp(cpp_flags: list[str]) -> dict:
    """What a PCH must have been built with: compiler, its version, C++ flags (not -static:
    a link flag, it changes nothing the header's parse depends on)."""
    import subprocess

    gxx = cpp_flags[0]
    try:
        version = subprocess.run(
            [gxx, "--version"], capture_output=True, timeout=20, check=True
        ).stdout.decode(errors="replace")
    except (OSError, subprocess.SubprocessError):
        version = ""
    flags = [f for f in cpp_flags[1:] if f != "-static"]
    return {"v": 1, "compiler": os.path.realpath(gxx), "version": version, "flags": flags}


def read_pch(pch_dir: str, cpp_flags: list[str]) -> dict:
    """pch.json of `pch_dir` (plus "dir") when it matches this compiler and flags, else {}."""
    try:
        with open(os.path.join(pch_dir, "pch.json"), encoding="utf-8") as f:
            info = json.load(f)
        stamp = {k: info.get(k) for k in ("v", "compiler", "version", "flags")}
        files_ok = all(
            os.path.isfile(os.path.join(pch_dir, PCH_HEADER + ext)) for ext in ("", ".gch")
        )
    except (OSError, ValueError, AttributeError):
        return {}
    if not files_ok or stamp != pch_stamp(cpp_flags) or not stamp["version"]:
        return {}
    return {**info, "dir": pch_dir}


def build_pch(pch_dir: str) -> None:
    """Build the PCH of bits/stdc++.h with the runner's own C++ flags into `pch_dir`."""
    import subprocess

    gxx = shutil.which("g++", path=SYS_PATH) or "g++"
    gcc = shutil.which("gcc", path=SYS_PATH) or "gcc"
    flags = make_flags(gxx, gcc, sys.executable)["cpp"]
    stamp = pch_stamp(flags)
    base = [f for f in flags if f != "-static"]
    deps = subprocess.run(
        [*base, "-x", "c++", "-M", "-"],
        input=b"#include <bits/stdc++.h>\n",
        capture_output=True,
        timeout=60,
        check=True,
    ).stdout.decode()
    header = next(w for w in deps.replace("\\\n", " ").split() if w.endswith("/" + PCH_HEADER))
    os.makedirs(os.path.join(pch_dir, "bits"), mode=0o755, exist_ok=True)
    copy = os.path.join(pch_dir, PCH_HEADER)
    shutil.copyfile(header, copy)
    subprocess.run(
        [*base, "-x", "c++-header", copy, "-o", copy + ".gch"],
        capture_output=True,
        timeout=300,
        check=True,
    )
    with open(os.path.join(pch_dir, "pch.json"), "w", encoding="utf-8") as f:
        json.dump({**stamp, "header": header, "built_as": copy}, f)  # the PCH names built_as
    for dirpath, _, filenames in os.walk(pch_dir):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)


def own_message(message: str, pch: dict) -> str:
    """Name the real bits/stdc++.h where a message names the PCH's copy of it."""
    real = pch.get("header") or ""
    for copy in (pch.get("built_as"), os.path.join(pch["dir"], PCH_HEADER)):
        if real and copy:
            message = message.replace(copy, real)
    return message


class Runner:
    def __init__(
        self, root: str, uids: tuple[int, int], store_mb: int, pch_dir: str | None = None
    ) -> None:
        self.root = root
        self.pch_dir = pch_dir
        self._pch: dict | None = None
        self.setuid = os.geteuid() == 0
        pool = list(range(uids[0], uids[1] + 1))
        # the last uid of the pool is the trusted processes' group: job files are theirs only
        self.trusted_gid = pool[-1] if self.setuid and len(pool) > 1 else None
        self.uids = (pool[:-1] if len(pool) > 1 else pool) if self.setuid else [None]
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
            self._flags = make_flags(self.gxx, self.gcc, self.python)
        return self._flags

    def pch(self) -> dict | None:
        """The usable --pch-dir's pch.json (with "dir"), or None; checked once."""
        if self._pch is None:
            self._pch = read_pch(self.pch_dir, self.flags()["cpp"]) if self.pch_dir else {}
        return self._pch or None

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
        static = 0.0 if language == "python" else elf_memory_mb(files[entry])
        self.store[key] = {
            "dir": d,
            "argv": argv,
            "size": size,
            "used": time.monotonic(),
            "static_mb": static,
        }
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

    def launch(self, specs: list[Spec]) -> list[Proc]:
        """Start every process of `specs` (at once: FIFO peers), wait for all of them."""
        procs = []
        for spec in specs:
            try:
                procs.append(self.launcher.start(spec))
            except OSError as exc:  # e.g. arguments too long
                proc = Proc(0, spec.limits, time.monotonic())
                proc.done, proc.error = True, f"{type(exc).__name__}: {exc}"
                procs.append(proc)
        self.launcher.wait(procs)
        return procs

    def io_files(self, *names: str) -> list[str]:
        paths = [os.path.join(self.io_dir, n) for n in names]
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        return paths

    def run_one(self, argv, limits, in_path, cwd, uid, keep: bool, static_mb: float = 0) -> dict:
        out_path, err_path = self.io_files("out", "err")
        streams = ("R:" + in_path, "W:" + out_path, "W:" + err_path)
        [proc] = self.launch([Spec(argv, cwd, uid, limits, streams, self.env(cwd))])
        cpu, rss = self.cleanup(cwd, [uid], limits["processes"] > 1 or proc.timed_out)
        proc.cpu += cpu
        proc.rss_kb = max(proc.rss_kb, rss)
        err_head = read_head(err_path, limits["stderr_kb"] << 10)
        out_size = os.stat(out_path).st_size if os.path.exists(out_path) else 0
        res = judge(proc, limits, out_size, err_head, static_mb)
        if proc.error:
            mem = "Cannot allocate memory" in proc.error or "MemoryError" in proc.error
            res["verdict"] = "MLE" if mem else "SE"
            res["error"] = f"cannot start {argv[0]}: {proc.error}"
        h = hashlib.sha256()
        kept = bytearray() if keep else None
        with contextlib.suppress(FileNotFoundError), open(out_path, "rb") as f:
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
            "pch": (self.pch() or {}).get("dir"),
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
        pch = self.pch() if lang == "cpp" else None
        if pch and not any(PCH_HEADER.encode() in data for data in files.values()):
            pch = None  # programs without bits/stdc++.h compile exactly as before
        try:
            if pch:
                res = self._compile_in([*flags, "-I", pch["dir"], *argv[len(flags) :]], cwd,
                                       uid, lang, files, source)  # fmt: skip
                if not res["ok"] and not res["limit"]:
                    # a compile error (or a PCH gcc refused): the message is the one made
                    # without the PCH, word for word (with it, include chains differ)
                    res = self._compile_in(argv, cwd, uid, lang, files, source)
                else:  # a warning inside the header names the real one, as without the PCH
                    res["message"] = own_message(res["message"], pch)
            else:
                res = self._compile_in(argv, cwd, uid, lang, files, source)
            res.pop("limit", None)
        finally:
            shutil.rmtree(cwd, ignore_errors=True)
        art = res
        if art["ok"]:
            self.put(req["key"], lang, art["entry"], art["files"])
        art["files"] = (
            {k: b64(v) for k, v in art["files"].items()} if req.get("return_files") else {}
        )
        return {"artifact": art}

    def _compile_in(self, argv, cwd, uid, lang, files, source) -> dict:
        out_path, err_path = self.io_files("out", "err")
        limits = COMPILE_LIMITS
        streams = ("R:" + os.devnull, "W:" + out_path, "W:" + err_path)
        [proc] = self.launch([Spec(argv, cwd, uid, limits, streams, self.env(cwd))])
        cpu, rss = sweep([uid])
        proc.cpu += cpu
        proc.rss_kb = max(proc.rss_kb, rss)
        cap = limits["stderr_kb"] << 10
        message = (read_head(err_path, cap) + read_head(out_path, cap)).decode(errors="replace")
        verdict = judge(proc, limits, 0, message.encode())
        took = round(proc.wall, 3)
        if proc.error:
            return {
                "ok": False,
                "message": f"compiler did not start: {proc.error}",
                "limit": True,
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
            return {
                "ok": False,
                "message": msg,
                "compile_s": took,
                "entry": "",
                "files": {},
                "limit": bool(why),
            }
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
            cwd = self.new_dir(uid)
            res = self.run_one(argv, limits, in_path, cwd, uid, keep, art["static_mb"])
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
        width = max((sum(not p.get("trusted") for p in s["procs"]) for s in stages), default=0)
        width += max((sum(bool(p.get("trusted")) for p in s["procs"]) for s in stages), default=0)
        if width > len(r.uids) and r.setuid:
            raise RequestError(
                "bad_request", f"the job needs {width} uids; this runner has {len(r.uids)}"
            )
        # Trusted processes (group G) may create files here; the contestant's may not, and job
        # files (answers, hidden inputs) are readable by G only.
        g = r.trusted_gid
        cwd = r.new_dir(None, 0o1777 if g is None else 0o1775)
        if g is not None:
            os.chown(cwd, 0, g)
            os.chmod(cwd, 0o1775)
        files: dict[str, str] = {}
        in_path = os.path.join(r.io_dir, "job-in")
        try:
            with open(in_path, "wb") as f:
                f.write(unb64(job.get("input", "")))
            for name, data in job.get("files", {}).items():
                path = os.path.join(cwd, plain_name(name))
                with open(path, "wb") as f:
                    f.write(unb64(data))
                if g is not None:
                    os.chown(path, 0, g)
                os.chmod(path, 0o644 if g is None else 0o640)
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

    def stream(self, spec: str, cwd: str, in_path: str, write: bool, cap_path: str, trusted: bool):
        if spec == "null":
            return ("W:" if write else "R:") + os.devnull
        if spec == "input" and not write:
            return "R:" + in_path
        if spec == "capture" and write:
            return "W:" + cap_path
        kind, _, name = spec.partition(":")
        path = os.path.join(cwd, plain_name(name))
        if kind == "file":  # the contestant's file streams are opened for it by root
            if trusted or self.r.trusted_gid is None:
                return ("w:" if write else "r:") + path
            return ("W:" if write else "R:") + path
        if kind == "fifo":
            if name not in self.job.get("fifos", []):
                raise RequestError("bad_request", f"undeclared fifo {name!r}")
            return ("fw:" if write else "fr:") + path
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
        # the contestant's processes take uids from the front of the pool, trusted ones from the
        # back: a contestant never runs as the owner of what a trusted process wrote
        front, back = iter(r.uids), iter(reversed(r.uids))
        uids = [next(back) if p.get("trusted") else next(front) for p in specs]
        if not r.setuid:
            uids = [None] * len(specs)
        self.used_uids.update(u for u in uids if u is not None)
        argvs = [self.argv_of(p) for p in specs]
        launches, caps = [], []
        for i, p in enumerate(specs):
            cap_out, cap_err = r.io_files(f"p{i}.out", f"p{i}.err")
            caps.append(
                (
                    cap_out if p.get("stdout", "capture") == "capture" else None,
                    cap_err if p.get("stderr", "capture") == "capture" else None,
                )
            )
            trusted = bool(p.get("trusted"))
            streams = (
                self.stream(p.get("stdin", "null"), cwd, in_path, False, "", trusted),
                self.stream(p.get("stdout", "capture"), cwd, in_path, True, cap_out, trusted),
                self.stream(p.get("stderr", "capture"), cwd, in_path, True, cap_err, trusted),
            )
            g = r.trusted_gid if trusted else None
            spec = Spec(argvs[i], cwd, uids[i], p["limits"], streams, r.env(cwd))
            if g is not None:  # its files: group G, not world-readable
                spec.gid, spec.umask = g, 0o027
            launches.append(spec)
        block_named_fifo_reads(launches)
        held = hold_fifos(launches)
        timer = threading.Timer(FIFO_GRACE_S, release_fifos, (held,))
        timer.start()
        try:
            procs = r.launch(launches)
        finally:
            timer.cancel()
            release_fifos(held)
        extra_cpu, extra_rss = sweep(uids)
        if procs:
            procs[0].cpu += extra_cpu
            procs[0].rss_kb = max(procs[0].rss_kb, extra_rss)
        self.fix_files(cwd, r.trusted_gid)
        all_ok = True
        for p, spec, proc, (cap_out, cap_err) in zip(specs, argvs, procs, caps, strict=True):
            limits = p["limits"]
            out = read_head(cap_out, limits["output_mb"] << 20) if cap_out else b""
            err = read_head(cap_err, limits["stderr_kb"] << 10) if cap_err else b""
            static = r.store.get(p.get("program") or "", {}).get("static_mb", 0.0)
            res = judge(proc, limits, len(out), err, static)
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
    def fix_files(cwd: str, trusted_gid: int | None) -> None:
        """Between stages: drop planted symlinks, make what was written readable (by the
        trusted group only, for what trusted processes wrote)."""
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
                        if trusted_gid is not None and st.st_gid == trusted_gid:
                            extra &= 0o750
                        os.fchmod(fd, (st.st_mode & 0o7777) | extra)
                    finally:
                        os.close(fd)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--launch"]:
        launch_main(argv[1:])
        return
    if argv[:1] == ["--build-pch"] and len(argv) == 2:
        build_pch(argv[1])
        return
    if argv[:1] == ["--pch-stamp"]:
        gxx = shutil.which("g++", path=SYS_PATH) or "g++"
        gcc = shutil.which("gcc", path=SYS_PATH) or "gcc"
        print(json.dumps(pch_stamp(make_flags(gxx, gcc, sys.executable)["cpp"])))
        return
    ap = argparse.ArgumentParser(description="cpsolve in-box runner (JSON lines on stdin/stdout)")
    ap.add_argument("--root", default="/tmp/cpsolve-runner")
    ap.add_argument("--uids", default="100000-100015")
    ap.add_argument("--store-mb", type=int, default=512)
    ap.add_argument("--pch-dir", default=None)
    ns = ap.parse_args(argv)
    first, _, last = ns.uids.partition("-")
    uids = (int(first), int(last or first))
    while os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC) < 4:
        pass  # keep fds 0-3 taken, so that no file we hand to the launcher lands there
    runner = Runner(ns.root, uids, ns.store_mb, ns.pch_dir)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    with (
        open(sys.stdin.fileno(), encoding="utf-8", closefd=False) as inp,
        open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False) as out,
    ):
        runner.serve(inp, out)


if __name__ == "__main__":
    main()

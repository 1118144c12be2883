"""Starting processes: the C launcher server, and the Python one without a compiler.

Programs are started by the launcher: a small static C server (compiled from launcher.c when
the runner starts) that the runner keeps running beside it. Per process the runner sends a
request; the launcher clones a child that borrows its memory until it execs (CLONE_VM |
CLONE_VFORK, as posix_spawn does; a child whose streams may wait, FIFOs and job files, is
forked: a tiny static process, so the program's peak RSS is its own), sets the child up
(rlimits, uid, streams), execs it, enforces the wall-clock limit, reaps it and reports. The
runner keeps two: `--filtered` (runs and compiles) joined a fresh session keyring and
installed the seccomp filter on itself when it started, and its children inherit both; the
plain one (job processes with namespaces of their own) sets up each child's. Without a C
compiler, `__main__.py --launch ARGS` does the same for one process in Python (slower; RSS
inflated by Python's own).

Request (to the launcher's stdin): u32 little-endian length, then NUL-terminated strings
  ID NENV ENV*NENV UID CPU_S FSIZE NOFILE NPROC AS WALL_MS CWD STDIN STDOUT STDERR -- PROG ARGS
  UID is UID:GID:UMASK[:NS]; -1 keeps the uid; NS: 1 gives the process its own IPC namespace,
  2 its own network namespace (bits; 3 both; the plain launcher only). Every process runs in a
  session keyring that is not cpsolve's (a fresh one: its own, or the filtered launcher's) and
  (C launcher) under a seccomp filter denying keyrings, namespaces, mounts, BPF, perf, ptrace
  and the like (launcher.c `denied`). Streams: R:PATH / W:PATH (opened as root: the runner's
  own files), r:PATH, w:PATH, fr:PATH / fw:PATH (FIFO ends), opened after dropping
  privileges, read ends first and without blocking, so FIFO pairs never deadlock; fb:PATH is
  a FIFO read end opened blocking, for a FIFO whose writer is no stream of the stage but a
  process that opens it by name (a CMS manager): as in CMS, the program's input does not end
  before the manager opened it.
Report (a line on its stdout): "ID ok STATUS UTIME_US STIME_US MAXRSS_KB WALL_US KILLED"
  or "ID err MESSAGE". KILLED: 0, or why the launcher killed it: 1 wall clock, 2 CPU time
  (watched every 10 ms: RLIMIT_CPU counts whole seconds only), 3 resident memory over AS (the
  memory limit; RLIMIT_AS is then only a loose guard, AS + max(AS, 8 GiB)). MAXRSS_KB is the
  larger of ru_maxrss and the peak the launcher saw. The Python launcher reports 0 or 1 and
  keeps RLIMIT_AS at the memory limit.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import resource
import select
import shutil
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

from .system import PR_SET_NO_NEW_PRIVS, SYS_KEYCTL, SYS_PATH, libc

HERE = os.path.dirname(os.path.abspath(__file__))
LAUNCHER_SOURCE = os.path.join(HERE, "launcher.c")
ENTRY = os.path.join(HERE, "__main__.py")  # the runner's command line, run as a plain file


NS_IPC, NS_NET = 1, 2
POLL_S = 0.05  # how often a waiting launcher calls its `poll`
CLONE_NEWIPC, CLONE_NEWNET = 0x08000000, 0x40000000


class Spec:
    """How to start one process: argv, cwd, uid, limits, env and three stream specs."""

    def __init__(self, argv, cwd, uid, limits, streams, env, gid=None, umask=0o022, ns=0):
        self.argv, self.cwd, self.uid, self.limits = argv, cwd, uid, limits
        self.streams, self.env = streams, env
        self.gid = uid if gid is None else gid
        self.umask = umask
        self.ns = ns  # NS_IPC | NS_NET: namespaces of its own (needs root in the box)

    def launcher_args(self) -> list[str]:
        lim = self.limits
        return [
            "-1:-1:022"
            if self.uid is None
            else f"{self.uid}:{self.gid}:{self.umask:03o}:{self.ns}",
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
        self.memory_killed = False  # the launcher saw its resident memory over the limit
        self.done = False

    def take(self, words: list[str]) -> None:
        """Fill in from a report (without its ID)."""
        self.done = True
        if words and words[0] == "ok":
            st, ut, stt, rss, wall, tout = (int(x) for x in words[1:7])
            self.status, self.cpu, self.rss_kb = st, (ut + stt) / 1e6, rss
            self.wall, self.timed_out = wall / 1e6, self.timed_out or tout in (1, 2)
            self.memory_killed = tout == 3
            return
        self.wall = time.monotonic() - self.start
        if self.timed_out:
            self.status = signal.SIGKILL
        else:
            self.error = " ".join(words[1:]) if words[:1] == ["err"] else "the launcher was lost"


class ServerLauncher:
    """The C launcher, one long-lived process per runner. `filtered` (the default): it runs
    under the seccomp filter and a fresh session keyring of its own, which every process it
    starts inherits (nothing compiled per process), so its processes cannot have namespaces of
    their own: those go to `plain()`, an unfiltered sibling that gives each process its own
    filter and keyring. Both start with the runner: every run sees the same processes."""

    def __init__(self, exe: str, filtered: bool = True) -> None:
        self.exe = exe
        self.filtered = filtered
        self.counter = 0
        self.buf = b""
        self.proc: Any = None  # a subprocess.Popen once started
        self.restart()
        self._plain = ServerLauncher(exe, filtered=False) if filtered else self

    def plain(self) -> ServerLauncher:
        """The launcher for processes with namespaces of their own (Spec.ns)."""
        return self._plain

    def restart(self) -> None:
        import subprocess

        if self.proc is not None:
            with contextlib.suppress(OSError):
                self.proc.kill()
            self.proc.wait()
        argv = [self.exe, "--filtered"] if self.filtered else [self.exe]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
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

    def wait(self, procs: list[Proc], poll: Callable[[], None] | None = None) -> None:
        """Until every process reported; `poll` (if given) is called at least every POLL_S."""
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
            if poll is not None:
                poll()
            backstop = min(p.deadline for p in pending.values())
            left = backstop - time.monotonic()
            wait = min(left, POLL_S) if poll is not None else left
            ready = select.select([fd], [], [], max(0.0, wait))[0] if left > 0 else []
            if not ready and poll is not None and left > POLL_S:
                continue
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

    def plain(self) -> ExecLauncher:
        """Every process gets its namespaces here (no filter to inherit)."""
        return self

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

    def wait(self, procs: list[Proc], poll: Callable[[], None] | None = None) -> None:
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
            if poll is not None:
                poll()
                timeout = min(timeout, POLL_S)
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

    exe = os.path.join(root, "launcher")
    cc = shutil.which("gcc", path=SYS_PATH) or shutil.which("cc", path=SYS_PATH)
    for static in (["-static"], []):
        if cc is None:
            break
        cmd = [cc, "-O2", *static, "-o", exe, LAUNCHER_SOURCE]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            os.chmod(exe, 0o700)
            return ServerLauncher(exe)
    print("runner: no C compiler for the launcher; using the slower Python one", file=sys.stderr)
    return ExecLauncher([sys.executable, "-I", ENTRY, "--launch"])


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
            uid, gid, mask, *ns = ids.split(":")
            _py_namespaces(int(ns[0]) if ns else 0)
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


def _py_namespaces(ns: int) -> None:
    """As the C launcher's own_namespaces (the fork of the Python launcher is the program)."""
    flags = (CLONE_NEWIPC if ns & NS_IPC else 0) | (CLONE_NEWNET if ns & NS_NET else 0)
    if flags and libc.unshare(flags) != 0:
        raise OSError(ctypes.get_errno(), "unshare")
    libc.syscall(SYS_KEYCTL, 1, None)  # KEYCTL_JOIN_SESSION_KEYRING: a fresh anonymous one


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
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
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

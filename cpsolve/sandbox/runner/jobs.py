"""The run_job op: stages of processes in one work directory, wired by files and FIFOs."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import threading
from collections.abc import Callable

from .box import Box
from .cleanup import sweep
from .launch import NS_IPC, NS_NET, Spec
from .protocol import RequestError, b64, plain_name, unb64
from .system import SYS_PATH
from .verdicts import judge, read_head

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
    (see `fb:` in launch.py)."""
    written = {s[3:] for spec in launches for s in spec.streams if s.startswith("fw:")}
    for spec in launches:
        spec.streams = tuple(
            "fb:" + s[3:] if s.startswith("fr:") and s[3:] not in written else s
            for s in spec.streams
        )


def unblock_named_fifos(paths: list[str]) -> None:
    """Open and close at once the other end of each FIFO, without blocking: a process blocked
    opening one returns, and reads EOF or writes into a broken pipe, as it would had its peer
    opened the FIFO and exited. No effect on a FIFO nobody is opening or holds open."""
    for path in paths:
        for flags in (os.O_WRONLY, os.O_RDONLY):  # a reader waiting for a writer, and back
            with contextlib.suppress(OSError):  # ENXIO: no reader to meet; a FIFO gone
                os.close(os.open(path, flags | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC))


def when_contestants_left(specs: list[dict], paths: list[str]) -> Callable[[list], None] | None:
    """A stage's `poll`: once every contestant process of it has exited, trusted processes (a
    CMS manager) still waiting to open one of the job's FIFOs by name are let through
    (`unblock_named_fifos`) instead of waiting out their wall-clock limit for a program that
    left before opening its end: they see it gone and say so (an empty answer, not a time-out
    of the manager, which would be the judge's failure). None where it cannot matter."""
    contestants = [i for i, p in enumerate(specs) if not p.get("trusted")]
    if not paths or not contestants or len(contestants) == len(specs):
        return None

    def poll(procs: list) -> None:
        if all(procs[i].done for i in contestants):
            unblock_named_fifos(paths)

    return poll


def release_fifos(fds: list[int]) -> None:
    while fds:
        with contextlib.suppress(OSError):
            os.close(fds.pop())


class JobRun:
    """One run_job request: stages of processes in one work directory."""

    def __init__(self, runner: Box, job: dict) -> None:
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
                os.mkfifo(path, 0o600)
                os.chmod(path, 0o600)  # its two parties get it per stage (own_fifos)
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
            r.cleanup(cwd, sorted(self.used_uids), True)  # removes cwd, or marks the box dirty
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
            return self.r.store.get(p["program"])["argv"] + args
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
            if r.setuid and not trusted:  # instances meet only through their own FIFOs
                spec.ns = NS_IPC | NS_NET
            launches.append(spec)
        self.own_fifos(specs, launches, cwd)
        block_named_fifo_reads(launches)
        held = hold_fifos(launches)
        timer = threading.Timer(FIFO_GRACE_S, release_fifos, (held,))
        timer.start()
        fifo_paths = [os.path.join(cwd, plain_name(n)) for n in self.job.get("fifos", [])]
        try:
            procs = r.launch(launches, when_contestants_left(specs, fifo_paths))
        finally:
            timer.cancel()
            release_fifos(held)
        extra_cpu, extra_rss = sweep(uids)
        if procs:
            procs[0].cpu += extra_cpu
            procs[0].rss_kb = max(procs[0].rss_kb, extra_rss)
        self.fix_files(cwd, r.trusted_gid)
        return self.report(specs, argvs, procs, caps)

    def own_fifos(self, specs: list[dict], launches: list, cwd: str) -> None:
        """Each FIFO opens for its two parties only: the contestant process that names it (as a
        stream or an argument; the first one, if several do) owns it, trusted processes (group
        G) share it, mode 0660. A FIFO no contestant process names is the trusted group's."""
        g = self.r.trusted_gid
        if g is None:
            return  # one uid for everything: 0600 is already right
        for name in self.job.get("fifos", []):
            owner = 0
            for p, spec in zip(specs, launches, strict=True):
                named = {s.partition(":")[2] for s in spec.streams} | set(
                    map(str, p.get("args", []))
                )
                if (
                    not p.get("trusted")
                    and spec.uid is not None
                    and (os.path.join(cwd, plain_name(name)) in named or name in named)
                ):
                    owner = spec.uid
                    break
            path = os.path.join(cwd, plain_name(name))
            os.chown(path, owner, g, follow_symlinks=False)
            os.chmod(path, 0o660)  # ours: nobody else writes the work directory

    def report(self, specs: list[dict], argvs: list, procs: list, caps: list) -> bool:
        """Judge a stage's processes into procs_out; whether all of them got AC."""
        all_ok = True
        for p, argv, proc, (out_path, err_path) in zip(specs, argvs, procs, caps, strict=True):
            limits = p["limits"]
            out = read_head(out_path, limits["output_mb"] << 20) if out_path else b""
            err = read_head(err_path, limits["stderr_kb"] << 10) if err_path else b""
            static = self.r.store.static_mb(p.get("program") or "")
            res = judge(proc, limits, len(out), err, static)
            if proc.error:
                res["verdict"] = "SE"
                self.error = f"{p['name']}: cannot start {argv[0]}: {proc.error}"
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

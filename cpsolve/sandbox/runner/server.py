"""The runner itself: its state directories and uid pool, and the JSON-lines loop with its ops."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence

from .cleanup import CleanupError, reap_orphans, remove_ipc, remove_tree, sweep, sweep_left
from .compiling import compile_request
from .jobs import JobRun
from .launch import Proc, Spec, build_launcher
from .pch import make_flags, read_pch
from .protocol import VERSION, RequestError, b64, unb64
from .store import ArtifactStore
from .system import PR_SET_CHILD_SUBREAPER, SYS_PATH, libc
from .verdicts import judge, read_head


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
        self.uids: list[int | None] = [None]
        if self.setuid:
            self.uids = list(pool[:-1] if len(pool) > 1 else pool)
        self.store_cap = store_mb << 20
        self.art_dir = os.path.join(root, "art")
        self.io_dir = os.path.join(root, "io")
        self.box_dir = os.path.join(root, "box")
        for d, mode in ((root, 0o711), (self.art_dir, 0o711), (self.io_dir, 0o700)):
            os.makedirs(d, mode=mode, exist_ok=True)
            os.chmod(d, mode)
        os.makedirs(self.box_dir, mode=0o711, exist_ok=True)
        self.launcher = build_launcher(root)
        self.python = shutil.which("python3", path=SYS_PATH) or "/usr/bin/python3"
        self.store = ArtifactStore(self.art_dir, self.store_cap, self.python)
        self.gxx = shutil.which("g++", path=SYS_PATH) or "g++"
        self.gcc = shutil.which("gcc", path=SYS_PATH) or "gcc"
        self._flags: dict | None = None
        self.counter = 0
        self.dirty = ""  # why the box could not be restored clean; then no more work here
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
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

    def cleanup(
        self, path: str, uids: Sequence[int | None], sweep_needed: bool
    ) -> tuple[float, int]:
        """Kill the run's processes, remove its work directory and SysV objects. A box that
        cannot be restored clean is marked dirty (`self.dirty`): the reply says so, the host
        replaces this worker, and the runner serves nothing more."""
        left: set[int] = set()
        if sweep_needed:
            cpu, rss, left = sweep_left(uids)
            extra = (cpu, rss)
        else:  # one process that could not fork: nothing of it can be left
            extra = reap_orphans()
        pool = {u for u in uids if u is not None}
        try:
            if left:
                raise CleanupError("processes of the run outlived the kill sweep")
            remove_tree(path)
        except CleanupError as exc:
            self.dirty = self.dirty or str(exc)
        if self.setuid:
            remove_ipc(pool)
        return extra

    # ---- one process with captured output

    def launch(
        self, specs: list[Spec], poll: Callable[[list[Proc]], None] | None = None
    ) -> list[Proc]:
        """Start every process of `specs` (at once: FIFO peers), wait for all of them;
        `poll(procs)` is called every few tens of milliseconds while some still run."""
        launcher = self.launcher.plain() if any(s.ns for s in specs) else self.launcher
        procs = []
        for spec in specs:
            try:
                procs.append(launcher.start(spec))
            except OSError as exc:  # e.g. arguments too long
                proc = Proc(0, spec.limits, time.monotonic())
                proc.done, proc.error = True, f"{type(exc).__name__}: {exc}"
                procs.append(proc)
        launcher.wait(procs, None if poll is None else lambda: poll(procs))
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
        # No IPC namespace of its own: the worker's box already has one (bwrap/unshare --ipc, the
        # container's), runs in a worker are sequential, and `cleanup` removes every SysV object
        # the run's uid made. A namespace per run cost more than half the hot loop's throughput;
        # the processes of a job, which run side by side, each get one (jobs.py).
        spec = Spec(argv, cwd, uid, limits, streams, self.env(cwd))
        [proc] = self.launch([spec])
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
        flood = res["verdict"] == "OLE"  # its output is no use: sent back empty
        with contextlib.suppress(FileNotFoundError), open(out_path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
                if kept is not None and not flood:
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
        self.store.put(req["key"], req["language"], req["entry"], files)
        return {}

    def op_compile(self, req: dict) -> dict:
        return compile_request(self, req)

    def op_run_batch(self, req: dict) -> dict:
        art = self.store.get(req["key"])
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
            if self.dirty:  # this run is judged on what it did; the rest go to a clean worker
                break
        return {"results": results}

    def op_run_job(self, req: dict) -> dict:
        from_job = JobRun(self, req["job"])
        return {"result": from_job.run()}

    # ---- loop

    def handle(self, req: dict) -> dict:
        op = req.get("op")
        if self.dirty and op != "shutdown":
            raise RequestError("dirty", f"this box is not clean ({self.dirty}); replace it")
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
            if self.dirty:
                reply["dirty"] = self.dirty
            out.write(json.dumps(reply) + "\n")
            out.flush()
            if self.dirty or (
                isinstance(req, dict) and req.get("op") == "shutdown" and reply["ok"]
            ):
                return  # a dirty box ends here: the host starts a fresh one

    def op_shutdown(self, req: dict) -> dict:
        return {}

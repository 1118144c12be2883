"""cpsolve in-box runner: compiles and runs untrusted programs. Python 3 stdlib only.

This package runs inside the box, where cpsolve is not installed: its modules import only the
standard library and each other (relatively), and `__main__.py` is started as a plain file. The
same directory serves both backends: the local backend binds it read-only into a bubblewrap box,
the Docker image copies it (Dockerfile here); both run
``python3 -I /opt/cpsolve/runner/__main__.py ...``. Its C launcher is `launcher.c`, compiled by
the runner when it starts.

Modules: `main` (command line), `server` (the protocol loop and its ops), `compiling`, `jobs`
(multi-process stages, FIFOs), `launch` (starting processes), `verdicts`, `cleanup` (killing a
run's leftovers), `store` (artifacts), `pch` (toolchain flags, precompiled header), `protocol`
(wire helpers) and `system` (libc, PATH).

Command line
============
    python3 -I __main__.py [--root DIR] [--uids FIRST-LAST] [--store-mb N]

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

    python3 __main__.py --build-pch DIR   builds that PCH into DIR (trusted: run by cpsolve or
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
uids from 100000-165535, claimed with a lock file (cpsolve.sandbox.local.uid_block).

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

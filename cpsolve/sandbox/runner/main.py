"""The runner's command line: serve requests, or one of its single jobs (--launch, --build-pch,
--pch-stamp)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys

from .launch import launch_main
from .pch import build_pch, make_flags, pch_stamp
from .server import Runner
from .system import SYS_PATH


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

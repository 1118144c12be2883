"""The compile op: a compiler run as a pool uid under compile limits, the PCH when it helps."""

from __future__ import annotations

import os
from typing import Any

from .box import Box
from .cleanup import sweep
from .launch import Spec
from .pch import PCH_HEADER, own_message
from .protocol import RequestError, b64, plain_name, unb64
from .verdicts import judge, read_head

COMPILE_LIMITS: dict[str, Any] = {
    "cpu_s": 20.0,
    "wall_s": 40.0,
    "memory_mb": 2048,
    "output_mb": 256,
    "stderr_kb": 16,
    "processes": 64,
    "open_files": 256,
}


def compile_request(r: Box, req: dict) -> dict:
    """The compile op: build in a fresh directory (with the PCH when it applies)."""
    lang = req["language"]
    if lang not in ("cpp", "c", "python"):
        raise RequestError("bad_request", f"unknown language {lang!r}")
    files = {plain_name(k): unb64(v) for k, v in req["files"].items()}
    source = plain_name(req["source"])
    extra = [plain_name(s) for s in req.get("extra_sources", [])]
    uid = r.uids[0]
    cwd = r.new_dir(uid)
    for name, data in files.items():
        path = os.path.join(cwd, name)
        with open(path, "wb") as f:
            f.write(data)
        if uid is not None:
            os.chown(path, uid, uid)
    flags = r.flags()[lang]
    if lang == "python":
        argv = [*flags, source, *extra]
    else:
        argv = [*flags, "-o", "main", source, *extra]
        if lang == "c":
            argv.append("-lm")
    pch = r.pch() if lang == "cpp" else None
    if pch and not any(PCH_HEADER.encode() in data for data in files.values()):
        pch = None  # programs without bits/stdc++.h compile exactly as before
    try:
        if pch:
            res = compile_in(r, [*flags, "-I", pch["dir"], *argv[len(flags) :]], cwd,
                                   uid, lang, files, source)  # fmt: skip
            if not res["ok"] and not res["limit"]:
                # a compile error (or a PCH gcc refused): the message is the one made
                # without the PCH, word for word (with it, include chains differ)
                res = compile_in(r, argv, cwd, uid, lang, files, source)
            else:  # a warning inside the header names the real one, as without the PCH
                res["message"] = own_message(res["message"], pch)
        else:
            res = compile_in(r, argv, cwd, uid, lang, files, source)
        res.pop("limit", None)
    finally:
        r.cleanup(cwd, [uid], False)  # removes cwd, or marks the box dirty
    art = res
    if art["ok"]:
        r.store.put(req["key"], lang, art["entry"], art["files"])
    art["files"] = {k: b64(v) for k, v in art["files"].items()} if req.get("return_files") else {}
    return {"artifact": art}


def compile_in(r: Box, argv, cwd, uid, lang, files, source) -> dict:
    """One compiler run under COMPILE_LIMITS; "limit" says a limit (not the source) failed it."""
    out_path, err_path = r.io_files("out", "err")
    limits = COMPILE_LIMITS
    streams = ("R:" + os.devnull, "W:" + out_path, "W:" + err_path)
    [proc] = r.launch([Spec(argv, cwd, uid, limits, streams, r.env(cwd))])
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

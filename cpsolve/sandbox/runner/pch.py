"""The toolchain: compile flags, and the precompiled bits/stdc++.h (build, stamp, check)."""

from __future__ import annotations

import json
import os
import shutil
import sys

from .system import SYS_PATH

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

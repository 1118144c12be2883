"""Which sandbox backends work here, and what one run of a trivial program costs in each.

Shared by `cpsolve sandbox doctor` and benchmarks/sandbox_throughput.py: the same trivial C++
program (read two ints, print the sum) runs N times bare (plain subprocess) and through each
backend, with distinct inputs so that no run is deduplicated away.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cpsolve.languages import Language
from cpsolve.sandbox.base import Limits, Verdict

SUM_CPP = """#include <cstdio>
int main() { long long a, b; if (scanf("%lld %lld", &a, &b) == 2) printf("%lld\\n", a + b); }
"""


class Throughput(BaseModel):
    backend: str
    runs: int
    seconds: float
    startup_s: float = 0.0  # opening the backend (containers, runners), not in `seconds`
    workers: int = 1
    note: str = ""

    @property
    def rate(self) -> float:
        return self.runs / self.seconds if self.seconds > 0 else 0.0

    @property
    def per_run_ms(self) -> float:
        return 1000 * self.seconds / self.runs if self.runs else 0.0


def inputs(n: int, salt: int = 0) -> list[bytes]:
    return [f"{i} {salt}\n".encode() for i in range(n)]


def _expected(n: int, salt: int = 0) -> list[bytes]:
    return [f"{i + salt}\n".encode() for i in range(n)]


def measure_sandbox(
    open_box: Callable[[], Any], name: str, n: int, cache_dir: Path
) -> tuple[Throughput, bytes]:
    """Open a backend, compile the trivial program, time n runs; also return the binary."""
    started = time.perf_counter()
    box = open_box()
    try:
        startup = time.perf_counter() - started
        art = box.compile(SUM_CPP, Language.CPP)
        if not art.ok:
            raise RuntimeError(f"the trivial program did not compile: {art.message[:200]}")
        box.run_batch(art, inputs(box.workers * 4, salt=-1), Limits())  # warm every worker
        t0 = time.perf_counter()
        results = box.run_batch(art, inputs(n), Limits())
        seconds = time.perf_counter() - t0
        bad = [r for r in results if r.verdict != Verdict.AC]
        if bad or [r.stdout for r in results] != _expected(n):
            first = bad[0] if bad else results[0]
            raise RuntimeError(f"wrong results ({first.verdict}: {first.stderr[:200]!r})")
        binary = box.cache.get(art.key).files.get("main", b"")
        workers = box.workers
    finally:
        box.close()
    return Throughput(
        backend=name, runs=n, seconds=seconds, startup_s=startup, workers=workers
    ), binary


def measure_bare(binary: Path, n: int, workers: int) -> Throughput:
    """n plain subprocess runs of the same binary, `workers` at a time."""
    data = inputs(n)

    def one(x: bytes) -> bytes:
        return subprocess.run([str(binary)], input=x, capture_output=True, check=True).stdout

    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(one, inputs(workers * 4, salt=-1)))
        t0 = time.perf_counter()
        outs = list(ex.map(one, data))
        seconds = time.perf_counter() - t0
    if outs != _expected(n):
        raise RuntimeError("the bare runs gave wrong results")
    return Throughput(backend="bare", runs=n, seconds=seconds, workers=workers)


@contextmanager
def binary_file(data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="cpsolve-doctor-") as tmp:
        path = Path(tmp) / "sum"
        path.write_bytes(data)
        path.chmod(0o755)
        yield path


# ------------------------------------------------------------ the doctor's checks


def local_status() -> tuple[bool, str]:
    """Whether the local backend can isolate with bubblewrap here (a real bwrap run)."""
    from cpsolve.sandbox.local import isolation_mode

    mode = isolation_mode()
    if mode != "bwrap":
        return False, f"bwrap missing: weaker isolation ({mode}); install bubblewrap"
    probe = ["bwrap", "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "true"]
    done = subprocess.run(probe, capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0:
        return False, f"bwrap does not work here: {done.stderr.strip()[:200]}"
    return True, f"bwrap {shutil.which('bwrap')}"


def docker_status(tag: str) -> tuple[bool, str]:
    """Whether a daemon answers and the image exists and is current."""
    from cpsolve.errors import UserError
    from cpsolve.sandbox.image import docker_client, find_image, image_is_current

    try:
        client = docker_client(timeout=5)
    except UserError as e:
        return False, str(e)
    version = client.version().get("Version", "?")
    image = find_image(client, tag)
    if image is None:
        return False, f"daemon {version} answers; image {tag} missing (`cpsolve sandbox build`)"
    note = "" if image_is_current(image) else ", built from another runner than this checkout's"
    return True, f"daemon {version}, image {tag} ({image.short_id}{note})"


def report(runs: int = 200, tag: str = "", workers: int | None = None) -> Iterator[str]:
    """Lines for `cpsolve sandbox doctor`."""
    from cpsolve.sandbox.docker import DockerSandbox
    from cpsolve.sandbox.image import sandbox_image
    from cpsolve.sandbox.local import LocalSandbox

    tag = tag or sandbox_image()
    n_workers = workers or os.cpu_count() or 1
    checks = {"local": local_status(), "docker": docker_status(tag)}

    def opener(name: str, cache: Path) -> Callable[[], Any]:
        if name == "local":
            return lambda: LocalSandbox(workers=n_workers, cache_dir=cache)
        return lambda: DockerSandbox(workers=n_workers, cache_dir=cache, image=tag)

    measured: dict[str, Throughput] = {}
    binary = b""
    with tempfile.TemporaryDirectory(prefix="cpsolve-doctor-cache-") as cache:
        for name, (ok, why) in checks.items():
            yield f"{name:6}  {'works' if ok else 'NOT READY'}: {why}"
            if not ok and not (name == "local" and "weaker" in why):
                continue
            try:
                t, binary = measure_sandbox(opener(name, Path(cache)), name, runs, Path(cache))
            except Exception as e:  # the doctor reports; it does not crash
                yield f"        failed to run the trivial program: {type(e).__name__}: {e}"
                continue
            measured[name] = t
    if not measured:
        yield "no backend works: install bubblewrap, or start Docker and `cpsolve sandbox build`"
        return
    with binary_file(binary) as path:
        bare = measure_bare(path, runs, n_workers)
    yield (
        f"overhead per run ({runs} runs of a trivial C++ program, {n_workers} at a time; "
        f"bare {bare.per_run_ms:.2f} ms, {bare.rate:.0f}/s):"
    )
    for name, t in measured.items():
        extra = t.per_run_ms - bare.per_run_ms
        yield (
            f"  {name:6}  {t.per_run_ms:.2f} ms/run, {t.rate:.0f}/s, {extra:+.2f} ms over bare, "
            f"{t.rate / bare.rate:.2f}x bare rate; start-up {t.startup_s:.1f} s"
        )

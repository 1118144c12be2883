"""Limits judged as a contest judge judges them, on every backend (issue 15).

Output near the cap comes back whole and an endless writer is OLE (never SE after the host gave
up reading the reply); a program that touches memory past the limit is MLE while one that only
reserves address space is not; a spinning program is stopped at its CPU limit, not at the next
whole second.
"""

from __future__ import annotations

import pytest

from cpsolve.languages import Language
from cpsolve.sandbox.base import Artifact, Limits, Sandbox, Verdict
from tests.test_hostile import box  # noqa: F401  (the both-backends fixture)

pytestmark = pytest.mark.usefixtures("box")

BIG = 63 << 20  # under the default 64 MiB output cap

BIG_WRITER = f"""
import sys
line = bytes(range(32, 127)) + b"\\n"
total = {BIG}
out = sys.stdout.buffer
out.write(line * (total // len(line)) + line[: total % len(line)])
"""

ENDLESS_WRITER = """
#include <cstdio>
#include <cstring>
int main() {
    static char buf[1 << 16];
    memset(buf, 'y', sizeof buf);
    for (;;) fwrite(buf, 1, sizeof buf, stdout);
}
"""

GROWING_VECTOR = """
#include <cstdio>
#include <vector>
int main() {
    // grows to twice the 128 MB limit, touching every byte
    std::vector<char> v;
    for (size_t n = 1 << 20; n <= (size_t(256) << 20); n *= 2) v.resize(n, 'z');
    printf("%d\\n", int(v[v.size() / 2]));
}
"""

SPARSE_RESERVATION = """
#include <cstdio>
#include <cstring>
#include <sys/mman.h>
int main() {
    // reserves 4 GiB of address space, touches only 10 MiB of it
    size_t size = size_t(4) << 30;
    char *p = (char *)mmap(0, size, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return 3;
    memset(p, 1, 10 << 20);
    printf("%d\\n", p[12345]);
}
"""

SPINNER = """
int main() {
    volatile unsigned long x = 0;
    for (;;) x = x * 6364136223846793005UL + 1;
}
"""


def build(sb: Sandbox, source: str, language: Language) -> Artifact:
    art = sb.compile(source, language)
    assert art.ok, art.message
    return art


def test_output_under_the_cap_comes_back_whole(box: Sandbox) -> None:  # noqa: F811
    limits = Limits(cpu_s=4, wall_s=30)
    [r] = box.run_batch(build(box, BIG_WRITER, Language.PYTHON), [b""], limits)
    assert r.verdict == Verdict.AC, r.stderr
    line = bytes(range(32, 127)) + b"\n"
    expected = line * (BIG // len(line)) + line[: BIG % len(line)]
    assert r.stdout is not None and len(r.stdout) == BIG
    assert r.stdout == expected
    assert r.wall_s < limits.wall


def test_endless_writer_is_output_limit_exceeded(box: Sandbox) -> None:  # noqa: F811
    limits = Limits(cpu_s=2, wall_s=30)
    [r] = box.run_batch(build(box, ENDLESS_WRITER, Language.CPP), [b""], limits)
    assert r.verdict == Verdict.OLE, r.stderr
    assert r.wall_s < limits.wall


def test_touching_twice_the_limit_is_memory_limit_exceeded(box: Sandbox) -> None:  # noqa: F811
    limits = Limits(cpu_s=4, wall_s=30, memory_mb=128)
    [r] = box.run_batch(build(box, GROWING_VECTOR, Language.CPP), [b""], limits)
    assert r.verdict == Verdict.MLE, r
    assert r.memory_mb > 128


def test_reserved_but_untouched_memory_is_not_counted(box: Sandbox) -> None:  # noqa: F811
    limits = Limits(cpu_s=2, wall_s=30, memory_mb=128)
    [r] = box.run_batch(build(box, SPARSE_RESERVATION, Language.CPP), [b""], limits)
    assert r.verdict == Verdict.AC, r
    assert r.stdout == b"1\n"
    assert r.memory_mb < 64


@pytest.mark.parametrize("cpu_s", [0.5, 1.0])
def test_spinner_is_stopped_at_its_cpu_limit(box: Sandbox, cpu_s: float) -> None:  # noqa: F811
    # a generous wall clock: under load the CPU limit, not the wall, must be what stops it
    limits = Limits(cpu_s=cpu_s, wall_s=60)
    [r] = box.run_batch(build(box, SPINNER, Language.CPP), [b""], limits)
    assert r.verdict == Verdict.TLE
    assert cpu_s <= r.cpu_s <= cpu_s * 1.1 + 0.05, r.cpu_s

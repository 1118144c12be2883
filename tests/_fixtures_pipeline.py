"""A small problem and a recorded samples file for end-to-end pipeline tests.

The samples are written the way a code model answers: reasoning, then a fenced program; some
right, some overflowing `int`, some wrong, one that does not compile, one without code. The
generators and validators are what a model would write for this problem's constraints.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "pipeline" / "sumword"
MARKER = "HIDDENMARKER42"

RIGHT = """#include <cstdio>
int main() {
    char w[64]; int n;
    scanf("%63s %d", w, &n);
    long long s = 0;
    for (int i = 0; i < n; ++i) { long long x; scanf("%lld", &x); s += x; }
    printf("%lld\\n", s);
}
"""
RIGHT_2 = """#include <bits/stdc++.h>
using namespace std;
int main() {
    string label; int n; cin >> label >> n;
    long long total = 0;
    while (n--) { long long v; cin >> v; total += v; }
    cout << total << endl;
}
"""
OVERFLOW = """#include <cstdio>
int main() {
    char w[64]; int n;
    scanf("%63s %d", w, &n);
    int s = 0;
    for (int i = 0; i < n; ++i) { long long x; scanf("%lld", &x); s += (int)x; }
    printf("%d\\n", s);
}
"""
WRONG = """#include <cstdio>
int main() {
    char w[64]; int n;
    scanf("%63s %d", w, &n);
    long long s = 0;
    for (int i = 1; i < n; ++i) { long long x; scanf("%lld", &x); s += x; }
    printf("%lld\\n", s);
}
"""
BROKEN = """#include <cstdio>
int main() { long long s = 0 printf("%lld\\n", s); }
"""
GENERATOR = """#include <cstdio>
#include <cstdlib>
int main(int argc, char** argv) {
    unsigned long long x = strtoull(argv[1], 0, 10) * 2654435761ULL + 12345;
    auto next = [&]() { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
    int n = 1 + next() % LIMIT_N;
    printf("g%llu\\n%d\\n", next() % 1000, n);
    for (int i = 0; i < n; ++i) {
        long long v = (long long)(next() % (2 * LIMIT_A + 1)) - LIMIT_A;
        printf("%lld%c", v, i + 1 < n ? ' ' : '\\n');
    }
}
"""
CRASHING_GENERATOR = """#include <cstdlib>
int main() { abort(); }
"""
VALIDATOR = """import sys
lines = sys.stdin.read().split("\\n")
ok = len(lines) >= 3 and lines[0].isalnum()
if ok:
    n = int(lines[1]); a = [int(t) for t in lines[2].split()]
    ok = 1 <= n <= LIMIT_N and len(a) == n and all(abs(v) <= LIMIT_A for v in a)
sys.exit(0 if ok else 1)
"""
LIMITS = {"small": ("10", "1000"), "big": ("1000", "1000000000000LL")}


def fence(code: str, lang: str = "cpp") -> str:
    return f"Let me think about the constraints first.\n\n```{lang}\n{code}```\n"


def solution_texts() -> list[tuple[str, str]]:
    """(text, finish_reason) of the solution samples, the same for each subtask."""
    return [
        (fence(RIGHT), "stop"),
        (fence(RIGHT_2), "stop"),
        (
            fence(
                RIGHT.replace("long long s = 0;", "long long s = 0;  // 64 bits: sums reach 1e15")
            ),
            "stop",
        ),
        (fence(OVERFLOW), "stop"),
        (fence(OVERFLOW.replace("int s = 0;", "int s=0;")), "stop"),
        (fence(WRONG), "stop"),
        (fence(BROKEN), "stop"),
        ("I am not sure how to solve this.", "stop"),
        (fence(RIGHT_2)[:80], "length"),
        (fence(OVERFLOW), "stop"),
    ]


def generator_texts(subtask: str) -> list[str]:
    n, a = LIMITS[subtask]
    gen = GENERATOR.replace("LIMIT_N", n).replace("LIMIT_A", a)
    return [fence(gen), fence(gen.replace("2654435761ULL", "40503ULL")), fence(CRASHING_GENERATOR)]


def validator_texts(subtask: str) -> list[str]:
    n, a = LIMITS[subtask]
    val = VALIDATOR.replace("LIMIT_N", n).replace("LIMIT_A", a.removesuffix("LL"))
    return [fence(val, "python"), fence(val.replace("isalnum()", "isalnum() or True"), "python")]


def write_samples(path: Path, problem_id: str = "sumword") -> Path:
    rows = []
    for sid in ("big", "small"):
        for text, finish in solution_texts():
            rows.append(("solution", sid, text, finish))
        rows += [("generator", sid, t, "stop") for t in generator_texts(sid)]
        rows += [("validator", sid, t, "stop") for t in validator_texts(sid)]
    with path.open("w") as f:
        for role, sid, text, finish in rows:
            rec = {
                "problem": problem_id,
                "subtask": sid,
                "role": role,
                "text": text,
                "finish_reason": finish,
                "tokens": len(text) // 4,
                "logprob": -0.05 * len(text) / 4,
                "model": "fixture",
            }
            f.write(json.dumps(rec) + "\n")
    return path


def make_problem(tmp: Path) -> Path:
    """A copy of the fixture problem with its samples file, in `tmp`."""
    dest = tmp / "sumword"
    shutil.copytree(FIXTURE, dest)
    write_samples(dest / "samples.jsonl")
    return dest

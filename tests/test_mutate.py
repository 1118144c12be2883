"""Source mutations: semantic changes land where models make mistakes, never inside strings or
comments; cosmetic changes keep the program's behaviour; compile breakers break compilation."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cpsolve.simulate import mutate as M

CPP = """#include <bits/stdc++.h>
using namespace std;
// sum of the n numbers, or -1 when n < 0 ("n < 0" stays in this comment)
int main() {
    long long n;
    scanf("%lld", &n);
    vector<long long> a(n);
    if (n < 0 && n != -5) { puts("n < 0"); return 0; }
    long long s = 0;
    for (int i = 0; i < n; i++) { scanf("%lld", &a[i]); s += a[i]; }
    printf("%lld\\n", max(s, 0LL) + 1);
}
"""
PY = """import sys


def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    total = 0
    for i in range(1, n + 1):
        x = int(data[i])
        if x < 0:
            continue
        total += x
    print(f"{total}")


main()
"""
SUM_INPUT = "4\n1 -2 3 4\n"


def _run_py(source: str, stdin: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", source], input=stdin, capture_output=True, text=True, timeout=20
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _cpp_binary(source: str, tmp: Path) -> Path | None:
    src, exe = tmp / "m.cpp", tmp / "m"
    src.write_text(source)
    done = subprocess.run(["g++", "-std=gnu++17", "-O0", "-o", str(exe), str(src)], check=False)
    return exe if done.returncode == 0 else None


@pytest.mark.parametrize("kind", M.MUTATION_KINDS)
def test_each_kind_changes_code_not_strings_or_comments(kind):
    m = M._apply(kind, CPP, "cpp", random.Random(5))
    if kind == "early_exit":
        assert m is None  # the program has no break or continue
        return
    assert m is not None and m.source != CPP and m.kind == kind
    assert '"n < 0"' in m.source and '("n < 0" stays in this comment)' in m.source
    assert "vector<long long>" in m.source or kind == "narrow"
    assert "#include <bits/stdc++.h>" in m.source


def test_specific_mutations_do_what_they_say():
    rng = random.Random(0)
    narrowed = M._apply("narrow", CPP, "cpp", random.Random(1))
    assert narrowed is not None and "int" in narrowed.source
    dropped = M._apply("drop_branch", CPP, "cpp", rng)
    assert dropped is not None and "puts(" not in dropped.source
    bound = M._apply("loop_bound", PY, "python", rng)
    assert bound is not None and "range(" in bound.source and bound.source != PY
    assert any(s in bound.source for s in ("n + 1 - 1", "n + 1 + 1", "1 - 1,", "1 + 1,"))
    early = M._apply("early_exit", PY, "python", rng)
    assert early is not None and "break" in early.source


def test_template_brackets_and_stream_operators_are_left_alone():
    src = "vector<pair<int,int>> v; map<int, long long> m; cout << a << endl; if (a<b) x = 1;"
    for seed in range(40):
        m = M._apply("relational", src, "cpp", random.Random(seed))
        assert m is not None
        assert "vector<pair<int,int>>" in m.source and "map<int, long long>" in m.source
        assert "cout << a << endl" in m.source and "a<=b" in m.source


def test_mutate_returns_a_changed_program_and_none_when_nothing_applies():
    m = M.mutate(PY, "python", random.Random(3))
    assert m is not None and m.source != PY
    assert M.mutate("print(7)\n", "python", random.Random(3), kinds=("narrow",)) is None


def test_python_mutants_still_parse_mostly():
    bad = 0
    for seed in range(60):
        m = M.mutate(PY, "python", random.Random(seed))
        assert m is not None
        try:
            compile(m.source, "m.py", "exec")
        except SyntaxError:
            bad += 1
    assert bad <= 6  # semantic mutations are meant to run, and almost always do


def test_python_cosmetic_variants_behave_the_same_and_vary():
    want = _run_py(PY, SUM_INPUT)
    assert want == "8\n"
    texts = set()
    for seed in range(25):
        v = M.cosmetic(PY, "python", random.Random(seed))
        texts.add(v)
        assert _run_py(v, SUM_INPUT) == want, v
    assert len(texts) >= 10


def test_renaming_is_consistent_and_avoids_members_keywords_and_fstrings():
    renamed = M.rename_identifiers(PY, "python", random.Random(2))
    assert renamed != PY and _run_py(renamed, SUM_INPUT) == "8\n"
    assert "{total}" in renamed and "total += " in renamed  # total is in an f-string: kept
    src = "struct P { int x; };\nint main() { P p; int x = 3; p.x = x; return p.x; }\n"
    for seed in range(10):
        out = M.rename_identifiers(src, "cpp", random.Random(seed))
        assert "p.x" in out.replace(" ", "") and "int x;" in out


def test_python_compile_breakers_do_not_parse():
    for seed in range(20):
        broken = M.break_compile(PY, "python", random.Random(seed))
        assert broken != PY
        with pytest.raises(SyntaxError):
            compile(broken, "b.py", "exec")


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_cpp_cosmetic_variants_compile_and_behave_the_same(tmp_path):
    exe = _cpp_binary(CPP, tmp_path)
    assert exe is not None
    want = subprocess.run([exe], input=SUM_INPUT, capture_output=True, text=True).stdout
    assert want == "7\n"
    for seed in range(3):
        v = M.cosmetic(CPP, "cpp", random.Random(seed * 7 + 1))
        exe = _cpp_binary(v, tmp_path)
        assert exe is not None, v
        got = subprocess.run([exe], input=SUM_INPUT, capture_output=True, text=True).stdout
        assert got == want


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_cpp_compile_breakers_do_not_compile(tmp_path):
    for seed in range(3):
        broken = M.break_compile(CPP, "cpp", random.Random(seed))
        assert broken != CPP
        assert _cpp_binary(broken, tmp_path) is None

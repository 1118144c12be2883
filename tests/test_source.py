"""Program text: the lexer loses nothing, `rename_main` turns a program's `main` into a function a
wrapper can call, and `normalise_source` (program ids, compile-cache keys) never changes."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from cpsolve.languages import Language
from cpsolve.source import dialect_of, join, match, normalise_source, rename_main, tokenize

ROOT = Path(__file__).resolve().parents[1]
GEN = """// usage: gen N seed; main() is below
#include <cstdio>
int main();
int helper() { return 1; }
int main(int argc, char** argv) {
    if (argc > 1) { puts("main(x)"); }
}
"""


def test_tokenize_round_trips_every_shipped_program():
    files = [*ROOT.glob("problems/*/solutions/*"), *ROOT.glob("problems/*/*.cpp")]
    assert files
    for f in files:
        src = f.read_text()
        dialect = dialect_of("python" if f.suffix == ".py" else "cpp")
        assert join(tokenize(src, dialect)) == src, f


def test_strings_and_comments_are_single_tokens():
    toks = tokenize('puts("a { b"); // } not code\n', "cpp")
    assert [t.kind for t in toks if t.kind not in ("ws", "newline")] == [
        "ident",
        "op",
        "string",
        "op",
        "op",
        "comment",
    ]
    py = tokenize("x = '''a\n# b'''  # c\n", "python")
    assert [t.text for t in py if t.kind in ("string", "comment")] == ["'''a\n# b'''", "# c"]


def test_match_skips_brackets_in_strings_and_reports_unbalanced():
    toks = tokenize('f(a, "(", g(b))\nh(', "cpp")
    opens = [i for i, t in enumerate(toks) if t.text == "("]
    assert toks[match(toks, opens[0], "(", ")") + 1].kind == "newline"
    assert match(toks, opens[-1], "(", ")") == len(toks)


def test_rename_main_renames_the_definition_only():
    out = rename_main(GEN, "gen_main")
    assert "int main();" in out and "// usage: gen N seed; main() is below" in out
    assert 'puts("main(x)");' in out
    assert "int gen_main(int argc, char** argv) {" in out
    assert out.rstrip().endswith("}\nreturn 0;\n}")


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")
def test_a_renamed_main_runs_behind_a_wrapper(tmp_path):
    src = tmp_path / "w.cpp"
    src.write_text(
        rename_main(GEN.replace("int main();\n", ""), "gen_main")
        + '\nint main() { char a[] = "g", b[] = "1"; char* v[] = {a, b, nullptr};'
        + " return gen_main(2, v); }\n"
    )
    exe = tmp_path / "w"
    subprocess.run(["g++", "-O0", "-o", str(exe), str(src)], check=True)
    done = subprocess.run([str(exe)], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (0, "main(x)\n")


def test_normalised_c_drops_comments_and_layout():
    src = '#include <cstdio>\n/* a\n block */ int  main( ) {   // hi\n    puts("a  // b");\n\n}\n'
    # literals are kept byte for byte (before issue 15, whitespace runs inside them collapsed
    # too, and programs that differ only there shared one id)
    assert (
        normalise_source(src, Language.CPP)
        == '#include <cstdio>\nint main( ) {\nputs("a  // b");\n}'
    )


def test_normalised_python_is_its_token_stream_and_raw_when_it_cannot_be_read():
    a = normalise_source("def f( x ):  # c\n\n    return 'a  #b'\n", Language.PYTHON)
    b = normalise_source("def f(x):\n    return 'a  #b'\n", Language.PYTHON)
    assert a == b and "3:'a  #b'" in a.split("\n")
    broken = "def f(:\n  x = '''\n"
    assert normalise_source(broken, Language.PYTHON) == broken


@pytest.mark.parametrize(
    ("path", "language", "digest"),
    [
        (
            "street-lamps/solutions/greedy.cpp",
            Language.CPP,
            "0ba8c32dfb951557e12be06d3a3786eece14098aa6d92867562935303d1265d3",
        ),
        (
            "street-lamps/solutions/greedy.py",
            Language.PYTHON,
            "d0b1938b98265e702f79867150eec952b3451831fd7e208734e988f67a148b79",
        ),
    ],
)
def test_shipped_programs_keep_their_identity(path, language, digest):
    """Stored runs and replayed plans name programs by this hash: it must never move."""
    text = (ROOT / "problems" / path).read_text()
    assert hashlib.sha256(normalise_source(text, language).encode()).hexdigest() == digest

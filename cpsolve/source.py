"""Program text as production and the simulated model both read it: pure functions, no I/O.

* `tokenize` / `join`: a small C++ and Python lexer that knows comments, strings, character
  literals and preprocessor lines, and loses nothing (`join(tokenize(s, d)) == s`); `match`
  finds the bracket closing an opening one.
* `rename_main`: a C++ program's `main` as a plain function, so that a wrapper can call it
  (testgen puts the problem's generator and validator behind its own `main`).
* `normalise_source`: a program's identity, with comments and insignificant whitespace removed
  and literals kept byte for byte. Program ids hash it, so its output must never change for a
  program it already named correctly: stored runs and replays depend on it. It ignores only what
  cannot change the program (issue 15 fixed three collisions: whitespace inside literals, a `//`
  comment continued by a backslash, a Python coding line). Compile-cache keys hash the exact
  source (`sandbox.cache.compile_key`).
"""

from __future__ import annotations

import codecs
import io
import re
import tokenize as pytokenize
from dataclasses import dataclass
from typing import Literal

from cpsolve.languages import Language

Dialect = Literal["cpp", "python"]

# ---- the lexer -------------------------------------------------------------------------------

_CPP_TOKEN = re.compile(
    r"""
    (?P<comment>//[^\n]*|/\*[\s\S]*?\*/)
  | (?P<pp>(?<![^\n])[ \t]*\#(?:[^\n\\]|\\[\s\S])*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<number>0[xX][0-9a-fA-F']+[uUlL]*
      |(?:\d[\d']*\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)[uUlLfF]*)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<newline>\n)
  | (?P<ws>[ \t\r\f\v]+)
  | (?P<op>>>=|<<=|\.\.\.|::|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\+=|-=|\*=|/=|%=|&=|\|=|\^=|.)
    """,
    re.VERBOSE,
)

_PY_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>(?:[rRbBfFuU]{1,2})?(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''
      |"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'))
  | (?P<number>0[xXoObB][0-9a-fA-F_]+
      |(?:\d[\d_]*\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)[jJ]?)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<newline>\n)
  | (?P<ws>[ \t\r\f\v]+)
  | (?P<op>\*\*=|//=|>>=|<<=|\*\*|//|->|:=|<<|>>|<=|>=|==|!=|\+=|-=|\*=|/=|%=|&=|\|=|\^=|.)
    """,
    re.VERBOSE,
)


@dataclass
class Token:
    kind: str  # comment, pp, string, number, ident, newline, ws, op
    text: str


def dialect_of(language: Language | str) -> Dialect:
    """The lexer dialect of a language: C is read as C++."""
    return "python" if str(language) in ("python", "py", "python3") else "cpp"


def tokenize(source: str, dialect: Dialect) -> list[Token]:
    """Every character of `source` in exactly one token, in order."""
    pattern = _PY_TOKEN if dialect == "python" else _CPP_TOKEN
    return [Token(m.lastgroup or "op", m.group()) for m in pattern.finditer(source)]


def join(tokens: list[Token]) -> str:
    return "".join(t.text for t in tokens)


def match(tokens: list[Token], i: int, open_: str, close: str) -> int:
    """Index of the bracket closing the one at i (or len(tokens) when unbalanced)."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].text == open_:
            depth += 1
        elif tokens[j].text == close:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens)


def rename_main(source: str, name: str) -> str:
    """A C++ program whose `main` is renamed to `name` and ends in `return 0;` (a plain function
    that falls off its end would be undefined behaviour; `main` alone is exempt)."""
    tokens = tokenize(source, "cpp")
    for i, t in enumerate(tokens):
        if t.kind != "ident" or t.text != "main":
            continue
        j = i + 1
        while j < len(tokens) and tokens[j].kind in ("ws", "newline", "comment"):
            j += 1
        if j >= len(tokens) or tokens[j].text != "(":
            continue
        close = match(tokens, j, "(", ")")
        body = next((k for k in range(close, len(tokens)) if tokens[k].text in ("{", ";")), None)
        if body is None or tokens[body].text != "{":
            continue
        end = match(tokens, body, "{", "}")
        t.text = name
        if end < len(tokens):
            tokens[end].text = "return 0;\n}"
        break
    return join(tokens)


# ---- identity --------------------------------------------------------------------------------


def _c_lines(source: str) -> list[str]:
    """C/C++ source without comments, one entry per logical line, whitespace runs collapsed
    outside literals (string, character and raw string literals are kept byte for byte; a `//`
    comment ends where the compiler ends it: not at a newline after a backslash)."""
    out: list[str] = []
    line: list[str] = []
    literals: list[str] = []
    mark = _unused_char(source)
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c in "\"'" and not (c == "'" and _in_number(source, i)):
            j = _raw_string_end(source, i) if c == '"' else -1
            if j < 0:
                j = i + 1
                while j < n and source[j] != c and source[j] != "\n":
                    j += 2 if source[j] == "\\" else 1
            literals.append(source[i : j + 1])
            line.append(mark)
            i = j + 1
        elif source.startswith("//", i):
            j = i
            while True:
                j = source.find("\n", j)
                if j < 0 or not source[i:j].rstrip(" \t\r").endswith("\\"):
                    break
                j += 1
            i = n if j < 0 else j
        elif source.startswith("/*", i):
            j = source.find("*/", i + 2)
            line.append(" ")
            i = n if j < 0 else j + 2
        elif c == "\n":
            out.append(_collapse("".join(line), mark, literals))
            line, literals = [], []
            i += 1
        else:
            line.append(c)
            i += 1
    out.append(_collapse("".join(line), mark, literals))
    return [x for x in out if x]


def _in_number(source: str, i: int) -> bool:
    """Whether the quote at i is a digit separator (C++14: 1'000'000), not a literal's start."""
    j = i
    while j > 0 and (source[j - 1].isalnum() or source[j - 1] in "_'"):
        j -= 1
    return j < i and source[j].isdigit()


def _unused_char(source: str) -> str:
    """A non-whitespace character that `source` does not contain (a literal's placeholder)."""
    return next(chr(c) for c in range(0xE000, 0x110000) if chr(c) not in source)


def _collapse(text: str, mark: str, literals: list[str]) -> str:
    """Whitespace runs of `text` as one space, then each placeholder back to its literal."""
    parts = " ".join(text.split()).split(mark)
    return "".join(p + (literals[k] if k < len(literals) else "") for k, p in enumerate(parts))


_RAW_PREFIX = re.compile(r"(?:^|[^\w])(?:u8|[uUL])?R$")


def _raw_string_end(source: str, i: int) -> int:
    """Index of the closing quote of the raw string literal whose opening quote is at i, or -1
    when it is no raw string."""
    if not _RAW_PREFIX.search(source[max(0, i - 4) : i]):
        return -1
    paren = source.find("(", i + 1, i + 18)
    delim = source[i + 1 : paren]
    if paren < 0 or any(ch in delim for ch in ' \\)\t\n"'):
        return -1
    end = source.find(")" + delim + '"', paren + 1)
    return -1 if end < 0 else end + len(delim) + 1


def _py_tokens(source: str) -> list[str]:
    skip = {pytokenize.COMMENT, pytokenize.NL, pytokenize.ENCODING, pytokenize.ENDMARKER}
    toks = pytokenize.generate_tokens(io.StringIO(source).readline)
    return [f"{t.type}:{t.string}" for t in toks if t.type not in skip]


_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _py_coding(source: str) -> list[str]:
    """The PEP 263 encoding declaration when it is not UTF-8 (it changes what the bytes of the
    source mean, so it is part of the program); [] otherwise."""
    for line in source.split("\n", 2)[:2]:
        found = _CODING.match(line)
        if found:
            try:
                name = codecs.lookup(found.group(1)).name
            except LookupError:
                name = found.group(1)
            return [] if name == "utf-8" else [f"coding:{found.group(1)}"]
        if line.strip() and not line.lstrip().startswith("#"):
            break
    return []


# A program that can see its own line numbers (or its frames) is identified by its exact text:
# dropping a comment line would change what it does.
_LINE_AWARE = {
    "python": ("lineno", "_getframe", "inspect", "traceback", "__file__", "__code__"),
    "cpp": ("__LINE__", "source_location", "#line", "__FILE__"),
}


def normalise_source(source: str, language: Language) -> str:
    """The source with comments and insignificant whitespace removed (literals kept byte for
    byte, a non-UTF-8 coding line kept); the exact source when it could observe its layout."""
    if any(word in source for word in _LINE_AWARE[dialect_of(language)]):
        return source
    if language == Language.PYTHON:
        try:
            return "\n".join(_py_coding(source) + _py_tokens(source))
        except (pytokenize.TokenError, IndentationError, SyntaxError):
            return source  # cannot tokenise: it will not compile either; key on the raw text
    return "\n".join(_c_lines(source))

"""Program text as production and the simulated model both read it: pure functions, no I/O.

* `tokenize` / `join`: a small C++ and Python lexer that knows comments, strings, character
  literals and preprocessor lines, and loses nothing (`join(tokenize(s, d)) == s`); `match`
  finds the bracket closing an opening one.
* `rename_main`: a C++ program's `main` as a plain function, so that a wrapper can call it
  (testgen puts the problem's generator and validator behind its own `main`).
* `normalise_source`: a program's identity, with comments and insignificant whitespace removed
  and string literals kept. Program ids and compile-cache keys hash it, so its output must never
  change: stored runs and replays depend on it.
"""

from __future__ import annotations

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
    """C/C++ source without comments, one entry per logical line, whitespace runs collapsed."""
    out: list[str] = []
    line: list[str] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c in "\"'":
            j = i + 1
            while j < n and source[j] != c and source[j] != "\n":
                j += 2 if source[j] == "\\" else 1
            line.append(source[i : j + 1])
            i = j + 1
        elif source.startswith("//", i):
            j = source.find("\n", i)
            i = n if j < 0 else j
        elif source.startswith("/*", i):
            j = source.find("*/", i + 2)
            line.append(" ")
            i = n if j < 0 else j + 2
        elif c == "\n":
            out.append(" ".join("".join(line).split()))
            line = []
            i += 1
        else:
            line.append(c)
            i += 1
    out.append(" ".join("".join(line).split()))
    return [x for x in out if x]


def _py_tokens(source: str) -> list[str]:
    skip = {pytokenize.COMMENT, pytokenize.NL, pytokenize.ENCODING, pytokenize.ENDMARKER}
    toks = pytokenize.generate_tokens(io.StringIO(source).readline)
    return [f"{t.type}:{t.string}" for t in toks if t.type not in skip]


def normalise_source(source: str, language: Language) -> str:
    """The source with comments and insignificant whitespace removed (string literals kept)."""
    if language == Language.PYTHON:
        try:
            return "\n".join(_py_tokens(source))
        except (pytokenize.TokenError, IndentationError, SyntaxError):
            return source  # cannot tokenise: it will not compile either; key on the raw text
    return "\n".join(_c_lines(source))

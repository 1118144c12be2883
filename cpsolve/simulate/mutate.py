"""Source mutations of C++ and Python programs: pure text transforms, no I/O.

The simulated engine uses these to turn a problem's reference solutions into the variety a code
model produces:

* `mutate`: one semantic change of the kind models get wrong (comparison and arithmetic
  operators, loop bounds off by one, constants, a dropped edge-case branch, `long long` narrowed
  to `int`, `break`/`continue` swapped, `min`/`max` swapped, `&&`/`||` swapped). Whether the
  change alters the program's behaviour is for the judge to find out, not for this module.
* `break_compile`: a change that stops the program from compiling (a lost `;`, brace, colon or a
  misspelt name).
* `cosmetic`: changes that keep the behaviour: consistently renamed identifiers, re-indentation,
  brace placement, comments removed or added, blank lines.

Everything works on a token list from the lexer in `cpsolve.source`, which knows comments,
strings, character literals and preprocessor lines, so no mutation ever touches the inside of a
string or comment.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Literal

from cpsolve.languages import Language
from cpsolve.source import Dialect, Token, dialect_of, join, match, tokenize

# ---- token helpers (the lexer is cpsolve.source) ----------------------------------------------


def _code(tokens: list[Token]) -> list[int]:
    """Indices of the tokens that carry code (not whitespace or comments)."""
    return [i for i, t in enumerate(tokens) if t.kind not in ("ws", "newline", "comment")]


def _prev(tokens: list[Token], i: int) -> Token | None:
    j = i - 1
    while j >= 0 and tokens[j].kind in ("ws", "newline", "comment"):
        j -= 1
    return tokens[j] if j >= 0 else None


def _next(tokens: list[Token], i: int) -> Token | None:
    j = i + 1
    while j < len(tokens) and tokens[j].kind in ("ws", "newline", "comment"):
        j += 1
    return tokens[j] if j < len(tokens) else None


def _spaced(tokens: list[Token], i: int) -> bool:
    """Whether the token has whitespace on both sides (how binary operators are usually set)."""
    return 0 < i < len(tokens) - 1 and tokens[i - 1].kind == "ws" and tokens[i + 1].kind == "ws"


# ---- semantic mutations --------------------------------------------------------------------

MutationKind = Literal[
    "relational",
    "arithmetic",
    "logical",
    "minmax",
    "constant",
    "loop_bound",
    "drop_branch",
    "narrow",
    "early_exit",
]
MUTATION_KINDS: tuple[MutationKind, ...] = (
    "relational",
    "arithmetic",
    "logical",
    "minmax",
    "constant",
    "loop_bound",
    "drop_branch",
    "narrow",
    "early_exit",
)

_RELATIONAL = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
_ARITH = {"+": "-", "-": "+", "*": "+", "+=": "-=", "-=": "+="}
_TEMPLATES = {
    "vector", "array", "pair", "map", "set", "unordered_map", "unordered_set", "multiset",
    "multimap", "priority_queue", "queue", "deque", "stack", "tuple", "greater", "less",
    "function", "bitset", "static_cast", "reinterpret_cast", "const_cast", "basic_string",
    "numeric_limits", "template", "optional", "span", "list", "valarray",
}  # fmt: skip
_VALUE_KINDS = ("ident", "number", "string")


@dataclass(frozen=True)
class Mutant:
    """A mutated program and what was changed (for humans; never shown to the judge)."""

    source: str
    kind: str
    note: str


def _binary_operand_ok(tokens: list[Token], i: int) -> bool:
    p, n = _prev(tokens, i), _next(tokens, i)
    if p is None or n is None:
        return False
    left = p.kind in _VALUE_KINDS or p.text in (")", "]")
    right = n.kind in _VALUE_KINDS or n.text in ("(", "-", "!")
    return left and right


def _template_bracket(tokens: list[Token], i: int) -> bool:
    """Whether a `<` or `>` at i is (likely) a template bracket rather than a comparison."""
    if _spaced(tokens, i):
        return False
    j = i
    while j >= 0 and tokens[j].text not in (";", "{", "}"):
        if tokens[j].kind == "ident" and tokens[j].text in _TEMPLATES:
            return True
        j -= 1
    return tokens[i].text == "<" and (_prev(tokens, i) or Token("", "")).text in _TEMPLATES


def _sites_relational(tokens: list[Token], lang: Dialect) -> list[int]:
    out = []
    for i in _code(tokens):
        t = tokens[i]
        if t.kind != "op" or t.text not in _RELATIONAL or not _binary_operand_ok(tokens, i):
            continue
        if lang == "cpp" and t.text in ("<", ">") and _template_bracket(tokens, i):
            continue
        out.append(i)
    return out


def _sites_arith(tokens: list[Token], lang: Dialect) -> list[int]:
    out = []
    for i in _code(tokens):
        t = tokens[i]
        if t.kind != "op" or t.text not in _ARITH:
            continue
        if t.text in ("+=", "-=") or (_spaced(tokens, i) and _binary_operand_ok(tokens, i)):
            if lang == "cpp" and t.text == "*" and not _spaced(tokens, i):
                continue
            out.append(i)
    return out


def _sites_text(tokens: list[Token], texts: set[str], kind: str) -> list[int]:
    return [i for i in _code(tokens) if tokens[i].kind == kind and tokens[i].text in texts]


def _bump_number(text: str, rng: random.Random) -> str | None:
    m = re.fullmatch(r"(\d+)([uUlL]*)", text)
    if m:
        value, suffix = int(m.group(1)), m.group(2)
        if value >= 100000:
            choices = [value // 10, value + 1, value - 1]
        elif value == 0:
            choices = [1]
        else:
            choices = [value + 1, value - 1]
        return f"{rng.choice(choices)}{suffix}"
    m = re.fullmatch(r"(\d*\.?\d*)[eE]([+-]?)(\d+)([lLfF]?)", text)
    if m:
        mant, sign, exp, suffix = m.groups()
        e = int(exp)
        e2 = e - 3 if sign != "-" and e > 3 else e + 3 if sign != "-" else max(1, e - 3)
        return f"{mant}e{sign}{e2}{suffix}"
    return None


def _sites_constant(tokens: list[Token]) -> list[int]:
    return [i for i in _code(tokens) if tokens[i].kind == "number"]


def _loop_bound_cpp(tokens: list[Token], rng: random.Random) -> Mutant | None:
    """In a `for (init; cond; step)` change the condition's bound by one."""
    fors = []
    for i in _sites_text(tokens, {"for"}, "ident"):
        n = _next(tokens, i)
        if n is None or n.text != "(":
            continue
        start = tokens.index(n, i)
        end = match(tokens, start, "(", ")")
        semis = [j for j in range(start, end) if tokens[j].text == ";"]
        if len(semis) != 2:
            continue
        cmp = [
            j
            for j in range(semis[0], semis[1])
            if tokens[j].text in ("<", "<=", ">", ">=") and _binary_operand_ok(tokens, j)
        ]
        if cmp:
            fors.append((cmp[0], semis[1]))
    if not fors:
        return None
    j, semi = rng.choice(fors)
    if rng.random() < 0.5:
        old = tokens[j].text
        tokens[j] = Token("op", _RELATIONAL[old])
        return Mutant(join(tokens), "loop_bound", f"loop condition {old} -> {tokens[j].text}")
    delta = rng.choice([" - 1", " + 1"])
    tokens.insert(semi, Token("op", delta))
    return Mutant(join(tokens), "loop_bound", f"loop bound{delta}")


def _loop_bound_py(tokens: list[Token], rng: random.Random) -> Mutant | None:
    """In a `range(...)` shift its first or last argument by one."""
    ranges = []
    for i in _sites_text(tokens, {"range"}, "ident"):
        n = _next(tokens, i)
        if n is not None and n.text == "(":
            start = tokens.index(n, i)
            ranges.append((start, match(tokens, start, "(", ")")))
    if not ranges:
        return None
    start, end = rng.choice(ranges)
    if end >= len(tokens):
        return None
    commas = [
        j for j in range(start + 1, end) if tokens[j].text == "," and _depth(tokens, start, j) == 1
    ]
    delta = rng.choice([" - 1", " + 1"])
    where = end if not commas or rng.random() < 0.6 else commas[0]
    tokens.insert(where, Token("op", delta))
    return Mutant(join(tokens), "loop_bound", f"range argument{delta}")


def _depth(tokens: list[Token], start: int, j: int) -> int:
    d = 0
    for k in range(start, j):
        if tokens[k].text in ("(", "[", "{"):
            d += 1
        elif tokens[k].text in (")", "]", "}"):
            d -= 1
    return d


def _drop_branch_cpp(tokens: list[Token], rng: random.Random) -> Mutant | None:
    """Remove an `if (...) stmt;` or `if (...) { ... }` that has no `else`."""
    spans = []
    for i in _sites_text(tokens, {"if"}, "ident"):
        p = _prev(tokens, i)
        if p is not None and p.text == "else":
            continue
        n = _next(tokens, i)
        if n is None or n.text != "(":
            continue
        start = tokens.index(n, i)
        end = match(tokens, start, "(", ")")
        body = _next(tokens, end) if end < len(tokens) else None
        if body is None:
            continue
        b = tokens.index(body, end)
        if body.text == "{":
            stop = match(tokens, b, "{", "}")
        else:
            stop = next((k for k in range(b, len(tokens)) if tokens[k].text == ";"), len(tokens))
        if stop >= len(tokens):
            continue
        after = _next(tokens, stop)
        if after is not None and after.text == "else":
            continue
        spans.append((i, stop))
    if not spans:
        return None
    i, stop = rng.choice(spans)
    note = join(tokens[i : stop + 1]).split("\n")[0][:60]
    del tokens[i : stop + 1]
    return Mutant(join(tokens), "drop_branch", f"dropped `{note}`")


def _drop_branch_py(source: str, rng: random.Random) -> Mutant | None:
    """Remove an `if` statement (one line or a block) that has no `elif`/`else`."""
    lines = source.split("\n")
    spans = []
    for k, line in enumerate(lines):
        stripped = line.strip()
        if not stripped.startswith("if "):
            continue
        indent = _indent(line)
        end = k + 1
        if stripped.endswith(":"):
            while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > indent):
                end += 1
        nxt = lines[end].strip() if end < len(lines) else ""
        if nxt.startswith(("elif", "else")):
            continue
        first_in_block = k > 0 and lines[k - 1].rstrip().endswith(":")
        last_in_block = end >= len(lines) or (nxt and _indent(lines[end]) < indent)
        if not (first_in_block and last_in_block):
            spans.append((k, end))
    if not spans:
        return None
    k, end = rng.choice(spans)
    note = lines[k].strip()[:60]
    del lines[k:end]
    return Mutant("\n".join(lines), "drop_branch", f"dropped `{note}`")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _narrow(tokens: list[Token], rng: random.Random) -> Mutant | None:
    """`long long` -> `int`: one declaration, or all of them (with %lld -> %d)."""
    sites = [
        i
        for i in _code(tokens)
        if tokens[i].text == "long"
        and (n := _next(tokens, i)) is not None
        and n.text == "long"
        and (p := _prev(tokens, i)) is not None
        and p.text not in ("unsigned", "long")
    ]
    if not sites:
        return None
    chosen = sites if rng.random() < 0.5 else [rng.choice(sites)]
    for i in sorted(chosen, reverse=True):
        j = tokens.index(_next(tokens, i), i)  # type: ignore[arg-type]
        tokens[i : j + 1] = [Token("ident", "int")]
    if len(chosen) == len(sites):
        for t in tokens:
            if t.kind == "string":
                t.text = t.text.replace("%lld", "%d")
            elif t.kind == "number" and re.fullmatch(r"\d+LL", t.text):
                t.text = t.text[:-2]
    return Mutant(join(tokens), "narrow", f"long long -> int ({len(chosen)} of {len(sites)})")


def mutate(
    source: str,
    language: Language | str,
    rng: random.Random,
    kinds: tuple[str, ...] = MUTATION_KINDS,
) -> Mutant | None:
    """One semantic mutation of `source`, chosen at random among those that apply (None when
    none does)."""
    lang = dialect_of(language)
    order = list(kinds)
    rng.shuffle(order)
    for kind in order:
        m = _apply(kind, source, lang, rng)
        if m is not None and m.source != source:
            return m
    return None


def _apply(kind: str, source: str, lang: Dialect, rng: random.Random) -> Mutant | None:
    tokens = tokenize(source, lang)
    if kind == "relational":
        return _swap(tokens, _sites_relational(tokens, lang), _RELATIONAL, kind, rng)
    if kind == "arithmetic":
        return _swap(tokens, _sites_arith(tokens, lang), _ARITH, kind, rng)
    if kind == "logical":
        table = {"&&": "||", "||": "&&"} if lang == "cpp" else {"and": "or", "or": "and"}
        kind_of = "op" if lang == "cpp" else "ident"
        return _swap(tokens, _sites_text(tokens, set(table), kind_of), table, kind, rng)
    if kind == "minmax":
        table = {"min": "max", "max": "min", "fmin": "fmax", "fmax": "fmin"}
        return _swap(tokens, _sites_text(tokens, set(table), "ident"), table, kind, rng)
    if kind == "early_exit":
        table = {"break": "continue", "continue": "break"}
        return _swap(tokens, _sites_text(tokens, set(table), "ident"), table, kind, rng)
    if kind == "constant":
        sites = _sites_constant(tokens)
        rng.shuffle(sites)
        for i in sites:
            new = _bump_number(tokens[i].text, rng)
            if new is not None and new != tokens[i].text:
                old, tokens[i] = tokens[i].text, Token("number", new)
                return Mutant(join(tokens), kind, f"constant {old} -> {new}")
        return None
    if kind == "loop_bound":
        return _loop_bound_py(tokens, rng) if lang == "python" else _loop_bound_cpp(tokens, rng)
    if kind == "drop_branch":
        return _drop_branch_py(source, rng) if lang == "python" else _drop_branch_cpp(tokens, rng)
    if kind == "narrow":
        return None if lang == "python" else _narrow(tokens, rng)
    raise ValueError(f"unknown mutation kind {kind!r}")


def _swap(
    tokens: list[Token], sites: list[int], table: dict[str, str], kind: str, rng: random.Random
) -> Mutant | None:
    if not sites:
        return None
    i = rng.choice(sites)
    old = tokens[i].text
    tokens[i] = Token(tokens[i].kind, table[old])
    line = join(tokens[:i]).count("\n") + 1
    return Mutant(join(tokens), kind, f"line {line}: {old} -> {table[old]}")


# ---- compile errors ------------------------------------------------------------------------


def break_compile(source: str, language: Language | str, rng: random.Random) -> str:
    """`source` with one change that stops it from compiling (or, for Python, from parsing or
    from running past its first use of a misspelt name)."""
    lang = dialect_of(language)
    tokens = tokenize(source, lang)
    code = _code(tokens)
    names = [i for i in code if tokens[i].kind == "ident" and len(tokens[i].text) > 1]
    how = rng.random()
    if lang == "cpp":
        semis = [i for i in code if tokens[i].text == ";"]
        if how < 0.45 and semis:
            del tokens[rng.choice(semis)]
            return join(tokens)
        closes = [i for i in code if tokens[i].text == "}"]
        if how < 0.65 and closes:
            del tokens[rng.choice(closes)]
            return join(tokens)
        # a misspelt later use of a name (its first occurrence declares it): never a program
        # that still compiles, as misspelling a name used only once could be
        first: dict[str, int] = {}
        for i in names:
            first.setdefault(tokens[i].text, i)
        uses = [
            i for i in names if tokens[i].text not in _CPP_KEYWORDS and first[tokens[i].text] != i
        ]
        if uses:
            i = rng.choice(uses)
            tokens[i] = Token("ident", tokens[i].text + "_")
            return join(tokens)
        return source + "\nint main( {\n"
    colons = [
        i
        for i in code
        if tokens[i].text == ":" and i + 1 < len(tokens) and tokens[i + 1].kind == "newline"
    ]
    if how < 0.5 and colons:
        del tokens[rng.choice(colons)]
        return join(tokens)
    closes = [i for i in code if tokens[i].text == ")"]
    if how < 0.8 and closes:
        del tokens[rng.choice(closes)]
        return join(tokens)
    return _bad_indent(source, rng)


def _bad_indent(source: str, rng: random.Random) -> str:
    """Indent one line that follows a plain statement: an unexpected indent."""
    lines = source.split("\n")
    prev = ""
    spots = []
    for k, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#"):
            if prev and not prev.rstrip().endswith((":", "\\", ",", "(", "[", "{")):
                spots.append(k)
            prev = line
    if not spots:
        return source + "\n)"
    k = rng.choice(spots)
    lines[k] = "   " + lines[k]
    return "\n".join(lines)


# ---- cosmetic changes ----------------------------------------------------------------------

_CPP_KEYWORDS = set(
    [
        "alignas",
        "alignof",
        "and",
        "asm",
        "auto",
        "bool",
        "break",
        "case",
        "catch",
        "char",
        "class",
        "const",
        "constexpr",
        "const_cast",
        "continue",
        "decltype",
        "default",
        "delete",
        "do",
        "double",
        "dynamic_cast",
        "else",
        "enum",
        "explicit",
        "export",
        "extern",
        "false",
        "float",
        "for",
        "friend",
        "goto",
        "if",
        "inline",
        "int",
        "long",
        "mutable",
        "namespace",
        "new",
        "noexcept",
        "not",
        "nullptr",
        "operator",
        "or",
        "private",
        "protected",
        "public",
        "register",
        "reinterpret_cast",
        "return",
        "short",
        "signed",
        "sizeof",
        "static",
        "static_assert",
        "static_cast",
        "struct",
        "switch",
        "template",
        "this",
        "throw",
        "true",
        "try",
        "typedef",
        "typeid",
        "typename",
        "union",
        "unsigned",
        "using",
        "virtual",
        "void",
        "volatile",
        "while",
        "main",
        "std",
        "size_t",
    ]
)
_PY_KEYWORDS = set(
    [
        "False",
        "None",
        "True",
        "and",
        "as",
        "assert",
        "async",
        "await",
        "break",
        "class",
        "continue",
        "def",
        "del",
        "elif",
        "else",
        "except",
        "finally",
        "for",
        "from",
        "global",
        "if",
        "import",
        "in",
        "is",
        "lambda",
        "nonlocal",
        "not",
        "or",
        "pass",
        "raise",
        "return",
        "try",
        "while",
        "with",
        "yield",
        "self",
        "main",
        "print",
        "input",
        "range",
        "len",
        "int",
        "str",
        "float",
        "list",
        "dict",
        "set",
        "tuple",
        "map",
        "sorted",
        "sum",
        "min",
        "max",
        "abs",
        "sys",
    ]
)
_CPP_TYPES = {
    "int", "long", "double", "float", "bool", "char", "auto", "string", "ll", "size_t",
    "unsigned", "short", "i64", "u64", "uint64_t", "int64_t", "ld",
}  # fmt: skip
_NEW_NAMES = [
    "cnt", "res", "ans", "val", "cur", "best", "tmp", "acc", "idx", "pos", "lim", "total",
    "num", "len_", "lo_", "hi_", "step", "jdx", "kk", "aux", "buf", "top", "last", "prv",
    "nxt", "cand", "span", "width", "need", "have", "mx", "mn", "sz", "cap", "key", "goal",
]  # fmt: skip


def _declared_names(tokens: list[Token], lang: Dialect) -> list[str]:
    """Names the program itself declares (variables, parameters, loop targets, functions)."""
    found: list[str] = []
    for i in _code(tokens):
        t = tokens[i]
        if t.kind != "ident":
            continue
        p = _prev(tokens, i)
        if p is None:
            continue
        if lang == "cpp":
            decl = p.text in _CPP_TYPES or (p.text in (">", "&", "*") and _is_decl(tokens, i))
            if not decl and p.text == ",":
                decl = _is_decl(tokens, i)
        else:
            n = _next(tokens, i)
            assigned = _line_start(tokens, i) and n is not None and n.text in ("=", ",")
            decl = p.text in ("def", "for") or assigned
        if decl and t.text not in found:
            found.append(t.text)
    return found


def _line_start(tokens: list[Token], i: int) -> bool:
    j = i - 1
    while j >= 0 and tokens[j].kind == "ws":
        j -= 1
    return j < 0 or tokens[j].kind == "newline"


def _is_decl(tokens: list[Token], i: int) -> bool:
    """Whether the statement holding token i starts with a known type (a declaration list)."""
    j = i
    depth = 0
    while j >= 0 and not (tokens[j].text in (";", "{", "}", "(") and depth == 0):
        if tokens[j].text == ")":
            depth += 1
        elif tokens[j].text == "(":
            depth -= 1
        j -= 1
    first = _next(tokens, j) if j >= 0 else next((t for t in tokens if t.kind == "ident"), None)
    return first is not None and (first.text in _CPP_TYPES or first.text in _TEMPLATES)


def _renamable(name: str, tokens: list[Token], lang: Dialect) -> bool:
    reserved = _CPP_KEYWORDS | _CPP_TYPES | _TEMPLATES if lang == "cpp" else _PY_KEYWORDS
    if name in reserved or name.startswith("__"):
        return False
    word = re.compile(rf"\b{re.escape(name)}\b")
    for i, t in enumerate(tokens):
        if t.kind == "pp" and word.search(t.text):
            return False  # used inside a macro
        fstring = lang == "python" and t.kind == "string" and "f" in t.text[:2].lower()
        if fstring and word.search(t.text):
            return False  # used inside an f-string
        if t.kind == "ident" and t.text == name:
            p = _prev(tokens, i)
            if p is not None and p.text in (".", "->", "::"):
                return False  # also a member name somewhere: leave it alone
            n = _next(tokens, i)
            if n is not None and n.text in ("(", "<"):
                return False  # a function (a grader may call it by name) or a template
            kwarg = p is not None and p.text in ("(", ",") and n is not None and n.text == "="
            if lang == "python" and kwarg:
                return False  # a keyword argument
    return True


def rename_identifiers(source: str, language: Language | str, rng: random.Random) -> str:
    """Consistently rename a random subset of the names the program declares."""
    lang = dialect_of(language)
    tokens = tokenize(source, lang)
    names = [n for n in _declared_names(tokens, lang) if _renamable(n, tokens, lang)]
    if not names:
        return source
    used = {t.text for t in tokens if t.kind == "ident"}
    for t in tokens:
        if t.kind in ("pp", "string", "comment"):
            used.update(re.findall(r"[A-Za-z_]\w*", t.text))
    pool = [n for n in _NEW_NAMES if n not in used]
    rng.shuffle(pool)
    k = rng.randint(1, len(names))
    mapping = dict(zip(rng.sample(names, k), pool, strict=False))
    for t in tokens:
        if t.kind == "ident" and t.text in mapping:
            t.text = mapping[t.text]
    return join(tokens)


def reindent(source: str, language: Language | str, rng: random.Random) -> str:
    """Scale leading indentation (4 -> 2 spaces, 2 -> 4, or tabs for C++)."""
    lang = dialect_of(language)
    widths = [_indent(x) for x in source.split("\n") if x.strip() and _indent(x)]
    if not widths:
        return source
    unit = min(widths)
    choices = [u for u in (2, 4, 8) if u != unit]
    new = rng.choice(choices)
    use_tab = lang == "cpp" and rng.random() < 0.2
    out = []
    for line in source.split("\n"):
        n = _indent(line)
        if line.startswith(" ") and n % unit == 0:
            level = n // unit
            line = ("\t" * level if use_tab else " " * (level * new)) + line[n:]
        out.append(line)
    return "\n".join(out)


def braces_on_own_line(source: str) -> str:
    """C++: move an opening brace that ends a line onto its own line (Allman style)."""
    out = []
    for line in source.split("\n"):
        s = line.rstrip()
        if s.endswith("{") and len(s.strip()) > 1 and not s.lstrip().startswith(("#", "//")):
            head = s[:-1].rstrip()
            if "//" in head or head.count('"') % 2:
                out.append(line)
                continue
            out += [head, " " * _indent(line) + "{"]
        else:
            out.append(line)
    return "\n".join(out)


def strip_comments(source: str, language: Language | str) -> str:
    lang = dialect_of(language)
    tokens = [t for t in tokenize(source, lang) if t.kind != "comment"]
    lines = join(tokens).split("\n")
    return "\n".join(x.rstrip() for x in lines if x.strip() or not x)


_COMMENTS = [
    "read the input", "edge case", "main loop", "answer", "greedy step", "update the best",
    "store result", "output", "precompute", "TODO: check bounds", "two pointers", "sort first",
]  # fmt: skip


def add_comments(source: str, language: Language | str, rng: random.Random) -> str:
    """Add a few line comments at the ends of code lines that hold no string or comment."""
    lang = dialect_of(language)
    mark = "#" if lang == "python" else "//"
    lines = source.split("\n")
    for k in rng.sample(range(len(lines)), k=min(len(lines), rng.randint(1, 4))):
        line = lines[k]
        plain = line.strip() and all(c not in line for c in "\"'#\\") and "//" not in line
        if plain and not line.rstrip().endswith(("\\", ",")):
            lines[k] = f"{line.rstrip()}  {mark} {rng.choice(_COMMENTS)}"
    return "\n".join(lines)


def cosmetic(source: str, language: Language | str, rng: random.Random) -> str:
    """A random mix of behaviour-keeping changes (possibly none)."""
    lang = dialect_of(language)
    out = source
    if rng.random() < 0.6:
        out = rename_identifiers(out, lang, rng)
    if rng.random() < 0.3:
        out = strip_comments(out, lang)
    if rng.random() < 0.35:
        out = add_comments(out, lang, rng)
    if rng.random() < 0.3:
        out = reindent(out, lang, rng)
    if lang == "cpp" and rng.random() < 0.2:
        out = braces_on_own_line(out)
    if rng.random() < 0.2:
        out = out.replace("\n\n", "\n") if rng.random() < 0.5 else out.replace("\n}", "\n\n}", 1)
    return out

"""Taking the program out of a completion.

The answer is the last complete fenced block in the wanted language, after any reasoning
(`<think>...</think>` and the like) is set aside. A completion is rejected, with a reason, when
it was cut off (finish reason `length`, or a code fence left open), when it holds no code, or
when its only code is in another language.
"""

from __future__ import annotations

import ast
import re
from typing import NamedTuple

from pydantic import BaseModel

from cpsolve.languages import ALIASES, Language

_REASONING = re.compile(
    r"<(think|thinking|reasoning|thought)>.*?</\1>", flags=re.DOTALL | re.IGNORECASE
)
_REASONING_OPEN = re.compile(r"<(think|thinking|reasoning|thought)>", flags=re.IGNORECASE)
_REASONING_CLOSE = re.compile(r"</(think|thinking|reasoning|thought)>", flags=re.IGNORECASE)
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)[^`]*$")
_EXTRA_TAGS = {
    "c++17": Language.CPP,
    "c++20": Language.CPP,
    "cpp17": Language.CPP,
    "cpp20": Language.CPP,
    "hpp": Language.CPP,
    "py3": Language.PYTHON,
    "h": Language.C,
}


class Extraction(BaseModel):
    """The program found in a completion, or why there is none (`code` is None then)."""

    code: str | None = None
    language: Language | None = None
    reason: str = "ok"

    @property
    def ok(self) -> bool:
        return self.code is not None


class Block(NamedTuple):
    tag: str
    body: str
    closed: bool


def strip_reasoning(text: str) -> tuple[str, bool]:
    """The answer part of a completion and whether reasoning was left open (never closed)."""
    text = _REASONING.sub("", text)
    closes = list(_REASONING_CLOSE.finditer(text))
    if closes:  # a close tag with no opening one: the chat template opened the reasoning
        text = text[closes[-1].end() :]
    opened = _REASONING_OPEN.search(text)
    if opened:
        return text[: opened.start()], True
    return text, False


def fenced_blocks(text: str) -> list[Block]:
    """Fenced code blocks in order; the last one may be unterminated (closed=False)."""
    blocks: list[Block] = []
    fence: str | None = None
    tag = ""
    body: list[str] = []
    for line in text.splitlines():
        if fence is None:
            m = _FENCE.match(line)
            if m:
                fence, tag, body = m.group(1), m.group(2).lower(), []
            continue
        stripped = line.strip()
        if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            blocks.append(Block(tag, "\n".join(body), True))
            fence = None
        else:
            body.append(line)
    if fence is not None:
        blocks.append(Block(tag, "\n".join(body), False))
    return blocks


def tag_language(tag: str) -> Language | None:
    """The language a fence tag names ('cpp', 'C++', 'python3', ...), None if none or unknown."""
    key = tag.strip().lower().split(":")[0]
    return ALIASES.get(key) or _EXTRA_TAGS.get(key)


def guess_language(code: str) -> Language | None:
    """The language of untagged code, from telltale constructs; None when it is not code."""
    cpp_signs = (
        "std::",
        "using namespace",
        "#include <bits/",
        "cout",
        "cin",
        "vector<",
        "template<",
    )
    if "#include" in code or re.search(r"\bint\s+main\s*\(", code):
        if any(s in code for s in cpp_signs) or re.search(r"#include\s*<\w+>", code):
            return Language.CPP
        return Language.C
    if any(s in code for s in cpp_signs[:2]):
        return Language.CPP
    if re.search(r"^\s*(def |import |from \w+ import |print\(|for \w+ in )", code, re.MULTILINE):
        try:
            ast.parse(code)
        except SyntaxError:
            return None
        return Language.PYTHON
    return None


def _block_language(block: Block) -> Language | None:
    return tag_language(block.tag) if block.tag else guess_language(block.body)


_NOT_CODE = {
    "text",
    "txt",
    "plaintext",
    "plain",
    "console",
    "bash",
    "sh",
    "shell",
    "input",
    "output",
}


def _language_name(block: Block) -> str:
    """The language of a block as a name, for messages; "" for data or prose."""
    lang = _block_language(block)
    if lang is not None:
        return str(lang)
    return "" if block.tag in _NOT_CODE else block.tag


def _finish(code: str, language: Language) -> Extraction:
    return Extraction(code=code.strip("\n").rstrip() + "\n", language=language)


def extract_program(text: str, language: Language, finish_reason: str = "stop") -> Extraction:
    """The program of `language` in a completion, or the reason there is none."""
    if finish_reason == "length":
        return Extraction(reason="truncated: the completion hit the token limit")
    answer, open_reasoning = strip_reasoning(text)
    blocks = [b for b in fenced_blocks(answer) if b.body.strip()]
    if blocks and not blocks[-1].closed:
        return Extraction(reason="truncated: the last code fence is never closed")
    wanted = [b for b in blocks if _block_language(b) == language]
    if wanted:
        return _finish(wanted[-1].body, language)
    if (
        not blocks
        and guess_language(answer) == language
        and answer.lstrip().startswith(("#include", "import ", "from ", "def "))
    ):
        return _finish(answer, language)  # a bare program with no fence at all
    others = sorted({_language_name(b) for b in blocks} - {""})
    if others:
        return Extraction(reason=f"wrong language: found {', '.join(others)}, wanted {language}")
    if open_reasoning:
        return Extraction(reason="no code: the reasoning never ends")
    return Extraction(reason="no code: the completion holds no code block")

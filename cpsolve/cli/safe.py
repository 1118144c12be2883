"""Text that programs and files control, made safe to print on an operator's terminal.

A compiler message quotes the program's source, a checker's message is the checker's output, a
path is whatever the user's files are called: any of them may hold terminal escapes (clear the
screen, move the cursor, retitle the window), bidirectional overrides, or rich markup that would
draw a fake "AC 100/100". `shown` makes every control and format character visible as an escape
(newlines and tabs kept) and escapes rich markup, so what is printed is what the text says.
"""

from __future__ import annotations

import unicodedata

from rich.markup import escape

_KEEP = "\n\t"


def _visible(ch: str) -> str:
    if ch in _KEEP or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(text: str) -> str:
    """The text with control and format characters written as visible escapes."""
    return "".join(_visible(ch) for ch in text)


def shown(text: str) -> str:
    """The text as rich markup that prints it literally, control characters visible."""
    return escape(plain(text))

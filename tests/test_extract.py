"""Extraction of programs from realistic completions: what a user gets back from a model."""

from __future__ import annotations

import pytest

from cpsolve.languages import Language
from cpsolve.sample.extract import extract_program, fenced_blocks, guess_language, strip_reasoning

CPP = Language.CPP
PY = Language.PYTHON
C = Language.C

SUM_CPP = """#include <bits/stdc++.h>
using namespace std;
int main() {
    long long n, s = 0, x;
    cin >> n;
    while (n--) { cin >> x; s += x; }
    cout << s << "\\n";
}"""

SUM_PY = """import sys
data = sys.stdin.read().split()
n = int(data[0])
print(sum(map(int, data[1:1 + n])))"""

BRUTE_CPP = """#include <iostream>
int main() { int n; std::cin >> n; std::cout << n << std::endl; }"""

SUM_C = """#include <stdio.h>
int main(void) { long long n, s = 0, x; scanf("%lld", &n);
  while (n--) { scanf("%lld", &x); s += x; } printf("%lld\\n", s); return 0; }"""

GRADER_CPP = """#include "mountain.h"
#include <vector>
long long best_pass(std::vector<int> h) {
    long long r = 0;
    for (int x : h) r = std::max<long long>(r, x);
    return r;
}"""


def fence(tag: str, code: str, ticks: str = "```") -> str:
    return f"{ticks}{tag}\n{code}\n{ticks}"


# (id, completion text, wanted language, finish reason, expected code or None, reason fragment)
CASES = [
    ("plain-cpp", f"Here is my solution.\n\n{fence('cpp', SUM_CPP)}\n", CPP, "stop", SUM_CPP, "ok"),
    ("plain-python", f"{fence('python', SUM_PY)}", PY, "stop", SUM_PY, "ok"),
    (
        "think-then-code",
        f"<think>Sum them up. Maybe {fence('python', 'print(1)')} no, C++.</think>\n"
        f"Final answer:\n{fence('cpp', SUM_CPP)}",
        CPP,
        "stop",
        SUM_CPP,
        "ok",
    ),
    (
        "think-closed-only",  # the chat template opened <think> inside the prompt
        f"We need a sum... let me try {fence('cpp', BRUTE_CPP)}\nbetter:</think>\n"
        f"{fence('cpp', SUM_CPP)}",
        CPP,
        "stop",
        SUM_CPP,
        "ok",
    ),
    (
        "think-with-code-only-inside",
        f"<think>{fence('cpp', SUM_CPP)}</think>\nI gave up.",
        CPP,
        "stop",
        None,
        "no code",
    ),
    (
        "think-never-closed",
        "<think>Let me consider the constraints. N is up to 2e5 so O(n log n)",
        CPP,
        "stop",
        None,
        "reasoning never ends",
    ),
    (
        "think-truncated-by-length",
        "<think>Let me consider the constraints. N is up to",
        CPP,
        "length",
        None,
        "truncated",
    ),
    (
        "several-blocks-last-wins",
        f"Brute force first:\n{fence('cpp', BRUTE_CPP)}\n"
        f"Now the fast one:\n{fence('cpp', SUM_CPP)}",
        CPP,
        "stop",
        SUM_CPP,
        "ok",
    ),
    (
        "last-in-wanted-language",
        f"{fence('cpp', SUM_CPP)}\nAnd a Python version for reference:\n{fence('python', SUM_PY)}",
        CPP,
        "stop",
        SUM_CPP,
        "ok",
    ),
    (
        "python-wanted-among-cpp",
        f"{fence('python', SUM_PY)}\nA C++ port:\n{fence('c++', SUM_CPP)}",
        PY,
        "stop",
        SUM_PY,
        "ok",
    ),
    (
        "wrong-language",
        f"I prefer Python.\n{fence('python', SUM_PY)}",
        CPP,
        "stop",
        None,
        "wrong language: found python",
    ),
    (
        "wrong-language-java",
        "```java\npublic class Main { public static void main(String[] a) {} }\n```",
        CPP,
        "stop",
        None,
        "wrong language: found java, wanted cpp",
    ),
    (
        "unterminated-fence",
        f"Here it is:\n```cpp\n{SUM_CPP[:60]}",
        CPP,
        "stop",
        None,
        "never closed",
    ),
    (
        "unterminated-after-complete",
        f"{fence('cpp', BRUTE_CPP)}\nOptimised:\n```cpp\n#include <bits/stdc++.h>\nint main() {{",
        CPP,
        "stop",
        None,
        "never closed",
    ),
    (
        "finish-length-with-complete-block",
        f"{fence('cpp', SUM_CPP)}\nThis runs in O(n) because each of the",
        CPP,
        "length",
        None,
        "token limit",
    ),
    (
        "no-code-at-all",
        "The answer is simply the sum of the numbers.",
        CPP,
        "stop",
        None,
        "no code",
    ),
    ("empty", "", CPP, "stop", None, "no code"),
    (
        "only-sample-io-blocks",
        "For the input\n```\n3\n1 2 3\n```\nthe output is\n```\n6\n```",
        CPP,
        "stop",
        None,
        "no code",
    ),
    (
        "untagged-cpp",
        f"Solution:\n{fence('', SUM_CPP)}",
        CPP,
        "stop",
        SUM_CPP,
        "ok",
    ),
    ("untagged-python", f"{fence('', SUM_PY)}\nDone.", PY, "stop", SUM_PY, "ok"),
    (
        "tag-with-attributes",
        f"{fence('cpp title=main.cpp', SUM_CPP)}",
        CPP,
        "stop",
        SUM_CPP,
        "ok",
    ),
    ("tag-uppercase-cxx", f"{fence('C++', SUM_CPP)}", CPP, "stop", SUM_CPP, "ok"),
    ("tag-python3", f"{fence('python3', SUM_PY)}", PY, "stop", SUM_PY, "ok"),
    ("tag-py", f"{fence('py', SUM_PY)}", PY, "stop", SUM_PY, "ok"),
    ("tilde-fence", f"{fence('cpp', SUM_CPP, '~~~')}", CPP, "stop", SUM_CPP, "ok"),
    (
        "four-backticks-with-inner-fence",
        "````python\ns = '''\n```\nnot a fence end\n```\n'''\nprint(len(s))\n````",
        PY,
        "stop",
        "s = '''\n```\nnot a fence end\n```\n'''\nprint(len(s))",
        "ok",
    ),
    ("c-program", f"{fence('c', SUM_C)}", C, "stop", SUM_C, "ok"),
    (
        "c-wanted-cpp-given",
        f"{fence('cpp', SUM_CPP)}",
        C,
        "stop",
        None,
        "wrong language: found cpp",
    ),
    ("bare-program-no-fence", SUM_CPP + "\n", CPP, "stop", SUM_CPP, "ok"),
    (
        "grader-function-no-main",
        f"Implement best_pass:\n{fence('cpp', GRADER_CPP)}",
        CPP,
        "stop",
        GRADER_CPP,
        "ok",
    ),
    (
        "indented-fence",
        "Steps:\n1. read\n2. sum\n\n   ```cpp\n" + SUM_CPP + "\n   ```\n",
        CPP,
        "stop",
        SUM_CPP,
        "ok",
    ),
    (
        "thinking-tag-variant",
        f"<thinking>try {fence('python', 'print(0)')}</thinking>{fence('python', SUM_PY)}",
        PY,
        "stop",
        SUM_PY,
        "ok",
    ),
    (
        "explanation-after-code",
        f"{fence('cpp', SUM_CPP)}\n\n**Complexity:** O(n) time, O(1) memory.",
        CPP,
        "stop",
        SUM_CPP,
        "ok",
    ),
    (
        "empty-block-then-code",
        f"```cpp\n```\n{fence('cpp', SUM_CPP)}",
        CPP,
        "stop",
        SUM_CPP,
        "ok",
    ),
    (
        "bash-block-then-python",
        f"{fence('bash', 'python3 main.py < in.txt')}\n{fence('python', SUM_PY)}",
        PY,
        "stop",
        SUM_PY,
        "ok",
    ),
    (
        "empty-trailing-block-is-ignored",
        f"{fence('cpp', SUM_CPP)}\n```cpp\n",
        CPP,
        "stop",
        SUM_CPP,
        "ok",
    ),
]


@pytest.mark.parametrize(
    ("text", "language", "finish", "code", "reason"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_extraction_of_realistic_completions(
    text: str, language: Language, finish: str, code: str | None, reason: str
) -> None:
    result = extract_program(text, language, finish)
    if code is None:
        assert result.code is None
        assert not result.ok
        assert reason in result.reason
    else:
        assert result.ok, result.reason
        assert result.code == code + "\n"
        assert result.language == language
        assert result.reason == "ok"


def test_there_are_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert len({c[0] for c in CASES}) == len(CASES)


def test_strip_reasoning_reports_open_reasoning() -> None:
    assert strip_reasoning("<think>a</think>b") == ("b", False)
    assert strip_reasoning("intro <think>never ends") == ("intro ", True)


def test_fenced_blocks_reports_unterminated_last_block() -> None:
    blocks = fenced_blocks("```cpp\nint x;\n```\n```python\nprint(1)")
    assert [(b.tag, b.closed) for b in blocks] == [("cpp", True), ("python", False)]


def test_guess_language_tells_code_from_data() -> None:
    assert guess_language(SUM_CPP) == CPP
    assert guess_language(SUM_C) == C
    assert guess_language(SUM_PY) == PY
    assert guess_language("3\n1 2 3\n") is None
    assert guess_language("for x in oops(:") is None

"""TPS's `gen/data`, read as TPS reads it (no program runs here).

The file is a list of test sets: `@subtask NAME` or `@testset NAME` opens one, `@include A B`
adds the tests of earlier sets (transitively), `#` starts a comment, and every other line makes
one test: `manual FILE` (a file of gen/manual/) or `PROGRAM ARGS...` (a generator of gen/ whose
stdout is the input). A test is named as TPS names it: the subtask's position among the
`@subtask` sections (or the test set's name), a dash and its 2-digit position in its set.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from cpsolve.errors import UserError


@dataclass(frozen=True)
class GenTest:
    """One test of gen/data: its name and the command that makes its input."""

    name: str
    command: tuple[str, ...]
    line: int

    @property
    def manual(self) -> str | None:
        """The gen/manual/ file a manual test copies, else None."""
        return self.command[1] if self.command[0] == "manual" else None


@dataclass
class TestSet:
    name: str
    is_subtask: bool
    tests: list[str] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)


@dataclass
class GenData:
    tests: list[GenTest]
    sets: dict[str, TestSet]

    def tests_of(self, name: str) -> list[str]:
        """A test set's tests with those of the sets it includes (transitively), in test order."""
        seen: set[str] = set()
        chosen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            chosen.update(self.sets[current].tests)
            todo += self.sets[current].includes
        return [t.name for t in self.tests if t.name in chosen]


def _command(text: str, where: str) -> tuple[str, ...]:
    try:
        words = tuple(shlex.split(text))
    except ValueError as e:
        raise UserError(f"{where}: cannot split the line into words ({e})") from None
    if words[0] == "manual" and len(words) != 2:
        raise UserError(f"{where}: 'manual' takes one file name")
    return words


def parse_gen_data(text: str, where: str = "gen/data") -> GenData:
    """gen/data's test sets and tests, or a UserError naming the line."""
    tests: list[GenTest] = []
    sets: dict[str, TestSet] = {}
    current: TestSet | None = None
    subtasks = -1
    offset = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        at = f"{where}:{number}"
        if not line or line.startswith("#"):
            continue
        head, *args = line.split()
        if head in ("@subtask", "@testset"):
            if len(args) != 1 or args[0] in sets:
                raise UserError(f"{at}: {head} needs one new test set name")
            current = sets[args[0]] = TestSet(args[0], head == "@subtask")
            subtasks += head == "@subtask"
            offset = 0
        elif head == "@include":
            if current is None:
                raise UserError(f"{at}: @include before any @subtask or @testset")
            unknown = [a for a in args if a not in sets]
            if unknown:
                raise UserError(f"{at}: @include names undefined test set '{unknown[0]}'")
            current.includes += args
        elif head.startswith("@"):
            raise UserError(f"{at}: unknown command {head}")
        else:
            if current is None:
                raise UserError(f"{at}: a test before any @subtask or @testset")
            offset += 1
            prefix = str(subtasks) if current.is_subtask else current.name
            test = GenTest(f"{prefix}-{offset:02d}", _command(line, at), number)
            tests.append(test)
            current.tests.append(test.name)
    return GenData(tests=tests, sets=sets)

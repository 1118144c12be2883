"""Output comparison: exact, lines, tokens, float, and program checkers (testlib and CMS).

Pure comparators are plain functions over bytes (`outputs_equal`, `compare`), so the selection
modules can cluster outputs with the problem's own notion of equality without a sandbox.
Program checkers run through the sandbox (`run_program_checker`), in either convention:

* testlib: `checker input output answer`; exit code 0 OK, 1 WA, 2 PE (4 and 8, testlib's "dirt"
  and unexpected-EOF codes, too), 3 FAIL (the checker's own fault: SE), 7 points (stderr
  starts with `points X [message]`, X the test's score in [0, 1], or out of the checker's
  declared `max_points` when it gives absolute points, as `pointscmp` and Codeforces checkers do),
  `quitpi` (stderr starts with `points points_info=INFO`: INFO a number out of `max_points`, or a
  fraction `a/b`), and `_pc(k)` (stderr starts with `partially correct (k)`), read as k/100.
  Points that cannot be mapped to [0, 1] exactly are SE, never guessed.
* CMS: `checker input correct_output contestant_output`; a score in [0, 1] on the first line of
  stdout, a message on the first line of stderr.
* Kattis: `validator input answer feedback_dir < output`; exit code 42 accepts, 43 rejects
  (anything else is the validator's own fault: SE); the message is its stderr. The feedback
  directory is the working directory.

A checker message that says "protocol violation" turns a zero score into PV.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, Field

from cpsolve.problem import CheckerSpec
from cpsolve.sandbox.base import (
    Artifact,
    Job,
    Limits,
    ProcResult,
    ProcSpec,
    Sandbox,
    Stage,
    Verdict,
)

CHECKER_LIMITS = Limits(cpu_s=10.0, wall_s=30.0, memory_mb=1024, output_mb=16)

_INT = re.compile(rb"^[+-]?[0-9]+$")
_POINTS = re.compile(r"^\s*points\s+([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(.*)", re.S)
_POINTS_INFO = re.compile(r"^points_info=(\S*)\s*(.*)", re.S)
_FRACTION = re.compile(r"^([-+]?[0-9]*\.?[0-9]+)/([0-9]*\.?[0-9]+)$")
_PARTIAL = re.compile(r"^\s*partially correct \((\d+)\)\s*(.*)", re.S)


class CheckResult(BaseModel):
    """What a checker said about one output: a verdict, a score in [0, 1] and a message."""

    verdict: Verdict
    score: float = Field(ge=0, le=1)
    message: str = ""


# ---- pure comparators ----------------------------------------------------------------------


def canonical_tokens(data: bytes) -> list[bytes]:
    """The whitespace-separated tokens of an output (what `tokens` and `float` compare)."""
    return data.split()


def _lines(data: bytes) -> list[bytes]:
    lines = [ln.rstrip() for ln in data.replace(b"\r\n", b"\n").split(b"\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _number(tok: bytes) -> Decimal | None:
    try:
        value = Decimal(tok.decode("ascii"))
    except (InvalidOperation, UnicodeDecodeError, ValueError):
        return None
    return value if value.is_finite() else None


def tokens_close(out: bytes, ans: bytes, abs_tol: float, rel_tol: float) -> bool:
    """One token of the float checker: integers exactly (as big integers), other numbers within
    `abs_tol` or `rel_tol` of the answer, anything that is not a number as a string."""
    if out == ans:
        return True
    if _INT.match(out) and _INT.match(ans):
        return int(out) == int(ans)
    a, b = _number(out), _number(ans)
    if a is None or b is None:
        return False
    diff = abs(a - b)
    return diff <= Decimal(repr(abs_tol)) or diff <= Decimal(repr(rel_tol)) * abs(b)


def outputs_equal(a: bytes, b: bytes, spec: CheckerSpec) -> bool:
    """Whether output `a` is accepted against answer `b` by a pure checker.

    For `program` checkers (which need a sandbox) this falls back to token equality, which is
    what clustering needs: same tokens, same behaviour.
    """
    kind = spec.type
    if kind == "exact":
        return a == b
    if kind == "lines":
        return _lines(a) == _lines(b)
    ta, tb = canonical_tokens(a), canonical_tokens(b)
    if not spec.case_sensitive:
        ta, tb = [t.lower() for t in ta], [t.lower() for t in tb]
    if kind == "float":
        return len(ta) == len(tb) and all(
            tokens_close(x, y, spec.abs_tol, spec.rel_tol) for x, y in zip(ta, tb, strict=True)
        )
    return ta == tb


def compare(output: bytes, answer: bytes, spec: CheckerSpec) -> CheckResult:
    """A pure checker's verdict on one output."""
    if outputs_equal(output, answer, spec):
        return CheckResult(verdict=Verdict.AC, score=1.0, message="ok")
    return CheckResult(verdict=Verdict.WA, score=0.0, message=_first_difference(output, answer))


def _first_difference(output: bytes, answer: bytes) -> str:
    to, ta = canonical_tokens(output), canonical_tokens(answer)
    for i, (x, y) in enumerate(zip(to, ta, strict=False)):
        if x != y:
            return f"token {i + 1}: expected {_show(y)}, got {_show(x)}"
    if len(to) != len(ta):
        return f"expected {len(ta)} tokens, got {len(to)}"
    return "output differs from the answer in whitespace"


def _show(tok: bytes) -> str:
    text = tok.decode("utf-8", "replace")
    return repr(text if len(text) <= 40 else text[:37] + "...")


# ---- program checkers ----------------------------------------------------------------------


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text.splitlines()[0].strip() if text else ""


def _with_pv(result: CheckResult) -> CheckResult:
    if result.score == 0 and "protocol violation" in result.message.lower():
        return CheckResult(verdict=Verdict.PV, score=0.0, message=result.message)
    return result


def _scored(score: float, message: str) -> CheckResult:
    if score >= 1:
        return CheckResult(verdict=Verdict.AC, score=1.0, message=message)
    if score <= 0:
        return _with_pv(CheckResult(verdict=Verdict.WA, score=0.0, message=message))
    return CheckResult(verdict=Verdict.PA, score=score, message=message)


def _failed(message: str) -> CheckResult:
    return CheckResult(verdict=Verdict.SE, score=0.0, message=message)


def _points_value(text: str, max_points: float | None) -> tuple[float | None, str]:
    """A test's score in [0, 1] from testlib's points text (`X [message]` or
    `points_info=INFO [message]`), or None with the reason it cannot be mapped exactly."""
    info = _POINTS_INFO.match(text)
    if info:
        value, rest = info.group(1), info.group(2).strip()
        frac = _FRACTION.match(value)
        if frac and float(frac.group(2)) > 0:
            return float(frac.group(1)) / float(frac.group(2)), rest
        if max_points is None:
            return None, f"checker gave points_info '{value}' but no max_points is declared"
        try:
            return float(value) / max_points, rest
        except ValueError:
            return None, f"checker gave points_info '{value}', which is not a number"
    m = _POINTS.match("points " + text)
    if not m:
        return None, f"checker exited with 7 (points) but printed no 'points X': {text!r}"
    points = float(m.group(1))
    if max_points is not None:
        return points / max_points, m.group(2).strip()
    if not 0 <= points <= 1:
        return None, (
            f"checker gave {points} points; a test's points must be in [0, 1] "
            "unless the checker declares max_points"
        )
    return points, m.group(2).strip()


def _points(err: str, max_points: float | None) -> CheckResult:
    if not err.startswith("points"):
        return _failed(f"checker exited with 7 (points) but printed no 'points X': {err!r}")
    score, message = _points_value(err.removeprefix("points").strip(), max_points)
    if score is None:
        return _failed(message)
    if not 0 <= score <= 1:
        return _failed(f"checker's points make a score of {score:g}, outside [0, 1]")
    return _scored(score, message)


def parse_testlib(proc: ProcResult, max_points: float | None = None) -> CheckResult:
    """A testlib checker's (or interactor's) result from its exit code and stderr; `max_points`
    is the checker's declared maximum when it gives absolute points."""
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.verdict not in (Verdict.AC, Verdict.RE) or proc.signal is not None:
        return _failed(f"checker did not finish ({proc.verdict}): {err[:200]}")
    code = proc.exit_code
    partial = _PARTIAL.match(err)
    if partial:
        return _scored(min(int(partial.group(1)), 100) / 100, partial.group(2).strip())
    if code == 0:
        return CheckResult(verdict=Verdict.AC, score=1.0, message=err)
    if code == 1:
        return _with_pv(CheckResult(verdict=Verdict.WA, score=0.0, message=err))
    if code in (2, 4, 8):  # PE, "dirt" (extra output), unexpected EOF of the output
        return _with_pv(CheckResult(verdict=Verdict.PE, score=0.0, message=err))
    if code == 7:
        return _points(err, max_points)
    return _failed(f"checker failed (exit code {code}): {err[:200]}")


def parse_cms(proc: ProcResult) -> CheckResult:
    """A CMS checker's (or manager's) result: score on stdout, message on stderr."""
    if proc.verdict != Verdict.AC:
        err = proc.stderr.decode("utf-8", "replace").strip()
        return _failed(f"checker did not finish ({proc.verdict}, exit {proc.exit_code}): {err}")
    line = _first_line(proc.stdout)
    try:
        score = float(line)
    except ValueError:
        return _failed(f"checker printed {line!r} where a score in [0, 1] was expected")
    if not 0 <= score <= 1:
        return _failed(f"checker printed score {score}, outside [0, 1]")
    return _scored(score, _first_line(proc.stderr))


KATTIS_ACCEPT, KATTIS_REJECT = 42, 43


def parse_kattis(proc: ProcResult) -> CheckResult:
    """A Kattis output validator's (or interactive validator's) result from its exit code."""
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.verdict not in (Verdict.AC, Verdict.RE) or proc.signal is not None:
        return _failed(f"validator did not finish ({proc.verdict}): {err[:200]}")
    if proc.exit_code == KATTIS_ACCEPT:
        return CheckResult(verdict=Verdict.AC, score=1.0, message=err)
    if proc.exit_code == KATTIS_REJECT:
        return _with_pv(CheckResult(verdict=Verdict.WA, score=0.0, message=err))
    return _failed(f"validator exited with {proc.exit_code}, not 42 or 43: {err[:200]}")


def parse_checker(proc: ProcResult, protocol: str, max_points: float | None = None) -> CheckResult:
    """A program checker's result in its protocol (`max_points`: testlib's absolute points)."""
    if protocol == "cms":
        return parse_cms(proc)
    return parse_kattis(proc) if protocol == "kattis" else parse_testlib(proc, max_points)


def checker_job(checker: Artifact, protocol: str, inp: bytes, out: bytes, ans: bytes) -> Job:
    """The sandbox job that runs a program checker on one output."""
    args = ["input.txt", "output.txt", "answer.txt"]
    stdin = "null"
    if protocol == "cms":
        args = ["input.txt", "answer.txt", "output.txt"]
    elif protocol == "kattis":
        args, stdin = ["input.txt", "answer.txt", "./"], "file:output.txt"
    proc = ProcSpec(
        name="checker", program=checker.key, args=args, stdin=stdin, limits=CHECKER_LIMITS
    )
    proc.trusted = True
    files = {"input.txt": inp, "output.txt": out, "answer.txt": ans}
    return Job(files=files, stages=[Stage(procs=[proc])])


def run_program_checker(
    sandbox: Sandbox,
    checker: Artifact,
    protocol: str,
    inp: bytes,
    out: bytes,
    ans: bytes,
    max_points: float | None = None,
) -> CheckResult:
    """Run a compiled program checker on one (input, output, answer) triple."""
    result = sandbox.run_job(checker_job(checker, protocol, inp, out, ans))
    if result.error:
        return _failed(f"sandbox error while checking: {result.error}")
    return parse_checker(result.proc("checker"), protocol, max_points)

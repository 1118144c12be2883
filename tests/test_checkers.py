"""Pure checkers and the parsing of program checkers' results (testlib and CMS conventions)."""

from __future__ import annotations

import pytest

from cpsolve.judge.checkers import compare, outputs_equal, parse_cms, parse_testlib
from cpsolve.problem import CheckerSpec
from cpsolve.sandbox.base import ProcResult, Verdict

FLOAT = CheckerSpec(type="float", abs_tol=1e-6, rel_tol=1e-6)


def test_exact_is_byte_for_byte() -> None:
    spec = CheckerSpec(type="exact")
    assert outputs_equal(b"1 2\n", b"1 2\n", spec)
    assert not outputs_equal(b"1 2", b"1 2\n", spec)
    assert not outputs_equal(b"1  2\n", b"1 2\n", spec)


def test_lines_ignore_trailing_spaces_and_blank_lines_only() -> None:
    spec = CheckerSpec(type="lines")
    assert outputs_equal(b"a b  \r\nc\n\n\n", b"a b\nc\n", spec)
    assert not outputs_equal(b"a b\nc\n", b"a\nb\nc\n", spec)
    assert not outputs_equal(b"a  b\n", b"a b\n", spec)


def test_tokens_ignore_whitespace_layout() -> None:
    spec = CheckerSpec(type="tokens")
    assert outputs_equal(b"1\n2   3", b"1 2 3\n", spec)
    assert not outputs_equal(b"1 2", b"1 2 3", spec)
    assert not outputs_equal(b"1.0", b"1", spec)


def test_float_absolute_and_relative_tolerance() -> None:
    assert outputs_equal(b"0.3333334", b"0.333333333", FLOAT)
    assert not outputs_equal(b"0.3334", b"0.333333333", FLOAT)
    # relative: 1e12 off by 1e5 is 1e-7 relative
    assert outputs_equal(b"1000000100000.0", b"1000000000000", FLOAT)
    assert not outputs_equal(b"1000100000000.0", b"1000000000000", FLOAT)
    assert outputs_equal(b"1e-9", b"0", FLOAT)


def test_float_compares_integers_exactly_as_big_integers() -> None:
    assert not outputs_equal(b"50000000000000001", b"50000000000000000", FLOAT)
    assert outputs_equal(b"50000000000000000", b"50000000000000000", FLOAT)
    big = b"123456789012345678901234567890"
    assert outputs_equal(big, big, FLOAT)
    assert not outputs_equal(big + b"1", big + b"2", FLOAT)


def test_float_non_numbers_are_strings_and_counts_must_match() -> None:
    assert outputs_equal(b"YES 0.5000001", b"YES 0.5", FLOAT)
    assert not outputs_equal(b"NO 0.5", b"YES 0.5", FLOAT)
    assert not outputs_equal(b"nan", b"0", FLOAT)
    assert not outputs_equal(b"0.5 0.5", b"0.5", FLOAT)


def test_compare_names_the_first_differing_token() -> None:
    r = compare(b"1 2 4", b"1 2 3", CheckerSpec())
    assert r.verdict == Verdict.WA and r.score == 0
    assert "token 3" in r.message and "'3'" in r.message
    assert compare(b"1 2 3\n", b"1 2 3", CheckerSpec()).verdict == Verdict.AC


def _proc(code: int | None, stderr: bytes = b"", stdout: bytes = b"", **kw) -> ProcResult:
    verdict = kw.pop("verdict", Verdict.AC if code == 0 else Verdict.RE)
    return ProcResult(
        name="checker", verdict=verdict, exit_code=code, stdout=stdout, stderr=stderr, **kw
    )


@pytest.mark.parametrize(
    ("code", "verdict"),
    [(0, Verdict.AC), (1, Verdict.WA), (2, Verdict.PE), (3, Verdict.SE), (8, Verdict.PE)],
)
def test_testlib_exit_codes(code: int, verdict: Verdict) -> None:
    r = parse_testlib(_proc(code, b"message"))
    assert r.verdict == verdict
    assert r.score == (1.0 if verdict == Verdict.AC else 0.0)


def test_testlib_points_are_read_from_stderr() -> None:
    r = parse_testlib(_proc(7, b"points 0.25 three of four answers right"))
    assert r.verdict == Verdict.PA and r.score == pytest.approx(0.25)
    assert r.message == "three of four answers right"
    assert parse_testlib(_proc(7, b"points 1")).verdict == Verdict.AC
    assert parse_testlib(_proc(7, b"points 0 nothing")).verdict == Verdict.WA
    assert parse_testlib(_proc(7, b"no points here")).verdict == Verdict.SE
    assert parse_testlib(_proc(7, b"points 30")).verdict == Verdict.SE


def test_testlib_partially_correct() -> None:
    r = parse_testlib(_proc(40, b"partially correct (40) close"))
    assert r.verdict == Verdict.PA and r.score == pytest.approx(0.4)


def test_testlib_checker_that_crashes_hangs_or_exits_oddly_is_a_sandbox_error() -> None:
    assert parse_testlib(_proc(5, b"what")).verdict == Verdict.SE
    assert parse_testlib(_proc(None, signal=11)).verdict == Verdict.SE
    assert parse_testlib(_proc(None, verdict=Verdict.TLE)).verdict == Verdict.SE


def test_wrong_answer_saying_protocol_violation_is_pv() -> None:
    r = parse_testlib(_proc(1, b"Protocol Violation: asked too many questions"))
    assert r.verdict == Verdict.PV


def test_cms_score_on_stdout_message_on_stderr() -> None:
    r = parse_cms(_proc(0, b"translate:partial\n", b"0.5\n"))
    assert r.verdict == Verdict.PA and r.score == 0.5 and r.message == "translate:partial"
    assert parse_cms(_proc(0, b"ok", b"1.0")).verdict == Verdict.AC
    assert parse_cms(_proc(0, b"wrong", b"0")).verdict == Verdict.WA
    assert parse_cms(_proc(0, b"protocol violation", b"0")).verdict == Verdict.PV
    assert parse_cms(_proc(0, b"", b"1.5")).verdict == Verdict.SE
    assert parse_cms(_proc(0, b"", b"hello")).verdict == Verdict.SE
    assert parse_cms(_proc(1, b"crash", b"1")).verdict == Verdict.SE

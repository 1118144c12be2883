"""The simulated engine: pools of the requested size, reproducible, varied like a model's, with
the share of right candidates (as the judge finds it) at the setting."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from cpsolve.errors import UserError
from cpsolve.judge.scoring import judge_program
from cpsolve.languages import Language
from cpsolve.problem import load_problem
from cpsolve.sample.engines import ChatMessage, SampleRequest, SamplingParams, get_engine
from cpsolve.sample.engines.replay import ReplayEngine
from cpsolve.sample.engines.samples import write_samples
from cpsolve.sample.extract import extract_program
from cpsolve.sandbox.factory import open_sandbox
from cpsolve.simulate.engine import (
    _FLAW_CODE,
    BANNER,
    SimulatedEngine,
    SimulatedSettings,
    default_share,
    flawed_generator,
    right_draw,
)
from cpsolve.testgen.inputs import arg_templates, seed_slot, wrap_generator

ROOT = Path(__file__).resolve().parents[1]
PROBLEMS = ROOT / "problems"


def _req(
    problem: str,
    subtask: str,
    n: int,
    role: str = "solution",
    seed: int | None = 7,
    language: Language = Language.CPP,
    prompt: str = "Write a solution.",
):
    return SampleRequest(
        messages=[ChatMessage(role="user", content=prompt)],
        n=n,
        role=role,
        problem=problem,
        subtask=subtask,
        language=language,
        params=SamplingParams(seed=seed),
    )


def _pool(engine, *reqs):
    return [c for chunk in engine.sample(list(reqs)) for c in chunk]


@pytest.fixture(scope="module")
def engine():
    return SimulatedEngine(PROBLEMS, quiet=True)


def test_it_says_it_is_a_test_instrument(capsys):
    e = get_engine("simulated", problems=PROBLEMS)
    assert "test instrument" in capsys.readouterr().err and "test instrument" in BANNER
    [c] = _pool(e, _req("street-lamps", "1", 1))
    assert c.model == "simulated" and e.name == "simulated"


def test_pools_have_the_requested_size_in_any_chunking(engine):
    reqs = [_req("street-lamps", "4", 37), _req("street-lamps", "1", 5, role="generator")]
    small = SimulatedEngine(PROBLEMS, quiet=True, chunk_size=4)
    chunks = list(small.sample(reqs))
    assert all(len(c) <= 4 for c in chunks)
    flat = [c for chunk in chunks for c in chunk]
    assert Counter(c.request_index for c in flat) == {0: 37, 1: 5}
    assert [c.text for c in flat] == [c.text for c in _pool(engine, *reqs)]


def test_same_seed_same_pool_other_seed_other_pool(engine):
    a = _pool(engine, _req("gathering-point", "all", 30))
    b = _pool(SimulatedEngine(PROBLEMS, quiet=True), _req("gathering-point", "all", 30))
    c = _pool(engine, _req("gathering-point", "all", 30, seed=8))
    assert [x.text for x in a] == [x.text for x in b]
    assert [x.text for x in a] != [x.text for x in c]
    d = _pool(SimulatedEngine(PROBLEMS, quiet=True, seed=1), _req("gathering-point", "all", 30))
    assert [x.text for x in a] != [x.text for x in d]


def test_unseeded_requests_continue_instead_of_repeating():
    e = SimulatedEngine(PROBLEMS, quiet=True)
    first = _pool(e, _req("street-lamps", "2", 10, seed=None))
    second = _pool(e, _req("street-lamps", "2", 10, seed=None))
    assert [x.text for x in first] != [x.text for x in second]
    again = _pool(SimulatedEngine(PROBLEMS, quiet=True), _req("street-lamps", "2", 10, seed=None))
    assert [x.text for x in first] == [x.text for x in again]


def test_completions_look_like_a_models_and_vary(engine):
    pool = _pool(engine, _req("street-lamps", "4", 300))
    ex = [extract_program(c.text, Language.CPP, c.finish_reason) for c in pool]
    reasons = Counter(x.reason.split(":")[0] for x in ex)
    assert reasons["ok"] > 250 and reasons["truncated"] > 0 and reasons["no code"] > 0
    assert any(c.finish_reason == "length" for c in pool)
    codes = [x.code for x in ex if x.ok]
    assert len(set(codes)) > 0.8 * len(codes)  # cosmetic variety: few exact duplicates
    assert all("```" in c.text for c in pool if c.finish_reason == "stop" and "#include" in c.text)
    # setters' notes ("Wrong: ...", "on purpose") never reach a candidate
    assert not any("on purpose" in c.text or "Wrong:" in c.text for c in pool)
    assert all(c.tokens and c.logprob is not None and c.logprob < 0 for c in pool)


@pytest.mark.parametrize("language", [Language.PYTHON, Language.CPP])
def test_the_requests_language_is_answered_whatever_the_prompt_says(engine, language):
    # an interactive problem's prompt tells how to flush in C++ and in Python
    prompt = "Write a C++17 solution. Flush (`sys.stdout.flush()` in Python)."
    pool = _pool(engine, _req("street-lamps", "2", 20, language=language, prompt=prompt))
    ex = [extract_program(c.text, language, c.finish_reason) for c in pool]
    assert sum(x.ok for x in ex) >= 15


def test_a_broken_generator_is_testgens_wrapper_with_its_flaw_first():
    problem = load_problem(PROBLEMS / "street-lamps")
    gen = problem.path(problem.generator.path).read_text()
    templates, slot = arg_templates(problem, "2"), seed_slot(gen)
    plain = wrap_generator(gen, templates, slot, 5)
    for flaw, code in _FLAW_CODE.items():
        out = flawed_generator(gen, templates, slot, flaw, 5)
        assert out.replace(f"    {code}\n", "", 1) == plain
        assert out.index(f"    {code}\n") < out.index("args = TABLE[")


def test_default_shares_fall_with_difficulty_and_follow_settings():
    problem = load_problem(PROBLEMS / "street-lamps")
    s = SimulatedSettings()
    shares = [default_share(problem, sid, s) for sid in ("1", "2", "3", "4")]
    assert shares == sorted(shares, reverse=True)
    assert shares[0] == s.easiest_share and shares[-1] == s.full_share
    custom = SimulatedSettings(correct_share={"4": 0.5})
    assert default_share(problem, "4", custom) == 0.5


def test_right_draws_hold_the_share_in_every_window():
    e = SimulatedEngine(PROBLEMS, quiet=True, settings={"correct_share": {"1": 0.25}})
    kit = e.kit("street-lamps")
    for start in (0, 17, 1000):
        got = sum(right_draw(kit, "1", i) for i in range(start, start + 200))
        assert abs(got - 50) <= 1


def test_unknown_problem_is_a_clear_error(engine):
    with pytest.raises(UserError, match="knows no problem 'nope'"):
        _pool(engine, _req("nope", "1", 1))


def test_a_problem_path_as_model_and_problem_objects_work():
    e = get_engine("simulated", problems=[], model=str(PROBLEMS / "street-lamps"), quiet=True)
    assert e.model == "simulated" and len(_pool(e, _req("street-lamps", "1", 3))) == 3
    problem = load_problem(PROBLEMS / "gathering-point")
    e = get_engine("simulated", problems=[problem], quiet=True)
    assert len(_pool(e, _req("gathering-point", "all", 3))) == 3


def test_pools_replay_through_samples_jsonl(engine, tmp_path):
    pool = _pool(engine, _req("street-lamps", "3", 12))
    path = tmp_path / "samples.jsonl.gz"
    write_samples(path, pool)
    with gzip.open(path, "rt") as f:
        rows = [json.loads(line) for line in f]
    assert len(rows) == 12 and all(r["model"] == "simulated" for r in rows)
    assert "label" not in rows[0] and "verdict" not in rows[0]
    replayed = _pool(ReplayEngine(path), _req("street-lamps", "3", 12))
    assert [c.text for c in replayed] == [c.text for c in pool]


@pytest.mark.slow
def test_judged_share_of_right_candidates_is_the_setting(tmp_path, monkeypatch):
    """Judge every distinct program of a screened pool: the share of candidates the judge finds
    right on the subtask is the setting, within 0.05 (cosmetic changes never change a verdict,
    screened mutants are never right)."""
    monkeypatch.setenv("CPSOLVE_CACHE", str(tmp_path))
    problem = load_problem(PROBLEMS / "street-lamps")
    share, n = 0.3, 60
    with open_sandbox("local") as sb:
        e = SimulatedEngine(
            PROBLEMS,
            quiet=True,
            sandbox=sb,
            settings={"correct_share": {"1": share}, "bank_size": 6},
        )
        pool = _pool(e, _req("street-lamps", "1", n, language=Language.PYTHON))
        assert len(pool) == n
        verdicts: dict[str, str] = {}
        right = 0
        for c in pool:
            x = extract_program(c.text, Language.PYTHON, c.finish_reason)
            if not x.ok or x.code is None:
                continue
            if x.code not in verdicts:
                r = judge_program(problem, x.code, Language.PYTHON, sb, ["1"])
                verdicts[x.code] = r.subtasks[0].verdict
            right += verdicts[x.code] == "AC"
    assert abs(right / n - share) <= 0.05, (right, n, Counter(verdicts.values()))
    assert len(set(verdicts.values())) >= 3  # wrong ones fail in several ways


SHIPPED = sorted(p.parent.name for p in PROBLEMS.glob("*/samples.jsonl.gz"))


def test_at_least_ten_problems_ship_pools():
    assert len(SHIPPED) >= 10


@pytest.mark.parametrize("problem_id", SHIPPED)
def test_shipped_pools_are_complete_and_hold_the_setting(problem_id):
    """The pools the README demo and CI replay: every subtask has enough of every role for
    benchmarks/ci.config.json, the right draws in each are the share of the pool's own knobs
    (its simulated.json), and the pool replays."""
    problem = load_problem(PROBLEMS / problem_id)
    path = PROBLEMS / problem_id / "samples.jsonl.gz"
    assert path.stat().st_size < 400_000  # keep the repository small
    from cpsolve.sample.engines.samples import read_samples

    records = list(read_samples(path))
    assert {r.model for r in records} == {"simulated"} and {r.problem for r in records} == {
        problem_id
    }
    ci = json.loads((ROOT / "benchmarks" / "ci.config.json").read_text())
    kit = SimulatedEngine([problem], quiet=True).kit(problem_id)
    for st in problem.subtasks:
        mine = Counter(r.role for r in records if r.subtask == st.id)
        assert mine["solution"] >= ci["samples"] and mine["generator"] >= 8
        assert mine["validator"] >= 8
        seeds = [r.seed for r in records if r.subtask == st.id and r.role == "solution"]
        window = kit.settings.right_window or len(seeds)  # right draws only in the first ones
        right = sum(right_draw(kit, st.id, s) for s in seeds[:window])
        want = default_share(problem, st.id, kit.settings) * min(window, len(seeds))
        assert abs(right - want) <= 1
        if kit.settings.right_window:
            assert right >= 1 and window >= ci["samples"]  # CI's window holds a right one
    last = problem.subtasks[-1].id
    replayed = _pool(ReplayEngine(path), _req(problem_id, last, 5, seed=None))
    recorded = [r.text for r in records if r.subtask == last and r.role == "solution"][:5]
    assert [c.text for c in replayed] == recorded


def test_right_window_keeps_the_window_and_turns_later_right_draws_wrong():
    """right_window = 5: the first 5 samples are those of the pool without the knob; after
    them, each right draw becomes a wrong one, and every other sample stays as it was."""
    knobs = {"correct_share": {"1": 0.3}}
    plain = SimulatedEngine(PROBLEMS, quiet=True, settings=knobs)
    windowed = SimulatedEngine(PROBLEMS, quiet=True, settings={**knobs, "right_window": 5})
    a = _pool(plain, _req("street-lamps", "1", 40))
    b = _pool(windowed, _req("street-lamps", "1", 40))
    kit = plain.kit("street-lamps")
    right = [i for i, c in enumerate(a) if right_draw(kit, "1", c.seed)]
    assert any(i < 5 for i in right) and sum(i >= 5 for i in right) >= 8
    changed = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x.text != y.text]
    assert changed == [i for i in right if i >= 5]


def test_pool_knobs_make_a_popular_wrong_program_and_narrow_right_draws():
    """wrong_weights makes one wrong algorithm popular; narrow_right makes an easy subtask's
    right draws its own brute force (street-lamps: quadratic.cpp, no sort), not the full
    greedy (greedy.cpp sorts). longest_first.cpp alone uses a priority_queue."""
    problem = load_problem(PROBLEMS / "street-lamps")
    knobs = {
        "wrong_reference_share": 0.9,
        "compile_error_share": 0.0,
        "wrong_weights": {"solutions/longest_first.cpp": 50.0},
        "correct_share": {"2": 0.5},
        "narrow_right": 1.0,
    }
    e = SimulatedEngine([problem], quiet=True, settings=knobs)
    kit = e.kit("street-lamps")
    pool = _pool(e, _req("street-lamps", "2", 60))
    right = [c.text for c in pool if right_draw(kit, "2", c.seed)]
    wrong = [c.text for c in pool if not right_draw(kit, "2", c.seed)]
    assert len(right) >= 25 and not any("sort(" in t for t in right)
    assert sum("priority_queue" in t for t in wrong) >= 0.7 * len(wrong)
    plain = SimulatedEngine([problem], quiet=True, settings={"correct_share": {"2": 0.5}})
    right = [c.text for c in _pool(plain, _req("street-lamps", "2", 60))]
    assert any("sort(" in t for t in right)  # without the knob, the full greedy too

"""Model-written tests: broken generators and bad validators are filtered out, the kept inputs
are valid, spread over generators and traceable to (generator, seed)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cpsolve.judge.testdata import TestData
from cpsolve.languages import Language
from cpsolve.problem import Problem, load_problem
from cpsolve.sample.engines import Engine, SampleRequest, SamplingParams, get_engine
from cpsolve.sample.engines.replay import ReplayEngine
from cpsolve.sample.engines.samples import SampleRecord, write_samples
from cpsolve.sample.extract import extract_program
from cpsolve.sample.prompts import build_messages
from cpsolve.testgen import inputs as T

ROOT = Path(__file__).resolve().parents[1]

# A tiny problem: N (1..10) then N integers in 1..100; print their sum.
PROBLEM = {
    "id": "tiny-sum",
    "name": "Tiny Sum",
    "statement": "Print the sum of N integers. 1 <= N <= 10, 1 <= a_i <= 100.",
    "public_tests": [{"name": "ex1", "input": "3\n1 2 3\n", "output": "6\n"}],
    "hidden_tests": [{"name": "h1", "input": "2\n5 5\n", "output": "10\n"}],
}

GOOD_GEN = """import random, sys
rng = random.Random(int(sys.argv[1]))
n = rng.randint(1, 10)
print(n)
print(*[rng.randint(1, 100) for _ in range(n)])
"""
OTHER_GEN = """import random, sys
rng = random.Random(int(sys.argv[1]) * 7 + 3)
n = rng.randint(1, 3)
print(n)
print(*[rng.randint(90, 100) for _ in range(n)])
"""
BROKEN_GENS = {
    "crash": "import sys\nraise SystemExit(3)\n",
    "loop": "while True:\n    pass\n",
    "flood": "import sys\nsys.stdout.write('7 ' * (3 << 20))\n",
    "silent": "pass\n",
    "too_big": "import sys\nn = 50 + int(sys.argv[1]) % 7\nprint(n)\nprint(*([1] * n))\n",
    "same": "print(2)\nprint(1, 1)\n",
}
VALID = """import sys
def bad():
    sys.exit(1)
lines = sys.stdin.read().split("\\n")
if len(lines) != 3 or lines[2] != "":
    bad()
try:
    n = int(lines[0]); a = [int(x) for x in lines[1].split(" ")]
except ValueError:
    bad()
if not 1 <= n <= 10 or len(a) != n or any(not 1 <= x <= 100 for x in a):
    bad()
# voter {k}
"""
PERMISSIVE = "import sys\nsys.stdin.read()\n"
STRICT = VALID.replace("1 <= n <= 10", "1 <= n <= 2")
REJECT_ALL = "import sys\nsys.exit(1)\n"


def _valid(data: bytes) -> bool:
    lines = data.decode().split("\n")
    if len(lines) != 3 or lines[2]:
        return False
    n, a = int(lines[0]), [int(x) for x in lines[1].split(" ")]
    return 1 <= n <= 10 and len(a) == n and all(1 <= x <= 100 for x in a)


@pytest.fixture
def tiny(tmp_path):
    (tmp_path / "problem.json").write_text(json.dumps(PROBLEM))
    return load_problem(tmp_path)


def _fenced(code: str) -> str:
    return f"Here is the program.\n\n```python\n{code}```\n"


@pytest.fixture
def replay(tmp_path, tiny):
    """A replay engine that serves the fixed generators and validators as completions."""
    gens = [GOOD_GEN, OTHER_GEN, *BROKEN_GENS.values()]
    vals = [VALID.format(k=k) for k in range(3)] + [PERMISSIVE, STRICT, REJECT_ALL]
    records = [
        SampleRecord(problem=tiny.id, subtask="all", role=role, text=_fenced(code))
        for role, codes in (("generator", gens), ("validator", vals))
        for code in codes
    ]
    path = tmp_path / "samples.jsonl"
    write_samples(path, records)
    return ReplayEngine(path), len(gens), len(vals)


def _sampled(engine: Engine, problem: Problem, subtask: str, role: str, n: int) -> list[T.Program]:
    """The `role` programs in `n` completions of `engine`, taken in C++ or else Python, as the
    run's stage takes them (without its store)."""
    req = SampleRequest(
        messages=build_messages(problem, role, subtask, Language.CPP),  # type: ignore[arg-type]
        n=n,
        params=SamplingParams(seed=0),
        role=role,  # type: ignore[arg-type]
        problem=problem.id,
        subtask=subtask,
        language=Language.CPP,
    )
    out = []
    for c in (c for chunk in engine.sample([req]) for c in chunk):
        for lang in (Language.CPP, Language.PYTHON):
            ex = extract_program(c.text, lang, c.finish_reason)
            if ex.ok and ex.code is not None:
                digest = hashlib.sha256(ex.code.encode()).hexdigest()[:16]
                out.append(T.Program(id=f"{role[:3]}-{digest}", language=lang, source=ex.code))
                break
    return out


SMALL = T.TestgenSettings(generator_cpu_s=1.0, max_input_mb=1, min_seeds=6)


def test_broken_generators_and_bad_validators_are_filtered(sandbox, tiny, replay):
    engine, k, v = replay
    gens = _sampled(engine, tiny, "all", "generator", k)
    vals = _sampled(engine, tiny, "all", "validator", v)
    assert len(gens) == k and len(vals) == v
    r = T.select_inputs(
        tiny, "all", sandbox, generators=gens, validators=vals, target=10, settings=SMALL
    )
    assert len(r.inputs) == 10
    assert all(_valid(x.data) for x in r.inputs)
    assert len({x.data for x in r.inputs}) == 10
    by_id = {g.id: g for g in r.generators}
    ids = [g.id for g in gens]
    good, other, crash, loop, flood, silent, too_big, same = (by_id[i] for i in ids)
    # round-robin, after the largest quarter (3 of 10): none fills the set
    assert (good.kept, other.kept, same.kept) == (6, 3, 1)
    assert crash.crashes == crash.runs > 0 and crash.kept == 0
    assert loop.timeouts == SMALL.max_timeouts and loop.runs == SMALL.max_timeouts
    assert flood.oversized == flood.runs > 0 and silent.empty == silent.runs > 0
    assert too_big.produced > 0 and too_big.accepted == 0  # out of constraints: voted out
    assert same.produced == 1 and same.duplicates == same.runs - 1
    reps = {x.id: x for x in r.validators}
    assert reps[vals[4].id].rejects_example == "ex1" and not reps[vals[4].id].voted
    assert reps[vals[5].id].rejects_example == "ex1"
    assert reps[vals[3].id].voted  # over-permissive: voted, but outvoted
    assert all(x.voters == 4 and x.votes >= 3 for x in r.inputs)


def test_provenance_reproduces_each_input(sandbox, tiny):
    gens = [T.Program(id="good", language="python", source=GOOD_GEN)]
    vals = [T.Program(id="v", language="python", source=VALID.format(k=0))]
    r = T.select_inputs(
        tiny, "all", sandbox, generators=gens, validators=vals, target=4, seed=9, settings=SMALL
    )
    assert len(r.inputs) == 4
    for x in r.inputs:
        assert x.provenance() == {"generator": "good", "seed": x.seed, "votes": 1, "voters": 1}
        again = subprocess.run(
            [sys.executable, "-c", GOOD_GEN, str(x.seed)], capture_output=True, check=True
        )
        assert again.stdout == x.data


def test_validators_may_come_after_the_generators_ran(sandbox, tiny):
    """A streaming run samples the validators while the generators run: `validators` may be a
    function, called once the generator outputs exist, and the result is the list's."""
    gens = [T.Program(id="good", language="python", source=GOOD_GEN)]
    vals = [T.Program(id="v", language="python", source=VALID.format(k=0))]
    seen: list[int] = []

    class Counting:  # the sandbox, counting generator runs before the validators are asked for
        def __getattr__(self, name):
            return getattr(sandbox, name)

        def run_batch(self, art, inputs, limits, **kw):
            if kw.get("args"):
                seen.append(1)
            return sandbox.run_batch(art, inputs, limits, **kw)

    runs_before: list[int] = []

    def later() -> list[T.Program]:
        runs_before.append(len(seen))
        return vals

    lazy = T.select_inputs(
        tiny, "all", Counting(), generators=gens, validators=later, target=4, settings=SMALL
    )
    eager = T.select_inputs(
        tiny, "all", sandbox, generators=gens, validators=vals, target=4, settings=SMALL
    )
    assert runs_before == [len(seen)] and seen  # asked once, after every generator run
    assert [x.data for x in lazy.inputs] == [x.data for x in eager.inputs]
    assert len(lazy.inputs) == 4


def test_no_trustworthy_validator_keeps_nothing(sandbox, tiny):
    gens = [T.Program(id="good", language="python", source=GOOD_GEN)]
    vals = [T.Program(id="strict", language="python", source=STRICT)]
    r = T.select_inputs(tiny, "all", sandbox, generators=gens, validators=vals, settings=SMALL)
    assert r.inputs == [] and "public example" in r.note


def test_quorum_is_a_setting(sandbox, tiny):
    gens = [T.Program(id="big", language="python", source=BROKEN_GENS["too_big"])]
    vals = [
        T.Program(id="v", language="python", source=VALID.format(k=0)),
        T.Program(id="p", language="python", source=PERMISSIVE),
    ]
    strict = T.select_inputs(tiny, "all", sandbox, generators=gens, validators=vals, target=3)
    assert strict.inputs == []
    half = T.select_inputs(
        tiny, "all", sandbox, generators=gens, validators=vals, target=3, quorum=0.5
    )
    assert len(half.inputs) == 3 and all(x.votes == 1 for x in half.inputs)


def test_seed_slot_reads_the_usage_line():
    assert T.seed_slot('fprintf(stderr, "usage: gen N L mode seed\\n");') == 3
    assert T.seed_slot("// gen SEED N MAXX MAXV MODE\n") == 0
    assert T.seed_slot("int main() {}") is None


def _own_validator_accepts(sandbox, problem, inputs: list[bytes]) -> list[bool]:
    _, own = T.problem_programs(problem, problem.subtasks[0].id)
    assert own is not None
    art = sandbox.compile(own.source, own.language)
    assert art.ok
    return T._accepts(sandbox, art, inputs, T.TestgenSettings())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("problem_id", "subtask"),
    [("street-lamps", "1"), ("gathering-point", "all"), ("shortest-route", "all")],
)
def test_simulated_model_tests_pass_the_problems_own_validator(sandbox, problem_id, subtask):
    problem = load_problem(ROOT / "problems" / problem_id)
    engine = get_engine("simulated", problems=ROOT / "problems", quiet=True)
    gens = _sampled(engine, problem, subtask, "generator", 8)
    vals = _sampled(engine, problem, subtask, "validator", 8)
    r = T.select_inputs(
        problem,
        subtask,
        sandbox,
        generators=gens,
        validators=vals,
        settings=T.TestgenSettings(target=16),
    )
    assert len(r.inputs) >= 8, r
    assert all(_own_validator_accepts(sandbox, problem, [x.data for x in r.inputs]))
    assert len({x.generator for x in r.inputs}) >= 2


@pytest.mark.slow
def test_problem_mode_uses_the_problems_own_programs(sandbox):
    problem = load_problem(ROOT / "problems" / "street-lamps")
    r = T.select_inputs(problem, "2", sandbox, mode="problem", target=6)
    assert len(r.inputs) == 6 and {x.generator for x in r.inputs} == {T.PROBLEM}
    assert all(x.voters == 1 and x.votes == 1 for x in r.inputs)
    tests = [problem.test(n) for n in problem.subtask_tests["2"]]
    hidden = set(TestData(problem, sandbox).inputs(tests))
    assert len(hidden) == len(tests) and not hidden & {x.data for x in r.inputs}


def test_validator_args_follow_the_subtask_constraints():
    problem = load_problem(ROOT / "problems" / "street-lamps")
    src = problem.path(problem.validator.path).read_text()
    got = {s.id: T.validator_args(problem, s.id, src) for s in problem.subtasks}
    assert got == {"1": ["15"], "2": ["3000"], "3": ["200000", "200000"], "4": []}
    gp = load_problem(ROOT / "problems" / "gathering-point")
    assert T.validator_args(gp, "all", gp.path(gp.validator.path).read_text()) == []


def test_the_problems_validator_checks_the_subtasks_bounds(sandbox):
    problem = load_problem(ROOT / "problems" / "street-lamps")
    small, big = b"2 10\n0 5\n5 10\n", b"16 10\n" + b"0 10\n" * 16
    verdicts = {}
    for sid in ("1", "4"):
        _, own = T.problem_programs(problem, sid)
        art = sandbox.compile(own.source, own.language)
        verdicts[sid] = T._accepts(sandbox, art, [small, big], T.TestgenSettings())
    assert verdicts == {"1": [True, False], "4": [True, True]}

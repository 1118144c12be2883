"""Generated inputs reach the maximum: one over-strict bound check cannot veto every large input,
the largest accepted inputs keep their share of the set, out-of-bounds inputs stay out, and the
generator wrapper's largest-case mode asks for the biggest argument lists. Real local sandbox."""

from __future__ import annotations

import json

import pytest

from cpsolve.languages import Language
from cpsolve.problem import load_problem
from cpsolve.testgen import inputs as T

# N (1..5000) then N integers in 1..10^9; print their sum (it needs 64 bits).
PROBLEM = {
    "id": "big-sum",
    "name": "Big Sum",
    "statement": "Print the sum of N integers. 1 <= N <= 5000, 1 <= a_i <= 10^9.",
    "public_tests": [{"name": "ex1", "input": "3\n1 2 3\n", "output": "6\n"}],
    "hidden_tests": [{"name": "h1", "input": "2\n5 5\n", "output": "10\n"}],
}

# Seed % 4 == 0: the maximum (N = 5000, values 10^9); % 4 == 2: past the bound (N = 6000);
# otherwise small.
GEN = """import random, sys
seed = int(sys.argv[1])
rng = random.Random(seed)
if seed % 4 == 0:
    n, top = 5000, 10**9
elif seed % 4 == 2:
    n, top = 6000, 10
else:
    n, top = rng.randint(1, 20), 100
print(n)
print(*[rng.randint(max(1, top // 2), top) for _ in range(n)])
"""
CHECK = """import sys
lines = sys.stdin.read().split("\\n")
try:
    n = int(lines[0]); a = [int(x) for x in lines[1].split(" ")]
except (ValueError, IndexError):
    sys.exit(1)
if len(lines) != 3 or lines[2] or not 1 <= n <= {max_n} or len(a) != n:
    sys.exit(1)
if any(not 1 <= x <= {max_a} for x in a):
    sys.exit(1)
# {tag}
"""
FAITHFUL = [CHECK.format(max_n=5000, max_a=10**9, tag=k) for k in range(2)]
STRICT = CHECK.format(max_n=500, max_a=10**6, tag="strict")  # bounds copied a factor off
SETTINGS = T.TestgenSettings(generator_cpu_s=2.0, max_input_mb=1, min_seeds=12)


@pytest.fixture
def problem(tmp_path):
    (tmp_path / "problem.json").write_text(json.dumps(PROBLEM))
    return load_problem(tmp_path)


def _programs(prefix: str, sources: list[str]) -> list[T.Program]:
    return [
        T.Program(id=f"{prefix}{k}", language="python", source=s) for k, s in enumerate(sources)
    ]


def _select(problem, sandbox, validators: list[str], **kw) -> T.TestgenResult:
    return T.select_inputs(
        problem,
        "all",
        sandbox,
        generators=_programs("g", [GEN]),
        validators=_programs("v", validators),
        target=kw.pop("target", 8),
        settings=SETTINGS,
        **kw,
    )


def _n(data: bytes) -> int:
    return int(data.split(b"\n", 1)[0])


def test_a_strict_validator_cannot_veto_the_largest_inputs(sandbox, problem):
    result = _select(problem, sandbox, [*FAITHFUL, STRICT])
    sizes = [_n(x.data) for x in result.inputs]
    assert max(sizes) == 5000  # the maximum survives ...
    assert 6000 not in sizes  # ... and what the faithful validators reject does not
    strict = next(v for v in result.validators if v.id == "v2")
    assert strict.discounted and strict.large_rejected == 1.0
    assert not any(v.discounted for v in result.validators if v.id != "v2")
    assert all(x.voters == 2 for x in result.inputs)


def test_without_the_discount_the_strict_validator_vetoes_them(sandbox, problem):
    """The same vote with the size check off: what the discount is for."""
    off = SETTINGS.model_copy(update={"large_share": 0.0})
    result = T.select_inputs(
        problem,
        "all",
        sandbox,
        generators=_programs("g", [GEN]),
        validators=_programs("v", [*FAITHFUL, STRICT]),
        target=8,
        settings=off,
    )
    assert result.inputs and max(_n(x.data) for x in result.inputs) <= 20


def test_a_majority_of_strict_validators_is_not_overruled(sandbox, problem):
    result = _select(problem, sandbox, [FAITHFUL[0], STRICT, STRICT + "# again\n"])
    assert result.inputs and max(_n(x.data) for x in result.inputs) <= 20
    assert sum(v.discounted for v in result.validators) <= 1


def test_the_largest_accepted_inputs_keep_their_share(sandbox, problem):
    result = _select(problem, sandbox, FAITHFUL, target=4)
    assert len(result.inputs) == 4
    assert sum(_n(x.data) == 5000 for x in result.inputs) >= 1  # max_share 0.25 of 4


def test_largest_templates_pick_the_biggest_argument_lists():
    templates = [
        ["1", "2", "1", "10", "random"],
        ["6", "100000", "99999", "1000000000", "chain"],
        ["7", "100000", "100000", "1000000000", "random"],
        ["8", "100000", "100000", "3", "random"],
    ]
    got = T.largest_templates(templates, slot=0)
    assert got == templates[1:3]
    wrapped = T.wrap_generator("int main(int argc, char** argv) { return 0; }", templates, 0)
    assert "LARGEST" in wrapped and '"chain"' in wrapped.split("LARGEST", 1)[1]


def test_the_report_summary_counts_sizes_agreement_and_splits():
    import numpy as np

    from cpsolve.select.matrix import ExecutionMatrix, MatrixMeta
    from cpsolve.testgen.summary import summarize_inputs

    shas = ["a" * 64, "b" * 64]
    m = ExecutionMatrix(
        meta=MatrixMeta(
            problem_id="x",
            time_limit_s=1.0,
            subtask_ids=["all"],
            subtask_points=[1.0],
            candidate_ids=["c0", "c1", "c2"],
            public_test_names=[],
            input_names=[f"all:{s[:12]}" for s in shas],
        ),
        cand_subtask=np.zeros(3),
        code_len=np.ones(3),
        logprob=np.zeros(3),
        compile_ok=np.ones(3, dtype=bool),
        includes=np.zeros((1, 1), dtype=bool),
        public_required=np.zeros((1, 0), dtype=bool),
        public_passed=np.zeros((3, 0), dtype=bool),
        public_verdict=np.zeros((3, 0)),
        input_subtask=np.zeros(2),
        gen_verdict=np.zeros((3, 2)),
        gen_class=np.array([[0, 0], [0, 1], [0, -1]]),  # the second input splits c0 from c1
        gen_time=np.zeros((3, 2)),
    )
    rows = [
        (shas[0], b"1\n5\n", {"votes": 4, "voters": 4}),
        (shas[1], b"3\n" + b"7 " * 1000, {"votes": 3, "voters": 4}),
    ]
    s = summarize_inputs(rows, m, 0)
    assert (s.kept, s.largest_bytes, s.splits) == (2, 2002, [1, 2])
    assert s.agreement == 0.875


def test_generators_on_the_same_seeds_write_different_largest_shapes(sandbox):
    """The salt picks the largest-case argument list, so a set of wrapped generators run on the
    same seeds (as testgen runs them) covers every worst-case shape, not one."""
    gen = "#include <cstdio>\nint main(int argc, char** argv) { std::puts(argv[2]); return 0; }\n"
    templates = [["1", "chain"], ["2", "trap"], ["3", "dense"]]
    shapes = set()
    for salt in range(6):
        art = sandbox.compile(T.wrap_generator(gen, templates, 0, salt), Language.CPP)
        assert art.ok
        [run] = sandbox.run_batch(art, [b""], T.Limits(cpu_s=2), keep_output=True, args=["4"])
        shapes.add((run.stdout or b"").strip())
    assert shapes == {b"chain", b"trap", b"dense"}


def test_the_largest_inputs_keep_their_share_up_to_a_few():
    """A quarter of 256 would be 64 maximum-size inputs, each run by every program; a few
    reveal a slow or overflowing program as well, so the reserved share stops at `max_large`."""
    from cpsolve.testgen.inputs import GeneratedInput as In
    from cpsolve.testgen.inputs import TestgenSettings, _with_largest

    gens = [
        [In(data=b"x" * (10 + i * 7 + g), generator=f"g{g}", seed=i, votes=1, voters=1)
         for i in range(100)]
        for g in range(3)
    ]  # fmt: skip
    kept = _with_largest(gens, TestgenSettings(target=256))
    sizes = sorted((len(x.data) for x in kept), reverse=True)
    assert len(kept) == 256
    largest_all = sorted((len(x.data) for xs in gens for x in xs), reverse=True)
    assert sizes[:8] == largest_all[:8]  # the 8 largest are kept
    small = _with_largest(gens, TestgenSettings(target=16))
    assert sum(len(x.data) >= largest_all[3] for x in small) >= 4  # a quarter of 16
    assert len(small) == 16


def test_the_rest_of_the_set_takes_small_inputs_first():
    """Besides the reserved largest ones, inputs up to `small_bytes` come first: a generator
    whose argument lists mostly ask for maximum sizes does not make every program run on
    hundreds of megabytes; larger ones only fill what the small ones leave."""
    from cpsolve.testgen.inputs import GeneratedInput as In
    from cpsolve.testgen.inputs import TestgenSettings, _with_largest

    def made(g: int, i: int) -> In:
        size = 5000 + i if i % 3 else 20 + i  # two in three ask for the maximum size
        return In(data=bytes([65 + g]) * size, generator=f"g{g}", seed=i, votes=1, voters=1)

    gens = [[made(g, i) for i in range(60)] for g in range(2)]
    s = TestgenSettings(target=40, max_large=4, small_bytes=1000)
    kept = _with_largest(gens, s)
    assert len(kept) == 40 and len({x.sha for x in kept}) == 40
    small = [x for x in kept if len(x.data) <= 1000]
    assert len(small) == 36 and len(kept) - len(small) == 4  # 40 small exist: no large filler
    few_small = _with_largest(gens, s.model_copy(update={"target": 100}))
    n_small = sum(len(x.data) <= 1000 for x in few_small)
    assert n_small == 40 and len(few_small) == 100  # every small one, then larger ones fill

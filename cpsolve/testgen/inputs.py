"""Model-written tests: input generators and validators -> a validated, deduplicated input set.

As o1-ioi and AlphaCode did: for one subtask, K generator programs (a seed as their only
argument, one input on stdout) and V validator programs (an input on stdin, exit 0 when valid)
are run in the sandbox:

1. every generator runs on many seeds; crashes, timeouts, oversized and empty outputs are
   dropped, and identical inputs kept once;
2. validators that reject a public example of the subtask, or do not compile, are dropped;
3. the remaining validators vote on every input; an input is kept when at least `quorum` of
   the counted ones accept it (in `both` mode the problem's own validator must accept it too).
   A validator is not counted when it rejects most of the LARGE inputs (the largest quarter)
   that the quorum of the others accepts: one over-strict bound check would otherwise veto
   every maximum-size input (`size_biased`);
4. at most `target` inputs are kept: the largest accepted ones take `max_share` of the set
   (at most `max_large`: the inputs that catch slow and overflowing programs), the rest is
   taken round-robin over generators so that no generator fills the set, from the inputs of
   at most `small_bytes` first (the larger ones only fill what these leave).

`mode`: `model` (the sampled programs), `problem` (the problem's own generator, behind a seed
`main`, and validator), or `both`. Inputs in, models out: nothing here touches the run store.
The result records the provenance of each input (generator, seed, votes).

The problem's own generator takes its own arguments (N, mode, seed...). Behind the seed
contract, a seed picks one of the argument lists the problem's tests of that subtask use and
replaces its seed argument (named in the generator's usage line) by a fresh value, so the
inputs are new draws of the same families, never a hidden test itself.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from cpsolve.languages import Language, language_of
from cpsolve.problem import Problem
from cpsolve.sandbox.base import Artifact, Limits, RunResult, Sandbox, Verdict
from cpsolve.source import rename_main

Mode = Literal["model", "problem", "both"]
PROBLEM = "problem"  # the id of the problem's own generator and validator in provenance


class Program(BaseModel):
    """A generator or validator program: `id` names it in provenance (a hash by default)."""

    model_config = ConfigDict(frozen=True)

    id: str
    language: Language
    source: str

    @classmethod
    def of(cls, item: Program | tuple[str, Any, str]) -> Program:
        if isinstance(item, Program):
            return item
        pid, language, source = item
        return cls(id=str(pid), language=Language(str(language)), source=source)


class TestgenSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target: int = Field(default=256, ge=0, description="inputs kept per subtask at most")
    quorum: float = Field(
        default=0.75, gt=0, le=1, description="share of validators that must accept"
    )
    oversample: float = Field(default=2.0, ge=1, description="generator runs per kept input wanted")
    min_seeds: int = Field(default=4, ge=1, description="seeds each generator runs at least")
    max_input_mb: int = Field(default=16, ge=1, description="larger outputs are dropped")
    generator_cpu_s: float = Field(default=5.0, gt=0)
    validator_cpu_s: float = Field(default=5.0, gt=0)
    memory_mb: int = Field(default=1024, ge=16)
    max_timeouts: int = Field(default=2, ge=1, description="a generator is retired after this many")
    large_share: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="the largest inputs (this share of the distinct ones, by bytes) on which "
        "validators are checked for a size bias",
    )
    discount_above: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="a validator that rejects more than this share of the large inputs that "
        "the other validators' quorum accepts is discounted (its vote no longer counts)",
    )
    max_share: float = Field(
        default=0.25,
        ge=0,
        le=1,
        description="share of the kept set reserved for the largest accepted inputs",
    )
    max_large: int = Field(
        default=8,
        ge=0,
        description="at most this many of them: a few maximum-size inputs reveal a slow or "
        "overflowing program, and every program runs on each of them",
    )
    small_bytes: int = Field(
        default=1 << 16,
        ge=0,
        description="the rest of the set is taken from inputs up to this size first, and from "
        "larger ones only when those do not fill it: wrong answers show on small inputs of "
        "varied shapes as well as on large ones, at a fraction of the running time",
    )


class GeneratedInput(BaseModel):
    data: bytes
    generator: str
    seed: int
    votes: int  # validators that accepted it
    voters: int  # validators that voted

    @property
    def sha(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def provenance(self) -> dict[str, Any]:
        return {
            "generator": self.generator,
            "seed": self.seed,
            "votes": self.votes,
            "voters": self.voters,
        }


class GeneratorReport(BaseModel):
    id: str
    compiled: bool
    runs: int = 0
    crashes: int = 0
    timeouts: int = 0
    oversized: int = 0
    empty: int = 0
    duplicates: int = 0
    produced: int = 0  # new distinct inputs
    accepted: int = 0  # of those, accepted by the vote
    kept: int = 0  # of those, in the final set


class ValidatorReport(BaseModel):
    id: str
    compiled: bool
    rejects_example: str | None = None  # the public test it rejected (then it is dropped)
    voted: bool = False
    accepted: int = 0
    large_rejected: float = 0.0  # share of the others' accepted large inputs it rejected
    discounted: bool = False  # rejects most large inputs the others accept: its vote is dropped


class TestgenResult(BaseModel):
    problem: str
    subtask: str
    mode: Mode
    inputs: list[GeneratedInput]
    generators: list[GeneratorReport]
    validators: list[ValidatorReport]
    candidates: int = 0  # distinct inputs the generators produced
    note: str = ""


# ---- the problem's own generator behind the seed contract ------------------------------------

_USAGE = re.compile(r"(?:usage:\s*|//\s*)gen\s+([A-Za-z_][\w ]*?)\s*(?:[:\\\n\"]|$)", re.I)


def seed_slot(gen_source: str) -> int | None:
    """Which argument of a problem's generator is its seed, from its usage line."""
    for m in _USAGE.finditer(gen_source):
        for k, word in enumerate(m.group(1).split()):
            if "seed" in word.lower():
                return k
    return None


def arg_templates(problem: Problem, subtask: str) -> list[list[str]]:
    """Argument lists of the problem's generator used by the subtask's tests (their seeds are
    replaced before any run)."""
    names = set(problem.subtask_tests.get(subtask, []))
    return [list(t.gen) for t in problem.hidden_tests if t.name in names and t.gen]


def largest_templates(templates: list[list[str]], slot: int | None) -> list[list[str]]:
    """The argument lists that ask for the largest inputs: those whose numeric arguments (the
    seed's aside) sum, in digits, to at least 90% of the most any list asks for. Sizes and
    value bounds are what make an input maximal; the mode words (chain, random, trap) vary
    its worst-case shape and are kept."""

    def weight(t: list[str]) -> float:
        return sum(
            math.log10(int(a) + 1) for k, a in enumerate(t) if k != slot and re.fullmatch(r"\d+", a)
        )

    if not templates:
        return []
    top = max(weight(t) for t in templates)
    return [t for t in templates if weight(t) >= 0.9 * top]


def _c_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrap_generator(
    gen: str, templates: list[list[str]], slot: int | None, salt: int = 0, every: int = 4
) -> str:
    """A C++ generator `gen` behind a `main` that takes only a seed: the seed picks an argument
    list and becomes its seed argument (an extra last argument when `slot` is None); `salt`
    varies the map from the wrapper's seed to the generator's. Every `every`-th seed asks for
    a maximum-size input (`largest_templates`): the generator role's largest-case mode; the
    salt also picks which of them, so that generators run on the same seeds still write
    different worst-case shapes (a chain, a trap, a dense graph)."""
    if not templates:
        raise ValueError("wrap_generator needs at least one argument list")

    def rows(ts: list[list[str]]) -> str:
        return ",\n        ".join("{" + ", ".join(_c_string(a) for a in t) + "}" for t in ts)

    table, largest = rows(templates), rows(largest_templates(templates, slot))
    put_seed = (
        f"if ({slot} < (int)args.size()) args[{slot}] = std::to_string(s);"
        if slot is not None
        else "args.push_back(std::to_string(s));"
    )
    return f"""#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
{rename_main(gen, "problem_gen_main").rstrip()}

int main(int argc, char** argv) {{
    unsigned long long seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1;
    static const std::vector<std::vector<std::string>> TABLE = {{
        {table}
    }};
    static const std::vector<std::vector<std::string>> LARGEST = {{
        {largest}
    }};
    std::vector<std::string> args = TABLE[seed % TABLE.size()];
    if (seed % {every} == 0) args = LARGEST[(seed / {every} + {salt}ULL) % LARGEST.size()];
    unsigned long long s = (seed * 2654435761ULL + {salt}ULL) % 1000000007ULL + 1000;
    {put_seed}
    std::vector<char*> av;
    av.push_back(argv[0]);
    for (auto& a : args) av.push_back(&a[0]);
    av.push_back(nullptr);
    return problem_gen_main((int)args.size() + 1, av.data());
}}
"""


_VAL_USAGE = re.compile(r"validator\s+((?:\[?\s*[A-Za-z_]\w*\s*)+)")
_DEFAULT = re.compile(r"(\w+)\s*=\s*argc\s*>\s*\d+\s*\?[^:;]*:\s*(\d+)\s*[,;]")
_BOUND = re.compile(r"((?:[A-Za-z_]\w*\s*,\s*)*[A-Za-z_]\w*)\s*(?:<=|≤)\s*(\d+)")


def validator_args(problem: Problem, subtask: str, source: str) -> list[str]:
    """Arguments that make the problem's validator check a subtask's bounds: its usage line
    (`validator [maxN [maxL]]`) names them, the subtask's constraints ("N <= 15") give their
    values, the validator's own defaults fill the gaps; [] when none applies."""
    m = _VAL_USAGE.search(source)
    if m is None:
        return []
    names = [w.strip("[] ") for w in m.group(1).split() if w.strip("[] ")]
    bounds: dict[str, str] = {}
    for b in _BOUND.finditer(problem.subtask(subtask).constraints):
        for var in b.group(1).split(","):
            bounds[var.strip().lower()] = b.group(2)
    defaults = {d.group(1): d.group(2) for d in _DEFAULT.finditer(source)}
    out: list[str] = []
    for name in names:
        var = name[3:].lower() if name.lower().startswith("max") else None
        if var is not None and var in bounds:
            out.append(bounds[var])
        elif name in defaults:
            out.append(defaults[name])
        else:
            break
    while out and out[-1] == defaults.get(names[len(out) - 1]):
        out.pop()  # trailing defaults say nothing
    return out


def wrap_validator(source: str, args: list[str]) -> str:
    """A validator that takes arguments, behind a `main` that passes it `args`."""
    if not args:
        return source
    argv = ", ".join(_c_string(a) for a in args)
    return (
        rename_main(source, "validator_main")
        + f"""
int main(int argc, char** argv) {{
    static char name[] = "validator";
    std::vector<std::string> given = {{{argv}}};
    std::vector<char*> av = {{argc > 0 ? argv[0] : name}};
    for (auto& a : given) av.push_back(&a[0]);
    av.push_back(nullptr);
    return validator_main((int)given.size() + 1, av.data());
}}
"""
    )


def _headers_beside(problem: Problem, relpath: str) -> dict[str, bytes]:
    folder = problem.path(relpath).parent
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix in (".h", ".hpp")}


def problem_programs(problem: Problem, subtask: str) -> tuple[Program | None, Program | None]:
    """The problem's own generator (behind the seed contract) and validator, where it has them
    (a generator only when the subtask's tests give it arguments, in C++)."""
    gen = val = None
    templates = arg_templates(problem, subtask)
    if problem.generator is not None and templates:
        path = problem.generator.path
        if language_of(path) == Language.CPP:
            text = problem.path(path).read_text()
            wrapped = wrap_generator(text, templates, seed_slot(text))
            gen = Program(id=PROBLEM, language=Language.CPP, source=wrapped)
    if problem.validator is not None:
        path = problem.validator.path
        text = problem.path(path).read_text()
        if language_of(path) == Language.CPP:
            text = wrap_validator(text, validator_args(problem, subtask, text))
        val = Program(id=PROBLEM, language=language_of(path), source=text)
    return gen, val


# ---- running ---------------------------------------------------------------------------------


def _compile(sandbox: Sandbox, prog: Program, problem: Problem, which: str) -> Artifact:
    extra: dict[str, bytes] = {}
    spec = getattr(problem, which)
    if prog.id == PROBLEM and spec is not None:
        extra = _headers_beside(problem, spec.path)
    return sandbox.compile(prog.source, prog.language, extra or None)


def _compile_all(
    sandbox: Sandbox, progs: Sequence[Program], problem: Problem, which: str
) -> list[Artifact]:
    """`_compile` of each program, in order, on as many threads as the sandbox has workers."""
    workers = max(1, min(len(progs), getattr(sandbox, "workers", 1)))
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda prog: _compile(sandbox, prog, problem, which), progs))


class _Gen:
    def __init__(self, prog: Program, art: Artifact) -> None:
        self.prog = prog
        self.art = art
        self.report = GeneratorReport(id=prog.id, compiled=art.ok)
        self.outputs: list[tuple[int, bytes]] = []  # (seed, input) of new distinct inputs


def _run_generators(
    gens: list[_Gen], sandbox: Sandbox, seeds: list[int], s: TestgenSettings
) -> dict[str, tuple[str, int, bytes]]:
    """Run every generator on every seed; distinct inputs by sha -> (generator, seed, data)."""
    limits = Limits(
        cpu_s=s.generator_cpu_s, memory_mb=s.memory_mb, output_mb=s.max_input_mb, processes=1
    )
    seen: dict[str, tuple[str, int, bytes]] = {}
    workers = max(1, getattr(sandbox, "workers", 1))
    live = [g for g in gens if g.art.ok]
    with ThreadPoolExecutor(workers) as pool:
        for seed in seeds:
            live = [g for g in live if g.report.timeouts < s.max_timeouts]
            if not live:
                break
            runs = list(pool.map(partial(_one_run, sandbox, seed=seed, limits=limits), live))
            for g, run in zip(live, runs, strict=True):
                _tally(g, seed, run, seen)
    return seen


def _one_run(sandbox: Sandbox, g: _Gen, *, seed: int, limits: Limits) -> RunResult:
    [run] = sandbox.run_batch(g.art, [b""], limits, keep_output=True, args=[str(seed)])
    return run


def _tally(g: _Gen, seed: int, run: RunResult, seen: dict[str, tuple[str, int, bytes]]) -> None:
    r = g.report
    r.runs += 1
    if run.verdict == Verdict.TLE:
        r.timeouts += 1
    elif run.verdict == Verdict.OLE:
        r.oversized += 1
    elif run.verdict != Verdict.AC:
        r.crashes += 1
    elif not (run.stdout or b"").strip():
        r.empty += 1
    else:
        data = run.stdout or b""
        key = hashlib.sha256(data).hexdigest()
        if key in seen:
            r.duplicates += 1
        else:
            seen[key] = (g.prog.id, seed, data)
            g.outputs.append((seed, data))
            r.produced += 1


def _accepts(
    sandbox: Sandbox, art: Artifact, inputs: list[bytes], s: TestgenSettings
) -> list[bool]:
    if not inputs:
        return []
    limits = Limits(cpu_s=s.validator_cpu_s, memory_mb=s.memory_mb, output_mb=1)
    runs = sandbox.run_batch(art, inputs, limits, keep_output=False)
    return [r.verdict == Verdict.AC and r.exit_code in (0, None) for r in runs]


def _examples(problem: Problem, subtask: str) -> list[tuple[str, bytes]]:
    out = []
    for t in problem.public_tests_for(subtask):
        if t.input is not None or t.input_file is not None:
            out.append((t.name, problem.read_input(t)))
    return out


def _validators(
    vals: list[Program], problem: Problem, subtask: str, sandbox: Sandbox, s: TestgenSettings
) -> tuple[list[tuple[Program, Artifact]], list[ValidatorReport]]:
    """Compile the validators and keep those that accept every public example."""
    examples = _examples(problem, subtask)
    kept, reports = [], []
    for prog, art in zip(vals, _compile_all(sandbox, vals, problem, "validator"), strict=True):
        rep = ValidatorReport(id=prog.id, compiled=art.ok)
        reports.append(rep)
        if not art.ok:
            continue
        ok = _accepts(sandbox, art, [data for _, data in examples], s)
        bad = [name for (name, _), a in zip(examples, ok, strict=True) if not a]
        if bad:
            rep.rejects_example = bad[0]
            continue
        rep.voted = True
        kept.append((prog, art))
    return kept, reports


def _spread(per_gen: list[list[GeneratedInput]], target: int) -> list[GeneratedInput]:
    """Round-robin over generators, each in seed order, until `target` inputs."""
    out: list[GeneratedInput] = []
    k = 0
    while len(out) < target and any(k < len(x) for x in per_gen):
        for x in per_gen:
            if k < len(x) and len(out) < target:
                out.append(x[k])
        k += 1
    return out


def _distinct(items: Sequence[Program | tuple[str, Any, str]]) -> list[Program]:
    """Programs with distinct ids (the same program sampled twice runs and votes once)."""
    out: dict[str, Program] = {}
    for item in items:
        prog = Program.of(item)
        out.setdefault(prog.id, prog)
    return list(out.values())


def select_inputs(
    problem: Problem,
    subtask: str,
    sandbox: Sandbox,
    *,
    generators: Sequence[Program | tuple[str, Any, str]] = (),
    validators: Sequence[Program | tuple[str, Any, str]]
    | Callable[[], Sequence[Program | tuple[str, Any, str]]] = (),
    mode: Mode = "model",
    target: int | None = None,
    quorum: float | None = None,
    seed: int = 0,
    settings: TestgenSettings | None = None,
) -> TestgenResult:
    """The kept inputs of one subtask and how each program fared (see the module docstring).

    `validators` may be a function that gives them: it is called once the generators have run
    (a streaming run samples the validators meanwhile), and not at all when nothing is to vote.
    """
    s = settings or TestgenSettings()
    s = s.model_copy(
        update={k: v for k, v in (("target", target), ("quorum", quorum)) if v is not None}
    )
    gens = _distinct(generators) if mode != "problem" else []
    own_gen, own_val = problem_programs(problem, subtask) if mode != "model" else (None, None)
    if own_gen is not None:
        gens.append(own_gen)
    result = TestgenResult(
        problem=problem.id, subtask=subtask, mode=mode, inputs=[], generators=[], validators=[]
    )
    if s.target == 0 or not gens:
        result.note = "no generator to run" if not gens else "target is 0"
        return result
    arts = _compile_all(sandbox, gens, problem, "generator")
    runners = [_Gen(g, art) for g, art in zip(gens, arts, strict=True)]
    per = max(s.min_seeds, math.ceil(s.target * s.oversample / len(runners)))
    seeds = [seed * 1_000_003 + 17 * j + 1 for j in range(per)]
    seen = _run_generators(runners, sandbox, seeds, s)
    result.generators = [g.report for g in runners]
    result.candidates = len(seen)
    vals: list[Program] = []
    if mode != "problem":
        vals = _distinct(validators() if callable(validators) else validators)
    voters = [v for v in vals if v.id != PROBLEM]
    kept, result.validators = _validators(voters, problem, subtask, sandbox, s)
    veto = None
    if own_val is not None:
        veto_kept, veto_rep = _validators([own_val], problem, subtask, sandbox, s)
        result.validators += veto_rep
        veto = veto_kept[0] if veto_kept else None
        if mode == "problem" and veto is not None:
            kept = [veto]
            veto = None
    if not kept and veto is None:
        result.note = "no validator accepts every public example: no input can be trusted"
        return result
    _vote(runners, kept, veto, sandbox, s, result)
    return result


def _vote(
    runners: list[_Gen],
    kept: list[tuple[Program, Artifact]],
    veto: tuple[Program, Artifact] | None,
    sandbox: Sandbox,
    s: TestgenSettings,
    result: TestgenResult,
) -> None:
    """Validators vote on every distinct input (those biased against large inputs discounted);
    the accepted ones are spread over generators, with the largest given their own share."""
    flat = [(g, seed, data) for g in runners for seed, data in g.outputs]
    datas = [d for _, _, d in flat]
    accepts = [_accepts(sandbox, art, datas, s) for _, art in kept]
    reports = [next(r for r in result.validators if r.id == p.id and r.voted) for p, _ in kept]
    for rep, ok in zip(reports, accepts, strict=True):
        rep.accepted = sum(ok)
    counted = size_biased(accepts, [len(d) for d in datas], s)
    for k, rep in enumerate(reports):
        rep.discounted = k not in counted
        rep.large_rejected = round(_bias(accepts, k, [len(d) for d in datas], s), 3)
    must = _accepts(sandbox, veto[1], datas, s) if veto is not None else [True] * len(flat)
    votes = [sum(accepts[k][j] for k in counted) for j in range(len(flat))]
    need = math.ceil(s.quorum * len(counted) - 1e-9) if counted else 0
    per_gen: dict[str, list[GeneratedInput]] = {g.prog.id: [] for g in runners}
    for (g, seed, data), v, m in zip(flat, votes, must, strict=True):
        if v >= need and m:
            g.report.accepted += 1
            item = GeneratedInput(
                data=data, generator=g.prog.id, seed=seed, votes=v, voters=len(counted)
            )
            per_gen[g.prog.id].append(item)
    result.inputs = _with_largest(list(per_gen.values()), s)
    for item in result.inputs:
        next(g for g in runners if g.prog.id == item.generator).report.kept += 1


def _bias(accepts: list[list[bool]], k: int, sizes: list[int], s: TestgenSettings) -> float:
    """The share that validator `k` rejects of the LARGE inputs the other validators' quorum
    accepts (the largest `large_share` of those, by bytes; 0 when they accept none)."""
    others = [a for j, a in enumerate(accepts) if j != k]
    need = math.ceil(s.quorum * len(others) - 1e-9)
    agreed = [i for i in range(len(sizes)) if sum(a[i] for a in others) >= need]
    if not agreed or not others:
        return 0.0
    agreed.sort(key=lambda i: -sizes[i])
    large = agreed[: max(1, math.ceil(s.large_share * len(agreed)))]
    return sum(not accepts[k][i] for i in large) / len(large)


def size_biased(accepts: list[list[bool]], sizes: list[int], s: TestgenSettings) -> list[int]:
    """The validators whose votes count: all but those biased against large inputs.

    A bound check written too strictly (a bound copied as 10^4 for 10^5, a sum bound where the
    statement has none) rejects exactly the largest inputs and lets the small ones through;
    under a plain quorum one such validator among few vetoes every maximum-size input, and the
    kept set then cannot tell a slow or overflowing program from a right one. So the largest
    inputs get a second, leave-one-out vote: a validator that rejects more than
    `discount_above` of the largest inputs that the quorum of the OTHER validators accepts is
    discounted. At most a minority is discounted (the most biased first): when most validators
    reject an input, it is more likely out of bounds than they are wrong.
    """
    n = len(accepts)
    if n < 3 or not sizes or s.large_share == 0:
        return list(range(n))
    bias = {k: _bias(accepts, k, sizes, s) for k in range(n)}
    biased = sorted((k for k in range(n) if bias[k] > s.discount_above), key=lambda k: -bias[k])
    dropped = set(biased[: (n - 1) // 2])
    return [k for k in range(n) if k not in dropped]


def _with_largest(per_gen: list[list[GeneratedInput]], s: TestgenSettings) -> list[GeneratedInput]:
    """At most `target` accepted inputs: the largest `max_share * target` of them (at most
    `max_large`), and the rest spread over generators, small ones (`small_bytes`) first (the
    largest are put last)."""
    flat = [x for xs in per_gen for x in xs]
    n_large = min(len(flat), math.ceil(s.max_share * s.target), s.max_large)
    largest = sorted(flat, key=lambda x: (-len(x.data), x.sha))[:n_large]
    chosen = {x.sha for x in largest}
    # the rest come from below the reserved ones' size: a largest-case generator mode writes
    # many maximum-size inputs, and the spread would otherwise take a quarter of them again
    cut = min((len(x.data) for x in largest), default=0) if len(flat) > s.target else 0
    rest = [
        [x for x in xs if x.sha not in chosen and (not cut or len(x.data) < cut)] for xs in per_gen
    ]
    room = s.target - len(largest)
    small = _spread([[x for x in xs if len(x.data) <= s.small_bytes] for xs in rest], room)
    taken = {x.sha for x in small}
    fill = _spread([[x for x in xs if x.sha not in taken] for xs in rest], room - len(small))
    return small + fill + largest

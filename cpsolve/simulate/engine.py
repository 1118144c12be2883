"""The `simulated` engine: a TEST INSTRUMENT, not a language model.

No model weights can be downloaded here and most CI machines have no GPU, yet everything after
sampling (extraction, dedup, testgen, execution, clustering, ranking, planning, judging) needs
candidate pools that look and behave like a code model's samples. This engine makes them from a
problem's own reference solutions:

* solutions: the reference solutions that are right for the subtask, unmodified (the share of
  those is a setting, lower on harder subtasks); semantic mutants of them
  (`cpsolve.simulate.mutate`: operators, loop bounds, constants, dropped branches,
  `long long` -> `int`, break/continue);
  the problem's wrong solutions (wrong greedy, too slow, crashing); programs that do not
  compile; completions with no code or cut off at the token limit. Every program also gets
  cosmetic variation (renamed identifiers, formatting, comments) and is wrapped in reasoning
  text and a fence, as a model writes it.
* generators: the problem's own generator behind a `main(seed)` that maps the seed to arguments
  like those of the subtask's tests (a fresh seed, never a hidden test itself), some of them
  broken on purpose: arguments outside the constraints, crashes, endless loops, output floods,
  no output; and generators that perturb a public example.
* validators: the problem's own validator, faithful, mutated (looser or stricter), accepting
  everything or nothing.

Solutions are in the request's `language` (C++ when it names none): the engine never reads the
prompt. The engine NEVER labels a candidate: what a candidate is worth is for the sandbox and
the judge to find out. Completions record `model="simulated"`. Deterministic: the same seed
gives the same pool, however the requests are chunked.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from cpsolve.errors import UserError
from cpsolve.languages import Language
from cpsolve.problem import Problem, find_problems, load_problem
from cpsolve.sample.engines.base import Completion, FinishReason, Role, SampleRequest, sample_seed
from cpsolve.sample.engines.chunks import Piece, serve_by_piece
from cpsolve.sandbox.base import Sandbox
from cpsolve.simulate import mutate as M
from cpsolve.source import join, rename_main, tokenize
from cpsolve.testgen.inputs import (
    arg_templates,
    seed_slot,
    validator_args,
    wrap_generator,
    wrap_validator,
)

BANNER = (
    "engine 'simulated': a test instrument, not a language model; its candidates are mutated "
    "reference solutions of the problem"
)
MODEL_NAME = "simulated"


class SimulatedSettings(BaseModel):
    """How a simulated pool is composed. Shares are of all completions of a request."""

    model_config = ConfigDict(extra="forbid")

    correct_share: dict[str, float] = Field(
        default_factory=dict,
        description="share of unmodified right solutions per subtask id; missing ids get the "
        "default for their difficulty (see easiest_share and full_share)",
    )
    easiest_share: float = Field(
        default=0.30, ge=0, le=1, description="default on the easiest subtask"
    )
    full_share: float = Field(default=0.04, ge=0, le=1, description="default on the full problem")
    wrong_reference_share: float = Field(default=0.15, ge=0, le=1)
    compile_error_share: float = Field(default=0.06, ge=0, le=1)
    no_code_share: float = Field(default=0.03, ge=0, le=1)
    truncated_share: float = Field(default=0.04, ge=0, le=1)
    bank_size: int = Field(default=16, ge=1, description="distinct mutants per source program")
    double_mutation: float = Field(default=0.25, ge=0, le=1, description="mutants with two changes")
    narrow_right: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="on a subtask below the hardest, the chance that a right draw is a program "
        "right on the fewest subtasks (the subtask's own brute force) rather than any right one",
    )
    right_window: int | None = Field(
        default=None,
        ge=1,
        description="right draws only among the first N samples of a request, wrong ones after: "
        "a CI window of N samples keeps its right program while the whole pool holds fewer",
    )
    wrong_weights: dict[str, float] = Field(
        default_factory=dict,
        description="relative weight of each wrong reference solution (by path) in the wrong "
        "draws; missing paths weigh 1 (a heavy one is a popular wrong algorithm)",
    )


POOL_SETTINGS = "simulated.json"  # a problem's own knobs, beside its problem.json


def pool_settings(problem: Problem, settings: SimulatedSettings) -> SimulatedSettings:
    """The fields of the problem's `simulated.json` (when it has one) over the defaults, and the
    fields set in `settings` over both: each shipped pool keeps the knobs it was made with, and
    an explicit setting still wins."""
    path = problem.path(POOL_SETTINGS)
    if not path.is_file():
        return settings
    try:
        extra = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise UserError(f"{path}: not JSON ({e})") from None
    given = settings.model_dump(include=settings.model_fields_set)
    return SimulatedSettings.model_validate({**settings.model_dump(), **extra, **given})


def default_share(problem: Problem, subtask_id: str, settings: SimulatedSettings) -> float:
    """The share of right solutions for a subtask: the setting, else interpolated from the
    easiest subtask's default to the full problem's by the subtask's place in the order."""
    if subtask_id in settings.correct_share:
        return settings.correct_share[subtask_id]
    ids = [s.id for s in problem.subtasks if s.points > 0] or [s.id for s in problem.subtasks]
    if subtask_id not in ids or len(ids) == 1:
        return settings.full_share
    k = ids.index(subtask_id)
    if k == len(ids) - 1:
        return settings.full_share
    t = k / (len(ids) - 1)
    return round(settings.easiest_share + t * (settings.full_share - settings.easiest_share), 4)


# ---- the material of one problem -------------------------------------------------------------


class Source(BaseModel):
    path: str
    language: Language
    text: str
    expect: dict[str, str]


class _Kit:
    """What the engine draws from for one problem: its programs and mutant banks."""

    def __init__(
        self, problem: Problem, settings: SimulatedSettings, seed: int, sandbox: Sandbox | None
    ) -> None:
        self.problem = problem
        self.settings = pool_settings(problem, settings)
        self.seed = seed
        self.sandbox = sandbox
        self._screen: dict[str, dict[str, str]] = {}
        self.sources = [
            Source(
                path=r.path,
                language=r.language,
                text=problem.path(r.path).read_text(),
                expect=r.expect,
            )
            for r in problem.reference_solutions
        ]
        self._banks: dict[str, list[str]] = {}

    def support(self, which: str) -> str | None:
        spec = getattr(self.problem, which)
        return None if spec is None else self.problem.path(spec.path).read_text()

    def bank(self, key: str, text: str, language: Language) -> list[str]:
        """Up to `bank_size` distinct mutants of `text`, the same for every request."""
        if key not in self._banks:
            rng = random.Random(f"{self.seed}|bank|{self.problem.id}|{key}")
            out: list[str] = []
            for _ in range(self.settings.bank_size * 3):
                m = M.mutate(text, language, rng)
                if m is not None and rng.random() < self.settings.double_mutation:
                    m = M.mutate(m.source, language, rng) or m
                if m is not None and m.source not in out:
                    out.append(m.source)
                if len(out) >= self.settings.bank_size:
                    break
            self._banks[key] = out
        return self._banks[key]

    def wrong_mutants(self, key: str, text: str, language: Language, subtask: str) -> list[str]:
        """The bank's mutants, less those the judge finds right on `subtask` when the engine
        screens (so that right candidates come only from the share the setting asks for)."""
        bank = self.bank(key, text, language)
        if self.sandbox is None:
            return bank
        return [m for m in bank if self.screen(m, language).get(subtask) != "AC"]

    def screen(self, source: str, language: Language) -> dict[str, str]:
        """Subtask verdicts of one mutant by the judge, cached on disk by content."""
        digest = hashlib.sha256(f"{self.problem.id}\0{language}\0{source}".encode()).hexdigest()
        if digest not in self._screen:
            path = screen_cache() / f"{digest}.json"
            if path.is_file():
                self._screen[digest] = json.loads(path.read_text())
            else:
                from cpsolve.judge.scoring import judge_program

                assert self.sandbox is not None
                r = judge_program(self.problem, source, language, self.sandbox)
                verdicts = {x.id: str(x.verdict) for x in r.subtasks}
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(verdicts))
                self._screen[digest] = verdicts
        return self._screen[digest]


def screen_cache() -> Path:
    """Where screening verdicts are kept: `$CPSOLVE_CACHE/simulated` (default ~/.cache/cpsolve)."""
    root = os.environ.get("CPSOLVE_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "cpsolve") / "simulated"


# ---- the engine ------------------------------------------------------------------------------


class SimulatedEngine:
    """Completions made from a problem's reference programs (see the module docstring)."""

    name = "simulated"

    def __init__(
        self,
        problems: str | Path | Problem | Sequence[str | Path | Problem] = "problems",
        model: str = MODEL_NAME,
        seed: int = 0,
        chunk_size: int = 1000,
        settings: SimulatedSettings | dict | None = None,
        sandbox: Sandbox | str | None = None,
        quiet: bool = False,
        delay_s: float = 0.0,
    ) -> None:
        """`problems`: problems (or a problem set directory, or problem files) whose ids the
        requests name; a `model` that is a path to a problem or a set is added to them.
        `sandbox`: when given (an open Sandbox or a kind such as "local"), mutants are screened
        by the judge and those right on a subtask are left out of its mutant draws, so that the
        share of right candidates is the setting; without one, some mutants that happen to be
        right add to it. `delay_s`: seconds each sample takes, as a model's would (benchmarks of
        what overlaps with sampling); the samples are the same."""
        roots: list[str | Path | Problem] = (
            list(problems) if isinstance(problems, list | tuple) else [problems]  # type: ignore[list-item]
        )
        if model and model != MODEL_NAME and Path(model).exists():
            roots.append(Path(model))
            model = MODEL_NAME
        self.model = MODEL_NAME if not model or model == MODEL_NAME else f"{MODEL_NAME}:{model}"
        self.seed = seed
        self.chunk_size = chunk_size
        self.delay_s = max(0.0, float(delay_s))
        if isinstance(settings, dict):
            settings = SimulatedSettings.model_validate(settings)
        self.settings = settings or SimulatedSettings()
        self._problems: dict[str, Problem | Path] = {}
        for root in roots:
            if isinstance(root, Problem):
                self._problems[root.id] = root
                continue
            for path in find_problems(root):
                self._problems[load_problem(path, check_files=False).id] = path
        self._own_sandbox = isinstance(sandbox, str)
        if isinstance(sandbox, str):
            from cpsolve.sandbox.factory import open_sandbox

            sandbox = open_sandbox(sandbox)  # type: ignore[arg-type]
        self.sandbox: Sandbox | None = sandbox
        self._kits: dict[str, _Kit] = {}
        self._served: dict[tuple[str, str, str], int] = defaultdict(int)
        if not quiet:
            print(BANNER, file=sys.stderr)

    def kit(self, problem_id: str) -> _Kit:
        if problem_id not in self._kits:
            if problem_id not in self._problems:
                known = ", ".join(sorted(self._problems)) or "none"
                raise UserError(
                    f"the simulated engine knows no problem '{problem_id}' (known: {known}); "
                    "point it at the problem with problems=PATH (or --model PATH)"
                )
            found = self._problems[problem_id]
            problem = found if isinstance(found, Problem) else load_problem(found)
            self._kits[problem_id] = _Kit(problem, self.settings, self.seed, self.sandbox)
        return self._kits[problem_id]

    def sample(self, requests: Iterable[SampleRequest]) -> Iterator[list[Completion]]:
        return serve_by_piece(requests, self.chunk_size, self._serve)

    def _serve(self, piece: Piece) -> Iterator[Completion]:
        req = piece.request
        kit = self.kit(req.problem)
        subtask = req.subtask or kit.problem.subtasks[-1].id
        key = (req.problem, subtask, req.role)
        if req.params.seed is None and piece.start == 0:
            self._served[key] += req.n
        base = req.params.seed
        if base is None:  # continue the key's own sequence: a new request gets new samples
            base = self.seed * 1_000_003 + self._served[key] - req.n
        language = req.language or Language.CPP
        for i in range(piece.start, piece.start + piece.count):
            s = sample_seed(base, i)
            rng = random.Random(f"{self.seed}|{req.problem}|{subtask}|{req.role}|{s}")
            text, finish = make_completion(kit, req.role, subtask, language, rng, s or 0, i)
            if self.delay_s:
                time.sleep(self.delay_s)
            yield Completion(
                request_index=piece.request_index,
                sample_index=i,
                role=req.role,
                problem=req.problem,
                subtask=req.subtask,
                text=text,
                tokens=max(1, len(text) // 4),
                finish_reason=finish,
                logprob=round(-rng.uniform(0.05, 0.5) * max(1, len(text) // 4), 3),
                model=self.model,
                seed=s,
            )

    def close(self) -> None:
        self._kits.clear()
        if self._own_sandbox and self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None


def right_draw(kit: _Kit, subtask: str, index: int) -> bool:
    """Whether sample `index` of a subtask is drawn from the right programs. Stratified rather
    than independent: any run of n consecutive indices holds round(n * share) right draws, give
    or take one, so a pool's share is the setting and not a binomial draw around it."""
    share = default_share(kit.problem, subtask, kit.settings)
    phase = random.Random(f"{kit.seed}|phase|{kit.problem.id}|{subtask}").random()
    return math.floor((index + 1) * share + phase) > math.floor(index * share + phase)


def make_completion(
    kit: _Kit,
    role: Role,
    subtask: str,
    language: Language,
    rng: random.Random,
    index: int,
    position: int,
) -> tuple[str, FinishReason]:
    """One completion's text and finish reason; `index` is the sample's seed, `position` its
    place in its request."""
    st = kit.settings
    in_window = st.right_window is None or position < st.right_window
    if role == "solution" and in_window and right_draw(kit, subtask, index):
        code, lang = _right_solution(kit, subtask, language, rng)
        return _wrap(code, lang, kit, subtask, role, rng), "stop"
    u = rng.random()
    if u < st.no_code_share:
        return _reasoning_only(kit, subtask, rng)
    u -= st.no_code_share
    if role == "solution":
        code, lang = _solution_program(kit, subtask, language, rng)
    elif role == "generator":
        code, lang = _generator_program(kit, subtask, rng)
    else:
        code, lang = _validator_program(kit, subtask, rng)
    text = _wrap(code, lang, kit, subtask, role, rng)
    if u < st.truncated_share:
        cut = rng.randint(len(text) // 3, max(len(text) // 3 + 1, len(text) - 20))
        return text[:cut], "length"
    return text, "stop"


# ---- solutions -------------------------------------------------------------------------------


def _sources(kit: _Kit, language: Language) -> list[Source]:
    """The reference programs in the language asked for (any, when it has none), with the
    setter's comments taken out (they say which program is wrong; no model's answer would)."""
    same = [s for s in kit.sources if s.language == language] or kit.sources
    if not same:
        raise UserError(f"{kit.problem.id}: the simulated engine needs reference solutions")
    return [s.model_copy(update={"text": M.strip_comments(s.text, s.language)}) for s in same]


def _right_solution(
    kit: _Kit, subtask: str, language: Language, rng: random.Random
) -> tuple[str, Language]:
    """A reference program expected AC on the subtask (a brute force counts on an easy one),
    cosmetically varied; a wrong one when the problem has none."""
    same = _sources(kit, language)
    good = [s for s in same if s.expect.get(subtask) == "AC"]
    if not good:
        return _solution_program(kit, subtask, language, rng)
    narrow = kit.settings.narrow_right
    if narrow > 0 and subtask != kit.problem.subtasks[-1].id and rng.random() < narrow:
        fewest = min(_right_on(s) for s in good)
        good = [s for s in good if _right_on(s) == fewest]
    src = rng.choice(good)
    return M.cosmetic(src.text, src.language, rng), src.language


def _right_on(src: Source) -> int:
    return sum(v == "AC" for v in src.expect.values())


def _wrong_reference(kit: _Kit, bad: list[Source], rng: random.Random) -> Source:
    weights = [kit.settings.wrong_weights.get(s.path, 1.0) for s in bad]
    if not kit.settings.wrong_weights or sum(weights) <= 0:  # the draw pools were made with
        return rng.choice(bad)
    return rng.choices(bad, weights)[0]


def _solution_program(
    kit: _Kit, subtask: str, language: Language, rng: random.Random
) -> tuple[str, Language]:
    """A program that is not one of the right draws: a compile error, a wrong reference, or a
    mutant (screened to be wrong on the subtask when the engine has a sandbox)."""
    st = kit.settings
    same = _sources(kit, language)
    good = [s for s in same if s.expect.get(subtask) == "AC"]
    bad = [s for s in same if s.expect.get(subtask) != "AC"]
    u = rng.random()
    if u < st.compile_error_share:
        src = rng.choice(same)
        broken = M.break_compile(src.text, src.language, rng)
        return M.cosmetic(broken, src.language, rng), src.language
    u -= st.compile_error_share
    if bad and u < st.wrong_reference_share:
        src = _wrong_reference(kit, bad, rng)
        return M.cosmetic(src.text, src.language, rng), src.language
    for pool in (good, bad):
        if not pool:
            continue
        src = rng.choice(pool)
        bank = kit.wrong_mutants(src.path, src.text, src.language, subtask)
        if bank:
            return M.cosmetic(rng.choice(bank), src.language, rng), src.language
    if bad:
        src = rng.choice(bad)
        return M.cosmetic(src.text, src.language, rng), src.language
    src = rng.choice(same)  # every mutant is right: a program that does not compile instead
    return M.break_compile(src.text, src.language, rng), src.language


# ---- generators ------------------------------------------------------------------------------

_FLAW_DRAWS = ("none",) * 5 + ("args", "crash", "loop", "flood", "silent")
# What a broken generator does first in its `main`, for some seeds ("args": arguments past the
# constraints, made by `_stretch`).
_FLAW_CODE = {
    "none": "",
    "args": "",
    "crash": "if (seed % 4 == 1) { std::abort(); }",
    "loop": "if (seed % 5 == 2) { volatile unsigned long long spin = 0; for (;;) spin++; }",
    "flood": "if (seed % 6 == 3) { for (long long k = 0; k < (1LL << 33); k++) putchar('9'); }",
    "silent": "if (seed % 3 == 0) return 0;",
}
_ARGS_LINE = "    std::vector<std::string> args = TABLE[seed % TABLE.size()];\n"


def _generator_program(kit: _Kit, subtask: str, rng: random.Random) -> tuple[str, Language]:
    gen = kit.support("generator")
    templates = arg_templates(kit.problem, subtask)
    if gen is None or not templates or rng.random() < 0.12:
        return _perturbing_generator(kit, subtask, rng), Language.PYTHON
    flaw = rng.choice(_FLAW_DRAWS)
    if flaw == "args":
        templates = [_stretch(t, rng) for t in templates]
    if rng.random() < 0.15:
        gen = (M.mutate(gen, Language.CPP, rng) or M.Mutant(gen, "", "")).source
    if rng.random() < 0.05:
        gen = M.break_compile(gen, Language.CPP, rng)
    code = flawed_generator(gen, templates, seed_slot(gen), flaw, rng.randint(1, 10**6))
    return M.cosmetic(code, Language.CPP, rng), Language.CPP


def flawed_generator(
    gen: str, templates: list[list[str]], slot: int | None, flaw: str, salt: int
) -> str:
    """testgen's seed wrapper of `gen` with the flaw's code run first in its `main`, where the
    wrapper's `seed` is known (a line of its own, empty when the flaw has no code)."""
    code = wrap_generator(gen, templates, slot, salt)
    head, found, tail = code.rpartition(_ARGS_LINE)
    if not found:
        raise AssertionError("testgen's generator wrapper no longer picks `args` from TABLE")
    return f"{head}    {_FLAW_CODE[flaw]}\n{found}{tail}"


def _stretch(args: list[str], rng: random.Random) -> list[str]:
    """Arguments pushed past the constraints: one numeric argument made several times larger."""
    nums = [k for k, a in enumerate(args) if re.fullmatch(r"\d+", a) and int(a) > 1]
    out = list(args)
    if nums:
        k = rng.choice(nums)
        out[k] = str(int(out[k]) * rng.choice([2, 5, 10]) + 1)
    return out


def _perturbing_generator(kit: _Kit, subtask: str, rng: random.Random) -> str:
    """A Python generator that prints a public example with some numbers nudged (it often
    breaks the input's structure: validators are there to catch that)."""
    examples = [
        kit.problem.read_input(t).decode("utf-8", "replace")
        for t in kit.problem.public_tests_for(subtask)
        if t.input is not None or t.input_file is not None
    ] or ["1\n"]
    spread = rng.choice([1, 2, 5, 100])
    keep = rng.choice([0.5, 0.7, 0.9])
    return f"""import hashlib
import json
import math
import os
import random
import re
import sys
import time

EXAMPLES = {examples!r}


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    rng = random.Random(seed)
    text = rng.choice(EXAMPLES)
    out = []
    for tok in re.split(r"(\\s+)", text):
        if re.fullmatch(r"-?\\d+", tok) and rng.random() > {keep}:
            tok = str(max(0, int(tok) + rng.randint(-{spread}, {spread})))
        out.append(tok)
    sys.stdout.write("".join(out))


main()
"""


# ---- validators ------------------------------------------------------------------------------

_VALIDATOR_KINDS = ("faithful",) * 6 + ("mutated",) * 2 + ("strict", "loose", "reject")


def _validator_program(kit: _Kit, subtask: str, rng: random.Random) -> tuple[str, Language]:
    val = kit.support("validator")
    if val is None:
        return _accept_all(rng), Language.PYTHON
    kind = rng.choice(_VALIDATOR_KINDS)
    if kind != "loose" and rng.random() < 0.75:  # most check the subtask's own bounds
        val = wrap_validator(val, validator_args(kit.problem, subtask, val))
    if kind == "mutated":
        kinds = ("relational", "constant", "drop_branch", "logical")
        val = (M.mutate(val, Language.CPP, rng, kinds=kinds) or M.Mutant(val, "", "")).source
    elif kind == "strict":
        val = _tighten(val, rng)
    elif kind == "loose":
        val = _loosen(val)
    elif kind == "reject":
        val = re.sub(r"return\s+0\s*;(?![\s\S]*return\s+0\s*;)", "return 1;", val)
    if rng.random() < 0.05:
        val = M.break_compile(val, Language.CPP, rng)
    return M.cosmetic(val, Language.CPP, rng), Language.CPP


def _loosen(source: str) -> str:
    """An over-permissive validator: it runs the checks but exits 0 whatever they found."""
    call = (
        "validator_main(argc, argv)"
        if re.search(r"int\s+main\s*\(\s*int", source)
        else ("validator_main()")
    )
    source = re.sub(r"\bexit\s*\(\s*1\s*\)", "exit(0)", source)
    source = rename_main(source, "validator_main")
    return source + f"\nint main(int argc, char** argv) {{ {call}; return 0; }}\n"


def _tighten(source: str, rng: random.Random) -> str:
    """A stricter validator: every large bound divided by 10 to 1000."""
    factor = rng.choice([10, 100, 1000])
    tokens = tokenize(source, "cpp")
    for t in tokens:
        if t.kind == "number" and re.fullmatch(r"\d{4,}", t.text):
            t.text = str(max(1, int(t.text) // factor))
    return join(tokens)


def _accept_all(rng: random.Random) -> str:
    return "import sys\n\nsys.stdin.read()\nsys.exit(0)\n"


# ---- the completion's text -------------------------------------------------------------------

_OPENERS = [
    "Let me think about this problem.",
    "We need to find an efficient approach.",
    "First, restate the task in my own words.",
    "Okay, let's look at the constraints carefully.",
    "This looks like a classic problem.",
]
_MIDDLES = [
    "The constraints are: {constraints}. So the complexity must fit within the limits.",
    "With {constraints}, a direct simulation might be too slow, so let's be careful.",
    "Edge cases: the smallest inputs, equal values, and the largest values ({constraints}).",
    "I'll read the input, process it in one pass, and print the answer.",
]
_CLOSERS = [
    "",
    "This should handle all the cases.",
    "The complexity is fine for the given limits.",
    "Let me double check the sample... it matches.",
]
_FENCE_TAG = {
    Language.CPP: ("cpp", "cpp", "c++", "C++"),
    Language.C: ("c",),
    Language.PYTHON: ("python", "python", "py", "python3"),
}


def _wrap(
    code: str, lang: Language, kit: _Kit, subtask: str, role: Role, rng: random.Random
) -> str:
    constraints = _constraints(kit, subtask)
    parts = []
    reasoning = [rng.choice(_OPENERS), rng.choice(_MIDDLES).format(constraints=constraints)]
    if role != "solution":
        reasoning.append(f"Now the {role} program.")
    if rng.random() < 0.3:
        parts.append("<think>\n" + "\n\n".join(reasoning) + "\n</think>\n")
    else:
        parts.append("\n\n".join(reasoning) + "\n")
    if rng.random() < 0.15 and kit.problem.public_tests:
        sample = kit.problem.public_tests[0].input or ""
        parts.append(f"For the first example:\n```text\n{sample.strip()[:200]}\n```\n")
    parts.append(f"```{rng.choice(_FENCE_TAG[lang])}\n{code.rstrip()}\n```\n")
    closer = rng.choice(_CLOSERS)
    if closer:
        parts.append(closer + "\n")
    return "\n".join(parts)


def _constraints(kit: _Kit, subtask: str) -> str:
    try:
        text = kit.problem.subtask(subtask).constraints.strip()
    except KeyError:
        text = ""
    return text or "the limits in the statement"


def _reasoning_only(kit: _Kit, subtask: str, rng: random.Random) -> tuple[str, FinishReason]:
    text = "\n\n".join(
        [rng.choice(_OPENERS), rng.choice(_MIDDLES).format(constraints=_constraints(kit, subtask))]
    )
    if rng.random() < 0.5:
        return "<think>\n" + text + "\nHmm, maybe a different idea works better. Let", "length"
    return text + "\nI am not sure this approach is right; let me reconsider.\n", "stop"

"""The execution matrix of one problem: what every candidate did on every test, as arrays.

The pipeline fills one `ExecutionMatrix` per problem and saves it as `RUN_DIR/matrix.npz`;
clustering, reranking, planning, baselines and tuning read nothing else. Rows are candidates
(programs sampled for one subtask each); columns are public tests, generated inputs, and (only
when a judge knew them) the points a candidate earned on each subtask with the hidden tests.

Verdicts are stored as small integer codes (`VERDICTS`); `NOT_RUN` marks a pair never executed.
Outputs on generated inputs are stored as class ids per input column: two candidates with the
same id on an input gave outputs the problem's checker calls equal (see `output_classes`).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from cpsolve.errors import UserError
from cpsolve.problem import CheckerSpec, Problem, Scoring

FORMAT_VERSION = 1

# Same spelling as cpsolve.sandbox.base.Verdict; the index is the stored code.
VERDICTS: tuple[str, ...] = ("AC", "PA", "WA", "PE", "TLE", "MLE", "RE", "OLE", "PV", "CE", "SE")
OK = 0  # AC: on a generated input (no answer known) it means "ran and exited 0 within limits"
NOT_RUN = -1
NO_OUTPUT = -1  # output class of a run that produced no usable output
_INT = re.compile(rb"[+-]?[0-9]+")


def verdict_code(verdict: str) -> int:
    """The stored code of a verdict name ("AC", "TLE", ...)."""
    try:
        return VERDICTS.index(str(verdict))
    except ValueError:
        raise ValueError(f"unknown verdict {verdict!r}; expected one of {VERDICTS}") from None


class MatrixMeta(BaseModel):
    """The names and scalars of a matrix: everything that is not an array."""

    model_config = ConfigDict(extra="forbid")

    format_version: int = FORMAT_VERSION
    problem_id: str
    scoring: Scoring = Scoring.SUBTASKS
    time_limit_s: float
    subtask_ids: list[str]
    subtask_points: list[float]
    candidate_ids: list[str]
    public_test_names: list[str]
    input_names: list[str]


_ARRAYS: dict[str, np.dtype] = {
    "cand_subtask": np.dtype(np.int32),  # (C,) index into subtask_ids
    "code_len": np.dtype(np.int32),  # (C,)
    "logprob": np.dtype(np.float32),  # (C,) mean token logprob, NaN when unknown
    "compile_ok": np.dtype(bool),  # (C,)
    "includes": np.dtype(bool),  # (S, S) includes[o, i]: subtask o strictly includes i
    "public_required": np.dtype(bool),  # (S, P) public test p binds candidates of subtask s
    "public_passed": np.dtype(bool),  # (C, P)
    "public_verdict": np.dtype(np.int8),  # (C, P)
    "input_subtask": np.dtype(np.int32),  # (I,) the subtask an input was generated for
    "gen_verdict": np.dtype(np.int8),  # (C, I)
    "gen_class": np.dtype(np.int32),  # (C, I) output class id per column, NO_OUTPUT if none
    "gen_time": np.dtype(np.float32),  # (C, I) CPU seconds
}


@dataclass
class ExecutionMatrix:
    """Arrays of one problem's executions; see `_ARRAYS` for each one's shape and meaning.

    `hidden_points` (C, S), when present, holds the points candidate c earned on subtask s when
    judged with the hidden tests (NaN: not judged). Only oracles, training, tuning and offline
    replay of the submission process read it; selection itself never does. `input_size` (I,),
    when present, is each generated input's length in bytes (matrices from before it existed
    have none: every input then counts as largest).
    """

    meta: MatrixMeta
    cand_subtask: np.ndarray
    code_len: np.ndarray
    logprob: np.ndarray
    compile_ok: np.ndarray
    includes: np.ndarray
    public_required: np.ndarray
    public_passed: np.ndarray
    public_verdict: np.ndarray
    input_subtask: np.ndarray
    gen_verdict: np.ndarray
    gen_class: np.ndarray
    gen_time: np.ndarray
    hidden_points: np.ndarray | None = None
    input_size: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name, dtype in _ARRAYS.items():
            setattr(self, name, np.asarray(getattr(self, name), dtype=dtype))
        if self.hidden_points is not None:
            self.hidden_points = np.asarray(self.hidden_points, dtype=np.float32)
        if self.input_size is not None:
            self.input_size = np.asarray(self.input_size, dtype=np.int64)
        self._check_shapes()

    # ---- shape ---------------------------------------------------------------------------

    @property
    def n_candidates(self) -> int:
        return len(self.meta.candidate_ids)

    @property
    def n_subtasks(self) -> int:
        return len(self.meta.subtask_ids)

    @property
    def n_public(self) -> int:
        return len(self.meta.public_test_names)

    @property
    def n_inputs(self) -> int:
        return len(self.meta.input_names)

    def _check_shapes(self) -> None:
        c, s, p, i = self.n_candidates, self.n_subtasks, self.n_public, self.n_inputs
        want = {
            "cand_subtask": (c,),
            "code_len": (c,),
            "logprob": (c,),
            "compile_ok": (c,),
            "includes": (s, s),
            "public_required": (s, p),
            "public_passed": (c, p),
            "public_verdict": (c, p),
            "input_subtask": (i,),
            "gen_verdict": (c, i),
            "gen_class": (c, i),
            "gen_time": (c, i),
        }
        if self.hidden_points is not None:
            want["hidden_points"] = (c, s)
        if self.input_size is not None:
            want["input_size"] = (i,)
        for name, shape in want.items():
            got = getattr(self, name).shape
            if got != shape:
                raise ValueError(f"matrix array {name} has shape {got}, expected {shape}")
        if len(self.meta.subtask_points) != s:
            raise ValueError("subtask_points must have one entry per subtask")
        for name in ("cand_subtask", "input_subtask"):
            a = getattr(self, name)
            if a.size and (a.min() < 0 or a.max() >= s):
                raise ValueError(f"{name} holds a subtask index outside 0..{s - 1}")

    # ---- subtasks ------------------------------------------------------------------------

    @property
    def subtask_ids(self) -> list[str]:
        return self.meta.subtask_ids

    @property
    def points(self) -> np.ndarray:
        return np.asarray(self.meta.subtask_points, dtype=np.float64)

    def subtask_index(self, subtask_id: str) -> int:
        try:
            return self.meta.subtask_ids.index(subtask_id)
        except ValueError:
            raise KeyError(subtask_id) from None

    def hardest_first(self) -> list[int]:
        """Indices of the subtasks worth points, from the hardest (listed last) to the easiest."""
        return [s for s in reversed(range(self.n_subtasks)) if self.points[s] > 0]

    def candidates_of(self, s: int) -> np.ndarray:
        """Indices of the candidates sampled for subtask index `s`, in stored order."""
        return np.flatnonzero(self.cand_subtask == s)

    def relevant_inputs(self, s: int) -> np.ndarray:
        """Generated inputs valid for subtask `s`: its own and those of subtasks it includes."""
        owners = [*np.flatnonzero(self.includes[s]).tolist(), s]
        return np.flatnonzero(np.isin(self.input_subtask, owners))

    def largest_inputs(self, s: int, share: float = 0.1) -> np.ndarray:
        """The largest generated inputs valid for subtask `s`: every input at least as long as
        the one at the top `share` by length (at least one); all of them without sizes."""
        cols = self.relevant_inputs(s)
        if self.input_size is None or cols.size == 0:
            return cols
        sizes = self.input_size[cols]
        top = max(1, int(np.ceil(share * cols.size)))
        return cols[sizes >= np.sort(sizes)[-top]]

    def inputs_of(self, s: int) -> np.ndarray:
        """Generated inputs made for subtask `s` itself."""
        return np.flatnonzero(self.input_subtask == s)

    @property
    def has_hidden(self) -> bool:
        return self.hidden_points is not None

    def default_limit(self) -> int:
        """The submission limit a contest of this scoring gives: 10 (10@k) or 50 (IOI)."""
        return 10 if self.meta.scoring == Scoring.ALL_OR_NOTHING else 50

    def take(self, rows: np.ndarray | Sequence[int]) -> ExecutionMatrix:
        """The same problem with only the candidates `rows` (in that order): for curves of
        points against the number of samples."""
        idx = np.asarray(rows, dtype=np.int64)
        ids = [self.meta.candidate_ids[k] for k in idx.tolist()]
        per_row = (
            *("cand_subtask", "code_len", "logprob", "compile_ok", "public_passed"),
            *("public_verdict", "gen_verdict", "gen_class", "gen_time"),
        )
        arrays = {name: getattr(self, name) for name in _ARRAYS}
        arrays.update({name: getattr(self, name)[idx] for name in per_row})
        hidden = None if self.hidden_points is None else self.hidden_points[idx]
        meta = self.meta.model_copy(update={"candidate_ids": ids})
        return ExecutionMatrix(
            meta=meta, hidden_points=hidden, input_size=self.input_size, **arrays
        )

    # ---- disk ----------------------------------------------------------------------------

    def save(self, path: str | Path) -> Path:
        """Write one compressed .npz holding every array and the metadata as JSON."""
        p = Path(path)
        arrays = {name: getattr(self, name) for name in _ARRAYS}
        if self.hidden_points is not None:
            arrays["hidden_points"] = self.hidden_points
        if self.input_size is not None:
            arrays["input_size"] = self.input_size
        arrays["meta_json"] = np.array(self.meta.model_dump_json())
        p.parent.mkdir(parents=True, exist_ok=True)
        with p.open("wb") as f:
            np.savez_compressed(f, **arrays)
        return p

    @classmethod
    def load(cls, path: str | Path) -> ExecutionMatrix:
        """Read a matrix written by `save`; a missing or foreign file is a UserError."""
        p = Path(path)
        if p.is_dir():
            p = p / "matrix.npz"
        if not p.is_file():
            raise UserError(f"{p}: no execution matrix there; point at a run directory of cpsolve")
        try:
            with np.load(p, allow_pickle=False) as z:
                meta = MatrixMeta.model_validate(json.loads(str(z["meta_json"])))
                if meta.format_version != FORMAT_VERSION:
                    raise UserError(
                        f"{p}: matrix format {meta.format_version}, this cpsolve reads "
                        f"{FORMAT_VERSION}; re-run the pipeline to rewrite it"
                    )
                arrays = {name: z[name] for name in _ARRAYS}
                hidden = z["hidden_points"] if "hidden_points" in z.files else None
                size = z["input_size"] if "input_size" in z.files else None
            return cls(meta=meta, hidden_points=hidden, input_size=size, **arrays)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as e:
            reason = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise UserError(f"{p}: not an execution matrix of cpsolve ({reason})") from None

    # ---- building ------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        problem: Problem,
        *,
        candidate_ids: Sequence[str],
        candidate_subtasks: Sequence[str],
        code_len: Sequence[int],
        compile_ok: Sequence[bool],
        public_passed: np.ndarray,
        public_verdict: np.ndarray,
        input_subtasks: Sequence[str],
        gen_verdict: np.ndarray,
        gen_class: np.ndarray,
        gen_time: np.ndarray,
        logprob: Sequence[float] | None = None,
        input_names: Sequence[str] | None = None,
        hidden_points: np.ndarray | None = None,
        input_sizes: Sequence[int] | None = None,
    ) -> ExecutionMatrix:
        """A matrix laid out by `problem`: subtask order, points, inclusion, and which public
        tests bind which subtask come from it; public test columns follow problem.public_tests.
        Subtasks are named by id (strings); every array is indexed as documented in `_ARRAYS`.
        """
        ids = [s.id for s in problem.subtasks]
        index = {sid: k for k, sid in enumerate(ids)}
        names = [t.name for t in problem.public_tests]
        required = np.zeros((len(ids), len(names)), dtype=bool)
        for k, sid in enumerate(ids):
            bound = {t.name for t in problem.public_tests_for(sid)}
            required[k] = [n in bound for n in names]
        includes = np.array([[problem.includes(o, i) for i in ids] for o in ids], dtype=bool)
        n = len(candidate_ids)
        meta = MatrixMeta(
            problem_id=problem.id,
            scoring=problem.scoring,
            time_limit_s=problem.time_limit_s,
            subtask_ids=ids,
            subtask_points=[s.points for s in problem.subtasks],
            candidate_ids=list(candidate_ids),
            public_test_names=names,
            input_names=list(input_names or [f"gen-{k}" for k in range(len(input_subtasks))]),
        )
        return cls(
            meta=meta,
            cand_subtask=np.array([index[s] for s in candidate_subtasks], dtype=np.int32),
            code_len=np.asarray(code_len),
            logprob=np.full(n, np.nan) if logprob is None else np.asarray(logprob, dtype=float),
            compile_ok=np.asarray(compile_ok),
            includes=includes,
            public_required=required,
            public_passed=np.asarray(public_passed).reshape(n, len(names)),
            public_verdict=np.asarray(public_verdict).reshape(n, len(names)),
            input_subtask=np.array([index[s] for s in input_subtasks], dtype=np.int32),
            gen_verdict=np.asarray(gen_verdict).reshape(n, len(input_subtasks)),
            gen_class=np.asarray(gen_class).reshape(n, len(input_subtasks)),
            gen_time=np.asarray(gen_time).reshape(n, len(input_subtasks)),
            hidden_points=hidden_points,
            input_size=None if input_sizes is None else np.asarray(input_sizes, dtype=np.int64),
        )


# ---- output classes ----------------------------------------------------------------------


def _normalise(out: bytes, kind: str) -> bytes | tuple[bytes, ...]:
    if kind == "exact":
        return out
    if kind == "lines":
        lines = [ln.rstrip() for ln in out.split(b"\n")]
        while lines and not lines[-1]:
            lines.pop()
        return tuple(lines)
    return tuple(out.split())  # tokens, float, and program checkers (best effort: tokens)


@dataclass(frozen=True)
class _Numbers:
    """One output under the float checker: its non-numeric tokens (the exact part), and per
    token its value (NaN if not a number) and, for integers, the integer itself."""

    words: tuple[bytes, ...]
    values: np.ndarray  # float64
    ints: np.ndarray  # object: int for integer tokens, None otherwise
    is_int: np.ndarray  # bool


def _numbers(tokens: tuple[bytes, ...]) -> _Numbers:
    words: list[bytes] = []
    values: list[float] = []
    ints: list[int | None] = []
    for t in tokens:
        v, i = np.nan, None
        if _INT.fullmatch(t):
            i = int(t)
            v = float(i)
        else:
            try:
                v = float(t)
            except ValueError:
                v = np.nan
        finite = bool(np.isfinite(v))
        words.append(b"" if finite else t)  # non-numbers and nan/inf compare as strings
        values.append(v if finite else np.nan)
        ints.append(i if finite else None)
    int_arr = np.empty(len(ints), dtype=object)
    int_arr[:] = ints
    is_int = np.array([i is not None for i in ints], dtype=bool)
    return _Numbers(tuple(words), np.asarray(values, dtype=np.float64), int_arr, is_int)


def _close(a: _Numbers, rep: _Numbers, abs_tol: float, rel_tol: float) -> bool:
    """The judge's float rule, against the class founder `rep` as the answer: two integers
    exactly (big integers), other numbers within abs_tol or rel_tol of the answer."""
    diff = np.abs(a.values - rep.values)
    near = (diff <= abs_tol) | (diff <= rel_tol * np.abs(rep.values)) | np.isnan(rep.values)
    both = a.is_int & rep.is_int
    if both.any() and not bool(np.all(a.ints[both] == rep.ints[both])):
        return False
    return bool(np.all(near | both))


def _float_classes(keys: list[tuple[bytes, ...]], abs_tol: float, rel_tol: float) -> list[int]:
    """Greedy grouping: each distinct output joins the first earlier class whose founder (its
    first member) it equals within tolerance, else founds a new class. Deterministic in the
    order given; tolerance is not transitive, so members are compared with the founder only."""
    reps: dict[tuple, list[tuple[int, _Numbers]]] = {}
    out: list[int] = []
    for key in keys:
        nums = _numbers(key)
        group = reps.setdefault(nums.words, [])
        found = next((c for c, rep in group if _close(nums, rep, abs_tol, rel_tol)), -1)
        if found < 0:
            found = sum(len(g) for g in reps.values())
            group.append((found, nums))
        out.append(found)
    return out


def output_classes(outputs: Sequence[bytes | None], checker: CheckerSpec) -> np.ndarray:
    """Class ids (int32, from 0 in order of first appearance) of the outputs of many candidates
    on one input: equal under the checker -> same id; None (no output) -> NO_OUTPUT.

    exact: equal bytes; lines: equal lines ignoring trailing blanks; tokens (and program
    checkers, which cannot be run here): equal whitespace-separated tokens; float: same tokens
    where not numeric and numbers within abs_tol or rel_tol of the class's first member.
    """
    ids = np.full(len(outputs), NO_OUTPUT, dtype=np.int32)
    distinct: dict[bytes | tuple[bytes, ...], int] = {}
    for k, out in enumerate(outputs):
        if out is not None:
            ids[k] = distinct.setdefault(_normalise(out, checker.type), len(distinct))
    if checker.type != "float" or not distinct:
        return ids
    keys = [k if isinstance(k, tuple) else (k,) for k in distinct]  # in order of appearance
    merged = np.asarray(_float_classes(keys, checker.abs_tol, checker.rel_tol), dtype=np.int32)
    mask = ids >= 0
    ids[mask] = merged[ids[mask]]
    return ids


def output_class_matrix(
    outputs: Sequence[Sequence[bytes | None]], checker: CheckerSpec
) -> np.ndarray:
    """`gen_class` for a whole (candidates x inputs) table of raw outputs, column by column."""
    n = len(outputs)
    m = len(outputs[0]) if n else 0
    out = np.full((n, m), NO_OUTPUT, dtype=np.int32)
    for j in range(m):
        out[:, j] = output_classes([row[j] for row in outputs], checker)
    return out

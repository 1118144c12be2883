"""The online submission plan, as o1-ioi describes it.

`next()` gives the next (subtask id, candidate id) to submit, or None when done; `feedback()`
takes the judge's points per subtask id for that submission. Round-robin over the unsolved
subtasks from the hardest; for each, the best candidate of the best cluster, where a cluster's
score is the mean of its members' scores minus `penalty` for every submission already made
from it, and candidates that fail a public test they must pass only come after every candidate
that passes them. A subtask is solved once a submission earns its full points (directly, or
through a harder subtask that includes it) and gets no more submissions; then, for every
subtask strictly containing it, candidates that agree with the solving submission on its
generated inputs come first and the others move behind them (a filter orders, it never drops:
agreement is output-class equality, i.e. what the problem's checker calls equal, and it can be
wrong, e.g. when correct programs of a communication task say different things). A submission
that falls short of a subtask's points counts against every cluster, in that subtask and the
unsolved ones including it, that gives its outputs on that subtask's generated inputs (`_refute`:
the judge called those outputs wrong somewhere). A subtask whose
own candidates run out is served by the remaining candidates of the other subtasks, harder first,
so a plan ends only when the budget is spent, every subtask is solved, or every compiled
candidate was submitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cpsolve.errors import UserError
from cpsolve.select.cluster import NOT_RUN_SIG, Clustering, ClusterMode, cluster_all, signatures
from cpsolve.select.matrix import ExecutionMatrix
from cpsolve.select.rerank import (
    LearnedRanker,
    ScoreWeights,
    features,
    heuristic_scores,
    passes_public,
)

FULL_EPS = 1e-9


class PlannerSettings(BaseModel):
    """Settings of the submission plan; `cpsolve tune-selection` chooses weights and penalty."""

    model_config = ConfigDict(extra="forbid")

    weights: ScoreWeights = Field(default_factory=ScoreWeights)
    penalty: float = Field(
        default=4.0,
        ge=0,
        description="per submission made from a cluster: on the scorer's scale (features "
        "weighted to a spread of a few points), one refuted submission moves its cluster "
        "below the others, since its members gave the same outputs on every generated input",
    )
    limit: int | None = Field(default=None, ge=1, description="None: 50 (IOI) or 10 (10@k)")
    cluster_mode: ClusterMode = "auto"
    fuzzy_threshold: float = Field(default=0.1, gt=0, le=1)


def load_settings(path: str | Path) -> PlannerSettings:
    """Settings written by `cpsolve tune-selection`; a bad file is a UserError."""
    p = Path(path)
    if not p.is_file():
        raise UserError(f"{p}: no such selection settings file; write one with tune-selection")
    try:
        return PlannerSettings.model_validate_json(p.read_text())
    except ValidationError as e:
        raise UserError(f"{p}: not selection settings ({e.errors()[0]['msg']})") from None


class SubmissionFeedback(BaseModel):
    """What the judge says about one submission: points earned per subtask id."""

    points: dict[str, float]


@dataclass(frozen=True)
class Submission:
    subtask: str
    candidate: str
    candidate_index: int
    cluster: int
    score: float


@dataclass
class Prepared:
    """The weight-independent part of selection: clusters, features and the public filter."""

    clusterings: dict[int, Clustering]
    x: np.ndarray
    passes: np.ndarray


def prepare(matrix: ExecutionMatrix, settings: PlannerSettings | None = None) -> Prepared:
    settings = settings or PlannerSettings()
    cl = cluster_all(matrix, settings.cluster_mode, threshold=settings.fuzzy_threshold)
    return Prepared(cl, features(matrix, cl), passes_public(matrix))


def _points_of(result: object) -> Mapping[str, float]:
    if isinstance(result, SubmissionFeedback):
        return result.points
    if isinstance(result, Mapping):
        return result
    subtasks = getattr(result, "subtasks", None)
    if subtasks is None:
        raise TypeError(f"feedback() takes points per subtask id, not {type(result).__name__}")
    return {str(s.id): float(s.earned) for s in subtasks}


class Planner:
    def __init__(
        self,
        matrix: ExecutionMatrix,
        settings: PlannerSettings | None = None,
        *,
        ranker: LearnedRanker | None = None,
        prepared: Prepared | None = None,
        scores: np.ndarray | None = None,
    ) -> None:
        self.matrix = matrix
        self.settings = settings or PlannerSettings()
        self.prep = prepared or prepare(matrix, self.settings)
        if scores is None:
            x = self.prep.x
            scores = ranker.scores(x) if ranker else heuristic_scores(x, self.settings.weights)
        self.scores = np.asarray(scores, dtype=np.float64)
        self.limit = self.settings.limit or matrix.default_limit()
        self.order = matrix.hardest_first()
        self.cursor = 0
        self.solved: set[int] = set()
        self.exhausted: set[int] = set()
        self.best_points = np.zeros(matrix.n_subtasks)
        self.submissions: list[Submission] = []
        self._pending: Submission | None = None
        self._eligible = {
            s: np.ones(c.members.size, bool) for s, c in self.prep.clusterings.items()
        }
        # candidates that disagree with a solved included subtask's solver: tried last
        self._behind = {s: np.zeros(c.members.size, bool) for s, c in self.prep.clusterings.items()}
        self._submitted = np.zeros(matrix.n_candidates, bool)
        self._subs = {s: np.zeros(c.n_clusters, np.int64) for s, c in self.prep.clusterings.items()}

    # ---- choosing ------------------------------------------------------------------------

    def next(self) -> tuple[str, str] | None:
        """The next (subtask id, candidate id) to submit, or None when the plan is over."""
        if len(self.submissions) >= self.limit:
            return None
        n = len(self.order)
        for step in range(n):
            pos = (self.cursor + step) % n
            s = self.order[pos]
            if s in self.solved or s in self.exhausted:
                continue
            pick = self._pick(s)
            if pick is None:
                self.exhausted.add(s)
                continue
            self.cursor = (pos + 1) % n
            self._take(s, s, pick)
            return self._pending.subtask, self._pending.candidate  # type: ignore[union-attr]
        return self._borrow()

    def _borrow(self) -> tuple[str, str] | None:
        """Every unsolved subtask is out of its own candidates: submit, for the hardest unsolved
        one, the best remaining candidate of another subtask (harder subtasks first)."""
        unsolved = [s for s in self.order if s not in self.solved]
        if not unsolved:
            return None
        for t in self.order:
            if t not in self.prep.clusterings:
                continue
            pick = self._pick(t)
            if pick is not None:
                self._take(unsolved[0], t, pick)
                return self._pending.subtask, self._pending.candidate  # type: ignore[union-attr]
        return None

    def _pick(self, s: int) -> int | None:
        """Position (within the subtask's clustering) of the best eligible candidate: first
        those that pass the public tests they must and agree with every solved included
        subtask, then those that pass, then those that agree, then the rest."""
        cl = self.prep.clusterings.get(s)
        if cl is None:
            return None
        avail = self._eligible[s] & ~self._submitted[cl.members]
        passes, ahead = self.prep.passes[cl.members], ~self._behind[s]
        for tier in (avail & passes & ahead, avail & passes, avail & ahead, avail):
            if tier.any():
                return self._best_in(s, np.flatnonzero(tier))
        return None

    def _best_in(self, s: int, use: np.ndarray) -> int:
        cl = self.prep.clusterings[s]
        labels, sc = cl.labels[use], self.scores[cl.members[use]]
        k = cl.n_clusters
        count = np.bincount(labels, minlength=k)
        mean = np.bincount(labels, weights=sc, minlength=k) / np.maximum(count, 1)
        value = np.where(count > 0, mean - self.settings.penalty * self._subs[s], -np.inf)
        # best value; ties: more eligible members, then the cluster seen first
        best = np.lexsort((np.arange(k), -count, -value))[0]
        inside = use[labels == best]
        return int(inside[np.lexsort((inside, -self.scores[cl.members[inside]]))[0]])

    def _take(self, target: int, s: int, pos: int) -> None:
        """Submit position `pos` of subtask `s`'s clustering, aimed at subtask `target`."""
        cl = self.prep.clusterings[s]
        cand = int(cl.members[pos])
        self._eligible[s][pos] = False
        self._submitted[cand] = True
        self._subs[s][cl.labels[pos]] += 1
        self._pending = Submission(
            subtask=self.matrix.subtask_ids[target],
            candidate=self.matrix.meta.candidate_ids[cand],
            candidate_index=cand,
            cluster=int(cl.labels[pos]),
            score=float(self.scores[cand]),
        )
        self.submissions.append(self._pending)

    # ---- learning from the judge ---------------------------------------------------------

    def feedback(self, result: Mapping[str, float] | SubmissionFeedback | object) -> None:
        """The judge's points per subtask id for the submission `next()` last gave: a mapping,
        a SubmissionFeedback, or a judge result with `subtasks` (each with `id` and `earned`)."""
        if self._pending is None:
            raise ValueError("feedback() needs a submission from next() first")
        points = _points_of(result)
        full = self.matrix.points
        by_index = {self.matrix.subtask_index(str(sid)): got for sid, got in points.items()}
        newly: list[int] = []
        for s, got in by_index.items():
            self.best_points[s] = max(self.best_points[s], float(got))
            if full[s] > 0 and float(got) >= full[s] - FULL_EPS:
                newly += [s, *np.flatnonzero(self.matrix.includes[s]).tolist()]
        solver = self._pending.candidate_index
        self._pending = None
        for s, got in by_index.items():
            if full[s] > 0 and float(got) < full[s] - FULL_EPS:
                self._refute(s, solver)
        for s in dict.fromkeys(newly):
            if s not in self.solved and full[s] > 0:  # a 0-point subtask tells nothing
                self.solved.add(s)
                self.best_points[s] = full[s]
                self._filter_containing(s, solver)

    def _agreement(
        self, s: int, cand: int, subtasks: list[int]
    ) -> list[tuple[int, Clustering, np.ndarray, np.ndarray]]:
        """For each unsolved, clustered subtask of `subtasks`: its clustering, which members
        give `cand`'s outputs on the generated inputs of `s` wherever both ran, and which ran
        on at least one of them where `cand` did too."""
        cols = self.matrix.inputs_of(s)
        if cols.size == 0:
            return []
        ref = signatures(self.matrix, np.array([cand]), cols)[0]
        out = []
        for t in subtasks:
            if t in self.solved or t not in self.prep.clusterings:
                continue
            cl = self.prep.clusterings[t]
            sig = signatures(self.matrix, cl.members, cols)
            known = (sig != NOT_RUN_SIG) & (ref != NOT_RUN_SIG)[None, :]
            out.append((t, cl, ((sig == ref[None, :]) | ~known).all(axis=1), known.any(axis=1)))
        return out

    def _containing(self, s: int) -> list[int]:
        """The subtasks strictly containing `s`."""
        return [int(x) for x in np.flatnonzero(self.matrix.includes[:, s])]

    def _refute(self, s: int, cand: int) -> None:
        """`cand` fell short of subtask `s`'s full points: in `s` and every unsolved subtask
        that includes it, each cluster with a member that gives cand's outputs on the
        generated inputs of `s` (where both ran) counts one more submission, as cand's own
        cluster does: the judge said those outputs are wrong somewhere in `s`. So a popular
        wrong algorithm refuted once, on the hardest subtask, loses its clusters of the
        easier subtasks too instead of costing a submission on each."""
        own = int(self.matrix.cand_subtask[cand])
        for t, cl, agree, ran in self._agreement(s, cand, [s, *self._containing(s)]):
            agree &= ran
            if t == own:  # its own cluster already counted this submission
                agree &= cl.labels != cl.labels[np.flatnonzero(cl.members == cand)[0]]
            for label in np.unique(cl.labels[agree]):
                self._subs[t][label] += 1

    def _filter_containing(self, s: int, solver: int) -> None:
        """Move behind, for each subtask strictly containing `s`, the candidates that disagree
        with the solving submission on the generated inputs of `s` (where both were run)."""
        for t, _, agree, _ in self._agreement(s, solver, self._containing(s)):
            self._behind[t] |= ~agree

    # ---- reading -------------------------------------------------------------------------

    @property
    def total(self) -> float:
        """Points earned so far: per subtask, the best any submission earned."""
        return float(self.best_points.sum())

"""Group the candidates of a subtask by what they output on the generated inputs.

Exact mode: candidates with the same output class on every input valid for the subtask (its own
generated inputs and those of the subtasks it includes), and the same kind of failure where they
fail, form one cluster. Fuzzy mode (scikit-learn agglomerative clustering on the share of inputs
where two candidates differ) is for when every candidate differs somewhere; `auto` uses it then.
Candidates that did not compile belong to no cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from cpsolve.select.matrix import NOT_RUN, OK, ExecutionMatrix

ClusterMode = Literal["exact", "fuzzy", "auto"]
NOT_RUN_SIG = -102  # signature value of a (candidate, input) pair never executed


@dataclass(frozen=True)
class Clustering:
    """Clusters of one subtask: `members[k]` (a candidate index) is in cluster `labels[k]`.

    Labels run 0..n_clusters-1 in order of each cluster's first member.
    """

    subtask: int
    members: np.ndarray  # (n,) candidate indices, ascending
    labels: np.ndarray  # (n,) int
    mode: Literal["exact", "fuzzy"]

    @property
    def n_clusters(self) -> int:
        return int(self.labels.max()) + 1 if self.labels.size else 0

    @property
    def sizes(self) -> np.ndarray:
        return np.bincount(self.labels, minlength=self.n_clusters)

    def share(self) -> np.ndarray:
        """Per member: its cluster's share of the subtask's clustered candidates."""
        if not self.labels.size:
            return np.zeros(0)
        return self.sizes[self.labels] / self.labels.size


def signatures(matrix: ExecutionMatrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Behaviour of `rows` on input columns `cols`: the output class where a run succeeded,
    a negative code naming the verdict where it failed (or was never run)."""
    verdict = matrix.gen_verdict[np.ix_(rows, cols)].astype(np.int32)
    cls = matrix.gen_class[np.ix_(rows, cols)]
    failed_code = np.where(verdict == NOT_RUN, NOT_RUN_SIG, -2 - verdict)
    return np.ascontiguousarray(np.where((verdict == OK) & (cls >= 0), cls, failed_code))


def _first_appearance(inverse: np.ndarray) -> np.ndarray:
    """Relabel so that cluster ids follow the order of each cluster's first member."""
    n_groups = int(inverse.max()) + 1
    first = np.full(n_groups, inverse.size, dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(inverse.size))
    rank = np.empty(n_groups, dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(n_groups)
    return rank[inverse]


def exact_labels(sig: np.ndarray) -> np.ndarray:
    """Cluster ids of equal signature rows (rows compared as raw bytes, one sort)."""
    n = sig.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if sig.shape[1] == 0:
        return np.zeros(n, dtype=np.int64)
    rows = sig.view(np.dtype((np.void, sig.dtype.itemsize * sig.shape[1]))).ravel()
    _, inverse = np.unique(rows, return_inverse=True)
    return _first_appearance(inverse.ravel())


def fuzzy_labels(
    sig: np.ndarray,
    threshold: float,
    max_points: int,
    priority: np.ndarray | None = None,
    *,
    chunk: int = 1024,
) -> np.ndarray:
    """Agglomerative (average linkage) clusters of rows whose Hamming distance (share of
    differing inputs) stays within `threshold`.

    Equal rows are merged first. The distance matrix is quadratic, so only `max_points`
    distinct rows are agglomerated: the most common, then those of highest `priority` (one value
    per row), then the earliest. Every further distinct row joins the cluster whose founder (its
    first row in that order) is nearest, if within `threshold`, else stays alone.
    """
    from sklearn.cluster import AgglomerativeClustering

    uniq = exact_labels(sig)
    if uniq.size < 2 or sig.shape[1] == 0:
        return uniq
    _, first_row, counts = np.unique(uniq, return_index=True, return_counts=True)
    prio = np.zeros(sig.shape[0]) if priority is None else np.asarray(priority, float)
    order = np.lexsort((first_row, -prio[first_row], -counts))  # distinct ids, best first
    reps = sig[first_row]
    head, rest = order[:max_points], order[max_points:]
    ulabel = np.empty(first_row.size, dtype=np.int64)
    if head.size < 2:
        ulabel[head] = 0
    else:
        dist = _hamming(reps[head], reps[head])
        model = AgglomerativeClustering(
            n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold
        )
        ulabel[head] = model.fit_predict(dist)
    n_head = int(ulabel[head].max()) + 1
    _, founder_pos = np.unique(ulabel[head], return_index=True)  # head is in priority order
    founders = reps[head[founder_pos]]
    for start in range(0, rest.size, chunk):
        part = rest[start : start + chunk]
        dist = _hamming(reps[part], founders)
        near = dist.argmin(axis=1)
        alone = dist[np.arange(part.size), near] > threshold
        ulabel[part] = np.where(alone, n_head + start + np.arange(part.size), near)
    return _first_appearance(ulabel[uniq])


def _hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Share of columns where each row of `a` differs from each row of `b` (compiled loop)."""
    from sklearn.metrics import pairwise_distances

    return pairwise_distances(a, b, metric="hamming")


def cluster_subtask(
    matrix: ExecutionMatrix,
    s: int,
    mode: ClusterMode = "auto",
    *,
    threshold: float = 0.1,
    max_fuzzy: int = 2000,
    priority: np.ndarray | None = None,
) -> Clustering:
    """Cluster the compiled candidates of subtask index `s`.

    `priority` (optional, one value per candidate of the matrix, higher first) decides which
    distinct behaviours fuzzy mode agglomerates when there are more than `max_fuzzy`.
    """
    members = matrix.candidates_of(s)
    members = members[matrix.compile_ok[members]]
    sig = signatures(matrix, members, matrix.relevant_inputs(s))
    if mode == "exact":
        return Clustering(s, members, exact_labels(sig), "exact")
    if mode == "auto":
        labels = exact_labels(sig)
        if members.size < 2 or labels.max() + 1 < members.size:
            return Clustering(s, members, labels, "exact")
    prio = None if priority is None else np.asarray(priority, dtype=float)[members]
    return Clustering(s, members, fuzzy_labels(sig, threshold, max_fuzzy, prio), "fuzzy")


def cluster_all(
    matrix: ExecutionMatrix, mode: ClusterMode = "auto", *, threshold: float = 0.1
) -> dict[int, Clustering]:
    """Clusters of every subtask, keyed by subtask index."""
    return {
        s: cluster_subtask(matrix, s, mode, threshold=threshold) for s in range(matrix.n_subtasks)
    }

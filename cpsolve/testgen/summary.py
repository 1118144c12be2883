"""What a subtask's generated inputs did, for the run's report.

    summarize_inputs(rows, matrix, subtask_index) -> InputsSummary

How many inputs were kept, the largest (in bytes: whether the set reaches the subtask's
maximum, where slow and overflowing programs fail), how much the validators agreed on the kept
ones (votes / counted voters, from each input's provenance) and how many output classes each
input split the subtask's candidates into (an input that splits none tells selection nothing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from cpsolve.select.matrix import ExecutionMatrix


class InputsSummary(BaseModel):
    kept: int = 0
    largest_bytes: int = 0
    median_bytes: int = 0
    agreement: float | None = Field(
        default=None, description="mean share of the counted validators that accepted a kept input"
    )
    splits: list[int] = Field(
        default_factory=list,
        description="per kept input, in the set's order: the output classes it split the "
        "subtask's candidates into (1: it told them nothing apart)",
    )


def summarize_inputs(
    rows: Sequence[tuple[str, bytes, dict[str, Any]]], matrix: ExecutionMatrix, subtask: int
) -> InputsSummary:
    """The summary of one subtask's kept inputs (`rows`: the store's sha, data, provenance)."""
    if not rows:
        return InputsSummary()
    sizes = [len(data) for _, data, _ in rows]
    shares = [p["votes"] / p["voters"] for _, _, p in rows if p.get("voters")]
    sid = matrix.subtask_ids[subtask]
    column = {name: j for j, name in enumerate(matrix.meta.input_names)}
    cands = matrix.candidates_of(subtask)
    splits = []
    for sha, _, _ in rows:
        j = column.get(f"{sid}:{sha[:12]}")
        col = matrix.gen_class[cands, j] if j is not None else np.zeros(0)
        splits.append(int(np.unique(col[col >= 0]).size))
    return InputsSummary(
        kept=len(rows),
        largest_bytes=max(sizes),
        median_bytes=int(np.median(sizes)),
        agreement=round(float(np.mean(shares)), 3) if shares else None,
        splits=splits,
    )

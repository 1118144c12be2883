"""The execution matrix on disk and as laid out from a problem."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cpsolve.errors import UserError
from cpsolve.select.matrix import NOT_RUN, ExecutionMatrix, verdict_code
from tests.test_planner import TWO, make_matrix, make_problem

PUBLIC = [
    {"name": "ex-small", "input": "1\n", "output": "1\n", "subtasks": ["small"]},
    {"name": "ex-any", "input": "2\n", "output": "2\n"},
]


def _matrix() -> ExecutionMatrix:
    p = make_problem(TWO, public_tests=PUBLIC)
    rows = [
        {"st": "small", "out": [1, "TLE"], "lp": -0.25, "pub": [True, False], "id": "a"},
        {"st": "full", "out": [None, 2], "hidden": {"full": 70}, "id": "b"},
    ]
    return make_matrix(p, ["small", "full"], rows)


def test_layout_comes_from_the_problem() -> None:
    m = _matrix()
    assert m.subtask_ids == ["small", "full"]
    assert m.includes.tolist() == [[False, False], [True, False]]
    # full's candidates must pass small's public example too; both pass the shared one
    assert m.public_required.tolist() == [[True, True], [True, True]]
    assert m.hardest_first() == [1, 0]
    assert m.relevant_inputs(0).tolist() == [0] and m.relevant_inputs(1).tolist() == [0, 1]
    assert m.default_limit() == 50


def test_save_and_load_keep_every_array(tmp_path: Path) -> None:
    m = _matrix()
    again = ExecutionMatrix.load(m.save(tmp_path / "run" / "matrix.npz"))
    assert again.meta == m.meta
    assert again.gen_verdict.tolist() == [[0, verdict_code("TLE")], [NOT_RUN, 0]]
    assert np.array_equal(again.logprob, m.logprob, equal_nan=True)
    assert again.hidden_points is not None and again.hidden_points.tolist() == [[0, 0], [0, 70]]
    assert ExecutionMatrix.load(tmp_path / "run").meta.candidate_ids == ["a", "b"]


def test_foreign_or_old_files_are_user_errors(tmp_path: Path) -> None:
    junk = tmp_path / "matrix.npz"
    junk.write_bytes(b"PK\x03\x04 this is no zip")
    with pytest.raises(UserError, match="not an execution matrix"):
        ExecutionMatrix.load(junk)
    with pytest.raises(UserError, match="no execution matrix"):
        ExecutionMatrix.load(tmp_path / "elsewhere")
    m = _matrix()
    path = m.save(tmp_path / "old.npz")
    with np.load(path) as z:
        arrays = dict(z)
    meta = json.loads(str(arrays["meta_json"]))
    meta["format_version"] = 0
    arrays["meta_json"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    with pytest.raises(UserError, match="re-run the pipeline"):
        ExecutionMatrix.load(path)


def test_shapes_are_checked() -> None:
    m = _matrix()
    with pytest.raises(ValueError, match="gen_class"):
        ExecutionMatrix(**{**m.__dict__, "gen_class": np.zeros((2, 3))})


def test_class_matrix_is_per_column() -> None:
    from cpsolve.problem import CheckerSpec
    from cpsolve.select.matrix import output_class_matrix

    table = [[b"1", b"x"], [b"2", b"x"], [b"1", None]]
    got = output_class_matrix(table, CheckerSpec())
    assert got.tolist() == [[0, 0], [1, 0], [0, -1]]

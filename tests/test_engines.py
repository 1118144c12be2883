"""The engine protocol's plumbing: registry, chunking, seeds, samples.jsonl, the replay engine."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from cpsolve.errors import UserError
from cpsolve.sample.engines import ENGINES, get_engine
from cpsolve.sample.engines.base import (
    ChatMessage,
    Completion,
    Engine,
    SampleRequest,
    request_seed,
    sample_seed,
)
from cpsolve.sample.engines.chunks import plan_chunks
from cpsolve.sample.engines.samples import SampleRecord, SampleWriter, read_samples, write_samples


def req(n: int, problem: str = "p", subtask: str = "1", role: str = "solution") -> SampleRequest:
    return SampleRequest(
        messages=[ChatMessage(role="user", content="solve it")],
        n=n,
        role=role,  # type: ignore[arg-type]
        problem=problem,
        subtask=subtask,
    )


def rec(problem: str, subtask: str, text: str, role: str = "solution") -> SampleRecord:
    return SampleRecord(problem=problem, subtask=subtask, role=role, text=text)  # type: ignore[arg-type]


# ---- registry ------------------------------------------------------------------------------


def test_unknown_engine_names_the_known_ones() -> None:
    with pytest.raises(UserError) as e:
        get_engine("gpt-magic")
    for name in ("vllm", "openai", "hf", "replay", "simulated"):
        assert name in str(e.value)


def test_every_backend_is_registered_lazily() -> None:
    assert set(ENGINES) == {"vllm", "openai", "hf", "replay", "simulated", "ray"}
    assert ENGINES["simulated"].target == "cpsolve.simulate.engine:SimulatedEngine"


def test_missing_backend_package_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import cpsolve.sample.engines as engines

    monkeypatch.setitem(
        engines.ENGINES, "vllm", engines.Backend("x:Y", ("no_such_pkg_cpsolve",), "vllm")
    )
    with pytest.raises(UserError, match=r"cpsolve\[vllm\]"):
        get_engine("vllm", model="m")


# ---- chunks and seeds ----------------------------------------------------------------------


def test_chunks_cover_every_sample_once_and_respect_the_size() -> None:
    requests = [req(5), req(3), req(12), req(1)]
    chunks = list(plan_chunks(requests, 4))
    assert all(sum(p.count for p in c) <= 4 for c in chunks)
    seen = [(p.request_index, p.start + k) for c in chunks for p in c for k in range(p.count)]
    expected = [(i, k) for i, r in enumerate(requests) for k in range(r.n)]
    assert seen == expected


def test_chunks_are_planned_lazily() -> None:
    def endless():
        while True:
            yield req(3)

    first = next(plan_chunks(endless(), 7))
    assert sum(p.count for p in first) == 7


def test_seeds_per_sample_and_per_request() -> None:
    assert sample_seed(None, 3) is None
    assert [sample_seed(10, i) for i in range(3)] == [10, 11, 12]
    a = request_seed(0, "p", "1", "solution")
    assert a == request_seed(0, "p", "1", "solution")
    others = {request_seed(0, "p", "2", "solution"), request_seed(0, "p", "1", "generator")}
    assert a not in others
    assert request_seed(1, "p", "1", "solution") != a
    assert 0 <= a < 2**30


# ---- samples.jsonl -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["samples.jsonl", "samples.jsonl.gz"])
def test_samples_round_trip(tmp_path: Path, name: str) -> None:
    c = Completion(
        request_index=0,
        role="generator",
        problem="p",
        subtask="2",
        text="print(1)\n",
        tokens=5,
        finish_reason="length",
        logprob=-3.5,
        model="m",
        seed=42,
    )
    path = tmp_path / name
    assert write_samples(path, [c, rec("p", "1", "x")]) == 2
    got = list(read_samples(path))
    assert got[0] == SampleRecord.of(c)
    assert got[0].finish_reason == "length" and got[0].seed == 42
    assert got[1].text == "x" and got[1].tokens is None
    if name.endswith(".gz"):
        with gzip.open(path, "rt") as f:
            assert json.loads(f.readline())["problem"] == "p"


def test_samples_writer_appends(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    write_samples(path, [rec("p", "1", "a")])
    with SampleWriter(path, append=True) as w:
        w.write([rec("p", "1", "b")])
    assert [r.text for r in read_samples(path)] == ["a", "b"]


def test_a_bad_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"problem": "p", "subtask": "1", "text": "a"}\n\n{"problem": "p"}\n')
    with pytest.raises(UserError, match=r"s\.jsonl:3: bad sample record \(subtask"):
        list(read_samples(path))
    path.write_text("not json\n")
    with pytest.raises(UserError, match="not valid JSON"):
        list(read_samples(path))


def test_minimal_design_record_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"problem": "p", "subtask": "1", "role": "validator", "text": "t"}\n')
    (r,) = read_samples(path)
    assert r.role == "validator" and r.model is None and r.finish_reason == "stop"


# ---- replay --------------------------------------------------------------------------------


def _recording(tmp_path: Path) -> Path:
    path = tmp_path / "rec.jsonl.gz"
    write_samples(
        path,
        [
            rec("p", "1", "s1-a"),
            rec("p", "2", "s2-a"),
            rec("p", "1", "s1-b"),
            rec("p", "1", "gen-a", role="generator"),
            rec("p", "1", "s1-c"),
            rec("p", "2", "s2-b"),
        ],
    )
    return path


def test_replay_serves_in_order_per_key(tmp_path: Path) -> None:
    engine = get_engine("replay", path=_recording(tmp_path), chunk_size=2)
    assert isinstance(engine, Engine)
    chunks = list(engine.sample([req(2, subtask="1"), req(1, role="generator"), req(2, "p", "2")]))
    assert [len(c) for c in chunks] == [2, 2, 1]
    flat = [c for chunk in chunks for c in chunk]
    assert [c.text for c in flat] == ["s1-a", "s1-b", "gen-a", "s2-a", "s2-b"]
    assert [(c.request_index, c.sample_index) for c in flat] == [
        (0, 0),
        (0, 1),
        (1, 0),
        (2, 0),
        (2, 1),
    ]
    (more,) = engine.sample([req(1, subtask="1")])
    assert more[0].text == "s1-c"


def test_replay_says_when_it_runs_out(tmp_path: Path) -> None:
    engine = get_engine("replay", path=_recording(tmp_path))
    with pytest.raises(UserError) as e:
        list(engine.sample([req(2, subtask="1"), req(4, subtask="1")]))
    message = str(e.value)
    assert "6 were asked for" in message and "holds only 3" in message
    assert "subtask '1'" in message


def test_replay_of_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such samples file"):
        get_engine("replay", path=tmp_path / "nope.jsonl")

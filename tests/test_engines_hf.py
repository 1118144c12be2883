"""The `hf` engine on a tiny random Llama, loaded through transformers' real loading code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cpsolve.errors import UserError
from cpsolve.sample.engines import get_engine
from cpsolve.sample.engines.base import ChatMessage, Completion, SampleRequest, SamplingParams
from tests._fixtures_models import tiny_model  # noqa: F401

pytest.importorskip("torch")


def requests(n: int = 5, seed: int | None = 11, max_tokens: int = 10, temperature: float = 1.0):
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


def flat(chunks: list[list[Completion]]) -> list[Completion]:
    return [c for chunk in chunks for c in chunk]


@pytest.fixture(scope="module")
def engine(tiny_model: Path):  # noqa: F811
    e = get_engine("hf", model=str(tiny_model), batch_size=3, chunk_size=4)
    yield e
    e.close()


def test_counts_chunks_and_fields(engine) -> None:
    chunks = list(engine.sample(requests()))
    assert [len(c) for c in chunks] == [4, 4, 2]
    out = flat(chunks)
    assert [(c.request_index, c.sample_index) for c in out] == [
        (r, i) for r in range(2) for i in range(5)
    ]
    assert [c.subtask for c in out] == ["1"] * 5 + ["2"] * 5
    for c in out:
        assert c.tokens is not None and 1 <= c.tokens <= 10
        assert c.finish_reason in ("stop", "length")
        assert (c.finish_reason == "length") == (c.tokens == 10)
        assert c.logprob is not None and c.logprob < 0
        assert c.model.endswith("tiny-llama")


def test_same_seed_same_completions_other_seed_others(engine) -> None:
    a = flat(list(engine.sample(requests(seed=11))))
    b = flat(list(engine.sample(requests(seed=11))))
    c = flat(list(engine.sample(requests(seed=12))))
    assert [x.text for x in a] == [x.text for x in b]
    assert [x.logprob for x in a] == [x.logprob for x in b]
    assert [x.text for x in a] != [x.text for x in c]
    assert len({x.text for x in a[:5]}) > 1  # samples of one request differ


def test_greedy_samples_agree(engine) -> None:
    out = flat(list(engine.sample(requests(n=3, seed=None, temperature=0.0))))
    assert len({c.text for c in out[:3]}) == 1


def test_greedy_text_and_logprob_match_a_hand_decoding(engine) -> None:
    import torch

    request = requests(n=1, seed=None, max_tokens=6, temperature=0.0)[0]
    (c,) = flat(list(engine.sample([request])))
    ids = engine.prompt_ids(request.messages)
    gen: list[int] = []
    total = 0.0
    with torch.no_grad():
        for _ in range(6):
            logits = engine.lm(torch.tensor([ids + gen])).logits[0, -1].float()
            logp = torch.log_softmax(logits, dim=-1)
            token = int(torch.argmax(logp))
            total += float(logp[token])
            gen.append(token)
            if token == engine.tokenizer.eos_token_id:
                break
    assert c.tokens == len(gen)
    assert c.text == engine.tokenizer.decode(gen, skip_special_tokens=True)
    assert c.logprob == pytest.approx(total, rel=1e-4, abs=1e-4)


def test_model_that_is_not_on_disk_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="neither a local directory nor in the Hugging Face cache"):
        get_engine("hf", model="no-such-org/no-such-model-cpsolve")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match=r"holds no config\.json"):
        get_engine("hf", model=str(tmp_path / "empty"))


def test_model_without_chat_template_needs_one(tmp_path: Path, tiny_model: Path) -> None:  # noqa: F811
    import shutil

    copy = tmp_path / "no-template"
    shutil.copytree(tiny_model, copy)
    (copy / "chat_template.jinja").unlink(missing_ok=True)
    config = json.loads((copy / "tokenizer_config.json").read_text())
    config.pop("chat_template", None)
    (copy / "tokenizer_config.json").write_text(json.dumps(config))
    with pytest.raises(UserError, match="no chat template"):
        get_engine("hf", model=str(copy))
    template = tmp_path / "t.jinja"
    template.write_text("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    e = get_engine("hf", model=str(copy), chat_template=str(template))
    assert len(flat(list(e.sample(requests(n=1, max_tokens=3))))) == 2

"""The reward adapters as trainers call them: verl's compute_score, TRL's reward_funcs, and one
real TRL GRPO step on CPU with a tiny random-weight Llama whose reward comes from the service."""

from __future__ import annotations

import importlib.util
import math
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from cpsolve.languages import Language
from cpsolve.serve.adapters import make_compute_score, trl_reward
from cpsolve.serve.catalog import Catalog
from cpsolve.serve.client import GradingRejected, HttpClient
from cpsolve.serve.grader import Grader
from cpsolve.serve.models import RewardShape
from tests._fixtures_models import tiny_model  # noqa: F401
from tests.test_serve import FIXTURES, SUM, running

RIGHT = "```python\n" + (SUM / "sum.py").read_text() + "```\n"
WRONG = "Some thought.\n```python\n" + (SUM / "wrap32.py").read_text() + "```"


@pytest.fixture(scope="module")
def client(sandbox) -> Iterator[HttpClient]:  # type: ignore[no-untyped-def]
    g = Grader(Catalog.load(FIXTURES), sandbox)
    with running(g) as url:
        c = HttpClient(url)
        yield c
        c.close()
    g.close()


def test_verl_compute_score_grades_the_extracted_program(client: HttpClient) -> None:
    score = make_compute_score(client)
    info = {"language": "python", "reward_shape": "ioi"}
    assert score("cpsolve", RIGHT, "sum", info)["score"] == 1.0
    wrong = score("cpsolve", WRONG, "sum", info)
    assert (wrong["score"], wrong["verdict"]) == (0.5, "WA")
    none = score("cpsolve", "I cannot solve this.", "sum", info)
    assert (none["score"], none["status"]) == (0.0, "no_program")
    with pytest.raises(GradingRejected, match="no problem"):
        score("cpsolve", RIGHT, "no-such-problem", info)


def test_trl_reward_takes_strings_and_chat_messages(client: HttpClient) -> None:
    reward = trl_reward(client, shape=RewardShape.CODEFORCES, language=Language.PYTHON)
    chat = [{"role": "assistant", "content": RIGHT}]
    broken = "```cpp\nint main( {\n```"
    got = reward(
        ["p"] * 4, [RIGHT, chat, WRONG, broken], problem=["sum"] * 4,
        language=["python", "python", "python", "cpp"],
    )  # fmt: skip
    assert got == [1.0, 1.0, 0.0, -0.1]
    assert reward.__name__ == "cpsolve_reward"
    by_url = trl_reward(str(client._http.base_url), shape="ioi", language="python")
    assert by_url(["p"], [WRONG], problem=["sum"]) == [0.5]


def require_rl() -> None:
    """Skip when trl or torch is missing, unless CPSOLVE_REQUIRE_RL=1 makes that a failure."""
    missing = [m for m in ("trl", "torch", "datasets") if importlib.util.find_spec(m) is None]
    if not missing:
        return
    if os.environ.get("CPSOLVE_REQUIRE_RL") == "1":
        pytest.fail(f"CPSOLVE_REQUIRE_RL=1 but {', '.join(missing)} is not installed")
    pytest.skip(f"{', '.join(missing)} not installed (pip install -e '.[rl]')")


PROMPT = "Read N and print the sum of the numbers.\n"


def teach(model_dir: Path, text: str, steps: int = 150) -> None:
    """Train the random model on one text so that its samples are mostly that program, some
    of them broken: the GRPO step then sees rewards that differ."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    ids = tok(text + tok.eos_token, return_tensors="pt").input_ids
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    torch.manual_seed(0)
    for _ in range(steps):
        loss = model(input_ids=ids, labels=ids).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.save_pretrained(model_dir)


@pytest.mark.slow
def test_one_grpo_step_on_cpu_with_the_cpsolve_reward(
    client: HttpClient,
    tiny_model: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    require_rl()
    import shutil

    import torch
    from datasets import Dataset
    from trl import GRPOConfig, GRPOTrainer

    model_dir = tmp_path / "policy"
    shutil.copytree(tiny_model, model_dir)
    teach(model_dir, PROMPT + RIGHT)
    seen: list[float | None] = []
    inner = trl_reward(client, language=Language.PYTHON)

    def cpsolve_reward(prompts, completions, **kwargs):  # type: ignore[no-untyped-def]
        out = inner(prompts, completions, **kwargs)
        seen.extend(out)
        return out

    data = Dataset.from_list([{"prompt": PROMPT, "problem": "sum"}] * 4)
    args = GRPOConfig(
        output_dir=str(tmp_path / "out"), per_device_train_batch_size=4, num_generations=4,
        max_completion_length=64, max_steps=1, learning_rate=1e-3, logging_steps=1,
        report_to=[], save_strategy="no", use_cpu=True, bf16=False, seed=0,
        temperature=1.0, beta=0.0,
    )  # fmt: skip
    trainer = GRPOTrainer(model=str(model_dir), reward_funcs=cpsolve_reward, args=args,
                          train_dataset=data)  # fmt: skip
    weights = [p.detach().clone() for p in trainer.model.parameters()]
    result = trainer.train()
    assert result.global_step == 1
    assert len(seen) == 4 and all(r is not None for r in seen)
    assert client.tries > 0 and any(r == 1.0 for r in seen), seen  # graded by the service
    logged = trainer.state.log_history[0]
    assert math.isfinite(logged["loss"]) and logged["reward"] == pytest.approx(sum(seen) / 4)
    if len(set(seen)) > 1:  # rewards that differ give advantages, so the policy moved
        moved = [
            not torch.equal(a, b) for a, b in zip(weights, trainer.model.parameters(), strict=True)
        ]
        assert any(moved)

"""A tiny random-weight Llama and a tokenizer trained on the spot, saved as a model directory.

Nothing is downloaded: the BPE tokenizer is trained here with `tokenizers` on a few lines of
code-like text, given a chat template, and saved with a 2-layer Llama (head_dim 64) of random
weights, so every engine loads it through its real loading code. Import the fixture explicitly:

    from tests._fixtures_models import tiny_model  # noqa: F401
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for m in messages %}"
    "{{ '<|' + m['role'] + '|>\\n' + m['content'] + '<|end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)

SPECIAL = ["<pad>", "<s>", "</s>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]

_CORPUS = [
    "Read N and print the sum of the numbers.",
    "int main() { int n; std::cin >> n; std::cout << n * 2 << std::endl; return 0; }",
    "def solve():\n    n = int(input())\n    print(sum(map(int, input().split())))\n",
    "```cpp\n#include <bits/stdc++.h>\nusing namespace std;\n```",
    "```python\nimport sys\nfor line in sys.stdin:\n    print(line)\n```",
    "The answer is the maximum over all subarrays; use prefix sums and a deque.",
    "Constraints: 1 <= N <= 200000, 0 <= A_i <= 10^9. Time limit 1 second.",
    "Write a generator that takes a seed on argv and prints a random valid input.",
]


def _train_tokenizer(vocab_size: int):  # -> PreTrainedTokenizerFast
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_CORPUS * 20, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        chat_template=CHAT_TEMPLATE,
    )


def build_tiny_model(out: Path, *, seed: int = 0, vocab_size: int = 512) -> Path:
    """Write a tiny Llama (hidden 128, 2 heads of 64, 2 layers) and its tokenizer to `out`."""
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    out.mkdir(parents=True, exist_ok=True)
    tokenizer = _train_tokenizer(vocab_size)
    tokenizer.save_pretrained(out)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=128,
        intermediate_size=256,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        head_dim=64,
        max_position_embeddings=1024,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        tie_word_embeddings=False,
        torch_dtype="float32",
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config).to(torch.float32)
    model.save_pretrained(out)
    GenerationConfig(
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    ).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory of a tiny random Llama with its trained tokenizer (needs torch)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    return build_tiny_model(tmp_path_factory.mktemp("models") / "tiny-llama")


def require_vllm() -> None:
    """Skip when vLLM is not installed, unless CPSOLVE_REQUIRE_VLLM=1 makes that a failure."""
    import importlib.util
    import os

    if importlib.util.find_spec("vllm") is not None:
        return
    if os.environ.get("CPSOLVE_REQUIRE_VLLM") == "1":
        pytest.fail("vLLM is required (CPSOLVE_REQUIRE_VLLM=1) but not installed")
    pytest.skip("vLLM is not installed (run .ci/setup-vllm.sh)")


def vllm_env() -> dict[str, str]:
    """Environment for a vLLM process here: a small CPU KV cache, no hub, quiet."""
    import os

    env = dict(os.environ)
    env.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("VLLM_LOGGING_LEVEL", "WARNING")
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    return env

"""What our `vllm` engine costs over calling vLLM by hand, on the same workload in one run.

Both sides share one `vllm.LLM` (so the model, the KV cache and the compiled graphs are the
same) and sample the same requests with the same seeds:

- raw: render every prompt with the chat template, then ONE `LLM.generate` call over the whole
  workload with `SamplingParams(n=..., seed=..., logprobs=0)`, as a user would write it;
- ours: `VLLMEngine.sample(requests)`, chunked, each completion turned into a `Completion`.

It prints both throughputs (generated tokens per second), their ratio (target >= 0.95) and
whether both produced the same samples. Without --model it builds the tests' tiny random Llama.

    python benchmarks/engine_overhead.py                      # tiny model, CPU or GPU
    python benchmarks/engine_overhead.py --model /models/qwen --requests 64 --n 64
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--model", help="model directory (default: build the tiny test Llama)")
    ap.add_argument("--requests", type=int, default=8, help="distinct prompts")
    ap.add_argument("--n", type=int, default=16, help="samples per prompt")
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--chunk-size", type=int, default=4096, help="our engine's chunk size")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs of each side")
    ap.add_argument("--dtype", default="auto")
    ap.add_argument("--max-model-len", type=int, default=1024)
    ap.add_argument("--gpu-memory-utilization", type=float, default=0.5)
    ap.add_argument("--enforce-eager", action="store_true")
    return ap.parse_args()


def workload(count: int, n: int, max_tokens: int) -> list[Any]:
    from cpsolve.sample.engines.base import ChatMessage, SampleRequest, SamplingParams

    return [
        SampleRequest(
            messages=[
                ChatMessage(role="system", content="You are a competitive programmer."),
                ChatMessage(role="user", content=f"Problem {k}: read N, print N*{k}. Use C++."),
            ],
            n=n,
            params=SamplingParams(temperature=1.0, top_p=0.95, max_tokens=max_tokens, seed=k * n),
            problem="bench",
            subtask=str(k),
        )
        for k in range(count)
    ]


def run_raw(llm: Any, requests: list[Any]) -> tuple[int, list[str]]:
    """The hand-written baseline: chat template, one generate call, texts out."""
    from vllm import SamplingParams
    from vllm.sampling_params import RequestOutputKind

    tok = llm.get_tokenizer()
    prompts, params = [], []
    for r in requests:
        text = tok.apply_chat_template(
            [m.model_dump() for m in r.messages], tokenize=False, add_generation_prompt=True
        )
        prompts.append({"prompt_token_ids": tok(text, add_special_tokens=False)["input_ids"]})
        p = r.params
        params.append(
            SamplingParams(
                n=r.n,
                temperature=p.temperature,
                top_p=p.top_p,
                max_tokens=p.max_tokens,
                seed=p.seed,
                logprobs=0,
                output_kind=RequestOutputKind.FINAL_ONLY,
            )
        )
    outputs = llm.generate(prompts, params, use_tqdm=False)
    texts = [o.text for out in outputs for o in sorted(out.outputs, key=lambda o: o.index)]
    tokens = sum(len(o.token_ids) for out in outputs for o in out.outputs)
    return tokens, texts


def run_ours(engine: Any, requests: list[Any]) -> tuple[int, list[str]]:
    completions = [c for chunk in engine.sample(requests) for c in chunk]
    return sum(c.tokens or 0 for c in completions), [c.text for c in completions]


class GenerateClock:
    """Wraps `llm.generate` to add up the time spent inside vLLM."""

    def __init__(self, llm: Any) -> None:
        self.llm, self.inner, self.seconds = llm, llm.generate, 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self.inner(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start


def timed(fn: Any, *args: Any) -> tuple[float, int, list[str]]:
    start = time.perf_counter()
    tokens, texts = fn(*args)
    return time.perf_counter() - start, tokens, texts


def main() -> None:
    args = parse_args()
    from cpsolve.sample.engines.vllm_engine import VLLMEngine

    with tempfile.TemporaryDirectory() as tmp:
        model = args.model
        if model is None:
            from tests._fixtures_models import build_tiny_model

            model = str(build_tiny_model(Path(tmp) / "tiny-llama"))
            if args.dtype == "auto":
                args.dtype = "float32"
        engine = VLLMEngine(
            model,
            dtype=args.dtype,
            max_model_len=args.max_model_len,
            gpu_memory_utilization=args.gpu_memory_utilization,
            enforce_eager=args.enforce_eager,
            chunk_size=args.chunk_size,
        )
        requests = workload(args.requests, args.n, args.max_tokens)
        run_raw(engine.llm, requests[:2])  # warm up both paths
        run_ours(engine, requests[:2])
        raw_tps, ours_tps, inside = [], [], []
        same = True
        clock = GenerateClock(engine.llm)
        for _ in range(args.repeats):  # alternate so drift hits both sides alike
            t, tokens, raw_texts = timed(run_raw, engine.llm, requests)
            raw_tps.append(tokens / t)
            engine.llm.generate, clock.seconds = clock, 0.0
            t, tokens, our_texts = timed(run_ours, engine, requests)
            engine.llm.generate = clock.inner
            ours_tps.append(tokens / t)
            inside.append(clock.seconds / t)
            same = same and raw_texts == our_texts
        engine.close()
    raw, ours = statistics.median(raw_tps), statistics.median(ours_tps)
    total = args.requests * args.n
    print(f"workload: {args.requests} prompts x {args.n} samples = {total}, ")
    print(f"          max_tokens {args.max_tokens}, chunk_size {args.chunk_size}, model {model}")
    print(f"raw vLLM:        {raw:10.1f} tokens/s (median of {args.repeats})")
    print(f"cpsolve engine:  {ours:10.1f} tokens/s (median of {args.repeats})")
    print(f"ratio (ours/raw): {ours / raw:.3f}   (target >= 0.95)")
    print(f"share of our time inside LLM.generate: {statistics.median(inside):.3f}")
    print(f"same samples: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()

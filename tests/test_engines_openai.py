"""The `openai` engine against a real `vllm serve` of the tiny Llama on 127.0.0.1.

A small fault-injecting proxy sits in front of the server for the retry tests: it answers some
requests with 429 or 503 and, when asked to, refuses `n > 1` as some hosted APIs do.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from cpsolve.errors import UserError
from cpsolve.sample.engines import get_engine
from cpsolve.sample.engines.base import ChatMessage, Completion, SampleRequest, SamplingParams
from tests._fixtures_models import require_vllm, tiny_model, vllm_env  # noqa: F401

pytestmark = [pytest.mark.vllm, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    """The /v1 URL of a `vllm serve` of the tiny model, stopped after the module's tests."""
    require_vllm()
    port = free_port()
    log = (tmp_path_factory.mktemp("serve") / "serve.log").open("w")
    cmd = [sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(tiny_model)]
    cmd += ["--served-model-name", "tiny", "--host", "127.0.0.1", "--port", str(port)]
    cmd += ["--max-model-len", "512", "--dtype", "float32", "--enforce-eager"]
    cmd += ["--gpu-memory-utilization", "0.2"]
    proc = subprocess.Popen(
        cmd, env=vllm_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            assert proc.poll() is None, f"vllm serve exited; see {log.name}"
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(2)
        else:
            pytest.fail("vllm serve did not come up in 600 s")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


class FlakyProxy:
    """Forwards POSTs to `upstream`, failing every `every`-th one with 429/503 first."""

    def __init__(self, upstream: str, every: int = 2, refuse_n: bool = False) -> None:
        self.upstream, self.every, self.refuse_n = upstream, every, refuse_n
        self.calls = 0
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with proxy.lock:
                    proxy.calls += 1
                    k = proxy.calls
                if k % proxy.every == 0:
                    code = 429 if k % 4 == 0 else 503
                    self._send(code, b'{"error": {"message": "busy"}}', retry_after="0")
                    return
                if proxy.refuse_n and b'"n":1,' not in body.replace(b" ", b""):
                    self._send(400, b'{"error": {"message": "n must be 1"}}')
                    return
                r = httpx.post(
                    proxy.upstream + self.path.removeprefix("/v1"),
                    content=body,
                    headers={"content-type": "application/json"},
                    timeout=300,
                )
                self._send(r.status_code, r.content)

            def _send(self, code: int, data: bytes, retry_after: str | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if retry_after is not None:
                    self.send_header("Retry-After", retry_after)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def requests(n: int = 5, seed: int | None = 21, temperature: float = 1.0) -> list[SampleRequest]:
    return [
        SampleRequest(
            messages=[ChatMessage(role="user", content=f"Solve subtask {k}: N <= 10.")],
            n=n,
            params=SamplingParams(temperature=temperature, max_tokens=10, seed=seed),
            problem="p",
            subtask=str(k),
        )
        for k in (1, 2)
    ]


def flat(chunks: list[list[Completion]]) -> list[Completion]:
    return [c for chunk in chunks for c in chunk]


def engine(url: str, **kw: object):
    return get_engine("openai", model="tiny", base_url=url, concurrency=4, chunk_size=4, **kw)


def test_counts_chunks_tokens_and_logprobs(server: str) -> None:
    e = engine(server)
    chunks = list(e.sample(requests()))
    e.close()
    assert [len(c) for c in chunks] == [4, 4, 2]
    out = flat(chunks)
    assert [(c.request_index, c.sample_index) for c in out] == [
        (r, i) for r in range(2) for i in range(5)
    ]
    for c in out:
        assert c.tokens is not None and 1 <= c.tokens <= 10
        assert (c.finish_reason == "length") == (c.tokens == 10)
        assert c.logprob is not None and c.logprob < 0
        assert c.model == "tiny"


def test_same_seed_same_completions_with_or_without_n(server: str) -> None:
    with_n, per_sample = engine(server), engine(server, use_n=False)
    a = flat(list(with_n.sample(requests())))
    assert with_n.requests_sent == 4  # one call per piece of a chunk: 4+1 and 3+2 samples
    b = flat(list(with_n.sample(requests())))
    c = flat(list(per_sample.sample(requests())))
    assert per_sample.requests_sent == 10
    other = flat(list(with_n.sample(requests(seed=22))))
    with_n.close()
    per_sample.close()
    texts = [x.text for x in a]
    assert texts == [x.text for x in b] == [x.text for x in c]
    assert texts != [x.text for x in other]
    assert [x.seed for x in a[:5]] == [21, 22, 23, 24, 25]


def test_greedy_requests_agree(server: str) -> None:
    e = engine(server)
    out = flat(list(e.sample(requests(n=3, seed=None, temperature=0.0))))
    e.close()
    assert len(out) == 6 and len({c.text for c in out[:3]}) == 1


def test_retries_and_a_server_that_refuses_n(server: str) -> None:
    direct = engine(server)
    expected = [c.text for c in flat(list(direct.sample(requests())))]
    direct.close()
    proxy = FlakyProxy(server, every=2, refuse_n=True)
    try:
        e = engine(proxy.url, backoff_s=0.01, max_retries=8)
        got = flat(list(e.sample(requests())))
        e.close()
    finally:
        proxy.close()
    assert [c.text for c in got] == expected
    assert e.use_n is False  # it learned that the server refuses n > 1
    assert e.requests_sent > 10  # every sample alone, plus the refused and the retried calls


def test_unreachable_server_is_a_user_error() -> None:
    e = engine(f"http://127.0.0.1:{free_port()}/v1", max_retries=1, backoff_s=0.01)
    with pytest.raises(UserError, match="cannot reach"):
        list(e.sample(requests(n=1)))
    e.close()


def test_unknown_model_is_a_user_error(server: str) -> None:
    e = get_engine("openai", model="not-served", base_url=server, max_retries=0)
    with pytest.raises(UserError, match="has no model 'not-served'"):
        list(e.sample(requests(n=1)))
    e.close()

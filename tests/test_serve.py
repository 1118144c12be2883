"""The grading service as a client meets it: a real uvicorn server on loopback, over HTTP."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
import httpx
import uvicorn

from cpsolve.sandbox.local import LocalSandbox
from cpsolve.serve.adapters import make_compute_score, trl_reward
from cpsolve.serve.app import create_app
from cpsolve.serve.catalog import Catalog
from cpsolve.serve.client import HttpClient
from cpsolve.serve.grader import Grader
from cpsolve.serve.models import GradeRequest, Status

FIXTURES = Path(__file__).parent / "fixtures" / "judge"
SUM = FIXTURES / "sum" / "solutions"
TOKEN = "s3cret-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running(grader: Grader, **app_options: object) -> Iterator[str]:
    """A real uvicorn server over `grader` on a loopback port, in a thread; its base URL."""
    port = free_port()
    app = create_app(grader, **app_options)  # type: ignore[arg-type]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def break_workers(sb: LocalSandbox) -> None:
    """Replace every runner of the sandbox by a process that exits at once, for good: each
    request to a worker then fails the way a crashed runner does."""
    for w in sb._all:

        def dead_start(w=w) -> None:  # type: ignore[no-untyped-def]
            w.proc = subprocess.Popen(["true"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            w._buf, w.held = b"", set()

        w.start = dead_start  # type: ignore[method-assign]
        w.restart()


def heal_workers(sb: LocalSandbox) -> None:
    for w in sb._all:
        del w.start  # the class's start again
        w.restart()


def request(name: str, **extra: object) -> dict[str, object]:
    return {"problem": "sum", "language": "python", "code": (SUM / name).read_text(), **extra}


@pytest.fixture(scope="module")
def grader(sandbox) -> Iterator[Grader]:  # type: ignore[no-untyped-def]
    g = Grader(Catalog.load(FIXTURES), sandbox, retries=0)
    yield g
    g.close()


@pytest.fixture(scope="module")
def url(grader: Grader) -> Iterator[str]:
    with running(grader, token=TOKEN) as u:
        yield u


@pytest.fixture(scope="module")
def http(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=120, headers={"Authorization": f"Bearer {TOKEN}"}) as c:
        yield c


def judge_json(problem: Path, solution: Path) -> dict[str, object]:
    """What `cpsolve judge --json` prints for a program."""
    out = subprocess.run(
        ["python", "-m", "cpsolve", "judge", str(problem), str(solution), "--json",
         "--sandbox", "local"],
        capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    return dict(json.loads(out.stdout))


def test_grade_answers_what_cpsolve_judge_gives(http: httpx.Client) -> None:
    expected = judge_json(FIXTURES / "sum", SUM / "wrap32.py")
    r = http.post("/grade", json=request("wrap32.py", reward="ioi"))
    assert r.status_code == 200
    got = r.json()
    assert got["status"] == "graded"
    for key in ("verdict", "score", "max_score", "subtasks"):
        assert got[key] == expected[key], key
    assert [(t["name"], t["verdict"]) for t in got["tests"]] == [
        (t["name"], t["verdict"])
        for t in expected["tests"]  # type: ignore[attr-defined]
    ]
    assert got["reward"] == pytest.approx(50 / 100)
    assert got["reward_shape"] == "ioi"
    assert got["time_s"] == max(t["time_s"] for t in got["tests"])


@pytest.mark.parametrize(
    ("name", "shape", "reward"),
    [
        ("sum.py", "binary", 1.0),
        ("wrap32.py", "binary", 0.0),
        ("wrap32.py", "fraction", 10 / 12),  # subtasks of 2, 4, 6 tests; 3's 5th test fails
        ("slow.py", "fraction", 6 / 12),
        ("slow.py", "ioi", 0.2),
        ("crash.py", "codeforces", 0.0),
        ("sum.py", "codeforces", 1.0),
    ],
)
def test_reward_shapes(http: httpx.Client, name: str, shape: str, reward: float) -> None:
    got = http.post("/grade", json=request(name, reward=shape)).json()
    assert got["reward"] == pytest.approx(reward)


def test_a_program_that_does_not_compile_is_graded_ce_with_the_compile_penalty(
    http: httpx.Client,
) -> None:
    body = {"problem": "sum", "language": "cpp", "code": "int main( {", "reward": "codeforces"}
    got = http.post("/grade", json=body).json()
    assert (got["status"], got["verdict"], got["reward"]) == ("graded", "CE", -0.1)
    assert got["compile_message"]


def test_one_subtask_and_a_batch(http: httpx.Client) -> None:
    one = http.post("/grade", json=request("slow.py", subtask="1")).json()
    assert (one["verdict"], one["score"], one["max_score"]) == ("AC", 20, 20)
    batch = {"requests": [request("sum.py"), request("crash.py"), request("hog.py")]}
    got = http.post("/grade/batch", json=batch).json()["results"]
    assert [g["verdict"] for g in got] == ["AC", "RE", "MLE"]


def test_identical_requests_are_graded_once(grader: Grader, http: httpx.Client) -> None:
    code = (SUM / "sum.py").read_text() + "\n# identical-requests\n"
    body = {"problem": "sum", "language": "python", "code": code}
    before = grader.metrics.cache_hits._value.get() + grader.metrics.joined._value.get()
    with httpx.Client(base_url=str(http.base_url), headers=http.headers, timeout=120) as c:
        answers = [c.post("/grade", json=body).json() for _ in range(3)]
    assert {a["verdict"] for a in answers} == {"AC"}
    assert [a["cached"] for a in answers] == [False, True, True]
    after = grader.metrics.cache_hits._value.get() + grader.metrics.joined._value.get()
    assert after - before == 2


@pytest.mark.parametrize(
    ("body", "code", "sentence"),
    [
        ('{"problem": "sum",', 400, "not valid JSON"),
        ('["sum"]', 422, "must be a JSON object"),
        ('{"language": "cpp", "code": "x"}', 422, "'problem' is missing"),
        ('{"problem": "sum", "language": "cpp"}', 422, "'code' is missing"),
        ('{"problem": "nope", "language": "cpp", "code": "x"}', 404, "no problem 'nope'"),
        ('{"problem": "sum", "language": "rust", "code": "x"}', 422, "unknown language 'rust'"),
        ('{"problem": "sum", "language": "cpp", "code": "x", "subtask": "7"}', 422, "no subtask"),
        ('{"problem": "sum", "language": "cpp", "code": "x", "evil": 1}', 422, "unknown field"),
        (json.dumps({"problem": "sum", "language": "cpp", "code": "x" * 70_000}), 413, "cap"),
        ("x" * 2_000_000, 413, "cap"),
    ],
)
def test_bad_input_gets_a_4xx_and_one_sentence(
    http: httpx.Client, body: str, code: int, sentence: str
) -> None:
    r = http.post("/grade", content=body)
    assert r.status_code == code
    detail = r.json()["detail"]
    assert sentence in detail and "\n" not in detail and len(detail) < 300
    assert http.get("/healthz").json()["status"] == "ok"  # and the server still answers


def test_a_token_is_required_when_set(url: str) -> None:
    assert httpx.get(f"{url}/healthz").status_code == 200
    for path in ("/problems", "/metrics"):
        assert httpx.get(f"{url}{path}").status_code == 401
        bad = {"Authorization": "Bearer wrong"}
        assert httpx.get(f"{url}{path}", headers=bad).status_code == 401
    r = httpx.post(f"{url}/grade", json=request("sum.py"))
    assert r.status_code == 401 and "token" in r.json()["detail"]


def test_problems_show_statements_and_limits_never_hidden_tests(http: httpx.Client) -> None:
    listed = http.get("/problems").json()
    by_id = {p["id"]: p for p in listed}
    assert set(by_id) == set(Catalog.load(FIXTURES).problems)
    s = by_id["sum"]
    assert s["statement"].startswith("Read N") and s["time_limit_s"] == 1.0
    assert [x["id"] for x in s["subtasks"]] == ["1", "2", "3"]
    assert s["examples"] == [{"name": "ex1", "input": "3\n1 2 3\n", "output": "6\n"}]
    text = http.get("/problems").text
    assert "hidden_tests" not in text and "reference_solutions" not in text
    one = http.get("/problems/sum").text
    assert "1-02" not in one and "-5" not in one and "wrap32" not in one
    assert "1000000000000000" not in one  # a generated hidden test's arguments
    assert http.get("/problems/nope").status_code == 404


def test_metrics_count_gradings(http: httpx.Client) -> None:
    http.post("/grade", json=request("crash.py"))
    text = http.get("/metrics").text
    assert 'cpsolve_gradings_total{status="graded",verdict="RE"}' in text
    assert "cpsolve_grading_seconds_bucket" in text and "cpsolve_pending_gradings" in text


def test_a_full_queue_answers_429_with_retry_after(sandbox) -> None:  # type: ignore[no-untyped-def]
    g = Grader(Catalog.load(FIXTURES), sandbox, threads=1, max_pending=1)
    slow = {"problem": "sum", "language": "python", "code": "while True: pass\n"}
    try:
        with running(g) as u, httpx.Client(base_url=u, timeout=120) as c:
            first = threading.Thread(target=lambda: c.post("/grade", json=slow))
            first.start()
            while g.pending == 0:
                time.sleep(0.01)
            r = c.post("/grade", json=request("sum.py"))
            assert r.status_code == 429 and r.headers["retry-after"] == "1"
            assert "busy" in r.json()["detail"]
            first.join()
    finally:
        g.close()


def test_a_request_past_its_time_bound_gets_504_and_a_retry_joins_it(sandbox) -> None:  # type: ignore[no-untyped-def]
    g = Grader(Catalog.load(FIXTURES), sandbox)
    slow = {"problem": "sum", "language": "python", "code": "while True:\n    x = 504\n"}
    try:
        with running(g, timeout_s=0.2) as u:
            r = httpx.post(f"{u}/grade", json=slow, timeout=60)
            assert r.status_code == 504 and "retry" in r.json()["detail"]
            answer = HttpClient(u, backoff_s=0.5).grade(GradeRequest.model_validate(slow))
            assert (answer.status, answer.verdict) == (Status.GRADED, "TLE")
    finally:
        g.close()


# ------------------------------------------------------------ infrastructure is not a wrong answer


@pytest.fixture
def own_sandbox() -> Iterator[LocalSandbox]:
    with LocalSandbox(workers=1) as sb:
        yield sb


def test_a_broken_sandbox_is_infra_never_a_zero(own_sandbox: LocalSandbox) -> None:
    g = Grader(Catalog.load(FIXTURES), own_sandbox, retries=1, retry_delay_s=0.01)
    try:
        with running(g) as u:
            client = HttpClient(u)
            ok = client.grade(GradeRequest.model_validate(request("sum.py")))
            assert ok.status == Status.GRADED and ok.reward == 1.0
            break_workers(own_sandbox)
            fresh = {"problem": "sum", "language": "cpp", "code": "int main(){return 0;}"}
            for body in (request("wrap32.py"), fresh):  # compiled before, and never compiled
                r = httpx.post(f"{u}/grade", json=body, timeout=120).json()
                assert r["status"] == "infra" and r["reward"] is None and r["verdict"] is None
                assert r["attempts"] == 2 and "sandbox" in r["message"]
            reward = trl_reward(client, language=__import__("cpsolve").languages.Language.PYTHON)
            completion = "```python\n" + (SUM / "crash.py").read_text() + "```"
            assert reward(["p"], [completion], problem=["sum"]) == [None]  # dropped, not 0
            nan = make_compute_score(client, on_infra="nan")("sum", completion, "sum",
                                                             {"language": "python"})  # fmt: skip
            assert nan["score"] != nan["score"] and nan["status"] == "infra"
            heal_workers(own_sandbox)
            again = client.grade(GradeRequest.model_validate(request("wrap32.py")))
            assert (again.status, again.verdict) == (Status.GRADED, "WA")  # not cached as infra
    finally:
        g.close()


def test_a_sandbox_failure_that_passes_is_retried(own_sandbox: LocalSandbox) -> None:
    g = Grader(Catalog.load(FIXTURES), own_sandbox, retries=2, retry_delay_s=0.01)
    try:
        assert g.grade(GradeRequest.model_validate(request("crash.py"))).verdict == "RE"
        for w in own_sandbox._all:  # the runner dies; the sandbox starts a new one on failure
            w.proc.kill()  # type: ignore[union-attr]
            w.proc.wait()  # type: ignore[union-attr]
        answer = g.grade(GradeRequest.model_validate(request("hog.py")))
        assert (answer.status, answer.verdict, answer.attempts) == (Status.GRADED, "MLE", 2)
    finally:
        g.close()

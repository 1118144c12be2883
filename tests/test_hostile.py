"""Hostile programs against every sandbox backend.

Each program gets the right verdict; a probe run before and after it on the same (single)
worker must observe the same box (no leftover process, file, IPC object or lost space); the
host is unaffected (no process of the sandbox's uids, no file written outside, none of the
box's work directories left behind).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cpsolve.languages import Language, language_of
from cpsolve.sandbox.base import Artifact, Job, Limits, ProcSpec, Sandbox, Stage, Verdict
from cpsolve.sandbox.factory import docker_is_ready, open_sandbox

HOSTILE = Path(__file__).parent / "hostile"
SECRET = b"host-secret-" + uuid.uuid4().hex.encode()
QUICK = Limits(cpu_s=0.5, wall_s=1.5, memory_mb=64, output_mb=1)

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")


def _require_docker() -> None:
    if docker_is_ready():
        return
    if os.environ.get("CPSOLVE_REQUIRE_DOCKER") == "1":
        pytest.fail("CPSOLVE_REQUIRE_DOCKER=1 but no Docker daemon with the sandbox image is ready")
    pytest.skip("no Docker daemon with the sandbox image")


@pytest.fixture(scope="module", params=["local", pytest.param("docker", marks=pytest.mark.docker)])
def box(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    if request.param == "docker":
        _require_docker()
    old = os.environ.get("CPSOLVE_CACHE")
    os.environ["CPSOLVE_CACHE"] = str(tmp_path_factory.mktemp("artifacts"))
    try:
        sb = open_sandbox(request.param, workers=1)
    finally:
        if old is None:
            os.environ.pop("CPSOLVE_CACHE", None)
        else:
            os.environ["CPSOLVE_CACHE"] = old
    with sb:
        yield sb


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """A directory on the host with a secret file that no program may read or change."""
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "secret.txt").chmod(0o644)
    tmp_path.chmod(0o777)
    return tmp_path


def compiled(sb: Sandbox, name: str) -> Artifact:
    path = HOSTILE / name
    art = sb.compile(path.read_text(), language_of(path))
    assert art.ok, art.message
    return art


def probe(sb: Sandbox) -> dict:
    """What a fresh run observes (a nonce input, so that dedup cannot answer from memory)."""
    [r] = sb.run_batch(compiled(sb, "probe.py"), [uuid.uuid4().bytes], Limits())
    assert r.verdict == Verdict.AC, r
    return json.loads(r.stdout or b"{}")


def same_box(before: dict, after: dict) -> None:
    assert after["uid"] != 0 and after["uid"] == before["uid"]
    assert after["cwd"] == [] and before["cwd"] == []
    for key in ("tmp", "shm", "processes", "ipc"):
        assert after[key] == before[key], key
    assert abs(after["free_mb"] - before["free_mb"]) < 8


def pool_uids(sb: Sandbox) -> set[int]:
    uids: set[int] = set()
    for w in getattr(sb, "_all", []):
        first, last = (int(x) for x in w.uids.split("-"))
        uids.update(range(first, last + 1))
    return uids


def host_processes_of(uids: set[int]) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("Uid:") and int(line.split()[1]) in uids:
                found.append(int(pid))
    return found


def leftover_work_dirs(sb: Sandbox) -> list[str]:
    """Work directories still inside the local boxes (seen through /proc/PID/root)."""
    left = []
    for w in getattr(sb, "_all", []):
        box_dir = Path(f"/proc/{w.proc.pid}/root/tmp/cps/box")
        for pid in _descendants(w.proc.pid):
            candidate = Path(f"/proc/{pid}/root/tmp/cps/box")
            if candidate.is_dir():
                box_dir = candidate
                break
        if box_dir.is_dir():
            left += os.listdir(box_dir)
    return left


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(pid))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def host_unaffected(sb: Sandbox, host: Path) -> None:
    assert (host / "secret.txt").read_bytes() == SECRET
    assert sorted(p.name for p in host.iterdir()) == ["secret.txt"]
    assert not Path("/tmp/cpsolve-hostile-marker").exists()
    assert not Path("/cpsolve-hostile-marker").exists()
    if sb.name == "local":
        assert host_processes_of(pool_uids(sb)) == []
        assert leftover_work_dirs(sb) == []


CASES = [
    # name, limits, expected verdicts
    ("fork_bomb.cpp", QUICK.model_copy(update={"processes": 8}), {Verdict.TLE}),
    ("thread_bomb.cpp", QUICK, {Verdict.RE}),
    ("memory_bomb.cpp", QUICK, {Verdict.MLE}),
    ("infinite_loop.cpp", QUICK, {Verdict.TLE}),
    ("sleep_forever.cpp", QUICK, {Verdict.TLE}),
    ("stop_self.cpp", QUICK, {Verdict.TLE}),
    ("stdout_flood.cpp", QUICK, {Verdict.OLE}),
    ("stderr_flood.cpp", QUICK, {Verdict.OLE}),
    ("kill_all.cpp", QUICK.model_copy(update={"processes": 4}), {Verdict.AC}),
    ("daemon.cpp", QUICK.model_copy(update={"processes": 4}), {Verdict.AC}),
    ("ipc_persist.cpp", QUICK, {Verdict.AC}),
    ("network.py", Limits(cpu_s=2, wall_s=8), {Verdict.AC}),
    ("read_host.py", Limits(), {Verdict.AC}),
    ("write_outside.py", Limits(), {Verdict.AC}),
    ("huge_env.py", Limits(memory_mb=512), {Verdict.AC}),
    # a full disk is a runtime error; a box with a big scratch disk may run out of time first
    ("disk_fill.py", Limits(cpu_s=4, wall_s=10), {Verdict.RE, Verdict.TLE}),
]
FORBIDDEN = (b"CONNECTED", b"LEAKED", b"WROTE", b"LINKED", SECRET, b"root:x:0:0")


@pytest.mark.parametrize(("name", "limits", "verdicts"), CASES, ids=[c[0] for c in CASES])
def test_hostile_program(
    box: Sandbox, host: Path, name: str, limits: Limits, verdicts: set[Verdict]
) -> None:
    before = probe(box)
    args = [str(host / "secret.txt")] if name == "read_host.py" else [str(host)]
    [r] = box.run_batch(compiled(box, name), [uuid.uuid4().bytes], limits, args=args)
    assert r.verdict in verdicts, r
    for word in FORBIDDEN:
        assert word not in (r.stdout or b"") + r.stderr, word
    if name == "kill_all.cpp":
        assert r.stdout == b"alive\n"
    same_box(before, probe(box))
    host_unaffected(box, host)


def test_daemon_cannot_reach_the_next_runs(box: Sandbox, host: Path) -> None:
    daemon = compiled(box, "daemon.cpp")
    limits = QUICK.model_copy(update={"processes": 4})
    box.run_batch(daemon, [uuid.uuid4().bytes], limits)
    for _ in range(5):  # the runs right after it get the work directories it aimed at
        after = probe(box)
        assert after["cwd"] == [] and "daemon" not in after["processes"]
    host_unaffected(box, host)


def test_huge_argv_from_the_caller_is_contained(box: Sandbox, host: Path) -> None:
    before = probe(box)
    art = compiled(box, "probe.py")
    [fits] = box.run_batch(art, [b""], Limits(), args=["x" * 100_000] * 20)
    [many] = box.run_batch(art, [b""], Limits(), args=["y"] * 20_000)
    assert many.verdict == Verdict.AC, many
    [too_big] = box.run_batch(art, [b""], Limits(), args=["x" * 100_000] * 80)
    assert fits.verdict == Verdict.AC, fits
    assert too_big.verdict == Verdict.SE and too_big.stderr, too_big
    same_box(before, probe(box))
    host_unaffected(box, host)


def test_planted_symlinks_are_not_followed(box: Sandbox, host: Path) -> None:
    """In its own work directory the contestant plants links (removal must not follow them);
    in a job it cannot plant at all; a trusted stage that plants them (a buggy grader) has them
    removed before the next stage and never collected."""
    before = probe(box)
    planter = compiled(box, "planter.py")
    [alone] = box.run_batch(planter, [uuid.uuid4().bytes], Limits(), args=[str(host / "x")])
    assert alone.verdict == Verdict.AC and (alone.stdout or b"").count(b"planted") == 4, alone
    host_unaffected(box, host)
    stages = [
        Stage(procs=[ProcSpec(name="contestant", program=planter.key, args=[str(host / "y")])]),
        Stage(
            procs=[
                ProcSpec(name="grader", program=planter.key, args=[str(host / "x")], trusted=True)
            ]
        ),
        Stage(
            procs=[
                ProcSpec(name="reader", args=["cat", "answer.txt"], trusted=True),
                ProcSpec(
                    name="writer",
                    args=["cp", "/etc/hostname", "out.txt"],
                    stdout="file:secret.txt",
                    trusted=True,
                ),
            ]
        ),
    ]
    collect = ["answer.txt", "secret.txt", "root", "out.txt", "hard.txt"]
    res = box.run_job(Job(stages=stages, collect=collect))
    assert res.proc("contestant").stdout.count(b"refused") == 5
    assert res.proc("grader").stdout.count(b"planted") == 4
    everything = b"".join(p.stdout + p.stderr for p in res.procs) + b"".join(res.files.values())
    for word in FORBIDDEN:
        assert word not in everything, word
    assert res.proc("reader").verdict == Verdict.RE  # answer.txt was a link: it is gone
    assert set(res.files) <= {"out.txt", "secret.txt"}
    assert not (host / "x").exists() and not (host / "y").exists()
    same_box(before, probe(box))
    host_unaffected(box, host)


@pytest.mark.parametrize(
    "name", ["template_depth.cpp", "include_urandom.cpp", "huge_object.cpp", "constexpr_bomb.cpp"]
)
def test_compile_time_bombs(box: Sandbox, host: Path, name: str) -> None:
    before = probe(box)
    art = box.compile((HOSTILE / name).read_text(), Language.CPP)
    assert not art.ok and art.message
    same_box(before, probe(box))
    host_unaffected(box, host)


def test_contestant_cannot_read_the_judges_files(box: Sandbox, host: Path) -> None:
    snoop = compiled(box, "snoop.py")
    log = "open('judge_log.txt', 'w').write('judge-log-secret')"
    job = Job(
        files={"answer.txt": SECRET, "input.txt": b"hidden input " + SECRET},
        stages=[
            Stage(procs=[ProcSpec(name="judge", args=["python3", "-c", log], trusted=True)]),
            Stage(procs=[ProcSpec(name="snoop", program=snoop.key)]),
            Stage(procs=[ProcSpec(name="checker", args=["cat", "answer.txt"], trusted=True)]),
        ],
        collect=["planted.txt"],
    )
    res = box.run_job(job)
    seen = res.proc("snoop").stdout
    assert res.proc("snoop").verdict == Verdict.AC
    assert seen.count(b"refused") == 4, seen
    assert SECRET not in seen and b"judge-log-secret" not in seen
    assert res.proc("checker").stdout == SECRET  # the trusted checker still reads the answer
    assert res.files == {}
    host_unaffected(box, host)


# ---- issue 15: escapes and leaks found by a red-team pass


def test_keyrings_and_namespaces_are_out_of_reach(box: Sandbox, host: Path) -> None:
    """No session keyring to read, no key that outlives the run, no namespace of its own."""
    before = probe(box)
    keyring = compiled(box, "keyring.py")
    for _ in range(2):  # a key planted by the first run would show in the second
        [r] = box.run_batch(keyring, [uuid.uuid4().bytes], Limits(processes=4))
        assert r.verdict == Verdict.AC, r
        lines = (r.stdout or b"").decode().splitlines()
        assert len(lines) == 11 and all(line.endswith(" refused") for line in lines), lines
    # side by side in a job: instances with namespaces of their own and a trusted process
    # (started by the runner's other launcher, which filters each process itself)
    limits = Limits(processes=4)
    procs = [ProcSpec(name=f"instance{i}", program=keyring.key, limits=limits) for i in (1, 2)]
    procs.append(ProcSpec(name="grader", program=keyring.key, limits=limits, trusted=True))
    res = box.run_job(Job(stages=[Stage(procs=procs)]))
    for p in res.procs:
        lines = p.stdout.decode().splitlines()
        assert p.verdict == Verdict.AC and len(lines) == 11, (p.name, p)
        assert all(line.endswith(" refused") for line in lines), (p.name, lines)
    same_box(before, probe(box))
    host_unaffected(box, host)


def test_sysv_segments_die_with_their_run(box: Sandbox, host: Path) -> None:
    """512 MiB in detached segments under a 256 MB limit: nothing of it reaches the next run."""
    before = probe(box)
    hoard = compiled(box, "shm_hoard.cpp")
    limits = Limits(cpu_s=4, wall_s=12, memory_mb=256)
    first, second = (box.run_batch(hoard, [uuid.uuid4().bytes], limits)[0] for _ in range(2))
    for r in (first, second):
        assert r.verdict in (Verdict.AC, Verdict.MLE, Verdict.TLE), r
        assert b"LEAKED" not in (r.stdout or b""), r.stdout
    assert b"kept" in (first.stdout or b"") + (second.stdout or b"")
    same_box(before, probe(box))
    host_unaffected(box, host)


def test_a_tree_that_breaks_recursive_removal_is_cleaned(box: Sandbox, host: Path) -> None:
    """2000 nested directories, an unsearchable one, a file held open by a living child: every
    input of the batch is judged on what it did, and the next run finds a clean box."""
    before = probe(box)
    deep = compiled(box, "deep_dir.py")
    limits = Limits(cpu_s=4, wall_s=12, processes=4)
    results = box.run_batch(deep, [uuid.uuid4().bytes for _ in range(3)], limits)
    for r in results:
        assert r.verdict == Verdict.AC and r.stdout == b"clean\nmade\n", r
    same_box(before, probe(box))
    host_unaffected(box, host)


TWINS = [
    # (language, wrong twin, right twin, the right twin's output): each pair differs only where
    # a normaliser would be tempted to look away
    (Language.CPP, '#include <cstdio>\nint main() { puts("a b"); }\n',
     '#include <cstdio>\nint main() { puts("a  b"); }\n', b"a  b\n"),
    (Language.CPP, '#include <cstdio>\nint main() { int x = 1; // x \\\nx = 2;\n'
     'printf("%d\\n", x); }\n', '#include <cstdio>\nint main() { int x = 1; // x\nx = 2;\n'
     'printf("%d\\n", x); }\n', b"2\n"),
    (Language.CPP, '#include <cstdio>\n// one\nint main() { printf("%d\\n", __LINE__); }\n',
     '#include <cstdio>\nint main() { printf("%d\\n", __LINE__); }\n', b"2\n"),
    (Language.PYTHON, '# -*- coding: latin-1 -*-\nprint(len("\u00e9"))\n',
     'print(len("\u00e9"))\n', b"1\n"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "wrong", "right", "out"), TWINS)
def test_a_program_judged_after_its_wrong_twin_runs_itself(
    box: Sandbox, language: Language, wrong: str, right: str, out: bytes
) -> None:
    from cpsolve.sample.stage import program_sha

    assert program_sha(wrong, language) != program_sha(right, language)
    arts = [box.compile(src, language) for src in (wrong, right)]
    assert all(a.ok for a in arts) and arts[0].key != arts[1].key
    [w], [r] = (box.run_batch(a, [b""], Limits()) for a in arts)
    assert (w.stdout, r.stdout) != (out, out) and r.stdout == out and r.verdict == Verdict.AC


WHISPER = HOSTILE / "whisper"
RELAY_FIFO = Path(__file__).parent / "fixtures" / "judge" / "relay-fifo"


def test_communication_instances_cannot_talk_past_the_manager(box: Sandbox, host: Path) -> None:
    """Copy 0 hands a bit to copy 1 through an abstract socket, SysV memory, shared files or the
    other copy's FIFO: every way fails and the sneak scores 0; the honest pair scores 100."""
    from cpsolve.judge.scoring import judge_program
    from cpsolve.judge.tasktypes import task_type_for
    from cpsolve.judge.tasktypes.results import Case
    from cpsolve.judge.testdata import TestData
    from cpsolve.problem import load_problem

    problem = load_problem(WHISPER)
    data = TestData(problem, box, root=host / "testdata")
    scores = {}
    for ref in problem.reference_solutions:
        source = problem.path(ref.path).read_text()
        scores[ref.path] = judge_program(problem, source, ref.language, box, data=data).score
    assert scores == {"solutions/honest.py": 100, "solutions/sneak.py": 0}
    runner = task_type_for(problem, box)
    sneak = compiled(box, "whisper/solutions/sneak.py")
    done = box.run_job(runner.job(sneak, Case(name="one", input=b"1\n", answer=b"")))
    said = b"".join(p.stdout + p.stderr for p in done.procs)
    assert b"LEAKED" not in said, said
    shutil.rmtree(host / "testdata", ignore_errors=True)
    host_unaffected(box, host)


def test_a_program_that_leaves_before_opening_its_fifos_is_judged(box: Sandbox, host: Path) -> None:
    """A CMS manager blocked opening a FIFO the program never opened sees the program gone
    and judges it (an empty answer), instead of waiting out its wall-clock limit and failing
    as the judge's side (SE); the honest program still earns its points."""
    from cpsolve.judge.scoring import judge_program
    from cpsolve.judge.tasktypes import task_type_for
    from cpsolve.judge.tasktypes.results import Case
    from cpsolve.judge.testdata import TestData
    from cpsolve.problem import load_problem

    problem = load_problem(RELAY_FIFO)
    data = TestData(problem, box, root=host / "testdata")
    verdicts = {}
    for ref in problem.reference_solutions:
        source = problem.path(ref.path).read_text()
        result = judge_program(problem, source, ref.language, box, data=data)
        verdicts[ref.path] = {str(t.verdict) for t in result.tests}
    assert verdicts == {"solutions/relay_sum.py": {"AC"}, "solutions/quits.py": {"PV"}}
    runner = task_type_for(problem, box)
    quits = box.compile((RELAY_FIFO / "solutions/quits.py").read_text(), Language.PYTHON)
    done = box.run_job(runner.job(quits, Case(name="one", input=b"1\n5\n", answer=b"")))
    assert done.error is None, done.error
    assert done.proc("manager").verdict == Verdict.AC
    shutil.rmtree(host / "testdata", ignore_errors=True)
    host_unaffected(box, host)

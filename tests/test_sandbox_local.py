"""The local sandbox backend: compile, run_batch, run_job, verdicts, caches."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cpsolve.languages import Language
from cpsolve.sandbox.base import Job, Limits, ProcSpec, Sandbox, Stage, Verdict
from cpsolve.sandbox.local import LocalSandbox
from cpsolve.sandbox.runner import launch, server
from cpsolve.source import normalise_source

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="needs g++")

SUM_CPP = """
#include <bits/stdc++.h>
int main() { long long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }
"""


@pytest.fixture(scope="module")
def sb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSandbox]:
    with LocalSandbox(workers=2, cache_dir=tmp_path_factory.mktemp("cache")) as box:
        yield box


def py(sb: LocalSandbox, source: str):
    art = sb.compile(source, Language.PYTHON)
    assert art.ok, art.message
    return art


def test_is_a_sandbox(sb: LocalSandbox) -> None:
    assert isinstance(sb, Sandbox)
    assert sb.mode == "bwrap" or shutil.which("bwrap") is None


def test_cpp_batch_gives_each_input_its_answer(sb: LocalSandbox) -> None:
    art = sb.compile(SUM_CPP, Language.CPP)
    assert art.ok, art.message
    inputs = [f"{i} {10 * i}\n".encode() for i in range(30)]
    results = sb.run_batch(art, inputs, Limits())
    assert [r.stdout for r in results] == [f"{11 * i}\n".encode() for i in range(30)]
    assert all(r.verdict == Verdict.AC and r.exit_code == 0 for r in results)
    assert all(r.cpu_s < 1 and r.memory_mb > 0 for r in results)


def test_keep_output_false_still_gives_the_hash(sb: LocalSandbox) -> None:
    art = sb.compile(SUM_CPP, Language.CPP)
    [kept] = sb.run_batch(art, [b"2 3"], Limits())
    [hashed] = sb.run_batch(art, [b"2 3"], Limits(), keep_output=False)
    assert hashed.stdout is None and hashed.stdout_sha == kept.stdout_sha != ""


def test_compile_error_carries_the_message(sb: LocalSandbox) -> None:
    art = sb.compile("int main() { return undeclared_name; }", Language.CPP)
    assert not art.ok and "undeclared_name" in art.message
    assert sb.run_batch(art, [b""], Limits())[0].verdict == Verdict.CE
    bad = sb.compile("def f(:\n  pass\n", Language.PYTHON)
    assert not bad.ok and "SyntaxError" in bad.message


def test_an_artifact_is_keyed_by_the_exact_source(sb: LocalSandbox) -> None:
    """A comment can change a binary (__LINE__): only the same text shares an artifact."""
    a = sb.compile(SUM_CPP, Language.CPP)
    b = sb.compile("// a comment\n" + SUM_CPP, Language.CPP)
    c = sb.compile(SUM_CPP.replace('"\\n"', '"\\n "'), Language.CPP)
    assert a.key == sb.compile(SUM_CPP, Language.CPP).key
    assert len({a.key, b.key, c.key}) == 3


def test_normalise_keeps_strings_and_drops_comments() -> None:
    src = 'int main(){ puts("// not a comment"); } // real comment\n'
    norm = normalise_source(src, Language.CPP)
    assert '"// not a comment"' in norm and "real comment" not in norm
    assert normalise_source("x = 1  # hi\n\n\ny = '#'\n", Language.PYTHON) == normalise_source(
        "x = 1\ny = '#'\n", Language.PYTHON
    )


@pytest.mark.parametrize(
    ("source", "limits", "verdict"),
    [
        ("import sys\nsys.exit(3)\n", Limits(), Verdict.RE),
        ("while True:\n    pass\n", Limits(cpu_s=0.5), Verdict.TLE),
        ("import time\ntime.sleep(60)\n", Limits(cpu_s=0.5, wall_s=1.0), Verdict.TLE),
        ("x = bytearray(400 << 20)\n", Limits(memory_mb=128), Verdict.MLE),
        (
            "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n",
            Limits(output_mb=1),
            Verdict.OLE,
        ),
    ],
)
def test_resource_verdicts(sb: LocalSandbox, source: str, limits: Limits, verdict: Verdict) -> None:
    [r] = sb.run_batch(py(sb, source), [b""], limits)
    assert r.verdict == verdict, r


def test_runtime_error_reports_exit_code_and_stderr(sb: LocalSandbox) -> None:
    [r] = sb.run_batch(
        py(sb, "import sys\nprint('boom', file=sys.stderr)\nsys.exit(3)\n"), [b""], Limits()
    )
    assert r.exit_code == 3 and r.stderr == b"boom\n"


def test_identical_runs_execute_once(sb: LocalSandbox) -> None:
    art = py(sb, "import os\nprint(os.urandom(8).hex())\n")
    first = sb.run_batch(art, [b"same", b"same", b"other"], Limits())
    again = sb.run_batch(art, [b"same"], Limits())
    assert first[0].stdout == first[1].stdout == again[0].stdout != first[2].stdout


def test_interactor_and_program_talk_through_fifos(sb: LocalSandbox) -> None:
    interactor = py(
        sb,
        "total = 0\nfor i in range(5):\n    print(i, flush=True)\n    total += int(input())\n"
        "open('score.txt', 'w').write(str(total))\n",
    )
    program = py(sb, "for _ in range(5):\n    print(2 * int(input()), flush=True)\n")
    job = Job(
        fifos=["to_prog", "to_inter"],
        stages=[
            Stage(
                procs=[
                    ProcSpec(
                        name="interactor",
                        program=interactor.key,
                        stdin="fifo:to_inter",
                        stdout="fifo:to_prog",
                        trusted=True,
                    ),
                    ProcSpec(
                        name="program",
                        program=program.key,
                        stdin="fifo:to_prog",
                        stdout="fifo:to_inter",
                    ),
                ]
            ),
            Stage(procs=[ProcSpec(name="reader", args=["cat", "score.txt"], trusted=True)]),
        ],
        collect=["score.txt"],
    )
    res = sb.run_job(job)
    assert res.error is None
    assert [p.verdict for p in res.procs] == [Verdict.AC] * 3
    assert res.proc("reader").stdout == b"20"
    assert res.files == {"score.txt": b"20"}


def test_a_program_waits_for_a_manager_started_after_it(sb: LocalSandbox) -> None:
    """The program's input is a FIFO that a trusted manager, listed after it, opens by name (as
    CMS managers do): the program's start waits for that open, the manager's start does not."""
    manager = py(sb, "import sys\nwith open(sys.argv[1], 'w') as f:\n    f.write('7 35\\n')\n")
    program = py(sb, "a, b = map(int, input().split())\nprint(a + b)\n")
    job = Job(
        fifos=["to_prog"],
        stages=[
            Stage(
                procs=[
                    ProcSpec(name="program", program=program.key, stdin="fifo:to_prog"),
                    ProcSpec(name="manager", program=manager.key, args=["to_prog"], trusted=True),
                ]
            )
        ],
    )
    res = sb.run_job(job)
    assert res.error is None
    assert [p.verdict for p in res.procs] == [Verdict.AC] * 2, res.procs
    assert res.proc("program").stdout == b"42\n"


def test_later_stage_skipped_after_failure(sb: LocalSandbox) -> None:
    crash = py(sb, "raise SystemExit(1)\n")
    job = Job(
        input=b"hello",
        stages=[
            Stage(procs=[ProcSpec(name="p", program=crash.key, stdin="input")]),
            Stage(procs=[ProcSpec(name="never", args=["true"])]),
        ],
    )
    res = sb.run_job(job)
    assert [p.name for p in res.procs] == ["p"] and res.procs[0].verdict == Verdict.RE


def test_job_files_input_and_file_streams(sb: LocalSandbox) -> None:
    upper = py(sb, "import sys\nsys.stdout.write(sys.stdin.read().upper())\n")
    job = Job(
        files={"data.txt": b"from a file"},
        input=b"from input",
        stages=[
            Stage(
                procs=[
                    ProcSpec(name="a", program=upper.key, stdin="input", stdout="file:a.out"),
                    ProcSpec(name="b", program=upper.key, stdin="file:data.txt"),
                ]
            )
        ],
        collect=["a.out", "missing"],
    )
    res = sb.run_job(job)
    assert res.files == {"a.out": b"FROM INPUT"}
    assert res.proc("b").stdout == b"FROM A FILE"


def test_trusted_process_over_its_limits_is_a_sandbox_error(sb: LocalSandbox) -> None:
    spin = py(sb, "while True:\n    pass\n")
    job = Job(
        stages=[
            Stage(
                procs=[
                    ProcSpec(
                        name="checker", program=spin.key, trusted=True, limits=Limits(cpu_s=0.3)
                    )
                ]
            )
        ]
    )
    res = sb.run_job(job)
    assert res.procs[0].verdict == Verdict.SE and res.error


def test_close_stops_the_workers(tmp_path: Path) -> None:
    box = LocalSandbox(workers=1, cache_dir=tmp_path)
    procs = [w.proc for w in box._all]
    with box:
        art = box.compile("print(1)\n", Language.PYTHON)
        assert box.run_batch(art, [b""], Limits())[0].stdout == b"1\n"
    assert all(p is not None and p.poll() is not None for p in procs)


def test_compiled_artifacts_survive_in_the_disk_cache(tmp_path: Path) -> None:
    with LocalSandbox(workers=1, cache_dir=tmp_path) as first:
        art = first.compile(SUM_CPP, Language.CPP)
    with LocalSandbox(workers=1, cache_dir=tmp_path) as second:
        again = second.compile(SUM_CPP, Language.CPP)
        assert again == art  # same key, same recorded compile time: it was not compiled again
        assert second.run_batch(again, [b"40 2"], Limits())[0].stdout == b"42\n"
    [binary] = tmp_path.rglob("files/*.z")
    whole = binary.read_bytes()
    assert len(whole) > 4096
    binary.write_bytes(whole[:4096])  # a truncated entry is compiled again
    with LocalSandbox(workers=1, cache_dir=tmp_path) as third:
        remade = third.compile(SUM_CPP, Language.CPP)
        assert remade.key == art.key
        assert third.run_batch(remade, [b"40 2"], Limits())[0].stdout == b"42\n"
    # compiled again and stored whole (not: a compile time that differs, which two compiles
    # on an idle machine can share to the millisecond)
    [entry] = tmp_path.rglob("files/*.z")
    assert len(entry.read_bytes()) > 4096


def test_many_batches_in_flight(sb: LocalSandbox) -> None:
    art = sb.compile(SUM_CPP, Language.CPP)

    def batch(k: int) -> list[bytes | None]:
        inputs = [f"{k} {i}".encode() for i in range(12)]
        return [r.stdout for r in sb.run_batch(art, inputs, Limits())]

    with ThreadPoolExecutor(6) as pool:
        outs = list(pool.map(batch, range(6)))
    assert outs == [[f"{k + i}\n".encode() for i in range(12)] for k in range(6)]


def test_runner_without_a_c_compiler_uses_the_python_launcher() -> None:
    root = tempfile.mkdtemp(prefix="cpsolve-runner-test-")  # pool uids must reach their dirs
    os.chmod(root, 0o711)
    try:
        _python_launcher_runs(root)
    finally:
        shutil.rmtree(root)


def _python_launcher_runs(root: str) -> None:
    r = server.Runner(os.path.join(root, "state"), (164000, 164003), 64)
    r.launcher = launch.ExecLauncher([sys.executable, "-I", launch.ENTRY, "--launch"])
    r.store.put(
        "k", "python", "main.py", {"main.py": b"import sys\nprint(sys.stdin.read()[::-1])\n"}
    )
    limits = {**Limits().model_dump(), "wall_s": 5.0}
    [ok] = r.op_run_batch({"key": "k", "inputs": ["YWJj"], "limits": limits})["results"]
    assert ok["verdict"] == "AC", ok
    assert base64.b64decode(ok["stdout"]) == b"cba\n"
    r.store.put("t", "python", "main.py", {"main.py": b"while True: pass\n"})
    quick = {**limits, "cpu_s": 0.3, "wall_s": 1.0}
    [tle] = r.op_run_batch({"key": "t", "inputs": [""], "limits": quick})["results"]
    assert tle["verdict"] == "TLE"


def test_the_runner_starts_as_a_plain_file_without_cpsolve(tmp_path: Path) -> None:
    """The box has no cpsolve: a copy of the runner directory alone answers ping over stdin."""
    copy = tmp_path / "runner"
    shutil.copytree(
        Path(server.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    state = tmp_path / "state"
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            str(copy / "__main__.py"),
            "--root",
            str(state),
            "--uids",
            "164004-164007",
        ],
        input=b'{"id": 7, "op": "ping"}\n{"id": 8, "op": "shutdown"}\n',
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    ping, bye = (json.loads(line) for line in done.stdout.splitlines())
    assert ping["id"] == 7 and ping["ok"] and ping["version"] == 1 and "cpp" in ping["flags"]
    assert bye == {"id": 8, "ok": True}
    assert (state / "launcher").is_file()  # launcher.c compiled into the state directory


def test_auto_says_which_backend_it_took(capsys: pytest.CaptureFixture[str]) -> None:
    from cpsolve.sandbox.factory import open_sandbox

    with open_sandbox("auto", workers=1) as box:
        line = capsys.readouterr().err.strip()
        assert line.startswith(f"sandbox: {box.name} (")


def test_unknown_backend_is_a_user_error() -> None:
    from cpsolve.errors import UserError
    from cpsolve.sandbox.factory import open_sandbox

    with pytest.raises(UserError):
        open_sandbox("podman", workers=1)  # type: ignore[arg-type]


def test_cpu_time_counts_the_whole_process_tree(sb: LocalSandbox) -> None:
    src = (
        "import os, time\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    while time.process_time() < 0.4:\n"
        "        pass\n"
        "    os._exit(0)\n"
        "os.waitpid(pid, 0)\n"
    )
    [r] = sb.run_batch(py(sb, src), [b""], Limits(cpu_s=2, processes=2))
    assert r.verdict == Verdict.AC and r.cpu_s >= 0.4, r


def test_peak_memory_is_the_programs_own(sb: LocalSandbox) -> None:
    small = sb.compile(SUM_CPP, Language.CPP)
    [tiny] = sb.run_batch(small, [b"1 2"], Limits())
    [big] = sb.run_batch(py(sb, "x = b'm' * (100 << 20)\n"), [b""], Limits())
    assert 0 < tiny.memory_mb < 8, tiny
    assert 100 <= big.memory_mb < 160, big


@pytest.mark.parametrize(
    "source",
    [
        "int a[400000000]; int main() { return a[5]; }",  # 1.6 GB of BSS: the exec itself fails
        "#include <vector>\nint main() { std::vector<int> v(400000000, 1); return v[7] - 1; }",
    ],
)
def test_memory_over_the_limit_is_mle(sb: LocalSandbox, source: str) -> None:
    art = sb.compile(source, Language.CPP)
    assert art.ok, art.message
    [r] = sb.run_batch(art, [b""], Limits(memory_mb=256))
    assert r.verdict == Verdict.MLE, r


def test_a_dead_worker_is_replaced(tmp_path: Path) -> None:
    with LocalSandbox(workers=1, cache_dir=tmp_path) as box:
        art = box.compile(SUM_CPP, Language.CPP)
        [worker] = box._all
        assert worker.proc is not None
        worker.proc.kill()
        worker.proc.wait()
        [lost] = box.run_batch(art, [b"1 1"], Limits())
        assert lost.verdict == Verdict.SE  # never blamed on the program
        [fine] = box.run_batch(art, [b"1 1"], Limits())
        assert fine.verdict == Verdict.AC and fine.stdout == b"2\n"


# ------------------------------------------------------------ precompiled bits/stdc++.h

TEMPLATE_ERROR_CPP = """
#include <bits/stdc++.h>
int main() { std::vector<int> v; v.push_back("not an int"); }
"""


@pytest.fixture(scope="module")
def pch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cpsolve.sandbox.local import ensure_pch

    built = ensure_pch(tmp_path_factory.mktemp("pch"))
    assert built is not None and (built / "bits" / "stdc++.h.gch").is_file()
    return built


def _pch_copy(pch_dir: Path, dest: Path, header: bytes | None, gch: bytes | None) -> Path:
    """A copy of the PCH dir with the header text and/or the .gch replaced."""
    (dest / "bits").mkdir(parents=True)
    shutil.copy(pch_dir / "pch.json", dest / "pch.json")
    for name, data in (("stdc++.h", header), ("stdc++.h.gch", gch)):
        if data is None:
            shutil.copy(pch_dir / "bits" / name, dest / "bits" / name)
        else:
            (dest / "bits" / name).write_bytes(data)
    return dest


def test_pch_program_compiles_and_runs(pch_dir: Path, tmp_path: Path) -> None:
    with LocalSandbox(workers=1, cache_dir=tmp_path, pch_dir=pch_dir) as box:
        assert box.pch is not None
        art = box.compile(SUM_CPP, Language.CPP)
        assert art.ok, art.message
        assert box.run_batch(art, [b"40 2"], Limits())[0].stdout == b"42\n"


WHICH_HEADER_CPP = """
#include <bits/stdc++.h>
int main() {
#ifdef CPSOLVE_HEADER_TEXT_READ
  std::puts("text");
#else
  std::puts("pch");
#endif
}
"""


def _marked_header(pch_dir: Path) -> bytes:
    text = (pch_dir / "bits" / "stdc++.h").read_bytes()
    return text + b"\n#define CPSOLVE_HEADER_TEXT_READ 1\n"


@pytest.mark.parametrize("gch", ["valid", "junk"])
def test_pch_is_really_used(pch_dir: Path, tmp_path: Path, gch: str) -> None:
    # The PCH dir's header text defines a marker the .gch (built from the real header) lacks:
    # a valid .gch is taken instead of the text; a junk one (gcc ignores it) shows that the
    # text of the PCH dir's header is what gcc would otherwise read.
    junk = b"not a precompiled header" if gch == "junk" else None
    marked = _pch_copy(pch_dir, tmp_path / "marked", _marked_header(pch_dir), junk)
    with LocalSandbox(workers=1, cache_dir=tmp_path / "c", pch_dir=marked) as box:
        assert box.pch is not None
        art = box.compile(WHICH_HEADER_CPP, Language.CPP)
        assert art.ok, art.message
        want = b"pch\n" if gch == "valid" else b"text\n"
        assert box.run_batch(art, [b""], Limits())[0].stdout == want
        plain = '#include <cstdio>\nint main() { std::puts("plain"); }\n'
        other = box.compile(plain, Language.CPP)  # no bits/stdc++.h: compiled as before
        assert box.run_batch(other, [b""], Limits())[0].stdout == b"plain\n"


def test_compile_error_message_is_unchanged_by_the_pch(pch_dir: Path, tmp_path: Path) -> None:
    messages = []
    for use in (True, False):
        with LocalSandbox(workers=1, cache_dir=tmp_path / str(use), pch=use, pch_dir=pch_dir) as b:
            assert (b.pch is not None) == use
            art = b.compile(TEMPLATE_ERROR_CPP, Language.CPP)
            assert not art.ok
            messages.append(art.message)
    assert "push_back" in messages[0] and "bits/stdc++.h" in messages[0]
    assert messages[0] == messages[1]


@pytest.mark.parametrize("broken", ["missing", "junk-gch"])
def test_compiles_without_a_usable_pch(pch_dir: Path, tmp_path: Path, broken: str) -> None:
    if broken == "missing":
        where = tmp_path / "no-such-dir"
    else:  # the stamp matches but gcc finds no PCH in the .gch: it reads the header instead
        where = _pch_copy(pch_dir, tmp_path / "junk", None, b"not a precompiled header")
    with LocalSandbox(workers=1, cache_dir=tmp_path / "c", pch_dir=where) as box:
        assert (box.pch is None) == (broken == "missing")
        art = box.compile(SUM_CPP, Language.CPP)
        assert art.ok, art.message
        assert box.run_batch(art, [b"5 6"], Limits())[0].stdout == b"11\n"
        bad = box.compile(TEMPLATE_ERROR_CPP, Language.CPP)
        assert not bad.ok and "push_back" in bad.message and ".gch" not in bad.message

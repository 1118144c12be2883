"""Clean-up that cannot be broken (issue 15): the runner's `remove_tree` on real trees, and a box
that cannot be restored clean: the worker is replaced and the batch's other inputs run on a clean
one, each judged on what it did (never SE)."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from cpsolve.languages import Language
from cpsolve.sandbox.base import Limits, Verdict
from cpsolve.sandbox.local import LocalSandbox
from cpsolve.sandbox.runner.cleanup import CleanupError, remove_tree

HOSTILE = Path(__file__).parent / "hostile"
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="mounts need root")


def test_remove_tree_takes_any_depth_and_unsearchable_directories(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    top = tmp_path / "box"
    here = top
    for i in range(3000):  # deeper than Python's recursion limit and than PATH_MAX
        here.mkdir()
        if i == 10:
            (here / "link").symlink_to(tmp_path)
            (here / "file").symlink_to(outside)
        os.chdir(here)
        here = Path("d")
    os.chdir(tmp_path)
    (top / "shut").mkdir()
    (top / "shut" / "inner").mkdir()
    (top / "shut" / "inner" / "f").write_text("x")
    (top / "shut" / "inner").chmod(0)
    (top / "shut").chmod(0)
    remove_tree(str(top))
    assert not top.exists() and outside.read_text() == "keep me"


@root_only
def test_remove_tree_says_when_it_cannot(tmp_path: Path) -> None:
    busy = tmp_path / "box" / "busy"
    busy.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "none", str(busy)], check=True)
    try:
        with pytest.raises(CleanupError):
            remove_tree(str(tmp_path / "box"))
    finally:
        subprocess.run(["umount", "-l", str(busy)], check=False)


@root_only
@pytest.mark.filterwarnings("ignore:bubblewrap:RuntimeWarning")  # mode none: the root is visible
def test_a_box_that_cannot_be_cleaned_is_replaced_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory mounted over inside the work directory (no program can do that: the test
    stands in for any clean-up failure) makes the worker dirty; the other inputs of the batch
    are run on a fresh worker."""
    monkeypatch.setenv("CPSOLVE_CACHE", str(tmp_path / "cache"))
    with LocalSandbox(workers=1, mode="none", pch=False) as sb:
        [worker] = sb._all
        first_pid = worker.proc.pid  # type: ignore[attr-defined]
        root = Path(worker.root)  # type: ignore[attr-defined]
        mounted: list[Path] = []
        stop = threading.Event()

        def mount_when_made() -> None:
            while not stop.is_set() and not mounted:
                for m in root.glob("box/w*/m"):
                    subprocess.run(["mount", "-t", "tmpfs", "none", str(m)], check=True)
                    mounted.append(m)
                time.sleep(0.02)

        art = sb.compile((HOSTILE / "wait_for_mount.py").read_text(), Language.PYTHON)
        watcher = threading.Thread(target=mount_when_made)
        watcher.start()
        try:
            results = sb.run_batch(art, [b"mount", b"a", b"b"], Limits(cpu_s=5, wall_s=25))
        finally:
            stop.set()
            watcher.join()
            for m in mounted:
                subprocess.run(["umount", "-l", str(m)], check=False)
            shutil.rmtree(root, ignore_errors=True)
        assert [r.verdict for r in results] == [Verdict.AC] * 3, results
        assert [r.stdout for r in results] == [b"mounted\n", b"ok\n", b"ok\n"]
        assert worker.proc.pid != first_pid  # type: ignore[attr-defined]
        [again] = sb.run_batch(art, [b"c"], Limits())
        assert again.verdict == Verdict.AC

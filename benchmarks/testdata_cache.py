"""Test-data cache: materialising a problem's generated tests and answers a second time against
the first (generator and main solution run), in one run on the same machine.

    python benchmarks/testdata_cache.py [PROBLEM_DIR]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from cpsolve.judge.testdata import TestData
from cpsolve.problem import load_problem
from cpsolve.sandbox.factory import open_sandbox

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "judge" / "sum"


def main() -> None:
    problem = load_problem(sys.argv[1] if len(sys.argv) > 1 else DEFAULT)
    tests = problem.public_tests + problem.hidden_tests
    with open_sandbox("local") as sandbox, tempfile.TemporaryDirectory() as root:
        t0 = time.perf_counter()
        TestData(problem, sandbox, root=Path(root)).cases(tests)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        TestData(problem, sandbox, root=Path(root)).cases(tests)
        warm = time.perf_counter() - t0
    print(f"{problem.id}: {len(tests)} tests, cold {cold:.3f} s, cached {warm:.4f} s")
    print(f"speed-up of a re-run: {cold / warm:.0f}x")


if __name__ == "__main__":
    main()

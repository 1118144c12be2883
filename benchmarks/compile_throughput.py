"""Compile throughput: N distinct small C++ programs (each includes bits/stdc++.h, distinct by a
constant) compiled through the local backend without and with the precompiled header, in one run.

Prints programs compiled per second of each and the ratio (with PCH / without). Each side gets
its own programs and its own empty compile cache, so nothing is a cache hit. The PCH is built
(or found in the cache) before timing starts; its build time is reported on its own line.

    python benchmarks/compile_throughput.py [--programs 40] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cpsolve.languages import Language
from cpsolve.sandbox.local import LocalSandbox, ensure_pch

PROGRAM = """#include <bits/stdc++.h>
using namespace std;
int main() {
    int n; cin >> n;
    vector<long long> a(n);
    for (auto &x : a) cin >> x;
    sort(a.begin(), a.end());
    map<long long, int> seen;
    for (auto x : a) seen[x % KEY]++;
    cout << accumulate(a.begin(), a.end(), KEYLL) + (long long)seen.size() << "\\n";
}
"""


def compile_all(box: LocalSandbox, first: int, n: int, workers: int) -> float:
    """Compile programs first..first+n-1; seconds taken (all must compile)."""
    sources = [PROGRAM.replace("KEY", str(first + i)) for i in range(n)]
    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        arts = list(pool.map(lambda s: box.compile(s, Language.CPP), sources))
    took = time.perf_counter() - start
    bad = [a.message for a in arts if not a.ok]
    if bad:
        raise SystemExit(f"a program did not compile: {bad[0]}")
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--programs", type=int, default=40)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ns = ap.parse_args()
    n, w = ns.programs, ns.workers
    start = time.perf_counter()
    pch = ensure_pch()
    print(f"PCH ready in {time.perf_counter() - start:.1f} s: {pch}")
    print(f"{n} distinct C++ programs per side, {w} worker(s)")
    rates = {}
    for side, use in (("without PCH", False), ("with PCH", True)):
        with (
            tempfile.TemporaryDirectory(prefix="cpsolve-bench-") as cache,
            LocalSandbox(workers=w, cache_dir=Path(cache), pch=use, pch_dir=pch) as box,
        ):
            if use and box.pch is None:
                raise SystemExit("the runners found no usable PCH")
            took = compile_all(box, 1000 if use else 0, n, w)
        rates[side] = n / took
        print(f"{side:12}: {rates[side]:6.2f} programs/s   ({took:.1f} s)")
    print(f"ratio (with / without): {rates['with PCH'] / rates['without PCH']:.2f}x")


if __name__ == "__main__":
    main()

"""o1-ioi's setting sized from what finished runs measured: reads run directories (their
run.sqlite and report.json) and prints the per-run costs and the sizing table of docs/scale.md.

Measured from the stores: program CPU-seconds per execution (mean of executions.cpu_s), bytes
per execution row (SQLite's dbstat: the table and its index pages over its rows), output bytes
per execution (the outputs table, deduplicated by content, over executions), tokens per sample
(mean of samples.tokens), compile seconds per program (the compile stage over the programs).
Measured here: the sandbox's own cost per run (`--overhead`: runs/s of a trivial program on one
local worker, from `benchmarks/sandbox_throughput.py`). Assumed and printed: the GPU's tokens/s.

    python benchmarks/scale_sizing.py RUN_DIR... [--overhead RUNS_PER_S] [--tokens-per-s 10000]
        [--reasoning-tokens 0]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

SAMPLES, INPUTS, SUBTASKS, PROBLEMS = 10_000, 256, 6, 6


def measure(run_dir: Path) -> dict[str, float]:
    db = sqlite3.connect(f"file:{run_dir / 'run.sqlite'}?mode=ro", uri=True)
    q = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    rows = q("SELECT COUNT(*) FROM executions")
    tables = "'executions', 'sqlite_autoindex_executions_1'"
    exec_bytes = q(f"SELECT SUM(pgsize) FROM dbstat WHERE name IN ({tables})")
    out = {
        "executions": rows,
        "cpu_s": q("SELECT SUM(cpu_s) FROM executions") or 0.0,
        "exec_bytes": exec_bytes or 0,
        "output_bytes": q("SELECT SUM(LENGTH(data)) FROM outputs") or 0,
        "tokens": q("SELECT SUM(tokens) FROM samples WHERE role = 'solution'") or 0,
        "samples": q("SELECT COUNT(*) FROM samples WHERE role = 'solution'"),
        "programs": q("SELECT COUNT(*) FROM programs"),
    }
    db.close()
    timings = json.loads((run_dir / "report.json").read_text()).get("timings", {})
    out["compile_s"] = float(timings.get("compile", 0.0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", type=Path)
    ap.add_argument("--overhead", type=float, default=0.0, help="sandbox runs/s, one worker")
    ap.add_argument("--tokens-per-s", type=float, default=10_000.0, help="one GPU, assumed")
    ap.add_argument("--compile-s", type=float, help="CPU s a compile (default: the stores')")
    ap.add_argument("--reasoning-tokens", type=float, default=0.0, help="added a sample")
    ns = ap.parse_args()
    tot: dict[str, float] = {}
    for d in ns.runs:
        for k, v in measure(d).items():
            tot[k] = tot.get(k, 0.0) + v
    n = max(1.0, tot["executions"])
    cpu = tot["cpu_s"] / n
    overhead = 1 / ns.overhead if ns.overhead else 0.0
    row = tot["exec_bytes"] / n
    outb = tot["output_bytes"] / n
    tok = tot["tokens"] / max(1.0, tot["samples"]) + ns.reasoning_tokens
    comp = ns.compile_s if ns.compile_s is not None else tot["compile_s"] / max(1, tot["programs"])
    print(
        f"measured over {len(ns.runs)} run(s), {int(n)} executions, {int(tot['samples'])} samples"
    )
    print(f"  program CPU per run      {cpu * 1000:8.2f} ms")
    print(f"  sandbox cost per run     {overhead * 1000:8.2f} ms  (1 / {ns.overhead:g} runs/s)")
    print(f"  bytes per execution row  {row:8.0f}")
    print(f"  output bytes per run     {outb:8.0f}  (outputs table, deduplicated)")
    print(f"  tokens per sample        {tok:8.0f}")
    print(f"  compile s per program    {comp:8.3f}  (given, or compile stage over programs)")
    print()
    print("| scope | samples | runs | sandbox CPU-h | compile CPU-h | GPU-h | store |")
    print("|---|---|---|---|---|---|---|")
    for name, k in (("subtask", 1), ("problem", SUBTASKS), ("contest", SUBTASKS * PROBLEMS)):
        samples = SAMPLES * k
        runs = samples * INPUTS
        cpu_h = runs * (cpu + overhead) / 3600
        comp_h = samples * comp / 3600
        gpu_h = samples * tok / ns.tokens_per_s / 3600
        store = runs * (row + outb)
        print(
            f"| {name} | {samples:,} | {runs:,} | {cpu_h:,.0f} | {comp_h:,.1f} | {gpu_h:,.1f} "
            f"| {store / 1e9:,.1f} GB |"
        )


if __name__ == "__main__":
    main()

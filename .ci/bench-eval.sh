#!/usr/bin/env bash
# Regression gate: a bench over problems/ with the replay engine (the shipped candidate pools),
# compared with the committed baseline. Fails, naming the metric, when selection got worse.
set -euo pipefail
cd "$(dirname "$0")/.."
cpsolve bench problems --engine replay --sandbox local --runs-dir runs/ci --out runs/ci-bench
cpsolve eval runs/ci-bench --baseline benchmarks/baseline.json

#!/usr/bin/env bash
# Regression gate: a bench with the replay engine (the shipped candidate pools), compared with the
# committed baseline. Fails, naming the metric, when selection got worse or when our selection
# earns less than the best baseline at k = 10 or 50.
set -euo pipefail
cd "$(dirname "$0")/.."
# benchmarks/ci-set: three of the pooled problems (a checker problem, an IOI-style communication
# task with three subtasks, the interactive one); benchmarks/ci.config.json: smaller pools than the defaults (34
# samples, 16 generated inputs, 4 generators and 4 validators a subtask) so that the bench fits
# CI's time on two cores. The whole set is `cpsolve bench problems` with the defaults.
cpsolve bench benchmarks/ci-set --engine replay --sandbox local --config benchmarks/ci.config.json \
  --runs-dir runs/ci --out runs/ci-bench
cpsolve eval runs/ci-bench --baseline benchmarks/baseline.json

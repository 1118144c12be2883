#!/usr/bin/env bash
# Regression gate: a bench over problems/ with the replay engine (the shipped candidate pools),
# compared with the committed baseline. Fails, naming the metric, when selection got worse.
set -euo pipefail
cd "$(dirname "$0")/.."
# benchmarks/ci.config.json: the default config but 64 generated inputs a subtask, so that
# street-lamps (300 programs over 4 subtasks) takes about a quarter of an hour on two cores.
cpsolve bench problems --engine replay --sandbox local --config benchmarks/ci.config.json \
  --runs-dir runs/ci --out runs/ci-bench
cpsolve eval runs/ci-bench --baseline benchmarks/baseline.json

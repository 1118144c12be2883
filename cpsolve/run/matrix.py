"""The select stage's input: the store's executions of the run as an `ExecutionMatrix`.

Rows are candidates (in `solution_candidates` order), columns the generated inputs of every
subtask; public tests are their own columns. Under a program checker, output classes are merged
by `compare` (the compare stage) before clustering sees them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from cpsolve.execute.executor import PUBLIC, sha
from cpsolve.problem import Problem
from cpsolve.sample.stage import Candidate
from cpsolve.select.matrix import NOT_RUN, ExecutionMatrix, output_classes, verdict_code
from cpsolve.store import Execution, ProgramRow, Store

Compare = Callable[[np.ndarray, list[bytes], list[list[bytes | None]]], np.ndarray]
"""compare(classes, column inputs, outputs per column) -> classes merged by the checker"""


def build_matrix(
    problem: Problem,
    store: Store,
    limits_key: str,
    cands: Sequence[Candidate],
    inputs: dict[str, list[bytes]],
    hidden: dict[str, dict[str, float]] | None,
    compare: Compare,
) -> ExecutionMatrix:
    public = [sha(problem.read_input(t)) for t in problem.public_tests]
    col_inputs = [x for sid in inputs for x in inputs[sid]]
    cols: list[tuple[str, str]] = [(sid, sha(x)) for sid in inputs for x in inputs[sid]]
    n, p, i = len(cands), len(public), len(cols)
    pub_pass = np.zeros((n, p), bool)
    pub_verdict = np.full((n, p), NOT_RUN, np.int8)
    gen_verdict = np.full((n, i), NOT_RUN, np.int8)
    gen_time = np.zeros((n, i), np.float32)
    outputs: list[list[bytes | None]] = [[None] * n for _ in range(i)]
    compile_ok, code_len = [], []
    cache: dict[str, tuple[ProgramRow, dict[str, Execution], dict[str, Execution]]] = {}
    for r, c in enumerate(cands):
        if c.program not in cache:
            cache[c.program] = (
                store.program(c.program),
                store.executions(c.program, PUBLIC),
                store.executions(c.program, limits_key),
            )
        prog, pub, gen = cache[c.program]
        compile_ok.append(bool(prog.compile_ok))
        code_len.append(len(prog.source))
        for k, h in enumerate(public):
            if h in pub:
                pub_verdict[r, k] = verdict_code(pub[h].verdict)
                pub_pass[r, k] = pub[h].verdict == "AC"
        for k, (_sid, h) in enumerate(cols):
            e = gen.get(h)
            if e is None:
                continue
            gen_verdict[r, k] = verdict_code(e.verdict)
            # a run recorded as TLE without running (a slow candidate) used the whole limit
            gen_time[r, k] = e.cpu_s if e.cpu_s is not None else problem.time_limit_s
            if e.output is not None:
                outputs[k][r] = store.output(e.output)
    gen_class = (
        np.stack([output_classes(outputs[k], problem.checker) for k in range(i)], axis=1)
        if i
        else np.zeros((n, 0), np.int32)
    )
    if problem.checker.type == "program" and i:
        gen_class = compare(gen_class, col_inputs, outputs)
    return ExecutionMatrix.build(
        problem,
        candidate_ids=[c.id for c in cands],
        candidate_subtasks=[c.subtask for c in cands],
        code_len=code_len,
        compile_ok=compile_ok,
        public_passed=pub_pass,
        public_verdict=pub_verdict,
        input_subtasks=[sid for sid, _ in cols],
        gen_verdict=gen_verdict,
        gen_class=gen_class,
        gen_time=gen_time,
        logprob=[c.logprob for c in cands],
        input_names=[f"{sid}:{h[:12]}" for sid, h in cols],
        hidden_points=_hidden_points(problem, cands, hidden),
        input_sizes=[len(x) for x in col_inputs],
    )


def _hidden_points(
    problem: Problem, cands: Sequence[Candidate], hidden: dict[str, dict[str, float]] | None
) -> np.ndarray | None:
    if hidden is None:
        return None
    ids = [s.id for s in problem.subtasks]
    return np.array(
        [[hidden.get(c.program, {}).get(s, np.nan) for s in ids] for c in cands], np.float32
    )

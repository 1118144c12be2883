"""The run store: one SQLite file a run (WAL), content-addressed so a killed run resumes.

Every table is keyed by what its rows are made from, never by when they were made:

* samples     (subtask, role, chunk, idx) -> completion text; a chunk is written in one
                transaction, so a chunk is either all there or not at all;
* programs    sha of the normalised source -> source, language, compile verdict;
* candidates  sample -> program (or the reason no program came out of it);
* inputs      (subtask, sha of the bytes) -> bytes and provenance (generator, seed, votes);
* outputs     sha -> bytes (outputs are shared by many executions);
* executions  (program, input sha, limits key) -> verdict, time, memory, output sha;
* judged      (program, subtask) -> points earned on the hidden tests, JSON detail;
* submissions n -> the plan as it was made, with feedback;
* stages      name -> done marker and seconds spent, so reruns skip finished stages.

Running again, or resuming after kill -9, therefore samples, compiles and executes nothing that
is already there. Rows read by selection never include hidden-test data: `judged` holds points
only, and only the planner's feedback and the report read it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from cpsolve.errors import UserError


class SampleRow(NamedTuple):
    """One stored completion: sample `idx` of chunk `chunk`."""

    chunk: int
    idx: int
    text: str
    tokens: int | None
    logprob: float | None
    finish_reason: str | None
    model: str | None
    seed: int | None


class CandidateRow(NamedTuple):
    """What came out of one sample: a program's sha, or the reason there is none."""

    subtask: str
    role: str
    chunk: int
    idx: int
    program: str | None
    reason: str | None


class ProgramRow(NamedTuple):
    sha: str
    language: str
    source: str
    compile_ok: int | None  # None: not compiled yet
    compile_msg: str | None


class InputRow(NamedTuple):
    """A generated input of a subtask and where it came from (generator, seed, votes)."""

    sha: str
    data: bytes
    provenance: dict[str, Any]


class ExecutionRow(NamedTuple):
    """One execution to store; `cpu_s` None: not run (recorded TLE after the program's earlier
    time-outs); `output` the bytes, kept only where they are compared."""

    program: str
    input: str
    limits: str
    verdict: str
    cpu_s: float | None
    memory_mb: float | None
    output: bytes | None
    score: float | None


class Execution(NamedTuple):
    """One stored execution as read back; `output` is the sha of its bytes (`Store.output`)."""

    verdict: str
    cpu_s: float | None
    memory_mb: float | None
    output: str | None
    score: float | None


class Judged(NamedTuple):
    points: float
    detail: dict[str, Any]


class SubmissionRow(NamedTuple):
    """Submission `n` of the plan, with the points per subtask the judge gave it."""

    n: int
    subtask: str
    program: str
    cluster: int | None
    rank: int | None
    earned: dict[str, float]


SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS samples (
  subtask TEXT NOT NULL, role TEXT NOT NULL, chunk INTEGER NOT NULL, idx INTEGER NOT NULL,
  text TEXT NOT NULL, tokens INTEGER, logprob REAL, finish_reason TEXT, model TEXT, seed INTEGER,
  PRIMARY KEY (subtask, role, chunk, idx)
);
CREATE TABLE IF NOT EXISTS programs (
  sha TEXT PRIMARY KEY, language TEXT NOT NULL, source TEXT NOT NULL,
  compile_ok INTEGER, compile_msg TEXT
);
CREATE TABLE IF NOT EXISTS candidates (
  subtask TEXT NOT NULL, role TEXT NOT NULL, chunk INTEGER NOT NULL, idx INTEGER NOT NULL,
  program TEXT, reason TEXT,
  PRIMARY KEY (subtask, role, chunk, idx)
);
CREATE TABLE IF NOT EXISTS inputs (
  subtask TEXT NOT NULL, sha TEXT NOT NULL, data BLOB NOT NULL, provenance TEXT NOT NULL,
  ord INTEGER NOT NULL, PRIMARY KEY (subtask, sha)
);
CREATE TABLE IF NOT EXISTS outputs (sha TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS executions (
  program TEXT NOT NULL, input TEXT NOT NULL, limits TEXT NOT NULL,
  verdict TEXT NOT NULL, cpu_s REAL, memory_mb REAL, output TEXT, score REAL,
  PRIMARY KEY (program, input, limits)
);
CREATE TABLE IF NOT EXISTS judged (
  program TEXT NOT NULL, subtask TEXT NOT NULL, points REAL NOT NULL, detail TEXT NOT NULL,
  PRIMARY KEY (program, subtask)
);
CREATE TABLE IF NOT EXISTS submissions (
  n INTEGER PRIMARY KEY, subtask TEXT NOT NULL, program TEXT NOT NULL, cluster INTEGER,
  rank INTEGER, earned TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stages (name TEXT PRIMARY KEY, seconds REAL NOT NULL);
CREATE TABLE IF NOT EXISTS checked_pairs (
  input TEXT NOT NULL, output TEXT NOT NULL, answer TEXT NOT NULL, full INTEGER NOT NULL,
  PRIMARY KEY (input, output, answer)
);
"""


class Store:
    """One run's SQLite file. Safe to share between threads (one connection, one lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.OperationalError) as e:
            raise UserError(
                f"cannot write the run store {self.path}: {e}; free space or choose another "
                "--runs-dir, then run the same command again"
            ) from None
        self._lock = threading.RLock()
        version = self.get_meta("schema_version")
        if version is None:
            self.set_meta("schema_version", SCHEMA_VERSION)
        elif int(version) != SCHEMA_VERSION:
            raise UserError(
                f"{self.path} was written by another cpsolve version (schema {version}); "
                "remove the run directory or use another --out"
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                self._db.execute("COMMIT")
            except sqlite3.OperationalError:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def _query(self, sql: str, args: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, tuple(args)).fetchall()

    # ---- meta and stages -------------------------------------------------------------------

    def get_meta(self, key: str) -> Any:
        rows = self._query("SELECT value FROM meta WHERE key=?", (key,))
        return json.loads(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: Any) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def stage_done(self, name: str) -> bool:
        return bool(self._query("SELECT 1 FROM stages WHERE name=?", (name,)))

    def mark_stage(self, name: str, seconds: float) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO stages VALUES (?, ?)", (name, seconds))

    def stage_seconds(self) -> dict[str, float]:
        return {name: s for name, s in self._query("SELECT name, seconds FROM stages")}

    # ---- samples -----------------------------------------------------------------------------

    def chunks_done(self, subtask: str, role: str) -> set[int]:
        rows = self._query(
            "SELECT DISTINCT chunk FROM samples WHERE subtask=? AND role=?", (subtask, role)
        )
        return {r[0] for r in rows}

    def add_chunk(self, subtask: str, role: str, chunk: int, rows: list[dict[str, Any]]) -> None:
        """Store one chunk of completions atomically (all of it or none)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO samples VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        subtask,
                        role,
                        chunk,
                        i,
                        r["text"],
                        r.get("tokens"),
                        r.get("logprob"),
                        r.get("finish_reason"),
                        r.get("model"),
                        r.get("seed"),
                    )
                    for i, r in enumerate(rows)
                ],
            )

    def samples(self, subtask: str, role: str) -> list[SampleRow]:
        rows = self._query(
            "SELECT chunk, idx, text, tokens, logprob, finish_reason, model, seed FROM samples "
            "WHERE subtask=? AND role=? ORDER BY chunk, idx",
            (subtask, role),
        )
        return [SampleRow(*r) for r in rows]

    def count_samples(self, role: str | None = None) -> int:
        if role is None:
            return int(self._query("SELECT COUNT(*) FROM samples")[0][0])
        return int(self._query("SELECT COUNT(*) FROM samples WHERE role=?", (role,))[0][0])

    # ---- programs and candidates ---------------------------------------------------------------

    def add_candidates(self, rows: Sequence[CandidateRow]) -> None:
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO candidates VALUES (?,?,?,?,?,?)", rows)

    def candidates(self, subtask: str, role: str) -> list[CandidateRow]:
        rows = self._query(
            "SELECT chunk, idx, program, reason FROM candidates WHERE subtask=? AND role=? "
            "ORDER BY chunk, idx",
            (subtask, role),
        )
        return [CandidateRow(subtask, role, c, i, p, r) for c, i, p, r in rows]

    def add_program(self, sha: str, language: str, source: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO programs (sha, language, source) VALUES (?,?,?)",
                (sha, language, source),
            )

    def set_compiled(self, sha: str, ok: bool, message: str) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE programs SET compile_ok=?, compile_msg=? WHERE sha=?",
                (int(ok), message, sha),
            )

    def program(self, sha: str) -> ProgramRow:
        rows = self._query(
            "SELECT language, source, compile_ok, compile_msg FROM programs WHERE sha=?", (sha,)
        )
        if not rows:
            raise KeyError(sha)
        return ProgramRow(sha, *rows[0])

    def count_compiled(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM programs WHERE compile_ok IS NOT NULL")[0][0])

    # ---- inputs ----------------------------------------------------------------------------------

    def set_inputs(self, subtask: str, items: Sequence[InputRow]) -> None:
        """Store the generated inputs of a subtask, in order."""
        with self.transaction() as db:
            db.execute("DELETE FROM inputs WHERE subtask=?", (subtask,))
            db.executemany(
                "INSERT INTO inputs VALUES (?,?,?,?,?)",
                [(subtask, s, d, json.dumps(p), k) for k, (s, d, p) in enumerate(items)],
            )

    def inputs(self, subtask: str) -> list[InputRow]:
        rows = self._query(
            "SELECT sha, data, provenance FROM inputs WHERE subtask=? ORDER BY ord", (subtask,)
        )
        return [InputRow(s, bytes(d), json.loads(p)) for s, d, p in rows]

    # ---- executions --------------------------------------------------------------------------

    def executed(self, program: str, limits: str) -> set[str]:
        rows = self._query(
            "SELECT input FROM executions WHERE program=? AND limits=?", (program, limits)
        )
        return {r[0] for r in rows}

    def add_executions(self, rows: Sequence[ExecutionRow]) -> None:
        import hashlib

        with self.transaction() as db:
            for prog, inp, lim, verdict, cpu, mem, out, score in rows:
                out_sha = None
                if out is not None:
                    out_sha = hashlib.sha256(out).hexdigest()
                    db.execute("INSERT OR IGNORE INTO outputs VALUES (?, ?)", (out_sha, out))
                db.execute(
                    "INSERT OR IGNORE INTO executions VALUES (?,?,?,?,?,?,?,?)",
                    (prog, inp, lim, verdict, cpu, mem, out_sha, score),
                )

    def executions(self, program: str, limits: str) -> dict[str, Execution]:
        """The program's executions under `limits`, by input sha."""
        rows = self._query(
            "SELECT input, verdict, cpu_s, memory_mb, output, score FROM executions "
            "WHERE program=? AND limits=?",
            (program, limits),
        )
        return {r[0]: Execution(*r[1:]) for r in rows}

    def output(self, sha: str) -> bytes:
        rows = self._query("SELECT data FROM outputs WHERE sha=?", (sha,))
        return bytes(rows[0][0]) if rows else b""

    def checked_pairs(self, input_sha: str) -> dict[tuple[str, str], bool]:
        """What the problem's checker said of (output sha, answer sha) pairs on one input: full
        points or not (see `equivalence`)."""
        rows = self._query(
            "SELECT output, answer, full FROM checked_pairs WHERE input=?", (input_sha,)
        )
        return {(o, a): bool(f) for o, a, f in rows}

    def add_checked_pairs(self, rows: Sequence[tuple[str, str, str, bool]]) -> None:
        """rows: (input sha, output sha, answer sha, full points)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO checked_pairs VALUES (?,?,?,?)",
                [(i, o, a, int(f)) for i, o, a, f in rows],
            )

    def count_executions(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM executions")[0][0])

    # ---- judge results and submissions ---------------------------------------------------------

    def judged(self, program: str, subtask: str) -> Judged | None:
        rows = self._query(
            "SELECT points, detail FROM judged WHERE program=? AND subtask=?", (program, subtask)
        )
        return Judged(rows[0][0], json.loads(rows[0][1])) if rows else None

    def add_judged(self, program: str, subtask: str, points: float, detail: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO judged VALUES (?,?,?,?)",
                (program, subtask, points, json.dumps(detail)),
            )

    def submissions(self) -> list[SubmissionRow]:
        rows = self._query(
            "SELECT n, subtask, program, cluster, rank, earned FROM submissions ORDER BY n"
        )
        return [SubmissionRow(n, s, p, c, r, json.loads(e)) for n, s, p, c, r, e in rows]

    def add_submission(self, sub: SubmissionRow) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?,?)",
                (*sub[:5], json.dumps(sub.earned)),
            )

"""What crosses the grading service's boundary: requests, answers and problem listings.

A grading answer carries what `cpsolve judge --json` gives (verdict, score, max_score, the
per-subtask points and per-test verdicts with time and memory) plus a `status` that keeps a
sandbox failure apart from a wrong answer, and the reward under the shape that was asked for.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cpsolve.languages import Language, parse_language
from cpsolve.sandbox.base import Verdict

MAX_CODE_BYTES = 64 * 1024  # a contest submission is far below this
MAX_BATCH = 64


class Status(StrEnum):
    GRADED = "graded"  # the program was judged: verdict, score and reward are its own
    INFRA = "infra"  # the sandbox failed (after retries): no verdict, no reward; drop the sample


class RewardShape(StrEnum):
    BINARY = "binary"  # 1 when every test is accepted, else 0
    FRACTION = "fraction"  # the share of each subtask's tests passed before its first failure
    IOI = "ioi"  # subtask points earned over the total
    CODEFORCES = "codeforces"  # 1 accepted, 0 rejected, a penalty when it does not compile


class GradeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    problem: str = Field(min_length=1, max_length=200)
    language: Language
    code: str
    subtask: str | None = None  # judge this subtask only
    reward: RewardShape | None = None  # default: the server's shape

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        return parse_language(value) if isinstance(value, str) else value

    @field_validator("code")
    @classmethod
    def _size(cls, value: str) -> str:
        if len(value.encode()) > MAX_CODE_BYTES:
            raise ValueError(f"the code is over the {MAX_CODE_BYTES // 1024} KiB cap")
        return value


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requests: list[GradeRequest] = Field(min_length=1, max_length=MAX_BATCH)


class TestVerdict(BaseModel):
    __test__ = False  # not a pytest class

    name: str
    verdict: Verdict
    score: float
    time_s: float
    memory_mb: float
    message: str = ""


class SubtaskPoints(BaseModel):
    id: str
    points: float
    earned: float
    verdict: Verdict


class GradeResponse(BaseModel):
    status: Status
    problem: str
    verdict: Verdict | None = None  # None when status is infra
    score: float | None = None
    max_score: float
    reward: float | None = None  # None when status is infra: never a 0 for a broken sandbox
    reward_shape: RewardShape
    subtasks: list[SubtaskPoints] = Field(default_factory=list)
    tests: list[TestVerdict] = Field(default_factory=list)
    time_s: float = 0.0  # the slowest test's CPU time
    memory_mb: float = 0.0  # the largest test's peak memory
    compile_message: str = ""
    message: str = ""  # why, when status is infra
    attempts: int = 1  # gradings it took (more than 1 after a sandbox failure)
    cached: bool = False  # answered from the result cache of identical, already graded requests


class BatchResponse(BaseModel):
    results: list[GradeResponse]


class SubtaskInfo(BaseModel):
    id: str
    points: float
    constraints: str


class ExampleTest(BaseModel):
    name: str
    input: str
    output: str | None


class ProblemInfo(BaseModel):
    """What a client may see of a problem: never its hidden tests."""

    id: str
    name: str
    statement: str
    time_limit_s: float
    memory_limit_mb: int
    task_type: str
    scoring: str
    subtasks: list[SubtaskInfo]
    examples: list[ExampleTest]

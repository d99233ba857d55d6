"""The triage report (contract `pagetrail.triage.v1`) as typed data.

Field names mirror ../shared/spec/triage.md exactly; extra fields are additions, never renames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    CONFIRMED = "confirmed"
    LIKELY = "likely"
    POSSIBLE = "possible"
    REFUTED = "refuted"

    @property
    def weight(self) -> int:
        return {"confirmed": 3, "likely": 2, "possible": 1, "refuted": 0}[self.value]


@dataclass(slots=True, frozen=True)
class Fact:
    """One piece of evidence: what is true, where it was read, and when it happened."""

    source: str
    fact: str
    at: float | None = None


@dataclass(slots=True)
class Hypothesis:
    """One candidate explanation, with one cause code, and the facts for and against it.

    `explains_target` is False for problems found off the target's request path: they are
    reported, but never as the target's root cause. `specificity` ranks codes that hold
    together (a specific mechanism beats the generic symptom it produces).
    """

    code: str
    layer: str
    status: Status
    summary: str
    objects: list[str] = field(default_factory=list)
    evidence_for: list[Fact] = field(default_factory=list)
    evidence_against: list[Fact] = field(default_factory=list)
    next_check: str = ""
    mitigation: str | None = None
    explains_target: bool = True
    specificity: int = 50
    onset: float | None = None
    affected_pods: int = 0
    owner: str = ""


@dataclass(slots=True, frozen=True)
class Severity:
    level: str  # SEV1..SEV4
    why: str


@dataclass(slots=True, frozen=True)
class TimelineEntry:
    at: float
    what: str
    source: str


@dataclass(slots=True, frozen=True)
class PathStep:
    """One link of the outside-in walk (ingress → service → endpoints → pods → nodes)."""

    kind: str
    name: str
    state: str  # ok | degraded | broken | unknown
    fact: str


@dataclass(slots=True)
class Report:
    captured_at: float
    target: dict[str, str] | None
    severity: Severity
    root_cause: Hypothesis | None
    hypotheses: list[Hypothesis]
    timeline: list[TimelineEntry]
    skipped: list[tuple[str, int | None, str]]
    path: list[PathStep] = field(default_factory=list)
    other_findings: list[Hypothesis] = field(default_factory=list)
    onset: float | None = None

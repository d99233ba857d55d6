"""A `pagetrail.triage.v1` JSON object read back into typed parts for the incident page.

The report attached to an incident was uploaded by a person, so beyond its `schema` nothing about its
shape is guaranteed. Rendering it must never break the incident page mid-incident: a field of the wrong
type reads as missing, and the page shows what is there. Pure: a dict in, dataclasses out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA = "pagetrail.triage.v1"
_STATUS_ORDER = {"confirmed": 0, "likely": 1, "possible": 2, "refuted": 3}


@dataclass(frozen=True)
class TriageFact:
    source: str
    fact: str
    at: str | None


@dataclass(frozen=True)
class TriageHypothesis:
    code: str
    layer: str
    status: str
    summary: str
    evidence_for: list[TriageFact] = field(default_factory=list)
    evidence_against: list[TriageFact] = field(default_factory=list)
    next_check: str = ""
    mitigation: str = ""


@dataclass(frozen=True)
class TriageRootCause:
    code: str
    status: str
    summary: str
    next_check: str
    mitigation: str


@dataclass(frozen=True)
class TriageView:
    """What the incident page shows of one attached triage report."""

    captured_at: str
    target: str
    severity: str
    severity_why: str
    root_cause: TriageRootCause | None
    hypotheses: list[TriageHypothesis]
    skipped_count: int


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _facts(value: Any) -> list[TriageFact]:
    facts = []
    for item in _list(value):
        entry = _dict(item)
        if _text(entry.get("fact")):
            at = entry.get("at")
            facts.append(
                TriageFact(_text(entry.get("source")), _text(entry["fact"]), at if isinstance(at, str) else None)
            )
    return facts


def _hypothesis(value: dict[str, Any]) -> TriageHypothesis:
    next_check = _text(value.get("next_check"))
    return TriageHypothesis(
        code=_text(value.get("code")) or "unknown",
        layer=_text(value.get("layer")),
        status=_text(value.get("status")) or "possible",
        summary=_text(value.get("summary")),
        evidence_for=_facts(value.get("evidence_for")),
        evidence_against=_facts(value.get("evidence_against")),
        next_check="" if next_check == "none: refuted" else next_check,
        mitigation=_text(value.get("mitigation")),
    )


def _target(value: Any) -> str:
    target = _dict(value)
    parts = [_text(target.get(k)) for k in ("kind", "namespace", "name")]
    return "/".join(p for p in parts if p) or "whole bundle"


def triage_view(report: dict[str, Any]) -> TriageView:
    """Read a stored triage report; hypotheses come confirmed first, refuted last, as triage ranks them."""
    root = report.get("root_cause")
    root_cause = None
    if isinstance(root, dict) and _text(root.get("code")):
        root_cause = TriageRootCause(
            code=_text(root["code"]),
            status=_text(root.get("status")) or "possible",
            summary=_text(root.get("summary")),
            next_check=_text(root.get("next_check")),
            mitigation=_text(root.get("mitigation")),
        )
    hypotheses = [_hypothesis(h) for h in _list(report.get("hypotheses")) if isinstance(h, dict)]
    hypotheses.sort(key=lambda h: _STATUS_ORDER.get(h.status, len(_STATUS_ORDER)))
    severity = _dict(report.get("severity"))
    return TriageView(
        captured_at=_text(report.get("captured_at")),
        target=_target(report.get("target")),
        severity=_text(severity.get("level")),
        severity_why=_text(severity.get("why")),
        root_cause=root_cause,
        hypotheses=hypotheses,
        skipped_count=len(_list(report.get("skipped"))),
    )

"""The `pagetrail.triage.v1` JSON object (../shared/spec/triage.md), built from a Report."""

from __future__ import annotations

from typing import Any

from pagetrail.domain.clock import format_time
from pagetrail.domain.report import Fact, Hypothesis, Report

SCHEMA = "pagetrail.triage.v1"


def _time(value: float | None) -> str | None:
    return format_time(value) if value is not None else None


def fact_json(fact: Fact) -> dict[str, Any]:
    return {"source": fact.source, "fact": fact.fact, "at": _time(fact.at)}


def hypothesis_json(hypothesis: Hypothesis) -> dict[str, Any]:
    return {
        "code": hypothesis.code,
        "layer": hypothesis.layer,
        "status": hypothesis.status.value,
        "summary": hypothesis.summary,
        "objects": hypothesis.objects,
        "evidence_for": [fact_json(f) for f in hypothesis.evidence_for],
        "evidence_against": [fact_json(f) for f in hypothesis.evidence_against],
        "next_check": hypothesis.next_check,
        "mitigation": hypothesis.mitigation,
        "doc": f"docs/causes/{hypothesis.code}.md",
    }


def report_json(report: Report) -> dict[str, Any]:
    root = report.root_cause
    return {
        "schema": SCHEMA,
        "captured_at": format_time(report.captured_at),
        "target": report.target,
        "severity": {"level": report.severity.level, "why": report.severity.why},
        "root_cause": None
        if root is None
        else {
            "code": root.code,
            "summary": root.summary,
            "objects": root.objects,
            "status": root.status.value,
            "next_check": root.next_check,
            "mitigation": root.mitigation,
        },
        "hypotheses": [hypothesis_json(h) for h in report.hypotheses],
        "timeline": [{"at": format_time(e.at), "what": e.what, "source": e.source} for e in report.timeline],
        "skipped": [{"file": f, "line": line, "problem": p} for f, line, p in report.skipped],
        "onset": _time(report.onset),
        "path": [{"kind": s.kind, "name": s.name, "state": s.state, "fact": s.fact} for s in report.path],
        "other_findings": [hypothesis_json(h) for h in report.other_findings],
    }

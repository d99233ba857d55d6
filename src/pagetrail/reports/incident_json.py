"""Incidents as plain JSON-ready dicts for `pagetrail incident … --format json`.

Times are ISO 8601 UTC, durations are seconds; field names follow domain/incident.py so a script
reading this output reads the same words as the code.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pagetrail.domain.incident import AlertRecord, Incident, IncidentSummary, Milestone, TimelineEntry


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _seconds(value: timedelta | None) -> float | None:
    return value.total_seconds() if value is not None else None


def _entry(entry: TimelineEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": _time(entry.at),
        "kind": entry.kind.value,
        "actor": entry.actor,
        "text": entry.text,
        "data": dict(entry.data),
    }


def _alert(alert: AlertRecord) -> dict[str, Any]:
    return {
        "id": alert.id,
        "fingerprint": alert.fingerprint,
        "status": alert.status.value,
        "alertname": alert.alertname,
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "starts_at": _time(alert.starts_at),
        "ends_at": _time(alert.ends_at),
        "generator_url": alert.generator_url,
        "first_seen": _time(alert.first_seen),
        "last_seen": _time(alert.last_seen),
        "peers_seen": alert.peers_seen,
    }


def incident_json(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "title": incident.title,
        "severity": incident.severity.value,
        "status": incident.status.value,
        "service": incident.service,
        "model": incident.model,
        "namespace": incident.namespace,
        "pool": incident.pool,
        "summary": incident.summary,
        "group_key": incident.group_key,
        "opened_at": _time(incident.opened_at),
        "milestones": {m.value: _time(incident.milestones.at(m)) for m in Milestone},
        "metrics": {
            "mttd_seconds": _seconds(incident.metrics.mttd),
            "mtta_seconds": _seconds(incident.metrics.mtta),
            "mttr_seconds": _seconds(incident.metrics.mttr),
        },
        "last_update_at": _time(incident.last_update_at),
        "next_update_due": _time(incident.next_update_due),
        "overdue": incident.overdue,
        "roles": [
            {
                "role": a.role.value,
                "person": a.person,
                "assigned_at": _time(a.assigned_at),
                "assigned_by": a.assigned_by,
            }
            for a in incident.roles
        ],
        "timeline": [_entry(e) for e in incident.timeline],
        "checklist": [
            {"key": c.key, "label": c.label, "done": c.done, "done_at": _time(c.done_at), "done_by": c.done_by}
            for c in incident.checklist
        ],
        "alerts": [_alert(a) for a in incident.alerts],
        "reports": [
            {"id": r.id, "attached_at": _time(r.attached_at), "actor": r.actor, "report": dict(r.report)}
            for r in incident.reports
        ],
    }


def summary_json(summary: IncidentSummary) -> dict[str, Any]:
    return {
        "id": summary.id,
        "title": summary.title,
        "severity": summary.severity.value,
        "status": summary.status.value,
        "service": summary.service,
        "commander": summary.commander,
        "opened_at": _time(summary.opened_at),
        "age_seconds": summary.age.total_seconds(),
        "next_update_due": _time(summary.next_update_due),
        "overdue": summary.overdue,
        "alerts_firing": summary.alerts_firing,
        "alerts_total": summary.alerts_total,
    }

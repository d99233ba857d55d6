"""Seed 003's message formats, filled from the incident record: the channel update and the
status-page text. The channel message follows the incident's stage: the declaration message while
declared, the timed update while the team works, the resolution message once resolved."""

from __future__ import annotations

from datetime import datetime, timedelta

from pagetrail.domain.incident import Incident, Role, Severity, Status, TimelineKind

SEVERITY_MARKS = {Severity.SEV1: "🔴", Severity.SEV2: "🟠", Severity.SEV3: "🟡", Severity.SEV4: "🟢"}

# What the public sees for each status (status pages speak in these four words).
_PUBLIC_STATUS = {
    Status.DECLARED: "Investigating",
    Status.INVESTIGATING: "Investigating",
    Status.IDENTIFIED: "Identified",
    Status.MITIGATED: "Monitoring",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Resolved",
}


def _clock(at: datetime | None) -> str:
    return at.strftime("%H:%M UTC") if at is not None else "—"


def _minutes(span: timedelta) -> str:
    minutes = max(0, int(span.total_seconds() // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _latest(incident: Incident, *kinds: TimelineKind) -> str:
    entry = next((e for e in reversed(incident.timeline) if e.kind in kinds), None)
    return entry.text if entry is not None else "—"


def _scope(incident: Incident) -> str:
    parts = [p for p in (incident.service, incident.model, incident.namespace, incident.pool) if p]
    return " / ".join(parts) if parts else "—"


def render_channel_update(incident: Incident, *, now: datetime) -> str:
    """The message to post in the #incident channel now."""
    if incident.status is Status.DECLARED:
        return _declared_message(incident)
    if not incident.status.is_open:
        return _resolved_message(incident, now)
    commander = incident.holder(Role.INCIDENT_COMMANDER)
    lines = [
        f"⏱️ {_clock(now)} UPDATE — incident {incident.id} {incident.severity} {incident.title}",
        f"Status: {incident.status.value.capitalize()}",
        f"Current Action: {_latest(incident, TimelineKind.MITIGATION, TimelineKind.DECISION)}",
        f"Findings: {_latest(incident, TimelineKind.HYPOTHESIS, TimelineKind.TRIAGE)}",
        f"Latest Update: {_latest(incident, TimelineKind.UPDATE)}",
        f"ETA for Update: {_clock(incident.next_update_due)}",
    ]
    if commander:
        lines.append(f"/cc @{commander}")
    return "\n".join(lines)


def _declared_message(incident: Incident) -> str:
    severity = incident.severity
    return "\n".join(
        [
            f"{SEVERITY_MARKS[severity]} INCIDENT DECLARED — incident {incident.id}: {incident.title}",
            f"Service: {_scope(incident)}",
            f"Severity: {severity.rank} ({severity.label})",
            f"Time Detected: {_clock(incident.milestones.detected)}",
            f"Current Status: {_latest(incident, TimelineKind.UPDATE) if incident.last_update_at != incident.opened_at else 'Unknown'}",
            f"Next Update: {_clock(incident.next_update_due)}",
        ]
    )


def _resolved_message(incident: Incident, now: datetime) -> str:
    started = incident.milestones.started or incident.opened_at
    ended = incident.milestones.resolved or now
    return "\n".join(
        [
            f"✅ INCIDENT RESOLVED — incident {incident.id}: {incident.title}",
            f"Duration: {_clock(started)} to {_clock(ended)} = {_minutes(ended - started)}",
            f"Root Cause: {_latest(incident, TimelineKind.HYPOTHESIS, TimelineKind.TRIAGE)}",
            f"Fix Applied: {_latest(incident, TimelineKind.MITIGATION)}",
            f"Impact: {incident.summary or '—'}",
            f"Status: {'Verified and closed' if incident.status is Status.CLOSED else 'Resolved, verifying recovery'}",
        ]
    )


def render_status_page(incident: Incident, *, now: datetime) -> str:
    """The public status-page text: no internal names, only stage, impact and timing."""
    public = _PUBLIC_STATUS[incident.status]
    started = incident.milestones.started or incident.opened_at
    ended = incident.milestones.resolved if not incident.status.is_open and incident.milestones.resolved else now
    message = _latest(incident, TimelineKind.UPDATE)
    lines = [
        f"INCIDENT: {incident.title}",
        f"{public}: {message if message != '—' else 'Our team is investigating'}",
        f"Duration: {_minutes(ended - started)}",
        f"Impact: {incident.summary or 'Under assessment'}",
        f"Last Updated: {_clock(incident.last_update_at)}",
    ]
    if incident.next_update_due is not None:
        lines.append(f"Next Update: {_clock(incident.next_update_due)}")
    return "\n".join(lines)

"""What the incident pages show, as display-ready values: domain objects in, plain strings and lists out.

Templates stay free of time arithmetic and enum knowledge, so the wording of "OVERDUE by 3m12s" or
"MTTA 4m" is decided (and tested) in one place. Everything is computed against the `now` the page was
rendered at, the same `now` the service used for `overdue`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pagetrail.domain.clock import format_duration
from pagetrail.domain.incident import (
    AlertRecord,
    AlertStatus,
    ChecklistItem,
    Incident,
    IncidentSummary,
    Milestone,
    Role,
    Status,
    TimelineEntry,
    TimelineKind,
)
from pagetrail.incidents.cadence import UpdateCadence
from pagetrail.incidents.errors import InvalidTransition
from pagetrail.incidents.lifecycle import check_transition
from pagetrail.incidents.roles import ROLE_LABELS
from pagetrail.incidents.templates import render_channel_update, render_status_page
from pagetrail.reports.triage_view import TriageView, triage_view

_KIND_LABELS: dict[TimelineKind, str] = {TimelineKind.UPDATE: "status update", TimelineKind.TRIAGE: "triage report"}


def span(delta: timedelta) -> str:
    """A countdown-style duration: 45s, 3m12s, 1h05m12s (the same wording as pages.js)."""
    seconds = max(0, int(delta.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def age(delta: timedelta) -> str:
    """A coarse age for lists and metrics: 45s, 12m, 3h05m, 2d4h."""
    return format_duration(max(0.0, delta.total_seconds()))


def clock(at: datetime, now: datetime) -> str:
    """Wall-clock UTC as the runbook writes it (14:32:05 UTC), with the date when it is not today's."""
    at, now = at.astimezone(UTC), now.astimezone(UTC)
    return at.strftime("%H:%M:%S UTC" if at.date() == now.date() else "%Y-%m-%d %H:%M:%S UTC")


def iso(at: datetime) -> str:
    """RFC 3339 UTC to the millisecond: what JavaScript's Date.parse reads exactly."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class IncidentRow:
    id: int
    title: str
    severity: str
    status: str
    scope: str
    opened_at: str
    age: str
    due_iso: str
    due_at: str
    due_delta: str
    overdue: bool
    alerts: str


def incident_row(summary: IncidentSummary, now: datetime) -> IncidentRow:
    due = summary.next_update_due
    alerts = f"{summary.alerts_firing} firing / {summary.alerts_total}" if summary.alerts_total else "0"
    commander = f"IC {summary.commander}" if summary.commander else ""
    return IncidentRow(
        id=summary.id,
        title=summary.title,
        severity=summary.severity.value,
        status=summary.status.value,
        scope=" · ".join(p for p in (summary.service, commander) if p),
        opened_at=clock(summary.opened_at, now),
        age=age(summary.age),
        due_iso=iso(due) if due else "",
        due_at=clock(due, now) if due else "",
        due_delta=span(abs(now - due)) if due else "",
        overdue=summary.overdue,
        alerts=alerts,
    )


@dataclass(frozen=True)
class RoleView:
    value: str
    label: str
    person: str | None


@dataclass(frozen=True)
class EntryView:
    at: str
    at_full: str
    kind: str
    kind_label: str
    actor: str
    text: str


@dataclass(frozen=True)
class ChecklistView:
    key: str
    label: str
    done: bool
    meta: str


@dataclass(frozen=True)
class AlertView:
    name: str
    firing: bool
    since: str
    summary: str
    delivered: int


@dataclass(frozen=True)
class ReportView:
    actor: str
    at: str
    view: TriageView


@dataclass(frozen=True)
class IncidentPage:
    id: int
    title: str
    severity: str
    status: str
    summary: str
    opened_at: str
    age: str
    scope: list[tuple[str, str]]
    roles: list[RoleView]
    mttx: list[tuple[str, str]]
    milestones: list[tuple[str, str]]
    due_iso: str
    due_at: str
    due_delta: str
    overdue: bool
    closed: bool
    cadence: str
    next_statuses: list[str]
    channel_update: str
    status_page: str
    timeline: list[EntryView]
    checklist: list[ChecklistView]
    checklist_done: int
    reports: list[ReportView]
    alerts: list[AlertView]
    alerts_firing: int


def next_statuses(current: Status) -> list[str]:
    """The moves the lifecycle allows from `current` (a reopen is offered; the service asks for its reason)."""
    allowed = []
    for status in Status:
        try:
            check_transition(current, status, reason="offered on the page")
        except InvalidTransition:
            continue
        allowed.append(status.value)
    return allowed


def _entry(entry: TimelineEntry, now: datetime) -> EntryView:
    return EntryView(
        at=clock(entry.at, now),
        at_full=iso(entry.at),
        kind=entry.kind.value,
        kind_label=_KIND_LABELS.get(entry.kind, entry.kind.value),
        actor=entry.actor,
        text=entry.text,
    )


def _checklist(item: ChecklistItem, now: datetime) -> ChecklistView:
    meta = ""
    if item.done and item.done_at is not None:
        meta = f"{item.done_by or '?'} {clock(item.done_at, now)}"
    return ChecklistView(key=item.key, label=item.label, done=item.done, meta=meta)


def _alert(alert: AlertRecord, now: datetime) -> AlertView:
    summary = alert.annotations.get("summary") or alert.annotations.get("description") or ""
    return AlertView(
        name=alert.alertname or alert.fingerprint,
        firing=alert.status is AlertStatus.FIRING,
        since=clock(alert.starts_at, now),
        summary=summary,
        delivered=alert.peers_seen,
    )


def _mttx(incident: Incident) -> list[tuple[str, str]]:
    metrics = incident.metrics
    pairs = [("MTTD", metrics.mttd), ("MTTA", metrics.mtta), ("MTTR", metrics.mttr)]
    return [(label, age(value)) for label, value in pairs if value is not None]


def incident_page(incident: Incident, *, now: datetime, cadence: UpdateCadence) -> IncidentPage:
    """The incident page's values; the timeline reads newest first, as it is read mid-incident."""
    due = incident.next_update_due
    scope = [
        (label, value)
        for label, value in (
            ("Service", incident.service),
            ("Model", incident.model),
            ("Namespace", incident.namespace),
            ("Pool", incident.pool),
        )
        if value
    ]
    milestones = [
        (m.value.capitalize(), clock(at, now)) for m in Milestone if (at := incident.milestones.at(m)) is not None
    ]
    timeline = sorted(incident.timeline, key=lambda e: (e.at, e.id), reverse=True)
    checklist = [_checklist(item, now) for item in incident.checklist]
    return IncidentPage(
        id=incident.id,
        title=incident.title,
        severity=incident.severity.value,
        status=incident.status.value,
        summary=incident.summary,
        opened_at=clock(incident.opened_at, now),
        age=age(now - incident.opened_at),
        scope=scope,
        roles=[RoleView(r.value, ROLE_LABELS[r], incident.holder(r)) for r in Role],
        mttx=_mttx(incident),
        milestones=milestones,
        due_iso=iso(due) if due else "",
        due_at=clock(due, now) if due else "",
        due_delta=span(abs(now - due)) if due else "",
        overdue=incident.overdue,
        closed=incident.status is Status.CLOSED,
        cadence=f"{cadence.minutes[incident.severity]} min",
        next_statuses=next_statuses(incident.status),
        channel_update=render_channel_update(incident, now=now),
        status_page=render_status_page(incident, now=now),
        timeline=[_entry(e, now) for e in timeline],
        checklist=checklist,
        checklist_done=sum(1 for c in checklist if c.done),
        reports=[
            ReportView(r.actor, clock(r.attached_at, now), triage_view(dict(r.report)))
            for r in sorted(incident.reports, key=lambda r: r.attached_at, reverse=True)
        ],
        alerts=[
            _alert(a, now)
            for a in sorted(incident.alerts, key=lambda a: (a.status is not AlertStatus.FIRING, a.starts_at))
        ],
        alerts_firing=sum(1 for a in incident.alerts if a.status is AlertStatus.FIRING),
    )

"""Use cases for running an incident: keyword-only functions over a SQLAlchemy Session.

None of these commit: the caller owns the transaction (`session_scope` in incidents/store/session.py
commits on success and rolls back on error), so a request that fails half-way writes nothing. Every
function takes `now` (aware UTC) so tests control time, and `actor` where a person acts; every change
is written to the timeline. They return domain objects, never rows.

Alert intake and API tokens live in their own modules and are re-exported here, so callers import
one module for every use case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from pagetrail.domain.incident import (
    HUMAN_ENTRY_KINDS,
    Incident,
    IncidentSummary,
    Milestones,
    Role,
    Severity,
    Status,
    TimelineKind,
)
from pagetrail.incidents.cadence import DEFAULT_CADENCE, UpdateCadence
from pagetrail.incidents.checklist import checklist_label
from pagetrail.incidents.errors import ClosedIncident, IncidentNotFound, InvalidInput, InvalidTransition
from pagetrail.incidents.ingest import ingest_alertmanager
from pagetrail.incidents.lifecycle import (
    changed_milestones,
    check_milestone_order,
    check_transition,
    is_reopen,
    milestones_after,
)
from pagetrail.incidents.roles import ROLE_LABELS, assignment_text
from pagetrail.incidents.store.reading import lock_incident, milestones_of, read_incident, read_summaries
from pagetrail.incidents.store.rows import ChecklistItemRow, IncidentRow, RoleAssignmentRow, TriageReportRow
from pagetrail.incidents.store.writing import milestone_data, record_entry, set_milestones
from pagetrail.incidents.templates import render_channel_update, render_status_page
from pagetrail.incidents.tokens import authenticate, create_token, list_tokens, revoke_token
from pagetrail.incidents.validation import required_text

__all__ = [
    "add_timeline_entry",
    "assign_role",
    "attach_triage_report",
    "authenticate",
    "change_severity",
    "change_status",
    "create_token",
    "declare_incident",
    "get_incident",
    "ingest_alertmanager",
    "list_incidents",
    "list_tokens",
    "post_status_update",
    "render_channel_update",
    "render_status_page",
    "revoke_token",
    "tick_checklist",
]

TRIAGE_SCHEMA = "pagetrail.triage.v1"
_MAX_TITLE = 300


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidInput(field, "expected a time with a zone (e.g. 2026-03-10T14:32:00Z), got one without")
    return value


def declare_incident(
    session: Session,
    *,
    title: str,
    severity: Severity,
    service: str | None = None,
    model: str | None = None,
    namespace: str | None = None,
    pool: str | None = None,
    commander: str | None = None,
    summary: str = "",
    actor: str,
    now: datetime,
    started_at: datetime | None = None,
    detected_at: datetime | None = None,
    cadence: UpdateCadence = DEFAULT_CADENCE,
) -> Incident:
    """Open a new incident. Started and detected default to `now`; the declaration starts the
    update cadence clock, and naming a commander assigns the role at once (seed 000's first step)."""
    title = required_text(title, "title", limit=_MAX_TITLE)
    actor = required_text(actor, "actor", limit=200)
    started = _aware(started_at, "started_at") or now
    detected = _aware(detected_at, "detected_at") or now
    milestones = Milestones(started=started, detected=detected)
    check_milestone_order(milestones)
    row = IncidentRow(
        title=title,
        severity=Severity(severity).value,
        status=Status.DECLARED.value,
        service=service or None,
        model=model or None,
        namespace=namespace or None,
        pool=pool or None,
        summary=summary.strip(),
        group_key=None,
        opened_at=now,
        last_update_at=now,
        started_at=started,
        detected_at=detected,
    )
    session.add(row)
    session.flush()
    scope = ", ".join(
        f"{k}={v}" for k, v in (("service", service), ("model", model), ("namespace", namespace), ("pool", pool)) if v
    )
    record_entry(
        session,
        incident_id=row.id,
        at=now,
        kind=TimelineKind.DECLARED,
        actor=actor,
        text=f"Declared {row.severity}: {title}" + (f" ({scope})" if scope else ""),
        data={"severity": row.severity, "milestones": milestone_data(changed_milestones(Milestones(), milestones))},
    )
    if commander:
        _assign(session, row, Role.INCIDENT_COMMANDER, required_text(commander, "commander", limit=200), actor, now)
    return read_incident(session, row, now=now, cadence=cadence)


def get_incident(
    session: Session, *, incident_id: int, now: datetime, cadence: UpdateCadence = DEFAULT_CADENCE
) -> Incident:
    row = session.get(IncidentRow, incident_id)
    if row is None:
        raise IncidentNotFound(incident_id)
    return read_incident(session, row, now=now, cadence=cadence)


def list_incidents(
    session: Session,
    *,
    now: datetime,
    include_closed: bool = False,
    limit: int = 100,
    cadence: UpdateCadence = DEFAULT_CADENCE,
) -> list[IncidentSummary]:
    if limit < 1:
        raise InvalidInput("limit", f"expected a positive number, got {limit}")
    return read_summaries(session, now=now, include_closed=include_closed, limit=limit, cadence=cadence)


def change_status(
    session: Session,
    *,
    incident_id: int,
    status: Status,
    actor: str,
    now: datetime,
    note: str = "",
    cadence: UpdateCadence = DEFAULT_CADENCE,
) -> Incident:
    """Move the incident along its lifecycle (incidents/lifecycle.py) and set the milestones the
    move reaches; reopening a resolved incident needs `note` as the reason."""
    actor = required_text(actor, "actor", limit=200)
    row = lock_incident(session, incident_id)
    current, requested = Status(row.status), Status(status)
    check_transition(current, requested, reason=note)
    if is_reopen(current, requested) and row.group_key is not None:
        _check_group_free(session, row)
    before = milestones_of(row)
    changes = changed_milestones(before, milestones_after(before, current, requested, now))
    row.status = requested.value
    set_milestones(row, changes)
    text = f"Status {current} → {requested}" + (f": {note.strip()}" if note.strip() else "")
    data = {"from": current.value, "to": requested.value, "milestones": milestone_data(changes)}
    record_entry(session, incident_id=row.id, at=now, kind=TimelineKind.STATUS, actor=actor, text=text, data=data)
    return read_incident(session, row, now=now, cadence=cadence)


def _check_group_free(session: Session, row: IncidentRow) -> None:
    """A reopened alert incident would be a second open incident for its Alertmanager group."""
    other = session.scalars(
        select(IncidentRow.id).where(
            IncidentRow.group_key == row.group_key,
            IncidentRow.id != row.id,
            IncidentRow.status.in_([s.value for s in Status if s.is_open]),
        )
    ).first()
    if other is not None:
        raise InvalidTransition(
            row.status,
            Status.INVESTIGATING,
            f"incident {other} is already open for the same alert group; continue there",
        )


def change_severity(
    session: Session,
    *,
    incident_id: int,
    severity: Severity,
    reason: str,
    actor: str,
    now: datetime,
    cadence: UpdateCadence = DEFAULT_CADENCE,
) -> Incident:
    """Re-rate the incident; the reason goes on the timeline. The cadence follows the new severity
    from the last update, so raising to SEV1 can make an update due at once."""
    reason = required_text(reason, "reason", limit=2000)
    actor = required_text(actor, "actor", limit=200)
    row = lock_incident(session, incident_id)
    _refuse_closed(row, "change its severity")
    old, new = Severity(row.severity), Severity(severity)
    if old is new:
        raise InvalidInput("severity", f"the incident is already {new}")
    row.severity = new.value
    record_entry(
        session,
        incident_id=row.id,
        at=now,
        kind=TimelineKind.SEVERITY,
        actor=actor,
        text=f"Severity {old} → {new}: {reason}",
        data={"from": old.value, "to": new.value, "reason": reason},
    )
    return read_incident(session, row, now=now, cadence=cadence)


def assign_role(
    session: Session,
    *,
    incident_id: int,
    role: Role,
    person: str,
    actor: str,
    now: datetime,
    cadence: UpdateCadence = DEFAULT_CADENCE,
) -> Incident:
    """Give a role to a person; if someone held it, the timeline records the handover."""
    person = required_text(person, "person", limit=200)
    actor = required_text(actor, "actor", limit=200)
    row = lock_incident(session, incident_id)
    _refuse_closed(row, "assign roles")
    _assign(session, row, Role(role), person, actor, now)
    return read_incident(session, row, now=now, cadence=cadence)


def _assign(session: Session, row: IncidentRow, role: Role, person: str, actor: str, now: datetime) -> None:
    held = session.scalars(
        select(RoleAssignmentRow).where(RoleAssignmentRow.incident_id == row.id, RoleAssignmentRow.role == role.value)
    ).one_or_none()
    previous = held.person if held is not None else None
    if previous == person:
        raise InvalidInput("person", f"{person} already holds {ROLE_LABELS[role].lower()}")
    if held is None:
        session.add(
            RoleAssignmentRow(incident_id=row.id, role=role.value, person=person, assigned_at=now, assigned_by=actor)
        )
    else:
        held.person, held.assigned_at, held.assigned_by = person, now, actor
    record_entry(
        session,
        incident_id=row.id,
        at=now,
        kind=TimelineKind.ROLE,
        actor=actor,
        text=assignment_text(role, person, previous),
        data={"role": role.value, "person": person, "previous": previous},
    )


def post_status_update(
    session: Session,
    *,
    incident_id: int,
    text: str,
    actor: str,
    now: datetime,
    cadence: UpdateCadence = DEFAULT_CADENCE,
) -> Incident:
    """A timestamped update to stakeholders; it restarts the cadence clock."""
    text = required_text(text, "text", limit=10_000)
    actor = required_text(actor, "actor", limit=200)
    row = lock_incident(session, incident_id)
    _refuse_closed(row, "post updates")
    row.last_update_at = now
    record_entry(session, incident_id=row.id, at=now, kind=TimelineKind.UPDATE, actor=actor, text=text)
    return read_incident(session, row, now=now, cadence=cadence)


def add_timeline_entry(
    session: Session,
    *,
    incident_id: int,
    kind: TimelineKind | str,
    text: str,
    actor: str,
    now: datetime,
    cadence: UpdateCadence = DEFAULT_CADENCE,
) -> Incident:
    """A note, hypothesis, decision or mitigation written by a responder."""
    try:
        entry_kind = TimelineKind(kind)
    except ValueError:
        entry_kind = None
    if entry_kind not in HUMAN_ENTRY_KINDS:
        expected = ", ".join(k.value for k in HUMAN_ENTRY_KINDS)
        raise InvalidInput("kind", f"expected one of {expected}, got {kind!r}")
    assert entry_kind is not None
    text = required_text(text, "text", limit=10_000)
    actor = required_text(actor, "actor", limit=200)
    row = lock_incident(session, incident_id)
    _refuse_closed(row, "add to its timeline")
    record_entry(session, incident_id=row.id, at=now, kind=entry_kind, actor=actor, text=text)
    return read_incident(session, row, now=now, cadence=cadence)


def attach_triage_report(
    session: Session,
    *,
    incident_id: int,
    report: dict[str, object],
    actor: str,
    now: datetime,
    cadence: UpdateCadence = DEFAULT_CADENCE,
) -> Incident:
    """Keep a `pagetrail triage --format json` report with the incident, and name its root cause
    on the timeline so the hypothesis is visible without opening the report."""
    if not isinstance(report, dict):
        raise InvalidInput("report", f"expected a JSON object, got {type(report).__name__}")
    if report.get("schema") != TRIAGE_SCHEMA:
        raise InvalidInput("report.schema", f"expected {TRIAGE_SCHEMA!r}, got {report.get('schema')!r}")
    actor = required_text(actor, "actor", limit=200)
    row = lock_incident(session, incident_id)
    _refuse_closed(row, "attach reports")
    attached = TriageReportRow(incident_id=row.id, attached_at=now, actor=actor, report=report)
    session.add(attached)
    session.flush()
    root = report.get("root_cause")
    cause = f"{root.get('code')} ({root.get('status')})" if isinstance(root, dict) else "no root cause found"
    record_entry(
        session,
        incident_id=row.id,
        at=now,
        kind=TimelineKind.TRIAGE,
        actor=actor,
        text=f"Triage report attached: {cause}",
        data={"report_id": attached.id, "target": report.get("target")},
    )
    return read_incident(session, row, now=now, cadence=cadence)


def tick_checklist(
    session: Session,
    *,
    incident_id: int,
    item_key: str,
    actor: str,
    now: datetime,
    done: bool = True,
    cadence: UpdateCadence = DEFAULT_CADENCE,
) -> Incident:
    """Tick (or untick) a seed 003 checklist item. The checklist stays open after closing: the
    follow-up items (post-mortem, prevention, tickets) are done after the incident is closed."""
    label = checklist_label(item_key)
    actor = required_text(actor, "actor", limit=200)
    row = lock_incident(session, incident_id)
    item = session.scalars(
        select(ChecklistItemRow).where(ChecklistItemRow.incident_id == row.id, ChecklistItemRow.key == item_key)
    ).one_or_none()
    if (item.done if item is not None else False) == done:
        raise InvalidInput("item_key", f"{item_key!r} is already {'ticked' if done else 'not ticked'}")
    if item is None:
        item = ChecklistItemRow(incident_id=row.id, key=item_key, done=done)
        session.add(item)
    item.done, item.done_at, item.done_by = done, (now if done else None), (actor if done else None)
    record_entry(
        session,
        incident_id=row.id,
        at=now,
        kind=TimelineKind.CHECKLIST,
        actor=actor,
        text=f"{'☑' if done else '☐'} {label}",
        data={"key": item_key, "done": done},
    )
    return read_incident(session, row, now=now, cadence=cadence)


def _refuse_closed(row: IncidentRow, action: str) -> None:
    if row.status == Status.CLOSED.value:
        raise ClosedIncident(row.id, action)

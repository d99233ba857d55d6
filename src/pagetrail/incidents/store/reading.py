"""Rows → domain objects: one incident with everything hanging off it, or the list's summaries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from pagetrail.domain.incident import (
    AlertRecord,
    AlertStatus,
    AttachedReport,
    Incident,
    IncidentSummary,
    Milestones,
    Role,
    RoleAssignment,
    Severity,
    Status,
    TimelineEntry,
    TimelineKind,
)
from pagetrail.incidents.cadence import UpdateCadence, is_overdue, next_update_due
from pagetrail.incidents.checklist import build_checklist
from pagetrail.incidents.errors import IncidentNotFound
from pagetrail.incidents.lifecycle import response_metrics
from pagetrail.incidents.store.rows import (
    AlertRow,
    ChecklistItemRow,
    IncidentRow,
    RoleAssignmentRow,
    TimelineEntryRow,
    TriageReportRow,
)

_ROLE_ORDER = {role: i for i, role in enumerate(Role)}


def lock_incident(session: Session, incident_id: int) -> IncidentRow:
    """The incident's row, locked for this transaction on PostgreSQL (SELECT … FOR UPDATE) so two
    writers acting on one incident take turns; SQLite serialises writers already."""
    row = session.scalars(select(IncidentRow).where(IncidentRow.id == incident_id).with_for_update()).one_or_none()
    if row is None:
        raise IncidentNotFound(incident_id)
    return row


def milestones_of(row: IncidentRow) -> Milestones:
    return Milestones(
        started=row.started_at,
        detected=row.detected_at,
        acknowledged=row.acknowledged_at,
        mitigated=row.mitigated_at,
        resolved=row.resolved_at,
        verified=row.verified_at,
    )


def alert_record(row: AlertRow) -> AlertRecord:
    return AlertRecord(
        id=row.id,
        incident_id=row.incident_id,
        fingerprint=row.fingerprint,
        status=AlertStatus(row.status),
        alertname=row.alertname,
        labels=dict(row.labels),
        annotations=dict(row.annotations),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        generator_url=row.generator_url,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        peers_seen=row.peers_seen,
    )


def read_incident(session: Session, row: IncidentRow, *, now: datetime, cadence: UpdateCadence) -> Incident:
    """The whole record as of `now` (so `overdue` is computed against the caller's clock)."""
    session.flush()
    incident_id = row.id
    timeline = session.scalars(
        select(TimelineEntryRow)
        .where(TimelineEntryRow.incident_id == incident_id)
        .order_by(TimelineEntryRow.at, TimelineEntryRow.id)
    ).all()
    roles = session.scalars(select(RoleAssignmentRow).where(RoleAssignmentRow.incident_id == incident_id)).all()
    ticks = session.scalars(select(ChecklistItemRow).where(ChecklistItemRow.incident_id == incident_id)).all()
    alerts = session.scalars(
        select(AlertRow).where(AlertRow.incident_id == incident_id).order_by(AlertRow.starts_at, AlertRow.id)
    ).all()
    reports = session.scalars(
        select(TriageReportRow).where(TriageReportRow.incident_id == incident_id).order_by(TriageReportRow.id)
    ).all()
    severity, status = Severity(row.severity), Status(row.status)
    milestones = milestones_of(row)
    due = next_update_due(status=status, severity=severity, last_update_at=row.last_update_at, cadence=cadence)
    return Incident(
        id=incident_id,
        title=row.title,
        severity=severity,
        status=status,
        service=row.service,
        model=row.model,
        namespace=row.namespace,
        pool=row.pool,
        summary=row.summary,
        group_key=row.group_key,
        opened_at=row.opened_at,
        milestones=milestones,
        metrics=response_metrics(milestones),
        last_update_at=row.last_update_at,
        next_update_due=due,
        overdue=is_overdue(due, now),
        roles=tuple(
            RoleAssignment(role=Role(r.role), person=r.person, assigned_at=r.assigned_at, assigned_by=r.assigned_by)
            for r in sorted(roles, key=lambda r: _ROLE_ORDER[Role(r.role)])
        ),
        timeline=tuple(
            TimelineEntry(id=e.id, at=e.at, kind=TimelineKind(e.kind), actor=e.actor, text=e.text, data=dict(e.data))
            for e in timeline
        ),
        checklist=build_checklist({t.key: (t.done, t.done_at, t.done_by) for t in ticks}),
        alerts=tuple(alert_record(a) for a in alerts),
        reports=tuple(
            AttachedReport(id=r.id, attached_at=r.attached_at, actor=r.actor, report=r.report) for r in reports
        ),
    )


def read_summaries(
    session: Session, *, now: datetime, include_closed: bool, limit: int, cadence: UpdateCadence
) -> list[IncidentSummary]:
    """The incident list: open incidents first, most severe first, newest first."""
    query = select(IncidentRow)
    if not include_closed:
        query = query.where(IncidentRow.status != Status.CLOSED.value)
    is_open = case((IncidentRow.status.in_([s.value for s in Status if s.is_open]), 0), else_=1)
    rows: Sequence[IncidentRow] = session.scalars(
        query.order_by(is_open, IncidentRow.severity, IncidentRow.opened_at.desc(), IncidentRow.id.desc()).limit(limit)
    ).all()
    ids = [r.id for r in rows]
    counts: dict[int, tuple[int, int]] = {}
    commanders: dict[int, str] = {}
    if ids:
        firing = func.sum(case((AlertRow.status == AlertStatus.FIRING.value, 1), else_=0))
        for incident_id, total, firing_count in session.execute(
            select(AlertRow.incident_id, func.count(), firing)
            .where(AlertRow.incident_id.in_(ids))
            .group_by(AlertRow.incident_id)
        ):
            if incident_id is not None:
                counts[incident_id] = (int(total), int(firing_count or 0))
        for incident_id, person in session.execute(
            select(RoleAssignmentRow.incident_id, RoleAssignmentRow.person).where(
                RoleAssignmentRow.incident_id.in_(ids), RoleAssignmentRow.role == Role.INCIDENT_COMMANDER.value
            )
        ):
            commanders[incident_id] = person
    summaries = []
    for row in rows:
        severity, status = Severity(row.severity), Status(row.status)
        due = next_update_due(status=status, severity=severity, last_update_at=row.last_update_at, cadence=cadence)
        total, firing_count = counts.get(row.id, (0, 0))
        summaries.append(
            IncidentSummary(
                id=row.id,
                title=row.title,
                severity=severity,
                status=status,
                service=row.service,
                commander=commanders.get(row.id),
                opened_at=row.opened_at,
                age=now - row.opened_at,
                next_update_due=due,
                overdue=is_overdue(due, now),
                alerts_firing=firing_count,
                alerts_total=total,
            )
        )
    return summaries

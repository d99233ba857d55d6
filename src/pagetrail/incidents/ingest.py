"""Alertmanager notifications → incidents: dedup by fingerprint, group by groupKey, safe under
concurrent writers on SQLite and PostgreSQL.

Why it holds with several processes ingesting at once (two service workers, HA peers sending the
same group to both):
- An alert is one row per (fingerprint, startsAt), inserted with ON CONFLICT DO NOTHING: only the
  writer whose row went in writes the "firing" timeline entry; the others count a peer delivery.
- "One open incident per groupKey" is a partial unique index; a new incident is inserted with ON
  CONFLICT DO NOTHING against it, and a writer that loses the race joins the winner's incident.
- Marking an alert resolved is `UPDATE … WHERE status = 'firing'`, so only one writer records it.
- The open incident's row is locked (FOR UPDATE on PostgreSQL) and alerts are written in
  (fingerprint, startsAt) order, so writers take locks in one order and do not deadlock.
SQLite serialises writers (BEGIN IMMEDIATE, incidents/store/engine.py); a lock or serialisation
failure that still happens is retried by the caller (`run_in_transaction`).

A new incident is declared only for a firing alert never seen before: a re-sent alert of an
incident a human already resolved does not open another one. Only open incidents absorb alerts;
an already-resolved alert nobody saw firing, with no open incident to join, is stored unattached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from pagetrail.domain.incident import (
    OPEN_STATUSES,
    AlertStatus,
    IntakeResult,
    Milestones,
    Severity,
    Status,
    TimelineKind,
)
from pagetrail.incidents.alert_mapping import AlertLabelMapping, incident_title, most_severe, scope_of, severity_of
from pagetrail.incidents.intake import AlertmanagerAlert, AlertmanagerNotification, parse_alertmanager_payload
from pagetrail.incidents.lifecycle import changed_milestones
from pagetrail.incidents.store.rows import OPEN_GROUP_PREDICATE, AlertRow, IncidentRow, TimelineEntryRow
from pagetrail.incidents.store.upsert import insert_ignoring_conflicts, insert_rows, table_of
from pagetrail.incidents.store.writing import milestone_data, record_entry

ACTOR = "alertmanager"
_CHUNK = 500  # rows per statement, well under SQLite's bound-parameter limit
_JOIN_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class _Inserted:
    id: int
    alert: AlertmanagerAlert


def ingest_alertmanager(
    session: Session, *, payload: object, mapping: AlertLabelMapping, now: datetime
) -> IntakeResult:
    """Store one webhook notification. Raises InvalidInput before writing if it is malformed."""
    note = parse_alertmanager_payload(payload)
    incident = _open_incident(session, note.group_key)
    new = _insert_alerts(session, note, incident.id if incident is not None else None, now)
    new_keys = {(n.alert.fingerprint, n.alert.starts_at) for n in new}
    duplicates = [a for a in note.alerts if (a.fingerprint, a.starts_at) not in new_keys]
    _count_deliveries(session, duplicates, now)
    new_firing = [n for n in new if n.alert.status is AlertStatus.FIRING]
    declared = False
    if incident is None and new_firing:
        incident, declared = _join_or_declare(session, note, [n.alert for n in new_firing], mapping, now)
        session.execute(update(AlertRow).where(AlertRow.id.in_([n.id for n in new])).values(incident_id=incident.id))
    if incident is not None and new:
        _record_new_alerts(session, incident, note, new, declared, mapping, now)
    resolved = _resolve_alerts(session, [a for a in duplicates if a.status is AlertStatus.RESOLVED], now)
    resolved += sum(1 for n in new if n.alert.status is AlertStatus.RESOLVED)
    return IntakeResult(
        incident_id=incident.id if incident is not None else None,
        declared=declared,
        alerts_new=len(new),
        alerts_duplicate=len(duplicates),
        alerts_resolved=resolved,
    )


def _open_incident(session: Session, group_key: str) -> IncidentRow | None:
    return session.scalars(
        select(IncidentRow)
        .where(IncidentRow.group_key == group_key, IncidentRow.status.in_([s.value for s in OPEN_STATUSES]))
        .with_for_update()
    ).one_or_none()


def _insert_alerts(
    session: Session, note: AlertmanagerNotification, incident_id: int | None, now: datetime
) -> list[_Inserted]:
    """Insert the alerts not stored yet; return those this writer inserted."""
    by_key = {(a.fingerprint, a.starts_at): a for a in note.alerts}
    rows = [_alert_row(a, note.group_key, incident_id, now) for a in note.alerts]
    alerts = table_of(AlertRow).c
    result = insert_rows(
        session,
        AlertRow,
        rows,
        returning=(alerts.id, alerts.fingerprint, alerts.starts_at),
        conflict_columns=("fingerprint", "starts_at"),
    )
    inserted = [_Inserted(alert_id, by_key[(fingerprint, starts_at)]) for alert_id, fingerprint, starts_at in result]
    inserted.sort(key=lambda n: (n.alert.fingerprint, n.alert.starts_at))
    return inserted


def _alert_row(alert: AlertmanagerAlert, group_key: str, incident_id: int | None, now: datetime) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "group_key": group_key,
        "fingerprint": alert.fingerprint,
        "starts_at": alert.starts_at,
        "ends_at": alert.ends_at,
        "status": alert.status.value,
        "alertname": alert.alertname[:200],
        "labels": dict(alert.labels),
        "annotations": dict(alert.annotations),
        "generator_url": alert.generator_url,
        "first_seen": now,
        "last_seen": now,
        "peers_seen": 1,
    }


def _count_deliveries(session: Session, alerts: Sequence[AlertmanagerAlert], now: datetime) -> None:
    """Another peer (or a repeat) delivered alerts already stored: count it, keep one row."""
    if not alerts:
        return
    keys = [(a.fingerprint, a.starts_at) for a in alerts]
    for start in range(0, len(keys), _CHUNK):
        session.execute(
            update(AlertRow)
            .where(tuple_(AlertRow.fingerprint, AlertRow.starts_at).in_(keys[start : start + _CHUNK]))
            .values(last_seen=now, peers_seen=AlertRow.peers_seen + 1)
        )


def _join_or_declare(
    session: Session,
    note: AlertmanagerNotification,
    firing: list[AlertmanagerAlert],
    mapping: AlertLabelMapping,
    now: datetime,
) -> tuple[IncidentRow, bool]:
    """Declare the group's incident, or join the one a concurrent writer declared first."""
    labels = dict(note.common_labels) or dict(firing[0].labels)
    scope = scope_of(labels, mapping)
    started = min(a.starts_at for a in firing)
    row = {
        "title": incident_title(note.common_labels, note.common_annotations, scope)[:300],
        "severity": most_severe([a.labels for a in firing], mapping).value,
        "status": Status.DECLARED.value,
        "service": scope.service,
        "model": scope.model,
        "namespace": scope.namespace,
        "pool": scope.pool,
        "summary": note.common_annotations.get("description", ""),
        "group_key": note.group_key,
        "opened_at": now,
        "last_update_at": now,
        "started_at": min(started, now),
        "detected_at": now,
    }
    incidents = table_of(IncidentRow).c
    statement = (
        insert_ignoring_conflicts(
            session, IncidentRow, conflict_columns=("group_key",), conflict_where=OPEN_GROUP_PREDICATE
        )
        .values(row)
        .returning(incidents.id)
    )
    for _ in range(_JOIN_ATTEMPTS):
        incident_id = session.execute(statement).scalar_one_or_none()
        if incident_id is not None:
            break
        winner = _open_incident(session, note.group_key)
        if winner is not None:
            return winner, False
        # The winner was resolved between our insert and lookup: the group is free again.
    else:
        raise RuntimeError(f"group {note.group_key!r} kept changing under concurrent writers; retry the notification")
    incident = session.get_one(IncidentRow, incident_id)
    milestones = Milestones(started=incident.started_at, detected=incident.detected_at)
    record_entry(
        session,
        incident_id=incident.id,
        at=now,
        kind=TimelineKind.DECLARED,
        actor=ACTOR,
        text=f"Declared {incident.severity} from Alertmanager ({note.receiver or 'webhook'}): {incident.title}",
        data={
            "severity": incident.severity,
            "group_key": note.group_key,
            "external_url": note.external_url,
            "milestones": milestone_data(changed_milestones(Milestones(), milestones)),
        },
    )
    return incident, True


def _record_new_alerts(
    session: Session,
    incident: IncidentRow,
    note: AlertmanagerNotification,
    new: list[_Inserted],
    declared: bool,
    mapping: AlertLabelMapping,
    now: datetime,
) -> None:
    """One timeline entry per alert first seen here; escalate if a new alert is more severe."""
    _insert_entries(session, [_alert_entry(incident.id, n.id, n.alert, now) for n in new])
    if note.truncated_alerts:
        record_entry(
            session,
            incident_id=incident.id,
            at=now,
            kind=TimelineKind.ALERT,
            actor=ACTOR,
            text=f"Alertmanager left {note.truncated_alerts} more alert(s) of this group out of the notification "
            "(max_alerts); see Alertmanager for the full list",
            data={"truncated_alerts": note.truncated_alerts},
        )
    firing = [n.alert for n in new if n.alert.status is AlertStatus.FIRING]
    if declared or not firing:
        return
    worst = min(firing, key=lambda a: severity_of(a.labels, mapping).rank)
    new_severity, old = severity_of(worst.labels, mapping), Severity(incident.severity)
    if new_severity.rank < old.rank:
        incident.severity = new_severity.value
        record_entry(
            session,
            incident_id=incident.id,
            at=now,
            kind=TimelineKind.SEVERITY,
            actor=ACTOR,
            text=f"Severity {old} → {new_severity}: alert {worst.alertname or worst.fingerprint} joined the incident",
            data={"from": old.value, "to": new_severity.value, "reason": f"alert {worst.fingerprint}"},
        )


def _alert_text(alert: AlertmanagerAlert) -> str:
    name = alert.alertname or alert.fingerprint
    summary = alert.annotations.get("summary", "")
    where = ", ".join(f"{k}={alert.labels[k]}" for k in ("service", "model", "namespace", "pool") if k in alert.labels)
    text = f"Alert {alert.status.value}: {name}" + (f" ({where})" if where else "")
    return text + (f": {summary}" if summary else "")


def _resolve_alerts(session: Session, resolved: Sequence[AlertmanagerAlert], now: datetime) -> int:
    """Mark firing alerts resolved, once, with a timeline entry on their incident (unless closed:
    a closed record stays as it was closed). The incident itself stays open: a human verifies.
    Alerts first seen already resolved were stored resolved (and put on the timeline) on insert.
    Returns how many alerts this call marked resolved."""
    if not resolved:
        return 0
    by_key = {(a.fingerprint, a.starts_at): a for a in resolved}
    changed: list[tuple[int, int | None, AlertmanagerAlert]] = []
    keys = list(by_key)
    for start in range(0, len(keys), _CHUNK):
        for alert_id, incident_id, fingerprint, starts_at in session.execute(
            update(AlertRow)
            .where(
                tuple_(AlertRow.fingerprint, AlertRow.starts_at).in_(keys[start : start + _CHUNK]),
                AlertRow.status == AlertStatus.FIRING.value,
            )
            .values(status=AlertStatus.RESOLVED.value, last_seen=now)
            .returning(AlertRow.id, AlertRow.incident_id, AlertRow.fingerprint, AlertRow.starts_at)
        ):
            changed.append((alert_id, incident_id, by_key[(fingerprint, starts_at)]))
    if changed:
        session.execute(
            update(AlertRow),
            [{"id": alert_id, "ends_at": alert.ends_at or now} for alert_id, _, alert in changed],
        )
        _record_resolutions(session, changed, now)
    return len(changed)


def _record_resolutions(
    session: Session, changed: list[tuple[int, int | None, AlertmanagerAlert]], now: datetime
) -> None:
    incident_ids = {incident_id for _, incident_id, _ in changed if incident_id is not None}
    closed = set(
        session.scalars(
            select(IncidentRow.id).where(IncidentRow.id.in_(incident_ids), IncidentRow.status == Status.CLOSED.value)
        )
    )
    entries = [
        _alert_entry(incident_id, alert_id, alert, now)
        for alert_id, incident_id, alert in changed
        if incident_id is not None and incident_id not in closed
    ]
    if entries:
        _insert_entries(session, entries)


def _insert_entries(session: Session, entries: list[dict[str, Any]]) -> None:
    """Many timeline rows in one statement (see `insert_rows`): one INSERT per row would be five
    times slower here."""
    insert_rows(session, TimelineEntryRow, entries, returning=(table_of(TimelineEntryRow).c.id,)).all()


def _alert_entry(incident_id: int, alert_id: int, alert: AlertmanagerAlert, now: datetime) -> dict[str, Any]:
    return {
        "incident_id": incident_id,
        "at": now,
        "kind": TimelineKind.ALERT.value,
        "actor": ACTOR,
        "text": _alert_text(alert),
        "data": {"alert_id": alert_id, "fingerprint": alert.fingerprint, "status": alert.status.value},
    }

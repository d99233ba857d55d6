"""Alertmanager intake on a real database (SQLite and PostgreSQL): validation before any write,
dedup by fingerprint + startsAt, grouping by groupKey into the one open incident, resolved alerts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from pagetrail.domain.incident import AlertStatus, IntakeResult, Severity, Status, TimelineKind
from pagetrail.incidents import service
from pagetrail.incidents.alert_mapping import DEFAULT_MAPPING
from pagetrail.incidents.errors import InvalidInput, InvalidTransition
from pagetrail.incidents.intake import parse_alertmanager_payload
from pagetrail.incidents.store.engine import create_engine_for
from pagetrail.incidents.store.rows import AlertRow, IncidentRow, TimelineEntryRow
from pagetrail.incidents.store.session import session_scope
from tests.alert_payloads import alert, notification
from tests.store_db import KINDS, fresh_database

T0 = datetime(2026, 3, 10, 14, 31, tzinfo=UTC)
GROUP = '{}:{alertname="HighErrorRate"}'


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture(params=KINDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(request.param, tmp_path) as url:
        engine = create_engine_for(url)
        yield engine
        engine.dispose()


def ingest(engine: Engine, payload: dict[str, Any], minute: float = 0) -> IntakeResult:
    with session_scope(engine) as session:
        return service.ingest_alertmanager(session, payload=payload, mapping=DEFAULT_MAPPING, now=at(minute))


def counts(engine: Engine) -> tuple[int, int, int]:
    with session_scope(engine, read_only=True) as session:
        return (
            session.scalar(select(func.count()).select_from(IncidentRow)) or 0,
            session.scalar(select(func.count()).select_from(AlertRow)) or 0,
            session.scalar(select(func.count()).select_from(TimelineEntryRow)) or 0,
        )


PODS_DOWN = alert("HighErrorRate", severity="critical", service="fraud-scorer", namespace="ml", pod="a")
POD_B = alert("HighErrorRate", severity="critical", service="fraud-scorer", namespace="ml", pod="b")


def test_first_notification_declares_an_incident_with_severity_scope_and_milestones(engine: Engine) -> None:
    result = ingest(engine, notification(GROUP, [PODS_DOWN, POD_B]))
    assert (result.declared, result.alerts_new, result.alerts_duplicate, result.alerts_resolved) == (True, 2, 0, 0)
    with session_scope(engine, read_only=True) as session:
        incident = service.get_incident(session, incident_id=result.incident_id or 0, now=at(1))
    assert (incident.severity, incident.status, incident.service, incident.namespace) == (
        Severity.SEV1,
        Status.DECLARED,
        "fraud-scorer",
        "ml",
    )
    assert incident.title == "fraud-scorer - HighErrorRate"
    assert incident.group_key == GROUP
    # started = the alert's startsAt (nanoseconds cut to microseconds), detected = when the page arrived
    assert incident.milestones.started == datetime(2026, 3, 10, 14, 30, 0, 123456, tzinfo=UTC)
    assert incident.milestones.detected == at(0)
    assert [e.kind for e in incident.timeline] == [TimelineKind.DECLARED, TimelineKind.ALERT, TimelineKind.ALERT]
    assert {a.labels["pod"] for a in incident.alerts} == {"a", "b"}
    assert all(a.status is AlertStatus.FIRING and a.ends_at is None for a in incident.alerts)


def test_ha_peers_sending_the_same_notification_store_each_alert_once(engine: Engine) -> None:
    payload = notification(GROUP, [PODS_DOWN, POD_B])
    first = ingest(engine, payload)
    second = ingest(engine, payload, 0.1)  # the other Alertmanager peer
    assert (second.incident_id, second.declared, second.alerts_new, second.alerts_duplicate) == (
        first.incident_id,
        False,
        0,
        2,
    )
    assert counts(engine) == (1, 2, 3)
    with session_scope(engine, read_only=True) as session:
        peers = session.scalars(select(AlertRow.peers_seen)).all()
        last_seen = session.scalars(select(AlertRow.last_seen)).all()
    assert peers == [2, 2]
    assert last_seen == [at(0.1), at(0.1)]


def test_new_alerts_of_the_group_join_the_open_incident_and_escalate_it(engine: Engine) -> None:
    warning = alert("HighErrorRate", severity="warning", service="fraud-scorer", pod="a")
    first = ingest(engine, notification(GROUP, [warning]))
    critical = alert(
        "HighErrorRate", severity="critical", service="fraud-scorer", pod="c", starts_at="2026-03-10T14:33:00Z"
    )
    joined = ingest(engine, notification(GROUP, [warning, critical]), 3)
    assert (joined.incident_id, joined.declared, joined.alerts_new, joined.alerts_duplicate) == (
        first.incident_id,
        False,
        1,
        1,
    )
    with session_scope(engine, read_only=True) as session:
        incident = service.get_incident(session, incident_id=joined.incident_id or 0, now=at(4))
    assert incident.severity is Severity.SEV1
    assert incident.timeline[-1].kind is TimelineKind.SEVERITY
    assert "SEV3 → SEV1" in incident.timeline[-1].text
    other = ingest(engine, notification('{}:{alertname="DiskFull"}', [alert("DiskFull", severity="info")]), 5)
    assert other.declared
    assert other.incident_id != first.incident_id


def test_resolved_notification_marks_alerts_resolved_once_without_closing_the_incident(engine: Engine) -> None:
    first = ingest(engine, notification(GROUP, [PODS_DOWN, POD_B]))
    resolved_a = dict(PODS_DOWN, status="resolved", endsAt="2026-03-10T14:50:00Z")
    payload = notification(GROUP, [resolved_a, POD_B])
    result = ingest(engine, payload, 20)
    again = ingest(engine, payload, 20.1)  # the HA peer's copy
    assert (result.alerts_resolved, again.alerts_resolved) == (1, 0)
    with session_scope(engine, read_only=True) as session:
        incident = service.get_incident(session, incident_id=first.incident_id or 0, now=at(21))
    assert incident.status is Status.DECLARED  # a human verifies recovery
    by_pod = {a.labels["pod"]: a for a in incident.alerts}
    assert (by_pod["a"].status, by_pod["a"].ends_at) == (
        AlertStatus.RESOLVED,
        datetime(2026, 3, 10, 14, 50, tzinfo=UTC),
    )
    assert by_pod["b"].status is AlertStatus.FIRING
    resolved_entries = [e for e in incident.timeline if e.kind is TimelineKind.ALERT and e.data["status"] == "resolved"]
    assert len(resolved_entries) == 1
    assert resolved_entries[0].text.startswith("Alert resolved: HighErrorRate")
    late_firing = ingest(engine, notification(GROUP, [PODS_DOWN]), 22)  # a lagging peer still says firing
    assert late_firing.alerts_duplicate == 1
    with session_scope(engine, read_only=True) as session:
        status = session.scalar(select(AlertRow.status).where(AlertRow.fingerprint == PODS_DOWN["fingerprint"]))
    assert status == "resolved"  # resolved is final for this (fingerprint, startsAt)


def test_only_open_incidents_absorb_alerts(engine: Engine) -> None:
    first = ingest(engine, notification(GROUP, [PODS_DOWN]))
    with session_scope(engine) as session:
        service.change_status(
            session, incident_id=first.incident_id or 0, status=Status.RESOLVED, actor="bob", now=at(10)
        )
    repeat = ingest(engine, notification(GROUP, [PODS_DOWN]), 11)  # repeat_interval re-send of the same alert
    assert (repeat.declared, repeat.alerts_new, repeat.incident_id) == (False, 0, None)
    assert counts(engine)[0] == 1
    refire = dict(PODS_DOWN, startsAt="2026-03-10T15:00:00Z")  # the same alert fires again: a new episode
    second = ingest(engine, notification(GROUP, [refire]), 30)
    assert second.declared
    assert second.incident_id != first.incident_id
    with (
        pytest.raises(InvalidTransition, match=f"incident {second.incident_id} is already open"),
        session_scope(engine) as session,
    ):
        service.change_status(
            session,
            incident_id=first.incident_id or 0,
            status=Status.INVESTIGATING,
            actor="bob",
            now=at(31),
            note="back",
        )


def test_resolved_alert_never_seen_firing_without_open_incident_is_kept_unattached(engine: Engine) -> None:
    result = ingest(engine, notification(GROUP, [dict(PODS_DOWN, status="resolved", endsAt="2026-03-10T14:40:00Z")]))
    assert (result.incident_id, result.declared, result.alerts_new, result.alerts_resolved) == (None, False, 1, 1)
    assert counts(engine) == (0, 1, 0)


def test_truncated_alerts_are_noted_on_the_timeline(engine: Engine) -> None:
    result = ingest(engine, notification(GROUP, [PODS_DOWN], truncated=12))
    with session_scope(engine, read_only=True) as session:
        incident = service.get_incident(session, incident_id=result.incident_id or 0, now=at(1))
    assert any("left 12 more alert(s)" in e.text for e in incident.timeline)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p.update(version="3"), "version"),
        (lambda p: p.pop("groupKey"), "groupKey"),
        (lambda p: p.update(alerts=[]), "alerts"),
        (lambda p: p.update(truncatedAlerts="many"), "truncatedAlerts"),
        (lambda p: p["alerts"][1].update(startsAt="yesterday"), "alerts[1].startsAt"),
        (lambda p: p["alerts"][1].pop("fingerprint"), "alerts[1].fingerprint"),
        (lambda p: p["alerts"][1].update(status="pending"), "alerts[1].status"),
        (lambda p: p["alerts"][1]["labels"].update(pod=3), "alerts[1].labels.pod"),
        (lambda p: p["alerts"][0].update(endsAt=17), "alerts[0].endsAt"),
        (lambda p: p.update(commonLabels=["x"]), "commonLabels"),
    ],
)
def test_malformed_payload_is_refused_naming_the_field_and_nothing_is_written(
    engine: Engine, mutate: Any, field: str
) -> None:
    payload = notification(GROUP, [PODS_DOWN, POD_B])
    mutate(payload)
    with pytest.raises(InvalidInput) as caught:
        ingest(engine, payload)
    assert caught.value.field == field
    assert counts(engine) == (0, 0, 0)


def test_payload_parsing_defaults_optional_fields_and_keeps_repeated_alerts_once() -> None:
    minimal = {
        "version": "4",
        "groupKey": GROUP,
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "X"},
                "startsAt": "2026-03-10T14:30:00+02:00",
                "fingerprint": "f1",
            },
            {"status": "firing", "labels": {"alertname": "X"}, "startsAt": "2026-03-10T12:30:00Z", "fingerprint": "f1"},
        ],
    }
    parsed = parse_alertmanager_payload(minimal)
    assert (parsed.truncated_alerts, parsed.receiver, parsed.external_url) == (0, "", "")
    [only] = parsed.alerts  # +02:00 and Z name the same instant
    assert only.starts_at == datetime(2026, 3, 10, 12, 30, tzinfo=UTC)
    assert (only.ends_at, only.annotations, only.alertname) == (None, {}, "X")
    with pytest.raises(InvalidInput, match="payload: expected a JSON object"):
        parse_alertmanager_payload([minimal])

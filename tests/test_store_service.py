"""The incident service on a real database, SQLite file and PostgreSQL: every use case, the timeline
it writes, the errors it raises, and that a refused request writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from pagetrail.domain.incident import Role, Severity, Status, TimelineKind, TokenRole
from pagetrail.incidents import service
from pagetrail.incidents.errors import AuthError, ClosedIncident, IncidentNotFound, InvalidInput, InvalidTransition
from pagetrail.incidents.store.engine import create_engine_for
from pagetrail.incidents.store.rows import ApiTokenRow, TimelineEntryRow
from pagetrail.incidents.store.session import session_scope
from tests.store_db import KINDS, fresh_database

T0 = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture(params=KINDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(request.param, tmp_path) as url:
        engine = create_engine_for(url)
        yield engine
        engine.dispose()


def _declare(engine: Engine, **overrides: object) -> int:
    fields: dict[str, object] = {
        "title": "API - 50% error rate",
        "severity": Severity.SEV1,
        "service": "api",
        "namespace": "prod",
        "actor": "alice",
        "now": at(2),
        "started_at": at(0),
    } | overrides
    with session_scope(engine) as session:
        return service.declare_incident(session, **fields).id  # type: ignore[arg-type]


def _timeline_count(engine: Engine) -> int:
    with session_scope(engine, read_only=True) as session:
        return session.scalar(select(func.count()).select_from(TimelineEntryRow)) or 0


def test_declare_records_who_what_when_and_starts_the_cadence(engine: Engine) -> None:
    incident_id = _declare(engine, commander="alice", summary="~30% of API requests failing")
    with session_scope(engine, read_only=True) as session:
        incident = service.get_incident(session, incident_id=incident_id, now=at(3))
    assert (incident.status, incident.severity, incident.service, incident.namespace) == (
        Status.DECLARED,
        Severity.SEV1,
        "api",
        "prod",
    )
    assert incident.opened_at == at(2)
    assert incident.opened_at.tzinfo is not None  # aware UTC from both SQLite and PostgreSQL
    assert (incident.milestones.started, incident.milestones.detected) == (at(0), at(2))
    assert incident.metrics.mttd == timedelta(minutes=2)
    assert incident.next_update_due == at(4)  # SEV1: every 2 minutes
    assert not incident.overdue
    assert incident.holder(Role.INCIDENT_COMMANDER) == "alice"
    assert [(e.kind, e.actor) for e in incident.timeline] == [
        (TimelineKind.DECLARED, "alice"),
        (TimelineKind.ROLE, "alice"),
    ]
    assert incident.timeline[0].data["milestones"] == {"started": at(0).isoformat(), "detected": at(2).isoformat()}
    assert len(incident.checklist) == 13


def test_full_lifecycle_sets_milestones_on_the_timeline_and_computes_metrics(engine: Engine) -> None:
    incident_id = _declare(engine)
    steps = [
        (Status.INVESTIGATING, 3),
        (Status.IDENTIFIED, 8),
        (Status.MITIGATED, 15),
        (Status.RESOLVED, 21),
        (Status.CLOSED, 45),
    ]
    for status, minute in steps:
        with session_scope(engine) as session:
            service.change_status(session, incident_id=incident_id, status=status, actor="bob", now=at(minute))
    with session_scope(engine, read_only=True) as session:
        incident = service.get_incident(session, incident_id=incident_id, now=at(50))
    m = incident.milestones
    assert (m.acknowledged, m.mitigated, m.resolved, m.verified) == (at(3), at(15), at(21), at(45))
    assert (incident.metrics.mttd, incident.metrics.mtta, incident.metrics.mttr) == (
        timedelta(minutes=2),
        timedelta(minutes=1),
        timedelta(minutes=21),
    )
    status_entries = [e for e in incident.timeline if e.kind is TimelineKind.STATUS]
    assert [e.data["to"] for e in status_entries] == [s.value for s, _ in steps]
    assert status_entries[0].data["milestones"] == {"acknowledged": at(3).isoformat()}
    assert incident.next_update_due is None
    assert not incident.overdue


def test_resolving_a_closed_incident_is_an_invalid_transition_and_writes_nothing(engine: Engine) -> None:
    incident_id = _declare(engine)
    with session_scope(engine) as session:
        service.change_status(session, incident_id=incident_id, status=Status.CLOSED, actor="bob", now=at(30))
    before = _timeline_count(engine)
    with pytest.raises(InvalidTransition, match="closed") as caught, session_scope(engine) as session:
        service.change_status(session, incident_id=incident_id, status=Status.RESOLVED, actor="bob", now=at(31))
    assert (caught.value.current, caught.value.requested) == ("closed", "resolved")
    with pytest.raises(ClosedIncident, match="is closed; cannot post updates"), session_scope(engine) as session:
        service.post_status_update(session, incident_id=incident_id, text="late", actor="bob", now=at(32))
    assert _timeline_count(engine) == before


def test_reopen_with_reason_and_skipping_forward(engine: Engine) -> None:
    incident_id = _declare(engine)
    with session_scope(engine) as session:
        service.change_status(session, incident_id=incident_id, status=Status.MITIGATED, actor="bob", now=at(10))
        service.change_status(session, incident_id=incident_id, status=Status.RESOLVED, actor="bob", now=at(12))
    with pytest.raises(InvalidTransition, match="needs a reason"), session_scope(engine) as session:
        service.change_status(session, incident_id=incident_id, status=Status.INVESTIGATING, actor="bob", now=at(14))
    with session_scope(engine) as session:
        incident = service.change_status(
            session,
            incident_id=incident_id,
            status=Status.INVESTIGATING,
            actor="bob",
            now=at(15),
            note="errors are back",
        )
    assert incident.status is Status.INVESTIGATING
    assert (incident.milestones.acknowledged, incident.milestones.mitigated, incident.milestones.resolved) == (
        at(10),
        None,
        None,
    )
    assert incident.timeline[-1].text == "Status resolved → investigating: errors are back"
    assert incident.next_update_due == at(4)  # open again: owes updates, and is overdue
    assert incident.overdue


def test_unknown_incident_is_not_found(engine: Engine) -> None:
    with pytest.raises(IncidentNotFound, match="incident 42 not found"), session_scope(engine) as session:
        service.get_incident(session, incident_id=42, now=at(0))
    with pytest.raises(IncidentNotFound), session_scope(engine) as session:
        service.post_status_update(session, incident_id=42, text="x", actor="a", now=at(0))


def test_severity_change_needs_a_reason_and_tightens_the_cadence(engine: Engine) -> None:
    incident_id = _declare(engine, severity=Severity.SEV3)
    with session_scope(engine, read_only=True) as session:
        assert service.get_incident(session, incident_id=incident_id, now=at(3)).next_update_due == at(32)
    with pytest.raises(InvalidInput, match="reason: must not be empty"), session_scope(engine) as session:
        service.change_severity(
            session, incident_id=incident_id, severity=Severity.SEV1, reason=" ", actor="a", now=at(3)
        )
    with session_scope(engine) as session:
        incident = service.change_severity(
            session,
            incident_id=incident_id,
            severity=Severity.SEV1,
            reason="all users failing",
            actor="alice",
            now=at(5),
        )
    assert incident.severity is Severity.SEV1
    assert incident.timeline[-1].text == "Severity SEV3 → SEV1: all users failing"
    assert incident.next_update_due == at(4)  # two minutes after the last update (the declaration)
    assert incident.overdue


def test_role_handover_is_on_the_timeline(engine: Engine) -> None:
    incident_id = _declare(engine, commander="alice")
    with session_scope(engine) as session:
        service.assign_role(
            session, incident_id=incident_id, role=Role.COMMUNICATIONS, person="dan", actor="alice", now=at(3)
        )
        incident = service.assign_role(
            session, incident_id=incident_id, role=Role.INCIDENT_COMMANDER, person="bob", actor="alice", now=at(4)
        )
    assert incident.holder(Role.INCIDENT_COMMANDER) == "bob"
    assert incident.holder(Role.COMMUNICATIONS) == "dan"
    assert incident.timeline[-1].text == "Incident commander handed over from alice to bob"
    assert incident.timeline[-1].data == {"role": "incident_commander", "person": "bob", "previous": "alice"}
    with pytest.raises(InvalidInput, match="bob already holds"), session_scope(engine) as session:
        service.assign_role(
            session, incident_id=incident_id, role=Role.INCIDENT_COMMANDER, person="bob", actor="x", now=at(5)
        )


def test_status_update_restarts_the_cadence_clock_and_overdue_shows(engine: Engine) -> None:
    incident_id = _declare(engine, severity=Severity.SEV2)
    with session_scope(engine, read_only=True) as session:
        late = service.get_incident(session, incident_id=incident_id, now=at(8))
    assert (late.next_update_due, late.overdue) == (at(7), True)
    with session_scope(engine) as session:
        updated = service.post_status_update(
            session, incident_id=incident_id, text="Checking pod logs", actor="alice", now=at(8)
        )
    assert (updated.last_update_at, updated.next_update_due, updated.overdue) == (at(8), at(13), False)
    with session_scope(engine, read_only=True) as session:
        [summary] = service.list_incidents(session, now=at(14))
    assert (summary.id, summary.overdue, summary.age) == (incident_id, True, timedelta(minutes=12))


def test_human_entries_checklist_and_triage_reports(engine: Engine) -> None:
    incident_id = _declare(engine)
    report = {
        "schema": "pagetrail.triage.v1",
        "target": "Deployment/prod/api",
        "root_cause": {"code": "model.load-failed", "status": "confirmed"},
    }
    with session_scope(engine) as session:
        for kind in ("note", "hypothesis", "decision", "mitigation"):
            service.add_timeline_entry(
                session, incident_id=incident_id, kind=TimelineKind(kind), text=f"a {kind}", actor="bob", now=at(3)
            )
        service.tick_checklist(session, incident_id=incident_id, item_key="oncall-alerted", actor="bob", now=at(4))
        incident = service.attach_triage_report(session, incident_id=incident_id, report=report, actor="bob", now=at(5))
    kinds = [e.kind.value for e in incident.timeline]
    assert kinds[-6:] == ["note", "hypothesis", "decision", "mitigation", "checklist", "triage"]
    assert incident.timeline[-1].text == "Triage report attached: model.load-failed (confirmed)"
    assert [r.report["target"] for r in incident.reports] == ["Deployment/prod/api"]
    assert incident.reports[0].report == report
    ticked = [c for c in incident.checklist if c.done]
    assert [(c.key, c.done_by, c.done_at) for c in ticked] == [("oncall-alerted", "bob", at(4))]
    with session_scope(engine) as session:
        untick = service.tick_checklist(
            session, incident_id=incident_id, item_key="oncall-alerted", actor="bob", now=at(6), done=False
        )
    assert not any(c.done for c in untick.checklist)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda s, i: service.add_timeline_entry(s, incident_id=i, kind="status", text="x", actor="a", now=at(3)),
            "kind: expected one of",
        ),
        (
            lambda s, i: service.add_timeline_entry(s, incident_id=i, kind="note", text="  ", actor="a", now=at(3)),
            "text: must not be empty",
        ),
        (
            lambda s, i: service.attach_triage_report(s, incident_id=i, report={"schema": "v0"}, actor="a", now=at(3)),
            "report.schema",
        ),
        (
            lambda s, i: service.tick_checklist(s, incident_id=i, item_key="coffee", actor="a", now=at(3)),
            "unknown checklist item",
        ),
        (
            lambda s, i: service.tick_checklist(
                s, incident_id=i, item_key="team-debriefed", actor="a", now=at(3), done=False
            ),
            "already not ticked",
        ),
        (
            lambda s, i: service.post_status_update(s, incident_id=i, text="x" * 10_001, actor="a", now=at(3)),
            "at most 10000",
        ),
        (
            lambda s, _: service.declare_incident(s, title="", severity=Severity.SEV1, actor="a", now=at(3)),
            "title: must not be empty",
        ),
        (
            lambda s, _: service.declare_incident(
                s, title="t", severity=Severity.SEV1, actor="a", now=at(3), started_at=at(5), detected_at=at(4)
            ),
            "detected_at",
        ),
        (
            lambda s, _: service.declare_incident(
                s, title="t", severity=Severity.SEV1, actor="a", now=at(3), started_at=datetime(2026, 1, 1)
            ),
            "started_at",
        ),
    ],
)
def test_bad_input_is_refused_with_the_field_and_writes_nothing(engine: Engine, call: object, message: str) -> None:
    incident_id = _declare(engine)
    before = _timeline_count(engine)
    with pytest.raises(InvalidInput, match=message), session_scope(engine) as session:
        call(session, incident_id)  # type: ignore[operator]
    assert _timeline_count(engine) == before


def test_list_shows_open_incidents_most_severe_first_and_hides_closed_by_default(engine: Engine) -> None:
    sev3 = _declare(engine, title="slow", severity=Severity.SEV3, now=at(1))
    sev1 = _declare(engine, title="down", severity=Severity.SEV1, now=at(2), commander="alice")
    closed = _declare(engine, title="old", severity=Severity.SEV1, now=at(0))
    with session_scope(engine) as session:
        service.change_status(session, incident_id=closed, status=Status.CLOSED, actor="a", now=at(3))
    with session_scope(engine, read_only=True) as session:
        open_list = service.list_incidents(session, now=at(4))
        everything = service.list_incidents(session, now=at(4), include_closed=True)
        first = service.list_incidents(session, now=at(4), limit=1)
    assert [s.id for s in open_list] == [sev1, sev3]
    assert open_list[0].commander == "alice"
    assert [s.id for s in everything] == [sev1, sev3, closed]
    assert [s.id for s in first] == [sev1]


def test_tokens_are_stored_hashed_authenticate_by_role_and_revoke(engine: Engine) -> None:
    with session_scope(engine) as session:
        token = service.create_token(session, role=TokenRole.RESPONDER, name="alertmanager", now=at(0))
    with session_scope(engine, read_only=True) as session:
        stored = session.scalars(select(ApiTokenRow.token_hash)).all()
        principal = service.authenticate(session, token=token)
    assert token not in stored
    assert len(stored) == 1
    assert (principal.name, principal.role) == ("alertmanager", TokenRole.RESPONDER)
    assert principal.role.allows(TokenRole.VIEWER)
    assert not principal.role.allows(TokenRole.ADMIN)
    with pytest.raises(AuthError, match="unknown or revoked"), session_scope(engine) as session:
        service.authenticate(session, token=token + "x")
    with session_scope(engine) as session:
        info = service.revoke_token(session, token_id=principal.token_id, now=at(5))
        assert info.revoked_at == at(5)
    with pytest.raises(AuthError), session_scope(engine) as session:
        service.authenticate(session, token=token)
    with session_scope(engine, read_only=True) as session:
        assert [t.name for t in service.list_tokens(session)] == ["alertmanager"]
        assert service.list_tokens(session, include_revoked=False) == []
    with pytest.raises(InvalidInput, match="no token with id 99"), session_scope(engine) as session:
        service.revoke_token(session, token_id=99, now=at(6))

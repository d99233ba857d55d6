"""`IncidentBackend` straight on the database: each call is one committed transaction, retried
when a concurrent writer (the service, another CLI) holds the lock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from pagetrail.cli.incident_backend import BackendUnavailable
from pagetrail.domain.incident import Incident, IncidentSummary, Role, Severity, Status, TimelineKind
from pagetrail.incidents import service as incident_service
from pagetrail.incidents.cadence import UpdateCadence
from pagetrail.incidents.store.engine import create_engine_for, database_problem
from pagetrail.incidents.store.session import run_in_transaction, session_scope

T = TypeVar("T")


def utc_now() -> datetime:
    return datetime.now(UTC)


class DatabaseBackend:
    def __init__(
        self, url: str, *, actor: str, cadence: UpdateCadence, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._url = url
        self._engine = create_engine_for(url)
        self._actor = actor
        self._cadence = cadence
        self._clock = clock

    def _write(self, work: Callable[[Session, datetime], T]) -> T:
        now = self._clock()
        try:
            return run_in_transaction(self._engine, lambda session: work(session, now))
        except OperationalError as exc:
            raise BackendUnavailable(database_problem(self._url, exc)) from exc

    def _read(self, work: Callable[[Session, datetime], T]) -> T:
        now = self._clock()
        try:
            with session_scope(self._engine, read_only=True) as session:
                return work(session, now)
        except OperationalError as exc:
            raise BackendUnavailable(database_problem(self._url, exc)) from exc

    def declare_incident(
        self,
        *,
        title: str,
        severity: Severity,
        service: str | None = None,
        model: str | None = None,
        namespace: str | None = None,
        pool: str | None = None,
        commander: str | None = None,
        summary: str = "",
        started_at: datetime | None = None,
        detected_at: datetime | None = None,
    ) -> Incident:
        scope = {"service": service, "model": model, "namespace": namespace, "pool": pool}
        return self._write(
            lambda s, now: incident_service.declare_incident(
                s,
                title=title,
                severity=severity,
                commander=commander,
                summary=summary,
                actor=self._actor,
                now=now,
                started_at=started_at,
                detected_at=detected_at,
                cadence=self._cadence,
                **scope,
            )
        )

    def get_incident(self, *, incident_id: int) -> Incident:
        return self._read(
            lambda s, now: incident_service.get_incident(s, incident_id=incident_id, now=now, cadence=self._cadence)
        )

    def list_incidents(self, *, include_closed: bool = False, limit: int = 100) -> list[IncidentSummary]:
        return self._read(
            lambda s, now: incident_service.list_incidents(
                s, now=now, include_closed=include_closed, limit=limit, cadence=self._cadence
            )
        )

    def change_status(self, *, incident_id: int, status: Status, note: str = "") -> Incident:
        return self._write(
            lambda s, now: incident_service.change_status(
                s, incident_id=incident_id, status=status, note=note, actor=self._actor, now=now, cadence=self._cadence
            )
        )

    def change_severity(self, *, incident_id: int, severity: Severity, reason: str) -> Incident:
        return self._write(
            lambda s, now: incident_service.change_severity(
                s,
                incident_id=incident_id,
                severity=severity,
                reason=reason,
                actor=self._actor,
                now=now,
                cadence=self._cadence,
            )
        )

    def assign_role(self, *, incident_id: int, role: Role, person: str) -> Incident:
        return self._write(
            lambda s, now: incident_service.assign_role(
                s, incident_id=incident_id, role=role, person=person, actor=self._actor, now=now, cadence=self._cadence
            )
        )

    def post_status_update(self, *, incident_id: int, text: str) -> Incident:
        return self._write(
            lambda s, now: incident_service.post_status_update(
                s, incident_id=incident_id, text=text, actor=self._actor, now=now, cadence=self._cadence
            )
        )

    def add_timeline_entry(self, *, incident_id: int, kind: TimelineKind, text: str) -> Incident:
        return self._write(
            lambda s, now: incident_service.add_timeline_entry(
                s, incident_id=incident_id, kind=kind, text=text, actor=self._actor, now=now, cadence=self._cadence
            )
        )

    def attach_triage_report(self, *, incident_id: int, report: dict[str, object]) -> Incident:
        return self._write(
            lambda s, now: incident_service.attach_triage_report(
                s, incident_id=incident_id, report=report, actor=self._actor, now=now, cadence=self._cadence
            )
        )

    def tick_checklist(self, *, incident_id: int, item_key: str, done: bool = True) -> Incident:
        return self._write(
            lambda s, now: incident_service.tick_checklist(
                s,
                incident_id=incident_id,
                item_key=item_key,
                done=done,
                actor=self._actor,
                now=now,
                cadence=self._cadence,
            )
        )

    def close(self) -> None:
        self._engine.dispose()

"""What `pagetrail incident` needs from wherever incidents live: the database directly
(`DatabaseBackend`, cli/incident_db.py) or the service over HTTP (`HttpBackend`, cli/incident_http.py).

The operations mirror incidents/service.py minus the session, the clock and the actor, which the
backend supplies (the HTTP service takes the actor from the token). Backends raise the service's
errors (IncidentNotFound, InvalidTransition, InvalidInput, AuthError) so the commands report them
the same way, and BackendUnavailable when the store or service cannot be reached at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pagetrail.domain.incident import Incident, IncidentSummary, Role, Severity, Status, TimelineKind


class BackendUnavailable(Exception):
    """The database or service could not be reached or answered nonsense; the message says which."""


class IncidentBackend(Protocol):
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
    ) -> Incident: ...

    def get_incident(self, *, incident_id: int) -> Incident: ...

    def list_incidents(self, *, include_closed: bool = False, limit: int = 100) -> list[IncidentSummary]: ...

    def change_status(self, *, incident_id: int, status: Status, note: str = "") -> Incident: ...

    def change_severity(self, *, incident_id: int, severity: Severity, reason: str) -> Incident: ...

    def assign_role(self, *, incident_id: int, role: Role, person: str) -> Incident: ...

    def post_status_update(self, *, incident_id: int, text: str) -> Incident: ...

    def add_timeline_entry(self, *, incident_id: int, kind: TimelineKind, text: str) -> Incident: ...

    def attach_triage_report(self, *, incident_id: int, report: dict[str, object]) -> Incident: ...

    def tick_checklist(self, *, incident_id: int, item_key: str, done: bool = True) -> Incident: ...

    def close(self) -> None:
        """Release connections."""
        ...

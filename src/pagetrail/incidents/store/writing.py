"""The one way a timeline entry is written, so every change carries who, what and when."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from pagetrail.domain.incident import Milestone, TimelineKind
from pagetrail.incidents.store.rows import IncidentRow, TimelineEntryRow


def record_entry(
    session: Session,
    *,
    incident_id: int,
    at: datetime,
    kind: TimelineKind,
    actor: str,
    text: str,
    data: Mapping[str, object] | None = None,
) -> TimelineEntryRow:
    entry = TimelineEntryRow(
        incident_id=incident_id, at=at, kind=kind.value, actor=actor, text=text, data=dict(data or {})
    )
    session.add(entry)
    return entry


def milestone_data(changes: list[tuple[Milestone, datetime | None]]) -> dict[str, str | None]:
    """Milestones as they go on the timeline (ISO 8601, None when cleared by a reopen)."""
    return {m.value: (at.isoformat() if at is not None else None) for m, at in changes}


def set_milestones(row: IncidentRow, changes: list[tuple[Milestone, datetime | None]]) -> None:
    for milestone, at in changes:
        setattr(row, f"{milestone.value}_at", at)

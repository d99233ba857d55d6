"""Database rows. Only the store and the service touch these; callers get domain objects.

Enumerations are stored as short strings with CHECK constraints (not database enum types), so
adding a value is a one-line migration on both SQLite and PostgreSQL. JSON columns use the
portable `JSON` type (json on PostgreSQL, text on SQLite).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pagetrail.domain.incident import OPEN_STATUSES, AlertStatus, Severity, Status, TokenRole
from pagetrail.incidents.store.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# One open incident per Alertmanager group: the partial unique index below enforces it across
# processes, and intake inserts with ON CONFLICT DO NOTHING against it.
OPEN_GROUP_PREDICATE = text(_one_of("status", [s.value for s in OPEN_STATUSES]))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}  # noqa: RUF012


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(_one_of("severity", [s.value for s in Severity]), name="severity"),
        CheckConstraint(_one_of("status", [s.value for s in Status]), name="status"),
        Index(
            "uq_incidents_open_group_key",
            "group_key",
            unique=True,
            sqlite_where=OPEN_GROUP_PREDICATE,
            postgresql_where=OPEN_GROUP_PREDICATE,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    severity: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    service: Mapped[str | None] = mapped_column(String(200))
    model: Mapped[str | None] = mapped_column(String(200))
    namespace: Mapped[str | None] = mapped_column(String(200))
    pool: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    group_key: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime]
    last_update_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    detected_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    mitigated_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]


class TimelineEntryRow(Base):
    __tablename__ = "timeline_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]


class RoleAssignmentRow(Base):
    """The current holder of each role; earlier holders live on in the timeline's handover entries."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("incident_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    role: Mapped[str] = mapped_column(String(32))
    person: Mapped[str] = mapped_column(String(200))
    assigned_at: Mapped[datetime]
    assigned_by: Mapped[str] = mapped_column(String(200))


class ChecklistItemRow(Base):
    """A checklist item someone has touched; untouched items exist only in incidents/checklist.py."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("incident_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    key: Mapped[str] = mapped_column(String(64))
    done: Mapped[bool]
    done_at: Mapped[datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(200))


class AlertRow(Base):
    """One alert, once: Alertmanager HA peers each send it, (fingerprint, starts_at) keeps one row."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("fingerprint", "starts_at"),
        CheckConstraint(_one_of("status", [s.value for s in AlertStatus]), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    group_key: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    alertname: Mapped[str] = mapped_column(String(200))
    labels: Mapped[dict[str, Any]]
    annotations: Mapped[dict[str, Any]]
    generator_url: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    peers_seen: Mapped[int] = mapped_column(Integer)


class TriageReportRow(Base):
    __tablename__ = "triage_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    attached_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    report: Mapped[dict[str, Any]]


class ApiTokenRow(Base):
    """A bearer token, stored as its SHA-256 so a copied database does not leak working tokens."""

    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint(_one_of("role", [r.value for r in TokenRole]), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

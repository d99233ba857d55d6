"""An incident as the team runs it (seeds 000 and 003): severity, status, roles, milestones, timeline.

These are plain values returned by the incident service; database rows and API schemas are
separate types, so a change to either never leaks into the rules or the renderers. Times are
timezone-aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Severity(StrEnum):
    """Seed 003's four levels; SEV1 is the most severe."""

    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"

    @property
    def rank(self) -> int:
        """1 for SEV1 … 4 for SEV4: lower is more severe."""
        return int(self.value[3])

    @property
    def label(self) -> str:
        return SEVERITY_LABELS[self]

    @property
    def definition(self) -> str:
        return SEVERITY_DEFINITIONS[self]


SEVERITY_LABELS: Mapping[Severity, str] = {
    Severity.SEV1: "Critical",
    Severity.SEV2: "Major",
    Severity.SEV3: "Minor",
    Severity.SEV4: "Informational",
}

SEVERITY_DEFINITIONS: Mapping[Severity, str] = {
    Severity.SEV1: "Service completely down or severely degraded affecting all users",
    Severity.SEV2: "Service partially down or significantly degraded",
    Severity.SEV3: "Service slow or minor issues affecting some users",
    Severity.SEV4: "No user impact, system anomalies or preventive issues",
}


class Status(StrEnum):
    """Where the response stands. Declaration order is the forward direction."""

    DECLARED = "declared"
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def order(self) -> int:
        return list(Status).index(self)

    @property
    def is_open(self) -> bool:
        """Open incidents absorb new alerts of their group and owe status updates on a cadence;
        a resolved incident waits for a human to verify recovery and close it."""
        return self.order < Status.RESOLVED.order


OPEN_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s.is_open)


class Role(StrEnum):
    """Seed 000's response roles; each is held by one person at a time."""

    INCIDENT_COMMANDER = "incident_commander"
    OPERATOR = "operator"
    PLATFORM_ENGINEER = "platform_engineer"
    COMMUNICATIONS = "communications"


class TimelineKind(StrEnum):
    """What a timeline entry records. The first group is written by the service on every change;
    the human kinds are what responders add by hand."""

    DECLARED = "declared"
    STATUS = "status"
    SEVERITY = "severity"
    ROLE = "role"
    UPDATE = "update"
    CHECKLIST = "checklist"
    ALERT = "alert"
    TRIAGE = "triage"
    NOTE = "note"
    HYPOTHESIS = "hypothesis"
    DECISION = "decision"
    MITIGATION = "mitigation"


HUMAN_ENTRY_KINDS: tuple[TimelineKind, ...] = (
    TimelineKind.NOTE,
    TimelineKind.HYPOTHESIS,
    TimelineKind.DECISION,
    TimelineKind.MITIGATION,
)


class Milestone(StrEnum):
    STARTED = "started"
    DETECTED = "detected"
    ACKNOWLEDGED = "acknowledged"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"
    VERIFIED = "verified"


@dataclass(frozen=True, slots=True)
class Milestones:
    """When the problem started, was detected, acknowledged, mitigated, resolved and verified.
    Each one set or cleared is also a timeline entry; MTTD/MTTA/MTTR are computed from these."""

    started: datetime | None = None
    detected: datetime | None = None
    acknowledged: datetime | None = None
    mitigated: datetime | None = None
    resolved: datetime | None = None
    verified: datetime | None = None

    def at(self, milestone: Milestone) -> datetime | None:
        value: datetime | None = getattr(self, milestone.value)
        return value


@dataclass(frozen=True, slots=True)
class ResponseMetrics:
    """MTTD = detected − started, MTTA = acknowledged − detected, MTTR = resolved − started;
    None while either end is unknown."""

    mttd: timedelta | None = None
    mtta: timedelta | None = None
    mttr: timedelta | None = None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """Who did what, when. `data` holds the structured side (old/new values, ids) for renderers."""

    id: int
    at: datetime
    kind: TimelineKind
    actor: str
    text: str
    data: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class RoleAssignment:
    role: Role
    person: str
    assigned_at: datetime
    assigned_by: str


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    key: str
    label: str
    done: bool
    done_at: datetime | None = None
    done_by: str | None = None


class AlertStatus(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One Alertmanager alert (fingerprint + startsAt), stored once however many HA peers sent it."""

    id: int
    incident_id: int | None
    fingerprint: str
    status: AlertStatus
    alertname: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: datetime
    ends_at: datetime | None
    generator_url: str
    first_seen: datetime
    last_seen: datetime
    peers_seen: int


@dataclass(frozen=True, slots=True)
class AttachedReport:
    """A `pagetrail.triage.v1` report attached to an incident, kept as the JSON it arrived as."""

    id: int
    attached_at: datetime
    actor: str
    report: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Incident:
    """The whole record, as of `now` when it was read: `next_update_due`/`overdue` follow the
    severity's update cadence from the last status update (or the declaration)."""

    id: int
    title: str
    severity: Severity
    status: Status
    service: str | None
    model: str | None
    namespace: str | None
    pool: str | None
    summary: str
    group_key: str | None
    opened_at: datetime
    milestones: Milestones
    metrics: ResponseMetrics
    last_update_at: datetime
    next_update_due: datetime | None
    overdue: bool
    roles: tuple[RoleAssignment, ...]
    timeline: tuple[TimelineEntry, ...]
    checklist: tuple[ChecklistItem, ...]
    alerts: tuple[AlertRecord, ...]
    reports: tuple[AttachedReport, ...]

    def holder(self, role: Role) -> str | None:
        """Who holds a role now, if anyone."""
        return next((a.person for a in self.roles if a.role is role), None)


@dataclass(frozen=True, slots=True)
class IncidentSummary:
    """One row of the incident list."""

    id: int
    title: str
    severity: Severity
    status: Status
    service: str | None
    commander: str | None
    opened_at: datetime
    age: timedelta
    next_update_due: datetime | None
    overdue: bool
    alerts_firing: int
    alerts_total: int


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """What one Alertmanager notification changed; counted per alert, not per peer."""

    incident_id: int | None
    declared: bool
    alerts_new: int
    alerts_duplicate: int
    alerts_resolved: int


class TokenRole(StrEnum):
    """API roles: viewers read, responders run incidents and post alerts, admins also manage tokens."""

    VIEWER = "viewer"
    RESPONDER = "responder"
    ADMIN = "admin"

    def allows(self, required: TokenRole) -> bool:
        order = list(TokenRole)
        return order.index(self) >= order.index(required)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a bearer token belongs to."""

    token_id: int
    name: str
    role: TokenRole


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: int
    name: str
    role: TokenRole
    created_at: datetime
    revoked_at: datetime | None

"""The incident as the API returns it, and back: `from_domain` builds a response from the service's domain
objects; `to_domain` turns a response into the same domain objects again, which is how `pagetrail incident
--url` renders a served incident exactly as it renders one read from the database.

Durations are seconds; times are RFC 3339 UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, Field

from pagetrail.domain.incident import (
    AlertRecord,
    AlertStatus,
    AttachedReport,
    ChecklistItem,
    Incident,
    IncidentSummary,
    Milestones,
    ResponseMetrics,
    Role,
    RoleAssignment,
    Severity,
    Status,
    TimelineEntry,
    TimelineKind,
)


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _span(seconds: float | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=seconds)


class MilestonesOut(BaseModel):
    started: datetime | None
    detected: datetime | None
    acknowledged: datetime | None
    mitigated: datetime | None
    resolved: datetime | None
    verified: datetime | None

    @classmethod
    def from_domain(cls, m: Milestones) -> MilestonesOut:
        return cls(
            started=m.started,
            detected=m.detected,
            acknowledged=m.acknowledged,
            mitigated=m.mitigated,
            resolved=m.resolved,
            verified=m.verified,
        )

    def to_domain(self) -> Milestones:
        return Milestones(
            started=self.started,
            detected=self.detected,
            acknowledged=self.acknowledged,
            mitigated=self.mitigated,
            resolved=self.resolved,
            verified=self.verified,
        )


class ResponseMetricsOut(BaseModel):
    mttd_seconds: float | None = Field(description="detected - started")
    mtta_seconds: float | None = Field(description="acknowledged - detected")
    mttr_seconds: float | None = Field(description="resolved - started")

    @classmethod
    def from_domain(cls, metrics: ResponseMetrics) -> ResponseMetricsOut:
        return cls(
            mttd_seconds=_seconds(metrics.mttd),
            mtta_seconds=_seconds(metrics.mtta),
            mttr_seconds=_seconds(metrics.mttr),
        )

    def to_domain(self) -> ResponseMetrics:
        return ResponseMetrics(
            mttd=_span(self.mttd_seconds), mtta=_span(self.mtta_seconds), mttr=_span(self.mttr_seconds)
        )


class TimelineEntryOut(BaseModel):
    id: int
    at: datetime
    kind: TimelineKind
    actor: str
    text: str
    data: dict[str, Any]

    @classmethod
    def from_domain(cls, entry: TimelineEntry) -> TimelineEntryOut:
        return cls(id=entry.id, at=entry.at, kind=entry.kind, actor=entry.actor, text=entry.text, data=dict(entry.data))

    def to_domain(self) -> TimelineEntry:
        return TimelineEntry(id=self.id, at=self.at, kind=self.kind, actor=self.actor, text=self.text, data=self.data)


class RoleAssignmentOut(BaseModel):
    role: Role
    person: str
    assigned_at: datetime
    assigned_by: str

    @classmethod
    def from_domain(cls, a: RoleAssignment) -> RoleAssignmentOut:
        return cls(role=a.role, person=a.person, assigned_at=a.assigned_at, assigned_by=a.assigned_by)

    def to_domain(self) -> RoleAssignment:
        return RoleAssignment(
            role=self.role, person=self.person, assigned_at=self.assigned_at, assigned_by=self.assigned_by
        )


class ChecklistItemOut(BaseModel):
    key: str
    label: str
    done: bool
    done_at: datetime | None
    done_by: str | None

    @classmethod
    def from_domain(cls, item: ChecklistItem) -> ChecklistItemOut:
        return cls(key=item.key, label=item.label, done=item.done, done_at=item.done_at, done_by=item.done_by)

    def to_domain(self) -> ChecklistItem:
        return ChecklistItem(key=self.key, label=self.label, done=self.done, done_at=self.done_at, done_by=self.done_by)


class AlertOut(BaseModel):
    id: int
    incident_id: int | None
    fingerprint: str
    status: AlertStatus
    alertname: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    generator_url: str
    first_seen: datetime
    last_seen: datetime
    peers_seen: int = Field(description="How many notifications carried this alert (HA peers, repeats).")

    @classmethod
    def from_domain(cls, alert: AlertRecord) -> AlertOut:
        return cls(
            id=alert.id,
            incident_id=alert.incident_id,
            fingerprint=alert.fingerprint,
            status=alert.status,
            alertname=alert.alertname,
            labels=dict(alert.labels),
            annotations=dict(alert.annotations),
            starts_at=alert.starts_at,
            ends_at=alert.ends_at,
            generator_url=alert.generator_url,
            first_seen=alert.first_seen,
            last_seen=alert.last_seen,
            peers_seen=alert.peers_seen,
        )

    def to_domain(self) -> AlertRecord:
        return AlertRecord(
            id=self.id,
            incident_id=self.incident_id,
            fingerprint=self.fingerprint,
            status=self.status,
            alertname=self.alertname,
            labels=self.labels,
            annotations=self.annotations,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            generator_url=self.generator_url,
            first_seen=self.first_seen,
            last_seen=self.last_seen,
            peers_seen=self.peers_seen,
        )


class TriageReportOut(BaseModel):
    id: int
    attached_at: datetime
    actor: str
    report: dict[str, Any] = Field(description="The pagetrail.triage.v1 report as it was attached.")

    @classmethod
    def from_domain(cls, attached: AttachedReport) -> TriageReportOut:
        return cls(id=attached.id, attached_at=attached.attached_at, actor=attached.actor, report=dict(attached.report))

    def to_domain(self) -> AttachedReport:
        return AttachedReport(id=self.id, attached_at=self.attached_at, actor=self.actor, report=self.report)


class IncidentOut(BaseModel):
    id: int
    title: str
    severity: Severity
    status: Status
    service: str | None
    model: str | None
    namespace: str | None
    pool: str | None
    summary: str
    group_key: str | None = Field(description="Alertmanager groupKey of the alert group that opened it, if any.")
    opened_at: datetime
    last_update_at: datetime
    next_update_due: datetime | None = Field(description="When the next status update is due (None once resolved).")
    overdue: bool = Field(description="The next status update is past due.")
    milestones: MilestonesOut
    metrics: ResponseMetricsOut
    roles: list[RoleAssignmentOut]
    timeline: list[TimelineEntryOut]
    checklist: list[ChecklistItemOut]
    alerts: list[AlertOut]
    triage_reports: list[TriageReportOut]

    @classmethod
    def from_domain(cls, incident: Incident) -> IncidentOut:
        return cls(
            id=incident.id,
            title=incident.title,
            severity=incident.severity,
            status=incident.status,
            service=incident.service,
            model=incident.model,
            namespace=incident.namespace,
            pool=incident.pool,
            summary=incident.summary,
            group_key=incident.group_key,
            opened_at=incident.opened_at,
            last_update_at=incident.last_update_at,
            next_update_due=incident.next_update_due,
            overdue=incident.overdue,
            milestones=MilestonesOut.from_domain(incident.milestones),
            metrics=ResponseMetricsOut.from_domain(incident.metrics),
            roles=[RoleAssignmentOut.from_domain(r) for r in incident.roles],
            timeline=[TimelineEntryOut.from_domain(e) for e in incident.timeline],
            checklist=[ChecklistItemOut.from_domain(i) for i in incident.checklist],
            alerts=[AlertOut.from_domain(a) for a in incident.alerts],
            triage_reports=[TriageReportOut.from_domain(r) for r in incident.reports],
        )

    def to_domain(self) -> Incident:
        return Incident(
            id=self.id,
            title=self.title,
            severity=self.severity,
            status=self.status,
            service=self.service,
            model=self.model,
            namespace=self.namespace,
            pool=self.pool,
            summary=self.summary,
            group_key=self.group_key,
            opened_at=self.opened_at,
            milestones=self.milestones.to_domain(),
            metrics=self.metrics.to_domain(),
            last_update_at=self.last_update_at,
            next_update_due=self.next_update_due,
            overdue=self.overdue,
            roles=tuple(r.to_domain() for r in self.roles),
            timeline=tuple(e.to_domain() for e in self.timeline),
            checklist=tuple(i.to_domain() for i in self.checklist),
            alerts=tuple(a.to_domain() for a in self.alerts),
            reports=tuple(r.to_domain() for r in self.triage_reports),
        )


class IncidentSummaryOut(BaseModel):
    id: int
    title: str
    severity: Severity
    status: Status
    service: str | None
    commander: str | None
    opened_at: datetime
    age_seconds: float
    next_update_due: datetime | None
    overdue: bool
    alerts_firing: int
    alerts_total: int

    @classmethod
    def from_domain(cls, summary: IncidentSummary) -> IncidentSummaryOut:
        return cls(
            id=summary.id,
            title=summary.title,
            severity=summary.severity,
            status=summary.status,
            service=summary.service,
            commander=summary.commander,
            opened_at=summary.opened_at,
            age_seconds=summary.age.total_seconds(),
            next_update_due=summary.next_update_due,
            overdue=summary.overdue,
            alerts_firing=summary.alerts_firing,
            alerts_total=summary.alerts_total,
        )

    def to_domain(self) -> IncidentSummary:
        return IncidentSummary(
            id=self.id,
            title=self.title,
            severity=self.severity,
            status=self.status,
            service=self.service,
            commander=self.commander,
            opened_at=self.opened_at,
            age=timedelta(seconds=self.age_seconds),
            next_update_due=self.next_update_due,
            overdue=self.overdue,
            alerts_firing=self.alerts_firing,
            alerts_total=self.alerts_total,
        )

"""The REST API's request bodies and its small responses (pydantic), kept apart from rows and domain
objects; the incident itself is in schemas_incident.py.

Requests forbid unknown fields, so a typo (`sevrity`) is a 422 naming the field rather than a silently
ignored value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from pagetrail.domain.incident import IntakeResult, Role, Severity, Status, TokenInfo, TokenRole

Text = Field(min_length=1, max_length=20_000)


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DeclareIncidentRequest(Request):
    title: str = Field(min_length=1, max_length=300, examples=["fraud-scorer - 50% error rate since 14:30 UTC"])
    severity: Severity
    service: str | None = Field(default=None, max_length=200)
    model: str | None = Field(default=None, max_length=200)
    namespace: str | None = Field(default=None, max_length=200)
    pool: str | None = Field(default=None, max_length=200)
    commander: str | None = Field(default=None, max_length=200)
    summary: str = Field(default="", max_length=20_000)
    started_at: AwareDatetime | None = None
    detected_at: AwareDatetime | None = None


class StatusChangeRequest(Request):
    status: Status
    note: str = Field(default="", max_length=20_000)


class SeverityChangeRequest(Request):
    severity: Severity
    reason: str = Text


class RoleAssignRequest(Request):
    role: Role
    person: str = Field(min_length=1, max_length=200)


class StatusUpdateRequest(Request):
    text: str = Text


class TimelineEntryRequest(Request):
    kind: Literal["note", "hypothesis", "decision", "mitigation"]
    text: str = Text


class ChecklistTickRequest(Request):
    done: bool = True


class TokenCreateRequest(Request):
    role: TokenRole
    name: str = Field(min_length=1, max_length=200, description="Who or what holds the token (shown as the actor).")


class CommunicationsOut(BaseModel):
    """Seed 003's two texts, filled from the incident as it stands."""

    channel_update: str
    status_page: str


class IntakeResultOut(BaseModel):
    incident_id: int | None = Field(description="The incident the group's alerts belong to (None: nothing to record).")
    declared: bool = Field(description="True when this notification opened a new incident.")
    alerts_new: int
    alerts_duplicate: int = Field(description="Alerts already recorded (same fingerprint and startsAt).")
    alerts_resolved: int

    @classmethod
    def from_domain(cls, result: IntakeResult) -> IntakeResultOut:
        return cls(
            incident_id=result.incident_id,
            declared=result.declared,
            alerts_new=result.alerts_new,
            alerts_duplicate=result.alerts_duplicate,
            alerts_resolved=result.alerts_resolved,
        )


class TokenOut(BaseModel):
    id: int
    name: str
    role: TokenRole
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def from_domain(cls, token: TokenInfo) -> TokenOut:
        return cls(
            id=token.id, name=token.name, role=token.role, created_at=token.created_at, revoked_at=token.revoked_at
        )


class TokenCreatedOut(BaseModel):
    token: str = Field(description="The bearer token. Shown once: only its SHA-256 hash is stored.")
    name: str
    role: TokenRole


class ErrorOut(BaseModel):
    detail: str = Field(description="One line saying what was wrong and what was expected.")
    field: str | None = Field(default=None, description="The offending field as a dotted path (422).")
    current: str | None = Field(default=None, description="The incident's status when a transition was refused (409).")
    requested: str | None = Field(default=None, description="What was asked for when a transition was refused (409).")

"""The Alertmanager webhook payload (version 4) as typed data, validated before anything is written.

Alertmanager retries a notification on 5xx and gives up on 4xx, so a malformed payload must be
recognised here and reported as bad input (InvalidInput naming the field), never half-stored.
Fields Alertmanager always sends but a hand-written payload may omit (receiver, externalURL,
truncatedAlerts, annotations, endsAt, generatorURL) default to empty; what identifies an alert
(status, labels, startsAt, fingerprint) and the group (groupKey) is required.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from pagetrail.domain.incident import AlertStatus
from pagetrail.incidents.errors import InvalidInput

SUPPORTED_VERSION = "4"
MAX_FINGERPRINT = 64
_RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})\Z")
# Go's zero time: what Alertmanager puts in endsAt while an alert has no known end.
_ZERO_YEAR = 1


@dataclass(frozen=True, slots=True)
class AlertmanagerAlert:
    status: AlertStatus
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: datetime
    ends_at: datetime | None
    generator_url: str
    fingerprint: str

    @property
    def alertname(self) -> str:
        return self.labels.get("alertname", "")


@dataclass(frozen=True, slots=True)
class AlertmanagerNotification:
    version: str
    group_key: str
    truncated_alerts: int
    status: AlertStatus
    receiver: str
    group_labels: Mapping[str, str]
    common_labels: Mapping[str, str]
    common_annotations: Mapping[str, str]
    external_url: str
    alerts: tuple[AlertmanagerAlert, ...]


def parse_time(value: object, field: str) -> datetime:
    """An RFC 3339 time as an aware UTC datetime (nanoseconds cut to microseconds)."""
    if not isinstance(value, str):
        raise InvalidInput(field, f"expected an RFC 3339 time string, got {type(value).__name__}")
    match = _RFC3339.match(value)
    if match is None:
        raise InvalidInput(field, f"expected an RFC 3339 time like 2026-03-10T14:32:00Z, got {value[:64]!r}")
    day, clock, fraction, zone = match.groups()
    text = f"{day}T{clock}{'.' + fraction[:6].ljust(6, '0') if fraction else ''}{'+00:00' if zone in 'Zz' else zone}"
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(field, f"not a valid time: {value[:64]!r}") from None


def _text(value: object, field: str, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(field, f"expected a string, got {type(value).__name__}")
    if required and not value:
        raise InvalidInput(field, "must not be empty")
    return value


def _labels(value: object, field: str, *, required: bool = False) -> dict[str, str]:
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(field, f"expected an object of string values, got {type(value).__name__}")
    for key, item in value.items():
        if not isinstance(item, str):
            raise InvalidInput(f"{field}.{key}", f"expected a string, got {type(item).__name__}")
    return dict(value)


def _status(value: object, field: str) -> AlertStatus:
    if value == AlertStatus.FIRING.value:
        return AlertStatus.FIRING
    if value == AlertStatus.RESOLVED.value:
        return AlertStatus.RESOLVED
    raise InvalidInput(field, f"expected 'firing' or 'resolved', got {value!r}")


def _alert(value: object, field: str) -> AlertmanagerAlert:
    if not isinstance(value, dict):
        raise InvalidInput(field, f"expected an object, got {type(value).__name__}")
    fingerprint = _text(value.get("fingerprint"), f"{field}.fingerprint", required=True)
    if len(fingerprint) > MAX_FINGERPRINT:
        raise InvalidInput(f"{field}.fingerprint", f"longer than {MAX_FINGERPRINT} characters")
    ends_raw = value.get("endsAt")
    ends_at = None if ends_raw in (None, "") else parse_time(ends_raw, f"{field}.endsAt")
    if ends_at is not None and ends_at.year == _ZERO_YEAR:
        ends_at = None
    return AlertmanagerAlert(
        status=_status(value.get("status"), f"{field}.status"),
        labels=_labels(value.get("labels"), f"{field}.labels", required=True),
        annotations=_labels(value.get("annotations"), f"{field}.annotations"),
        starts_at=parse_time(value.get("startsAt"), f"{field}.startsAt"),
        ends_at=ends_at,
        generator_url=_text(value.get("generatorURL"), f"{field}.generatorURL"),
        fingerprint=fingerprint,
    )


def parse_alertmanager_payload(payload: object) -> AlertmanagerNotification:
    """Validate a webhook body (already decoded from JSON) or raise InvalidInput naming the field.

    An alert repeated within one notification (same fingerprint and startsAt) is kept once."""
    if not isinstance(payload, dict):
        raise InvalidInput("payload", f"expected a JSON object, got {type(payload).__name__}")
    version = payload.get("version")
    if version != SUPPORTED_VERSION:
        raise InvalidInput("version", f"expected Alertmanager webhook version {SUPPORTED_VERSION!r}, got {version!r}")
    truncated = payload.get("truncatedAlerts", 0)
    if type(truncated) is not int or truncated < 0:
        raise InvalidInput("truncatedAlerts", f"expected a non-negative integer, got {truncated!r}")
    raw_alerts = payload.get("alerts")
    if not isinstance(raw_alerts, list) or not raw_alerts:
        raise InvalidInput("alerts", "expected a non-empty list of alerts")
    unique: dict[tuple[str, datetime], AlertmanagerAlert] = {}
    for i, raw in enumerate(raw_alerts):
        alert = _alert(raw, f"alerts[{i}]")
        unique[(alert.fingerprint, alert.starts_at)] = alert
    return AlertmanagerNotification(
        version=SUPPORTED_VERSION,
        group_key=_text(payload.get("groupKey"), "groupKey", required=True),
        truncated_alerts=truncated,
        status=_status(payload.get("status"), "status"),
        receiver=_text(payload.get("receiver"), "receiver"),
        group_labels=_labels(payload.get("groupLabels"), "groupLabels"),
        common_labels=_labels(payload.get("commonLabels"), "commonLabels"),
        common_annotations=_labels(payload.get("commonAnnotations"), "commonAnnotations"),
        external_url=_text(payload.get("externalURL"), "externalURL"),
        alerts=tuple(sorted(unique.values(), key=lambda a: (a.fingerprint, a.starts_at))),
    )

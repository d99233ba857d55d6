"""Status updates on a cadence (seed 003): the next update is due N minutes after the last one.

SEV1 every 2 minutes, SEV2 every 5; SEV3 and SEV4 have no fixed rhythm in the runbook, so their
intervals are configurable. Only open incidents owe updates: once resolved, the clock stops.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pagetrail.domain.incident import Severity, Status
from pagetrail.incidents.errors import InvalidInput


def _default_minutes() -> dict[Severity, int]:
    return {Severity.SEV1: 2, Severity.SEV2: 5, Severity.SEV3: 30, Severity.SEV4: 60}


@dataclass(frozen=True, slots=True)
class UpdateCadence:
    """Minutes between status updates, per severity."""

    minutes: Mapping[Severity, int] = field(default_factory=_default_minutes)

    def __post_init__(self) -> None:
        for severity in Severity:
            value = self.minutes.get(severity)
            if value is None or value <= 0:
                raise InvalidInput(
                    f"update cadence {severity.value}", f"expected a positive number of minutes, got {value!r}"
                )

    def interval(self, severity: Severity) -> timedelta:
        return timedelta(minutes=self.minutes[severity])


DEFAULT_CADENCE = UpdateCadence()


def next_update_due(
    *, status: Status, severity: Severity, last_update_at: datetime, cadence: UpdateCadence
) -> datetime | None:
    """When the next status update is due, or None once the incident no longer owes updates."""
    if not status.is_open:
        return None
    return last_update_at + cadence.interval(severity)


def is_overdue(due: datetime | None, now: datetime) -> bool:
    return due is not None and now > due

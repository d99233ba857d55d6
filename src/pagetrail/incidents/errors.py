"""What can go wrong when someone acts on an incident, in words the CLI, API and pages show as is.

Every error is raised before anything is written, so a rejected request changes nothing.
"""

from __future__ import annotations


class IncidentError(Exception):
    """Base for the incident service's expected failures (bad input, not bugs)."""


class IncidentNotFound(IncidentError):
    def __init__(self, incident_id: int) -> None:
        super().__init__(f"incident {incident_id} not found")
        self.incident_id = incident_id


class InvalidTransition(IncidentError):
    """A status change the lifecycle does not allow, e.g. resolving a closed incident."""

    def __init__(self, current: str, requested: str, reason: str) -> None:
        super().__init__(f"cannot move from {current} to {requested}: {reason}")
        self.current = current
        self.requested = requested
        self.reason = reason


class ClosedIncident(InvalidTransition):
    """An action on a closed incident, which is kept as it was closed for the postmortem."""

    def __init__(self, incident_id: int, action: str) -> None:
        super().__init__("closed", action, f"incident {incident_id} is closed")
        self.args = (f"incident {incident_id} is closed; cannot {action}",)


class InvalidInput(IncidentError):
    """A field with a value the service cannot accept; `field` is a dotted path (`alerts[3].startsAt`)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class AuthError(IncidentError):
    """A missing, unknown or revoked token, or one whose role does not allow the action."""

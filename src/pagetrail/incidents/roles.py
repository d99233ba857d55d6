"""Seed 000's response roles and how a handover reads on the timeline."""

from __future__ import annotations

from collections.abc import Mapping

from pagetrail.domain.incident import Role
from pagetrail.incidents.errors import InvalidInput

ROLE_LABELS: Mapping[Role, str] = {
    Role.INCIDENT_COMMANDER: "Incident commander",
    Role.OPERATOR: "Operator",
    Role.PLATFORM_ENGINEER: "Platform engineer",
    Role.COMMUNICATIONS: "Communications",
}

# Short names people type in a hurry.
_ALIASES: Mapping[str, Role] = {
    "ic": Role.INCIDENT_COMMANDER,
    "commander": Role.INCIDENT_COMMANDER,
    "incident-commander": Role.INCIDENT_COMMANDER,
    "ops": Role.OPERATOR,
    "platform": Role.PLATFORM_ENGINEER,
    "sre": Role.PLATFORM_ENGINEER,
    "platform-engineer": Role.PLATFORM_ENGINEER,
    "comms": Role.COMMUNICATIONS,
}


def parse_role(value: str) -> Role:
    """A role from its name or a common short form (ic, ops, sre, comms)."""
    key = value.strip().lower()
    try:
        return Role(key.replace("-", "_"))
    except ValueError:
        role = _ALIASES.get(key)
        if role is None:
            expected = ", ".join(r.value for r in Role)
            raise InvalidInput(
                "role", f"unknown role {value!r}; expected one of {expected} (or ic, ops, sre, comms)"
            ) from None
        return role


def assignment_text(role: Role, person: str, previous: str | None) -> str:
    """Timeline wording: an assignment, or a handover from the previous holder."""
    label = ROLE_LABELS[role]
    if previous is None:
        return f"{label}: {person}"
    return f"{label} handed over from {previous} to {person}"

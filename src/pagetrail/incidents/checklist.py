"""Seed 003's incident checklist, one stable key per item so a tick survives a wording change."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pagetrail.domain.incident import ChecklistItem
from pagetrail.incidents.errors import InvalidInput

CHECKLIST: tuple[tuple[str, str], ...] = (
    ("severity-determined", "Incident severity determined"),
    ("ticket-created", "Ticket created and updated"),
    ("channel-created", "#incident channel created"),
    ("oncall-alerted", "On-call team alerted"),
    ("initial-diagnosis", "Initial diagnosis completed"),
    ("fix-implemented", "Fix identified and implemented"),
    ("fix-verified", "Fix verified working"),
    ("closed-communicated", "Incident closed and communicated"),
    ("postmortem-scheduled", "Post-mortem scheduled"),
    ("team-debriefed", "Team debriefed"),
    ("root-cause-documented", "Root cause documented"),
    ("prevention-identified", "Prevention measures identified"),
    ("followup-tickets", "Tickets created for follow-up"),
)

_LABELS = dict(CHECKLIST)


def checklist_label(key: str) -> str:
    """The item's wording, or InvalidInput naming every valid key."""
    label = _LABELS.get(key)
    if label is None:
        raise InvalidInput("item_key", f"unknown checklist item {key!r}; expected one of {', '.join(_LABELS)}")
    return label


def build_checklist(ticks: Mapping[str, tuple[bool, datetime | None, str | None]]) -> tuple[ChecklistItem, ...]:
    """The whole checklist in seed order, with the state of the items someone has ticked or unticked."""
    items = []
    for key, label in CHECKLIST:
        done, done_at, done_by = ticks.get(key, (False, None, None))
        items.append(ChecklistItem(key=key, label=label, done=done, done_at=done_at, done_by=done_by))
    return tuple(items)

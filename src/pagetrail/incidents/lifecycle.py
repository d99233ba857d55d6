"""The incident lifecycle: which status moves are allowed and which milestones they set.

Forward moves follow declared → investigating → identified → mitigated → resolved → closed and may
skip steps (a fix can land before anyone names the cause). The one way back is reopening a
resolved incident to investigating, with a reason, because recovery did not hold. Nothing leaves
closed: a closed record is what the postmortem reads, so it stays as it was closed.

Milestones come from these moves: leaving `declared` acknowledges, reaching `mitigated` mitigates,
`resolved` resolves, `closed` verifies recovery; a move that skips a step sets the skipped
milestones at the same time (resolving an incident means it was mitigated by then, at the latest).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from pagetrail.domain.incident import Milestone, Milestones, ResponseMetrics, Status
from pagetrail.incidents.errors import InvalidInput, InvalidTransition

# The milestone a status sets when it is reached (or passed on the way to a later one).
_MILESTONE_OF: dict[Status, Milestone] = {
    Status.INVESTIGATING: Milestone.ACKNOWLEDGED,
    Status.MITIGATED: Milestone.MITIGATED,
    Status.RESOLVED: Milestone.RESOLVED,
    Status.CLOSED: Milestone.VERIFIED,
}


def is_reopen(current: Status, requested: Status) -> bool:
    return current is Status.RESOLVED and requested is Status.INVESTIGATING


def check_transition(current: Status, requested: Status, *, reason: str = "") -> None:
    """Raise InvalidTransition unless `current → requested` is allowed; a reopen needs a reason."""
    if current is Status.CLOSED:
        raise InvalidTransition(current, requested, "the incident is closed; nothing changes its status after closing")
    if current is requested:
        raise InvalidTransition(current, requested, f"the incident is already {current}")
    if is_reopen(current, requested):
        if not reason.strip():
            raise InvalidTransition(current, requested, "reopening needs a reason (why recovery did not hold)")
        return
    if requested.order < current.order:
        raise InvalidTransition(
            current, requested, "status only moves forward, except reopening a resolved incident to investigating"
        )


def milestones_after(milestones: Milestones, current: Status, requested: Status, now: datetime) -> Milestones:
    """The milestones once `current → requested` happens at `now` (the move must be allowed).

    Moving forward sets every unset milestone up to the new status; reopening clears `mitigated`
    and `resolved`, because the problem is back and MTTR must measure the final recovery."""
    if is_reopen(current, requested):
        return replace(milestones, mitigated=None, resolved=None)
    changes: dict[str, datetime] = {}
    for status in Status:
        if current.order < status.order <= requested.order:
            milestone = _MILESTONE_OF.get(status)
            if milestone is not None and milestones.at(milestone) is None:
                changes[milestone.value] = now
    return replace(milestones, **changes)


def changed_milestones(before: Milestones, after: Milestones) -> list[tuple[Milestone, datetime | None]]:
    """The milestones that differ, in lifecycle order, with their new value (None when cleared)."""
    return [(m, after.at(m)) for m in Milestone if before.at(m) != after.at(m)]


def check_milestone_order(milestones: Milestones) -> None:
    """Reject a detection before the start (an impossible, negative MTTD)."""
    started, detected = milestones.started, milestones.detected
    if started is not None and detected is not None and detected < started:
        raise InvalidInput("detected_at", f"is before started_at ({detected.isoformat()} < {started.isoformat()})")


def response_metrics(milestones: Milestones) -> ResponseMetrics:
    """MTTD = detected − started, MTTA = acknowledged − detected, MTTR = resolved − started."""
    m = milestones
    return ResponseMetrics(
        mttd=m.detected - m.started if m.detected and m.started else None,
        mtta=m.acknowledged - m.detected if m.acknowledged and m.detected else None,
        mttr=m.resolved - m.started if m.resolved and m.started else None,
    )

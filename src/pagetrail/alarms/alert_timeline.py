"""One timeline for an alerting rule with several alert instances (one per label set of its result).

A page is sent when any instance fires, so the rule as a whole is firing while any instance is, pending
while any is pending and none fires, else inactive. Summarising that merged timeline gives a
multi-instance rule the same figures (flaps, time firing, flapping score) as a single CloudWatch alarm.
"""

from __future__ import annotations

from collections.abc import Sequence

from pagetrail.alarms.episodes import Transition

_RANK = {"inactive": 0, "pending": 1, "firing": 2}
_NAMES = ("inactive", "pending", "firing")


def merged_transitions(instances: Sequence[Sequence[Transition]]) -> list[Transition]:
    """Transitions of the worst state across instances; simultaneous changes count once."""
    events = sorted(((t.at, i, t.to_state) for i, ts in enumerate(instances) for t in ts), key=lambda e: (e[0], e[1]))
    current = [0] * len(instances)
    merged: list[Transition] = []
    overall = 0
    index = 0
    while index < len(events):
        at = events[index][0]
        while index < len(events) and events[index][0] == at:
            _, instance, state = events[index]
            current[instance] = _RANK[state]
            index += 1
        worst = max(current, default=0)
        if worst != overall:
            merged.append(Transition(at, _NAMES[overall], _NAMES[worst]))
            overall = worst
    return merged

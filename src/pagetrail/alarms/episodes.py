"""What an alarm's state history means to the people it pages: transitions, ALARM episodes, flaps.

CloudWatch (OK / ALARM / INSUFFICIENT_DATA) and Prometheus (inactive / pending / firing) replays both end
as a list of `Transition`s; everything here is computed from that list alone, so the two engines are
summarised, compared and plotted the same way.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

ALARM_STATES = frozenset({"ALARM", "firing"})
REALARM_WINDOW_S = 3600.0
"""An ALARM episode that starts within this long of the previous one clearing is the same page again:
the on-call engineer has barely closed the laptop (seed 002: nine OK→ALARM cycles in five hours)."""


@dataclass(frozen=True, slots=True)
class Transition:
    """The alarm changed state at `at` (epoch seconds): the evaluation that decided `to_state`."""

    at: float
    from_state: str
    to_state: str


@dataclass(frozen=True, slots=True)
class Episode:
    """One stretch in an alarm state; `end` is the replay's end when the alarm was still in it."""

    start: float
    end: float
    open_at_end: bool

    @property
    def duration_s(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class ReplaySummary:
    """The figures a reviewer asks about an alarm's history, all derived from its transitions."""

    start: float
    end: float
    transitions: tuple[Transition, ...]
    episodes: tuple[Episode, ...]
    flaps: int
    time_in_alarm_s: float
    realarms: int
    flapping_score: float

    @property
    def longest_episode_s(self) -> float | None:
        return max((e.duration_s for e in self.episodes), default=None)

    @property
    def shortest_episode_s(self) -> float | None:
        return min((e.duration_s for e in self.episodes), default=None)

    @property
    def flapping(self) -> bool:
        """Three or more pages, most of them re-pages within the hour: a threshold meeting a bursty workload."""
        return self.flaps >= 3 and self.flapping_score >= 0.5


def alarm_episodes(transitions: Sequence[Transition], *, end: float) -> tuple[Episode, ...]:
    """Stretches spent in ALARM (or firing), in order."""
    episodes: list[Episode] = []
    opened: float | None = None
    for t in transitions:
        entering = t.to_state in ALARM_STATES and t.from_state not in ALARM_STATES
        leaving = t.from_state in ALARM_STATES and t.to_state not in ALARM_STATES
        if entering:
            opened = t.at
        elif leaving and opened is not None:
            episodes.append(Episode(opened, t.at, open_at_end=False))
            opened = None
    if opened is not None:
        episodes.append(Episode(opened, max(end, opened), open_at_end=True))
    return tuple(episodes)


def summarize_replay(transitions: list[Transition], *, start: float, end: float) -> ReplaySummary:
    """Flaps are entries into ALARM; the flapping score is the share of ALARM episodes that began within
    an hour of the previous one clearing (0 for one sustained incident, near 1 for seed 002's alarm)."""
    episodes = alarm_episodes(transitions, end=end)
    realarms = sum(1 for prev, cur in itertools.pairwise(episodes) if cur.start - prev.end <= REALARM_WINDOW_S)
    return ReplaySummary(
        start=start,
        end=end,
        transitions=tuple(transitions),
        episodes=episodes,
        flaps=len(episodes),
        time_in_alarm_s=sum(e.duration_s for e in episodes),
        realarms=realarms,
        flapping_score=realarms / len(episodes) if episodes else 0.0,
    )

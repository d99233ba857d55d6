"""How well an alarm's pages line up with labelled incidents: recall, precision, delay, noise, NAB score.

A *detection* is an entry into ALARM (from OK or INSUFFICIENT_DATA): the moment someone is paged. A
window counts as caught when a detection falls inside it (start <= t <= end); an alarm already in ALARM
when the incident starts did not page for it. Detections outside every window are false alarms;
detections inside a window after its first are extra flaps (re-pages during the same incident).

The NAB-style score follows the Numenta Anomaly Benchmark (Lavin & Ahmad, 2015; numenta/NAB
`sweeper.py`), in continuous time instead of row indices:
- scaled sigmoid σ(y) = 2 / (1 + e^(5y)) − 1, and −1 when y ≥ 3;
- the first detection in a window at relative position y = −(end − t) / (end − start) (−1 at the start,
  0 at the end) scores A_TP · σ(y) / σ(−1); later ones in the same window score nothing;
- a window without a detection scores −A_FN;
- a detection outside the windows scores A_FP · σ(y) with y = (t − previous end) / (previous window's
  length), or A_FP · (−1) before the first window (A_FP is the magnitude; σ is negative there);
- normalised 0–100 between the null detector (never pages: −A_FN per window) and the perfect one
  (pages at each window's start: A_TP per window).
Standard profile: A_TP = 1.0, A_FP = 0.11, A_FN = 1.0.
Pages are instants, so neither NAB nor the page counts see an alarm that never leaves ALARM; the time in
ALARM outside every window is reported beside them for that. NAB's probationary period (the first 15% of a
file left unscored while a learning detector warms up) does not apply: a threshold alarm learns nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from pagetrail.alarms.episodes import ALARM_STATES, Transition

Window = tuple[float, float]
"""An incident window (start, end), epoch seconds, inclusive at both ends."""


@dataclass(frozen=True, slots=True)
class NabProfile:
    """NAB cost weights, as magnitudes (a false positive costs `false_positive` at most)."""

    true_positive: float = 1.0
    false_positive: float = 0.11
    false_negative: float = 1.0


STANDARD_PROFILE = NabProfile()


@dataclass(frozen=True, slots=True)
class DetectionScore:
    """Figures for one alarm configuration against a set of incident windows."""

    windows: int
    detected_windows: int
    detections: int
    inside_detections: int
    false_alarms: int
    extra_flaps: int
    median_delay_s: float | None
    time_in_alarm_s: float
    time_in_alarm_outside_s: float
    nab_raw: float
    nab_score: float | None

    @property
    def recall(self) -> float | None:
        return self.detected_windows / self.windows if self.windows else None

    @property
    def precision(self) -> float | None:
        return self.inside_detections / self.detections if self.detections else None

    @property
    def noise(self) -> int:
        """Pages that told nobody anything new: false alarms plus re-pages during a caught incident."""
        return self.false_alarms + self.extra_flaps


def scaled_sigmoid(position: float) -> float:
    """NAB's scaled sigmoid: ~1 at the window's start (−1), 0 at its end (0), → −1 well after it."""
    if position >= 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


MAX_TRUE_POSITIVE = scaled_sigmoid(-1.0)


def true_positive_value(t: float, window: Window, profile: NabProfile = STANDARD_PROFILE) -> float:
    """NAB's reward for a first detection at `t` inside `window`: A_TP at the start, 0 at the end."""
    start, end = window
    position = -(end - t) / (end - start) if end > start else 0.0
    return profile.true_positive * scaled_sigmoid(position) / MAX_TRUE_POSITIVE


def false_positive_value(t: float, previous: Window | None, profile: NabProfile = STANDARD_PROFILE) -> float:
    """NAB's (negative) value of a detection outside every window, by its distance after the last one."""
    if previous is None:
        return -profile.false_positive
    start, end = previous
    position = (t - end) / (end - start) if end > start else 3.0
    return profile.false_positive * scaled_sigmoid(position)


def nab_normalised(raw: float, windows: int, profile: NabProfile = STANDARD_PROFILE) -> float | None:
    """100 · (raw − null) / (perfect − null); undefined without windows."""
    if windows == 0:
        return None
    null = -profile.false_negative * windows
    perfect = profile.true_positive * windows
    return 100.0 * (raw - null) / (perfect - null)


def detections_of(transitions: Sequence[Transition]) -> list[float]:
    """Times the alarm entered ALARM, i.e. paged someone."""
    return [t.at for t in transitions if t.to_state in ALARM_STATES and t.from_state not in ALARM_STATES]


def score_detections(
    detections: Sequence[float],
    windows: Sequence[Window],
    *,
    time_in_alarm_s: float,
    time_in_alarm_outside_s: float,
    profile: NabProfile = STANDARD_PROFILE,
) -> DetectionScore:
    """Score pages at `detections` against sorted, non-overlapping `windows`."""
    first_in: dict[int, float] = {}
    inside = 0
    raw = 0.0
    for t in sorted(detections):
        index = _window_index(t, windows)
        if index is not None:
            inside += 1
            if index not in first_in:
                first_in[index] = t
                raw += true_positive_value(t, windows[index], profile)
            continue
        previous = [w for w in windows if w[1] < t]
        raw += false_positive_value(t, previous[-1] if previous else None, profile)
    raw -= profile.false_negative * (len(windows) - len(first_in))
    delays = sorted(first_in[i] - windows[i][0] for i in first_in)
    return DetectionScore(
        windows=len(windows),
        detected_windows=len(first_in),
        detections=len(detections),
        inside_detections=inside,
        false_alarms=len(detections) - inside,
        extra_flaps=inside - len(first_in),
        median_delay_s=_median(delays),
        time_in_alarm_s=time_in_alarm_s,
        time_in_alarm_outside_s=time_in_alarm_outside_s,
        nab_raw=raw,
        nab_score=nab_normalised(raw, len(windows), profile),
    )


def alarm_time(episodes: Sequence[Window], windows: Sequence[Window], *, period_s: float) -> tuple[float, float]:
    """Seconds in ALARM, in all and outside every window, counted per evaluation: each ALARM episode
    [start, end) holds the evaluations at start, start + period, ... before end, each for one period."""
    total = outside = 0.0
    for start, end in episodes:
        evaluations = round((end - start) / period_s)
        total += evaluations * period_s
        for k in range(evaluations):
            if _window_index(start + k * period_s, windows) is None:
                outside += period_s
    return total, outside


def _window_index(t: float, windows: Sequence[Window]) -> int | None:
    for index, (start, end) in enumerate(windows):
        if start <= t <= end:
            return index
    return None


def _median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2.0

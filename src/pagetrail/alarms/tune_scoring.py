"""Score a whole (thresholds × evaluations) state grid against incident windows in a few array operations.

The same figures as `detection_score.score_detections` (tests check row by row), computed without a
Python step per evaluation: pages are the grid's entries into ALARM; each evaluation time carries a
precomputed NAB value (its reward as a first detection inside a window, or its cost outside), so the
score is a weighted count of pages, and the only Python loop is over the handful of windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pagetrail.alarms.cloudwatch_grid import ALARM, StateGrid
from pagetrail.alarms.detection_score import (
    STANDARD_PROFILE,
    NabProfile,
    Window,
    false_positive_value,
    true_positive_value,
)
from pagetrail.domain.series import Floats

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class WindowLayout:
    """Where the windows fall on one evaluation timeline, and what a page at each evaluation is worth."""

    evaluated_at: Floats
    windows: tuple[Window, ...]
    first_index: Ints
    end_index: Ints
    inside: Floats
    true_positive: Floats
    false_positive: Floats
    profile: NabProfile


def lay_out_windows(
    evaluated_at: Floats, windows: Sequence[Window], profile: NabProfile = STANDARD_PROFILE
) -> WindowLayout:
    """Index ranges [first, end) of the evaluations inside each window, and per-evaluation NAB values."""
    ordered = tuple(sorted(windows))
    starts = np.array([w[0] for w in ordered], dtype=np.float64)
    ends = np.array([w[1] for w in ordered], dtype=np.float64)
    first = np.searchsorted(evaluated_at, starts, side="left").astype(np.int64)
    end = np.searchsorted(evaluated_at, ends, side="right").astype(np.int64)
    inside = np.zeros(evaluated_at.size)
    true_positive = np.zeros(evaluated_at.size)
    false_positive = np.zeros(evaluated_at.size)
    for window, lo, hi in zip(ordered, first, end, strict=True):
        inside[lo:hi] = 1.0
        true_positive[lo:hi] = [true_positive_value(float(t), window, profile) for t in evaluated_at[lo:hi]]
    previous = np.searchsorted(ends, evaluated_at, side="left") - 1  # last window ending before t
    for i in np.flatnonzero(inside == 0):
        before = ordered[previous[i]] if previous[i] >= 0 else None
        false_positive[i] = false_positive_value(float(evaluated_at[i]), before, profile)
    return WindowLayout(evaluated_at, ordered, first, end, inside, true_positive, false_positive, profile)


@dataclass(frozen=True, slots=True)
class GridScores:
    """One entry per grid row; NaN where a figure is undefined (no page, no window caught)."""

    detections: Ints
    inside_detections: Ints
    detected_windows: Ints
    median_delay_s: Floats
    time_in_alarm_s: Floats
    time_in_alarm_outside_s: Floats
    nab_raw: Floats

    @property
    def false_alarms(self) -> Ints:
        return self.detections - self.inside_detections

    @property
    def extra_flaps(self) -> Ints:
        return self.inside_detections - self.detected_windows


def alarm_entries(in_alarm: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Evaluations that moved a row into ALARM (the replay starts outside ALARM): in ALARM and not before."""
    entries = np.empty_like(in_alarm)
    entries[:, :1] = in_alarm[:, :1]
    np.greater(in_alarm[:, 1:], in_alarm[:, :-1], out=entries[:, 1:])
    return entries


def score_state_grid(states: StateGrid, layout: WindowLayout, *, period_s: int) -> GridScores:
    """Pages, caught windows, delay, time in ALARM and NAB raw score for every row of `states`.

    Pages are few next to evaluations, so after one pass to find them everything is computed on their
    (row, column) coordinates: per-row sums by `bincount`, first page per row and window by position."""
    in_alarm: npt.NDArray[np.bool_] = np.equal(states, ALARM)
    flat = np.flatnonzero(alarm_entries(in_alarm))  # row-major: by row, then by time
    rows, columns = np.divmod(flat, max(states.shape[1], 1))
    count = states.shape[0]
    detections = np.bincount(rows, minlength=count).astype(np.int64)
    inside = np.rint(np.bincount(rows, weights=layout.inside[columns], minlength=count)).astype(np.int64)
    raw = np.bincount(rows, weights=layout.false_positive[columns], minlength=count).astype(np.float64)
    delays = np.full((count, len(layout.windows)), np.nan)
    alarm_evaluations = np.count_nonzero(in_alarm, axis=1)
    outside = alarm_evaluations.copy()
    for k, (lo, hi) in enumerate(zip(layout.first_index, layout.end_index, strict=True)):
        outside -= np.count_nonzero(in_alarm[:, lo:hi], axis=1)
        within = (columns >= lo) & (columns < hi)
        window_rows, window_columns = rows[within], columns[within]
        row_starts = np.concatenate((window_rows[:1] >= 0, window_rows[1:] != window_rows[:-1]))
        first = np.flatnonzero(row_starts)  # each row's earliest page in the window
        caught_rows, caught_columns = window_rows[first], window_columns[first]
        reward = np.full(count, -layout.profile.false_negative)
        reward[caught_rows] = layout.true_positive[caught_columns]
        raw += reward
        delays[caught_rows, k] = layout.evaluated_at[caught_columns] - layout.windows[k][0]
    detected = np.isfinite(delays).sum(axis=1)
    return GridScores(
        detections=detections,
        inside_detections=inside,
        detected_windows=detected.astype(np.int64),
        median_delay_s=_row_medians(delays, detected),
        time_in_alarm_s=alarm_evaluations * float(period_s),
        time_in_alarm_outside_s=outside * float(period_s),
        nab_raw=raw,
    )


def _row_medians(values: Floats, present: Ints) -> Floats:
    """Median of each row's finite values (NaN sorts last), NaN for a row with none; no warnings."""
    if values.shape[1] == 0:
        return np.full(values.shape[0], np.nan)
    ordered = np.sort(values, axis=1)
    low = np.maximum((present - 1) // 2, 0)[:, np.newaxis]
    high = np.maximum(present // 2, 0)[:, np.newaxis]
    high = np.minimum(high, values.shape[1] - 1)
    median = (np.take_along_axis(ordered, low, axis=1) + np.take_along_axis(ordered, high, axis=1))[:, 0] / 2.0
    return np.where(present > 0, median, np.nan)

"""CloudWatch evaluation as array operations: one series against many thresholds at once, a 2-D state grid.

This is the one implementation of AWS's evaluation rules (see `cloudwatch_replay` for them); a single
replay is a grid of one row. The tuner asks the same question of the same period values thousands of times, changing only the
threshold and M-of-N. The breaching mask for T thresholds is one (T × periods) comparison, and every
count `evaluate_states` takes along time becomes a column difference of a per-row cumulative sum, shared
by all (N, M) pairs; the missing-data rules run only on the columns that need them. Row t of
`BreachGrid.states(n, m, treat)` equals `evaluate_states` for threshold t (tests/test_alarm_tune.py
checks it on random histories, every TreatMissingData).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pagetrail.alarms.condition import COMPARISONS
from pagetrail.domain.series import Floats

OK, ALARM, INSUFFICIENT = 0, 1, 2
STATE_NAMES = ("OK", "ALARM", "INSUFFICIENT_DATA")
StateGrid = npt.NDArray[np.int8]
_RETAIN = -1
_Counts = npt.NDArray[np.int32]
_Index = npt.NDArray[np.intp]


def breaching_grid(values: Floats, thresholds: Floats, comparison: str) -> npt.NDArray[np.bool_]:
    """(T × periods): does period p breach threshold t; a missing (NaN) datapoint never does (an ordered
    comparison with NaN is False, and numpy does not warn about it). A 2-D `thresholds` gives each period
    its own threshold per row (one alarm replayed over several series laid end to end)."""
    column, row = values[np.newaxis, :], thresholds if thresholds.ndim == 2 else thresholds[:, np.newaxis]
    op = COMPARISONS[comparison]
    if op == ">":
        return np.greater(column, row)
    if op == ">=":
        return np.greater_equal(column, row)
    if op == "<":
        return np.less(column, row)
    return np.less_equal(column, row)


def _leading_zero_cumsum(flags: npt.NDArray[np.bool_]) -> _Counts:
    """Cumulative counts along the last axis with a 0 prepended: sums over [a, b) are c[b] - c[a]."""
    shape = (*flags.shape[:-1], flags.shape[-1] + 1)
    out = np.zeros(shape, dtype=np.int32)
    np.cumsum(flags, axis=-1, dtype=np.int32, out=out[..., 1:])
    return out


class BreachGrid:
    """One series' period values compared with T thresholds, ready to evaluate any M-of-N.

    Most evaluations have at least N real datapoints in range; for them the state is just "at least M of
    the last N real datapoints breach", a difference of two slices of one cumulative sum. Only the few
    evaluations short of N real datapoints (the start of the history, gaps) go through the missing-data
    rules, on those columns alone."""

    def __init__(self, values: Floats, thresholds: Floats, comparison: str) -> None:
        self.size = int(values.size)
        self.exists = np.isfinite(values)
        self.breach = breaching_grid(values, thresholds, comparison)
        self._all_exist = bool(self.exists.all())
        self._cum_exists = _leading_zero_cumsum(self.exists)
        self._cum_breach = _leading_zero_cumsum(self.breach)

    def states(
        self, n: int, m: int, treat_missing: str, *, initial: int = INSUFFICIENT, resets: _Index | None = None
    ) -> StateGrid:
        """(T × periods) state codes after each evaluation, for EvaluationPeriods n and DatapointsToAlarm m.

        `resets` are columns (with no real datapoint in range) where the alarm starts afresh in `initial`:
        the gaps between series laid end to end, so that `ignore` never carries one series' state into
        the next."""
        width = n + 2
        real = _window_counts(self._cum_exists, width)
        recent = _window_counts(self._cum_breach, n if self._all_exist else width)
        if not self._all_exist:
            self._drop_oldest_beyond_n(recent, real - n, width)
        states: StateGrid = np.greater_equal(recent, m).view(np.int8)  # True/False read as ALARM (1) / OK (0)
        short = np.flatnonzero(real < n)
        retained = bool(short.size) and self._decide_short(states, short, real[short], n, m, treat_missing)
        if resets is not None:
            states[:, resets] = initial
        if retained:
            states = _carry_forward(states, initial)
        return states

    def _drop_oldest_beyond_n(self, counts: _Counts, excess: _Counts, width: int) -> None:
        """Turn breaches among the real datapoints of the range into breaches among the most recent n.

        The range holds n + 2 slots, so at most two real datapoints are beyond the most recent n, and
        they are the oldest: the first slot when it is real, and the second when both extra ones exist
        or when the first slot is missing. Shifted slices, no gather."""
        lag = width - 1
        if self.size <= lag - 1:
            return
        first_real = np.zeros(self.size, dtype=np.bool_)
        first_real[lag:] = self.exists[: self.size - lag]
        drop_first = excess >= 1
        drop_second = (excess == 2) | ((excess == 1) & ~first_real)
        counts[:, lag:] -= self.breach[:, : self.size - lag] & drop_first[lag:]
        counts[:, lag - 1 :] -= self.breach[:, : self.size - lag + 1] & drop_second[lag - 1 :]

    def _decide_short(
        self, states: StateGrid, columns: _Index, real: _Counts, n: int, m: int, treat_missing: str
    ) -> bool:
        """Apply the missing-data rules where fewer than n real datapoints are in range; True when some
        evaluation kept the current state (TreatMissingData ignore) and states must be carried forward."""
        width = n + 2
        starts = np.maximum(columns + 1 - width, 0)
        real_breaching = self._cum_breach[:, columns + 1] - self._cum_breach[:, starts]
        count = real_breaching + (n - real) if treat_missing == "breaching" else real_breaching
        alarm = count >= m
        decided = np.where(alarm, np.int8(ALARM), np.int8(OK))
        retained = False
        if treat_missing in ("missing", "ignore"):
            undecided = ~alarm & (real == real_breaching)
            if treat_missing == "missing":
                decided[undecided] = INSUFFICIENT
                oldest = columns - (width - 1)
                oldest_breaching = np.zeros_like(undecided)
                valid = oldest >= 0
                oldest_breaching[:, valid] = self.breach[:, oldest[valid]]
                decided[undecided & oldest_breaching] = ALARM
            else:
                decided[undecided] = _RETAIN
                retained = bool(undecided.any())
        states[:, columns] = decided
        return retained


def _window_counts(cumulative: _Counts, width: int) -> _Counts:
    """Counts over the `width` slots ending at each index, from a leading-zero cumulative sum (1-D or per
    row); slots before the first count as unset. Slices only, no gather."""
    head = cumulative[..., 1:]
    out = np.empty_like(head)
    k = min(width, head.shape[-1])
    out[..., :k] = head[..., :k]
    np.subtract(head[..., k:], cumulative[..., 1 : head.shape[-1] - k + 1], out=out[..., k:])
    return out


def _carry_forward(states: StateGrid, initial: int) -> StateGrid:
    """Replace 'retain the current state' evaluations by the state each retained, row by row."""
    columns = np.arange(states.shape[1])
    last_decided = np.maximum.accumulate(np.where(states != _RETAIN, columns, -1), axis=1)
    carried = np.take_along_axis(states, np.maximum(last_decided, 0), axis=1)
    return np.where(last_decided >= 0, carried, np.int8(initial)).astype(np.int8)

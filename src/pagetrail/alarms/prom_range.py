"""Range-vector functions over every evaluation window of one series at once.

`lo[k]:hi[k]` indexes the samples inside evaluation k's window. rate() and increase() are Prometheus
2.x's extrapolatedRate, step for step: counter resets add the value before the drop; the result is
extrapolated to the window's edges when the first/last sample is within 1.1 average sample intervals
of them (else by half an interval), and never back past the counter's zero point. That is why a rate
over a window that a scrape gap cuts short is not simply (last − first) / range, and why a replay that
skipped it would fire at other times than Prometheus.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pagetrail.domain.series import Floats

Indices = npt.NDArray[np.intp]
Mask = npt.NDArray[np.bool_]


def extrapolated_rate(
    times_ms: npt.NDArray[np.int64],
    values: Floats,
    lo: Indices,
    hi: Indices,
    eval_ms: npt.NDArray[np.int64],
    range_ms: int,
    *,
    per_second: bool,
) -> tuple[Floats, Mask]:
    """rate() (per_second) or increase() at each evaluation; absent where the window has < 2 samples."""
    present = (hi - lo) >= 2
    first = np.where(present, lo, 0)
    last = np.where(present, hi - 1, 0)
    drops = np.concatenate(([0.0], np.where(values[1:] < values[:-1], values[:-1], 0.0)))
    corrections = np.cumsum(drops)
    with np.errstate(invalid="ignore", divide="ignore"):
        result = values[last] - values[first] + (corrections[last] - corrections[first])
        first_value = values[first]
        to_start = (times_ms[first] - (eval_ms - range_ms)) / 1000.0
        to_end = (eval_ms - times_ms[last]) / 1000.0
        sampled = (times_ms[last] - times_ms[first]) / 1000.0
        average = sampled / np.maximum(last - first, 1)
        to_zero = sampled * (first_value / result)
        clamp = (result > 0) & (first_value >= 0) & (to_zero < to_start)
        to_start = np.where(clamp, to_zero, to_start)
        threshold = average * 1.1
        extended = (
            sampled
            + np.where(to_start < threshold, to_start, average / 2)
            + np.where(to_end < threshold, to_end, average / 2)
        )
        result = result * (extended / sampled)
        if per_second:
            result = result / (range_ms / 1000.0)
    return np.where(present, result, np.nan), present


def window_reduce(function: str, values: Floats, lo: Indices, hi: Indices) -> tuple[Floats, Mask]:
    """avg/min/max/sum/count_over_time at each evaluation; absent where the window is empty.

    Windows overlap, so each is reduced separately with one reduceat over interleaved (lo, hi) pairs;
    a trailing pad makes hi == len(values) a valid index."""
    count = hi - lo
    present = count > 0
    if function == "count_over_time":
        return count.astype(np.float64), present
    padded = np.concatenate((values, [0.0]))
    pairs = np.empty(2 * lo.size, dtype=np.intp)
    pairs[0::2], pairs[1::2] = lo, hi
    if function == "min_over_time":
        reduced = np.fmin.reduceat(padded, pairs)[0::2]
    elif function == "max_over_time":
        reduced = np.fmax.reduceat(padded, pairs)[0::2]
    else:
        reduced = np.add.reduceat(padded, pairs)[0::2]
        if function == "avg_over_time":
            with np.errstate(invalid="ignore", divide="ignore"):
                reduced = reduced / count
    return np.where(present, reduced, np.nan), present

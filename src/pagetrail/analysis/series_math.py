"""Time-series arithmetic with Prometheus semantics, on numpy arrays.

Counters reset when a process restarts; every rate here adds the value before a reset back, as
Prometheus's `rate()` does, so a crash-looping pod does not show negative or vanishing traffic.
Histogram quantiles interpolate linearly inside the bucket that holds the rank, as
`histogram_quantile()` does, with the same treatment of the `+Inf` bucket.
"""

from __future__ import annotations

import math

import numpy as np

from pagetrail.domain.series import Floats, Series

STALENESS_S = 300.0
"""A sample older than this at an evaluation step is stale, as in Prometheus."""


def reset_corrected(values: Floats) -> Floats:
    """Counter values with every reset undone: monotone, so any difference is an increase."""
    if values.size < 2:
        return values.copy()
    drops = np.diff(values) < 0
    if not drops.any():
        return values.copy()
    carry = np.concatenate(([0.0], np.cumsum(np.where(drops, values[:-1], 0.0))))
    return values + carry


def steps(start: float, end: float, step: float) -> Floats:
    """Evaluation times from start to end inclusive, every `step` seconds."""
    count = math.floor((end - start) / step) + 1
    return start + step * np.arange(max(count, 0), dtype=np.float64)


def sample_at(series: Series, at: Floats, staleness: float = STALENESS_S) -> Floats:
    """The latest value at or before each time (NaN when none, or older than `staleness`)."""
    index = np.searchsorted(series.times, at, side="right") - 1
    found = index >= 0
    safe = np.clip(index, 0, max(series.times.size - 1, 0))
    values = np.full(at.shape, np.nan)
    if series.times.size == 0:
        return values
    fresh = found & (at - series.times[safe] <= staleness)
    values[fresh] = series.values[safe[fresh]]
    return values


def scrape_interval(series: Series) -> float:
    """The series' typical spacing between samples (its scrape interval)."""
    if series.times.size < 2:
        return 0.0
    return float(np.median(np.diff(series.times)))


def counter_rate(series: Series, at: Floats, window: float) -> Floats:
    """Per-second increase over the `window` seconds before each time (NaN without two samples).

    Uses the first and last sample inside each window, like `rate()` without its extrapolation:
    the figure triage needs is the real average, not a projection to the window's edges."""
    times = series.times
    result = np.full(at.shape, np.nan)
    if times.size < 2:
        return result
    # Like choosing rate()'s range: a window must hold at least two scrapes, whatever the interval.
    window = max(window, 2.5 * scrape_interval(series))
    corrected = reset_corrected(series.values)
    last = np.searchsorted(times, at, side="right") - 1
    first = np.searchsorted(times, at - window, side="left")
    valid = (last >= 0) & (last > first)
    last_v, first_v = last[valid], first[valid]
    elapsed = times[last_v] - times[first_v]
    result[valid] = (corrected[last_v] - corrected[first_v]) / elapsed
    return result


def histogram_quantile(quantile: float, bounds: list[float], counts: Floats) -> Floats:
    """Quantile per time from cumulative bucket rates/counts (shape: buckets x times).

    `bounds` are the `le` values in ascending order and must end with +Inf. As in Prometheus:
    a rank in the +Inf bucket returns the highest finite bound; the lowest bucket interpolates
    from 0; no observations gives NaN."""
    if not bounds or not math.isinf(bounds[-1]) or counts.shape[0] != len(bounds):
        raise ValueError("histogram buckets must be ascending and end with le=+Inf")
    counts = np.maximum.accumulate(np.nan_to_num(counts, nan=0.0), axis=0)  # enforce monotonicity
    total = counts[-1]
    rank = quantile * total
    bucket = np.argmax(counts >= rank[np.newaxis, :], axis=0)
    columns = np.arange(counts.shape[1])
    upper = np.array(bounds, dtype=np.float64)[bucket]
    lower = np.where(bucket > 0, np.array([0.0, *bounds[:-1]], dtype=np.float64)[bucket], 0.0)
    below = np.where(bucket > 0, counts[np.maximum(bucket - 1, 0), columns], 0.0)
    inside = counts[bucket, columns] - below
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(inside > 0, (rank - below) / inside, 0.0)
        value = lower + (upper - lower) * fraction
    finite_top = bounds[-2] if len(bounds) > 1 else math.nan
    value = np.where(np.isinf(upper), finite_top, value)
    return np.where(total > 0, value, np.nan)

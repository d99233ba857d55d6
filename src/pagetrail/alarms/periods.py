"""Raw samples into CloudWatch datapoints: one value per period, periods aligned to the Unix epoch.

CloudWatch stores a statistic set per period and the alarm reads one statistic of it; a period with no
sample is a *missing* datapoint (NaN here), which TreatMissingData later decides about.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pagetrail.domain.series import Floats


@dataclass(frozen=True, slots=True)
class PeriodValues:
    """`values[i]` is the statistic of the period starting at `first + i * period_s`; NaN when empty.
    `counts[i]` is how many samples fell in it (a request-count proxy for low-traffic checks)."""

    first: float
    period_s: int
    values: Floats
    counts: Floats

    @property
    def starts(self) -> Floats:
        return self.first + self.period_s * np.arange(self.values.size, dtype=np.float64)

    def __len__(self) -> int:
        return int(self.values.size)


def aggregate_into_periods(times: Floats, values: Floats, *, period_s: int, statistic: str) -> PeriodValues:
    """Bucket samples by `floor(t / period)` and reduce each bucket by the statistic.

    Percentiles use the nearest-rank definition on the raw samples (CloudWatch's own percentile sketch
    is not public; nearest rank is what it converges to and never invents a value)."""
    keep = np.isfinite(times) & np.isfinite(values)
    times, values = times[keep], values[keep]
    if times.size == 0:
        return PeriodValues(0.0, period_s, np.empty(0), np.empty(0))
    buckets = np.floor(times / period_s).astype(np.int64)
    first_bucket = int(buckets.min())
    index = buckets - first_bucket
    n_periods = int(index.max()) + 1
    counts = np.bincount(index, minlength=n_periods).astype(np.float64)
    out = np.full(n_periods, np.nan)
    present = counts > 0
    if statistic == "SampleCount":
        out[present] = counts[present]
    elif statistic in ("Sum", "Average"):
        sums = np.bincount(index, weights=values, minlength=n_periods)
        out[present] = sums[present] if statistic == "Sum" else sums[present] / counts[present]
    else:
        order = np.lexsort((values, index))
        ordered = values[order]
        starts = np.concatenate(([0], np.cumsum(counts[present])[:-1])).astype(np.int64)
        sizes = counts[present].astype(np.int64)
        if statistic == "Minimum":
            picked = starts
        elif statistic == "Maximum":
            picked = starts + sizes - 1
        else:
            rank = np.ceil(float(statistic[1:]) / 100.0 * sizes).astype(np.int64)
            picked = starts + np.clip(rank, 1, sizes) - 1
        out[present] = ordered[picked]
    return PeriodValues(float(first_bucket * period_s), period_s, out, counts)

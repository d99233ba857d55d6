"""Which alarm configurations the tuner tries: periods, statistics, thresholds and M-of-N.

Defaults follow the data rather than fixed numbers: periods are multiples of the data's cadence (a
period shorter than the cadence only manufactures missing datapoints); thresholds are quantiles of the
statistic being alarmed on (to 3 significant figures), denser toward the tail where alarm thresholds live; a percentile is offered
only when a period holds enough samples for it to differ from the Maximum (nearest rank: p90 needs 10,
p99 needs 100). The current configuration's values are always in the space, so the proposal is never
worse than the current alarm by the tuner's own rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pagetrail.alarms.condition import COMPARISONS, AlarmCondition
from pagetrail.domain.series import Floats

THRESHOLD_COUNT = 30
PERIOD_MULTIPLES = (1, 2, 3, 6)
EVALUATION_PERIODS = (1, 2, 3, 4, 5)
SHAPE_STATISTICS = ("Average", "Maximum")
PERCENTILE_MIN_SAMPLES = {"p90": 10, "p99": 100}
_UNSCALED = ("Sum", "SampleCount")


@dataclass(frozen=True, slots=True)
class SearchSpace:
    """Each period with the statistics tried at it; `thresholds` None means quantiles per (period, statistic)."""

    statistics: tuple[tuple[int, tuple[str, ...]], ...]
    evaluation_periods: tuple[int, ...]
    thresholds: tuple[float, ...] | None = None

    @property
    def periods(self) -> tuple[int, ...]:
        return tuple(period for period, _ in self.statistics)

    def datapoints_pairs(self) -> list[tuple[int, int]]:
        """Every (EvaluationPeriods N, DatapointsToAlarm M) with 1 <= M <= N."""
        return [(n, m) for n in self.evaluation_periods for m in range(1, n + 1)]


def data_cadence_s(times: Floats) -> float:
    """The usual spacing of the samples (median gap between distinct timestamps); 60 s when unknown."""
    distinct = np.unique(times[np.isfinite(times)])
    if distinct.size < 2:
        return 60.0
    return float(np.median(np.diff(distinct)))


def default_periods(cadence_s: float) -> tuple[int, ...]:
    """1×, 2×, 3× and 6× the cadence, each at least 60 s and a whole number of minutes (AWS's rule)."""
    base = max(60, int(np.ceil(cadence_s / 60.0)) * 60)
    return tuple(base * k for k in PERIOD_MULTIPLES)


def statistics_for_period(current: str, samples_per_period: float, requested: Sequence[str] | None) -> tuple[str, ...]:
    """The statistics worth trying at a period on raw samples, the current one first.

    One sample per period leaves only the value itself (kept under the current statistic's name). Sum and
    SampleCount alarms keep their statistic: switching to Average would alarm on a different quantity."""
    if requested is not None:
        return tuple(dict.fromkeys((current, *requested)))
    if samples_per_period < 1.5 or current in _UNSCALED:
        return (current,)
    offered = [s for s, needed in PERCENTILE_MIN_SAMPLES.items() if samples_per_period >= needed]
    return tuple(dict.fromkeys((current, *SHAPE_STATISTICS, *offered)))


def threshold_candidates(
    period_values: Floats, comparison: str, current: float, count: int = THRESHOLD_COUNT
) -> Floats:
    """`count` quantiles of the period statistic from the median to the 99.9th percentile (the 0.1th for
    a less-than alarm), geometrically closer together toward the tail, plus the current threshold."""
    finite = period_values[np.isfinite(period_values)]
    if finite.size == 0:
        return np.array([current])
    tail = np.geomspace(0.5, 0.001, count)
    levels = 1.0 - tail if COMPARISONS[comparison] in (">", ">=") else tail
    return np.unique(np.concatenate((_significant(np.quantile(finite, levels)), [current])))


def _significant(values: Floats, digits: int = 3) -> Floats:
    """Round to `digits` significant figures: a proposed threshold of 1.05 reads better than 1.0473821."""
    magnitude = np.floor(np.log10(np.abs(np.where(values == 0, 1.0, values))))
    scale = 10.0 ** (digits - 1 - magnitude)
    return np.round(values * scale) / scale


def search_space(
    current: AlarmCondition,
    cadence_s: float,
    *,
    raw_samples: bool = True,
    periods: Sequence[int] | None = None,
    statistics: Sequence[str] | None = None,
    thresholds: Sequence[float] | None = None,
    evaluation_periods: Sequence[int] | None = None,
) -> SearchSpace:
    """The space from explicit choices or the defaults, always including the current configuration.

    Without raw samples (datapoints that already hold one statistic per period) only the current
    statistic exists and, unless periods are given, only the current period."""
    defaults = default_periods(cadence_s) if raw_samples else ()
    chosen_periods = tuple(periods) if periods else defaults
    chosen_n = tuple(evaluation_periods) if evaluation_periods else EVALUATION_PERIODS
    by_period = tuple(
        (
            period,
            statistics_for_period(current.statistic, period / cadence_s, statistics)
            if raw_samples
            else (current.statistic,),
        )
        for period in sorted({*chosen_periods, current.period_s})
    )
    return SearchSpace(
        statistics=by_period,
        evaluation_periods=tuple(sorted({*chosen_n, current.evaluation_periods})),
        thresholds=tuple(sorted({*thresholds, current.threshold})) if thresholds else None,
    )

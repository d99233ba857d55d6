"""Turn the metric history as read into the datapoints an alarm evaluates: one value per period.

Raw samples are reduced by the alarm's statistic, as CloudWatch does before evaluating. Datapoints
that already hold a statistic (get-metric-data) are used as they are when their period is the alarm's;
finer ones are combined only where combining is exact (Sum, SampleCount, Minimum, Maximum): an Average
of Averages or a p99 of p99s is not what CloudWatch would have computed, so that is refused with the
fix. A CSV is raw samples when its cadence is finer than the period, else one datapoint per period.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from pagetrail.alarms.condition import AlarmCondition, AlarmConditionError
from pagetrail.alarms.periods import PeriodValues, aggregate_into_periods
from pagetrail.alarms.statistic_views import periods_by_statistic
from pagetrail.domain.series import Floats
from pagetrail.evidence.alarm_data import MetricData
from pagetrail.evidence.alarm_inputs import AlarmInputError

_EXACT_COMBINE = {"Sum": "Sum", "SampleCount": "Sum", "Minimum": "Minimum", "Maximum": "Maximum"}


@dataclass(frozen=True, slots=True)
class AlarmDatapoints:
    """The periods the alarm evaluates, the raw samples when the input had them (for comparing
    statistics), and what the user should know about how they were made."""

    periods: PeriodValues
    samples: tuple[Floats, Floats] | None
    notes: tuple[str, ...]


def cadence_s(times: Floats) -> float | None:
    """The typical spacing of the timestamps (median of the positive gaps), None for one point."""
    gaps = np.diff(np.unique(times))
    return float(np.median(gaps)) if gaps.size else None


def within(data: MetricData, start: float | None, end: float | None) -> MetricData:
    """Only the history between --start and --end (either may be open)."""
    if start is None and end is None:
        return data
    keep = np.ones(data.times.size, dtype=np.bool_)
    if start is not None:
        keep &= data.times >= start
    if end is not None:
        keep &= data.times < end
    if not keep.any():
        raise AlarmInputError(f"{data.source}: no data between --start and --end")
    siblings = tuple(within(s, start, end) for s in data.siblings if _overlaps(s, start, end))
    return replace(data, times=data.times[keep], values=data.values[keep], siblings=siblings)


def _overlaps(data: MetricData, start: float | None, end: float | None) -> bool:
    return bool(np.any((data.times >= (start or -np.inf)) & (data.times < (end or np.inf))))


def statistic_periods(
    condition: AlarmCondition, data: MetricData, points: AlarmDatapoints
) -> dict[str, PeriodValues] | None:
    """The same history as several statistics, to show what the alarm's one hides: reduced from raw
    samples, or taken from get-metric-data results of the same metric with other statistics."""
    if points.samples is not None:
        return periods_by_statistic(condition, points.samples)
    if not data.siblings:
        return None
    views = {data.statistic or condition.statistic: points.periods}
    for sibling in data.siblings:
        stat = sibling.statistic or ""
        try:
            views.setdefault(stat, datapoints_for(condition.with_changes(statistic=stat), sibling).periods)
        except (AlarmConditionError, AlarmInputError):
            continue  # a statistic the replay cannot read (a trimmed mean): leave it out of the comparison
    return views


def datapoints_for(condition: AlarmCondition, data: MetricData) -> AlarmDatapoints:
    """The alarm's datapoints from the input, with notes on anything the replay had to assume."""
    points = _datapoints_for(condition, data)
    if not np.isfinite(points.periods.values).any():
        where = data.source if data.kind == "csv" else f"{data.source}: {data.label}"
        raise AlarmInputError(f"{where}: no finite values to replay on")
    return points


def _datapoints_for(condition: AlarmCondition, data: MetricData) -> AlarmDatapoints:
    period = condition.period_s
    notes = list(data.notes)
    spacing = cadence_s(data.times)
    if data.kind == "samples" or (data.kind == "csv" and spacing is not None and spacing < period):
        periods = aggregate_into_periods(data.times, data.values, period_s=period, statistic=condition.statistic)
        return AlarmDatapoints(periods, (data.times, data.values), tuple(notes))
    own_period = data.period_s or (round(spacing) if spacing else period)
    stat = condition.statistic
    if data.statistic and data.statistic != condition.statistic:
        notes.append(
            f"{data.label} holds {data.statistic} datapoints; the alarm reads {condition.statistic}: replayed on the data as given"
        )
        stat = data.statistic
    if own_period < period:
        combine = _EXACT_COMBINE.get(stat)
        if combine is None:
            raise AlarmInputError(
                f"{data.source}: Period: expected {period} s datapoints (the alarm's), got {own_period} s {stat} ones, "
                f"which cannot be combined exactly: fetch them with Period={period}"
            )
        periods = aggregate_into_periods(data.times, data.values, period_s=period, statistic=combine)
        notes.append(f"{own_period} s {stat} datapoints combined into {period} s periods by {combine}")
        return AlarmDatapoints(periods, None, tuple(notes))
    if own_period > period:
        per = own_period // period
        notes.append(
            f"the data has one datapoint every {own_period} s but Period is {period} s: "
            f"{per - 1} of every {per} periods are missing (TreatMissingData decides them)"
        )
    # One value per period: any statistic of a single value is that value.
    periods = aggregate_into_periods(data.times, data.values, period_s=period, statistic="Maximum")
    return AlarmDatapoints(periods, None, tuple(notes))

"""What an alarm's statistic hides: the same raw samples seen as Average, p99 and Maximum per period.

An Average crosses a latency threshold only when most requests in the period are slow; a p99 crosses
when one in a hundred is; a Maximum when any single one is. Counting, per statistic, the periods that
cross the alarm's threshold and the pages the alarm would have sent makes the difference concrete
(seed 002 A7, L83) and says which statistic matches the intent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from pagetrail.alarms.cloudwatch_replay import breaching, replay_cloudwatch_alarm
from pagetrail.alarms.condition import COMPARISONS, AlarmCondition
from pagetrail.alarms.episodes import summarize_replay
from pagetrail.alarms.periods import PeriodValues, aggregate_into_periods
from pagetrail.domain.series import Floats

_VIEWS = ("Average", "p99", "Maximum")
_MUCH_MORE = 2.0


@dataclass(frozen=True, slots=True)
class StatisticView:
    """The alarm's threshold against one statistic of the same samples."""

    statistic: str
    crossed: int
    periods: int
    flaps: int
    median: float


@dataclass(frozen=True, slots=True)
class StatisticComparison:
    views: tuple[StatisticView, ...]
    hides: str
    suggestion: str

    def view(self, statistic: str) -> StatisticView | None:
        return next((v for v in self.views if v.statistic == statistic), None)


def periods_by_statistic(condition: AlarmCondition, samples: tuple[Floats, Floats]) -> dict[str, PeriodValues]:
    """The raw samples reduced by Average, p99, Maximum and the alarm's own statistic."""
    times, values = samples
    wanted = dict.fromkeys((condition.statistic, *_VIEWS))
    return {s: aggregate_into_periods(times, values, period_s=condition.period_s, statistic=s) for s in wanted}


def _view(condition: AlarmCondition, statistic: str, periods: PeriodValues) -> StatisticView:
    crossed = int(breaching(periods.values, condition.comparison, condition.threshold).sum())
    transitions = replay_cloudwatch_alarm(condition.with_changes(statistic=statistic), periods)
    end = periods.first + len(periods) * periods.period_s
    finite = periods.values[np.isfinite(periods.values)]
    return StatisticView(
        statistic=statistic,
        crossed=crossed,
        periods=int(finite.size),
        flaps=summarize_replay(transitions, start=periods.first, end=end).flaps,
        median=float(np.median(finite)) if finite.size else float("nan"),
    )


def compare_statistics(
    condition: AlarmCondition, by_statistic: Mapping[str, PeriodValues]
) -> StatisticComparison | None:
    """Each statistic's periods against the alarm's threshold (from raw samples, or from datapoints of
    several statistics of the same metric). Judged only for "above the threshold is bad" alarms, the
    latency case the comparison is for; None with fewer than two statistics to compare."""
    if len(by_statistic) < 2 or condition.statistic not in by_statistic:
        return None
    views = tuple(_view(condition, s, p) for s, p in by_statistic.items() if len(p))
    by_name = {v.statistic: v for v in views}
    own = by_name.get(condition.statistic)
    tail = by_name.get("p99") or by_name.get("p99.9") or by_name.get("Maximum")
    mean = by_name.get("Average")
    if own is None or COMPARISONS[condition.comparison] not in (">", ">="):
        return StatisticComparison(views, "", "")
    hides, suggestion = _judge(condition, own, tail, mean)
    return StatisticComparison(views, hides, suggestion)


def _judge(
    condition: AlarmCondition, own: StatisticView, tail: StatisticView | None, mean: StatisticView | None
) -> tuple[str, str]:
    """One sentence on what the alarm's statistic hides, and the statistic that matches the intent."""
    threshold = f"{condition.threshold:g}"
    if tail is not None and mean is not None and own is mean and tail.crossed > _MUCH_MORE * max(mean.crossed, 1):
        return (
            f"{tail.statistic} crossed {threshold} in {tail.crossed} of {tail.periods} periods while the Average "
            f"crossed in {mean.crossed}: the Average alarm pages only on bursts that slow most requests; "
            "the tail stays slow between them",
            f"if the intent is 'users see slow requests', alarm on a percentile such as p99 (ExtendedStatistic; "
            f"{tail.statistic} has a median of {tail.median:.3g} per period: set the threshold from its history); "
            "if it is 'capacity saturates', keep the Average",
        )
    if (
        tail is not None
        and own.statistic == "Maximum"
        and tail is not own
        and own.crossed > _MUCH_MORE * max(tail.crossed, 1)
    ):
        return (
            f"the Maximum crossed {threshold} in {own.crossed} of {own.periods} periods, {tail.statistic} in "
            f"{tail.crossed}: one slow request is enough to page",
            "alarm on p99 (or p99.9) so a single outlier cannot page; the Maximum belongs on a dashboard",
        )
    if mean is not None and own is not mean and own.crossed > _MUCH_MORE * max(mean.crossed, 1):
        return (
            f"{own.statistic} crossed {threshold} in {own.crossed} of {own.periods} periods, the Average in "
            f"{mean.crossed}: this alarm sees tail latency the Average would hide",
            "",
        )
    others = ", ".join(f"{v.statistic} {v.crossed}" for v in (mean, tail) if v is not None and v is not own)
    return (
        f"{own.statistic} crossed {threshold} in {own.crossed} of {own.periods} periods ({others}): "
        "the statistics agree on when it is slow",
        "",
    )

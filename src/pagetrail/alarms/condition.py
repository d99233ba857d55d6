"""A CloudWatch metric alarm's condition: the fields that decide its state, validated as AWS does.

Kept apart from `domain.alarms.Alarm` (what describe-alarms printed) because the tuner builds thousands
of these and the replay takes them from flags as well as from AWS's JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pagetrail.domain.alarms import Alarm

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
COMPARISONS = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}
TREAT_MISSING = ("missing", "notBreaching", "breaching", "ignore")
HIGH_RESOLUTION_PERIODS = (10, 20, 30)
_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d{1,2})?|100)$")


class AlarmConditionError(ValueError):
    """A field AWS would reject; `field` names it the way describe-alarms spells it."""

    def __init__(self, field: str, expected: str, got: object) -> None:
        super().__init__(f"{field}: expected {expected}, got {got!r}")
        self.field = field


@dataclass(frozen=True, slots=True)
class AlarmCondition:
    """Statistic is one of STATISTICS or a percentile like `p99` / `p99.9` (AWS's ExtendedStatistic)."""

    period_s: int
    statistic: str
    comparison: str
    threshold: float
    evaluation_periods: int
    datapoints_to_alarm: int
    treat_missing: str = "missing"

    @property
    def percentile(self) -> float | None:
        """The percentile (0-100) for an extended statistic, None for a plain one."""
        return float(self.statistic[1:]) if self.statistic.startswith("p") else None

    def with_changes(self, **changes: object) -> AlarmCondition:
        return validated(replace(self, **changes))  # type: ignore[arg-type]

    def describe(self) -> str:
        """The condition in plain English, the way seed 002 A3 says it."""
        op = {">": "above", ">=": "at or above", "<": "below", "<=": "at or below"}[COMPARISONS[self.comparison]]
        span = _duration(self.period_s)
        if self.datapoints_to_alarm == self.evaluation_periods == 1:
            when = f"one {span} period"
        elif self.datapoints_to_alarm == self.evaluation_periods:
            when = f"{self.evaluation_periods} consecutive {span} periods"
        else:
            when = f"{self.datapoints_to_alarm} of the last {self.evaluation_periods} {span} periods"
        stat = {"SampleCount": "sample count", "Average": "average", "Sum": "sum", "Minimum": "minimum"}.get(
            self.statistic, "maximum" if self.statistic == "Maximum" else self.statistic
        )
        return f"ALARM when the {span} {stat} is {op} {self.threshold:g} for {when}"


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}-minute" if seconds > 60 else "1-minute"
    return f"{seconds}s"


def validated(condition: AlarmCondition) -> AlarmCondition:
    """Reject what PutMetricAlarm rejects, with the field named, before any replay runs."""
    c = condition
    if c.period_s <= 0 or (c.period_s not in HIGH_RESOLUTION_PERIODS and c.period_s % 60):
        raise AlarmConditionError("Period", "10, 20, 30 or a multiple of 60 seconds", c.period_s)
    if c.statistic not in STATISTICS and not _PERCENTILE.match(c.statistic):
        raise AlarmConditionError(
            "Statistic", f"one of {', '.join(STATISTICS)} or an ExtendedStatistic such as p99 or p99.9", c.statistic
        )
    if c.comparison not in COMPARISONS:
        raise AlarmConditionError("ComparisonOperator", f"one of {', '.join(COMPARISONS)}", c.comparison)
    if c.evaluation_periods < 1:
        raise AlarmConditionError("EvaluationPeriods", "a whole number of at least 1", c.evaluation_periods)
    if not 1 <= c.datapoints_to_alarm <= c.evaluation_periods:
        raise AlarmConditionError(
            "DatapointsToAlarm",
            f"a whole number from 1 to EvaluationPeriods ({c.evaluation_periods})",
            c.datapoints_to_alarm,
        )
    if c.treat_missing not in TREAT_MISSING:
        raise AlarmConditionError("TreatMissingData", f"one of {', '.join(TREAT_MISSING)}", c.treat_missing)
    if c.threshold != c.threshold:
        raise AlarmConditionError("Threshold", "a number", c.threshold)
    return c


def condition_of(alarm: Alarm) -> AlarmCondition:
    """The condition of an alarm read from describe-alarms (ExtendedStatistic wins when both are set)."""
    return validated(
        AlarmCondition(
            period_s=alarm.period_s,
            statistic=alarm.extended_statistic or alarm.statistic,
            comparison=alarm.comparison,
            threshold=alarm.threshold,
            evaluation_periods=alarm.evaluation_periods,
            datapoints_to_alarm=alarm.datapoints_to_alarm,
            treat_missing=alarm.treat_missing or "missing",
        )
    )

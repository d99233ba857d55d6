"""CloudWatch alarms, their state history and metric data, as the AWS CLI prints them."""

from __future__ import annotations

from dataclasses import dataclass, field

from pagetrail.domain.series import Series


@dataclass(slots=True)
class Alarm:
    """One `MetricAlarms[]` entry of `aws cloudwatch describe-alarms`."""

    name: str
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str  # Average | Sum | Minimum | Maximum | SampleCount, or '' with extended
    extended_statistic: str  # p99, p90, ... or ''
    period_s: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str  # GreaterThanThreshold | ...
    treat_missing: str  # missing | notBreaching | breaching | ignore
    state: str  # OK | ALARM | INSUFFICIENT_DATA
    state_changed: float | None
    source: str


@dataclass(slots=True, frozen=True)
class AlarmTransition:
    """One StateUpdate item of `describe-alarm-history`."""

    alarm: str
    at: float
    old: str
    new: str
    reason: str
    source: str


@dataclass(slots=True)
class CloudWatch:
    alarms: list[Alarm] = field(default_factory=list)
    transitions: list[AlarmTransition] = field(default_factory=list)
    metric_data: list[Series] = field(default_factory=list)

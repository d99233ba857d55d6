"""Episodes, flaps and the flapping score from transitions, and the condition's validation."""

from __future__ import annotations

import numpy as np
import pytest

from pagetrail.alarms.cloudwatch_replay import replay_cloudwatch_alarm
from pagetrail.alarms.condition import AlarmCondition, AlarmConditionError, validated
from pagetrail.alarms.episodes import Transition, summarize_replay
from pagetrail.alarms.periods import aggregate_into_periods

SEED_002 = AlarmCondition(60, "Average", "GreaterThanThreshold", 0.8, 2, 2, "missing")


def _bursty_latency(hours: int, burst_every_min: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-second request latencies: 0.2 s, with 4-minute 1.5 s bursts every `burst_every_min` minutes."""
    times = np.arange(0, hours * 3600, 1.0) + 1_700_000_000
    minute = (times - times[0]) // 60
    values = np.where(minute % burst_every_min < 4, 1.5, 0.2)
    return times, values


def test_seed_002_alarm_flaps_on_bursts_every_half_hour() -> None:
    times, values = _bursty_latency(5, 30)
    periods = aggregate_into_periods(times, values, period_s=60, statistic="Average")
    summary = summarize_replay(replay_cloudwatch_alarm(SEED_002, periods), start=times[0], end=times[-1])
    assert summary.flaps == 10
    assert summary.flapping
    assert summary.flapping_score == pytest.approx(0.9)
    assert summary.shortest_episode_s == pytest.approx(180.0)


def test_one_sustained_incident_is_not_flapping() -> None:
    transitions = [Transition(100.0, "INSUFFICIENT_DATA", "OK"), Transition(1000.0, "OK", "ALARM")]
    summary = summarize_replay(transitions, start=0.0, end=5000.0)
    assert (summary.flaps, summary.flapping, summary.time_in_alarm_s) == (1, False, 4000.0)
    assert summary.episodes[0].open_at_end


def test_percentile_periods_use_nearest_rank_per_period() -> None:
    times = np.arange(0.0, 120.0)
    values = np.concatenate([np.arange(1.0, 61.0), np.full(60, 2.0)])
    periods = aggregate_into_periods(times, values, period_s=60, statistic="p90")
    assert periods.values.tolist() == [54.0, 2.0]
    assert aggregate_into_periods(times, values, period_s=60, statistic="SampleCount").values.tolist() == [60.0, 60.0]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period_s": 90}, "Period"),
        ({"statistic": "p999x"}, "Statistic"),
        ({"statistic": "Median"}, "Statistic"),
        ({"comparison": "LessThanLowerOrGreaterThanUpperThreshold"}, "ComparisonOperator"),
        ({"datapoints_to_alarm": 3}, "DatapointsToAlarm"),
        ({"treat_missing": "zero"}, "TreatMissingData"),
    ],
)
def test_conditions_aws_would_reject_name_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(AlarmConditionError) as raised:
        SEED_002.with_changes(**change)
    assert raised.value.field == field


def test_high_resolution_and_percentile_conditions_are_valid() -> None:
    assert validated(SEED_002.with_changes(period_s=10, statistic="p99.9")).percentile == pytest.approx(99.9)
    assert SEED_002.describe() == "ALARM when the 1-minute average is above 0.8 for 2 consecutive 1-minute periods"

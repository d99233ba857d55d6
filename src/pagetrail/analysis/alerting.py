"""Alarm reading (seed 002 A3-A8, B9-B12): what the alarm's condition says in plain English, what
its state history says (a sustained incident or a flapping window), whether its statistic crossed
only when traffic was tiny, and which dimension hides the culprit.

The first OK->ALARM transition dates the symptom: a change after it cannot be its cause.
"""

from __future__ import annotations

import numpy as np

from pagetrail.alarms.episodes import Transition, alarm_episodes
from pagetrail.alarms.explain import LOW_TRAFFIC_SHARE
from pagetrail.analysis.context import Context
from pagetrail.domain.alarms import Alarm, AlarmTransition
from pagetrail.domain.clock import format_duration
from pagetrail.domain.meta import Meta
from pagetrail.domain.report import Fact, Status
from pagetrail.domain.series import Series

_OPERATORS = {
    "GreaterThanThreshold": "greater than",
    "GreaterThanOrEqualToThreshold": "greater than or equal to",
    "LessThanThreshold": "less than",
    "LessThanOrEqualToThreshold": "less than or equal to",
}
_FLAPS = 4
_SHORT_EPISODE_S = 20 * 60


def describe_alarm(alarm: Alarm) -> str:
    """The condition in plain English."""
    statistic = alarm.extended_statistic or alarm.statistic or "statistic"
    where = ", ".join(f"{k}={v}" for k, v in alarm.dimensions) or "no dimensions"
    m_of_n = (
        f"{alarm.datapoints_to_alarm} of the last {alarm.evaluation_periods} periods"
        if alarm.datapoints_to_alarm != alarm.evaluation_periods
        else f"{alarm.evaluation_periods} consecutive period{'s' if alarm.evaluation_periods > 1 else ''}"
    )
    return (
        f"fires when the {statistic} of {alarm.namespace} {alarm.metric} ({where}) over {alarm.period_s}s is "
        f"{_OPERATORS.get(alarm.comparison, alarm.comparison)} {alarm.threshold:g} for {m_of_n}; missing data: {alarm.treat_missing}"
    )


def alarm_onset(transitions: list[AlarmTransition]) -> float | None:
    starts = [t.at for t in transitions if t.new == "ALARM"]
    return min(starts) if starts else None


def _episodes(transitions: list[AlarmTransition], now: float) -> list[tuple[float, float]]:
    """ALARM stretches of a CloudWatch history, the same reading the alarm lab's replay uses."""
    ordered = sorted(transitions, key=lambda t: t.at)
    return [(e.start, e.end) for e in alarm_episodes([Transition(t.at, t.old, t.new) for t in ordered], end=now)]


def _meta(alarm: Alarm) -> Meta:
    return Meta(kind="CloudWatchAlarm", namespace="", name=alarm.name, source=alarm.source)


def analyze_alarms(ctx: Context) -> None:
    cloudwatch = ctx.evidence.cloudwatch
    for alarm in cloudwatch.alarms:
        history = [t for t in cloudwatch.transitions if t.alarm == alarm.name]
        episodes = _episodes(history, ctx.now)
        meta = _meta(alarm)
        condition = Fact(alarm.source, f"{alarm.name} {describe_alarm(alarm)}")
        flaps = sum(1 for t in history if t.old == "OK" and t.new == "ALARM")
        if flaps >= _FLAPS:
            lengths = [end - start for start, end in episodes]
            median = float(np.median(lengths)) if lengths else 0.0
            span = (max(t.at for t in history) - min(t.at for t in history)) if history else 0.0
            facts = [
                condition,
                Fact(
                    history[0].source,
                    f"{flaps} OK->ALARM transitions in {format_duration(span)}; median episode {format_duration(median)}",
                    min(t.at for t in history),
                ),
            ]
            if alarm.statistic == "Average" and alarm.period_s <= 60:
                facts.append(
                    Fact(
                        alarm.source,
                        f"a {alarm.period_s}s Average over {alarm.evaluation_periods} period(s) follows every burst; p99 or a longer window would not flap",
                    )
                )
            ctx.add(
                "alarm.flapping",
                Status.LIKELY if median <= _SHORT_EPISODE_S else Status.POSSIBLE,
                obj=meta,
                summary=f"{alarm.name} flapped {flaps} times (median episode {format_duration(median)}): its window follows bursts",
                facts=facts,
                in_scope=True,
                onset=alarm_onset(history),
            )
        _low_traffic(ctx, alarm, episodes, meta)
        _hidden_dimension(ctx, alarm, episodes, meta)


def _request_counts(ctx: Context) -> list[Series]:
    return [s for s in ctx.evidence.cloudwatch.metric_data if s.name in ("RequestCount", "RequestCountPerTarget")]


def _low_traffic(ctx: Context, alarm: Alarm, episodes: list[tuple[float, float]], meta: Meta) -> None:
    counts = _request_counts(ctx)
    if not counts or not episodes:
        return
    series = max(counts, key=len)
    inside = np.zeros(series.times.shape, dtype=bool)
    for start, end in episodes:
        inside |= (series.times >= start) & (series.times <= end)
    if inside.sum() == 0 or (~inside).sum() == 0:
        return
    during, outside = float(np.median(series.values[inside])), float(np.median(series.values[~inside]))
    fact = Fact(
        series.source, f"median {series.name} {during:.0f} per period while in ALARM vs {outside:.0f} otherwise"
    )
    if during < LOW_TRAFFIC_SHARE * outside:
        ctx.add(
            "alarm.low-traffic-artifact",
            Status.LIKELY,
            obj=meta,
            in_scope=True,
            summary=f"{alarm.name} crosses only when traffic is tiny: a few slow requests dominate its {alarm.statistic or alarm.extended_statistic}",
            facts=[fact],
        )
    elif during >= outside:
        ctx.add(
            "alarm.low-traffic-artifact",
            Status.REFUTED,
            obj=meta,
            in_scope=True,
            summary="request count rises with latency: the alarm is not a low-traffic artifact",
            facts=[],
            against=[fact],
        )


def _hidden_dimension(ctx: Context, alarm: Alarm, episodes: list[tuple[float, float]], meta: Meta) -> None:
    """An alarm on a whole load balancer hides which target group is slow; get-metric-data per
    target group, when captured, names it."""
    if not episodes or any(k == "TargetGroup" for k, _ in alarm.dimensions):
        return
    groups = [s for s in ctx.evidence.cloudwatch.metric_data if s.name == alarm.metric and s.label("TargetGroup")]
    if len(groups) < 2:
        return

    def during(series: Series) -> float:
        mask = np.zeros(series.times.shape, dtype=bool)
        for start, end in episodes:
            mask |= (series.times >= start) & (series.times <= end)
        return float(np.max(series.values[mask])) if mask.any() else 0.0

    ranked = sorted(groups, key=during, reverse=True)
    worst, second = ranked[0], ranked[1]
    for item in ctx.findings.items:  # the breakdown is told on this alarm's own hypotheses
        if item.obj == meta.ref:
            item.facts.append(
                Fact(
                    worst.source,
                    f"per target group during ALARM: {worst.label('TargetGroup')} peaks {during(worst):.2f} vs next {second.label('TargetGroup')} {during(second):.2f} ({alarm.metric})",
                    None,
                )
            )


def first_alarm_at(ctx: Context) -> float | None:
    """The earliest OK->ALARM transition of any alarm in the evidence."""
    return alarm_onset(ctx.evidence.cloudwatch.transitions)

"""Explain an alarm from its own history: what it says, what its replay did, why, and what its
statistic hides (seed 002 A3-A8).

Three questions a reviewer asks before trusting a page:
- *What happened?* quiet, one sustained incident, or flapping (re-pages within the hour).
- *Was it real load?* With a request-count series: fewer requests while in ALARM than otherwise means a
  few slow requests dominated a tiny sample (a low-traffic artifact); more means the latency is
  load-correlated, real degradation (seed 002 A8: ~100 -> 130-320 requests/min during the spikes).
- *What does the statistic hide?* With raw samples, the Average, p99 and Maximum of each period are
  compared: an Average alarm pages only when a burst slows most requests while the tail stays slow in
  between (A7; L83: a ~3 s maximum persisted while the Average alarm stayed OK).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from pagetrail.alarms.cloudwatch_grid import ALARM
from pagetrail.alarms.cloudwatch_replay import evaluate_states, replay_cloudwatch_alarm
from pagetrail.alarms.condition import COMPARISONS, AlarmCondition
from pagetrail.alarms.episodes import ReplaySummary, summarize_replay
from pagetrail.alarms.periods import PeriodValues, aggregate_into_periods
from pagetrail.alarms.statistic_views import StatisticComparison, compare_statistics
from pagetrail.domain.clock import format_duration
from pagetrail.domain.series import Floats

LOAD_CORRELATED_SHARE = 1.2
"""Requests while in ALARM at least this share of the rest: the latency came with more load."""
LOW_TRAFFIC_SHARE = 0.25
"""Requests while in ALARM below this share of the rest: the statistic is dominated by a handful of
requests (the same rule as triage's alarm.low-traffic-artifact)."""
HANDFUL_OF_REQUESTS = 10
"""Fewer requests than this per period while in ALARM: one slow request moves the period's Average
across the threshold by itself (seed: 1-8 requests a minute at night, against hundreds by day)."""
SUSTAINED_EPISODE_S = 15 * 60


@dataclass(frozen=True, slots=True)
class TrafficComparison:
    """Requests per minute in the periods the alarm was in ALARM vs the others."""

    alarm_periods: int
    during_per_min: float
    during_low: float
    during_high: float
    otherwise_per_min: float
    verdict: str  # "low-traffic artifact" | "load-correlated" | "traffic unchanged"

    def sentence(self) -> str:
        spread = f"{self.during_low:.0f}–{self.during_high:.0f}/min" if self.during_high > self.during_low else ""
        during = f"median {self.during_per_min:.0f}/min" + (f", {spread}" if spread else "")
        figures = f"requests while in ALARM {during} vs {self.otherwise_per_min:.0f}/min otherwise"
        if self.verdict == "low-traffic artifact":
            return f"{figures}: the alarm crosses when traffic is a handful of requests, a few slow ones dominate its statistic"
        if self.verdict == "load-correlated":
            return f"{figures}: latency rises with load, real degradation, not a low-traffic artifact"
        return f"{figures}: neither a low-traffic artifact nor load-driven"


@dataclass(frozen=True, slots=True)
class AlarmExplanation:
    condition: str
    verdict: str  # "quiet" | "sustained incident" | "isolated alarms" | "flapping" | "low-traffic artifact"
    history: str
    summary: ReplaySummary
    traffic: TrafficComparison | None
    statistics: StatisticComparison | None
    advice: tuple[str, ...]


def _span(summary: ReplaySummary) -> str:
    return format_duration(summary.end - summary.start)


def _history(condition: AlarmCondition, periods: PeriodValues, summary: ReplaySummary) -> tuple[str, str]:
    """The verdict on the replayed history, and the sentence that backs it."""
    if not summary.episodes:
        values = periods.values[np.isfinite(periods.values)]
        closest = ""
        if values.size and COMPARISONS[condition.comparison] in (">", ">="):
            peak = float(values.max())
            closest = f"; the highest datapoint was {peak:.3g} vs threshold {condition.threshold:g}"
        elif values.size:
            closest = f"; the lowest datapoint was {float(values.min()):.3g} vs threshold {condition.threshold:g}"
        return "quiet", f"never entered ALARM in {_span(summary)} ({len(periods)} periods){closest}"
    durations = [e.duration_s for e in summary.episodes]
    median = format_duration(float(np.median(durations)))
    if summary.flapping:
        return "flapping", (
            f"{summary.flaps} OK→ALARM flaps in {_span(summary)}, median episode {median}; "
            f"{summary.realarms} re-alarmed within an hour of clearing: the threshold meets a bursty workload"
        )
    longest = max(durations)
    kind = "sustained incident" if longest >= SUSTAINED_EPISODE_S else "isolated alarms"
    return kind, (
        f"{summary.flaps} ALARM episode{'s' if summary.flaps > 1 else ''} in {_span(summary)}, "
        f"longest {format_duration(longest)}, {format_duration(summary.time_in_alarm_s)} in ALARM in all"
    )


def _cadence(times: Floats) -> float:
    gaps = np.diff(np.unique(times))
    return float(np.median(gaps)) if gaps.size else 60.0


def compare_traffic(periods: PeriodValues, states: Floats, requests: tuple[Floats, Floats]) -> TrafficComparison | None:
    """Request rate in ALARM periods vs the rest, the request counts summed into the alarm's periods.
    None when either side has no request data."""
    times, counts = requests
    if times.size == 0 or len(periods) == 0:
        return None
    per_period = aggregate_into_periods(times, counts, period_s=periods.period_s, statistic="Sum")
    offset = round((per_period.first - periods.first) / periods.period_s)
    index = np.arange(len(per_period)) + offset
    inside = (index >= 0) & (index < len(periods)) & np.isfinite(per_period.values)
    alarm = np.zeros(len(per_period), dtype=np.bool_)
    alarm[inside] = states[index[inside]] == ALARM
    rate = per_period.values * 60.0 / max(periods.period_s, _cadence(times))
    during, otherwise = rate[inside & alarm], rate[inside & ~alarm]
    if during.size == 0 or otherwise.size == 0:
        return None
    during_median, otherwise_median = float(np.median(during)), float(np.median(otherwise))
    during_per_period = during_median * periods.period_s / 60.0
    if during_median < LOW_TRAFFIC_SHARE * otherwise_median or during_per_period < HANDFUL_OF_REQUESTS:
        verdict = "low-traffic artifact"
    elif during_median >= LOAD_CORRELATED_SHARE * otherwise_median:
        verdict = "load-correlated"
    else:
        verdict = "traffic unchanged"
    return TrafficComparison(
        alarm_periods=int(during.size),
        during_per_min=during_median,
        during_low=float(np.percentile(during, 10)),
        during_high=float(np.percentile(during, 90)),
        otherwise_per_min=otherwise_median,
        verdict=verdict,
    )


def _advice(
    condition: AlarmCondition, verdict: str, traffic: TrafficComparison | None, statistics: StatisticComparison | None
) -> tuple[str, ...]:
    advice: list[str] = []
    if verdict == "low-traffic artifact":
        advice.append(
            "gate the alarm on traffic (metric math: IF(RequestCount > floor, latency)) or evaluate over a longer "
            "period; a percentile alone does not help: over a handful of requests it is the slowest one"
        )
    if verdict == "flapping":
        wider = f"{max(condition.datapoints_to_alarm, 3)} of {max(condition.evaluation_periods, 5)}"
        advice.append(
            f"require more evidence before paging: M of N over a longer window (e.g. {wider}) or a longer period; "
            "`pagetrail alarm tune` searches threshold, period, M of N and statistic against labelled incidents"
        )
    if statistics is not None and statistics.suggestion and verdict != "low-traffic artifact":
        advice.append(statistics.suggestion)
    if traffic is not None and traffic.verdict == "load-correlated" and verdict != "quiet":
        advice.append(
            "the degradation follows load: look at capacity (workers, CPU, scaling) rather than the alarm alone"
        )
    if not advice and verdict == "quiet":
        advice.append("the alarm would not have paged on this history; replay it on a window with a known incident")
    return tuple(advice)


def explain_alarm(
    condition: AlarmCondition,
    periods: PeriodValues,
    *,
    by_statistic: Mapping[str, PeriodValues] | None = None,
    requests: tuple[Floats, Floats] | None = None,
) -> AlarmExplanation:
    """Replay the alarm on `periods` and explain the result. `by_statistic` holds the same history as other
    statistics (from raw samples, or sibling datapoints) to compare; `requests` a request-count series
    (times, counts) to test the low-traffic artifact."""
    states = evaluate_states(condition, periods.values)
    transitions = replay_cloudwatch_alarm(condition, periods)
    end = periods.first + len(periods) * periods.period_s
    summary = summarize_replay(transitions, start=periods.first, end=end)
    verdict, history = _history(condition, periods, summary)
    traffic = compare_traffic(periods, states.astype(np.float64), requests) if requests is not None else None
    if traffic is not None and traffic.verdict == "low-traffic artifact" and summary.episodes:
        verdict = "low-traffic artifact"
    statistics = compare_statistics(condition, by_statistic) if by_statistic else None
    return AlarmExplanation(
        condition=condition.describe(),
        verdict=verdict,
        history=history,
        summary=summary,
        traffic=traffic,
        statistics=statistics,
        advice=_advice(condition, verdict, traffic, statistics),
    )

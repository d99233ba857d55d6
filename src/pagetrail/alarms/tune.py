"""Find the alarm configuration that pages for labelled incidents and for little else.

The search aggregates the data once per (period, statistic), compares those period values with every
candidate threshold in one 2-D array, evaluates each M-of-N over the whole grid (`cloudwatch_grid`) and
scores it against the incident windows (`tune_scoring`); no Python step runs per datapoint.

The proposal is the configuration that, in this order:
0. is not always on (in ALARM for at most half of the time outside the incidents: an alarm stuck in
   ALARM sends one page and no more, which the page counts below cannot see);
1. catches the most incident windows (recall);
2. pages least for nothing: false alarms plus extra flaps (re-pages within a caught incident);
3. pages soonest (median detection delay over the caught windows);
4. changes the current alarm least (fewest of period, statistic, threshold, N, M changed, then the
   smallest relative threshold change).
Because the current configuration is in the space, a current alarm that is already best is proposed
unchanged. Figures shown for the current, proposed and alternative configurations are recomputed
through the ordinary replay (`replay_cloudwatch_alarm`, `summarize_replay`, `score_detections`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pagetrail.alarms.cloudwatch_grid import BreachGrid
from pagetrail.alarms.cloudwatch_replay import replay_cloudwatch_alarm
from pagetrail.alarms.condition import AlarmCondition
from pagetrail.alarms.detection_score import (
    STANDARD_PROFILE,
    DetectionScore,
    NabProfile,
    Window,
    alarm_time,
    detections_of,
    score_detections,
)
from pagetrail.alarms.episodes import summarize_replay
from pagetrail.alarms.periods import PeriodValues, aggregate_into_periods
from pagetrail.alarms.tune_scoring import GridScores, Ints, lay_out_windows, score_state_grid
from pagetrail.alarms.tune_space import SearchSpace, threshold_candidates
from pagetrail.domain.series import Floats

ALTERNATIVES = 5
ALWAYS_ON_SHARE = 0.5
"""An alarm in ALARM for more than this share of the time outside the incidents is always on: it pages
once and then cannot page for the next incident, so it is ranked after every alarm that is not."""
Progress = Callable[[int, int], None]
"""Called with (configurations evaluated so far, total) after each batch."""
PeriodsFor = Callable[[int, str], PeriodValues]
"""The datapoints an alarm with this (period, statistic) would evaluate; the caller decides how its input
becomes datapoints, so the tuner sees exactly what the replay would."""


def periods_from_samples(times: Floats, values: Floats) -> PeriodsFor:
    """Datapoints from raw samples: bucketed by period, reduced by the statistic."""

    def periods_for(period_s: int, statistic: str) -> PeriodValues:
        return aggregate_into_periods(times, values, period_s=period_s, statistic=statistic)

    return periods_for


@dataclass(frozen=True, slots=True)
class ScoredCondition:
    condition: AlarmCondition
    score: DetectionScore


@dataclass(frozen=True, slots=True)
class TuneResult:
    """`alternatives`: the best configuration of each of the next-ranked (period, statistic, N, M) shapes."""

    current: ScoredCondition
    proposed: ScoredCondition
    alternatives: tuple[ScoredCondition, ...]
    configurations: int
    evaluations: int

    @property
    def unchanged(self) -> bool:
        return self.proposed.condition == self.current.condition


@dataclass(frozen=True, slots=True)
class _Group:
    """One (period, statistic): its period values and the thresholds tried on them."""

    statistic: str
    periods: PeriodValues
    thresholds: Floats


def score_condition(
    condition: AlarmCondition,
    periods: PeriodValues,
    windows: Sequence[Window],
    profile: NabProfile = STANDARD_PROFILE,
) -> ScoredCondition:
    """One configuration replayed the ordinary way over its datapoints and scored against the windows."""
    transitions = replay_cloudwatch_alarm(condition, periods)
    # Each evaluation's state holds for one period; the last one until a period after it.
    end = float(periods.starts[-1]) + 2 * periods.period_s if len(periods) else periods.first
    summary = summarize_replay(transitions, start=periods.first, end=end)
    episodes = [(e.start, e.end) for e in summary.episodes]
    total, outside = alarm_time(episodes, windows, period_s=periods.period_s)
    score = score_detections(
        detections_of(transitions), windows, time_in_alarm_s=total, time_in_alarm_outside_s=outside, profile=profile
    )
    return ScoredCondition(condition, score)


def tune_alarm(
    current: AlarmCondition,
    periods_for: PeriodsFor,
    windows: Sequence[Window],
    *,
    space: SearchSpace,
    profile: NabProfile = STANDARD_PROFILE,
    progress: Progress | None = None,
) -> TuneResult:
    """Search `space` around `current` and propose a configuration."""
    groups = _groups(current, periods_for, space)
    pairs = space.datapoints_pairs()
    total = sum(g.thresholds.size for g in groups) * len(pairs)
    batches: list[_Batch] = []
    done = evaluations = 0
    for index, group in enumerate(groups):
        grid = BreachGrid(group.periods.values, group.thresholds, current.comparison)
        evaluated_at = group.periods.starts + group.periods.period_s
        layout = lay_out_windows(evaluated_at, windows, profile)
        quiet_s = float(np.count_nonzero(layout.inside == 0)) * group.periods.period_s
        rows = group.thresholds.size
        for n, m in pairs:
            scores = score_state_grid(grid.states(n, m, current.treat_missing), layout, period_s=group.periods.period_s)
            batches.append(_Batch(index, n, m, group.thresholds, scores, quiet_s))
            done += rows
            evaluations += rows * len(group.periods)
            if progress is not None:
                progress(done, total)
    table = _table(batches)
    order = _ranking(table, groups, current)
    datapoints = {(g.periods.period_s, g.statistic): g.periods for g in groups}
    scored = [
        score_condition(c, datapoints[c.period_s, c.statistic], windows, profile)
        for c in (_condition_at(table, groups, current, i) for i in _shape_leaders(table, order))
    ]
    return TuneResult(
        current=score_condition(current, datapoints[current.period_s, current.statistic], windows, profile),
        proposed=scored[0],
        alternatives=tuple(scored[1:]),
        configurations=total,
        evaluations=evaluations,
    )


def _groups(current: AlarmCondition, periods_for: PeriodsFor, space: SearchSpace) -> list[_Group]:
    groups: list[_Group] = []
    for period_s, statistics in space.statistics:
        for statistic in statistics:
            periods = periods_for(period_s, statistic)
            if len(periods) == 0:
                raise ValueError(f"no datapoints for a {period_s} s {statistic}")
            if space.thresholds is not None:
                thresholds = np.array(space.thresholds, dtype=np.float64)
            else:
                thresholds = threshold_candidates(periods.values, current.comparison, current.threshold)
            groups.append(_Group(statistic, periods, thresholds))
    return groups


@dataclass(frozen=True, slots=True)
class _Batch:
    """The scores of one (period, statistic) group's thresholds for one M of N."""

    group: int
    n: int
    m: int
    thresholds: Floats
    scores: GridScores
    quiet_s: float
    """How long the history runs outside every window (evaluations × period)."""


@dataclass(frozen=True, slots=True)
class _Table:
    """Every configuration tried, one row each, with what the ranking needs."""

    group: Ints
    n: Ints
    m: Ints
    threshold: Floats
    always_on: npt.NDArray[np.bool_]
    detected: Ints
    noise: Ints
    delay: Floats


def _table(batches: list[_Batch]) -> _Table:
    sizes = [b.thresholds.size for b in batches]

    def repeated(values: list[int]) -> Ints:
        return np.repeat(np.array(values, dtype=np.int64), sizes)

    return _Table(
        group=repeated([b.group for b in batches]),
        n=repeated([b.n for b in batches]),
        m=repeated([b.m for b in batches]),
        threshold=np.concatenate([b.thresholds for b in batches]),
        always_on=np.concatenate([b.scores.time_in_alarm_outside_s > ALWAYS_ON_SHARE * b.quiet_s for b in batches]),
        detected=np.concatenate([b.scores.detected_windows for b in batches]),
        noise=np.concatenate([b.scores.false_alarms + b.scores.extra_flaps for b in batches]),
        delay=np.concatenate([b.scores.median_delay_s for b in batches]),
    )


def _ranking(table: _Table, groups: list[_Group], current: AlarmCondition) -> npt.NDArray[np.intp]:
    """Row indices best first, by the rule in the module docstring."""
    period_changed = np.array([g.periods.period_s != current.period_s for g in groups], dtype=np.int64)
    statistic_changed = np.array([g.statistic != current.statistic for g in groups], dtype=np.int64)
    changed = (
        period_changed[table.group]
        + statistic_changed[table.group]
        + (table.n != current.evaluation_periods)
        + (table.m != current.datapoints_to_alarm)
        + (table.threshold != current.threshold)
    )
    distance = np.abs(table.threshold - current.threshold) / max(abs(current.threshold), 1e-12)
    delay = np.nan_to_num(table.delay, nan=np.inf)
    return np.lexsort((distance, changed, delay, table.noise, -table.detected, table.always_on))


def _shape_leaders(table: _Table, order: npt.NDArray[np.intp]) -> list[int]:
    """The best row of each (period, statistic, N, M) shape, in ranking order, enough for the report."""
    shapes = (table.group * 1_000_000 + table.n * 1_000 + table.m)[order]
    _, first = np.unique(shapes, return_index=True)
    return [int(order[i]) for i in np.sort(first)[: ALTERNATIVES + 1]]


def _condition_at(table: _Table, groups: list[_Group], current: AlarmCondition, row: int) -> AlarmCondition:
    group = groups[int(table.group[row])]
    return current.with_changes(
        period_s=group.periods.period_s,
        statistic=group.statistic,
        threshold=float(table.threshold[row]),
        evaluation_periods=int(table.n[row]),
        datapoints_to_alarm=int(table.m[row]),
    )

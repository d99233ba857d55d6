"""Replay a CloudWatch metric alarm over history, evaluation by evaluation, as AWS documents it.

AWS ("Configuring how CloudWatch alarms treat missing data"): at each evaluation CloudWatch retrieves
more datapoints than EvaluationPeriods (N), the *evaluation range*: 5 for N = 3, here N + 2.
- If at least N datapoints in the range exist, the most recent N existing ones are evaluated and
  TreatMissingData is not consulted.
- Otherwise every existing datapoint in the range is used and the rest of the N are filled by
  TreatMissingData: `breaching` / `notBreaching` fill with that verdict; `missing` and `ignore` fill
  with nothing. ALARM when at least DatapointsToAlarm (M) are breaching, else OK — except that with
  nothing filled, OK needs a real non-breaching datapoint; without one `missing` goes to
  INSUFFICIENT_DATA and `ignore` keeps the current state. One documented exception: with `missing`,
  when the oldest datapoint of the range is breaching and none is non-breaching, the alarm goes to ALARM
  (the metric stopped after breaching; AWS table 1, last row).
`tests/test_cloudwatch_tables.py` replays every row of both of AWS's tables.

The evaluation after period p runs when p closes; the whole history is evaluated with array
operations in `cloudwatch_grid` (no Python step per datapoint), so tuning can afford thousands of replays
and one alarm can be replayed over many series in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from pagetrail.alarms.cloudwatch_grid import INSUFFICIENT, STATE_NAMES, BreachGrid, breaching_grid
from pagetrail.alarms.condition import AlarmCondition
from pagetrail.alarms.episodes import Transition
from pagetrail.alarms.periods import PeriodValues
from pagetrail.domain.series import Floats

States = npt.NDArray[np.int8]


def breaching(values: Floats, comparison: str, threshold: float) -> npt.NDArray[np.bool_]:
    """Which datapoints breach; a missing (NaN) one never does."""
    mask: npt.NDArray[np.bool_] = breaching_grid(values, np.array([threshold]), comparison)[0]
    return mask


def evaluate_states(condition: AlarmCondition, values: Floats, *, initial: int = INSUFFICIENT) -> States:
    """The alarm state after each period's evaluation (codes OK/ALARM/INSUFFICIENT)."""
    grid = BreachGrid(values, np.array([condition.threshold]), condition.comparison)
    states: States = grid.states(
        condition.evaluation_periods, condition.datapoints_to_alarm, condition.treat_missing, initial=initial
    )[0]
    return states


def evaluate_states_of_many(
    condition: AlarmCondition,
    histories: Sequence[Floats],
    *,
    thresholds: Sequence[float] | None = None,
    initial: int = INSUFFICIENT,
) -> list[States]:
    """One alarm over many series (per host, per target group, per file) in one pass, each series
    evaluated as if alone; `thresholds` gives each series its own threshold.

    The series are laid end to end with N + 2 missing periods between them, so no evaluation range
    reaches into the previous series, and the alarm restarts in `initial` in each gap."""
    gap = condition.evaluation_periods + 2
    limits = thresholds if thresholds is not None else [condition.threshold] * len(histories)
    lengths = np.array([h.size for h in histories], dtype=np.intp)
    starts = np.concatenate(([0], np.cumsum(lengths + gap)[:-1])).astype(np.intp)
    total = int(lengths.sum()) + gap * len(histories)
    values = np.full(total, np.nan)
    per_slot = np.repeat(np.asarray(limits, dtype=np.float64), lengths + gap)
    for start, history in zip(starts, histories, strict=True):
        values[start : start + history.size] = history
    resets = ((starts + lengths)[:, np.newaxis] + np.arange(gap)).ravel()
    grid = BreachGrid(values, per_slot[np.newaxis, :], condition.comparison)
    states = grid.states(
        condition.evaluation_periods,
        condition.datapoints_to_alarm,
        condition.treat_missing,
        initial=initial,
        resets=resets,
    )[0]
    return [states[start : start + length] for start, length in zip(starts, lengths, strict=True)]


def transitions_of(states: States, evaluated_at: Floats, *, initial: int = INSUFFICIENT) -> list[Transition]:
    """State changes, each stamped with the time of the evaluation that made it."""
    previous = np.concatenate(([initial], states[:-1]))
    changed = np.flatnonzero(states != previous)
    return [
        Transition(float(evaluated_at[i]), STATE_NAMES[int(previous[i])], STATE_NAMES[int(states[i])]) for i in changed
    ]


def replay_cloudwatch_alarm(
    condition: AlarmCondition, periods: PeriodValues, *, initial: str = "INSUFFICIENT_DATA"
) -> list[Transition]:
    """Transitions of the alarm over the history; each evaluation happens as its period closes."""
    start_state = STATE_NAMES.index(initial)
    states = evaluate_states(condition, periods.values, initial=start_state)
    return transitions_of(states, periods.starts + periods.period_s, initial=start_state)

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
operations (no Python loop over datapoints), so tuning can afford thousands of replays.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from pagetrail.alarms.condition import COMPARISONS, AlarmCondition
from pagetrail.alarms.episodes import Transition
from pagetrail.alarms.periods import PeriodValues
from pagetrail.domain.series import Floats

OK, ALARM, INSUFFICIENT = 0, 1, 2
STATE_NAMES = ("OK", "ALARM", "INSUFFICIENT_DATA")
_RETAIN = -1
States = npt.NDArray[np.int8]


def breaching(values: Floats, comparison: str, threshold: float) -> npt.NDArray[np.bool_]:
    """Which datapoints breach; a missing (NaN) one never does."""
    op = COMPARISONS[comparison]
    with np.errstate(invalid="ignore"):
        if op == ">":
            return np.greater(values, threshold)
        if op == ">=":
            return np.greater_equal(values, threshold)
        if op == "<":
            return np.less(values, threshold)
        return np.less_equal(values, threshold)


def _window_sums(flags: npt.NDArray[np.bool_], width: int) -> npt.NDArray[np.int64]:
    """How many flags are set in the `width` slots ending at each index (slots before 0 count as unset)."""
    cum = np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))
    ends = np.arange(1, flags.size + 1)
    return cum[ends] - cum[np.maximum(ends - width, 0)]


def evaluate_states(
    condition: AlarmCondition,
    values: Floats,
    *,
    initial: int = INSUFFICIENT,
    evaluation_range: int | None = None,
) -> States:
    """The alarm state after each period's evaluation (codes OK/ALARM/INSUFFICIENT)."""
    n, m = condition.evaluation_periods, condition.datapoints_to_alarm
    width = evaluation_range or n + 2
    exists = np.isfinite(values)
    breach = breaching(values, condition.comparison, condition.threshold)
    real = _window_sums(exists, width)
    real_breaching = _window_sums(breach, width)

    # With N or more real datapoints in range: breaches among the most recent N real ones.
    seen = np.cumsum(exists, dtype=np.int64)
    breach_along_real = np.concatenate(([0], np.cumsum(breach[exists], dtype=np.int64)))
    last_n = breach_along_real[seen] - breach_along_real[np.maximum(seen - n, 0)]

    fill = np.maximum(n - real, 0)
    treat = condition.treat_missing
    short_count = real_breaching + fill if treat == "breaching" else real_breaching
    enough = real >= n
    count = np.where(enough, last_n, short_count)
    states = np.where(count >= m, ALARM, OK).astype(np.int8)
    if treat in ("missing", "ignore"):
        undecided = ~enough & (count < m) & (real == real_breaching)
        if treat == "missing":
            oldest = np.arange(values.size) - (width - 1)
            oldest_breaching = np.zeros(values.size, dtype=np.bool_)
            valid = oldest >= 0
            oldest_breaching[valid] = breach[oldest[valid]]
            states[undecided] = INSUFFICIENT
            states[undecided & oldest_breaching] = ALARM
        else:
            states[undecided] = _RETAIN
            states = _carry_forward(states, initial)
    return states


def _carry_forward(states: States, initial: int) -> States:
    """Replace 'retain current state' evaluations by the state they retained."""
    decided = states != _RETAIN
    last_decided = np.maximum.accumulate(np.where(decided, np.arange(states.size), -1))
    out = np.where(last_decided >= 0, states[np.maximum(last_decided, 0)], initial)
    return out.astype(np.int8)


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

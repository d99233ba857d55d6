"""The same CloudWatch evaluation written the obvious way: one Python step per datapoint.

It exists as an independent statement of the semantics: tests check the vectorised replay against it
on random histories, and `benchmarks/alarm_replay.py` measures the replay's speed against it.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable

from pagetrail.alarms.condition import COMPARISONS, AlarmCondition

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def evaluate_one(condition: AlarmCondition, window: list[float], current: str) -> str:
    """The state after one evaluation of `window` (oldest first; NaN = missing, len = evaluation range)."""
    breaches = _OPS[COMPARISONS[condition.comparison]]
    n, m = condition.evaluation_periods, condition.datapoints_to_alarm
    real = [v for v in window if not math.isnan(v)]
    if len(real) >= n:
        return "ALARM" if sum(1 for v in real[-n:] if breaches(v, condition.threshold)) >= m else "OK"
    bad = sum(1 for v in real if breaches(v, condition.threshold))
    if condition.treat_missing == "breaching":
        bad += n - len(real)
    if bad >= m:
        return "ALARM"
    if condition.treat_missing in ("breaching", "notBreaching") or bad < len(real):
        return "OK"
    if condition.treat_missing == "ignore":
        return current
    oldest = window[0]
    return "ALARM" if not math.isnan(oldest) and breaches(oldest, condition.threshold) else "INSUFFICIENT_DATA"


def replay_states_loop(
    condition: AlarmCondition, values: list[float], *, initial: str = "INSUFFICIENT_DATA"
) -> list[str]:
    """The state after each period, evaluating a sliding window datapoint by datapoint."""
    width = condition.evaluation_periods + 2
    window = [math.nan] * width
    state = initial
    states: list[str] = []
    for value in values:
        window.pop(0)
        window.append(value)
        state = evaluate_one(condition, window, state)
        states.append(state)
    return states

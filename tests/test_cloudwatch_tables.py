"""Every row of AWS's two documented missing-data evaluation tables, replayed by both implementations.

Source: CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data" (evaluation range
of 5 datapoints for EvaluationPeriods 3; 0 = not breaching, X = breaching, - = missing, oldest first).
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from pagetrail.alarms.cloudwatch_grid import STATE_NAMES
from pagetrail.alarms.cloudwatch_reference import evaluate_one, replay_states_loop
from pagetrail.alarms.cloudwatch_replay import evaluate_states, evaluate_states_of_many
from pagetrail.alarms.condition import AlarmCondition

RETAIN = "retain"
COLUMNS = ("missing", "ignore", "breaching", "notBreaching")
# (datapoints, MISSING, IGNORE, BREACHING, NOT BREACHING)
THREE_OF_THREE = [
    ("0 - X - X", "OK", "OK", "OK", "OK"),
    ("0 - - - -", "OK", "OK", "OK", "OK"),
    ("- - - - -", "INSUFFICIENT_DATA", RETAIN, "ALARM", "OK"),
    ("0 X X - X", "ALARM", "ALARM", "ALARM", "ALARM"),
    ("- - - - X", "INSUFFICIENT_DATA", RETAIN, "ALARM", "OK"),
    ("X - - - -", "ALARM", RETAIN, "ALARM", "OK"),
]
TWO_OF_THREE = [
    ("0 - X - X", "ALARM", "ALARM", "ALARM", "ALARM"),
    ("0 0 X 0 X", "ALARM", "ALARM", "ALARM", "ALARM"),
    ("0 - X - -", "OK", "OK", "ALARM", "OK"),
    ("- - - - 0", "OK", "OK", "ALARM", "OK"),
    ("- - - - X", "INSUFFICIENT_DATA", RETAIN, "ALARM", "OK"),
]
CASES = [
    (m, row[0], treat, expected)
    for m, table in ((3, THREE_OF_THREE), (2, TWO_OF_THREE))
    for row in table
    for treat, expected in zip(COLUMNS, row[1:], strict=True)
]


def _values(points: str) -> list[float]:
    return [{"0": 1.0, "X": 9.0, "-": math.nan}[p] for p in points.split()]


def _condition(m: int, treat: str) -> AlarmCondition:
    return AlarmCondition(300, "Average", "GreaterThanThreshold", 5.0, 3, m, treat)


@pytest.mark.parametrize(("m", "points", "treat", "expected"), CASES)
@pytest.mark.parametrize("current", ["OK", "ALARM", "INSUFFICIENT_DATA"])
def test_vectorised_replay_matches_aws_table_row(m: int, points: str, treat: str, expected: str, current: str) -> None:
    states = evaluate_states(_condition(m, treat), np.array(_values(points)), initial=STATE_NAMES.index(current))
    assert STATE_NAMES[int(states[-1])] == (current if expected == RETAIN else expected)


@pytest.mark.parametrize(("m", "points", "treat", "expected"), CASES)
def test_reference_loop_matches_aws_table_row(m: int, points: str, treat: str, expected: str) -> None:
    assert evaluate_one(_condition(m, treat), _values(points), "OK") == ("OK" if expected == RETAIN else expected)


@pytest.mark.parametrize("treat", COLUMNS)
@pytest.mark.parametrize(("n", "m"), [(1, 1), (2, 1), (3, 2), (3, 3), (5, 3)])
def test_vectorised_replay_equals_the_loop_on_random_histories(treat: str, n: int, m: int) -> None:
    rng = random.Random(f"{treat}{n}{m}")
    condition = AlarmCondition(60, "Average", "GreaterThanOrEqualToThreshold", 0.5, n, m, treat)
    for _ in range(40):
        values = [math.nan if rng.random() < 0.3 else rng.random() for _ in range(rng.randint(1, 60))]
        vector = [STATE_NAMES[int(s)] for s in evaluate_states(condition, np.array(values))]
        assert vector == replay_states_loop(condition, values)


@pytest.mark.parametrize("treat", COLUMNS)
def test_one_alarm_over_many_series_equals_each_series_alone(treat: str) -> None:
    rng = random.Random(treat)
    condition = AlarmCondition(60, "Average", "GreaterThanThreshold", 0.5, 3, 2, treat)
    histories = [
        np.array([math.nan if rng.random() < 0.4 else rng.random() for _ in range(rng.randint(0, 40))])
        for _ in range(30)
    ]
    thresholds = [rng.uniform(0.2, 0.8) for _ in histories]
    together = evaluate_states_of_many(condition, histories, thresholds=thresholds)
    for history, threshold, states in zip(histories, thresholds, together, strict=True):
        alone = replay_states_loop(condition.with_changes(threshold=threshold), history.tolist())
        assert [STATE_NAMES[int(s)] for s in states] == alone


def test_complete_histories_take_the_same_decisions_as_the_loop() -> None:
    rng = random.Random(7)
    for n, m in ((1, 1), (3, 2), (5, 5)):
        for treat in COLUMNS:
            condition = AlarmCondition(60, "Maximum", "LessThanOrEqualToThreshold", 0.5, n, m, treat)
            values = [rng.random() for _ in range(50)]
            vector = [STATE_NAMES[int(s)] for s in evaluate_states(condition, np.array(values))]
            assert vector == replay_states_loop(condition, values)

"""Evaluate the replay's PromQL at every rule evaluation at once, as Prometheus 2.x does one at a time.

Each result series is a row of values over the evaluation times with a mask of where it exists, so a
day of 1-minute evaluations over a thousand series is a few numpy calls per series. Times are integer
milliseconds, as in Prometheus, so range and lookback boundaries are decided exactly. Boundaries follow
Prometheus 2.x (the Debian package the tests cross-check against): an instant selector takes the newest
sample in [t − 5m, t] and a range selector the samples in [t − range, t]; Prometheus 3 leaves the left
end open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pagetrail.alarms.prom_range import extrapolated_rate, window_reduce
from pagetrail.alarms.prom_subset import UnsupportedExpressionError, range_argument, scalar_operands
from pagetrail.alarms.promql_ast import COMPARISONS, Aggregation, Binary, Call, Expr, Selector, Unary
from pagetrail.alarms.promql_lexer import column
from pagetrail.domain.prometheus_rules import Labels
from pagetrail.domain.series import Floats, Series

Millis = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
LOOKBACK_MS = 5 * 60 * 1000
METRIC_NAME = "__name__"


class EvaluationError(ValueError):
    """Prometheus would fail this evaluation too (for example two results with the same labels)."""


@dataclass(frozen=True, slots=True)
class StoredSeries:
    """A series ready for evaluation: labels including __name__, times in integer milliseconds."""

    labels: dict[str, str]
    times_ms: Millis
    values: Floats


@dataclass(slots=True)
class ResultSeries:
    """One series of an expression's result over all evaluation times; `present[k]` says whether it
    exists at evaluation k (a filtered-out or stale element does not)."""

    labels: Labels
    values: Floats
    present: Mask


def store_series(series: Sequence[Series]) -> list[StoredSeries]:
    """Prepare series once for any number of evaluations."""
    stored = []
    for item in series:
        if len(item) == 0:
            continue
        labels = dict(item.labels)
        labels[METRIC_NAME] = item.name
        stored.append(StoredSeries(labels, np.rint(item.times * 1000.0).astype(np.int64), item.values))
    return stored


def evaluate(expr: Expr, series: Sequence[StoredSeries], eval_ms: Millis) -> list[ResultSeries]:
    """The value at each evaluation time, one row per result label set, of an expression that
    parse_alert_expression accepted (which names what the replay cannot evaluate)."""
    if isinstance(expr, Selector) and expr.range_s is None:
        return [_instant(s, eval_ms) for s in series if _selects(expr, s.labels)]
    if isinstance(expr, Call) and (argument := range_argument(expr)) is not None:
        selector, range_s = argument
        return _unique(
            _range_function(expr.function, range_s, s, eval_ms) for s in series if _selects(selector, s.labels)
        )
    if isinstance(expr, Aggregation):
        return _aggregate(expr, evaluate(expr.expr, series, eval_ms))
    if isinstance(expr, Unary):
        rows = evaluate(expr.expr, series, eval_ms)
        return rows if expr.op == "+" else _unique(_arithmetic("*", -1.0, False, row) for row in rows)
    if isinstance(expr, Binary) and (operands := scalar_operands(expr)) is not None:
        vector, number, number_first = operands
        rows = evaluate(vector, series, eval_ms)
        if expr.op in COMPARISONS:
            return [_compare(expr.op, number, number_first, row) for row in rows]
        return _unique(_arithmetic(expr.op, number, number_first, row) for row in rows)
    raise UnsupportedExpressionError(
        f"the replay cannot evaluate the expression at {column(expr.offset)}: check it with parse_alert_expression"
    )


def _selects(selector: Selector, labels: dict[str, str]) -> bool:
    if selector.name is not None and labels.get(METRIC_NAME) != selector.name:
        return False
    return all(m.matches(labels.get(m.label, "")) for m in selector.matchers)


def _sorted_labels(labels: dict[str, str], *, drop_name: bool) -> Labels:
    return tuple(sorted((k, v) for k, v in labels.items() if v != "" and not (drop_name and k == METRIC_NAME)))


def _instant(series: StoredSeries, eval_ms: Millis) -> ResultSeries:
    index = np.searchsorted(series.times_ms, eval_ms, side="right") - 1
    safe = np.maximum(index, 0)
    present = (index >= 0) & (series.times_ms[safe] >= eval_ms - LOOKBACK_MS)
    return ResultSeries(_sorted_labels(series.labels, drop_name=False), series.values[safe], present)


def _range_function(function: str, range_s: float, series: StoredSeries, eval_ms: Millis) -> ResultSeries:
    range_ms = round(range_s * 1000)
    lo = np.searchsorted(series.times_ms, eval_ms - range_ms, side="left")
    hi = np.searchsorted(series.times_ms, eval_ms, side="right")
    if function in ("rate", "increase"):
        values, present = extrapolated_rate(
            series.times_ms, series.values, lo, hi, eval_ms, range_ms, per_second=function == "rate"
        )
    else:
        values, present = window_reduce(function, series.values, lo, hi)
    return ResultSeries(_sorted_labels(series.labels, drop_name=True), values, present)


def _arithmetic(op: str, number: float, number_first: bool, row: ResultSeries) -> ResultSeries:
    """`vector op number` (or `number op vector`): values change, the metric name goes."""
    left, right = (number, row.values) if number_first else (row.values, number)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if op == "+":
            values = np.add(left, right)
        elif op == "-":
            values = np.subtract(left, right)
        elif op == "*":
            values = np.multiply(left, right)
        else:
            values = np.divide(left, right)
    labels = tuple((k, v) for k, v in row.labels if k != METRIC_NAME)
    return ResultSeries(labels, values.astype(np.float64), row.present)


def _compare(op: str, number: float, number_first: bool, row: ResultSeries) -> ResultSeries:
    """`vector op number` as a filter (no `bool`): elements for which it holds stay, with their values."""
    left, right = (number, row.values) if number_first else (row.values, number)
    with np.errstate(invalid="ignore"):
        if op == ">":
            holds = np.greater(left, right)
        elif op == "<":
            holds = np.less(left, right)
        elif op == ">=":
            holds = np.greater_equal(left, right)
        elif op == "<=":
            holds = np.less_equal(left, right)
        elif op == "==":
            holds = np.equal(left, right)
        else:
            holds = np.not_equal(left, right)
    return ResultSeries(row.labels, row.values, row.present & holds)


def _unique(rows: Iterable[ResultSeries]) -> list[ResultSeries]:
    """Rows whose metric name was dropped must still differ, or Prometheus fails the evaluation."""
    result: list[ResultSeries] = []
    seen: dict[Labels, ResultSeries] = {}
    for row in rows:
        other = seen.get(row.labels)
        if other is not None and np.any(other.present & row.present):
            raise EvaluationError(
                f"two series have the labels {{{_label_text(row.labels)}}} once the metric name is dropped "
                "(Prometheus: vector cannot contain metrics with the same labelset)"
            )
        if other is not None:
            other.values = np.where(row.present, row.values, other.values)
            other.present = other.present | row.present
            continue
        seen[row.labels] = row
        result.append(row)
    return result


def _label_text(labels: Labels) -> str:
    return ", ".join(f'{k}="{v}"' for k, v in labels)


def _aggregate(expr: Aggregation, rows: list[ResultSeries]) -> list[ResultSeries]:
    groups: dict[Labels, list[ResultSeries]] = {}
    wanted = set(expr.grouping or ())
    for row in rows:
        if expr.without:
            key = tuple((k, v) for k, v in row.labels if k not in wanted and k != METRIC_NAME)
        else:
            key = tuple((k, v) for k, v in row.labels if k in wanted)
        groups.setdefault(key, []).append(row)
    result = []
    for key, members in groups.items():
        values = np.vstack([m.values for m in members])
        present = np.vstack([m.present for m in members])
        count = present.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            if expr.op == "count":
                out = count.astype(np.float64)
            elif expr.op in ("sum", "avg"):
                total = np.where(present, values, 0.0).sum(axis=0)
                out = total / count if expr.op == "avg" else total
            else:
                masked = np.where(present, values, np.nan)
                out = np.fmax.reduce(masked, axis=0) if expr.op == "max" else np.fmin.reduce(masked, axis=0)
        result.append(ResultSeries(key, np.asarray(out, dtype=np.float64), count > 0))
    return result

"""Which PromQL the rule replay evaluates, decided on the shared syntax tree before any work is done.

Everything an alert on one signal needs: selectors, rate/increase/*_over_time of a range,
sum/avg/min/max/count by (...), and a vector compared with (or scaled by) a number:
`sum by (pod) (rate(errors_total[5m])) > 1`, `max_over_time(queue_depth[10m]) >= 40`, `up == 0`.
Anything wider is valid PromQL the replay refuses with a one-line message naming the part and its
column (`histogram_quantile()`, `a / b` between two vectors, `offset`, ...), so a replay never silently
means something else than Prometheus would. A few things Prometheus itself rejects at load time, which
the lint parser leaves to promtool, are refused here as PromqlSyntaxError.
"""

from __future__ import annotations

import json
import re
from typing import NoReturn

from pagetrail.alarms.promql_ast import (
    COMPARISONS,
    Aggregation,
    Binary,
    Call,
    Expr,
    Selector,
    StringLiteral,
    Subquery,
    Unary,
    constant_value,
)
from pagetrail.alarms.promql_lexer import PromqlSyntaxError, column
from pagetrail.alarms.promql_parse import parse_promql
from pagetrail.domain.prometheus_rules import format_duration

_FUNCTIONS = frozenset(
    {"rate", "increase", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time"}
)
_AGGREGATIONS = frozenset({"sum", "avg", "min", "max", "count"})
_ARITHMETIC = frozenset({"+", "-", "*", "/"})
_SUPPORTED = (
    "supported: a selector, rate/increase/{avg,min,max,sum,count}_over_time of a range, "
    "sum/avg/min/max/count by (...), compared with or scaled by a number"
)


class UnsupportedExpressionError(ValueError):
    """Valid PromQL the replay does not evaluate; the message names the part."""


def parse_alert_expression(text: str) -> Expr:
    """The expression's tree if the replay can evaluate it, else PromqlSyntaxError or
    UnsupportedExpressionError naming what it cannot."""
    expr = parse_promql(text)
    if constant_value(expr) is not None:
        raise UnsupportedExpressionError(f"`{text.strip()}` is a number, not a vector: an alert needs series")
    _check_vector(expr)
    return expr


def range_argument(call: Call) -> tuple[Selector, float] | None:
    """The range selector a replayed range function reads (`rate(x[5m])`) and its range in seconds; None if
    the function has other arguments."""
    if len(call.args) != 1:
        return None
    argument = call.args[0]
    if not isinstance(argument, Selector) or argument.range_s is None:
        return None
    return argument, argument.range_s


def scalar_operands(binary: Binary) -> tuple[Expr, float, bool] | None:
    """`vector op number` as (vector, number, number_first); None unless exactly one side is a number."""
    lhs, rhs = constant_value(binary.lhs), constant_value(binary.rhs)
    if lhs is not None and rhs is None:
        return binary.rhs, lhs, True
    if rhs is not None and lhs is None:
        return binary.lhs, rhs, False
    return None


def _check_vector(expr: Expr) -> None:
    """Refuse `expr`, which stands where the replay needs series, unless it can evaluate it."""
    if constant_value(expr) is not None:
        raise UnsupportedExpressionError(f"a number ({column(expr.offset)}) where the replay needs series")
    if isinstance(expr, Selector):
        if expr.range_s is not None:
            raise UnsupportedExpressionError(
                f"the range `{_selector_text(expr)}` ({column(expr.offset)}) can only be used inside rate(), "
                "increase() or *_over_time() in the replay"
            )
        _check_selector(expr)
    elif isinstance(expr, Call):
        _check_call(expr)
    elif isinstance(expr, Aggregation):
        _check_aggregation(expr)
    elif isinstance(expr, Unary):
        _check_vector(expr.expr)
    elif isinstance(expr, Binary):
        _check_binary(expr)
    elif isinstance(expr, Subquery):
        _refuse_subquery(expr)
    elif isinstance(expr, StringLiteral):
        raise UnsupportedExpressionError(f"a string literal ({column(expr.offset)}) is not an alert condition")


def _check_operand(expr: Expr) -> None:
    """A side of a binary operator: a number (itself made of replayable arithmetic) or series."""
    if constant_value(expr) is None:
        _check_vector(expr)
    elif isinstance(expr, Unary):
        _check_operand(expr.expr)
    elif isinstance(expr, Binary):
        _check_binary(expr)


def _check_binary(binary: Binary) -> None:
    """Checked in the order it is written (left side, operator, right side), so the refusal names the
    first part a reader meets."""
    op, where = binary.op, column(binary.offset)
    _check_operand(binary.lhs)
    if op not in COMPARISONS and op not in _ARITHMETIC:
        raise UnsupportedExpressionError(f"the `{op}` operator ({where}) is not supported by the replay ({_SUPPORTED})")
    if (modifier := _modifier(binary)) is not None:
        raise UnsupportedExpressionError(
            f"`{op} {modifier}` ({where}) is not supported by the replay: "
            "alerts compare without `bool` and with one vector side"
        )
    _check_operand(binary.rhs)
    lhs, rhs = constant_value(binary.lhs), constant_value(binary.rhs)
    if lhs is not None and rhs is not None and op in COMPARISONS:
        raise PromqlSyntaxError(f"comparisons between numbers need `bool` ({where})", binary.offset)
    if lhs is None and rhs is None:
        raise UnsupportedExpressionError(
            f"`{op}` between two vectors ({where}) is not supported by the replay; "
            "record one side with a recording rule and alert on the recorded series"
        )


def _modifier(binary: Binary) -> str | None:
    if binary.returns_bool:
        return "bool"
    if binary.matching is not None:
        return "on" if binary.matching.on else "ignoring"
    return None


def _check_call(call: Call) -> None:
    where = column(call.offset)
    if call.function not in _FUNCTIONS:
        raise UnsupportedExpressionError(
            f"the function {call.function}() ({where}) is not supported by the replay ({_SUPPORTED})"
        )
    for arg in call.args:
        if isinstance(arg, Subquery):
            _refuse_subquery(arg)
    argument = range_argument(call)
    if argument is None:
        raise UnsupportedExpressionError(
            f"{call.function}() ({where}) takes a range selector like `metric{{...}}[5m]` in the replay"
        )
    _check_selector(argument[0])


def _check_aggregation(aggregation: Aggregation) -> None:
    where = column(aggregation.offset)
    if aggregation.op not in _AGGREGATIONS:
        raise UnsupportedExpressionError(
            f"the {aggregation.op}() aggregation ({where}) is not supported by the replay ({_SUPPORTED})"
        )
    if aggregation.param is not None:
        raise UnsupportedExpressionError(
            f"{aggregation.op}() with a parameter ({where}) is not supported by the replay"
        )
    _check_vector(aggregation.expr)


def _check_selector(selector: Selector) -> None:
    """Refuse time modifiers, and what Prometheus refuses to load: a metric name set twice, a regular
    expression that does not compile, a selector that would match every series."""
    where = column(selector.offset)
    if selector.modifiers:
        modifier = selector.modifiers[0]
        raise UnsupportedExpressionError(
            f"`{modifier.keyword}` ({column(modifier.offset)}) is not supported by the replay"
        )
    if selector.name is not None and any(m.label == "__name__" for m in selector.matchers):
        raise PromqlSyntaxError(f"the metric name is set twice in the selector at {where}", selector.offset)
    for matcher in selector.matchers:
        if matcher.op in ("=~", "!~"):
            try:
                re.compile(matcher.value)
            except re.error as exc:
                message = f"bad regular expression {matcher.value!r} in the selector at {where}: {exc}"
                raise PromqlSyntaxError(message, selector.offset) from exc
    if selector.name is None and all(m.matches("") for m in selector.matchers):
        raise PromqlSyntaxError(
            f"the selector at {where} needs at least one matcher that is not empty", selector.offset
        )


def _refuse_subquery(subquery: Subquery) -> NoReturn:
    step = format_duration(subquery.step_s) if subquery.step_s is not None else ""
    raise UnsupportedExpressionError(
        f"the subquery `[{format_duration(subquery.range_s)}:{step}]` ({column(subquery.offset)}) "
        "is not supported by the replay"
    )


def _selector_text(selector: Selector) -> str:
    """The selector as PromQL, for messages."""
    matchers = ", ".join(f"{m.label}{m.op}{json.dumps(m.value)}" for m in selector.matchers)
    braces = f"{{{matchers}}}" if matchers else ""
    window = f"[{format_duration(selector.range_s)}]" if selector.range_s is not None else ""
    return f"{selector.name or ''}{braces}{window}"

"""What an alert expression selects, over which windows, which labels its result keeps, and what it compares.

The lint checks ask questions of the syntax tree rather than of the text: "is this counter under a
rate()?", "does the page's result still carry `service` after the sum?", "what is the shortest window?".
This module answers them once per rule, following Prometheus's evaluation rules for labels
(promql/engine.go: aggregations keep only their `by` labels or drop their `without` labels; a one-to-one
binary operation keeps the left side's labels, narrowed to `on(...)` or without `ignoring(...)`;
`group_left/right(...)` takes the "many" side's labels plus the included ones).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pagetrail.alarms.promql_ast import (
    COMPARISONS,
    Aggregation,
    Binary,
    Call,
    Expr,
    Matcher,
    NumberLiteral,
    Selector,
    StringLiteral,
    Subquery,
    Unary,
    children,
    constant_value,
    metric_name,
)

RATE_FUNCTIONS = frozenset({"rate", "irate", "increase", "resets", "changes"})
"""What turns a counter's ever-growing total into something a threshold can mean."""
COUNTING_FUNCTIONS = frozenset({"absent", "absent_over_time", "present_over_time", "count_over_time", "timestamp"})
"""Functions that look at whether or when samples exist, not at a counter's value."""
COUNTING_AGGREGATIONS = frozenset({"count", "group"})
TWO_SAMPLE_FUNCTIONS = frozenset({"irate", "idelta"})
"""They use only the last two samples in the window, however long the window is."""
WINDOW_FUNCTIONS = frozenset(
    {"rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear", "resets", "changes"}
    | {"avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "last_over_time"}
    | {"quantile_over_time", "stddev_over_time", "stdvar_over_time", "mad_over_time"}
)
_SCALAR_FUNCTIONS = frozenset({"time", "scalar", "pi"})
_UNLABELLED_FUNCTIONS = _SCALAR_FUNCTIONS | {"vector"}


@dataclass(frozen=True, slots=True)
class OutputLabels:
    """The labels an expression's result series carry.

    `passthrough`: the source series' labels flow through (no aggregation removed them), except `dropped`;
    otherwise only `kept` survive (an aggregation's `by`, an `on(...)`, an equality matcher under absent())."""

    passthrough: bool
    kept: frozenset[str]
    dropped: frozenset[str]

    def carries(self, label: str) -> bool:
        return label in self.kept or (self.passthrough and label not in self.dropped)


NO_LABELS = OutputLabels(False, frozenset(), frozenset())


@dataclass(frozen=True, slots=True)
class SelectorUse:
    """A selector and the functions and aggregations around it, innermost first."""

    selector: Selector
    name: str | None
    enclosing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Window:
    function: str
    seconds: float
    metric: str | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """`vector op threshold`, normalised so the vector is on the left (`0.05 < x` becomes `x > 0.05`)."""

    op: str
    threshold: float | None
    vector: Expr

    @property
    def direction(self) -> str:
        return {">": "above", ">=": "above", "<": "below", "<=": "below"}.get(self.op, self.op)


_FLIPPED = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "==": "==", "!=": "!="}


def is_scalar(expr: Expr) -> bool:
    """True when the expression yields a scalar, not a vector of labelled series."""
    if isinstance(expr, NumberLiteral | StringLiteral):
        return True
    if isinstance(expr, Call):
        return expr.function in _SCALAR_FUNCTIONS
    if isinstance(expr, Unary):
        return is_scalar(expr.expr)
    if isinstance(expr, Binary):
        return is_scalar(expr.lhs) and is_scalar(expr.rhs)
    return False


def selector_uses(expr: Expr, enclosing: tuple[str, ...] = ()) -> Iterator[SelectorUse]:
    """Every selector in the expression with what wraps it (function names; aggregations as `sum()`)."""
    if isinstance(expr, Selector):
        yield SelectorUse(expr, metric_name(expr), enclosing)
        return
    wrapper: tuple[str, ...] = ()
    if isinstance(expr, Call):
        wrapper = (expr.function,)
    elif isinstance(expr, Aggregation):
        wrapper = (f"{expr.op}()",)
    for child in children(expr):
        yield from selector_uses(child, wrapper + enclosing)


def windows(expr: Expr) -> Iterator[Window]:
    """The range windows the expression averages or rates over, with the function applied to each."""
    if isinstance(expr, Call) and expr.function in WINDOW_FUNCTIONS:
        for arg in expr.args:
            if isinstance(arg, Selector) and arg.range_s is not None:
                yield Window(expr.function, arg.range_s, metric_name(arg))
            elif isinstance(arg, Subquery):
                names = [u.name for u in selector_uses(arg.expr)]
                yield Window(expr.function, arg.range_s, names[0] if names else None)
    for child in children(expr):
        yield from windows(child)


def comparisons(expr: Expr) -> Iterator[Comparison]:
    """Each comparison of a vector against a constant threshold, or of two vectors (threshold None)."""
    if isinstance(expr, Binary) and expr.op in COMPARISONS:
        rhs_value, lhs_value = constant_value(expr.rhs), constant_value(expr.lhs)
        if rhs_value is not None and lhs_value is None:
            yield Comparison(expr.op, rhs_value, expr.lhs)
        elif lhs_value is not None and rhs_value is None:
            yield Comparison(_FLIPPED[expr.op], lhs_value, expr.rhs)
        elif lhs_value is None:
            yield Comparison(expr.op, None, expr)
    for child in children(expr):
        yield from comparisons(child)


def _equality_labels(matchers: tuple[Matcher, ...]) -> frozenset[str]:
    return frozenset(m.label for m in matchers if m.op == "=" and m.label != "__name__" and m.value)


def _first_vector_argument(args: tuple[Expr, ...]) -> Expr | None:
    return next((a for a in args if not isinstance(a, NumberLiteral | StringLiteral)), None)


def output_labels(expr: Expr) -> OutputLabels:
    """Which labels the expression's result keeps; see OutputLabels."""
    if isinstance(expr, Selector):
        return OutputLabels(True, _equality_labels(expr.matchers), frozenset())
    if isinstance(expr, Subquery | Unary):
        return output_labels(expr.expr)
    if isinstance(expr, Call):
        return _call_labels(expr)
    if isinstance(expr, Aggregation):
        return _aggregation_labels(expr)
    if isinstance(expr, Binary):
        return _binary_labels(expr)
    return NO_LABELS


def _call_labels(call: Call) -> OutputLabels:
    if call.function in _UNLABELLED_FUNCTIONS or not call.args:
        return NO_LABELS  # time(), vector(1), hour() with no argument: no series labels at all
    if call.function in ("absent", "absent_over_time"):
        selectors = [u.selector for u in selector_uses(call)]
        return OutputLabels(False, _equality_labels(selectors[0].matchers) if selectors else frozenset(), frozenset())
    argument = _first_vector_argument(call.args)
    inner = output_labels(argument) if argument is not None else NO_LABELS
    if call.function in ("label_replace", "label_join") and len(call.args) > 1:
        target = call.args[1]
        if isinstance(target, StringLiteral):
            return OutputLabels(inner.passthrough, inner.kept | {target.value}, inner.dropped - {target.value})
    if call.function == "histogram_quantile":
        return OutputLabels(inner.passthrough, inner.kept - {"le"}, inner.dropped | {"le"})
    return inner


def _aggregation_labels(aggregation: Aggregation) -> OutputLabels:
    inner = output_labels(aggregation.expr)
    if aggregation.op in ("topk", "bottomk", "limitk", "limit_ratio"):
        return inner  # these select series, labels and all
    extra: frozenset[str] = frozenset()
    if aggregation.op == "count_values" and isinstance(aggregation.param, StringLiteral):
        extra = frozenset({aggregation.param.value})
    if aggregation.grouping is None:
        return OutputLabels(False, extra, frozenset())
    grouping = frozenset(aggregation.grouping)
    if aggregation.without:
        return OutputLabels(inner.passthrough, (inner.kept - grouping) | extra, inner.dropped | grouping)
    return OutputLabels(False, grouping | extra, frozenset())


def _binary_labels(binary: Binary) -> OutputLabels:
    lhs_scalar, rhs_scalar = is_scalar(binary.lhs), is_scalar(binary.rhs)
    if lhs_scalar and rhs_scalar:
        return NO_LABELS
    if rhs_scalar:
        return output_labels(binary.lhs)
    if lhs_scalar:
        return output_labels(binary.rhs)
    lhs, rhs = output_labels(binary.lhs), output_labels(binary.rhs)
    if binary.op == "or":
        return OutputLabels(lhs.passthrough and rhs.passthrough, lhs.kept & rhs.kept, lhs.dropped | rhs.dropped)
    matching = binary.matching
    if binary.op in ("and", "unless") or matching is None:
        return lhs
    include = frozenset(matching.include)
    if matching.group is not None:
        many = lhs if matching.group == "left" else rhs
        return OutputLabels(many.passthrough, many.kept | include, many.dropped - include)
    labels = frozenset(matching.labels)
    if matching.on:
        return OutputLabels(False, labels, frozenset())
    return OutputLabels(lhs.passthrough, lhs.kept - labels, lhs.dropped | labels)

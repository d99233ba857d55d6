"""The syntax tree of a PromQL expression, shared by the alert-rule linter and the rule replay.

The tree keeps what either reader needs: matchers and range windows, functions, aggregations with their
grouping, binary operators with `bool` and vector matching, subqueries and the `offset`/`@` modifiers.
Every node carries its `offset` in the expression text, so a finding or a refusal can point at it. The
linter asks questions of the whole tree; the replay evaluates the part of it that alerts on one signal
need and refuses the rest by name (prom_subset.py).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

AGGREGATIONS = frozenset(
    {"sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "quantile"}
    | {"count_values", "limitk", "limit_ratio"}
)
COMPARISONS = frozenset({"==", "!=", ">", "<", ">=", "<="})


@dataclass(frozen=True, slots=True)
class Matcher:
    """`label op "value"`, op one of = != =~ !~, with the value decoded."""

    label: str
    op: str
    value: str

    def matches(self, value: str) -> bool:
        """Whether a series whose label has `value` is selected; a missing label has the value "" (so
        `team=""` selects series without one). Regular expressions are anchored at both ends, as in
        Prometheus, and run by Python's `re` (the `re` cache keeps them compiled)."""
        if self.op == "=":
            return value == self.value
        if self.op == "!=":
            return value != self.value
        found = re.fullmatch(self.value, value) is not None
        return found if self.op == "=~" else not found


@dataclass(frozen=True, slots=True)
class NumberLiteral:
    value: float
    offset: int


@dataclass(frozen=True, slots=True)
class StringLiteral:
    value: str
    offset: int


@dataclass(frozen=True, slots=True)
class TimeModifier:
    """`offset 5m` or `@ <time>` after a selector or subquery. It moves the evaluation time, which no lint
    check reads; it is kept so the replay can refuse it rather than evaluate something else."""

    keyword: str  # "offset" or "@"
    offset: int


@dataclass(frozen=True, slots=True)
class Selector:
    """`name{matchers}`, with `range_s` set when it is a range vector (`[5m]`)."""

    name: str | None
    matchers: tuple[Matcher, ...]
    range_s: float | None
    offset: int
    modifiers: tuple[TimeModifier, ...] = ()


@dataclass(frozen=True, slots=True)
class Subquery:
    """`expr[range:step]`; `offset` is that of the `[`."""

    expr: Expr
    range_s: float
    step_s: float | None
    offset: int
    modifiers: tuple[TimeModifier, ...] = ()


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Expr, ...]
    offset: int


@dataclass(frozen=True, slots=True)
class Aggregation:
    """`op by (...) (expr)`; `grouping` is None without `by`/`without`, so every label is aggregated away.
    `op` is lower case, as Prometheus reads aggregation keywords in any case."""

    op: str
    expr: Expr
    param: Expr | None
    grouping: tuple[str, ...] | None
    without: bool
    offset: int


@dataclass(frozen=True, slots=True)
class VectorMatching:
    """`on(labels)` (or `ignoring(labels)` when `on` is false), then `group_left/right(include)`."""

    on: bool
    labels: tuple[str, ...]
    group: str | None  # "left" or "right"
    include: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Binary:
    """`lhs op rhs`; `offset` is that of the operator."""

    op: str
    lhs: Expr
    rhs: Expr
    returns_bool: bool
    matching: VectorMatching | None
    offset: int


@dataclass(frozen=True, slots=True)
class Unary:
    """`-expr` or `+expr` on something that is not a number literal (those are folded into the literal)."""

    op: str
    expr: Expr
    offset: int


Expr = NumberLiteral | StringLiteral | Selector | Subquery | Call | Aggregation | Binary | Unary


def children(expr: Expr) -> tuple[Expr, ...]:
    """The expressions directly inside `expr`, left to right."""
    if isinstance(expr, Subquery | Unary):
        return (expr.expr,)
    if isinstance(expr, Call):
        return expr.args
    if isinstance(expr, Aggregation):
        return (expr.expr,) if expr.param is None else (expr.param, expr.expr)
    if isinstance(expr, Binary):
        return (expr.lhs, expr.rhs)
    return ()


def metric_name(selector: Selector) -> str | None:
    """The selector's metric name, whether written `name{}` or `{__name__="name"}`."""
    if selector.name is not None:
        return selector.name
    return next((m.value for m in selector.matchers if m.label == "__name__" and m.op == "="), None)


def constant_value(expr: Expr) -> float | None:
    """The number an expression of number literals evaluates to (`14.4 * 0.001`), with Prometheus's float
    arithmetic (`1 / 0` is +Inf), or None if it reads series or uses another operator."""
    if isinstance(expr, NumberLiteral):
        return expr.value
    if isinstance(expr, Unary):
        inner = constant_value(expr.expr)
        return None if inner is None else (-inner if expr.op == "-" else inner)
    if not isinstance(expr, Binary) or expr.op not in ("+", "-", "*", "/", "^"):
        return None
    lhs, rhs = constant_value(expr.lhs), constant_value(expr.rhs)
    if lhs is None or rhs is None:
        return None
    if expr.op == "+":
        return lhs + rhs
    if expr.op == "-":
        return lhs - rhs
    if expr.op == "*":
        return lhs * rhs
    if expr.op == "^":
        return _power(lhs, rhs)
    if rhs == 0:
        return math.nan if lhs == 0 or math.isnan(lhs) else math.copysign(math.inf, lhs)
    return lhs / rhs


def _power(base: float, exponent: float) -> float:
    """Go's math.Pow, which the Prometheus engine uses: overflow is ±Inf and a negative base with a
    fractional exponent is NaN, where Python raises or turns complex."""
    try:
        result = base**exponent
    except OverflowError:
        return math.copysign(math.inf, base) if exponent % 2 == 1 else math.inf
    except ZeroDivisionError:
        return math.inf
    return result if isinstance(result, float) else math.nan

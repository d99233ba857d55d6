"""Replay a Prometheus alerting rule over recorded series: when each alert instance went pending, fired
and resolved, as Prometheus's rule manager would have decided it.

The state machine is rules/alerting.go's, per label set of the expression's result:
- an element appearing starts a *pending* alert at that evaluation (`activeAt`); it fires at the first
  evaluation where eval time − activeAt ≥ `for` (at once when `for` is 0);
- a pending alert whose element disappears is dropped (pending → inactive), whatever keep_firing_for says;
- a firing alert whose element disappears keeps firing while eval time − (first evaluation without it)
  < keep_firing_for, and resolves at the first evaluation where that no longer holds; if the element
  comes back meanwhile it simply goes on firing (no new pending phase).
Evaluations run every group interval at multiples of the interval since the epoch (as promtool's unit
tests do; a live server adds a per-group offset of less than one interval).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pagetrail.alarms.episodes import Transition
from pagetrail.alarms.prom_eval import (
    METRIC_NAME,
    EvaluationError,
    Mask,
    Millis,
    StoredSeries,
    evaluate,
    store_series,
)
from pagetrail.alarms.prom_subset import UnsupportedExpressionError, parse_alert_expression
from pagetrail.alarms.promql_lexer import PromqlSyntaxError
from pagetrail.domain.prometheus_rules import AlertRule, Labels, RuleGroup
from pagetrail.domain.series import Series

DEFAULT_INTERVAL_S = 60.0
"""Prometheus's default global evaluation_interval, for groups that do not set their own."""

INACTIVE, PENDING, FIRING = "inactive", "pending", "firing"
_KINDS = ((INACTIVE, FIRING), (INACTIVE, PENDING), (PENDING, FIRING), (PENDING, INACTIVE), (FIRING, INACTIVE))
_TO_FIRING, _TO_PENDING, _PENDING_TO_FIRING, _PENDING_TO_INACTIVE, _RESOLVED = range(5)


class RuleReplayError(ValueError):
    """The rule cannot be replayed; the message is one line naming the rule and the reason."""


@dataclass(frozen=True, slots=True)
class AlertInstance:
    """One label set of the rule's result: alertname, the result's labels, then the rule's labels."""

    labels: Labels
    transitions: tuple[Transition, ...]

    def state_at(self, at: float) -> str:
        """The state decided by the last evaluation at or before `at`."""
        state = INACTIVE
        for transition in self.transitions:
            if transition.at > at:
                break
            state = transition.to_state
        return state


@dataclass(frozen=True, slots=True)
class PrometheusRuleReplay:
    rule: AlertRule
    interval_s: float
    first_evaluation: float
    last_evaluation: float
    evaluations: int
    instances: tuple[AlertInstance, ...]


def evaluation_times(start: float, end: float, interval_s: float) -> Millis:
    """Every multiple of the interval in [start, end], in milliseconds."""
    step = round(interval_s * 1000)
    if step <= 0:
        raise RuleReplayError(f"interval: expected a positive duration, got {interval_s}s")
    first = math.ceil(round(start * 1000) / step) * step
    return np.arange(first, round(end * 1000) + 1, step, dtype=np.int64)


def replay_prometheus_rule(
    rule: AlertRule,
    series: Sequence[Series] | Sequence[StoredSeries],
    *,
    interval_s: float = DEFAULT_INTERVAL_S,
    start: float | None = None,
    end: float | None = None,
    group_labels: Labels = (),
    query_offset_s: float = 0.0,
) -> PrometheusRuleReplay:
    """Replay `rule` from `start` to `end` (default: the span of the series' samples). With a query offset
    each evaluation at t sees the data as of t − offset (the group's `query_offset`)."""
    stored = _stored(series)
    if start is None or end is None:
        if not stored:
            raise RuleReplayError(f"alert {rule.name}: no samples to replay over")
        start = min(float(s.times_ms[0]) for s in stored) / 1000.0 if start is None else start
        end = max(float(s.times_ms[-1]) for s in stored) / 1000.0 if end is None else end
    try:
        expr = parse_alert_expression(rule.expr)
    except (UnsupportedExpressionError, PromqlSyntaxError) as exc:
        raise RuleReplayError(f"alert {rule.name}: expr: {exc}") from exc
    eval_ms = evaluation_times(start, end, interval_s)
    try:
        rows = evaluate(expr, stored, eval_ms - round(query_offset_s * 1000)) if eval_ms.size else []
    except EvaluationError as exc:
        raise RuleReplayError(f"alert {rule.name}: expr: {exc}") from exc
    extra = dict(group_labels) | dict(rule.labels)
    instances: dict[Labels, AlertInstance] = {}
    for row in rows:
        if not row.present.any():
            continue
        labels = dict(row.labels) | extra
        labels.pop(METRIC_NAME, None)
        key = (("alertname", rule.name), *sorted((k, v) for k, v in labels.items() if v and k != "alertname"))
        if key in instances:
            raise RuleReplayError(
                f"alert {rule.name}: two results have the same labels once the rule's labels are applied "
                "(Prometheus fails this evaluation too)"
            )
        transitions = alert_transitions(
            eval_ms, row.present, for_s=rule.for_s, keep_firing_for_s=rule.keep_firing_for_s
        )
        instances[key] = AlertInstance(key, tuple(transitions))
    return PrometheusRuleReplay(
        rule=rule,
        interval_s=interval_s,
        first_evaluation=float(eval_ms[0]) / 1000.0 if eval_ms.size else start,
        last_evaluation=float(eval_ms[-1]) / 1000.0 if eval_ms.size else end,
        evaluations=int(eval_ms.size),
        instances=tuple(instances[key] for key in sorted(instances)),
    )


def _stored(series: Sequence[Series] | Sequence[StoredSeries]) -> list[StoredSeries]:
    if all(isinstance(s, StoredSeries) for s in series):
        return [s for s in series if isinstance(s, StoredSeries)]
    return store_series([s for s in series if isinstance(s, Series)])


def alert_transitions(eval_ms: Millis, active: Mask, *, for_s: float, keep_firing_for_s: float) -> list[Transition]:
    """The transitions of one alert instance whose condition holds at the evaluations marked `active`.

    Runs of active evaluations are found with numpy; whether a run inherits a firing state from the run
    before it (a gap shorter than keep_firing_for) is a recurrence solved per chain of bridged runs."""
    padded = np.concatenate(([False], active, [False])).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1  # inclusive
    if starts.size == 0:
        return []
    count = eval_ms.size
    for_ms, keep_ms = round(for_s * 1000), round(keep_firing_for_s * 1000)
    fire_at = np.searchsorted(eval_ms, eval_ms[starts] + for_ms, side="left")
    fires_own = fire_at <= ends
    after = ends + 1  # the first evaluation without the element (== count when the replay ends first)
    next_starts = np.concatenate((starts[1:], [count]))
    has_next = np.arange(starts.size) < starts.size - 1
    safe_after = np.minimum(after, count - 1)
    bridged: Mask = has_next & (eval_ms[np.maximum(next_starts - 1, 0)] - eval_ms[safe_after] < keep_ms)
    # firing at the end of run i = fires_own[i] or (firing at the end of run i-1 and the gap bridged).
    chain = np.concatenate(([0], np.cumsum(~bridged[:-1])))
    own_so_far = np.cumsum(fires_own)
    chain_base = np.concatenate(([0], own_so_far))[np.searchsorted(chain, chain, side="left")]
    firing_at_end: Mask = np.greater(own_so_far - chain_base, 0)
    continued: Mask = np.concatenate((np.zeros(1, dtype=np.bool_), firing_at_end[:-1] & bridged[:-1]))
    fresh = ~continued
    at_once = fresh & fires_own & (fire_at == starts)
    has_after = after < count
    resolve_at = np.searchsorted(eval_ms, eval_ms[safe_after] + keep_ms, side="left")
    events = (
        (starts[at_once], _TO_FIRING),
        (starts[fresh & ~at_once], _TO_PENDING),
        (fire_at[fresh & ~at_once & fires_own], _PENDING_TO_FIRING),
        (after[has_after & ~firing_at_end], _PENDING_TO_INACTIVE),
        (resolve_at[has_after & firing_at_end & ~bridged & (resolve_at < count)], _RESOLVED),
    )
    indices = np.concatenate([where for where, _ in events])
    kinds = np.concatenate([np.full(where.size, kind, dtype=np.int8) for where, kind in events])
    order = np.argsort(indices, kind="stable")
    seconds = (eval_ms[indices[order]] / 1000.0).tolist()
    return [Transition(at, *_KINDS[kind]) for at, kind in zip(seconds, kinds[order].tolist(), strict=True)]


def replay_rule_group(
    group: RuleGroup,
    series: Sequence[Series],
    *,
    default_interval_s: float = DEFAULT_INTERVAL_S,
    start: float | None = None,
    end: float | None = None,
) -> list[PrometheusRuleReplay]:
    """Replay every alerting rule of a group at the group's interval, with its labels and query offset
    (recording rules are not replayed: give the replay the recorded series instead; `limit` is not applied)."""
    stored = store_series(series)
    interval = group.interval_s or default_interval_s
    return [
        replay_prometheus_rule(
            rule,
            stored,
            interval_s=interval,
            start=start,
            end=end,
            group_labels=group.labels,
            query_offset_s=group.query_offset_s,
        )
        for rule in group.alerts
    ]

"""The Prometheus side of `pagetrail alarm replay`: an alerting rule from a rule file, replayed over the
raw samples of an OpenMetrics file, summarised like a CloudWatch alarm (firing counts as ALARM; flaps
are entries into firing).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pagetrail.alarms.alert_timeline import merged_transitions
from pagetrail.alarms.episodes import summarize_replay
from pagetrail.alarms.prom_eval import evaluate, store_series
from pagetrail.alarms.prom_subset import UnsupportedExpressionError, parse_alert_expression, scalar_operands
from pagetrail.alarms.prometheus_rule import (
    DEFAULT_INTERVAL_S,
    PrometheusRuleReplay,
    RuleReplayError,
    replay_prometheus_rule,
)
from pagetrail.alarms.promql_ast import COMPARISONS, Binary
from pagetrail.alarms.promql_lexer import PromqlSyntaxError
from pagetrail.cli import console
from pagetrail.domain.clock import format_duration
from pagetrail.domain.prometheus_rules import AlertRule, BadDurationError, RuleGroup, parse_duration
from pagetrail.domain.series import Series
from pagetrail.evidence.alarm_data import read_openmetrics_series
from pagetrail.evidence.alarm_inputs import AlarmInputError
from pagetrail.evidence.rule_files import RuleFileError, read_rule_file
from pagetrail.reports.alarm_replay_view import ChartSeries, ReplayView


@dataclass(frozen=True, slots=True)
class RuleReplayResult:
    view: ReplayView
    replay: PrometheusRuleReplay
    series: list[Series]


def interval_seconds(text: str) -> float:
    """A Prometheus duration like 1m, 30s or 1m30s, as seconds."""
    try:
        seconds = parse_duration(text)
    except BadDurationError as exc:
        raise AlarmInputError(f"--eval-interval: {exc}") from None
    if seconds <= 0:
        raise AlarmInputError(f"--eval-interval: expected a positive duration, got {text!r}")
    return seconds


def find_alert(rules_file: Path, alert: str | None) -> tuple[AlertRule, RuleGroup]:
    """The alerting rule named `alert` (or the file's only one) and its group."""
    try:
        groups = read_rule_file(rules_file)
    except FileNotFoundError:
        raise AlarmInputError(f"{rules_file}: no such file") from None
    except RuleFileError as exc:
        raise AlarmInputError(str(exc)) from None
    found = [(rule, group) for group in groups for rule in group.alerts]
    names = [rule.name for rule, _ in found]
    if alert is None:
        if len(found) == 1:
            return found[0]
        raise AlarmInputError(
            f"{rules_file}: --rule: the file has {len(found)} alerting rules, name one ({', '.join(names[:8])})"
        )
    matches = [(rule, group) for rule, group in found if rule.name == alert]
    if not matches:
        raise AlarmInputError(
            f"{rules_file}: --rule: no alerting rule named {alert!r} (alerts: {', '.join(names[:8]) or 'none'})"
        )
    return matches[0]


def replay_rule_file(
    *,
    rules_file: Path,
    alert: str | None,
    data_file: Path,
    eval_interval: str | None,
    start: float | None,
    end: float | None,
) -> RuleReplayResult:
    """Read the rule and the samples, replay, and describe the result; AlarmInputError on bad input."""
    rule, group = find_alert(rules_file, alert)
    interval = interval_seconds(eval_interval) if eval_interval else group.interval_s or DEFAULT_INTERVAL_S
    if data_file.suffix.lower() not in (".om", ".prom", ".txt"):
        raise AlarmInputError(
            f"{data_file}: --data: a rule replays over OpenMetrics samples (.om), got {data_file.suffix or 'no extension'}"
        )
    with console.status(f"reading {data_file}"):
        series = read_openmetrics_series(data_file)
    try:
        replay = replay_prometheus_rule(
            rule, series, interval_s=interval, start=start, end=end, group_labels=group.labels
        )
    except RuleReplayError as exc:
        raise AlarmInputError(f"{rules_file}: {exc}") from None
    transitions = merged_transitions([i.transitions for i in replay.instances])
    summary = summarize_replay(transitions, start=replay.first_evaluation, end=replay.last_evaluation + interval)
    notes: tuple[str, ...] = ()
    if len(replay.instances) > 1:
        notes = (
            f"{len(replay.instances)} alert instances (label sets): the rule counts as firing while any of them fires",
        )
    wait = f" for {format_duration(rule.for_s)}" if rule.for_s else ""
    view = ReplayView(
        engine="prometheus",
        name=rule.name,
        condition=f"fires when `{rule.expr}` returns series{wait} (group {group.name}, evaluated every {format_duration(interval)})",
        alarm={
            "rule_file": str(rules_file),
            "group": group.name,
            "expr": rule.expr,
            "for_s": rule.for_s,
            "keep_firing_for_s": rule.keep_firing_for_s,
            "eval_interval_s": interval,
            "instances": [
                {"labels": dict(i.labels), "flaps": sum(1 for t in i.transitions if t.to_state == "firing")}
                for i in replay.instances
            ],
        },
        data_label=f"{len(series)} series",
        data_source=str(data_file),
        evaluations=replay.evaluations,
        step_s=interval,
        summary=summary,
        notes=notes,
    )
    return RuleReplayResult(view, replay, series)


def rule_chart_series(result: RuleReplayResult) -> tuple[ChartSeries, float | None]:
    """What to draw for a rule: the value compared against the threshold (for `expr > number`), of the
    result series that crossed most often; else the expression's own value."""
    try:
        expr = parse_alert_expression(result.replay.rule.expr)
    except (UnsupportedExpressionError, PromqlSyntaxError) as exc:
        raise AlarmInputError(f"{result.replay.rule.name}: expr: {exc}") from None
    measured, threshold = expr, None
    if isinstance(expr, Binary) and expr.op in COMPARISONS and (operands := scalar_operands(expr)) is not None:
        measured, threshold, _ = operands
    interval = result.replay.interval_s
    eval_ms = np.arange(
        round(result.replay.first_evaluation * 1000),
        round(result.replay.last_evaluation * 1000) + 1,
        round(interval * 1000),
    )
    rows = evaluate(measured, store_series(result.series), eval_ms)
    full = evaluate(expr, store_series(result.series), eval_ms)
    best = max(range(len(rows)), key=lambda k: int(full[k].present.sum()) if k < len(full) else 0, default=None)
    times = eval_ms / 1000.0
    if best is None:
        return ChartSeries(times, np.full(times.size, np.nan), interval, "no result"), threshold
    row = rows[best]
    values = np.where(row.present, row.values, np.nan)
    label = ",".join(f"{k}={v}" for k, v in row.labels if k != "__name__") or "value"
    return ChartSeries(times, values, interval, label), threshold

"""Prometheus rules for an SLO: error ratios recorded over seven windows, and the SRE workbook's
multiwindow, multi-burn-rate alerts on them (chapter 5, "Alerting on SLOs", table 5-8).

A burn rate is the error ratio divided by the error budget (1 − objective): at burn rate 1 the budget
lasts exactly the SLO window. An alert condition "the long window burned `fraction` of the budget" is

    burn factor = fraction × SLO window / long window

so for a 30-day window 2% in 1h is 14.4, 5% in 6h is 6, 10% in 1d is 3 and 10% in 3d is 1. A 28-day
window gives 13.44, 5.6, 2.8 and 0.933: the same share of the budget, whatever the window. Each alert also
requires a short window (1/12 of the long one) above the same factor, so it resets within minutes of the
errors stopping instead of firing on for hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pagetrail.domain.prometheus_rules import AlertRule, Labels, RecordingRule, RuleGroup, format_duration
from pagetrail.domain.slo import WINDOW_PLACEHOLDER, EventsSli, SloSpec

HOUR = 3600.0
DAY = 86400.0
RATIO_WINDOWS_S = (300.0, 1800.0, HOUR, 2 * HOUR, 6 * HOUR, DAY, 3 * DAY)
RULE_INTERVAL_S = 60.0
"""Group interval: alert precision of a minute, and seven ratios (up to 3d ranges) each minute is cheap enough."""
PAGE_FOR_S = 120.0
TICKET_FOR_S = 900.0
WORKBOOK_WINDOW_S = 30 * DAY


@dataclass(frozen=True, slots=True)
class BurnWindow:
    """Alert when both windows burn faster than `budget_fraction` of the budget in `long_s` would."""

    long_s: float
    short_s: float
    budget_fraction: float

    def factor(self, slo_window_s: float) -> float:
        return self.budget_fraction * slo_window_s / self.long_s


PAGE_WINDOWS = (BurnWindow(HOUR, 300.0, 0.02), BurnWindow(6 * HOUR, 1800.0, 0.05))
TICKET_WINDOWS = (BurnWindow(DAY, 2 * HOUR, 0.10), BurnWindow(3 * DAY, 6 * HOUR, 0.10))


def ratio_record_name(window_s: float) -> str:
    """`slo:sli_error:ratio_rate5m`, `..._rate1h`, `..._rate3d`."""
    return f"slo:sli_error:ratio_rate{format_duration(window_s)}"


def error_ratio_expression(spec: SloSpec, window_s: float) -> str:
    """PromQL for the share of bad events over `window_s`: what the recording rules record and what
    `slo budget --prometheus` asks for."""
    window = format_duration(window_s)
    sli = spec.sli
    if isinstance(sli, EventsSli):
        total = sli.total.replace(WINDOW_PLACEHOLDER, window)
        if sli.errors is not None:
            return f"({sli.errors.replace(WINDOW_PLACEHOLDER, window)})\n/\n({total})"
        assert sli.good is not None
        return f"1 - (\n  ({sli.good.replace(WINDOW_PLACEHOLDER, window)})\n  /\n  ({total})\n)"
    matchers = f"{sli.matchers}, " if sli.matchers else ""
    good = f'sum(rate({sli.histogram}_bucket{{{matchers}le="{_escape(sli.le)}"}}[{window}]))'
    total = f"sum(rate({sli.histogram}_count{{{sli.matchers}}}[{window}]))"
    return f"1 - (\n  {good}\n  /\n  {total}\n)"


def slo_rule_group(spec: SloSpec) -> RuleGroup:
    """Recording rules for every ratio window, then the page and the ticket alert, in one group so the
    alerts always see this evaluation's ratios."""
    records = tuple(
        RecordingRule(ratio_record_name(w), error_ratio_expression(spec, w), spec.identity) for w in RATIO_WINDOWS_S
    )
    return RuleGroup(
        name=f"slo-{spec.service}-{spec.name}",
        rules=(*records, _alert(spec, "page"), _alert(spec, "ticket")),
        interval_s=RULE_INTERVAL_S,
    )


def burn_alert_expression(spec: SloSpec, windows: tuple[BurnWindow, ...]) -> str:
    budget = _number(spec.error_budget)
    selector = "{" + ", ".join(f'{k}="{_escape(v)}"' for k, v in spec.identity) + "}"
    clauses = []
    for window in windows:
        threshold = f"({_number(window.factor(spec.window_s))} * {budget})"
        clauses.append(
            f"(\n  {ratio_record_name(window.long_s)}{selector} > {threshold}\n"
            f"  and\n  {ratio_record_name(window.short_s)}{selector} > {threshold}\n)"
        )
    return "\nor\n".join(clauses)


def alert_name(spec: SloSpec, severity: str) -> str:
    """`FraudScorerAvailabilityBudgetBurnFast` (page) / `...BudgetBurnSlow` (ticket)."""
    words = re.split(r"[^a-zA-Z0-9]+", f"{spec.service} {spec.name}")
    base = "".join(word[:1].upper() + word[1:] for word in words if word)
    return f"{base}BudgetBurn{'Fast' if severity == 'page' else 'Slow'}"


def _alert(spec: SloSpec, severity: str) -> AlertRule:
    windows = PAGE_WINDOWS if severity == "page" else TICKET_WINDOWS
    window = format_duration(spec.window_s)
    pairs = " or ".join(
        f"{w.budget_fraction:.0%} of it in {format_duration(w.long_s)} "
        f"({format_duration(w.long_s)} and {format_duration(w.short_s)} error ratios > "
        f"{_number(w.factor(spec.window_s))}× the budget)"
        for w in windows
    )
    scope = ", ".join(f"{k}={v}" for k, v in spec.identity if k in ("model", "pool"))
    summary = (
        f"{spec.service} {spec.name} SLO ({spec.objective_percent:g}% over {window}{f', {scope}' if scope else ''}): "
        f"error budget burning {'fast' if severity == 'page' else 'slowly'}"
    )
    description = (
        f"The {_percent(spec.error_budget)} error budget of {window} is being spent at a pace that uses {pairs}. "
        "`pagetrail slo budget` with this SLO's spec shows the burn rates and what is left."
    )
    labels: Labels = (("severity", severity), *spec.identity, *spec.labels)
    annotations = {"summary": summary, "description": description} | dict(spec.annotations)
    return AlertRule(
        name=alert_name(spec, severity),
        expr=burn_alert_expression(spec, windows),
        for_s=PAGE_FOR_S if severity == "page" else TICKET_FOR_S,
        labels=labels,
        annotations=tuple(annotations.items()),
    )


def _number(value: float) -> str:
    """Short where the value is (14.4, 0.001), ten digits where it is not (0.9333333333)."""
    return f"{value:.10g}"


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.6g}%"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')

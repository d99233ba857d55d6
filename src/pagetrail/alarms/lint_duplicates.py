"""PT301: several pages on one signal — one root cause wakes the on-call engineer more than once.

Seed 000's bad alert "duplicates many pages for one root cause". Two alerts share a signal when their
comparisons select the same metrics with the same matchers over the same windows and compare in the same
direction (for `==`/`!=`, at the same value): `error ratio > 5%` and `error ratio > 10%` both fire during
any outage over 10%. Different windows are different signals on purpose (multi-window burn-rate pages), and
a page paired with a warning or ticket on the same signal is the recommended shape, so only pages pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from pagetrail.alarms.lint_alert import AnalysedAlert, finding
from pagetrail.alarms.lint_catalog import DUPLICATE_ALERTS
from pagetrail.alarms.lint_expr import Comparison, selector_uses
from pagetrail.alarms.lint_model import Finding, LintRule
from pagetrail.domain.prometheus_rules import format_duration

SelectorKey = tuple[str | None, tuple[tuple[str, str, str], ...], float | None]
ComparisonKey = tuple[frozenset[SelectorKey], str, float | None]


def _selectors(alert: AnalysedAlert, comparison: Comparison | None) -> frozenset[SelectorKey]:
    uses = selector_uses(comparison.vector) if comparison is not None else iter(alert.uses)
    return frozenset(
        (
            u.name,
            tuple(sorted((m.label, m.op, m.value) for m in u.selector.matchers if m.label != "__name__")),
            u.selector.range_s,
        )
        for u in uses
    )


def signal_key(alert: AnalysedAlert) -> frozenset[ComparisonKey]:
    """What the alert compares, without thresholds that only move where on the same scale it fires."""
    if not alert.comparisons:
        selected = _selectors(alert, None)
        return frozenset({(selected, "fires", None)}) if selected else frozenset()
    keys: set[ComparisonKey] = set()
    for comparison in alert.comparisons:
        selected = _selectors(alert, comparison)
        if selected:
            value = comparison.threshold if comparison.direction in ("==", "!=") else None
            keys.add((selected, comparison.direction, value))
    return frozenset(keys)


def _describe(alert: AnalysedAlert) -> str:
    windows = sorted({w.seconds for w in alert.windows})
    over = f" over {', '.join(format_duration(w) for w in windows)}" if windows else ""
    thresholds = ", ".join(f"{c.op} {c.threshold:g}" for c in alert.comparisons if c.threshold is not None)
    return f"{', '.join(alert.metrics)}{over}" + (f" {thresholds}" if thresholds else "")


def duplicate_findings(alerts: list[AnalysedAlert]) -> Iterator[tuple[LintRule, Finding]]:
    """For each group of pages on one signal, a finding on every page after the first (in file order)."""
    groups: dict[frozenset[ComparisonKey], list[AnalysedAlert]] = defaultdict(list)
    for alert in alerts:
        key = signal_key(alert)
        if alert.pages and key:
            groups[key].append(alert)
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda a: (a.rule.file, a.rule.position.line))
        first = members[0]
        for alert in members[1:]:
            where = f"{first.rule.file}:{first.rule.position.line}"
            message = (
                f"page {alert.name!r} ({_describe(alert)}) fires on the same signal as page {first.name!r} "
                f"({_describe(first)}, {where}): one root cause pages twice; keep one page and make the other "
                f"severity warning or ticket, or inhibit it in Alertmanager while the first fires"
            )
            yield alert.rule, finding(alert.rule, alert.rule.position, DUPLICATE_ALERTS, message)

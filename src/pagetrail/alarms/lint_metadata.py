"""Checks on what an alert tells the person it wakes: scope, severity, runbook, dashboard, summary, `for`.

Seed 000's good alert "includes scope and likely owner" and "links to a runbook and dashboard"; its bad
alert "lacks service/model/pool labels". These checks read the rule's labels and annotations, and for
scope also the labels the expression's result keeps: `sum(...)` without `by` aggregates them away, so a
`service` matcher inside the sum never reaches the page.
"""

from __future__ import annotations

from collections.abc import Iterator

from pagetrail.alarms.lint_alert import AnalysedAlert, finding
from pagetrail.alarms.lint_catalog import (
    BAD_SEVERITY,
    MISSING_DASHBOARD,
    MISSING_RUNBOOK,
    MISSING_SCOPE,
    MISSING_SUMMARY,
    PAGE_WITHOUT_FOR,
)
from pagetrail.alarms.lint_model import Finding, LintConfig

RUNBOOK_KEYS = ("runbook_url", "runbook")
DASHBOARD_KEYS = ("dashboard_url", "dashboard")
SUMMARY_KEYS = ("summary", "description")


def _carries(alert: AnalysedAlert, labels: tuple[str, ...]) -> bool:
    """True when a rule label sets one of `labels`, or the expr's result keeps one. Labels the source series
    pass through count as kept, unless the expr explicitly drops one of the group (`without (model)`)."""
    if any(alert.rule.labels.get(label, "").strip() for label in labels):
        return True
    output = alert.output
    if any(label in output.kept for label in labels):
        return True
    return output.passthrough and not set(labels) & output.dropped


def _lost_labels_hint(alert: AnalysedAlert, labels: list[str]) -> str:
    output = alert.output
    if output.passthrough:
        dropped = sorted(set(labels) & output.dropped)
        return f"its expr drops {', '.join(dropped)} with `without (...)`"
    if output.kept:
        return f"its expr keeps only `by ({', '.join(sorted(output.kept))})`"
    return "its expr aggregates every label away (an aggregation without `by`)"


def check_scope_labels(alert: AnalysedAlert, config: LintConfig) -> Iterator[Finding]:
    """PT101: a page must say which service and which model or pool is hurting."""
    if not alert.pages:
        return
    missing: list[str] = []
    if not _carries(alert, config.service_labels):
        missing.append("/".join(config.service_labels))
    if not _carries(alert, config.model_labels):
        missing.append("/".join(config.model_labels))
    if not missing:
        return
    names = [label for group in missing for label in group.split("/")]
    message = (
        f"page {alert.name!r} has no {' and no '.join(missing)} label: {_lost_labels_hint(alert, names)}; "
        f"add them to the aggregation's `by (...)` or set them under labels so the page names what is broken "
        f"and who owns it"
    )
    yield finding(alert.rule, alert.rule.field_position("labels"), MISSING_SCOPE, message)


def _first_value(annotations: dict[str, str], keys: tuple[str, ...]) -> tuple[str, str] | None:
    return next(((k, annotations[k].strip()) for k in keys if annotations.get(k, "").strip()), None)


def check_annotations(alert: AnalysedAlert, _config: LintConfig) -> Iterator[Finding]:
    """PT102, PT103, PT104: the runbook, the dashboard and a summary the page shows."""
    rule = alert.rule
    annotations = dict(rule.annotations)
    where = rule.field_position("annotations")
    for code, keys, what in (
        (MISSING_RUNBOOK, RUNBOOK_KEYS, "runbook"),
        (MISSING_DASHBOARD, DASHBOARD_KEYS, "dashboard"),
    ):
        found = _first_value(annotations, keys)
        if found is None:
            yield finding(
                rule,
                where,
                code,
                f"{alert.name!r} has no {what} link: add annotation {keys[0]} so the engineer it pages "
                f"starts from the {what}, not from a search",
            )
        elif "/" not in found[1] and "{{" not in found[1]:
            yield finding(
                rule,
                rule.field_position(f"annotations.{found[0]}"),
                code,
                f"{alert.name!r} annotation {found[0]} is {found[1]!r}, not a link: point it at the {what}",
            )
    if _first_value(annotations, SUMMARY_KEYS) is None:
        yield finding(
            rule,
            where,
            MISSING_SUMMARY,
            f"{alert.name!r} has no summary or description annotation: the notification then shows only the "
            f"alert name; say what users see, e.g. summary: 'p99 latency of {{{{ $labels.model }}}} above 2s'",
        )


def check_severity(alert: AnalysedAlert, config: LintConfig) -> Iterator[Finding]:
    """PT105: routing, paging and the other checks all hang on the severity label."""
    expected = ", ".join(sorted(config.severities))
    if not alert.severity:
        yield finding(
            alert.rule,
            alert.rule.field_position("labels", "alert"),
            BAD_SEVERITY,
            f"{alert.name!r} has no severity label: Alertmanager cannot route it as a page or a ticket; "
            f"set labels.severity to one of {expected}",
        )
    elif alert.severity not in config.severities:
        yield finding(
            alert.rule,
            alert.rule.field_position("labels.severity"),
            BAD_SEVERITY,
            f"{alert.name!r} severity {alert.rule.labels['severity']!r} is not one of {expected} "
            f"(set the accepted values with --severity)",
        )


def check_page_has_for(alert: AnalysedAlert, _config: LintConfig) -> Iterator[Finding]:
    """PT202: without `for`, one evaluation over the threshold wakes someone."""
    if not alert.pages or alert.for_s > 0:
        return
    stated = "for: " + (alert.rule.for_text or "") if alert.rule.for_text else "no `for`"
    yield finding(
        alert.rule,
        alert.rule.field_position("for", "alert"),
        PAGE_WITHOUT_FOR,
        f"page {alert.name!r} has {stated}: a single evaluation above the threshold (one scrape blip, one "
        f"restart) pages; add for: 5m or longer, or use a multi-window burn rate",
    )

"""Read `cloudwatch/**.json`: what `aws cloudwatch describe-alarms`, `describe-alarm-history
--history-item-type StateUpdate` and `get-metric-data` print, recognised by their top-level key.

Timestamps come as the CLI prints them (`...Z` from CLI v1, `+00:00` from v2, or a local offset);
all are read as RFC 3339. A malformed entry is skipped with its index and the reason.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from pagetrail.domain.alarms import Alarm, AlarmTransition, CloudWatch
from pagetrail.domain.clock import BadTimestampError, parse_rfc3339
from pagetrail.domain.evidence import Skipped
from pagetrail.domain.series import Series

COMPARISONS = frozenset(
    {"GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"}
)


class BadEntryError(ValueError):
    """A CloudWatch entry missing a field or holding the wrong type."""


def _time(value: Any, field: str) -> float:
    if not isinstance(value, str):
        raise BadEntryError(f"{field}: expected an RFC 3339 timestamp, got {value!r}")
    try:
        return parse_rfc3339(value.replace(" ", "T", 1) if "T" not in value else value)
    except BadTimestampError as exc:
        raise BadEntryError(f"{field}: {exc}") from exc


def _alarm(raw: dict[str, Any], source: str) -> Alarm:
    name = raw.get("AlarmName")
    if not isinstance(name, str) or not name:
        raise BadEntryError("AlarmName: expected a string")
    comparison = str(raw.get("ComparisonOperator", ""))
    if comparison not in COMPARISONS:
        raise BadEntryError(f"ComparisonOperator: expected one of {', '.join(sorted(COMPARISONS))}, got {comparison!r}")
    try:
        threshold = float(raw["Threshold"])
        period = int(raw.get("Period") or 60)
        evaluation = int(raw.get("EvaluationPeriods") or 1)
        datapoints = int(raw.get("DatapointsToAlarm") or evaluation)
    except (KeyError, TypeError, ValueError) as exc:
        raise BadEntryError(f"Threshold/Period/EvaluationPeriods: expected numbers ({exc})") from exc
    dimensions = tuple(
        (str(d.get("Name", "")), str(d.get("Value", ""))) for d in raw.get("Dimensions") or [] if isinstance(d, dict)
    )
    changed = raw.get("StateUpdatedTimestamp")
    return Alarm(
        name=name,
        namespace=str(raw.get("Namespace", "")),
        metric=str(raw.get("MetricName", "")),
        dimensions=dimensions,
        statistic=str(raw.get("Statistic", "")),
        extended_statistic=str(raw.get("ExtendedStatistic", "")),
        period_s=period,
        evaluation_periods=evaluation,
        datapoints_to_alarm=datapoints,
        threshold=threshold,
        comparison=comparison,
        treat_missing=str(raw.get("TreatMissingData") or "missing"),
        state=str(raw.get("StateValue", "")),
        state_changed=_time(changed, "StateUpdatedTimestamp") if changed else None,
        source=source,
    )


def _transition(raw: dict[str, Any], source: str) -> AlarmTransition | None:
    if raw.get("HistoryItemType") not in (None, "StateUpdate"):
        return None
    data = raw.get("HistoryData")
    try:
        history = json.loads(data) if isinstance(data, str) else (data or {})
    except json.JSONDecodeError as exc:
        raise BadEntryError(f"HistoryData: not a JSON string ({exc.msg})") from exc
    old = (history.get("oldState") or {}).get("stateValue", "")
    new = (history.get("newState") or {}).get("stateValue", "")
    if not new:
        summary = str(raw.get("HistorySummary", ""))
        if " to " in summary:  # "Alarm updated from OK to ALARM"
            old, new = summary.rsplit(" from ", 1)[-1].split(" to ", 1)
    return AlarmTransition(
        alarm=str(raw.get("AlarmName", "")),
        at=_time(raw.get("Timestamp"), "Timestamp"),
        old=old.strip(),
        new=new.strip(),
        reason=str((history.get("newState") or {}).get("stateReason", "")),
        source=source,
    )


def _metric_data(raw: dict[str, Any], source: str, queries: dict[str, dict[str, Any]]) -> Series:
    times_raw, values_raw = raw.get("Timestamps") or [], raw.get("Values") or []
    if not isinstance(times_raw, list) or not isinstance(values_raw, list) or len(times_raw) != len(values_raw):
        raise BadEntryError("Timestamps/Values: expected two lists of the same length")
    times = np.array([_time(t, "Timestamps[]") for t in times_raw], dtype=np.float64)
    try:
        values = np.array([float(v) for v in values_raw], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise BadEntryError(f"Values: expected numbers ({exc})") from exc
    order = np.argsort(times, kind="stable")  # the CLI prints newest first by default
    identifier = str(raw.get("Id", ""))
    labels: list[tuple[str, str]] = [("id", identifier), ("label", str(raw.get("Label", "")))]
    stat = (queries.get(identifier) or {}).get("MetricStat") or {}
    metric = stat.get("Metric") or {}
    labels += [(str(d.get("Name")), str(d.get("Value"))) for d in metric.get("Dimensions") or [] if isinstance(d, dict)]
    if stat.get("Stat"):
        labels.append(("stat", str(stat["Stat"])))
    if stat.get("Period"):
        labels.append(("period", str(stat["Period"])))
    name = str(metric.get("MetricName") or raw.get("Label") or identifier)
    return Series(name, tuple(labels), times[order], values[order], source)


def read_cloudwatch(document: Any, source: str, into: CloudWatch, skipped: list[Skipped]) -> bool:
    """Add what a CLI output file holds; False when no known top-level key is present."""
    if not isinstance(document, dict):
        return False
    known = False

    def add_transition(raw: dict[str, Any]) -> None:
        transition = _transition(raw, source)
        if transition is not None:
            into.transitions.append(transition)

    readers: list[tuple[str, Any]] = [
        ("MetricAlarms", lambda r: into.alarms.append(_alarm(r, source))),
        ("AlarmHistoryItems", add_transition),
    ]
    queries = {str(q.get("Id")): q for q in document.get("MetricDataQueries") or [] if isinstance(q, dict)}
    readers.append(("MetricDataResults", lambda r: into.metric_data.append(_metric_data(r, source, queries))))
    for key, read in readers:
        entries = document.get(key)
        if entries is None:
            continue
        known = True
        if not isinstance(entries, list):
            skipped.append(Skipped(source, None, f"{key}: expected a list"))
            continue
        for index, entry in enumerate(entries):
            try:
                if not isinstance(entry, dict):
                    raise BadEntryError("expected an object")
                read(entry)
            except BadEntryError as exc:
                skipped.append(Skipped(source, None, f"{key}[{index}]: {exc}"))
    return known

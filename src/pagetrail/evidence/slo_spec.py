"""Read an SLO spec (YAML, format in docs/slo.md) into an SloSpec.

Every problem is one line naming the file and the field (`slo.yaml: objective: expected a number between
0 and 100 (exclusive), got 100`), because a spec is written by hand and a wrong objective or window
silently changes when the pages come.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from pagetrail.domain.prometheus_rules import BadDurationError, Labels, parse_duration
from pagetrail.domain.slo import WINDOW_PLACEHOLDER, EventsSli, LatencySli, SloSpec

_TOP_KEYS = frozenset({"service", "slo", "model", "pool", "objective", "window", "sli", "labels", "annotations"})
_METRIC = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
_MATCHERS = re.compile(r'\s*(?:[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*(?:,\s*|\Z))*\Z')
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
_RESERVED_LABELS = frozenset({"alertname", "severity", "service", "slo", "model", "pool"})
MIN_WINDOW_S = 7 * 86400.0
MAX_WINDOW_S = 90 * 86400.0


class SloSpecError(ValueError):
    """A spec that cannot be used; one line naming the file and field."""


def read_slo_spec(path: Path) -> SloSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SloSpecError(f"{path}: cannot read: {exc}") from exc
    return parse_slo_spec(text, str(path))


def parse_slo_spec(text: str, source: str) -> SloSpec:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise SloSpecError(f"{source}{where}: not YAML: {getattr(exc, 'problem', None) or exc}") from exc
    if not isinstance(raw, dict):
        raise SloSpecError(f"{source}: expected a mapping with service, objective, window and sli")
    unknown = sorted(str(key) for key in raw if key not in _TOP_KEYS)
    if unknown:
        raise SloSpecError(f"{source}: {unknown[0]}: unknown field (expected one of {', '.join(sorted(_TOP_KEYS))})")
    sli = _sli(raw.get("sli"), source)
    default_name = "latency" if isinstance(sli, LatencySli) else "availability"
    return SloSpec(
        service=_text(raw, "service", source),
        name=_text(raw, "slo", source) if raw.get("slo") is not None else default_name,
        objective_percent=_objective(raw.get("objective"), source),
        window_s=_window(raw.get("window", "30d"), source),
        sli=sli,
        model=_text(raw, "model", source) if raw.get("model") is not None else None,
        pool=_text(raw, "pool", source) if raw.get("pool") is not None else None,
        labels=_string_map(raw.get("labels"), "labels", source),
        annotations=_string_map(raw.get("annotations"), "annotations", source),
        source=source,
    )


def _text(raw: dict[str, Any], key: str, source: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise SloSpecError(f"{source}: {key}: expected a non-empty string, got {value!r}")
    return value.strip()


def _objective(value: Any, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 100:
        raise SloSpecError(f"{source}: objective: expected a number between 0 and 100 (exclusive), got {value!r}")
    return float(value)


def _window(value: Any, source: str) -> float:
    try:
        seconds = parse_duration(value) if isinstance(value, str) else None
    except BadDurationError:
        seconds = None
    if seconds is None or seconds % 86400 or not MIN_WINDOW_S <= seconds <= MAX_WINDOW_S:
        raise SloSpecError(f"{source}: window: expected whole days between 7d and 90d, like 28d or 30d, got {value!r}")
    return seconds


def _sli(value: Any, source: str) -> EventsSli | LatencySli:
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ("events", "latency"):
        raise SloSpecError(
            f"{source}: sli: expected exactly one of `events: {{good|errors, total}}` or `latency: {{...}}`"
        )
    kind, body = next(iter(value.items()))
    if not isinstance(body, dict):
        raise SloSpecError(f"{source}: sli.{kind}: expected a mapping")
    return _events(body, source) if kind == "events" else _latency(body, source)


def _events(body: dict[str, Any], source: str) -> EventsSli:
    unknown = sorted(str(key) for key in body if key not in ("good", "errors", "total"))
    if unknown:
        raise SloSpecError(f"{source}: sli.events.{unknown[0]}: unknown field (expected good or errors, and total)")
    if ("good" in body) == ("errors" in body):
        raise SloSpecError(f"{source}: sli.events: expected exactly one of good and errors, next to total")
    queries = {
        key: _query(body.get(key), f"sli.events.{key}", source) for key in ("good", "errors", "total") if key in body
    }
    return EventsSli(total=queries["total"], good=queries.get("good"), errors=queries.get("errors"))


def _query(value: Any, field: str, source: str) -> str:
    if not isinstance(value, str) or WINDOW_PLACEHOLDER not in value:
        raise SloSpecError(
            f"{source}: {field}: expected PromQL with {WINDOW_PLACEHOLDER} as its range, "
            f"e.g. sum(rate(http_requests_total{{...}}[{WINDOW_PLACEHOLDER}])), got {value!r}"
        )
    return value.strip()


def _latency(body: dict[str, Any], source: str) -> LatencySli:
    known = ("histogram", "threshold_s", "selector", "le")
    unknown = sorted(str(key) for key in body if key not in known)
    if unknown:
        raise SloSpecError(f"{source}: sli.latency.{unknown[0]}: unknown field (expected one of {', '.join(known)})")
    histogram = body.get("histogram")
    if not isinstance(histogram, str) or not _METRIC.match(histogram):
        raise SloSpecError(
            f"{source}: sli.latency.histogram: expected a histogram's metric name (without _bucket), got {histogram!r}"
        )
    histogram = histogram.removesuffix("_bucket")
    threshold = body.get("threshold_s")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold <= 0:
        raise SloSpecError(
            f"{source}: sli.latency.threshold_s: expected a positive number of seconds, got {threshold!r}"
        )
    le = body.get("le", repr(threshold))
    if not isinstance(le, str | int | float) or isinstance(le, bool):
        raise SloSpecError(f"{source}: sli.latency.le: expected the bucket's le label value as a string, got {le!r}")
    selector = body.get("selector", "{}")
    if not isinstance(selector, str) or not selector.strip().startswith("{") or not selector.strip().endswith("}"):
        raise SloSpecError(f"{source}: sli.latency.selector: expected label matchers in braces, got {selector!r}")
    matchers = selector.strip()[1:-1].strip().rstrip(",")
    if not _MATCHERS.match(matchers):
        raise SloSpecError(f'{source}: sli.latency.selector: expected matchers like {{service="x"}}, got {selector!r}')
    return LatencySli(histogram=histogram, threshold_s=float(threshold), le=str(le), matchers=matchers)


def _string_map(value: Any, field: str, source: str) -> Labels:
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise SloSpecError(f"{source}: {field}: expected a mapping of names to strings")
    pairs = []
    for key, item in value.items():
        if not isinstance(key, str) or not _LABEL_NAME.match(key):
            raise SloSpecError(f"{source}: {field}: {key!r}: expected a label name")
        if field == "labels" and key in _RESERVED_LABELS:
            raise SloSpecError(
                f"{source}: labels.{key}: reserved (severity is page or ticket; alertname is generated; "
                "service, slo, model and pool come from the top-level fields)"
            )
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise SloSpecError(f"{source}: {field}.{key}: expected a string, got {item!r}")
        pairs.append((key, str(item)))
    return tuple(pairs)

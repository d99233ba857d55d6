"""Read `metrics/*.om`: OpenMetrics text with a timestamp on every sample, as
`promtool tsdb create-blocks-from openmetrics` takes it.

A line that is not OpenMetrics is reported with its line number and skipped; the file's other
samples are kept. Counter families declared without `_total` and samples with it are both fine.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from pagetrail.domain.series import Series

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SAMPLE = re.compile(rf"({_NAME})(?:\{{(.*?)\}})?\s+(\S+)(?:\s+(\S+))?\s*(?:#.*)?$")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')
_META = re.compile(rf"# (TYPE|HELP|UNIT) ({_NAME})(?: (.*))?$")
_TYPES = frozenset({"counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown"})


@dataclass(slots=True)
class ParsedMetrics:
    series: list[Series] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    samples: int = 0


def _value(text: str) -> float:
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    return float(text)


def _labels(text: str) -> tuple[tuple[str, str], ...] | None:
    labels: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _LABEL.match(text, position)
        if match is None:
            return None
        labels.append((match.group(1), match.group(2).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")))
        position = match.end()
    return tuple(sorted(labels))


def parse_openmetrics(text: str, source: str) -> ParsedMetrics:
    parsed = ParsedMetrics()
    by_key: dict[tuple[str, tuple[tuple[str, str], ...]], Series] = {}
    saw_eof = False
    for number, line in enumerate(text.splitlines(), 1):
        if not line:
            continue
        if saw_eof:
            parsed.problems.append((number, "content after '# EOF'"))
            break
        if line.startswith("#"):
            if line == "# EOF":
                saw_eof = True
                continue
            meta = _META.match(line)
            if meta is None:
                parsed.problems.append(
                    (number, "not OpenMetrics: a comment must be '# TYPE', '# HELP', '# UNIT' or '# EOF'")
                )
            elif meta.group(1) == "TYPE" and (meta.group(3) or "") not in _TYPES:
                parsed.problems.append((number, f"unknown metric type {meta.group(3)!r}"))
            continue
        match = _SAMPLE.match(line)
        labels = _labels(match.group(2) or "") if match else None
        if match is None or labels is None:
            parsed.problems.append((number, "not OpenMetrics: expected 'name{label=\"value\",...} value timestamp'"))
            continue
        try:
            value = _value(match.group(3))
        except ValueError:
            parsed.problems.append((number, f"sample value {match.group(3)!r} is not a number"))
            continue
        if match.group(4) is None:
            parsed.problems.append((number, "sample without a timestamp (bundles need one on every sample)"))
            continue
        try:
            at = float(match.group(4))
        except ValueError:
            parsed.problems.append((number, f"timestamp {match.group(4)!r} is not Unix seconds"))
            continue
        key = (match.group(1), labels)
        series = by_key.get(key)
        if series is None:
            series = by_key[key] = Series(match.group(1), labels, source=source)
        series.times.append(at)
        series.values.append(value)
        parsed.samples += 1
    if not saw_eof:
        parsed.problems.append((len(text.splitlines()), "missing '# EOF' at the end (file truncated?)"))
    parsed.series = list(by_key.values())
    return parsed

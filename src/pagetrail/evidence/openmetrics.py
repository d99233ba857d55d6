"""Read `metrics/*.om`: OpenMetrics text with a timestamp on every sample, as
`promtool tsdb create-blocks-from openmetrics` takes it.

Fast path: each sample line is split once from the right into series key, value and timestamp,
samples are grouped by key, each distinct key is validated once, and values/timestamps are
converted to numpy in bulk. Only when a bulk conversion fails is that series re-read line by line
to name the bad lines. A line that is not OpenMetrics is reported with its number and skipped;
the file's other samples are kept. Counter families declared without `_total` and samples with it
are both fine.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from pagetrail.domain.series import Series

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_KEY = re.compile(rf"({_NAME})(?:\{{(.*)\}})?\Z")
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|\Z)')
_META = re.compile(rf"# (TYPE|HELP|UNIT) ({_NAME})(?: (.*))?\Z")
_TYPES = frozenset({"counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown"})
_SPECIAL = {"+Inf": math.inf, "Inf": math.inf, "-Inf": -math.inf, "NaN": math.nan}


@dataclass(slots=True)
class ParsedMetrics:
    series: list[Series] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    samples: int = 0
    types: dict[str, str] = field(default_factory=dict)


def _labels(text: str) -> tuple[tuple[str, str], ...] | None:
    labels: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _LABEL.match(text, position)
        if match is None:
            return None
        value = match.group(2)
        if "\\" in value:
            value = value.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
        labels.append((match.group(1), value))
        position = match.end()
    return tuple(sorted(labels))


def _number(text: str) -> float:
    special = _SPECIAL.get(text)
    return special if special is not None else float(text)


def parse_openmetrics(text: str, source: str) -> ParsedMetrics:
    """Line by line: slower, but names every bad line."""
    parsed = ParsedMetrics()
    lines = text.split("\n")
    eof = _scan_comments(parsed, lines)
    numbers = [i for i, line in enumerate(lines[:eof]) if line and line[0] != "#"]
    samples = [lines[i] for i in numbers]
    if any(" # " in line for line in samples):  # exemplars: keep the sample, drop the exemplar
        samples = [line.split(" # ", 1)[0] for line in samples]
    parts = [line.rsplit(" ", 2) for line in samples]
    if any(len(p) != 3 for p in parts):
        kept = [j for j, p in enumerate(parts) if len(p) == 3]
        parsed.problems.extend(
            (numbers[j] + 1, _why_not_a_sample(samples[j])) for j, p in enumerate(parts) if len(p) != 3
        )
        parts = [parts[j] for j in kept]
        numbers = [numbers[j] for j in kept]
    if parts:
        keys, raw_values, raw_times = zip(*parts, strict=True)
        ids: dict[str, int] = {}
        codes = np.fromiter((ids.setdefault(k, len(ids)) for k in keys), dtype=np.int64, count=len(keys))
        try:
            values = np.array(raw_values, dtype=np.float64)
            times = np.array(raw_times, dtype=np.float64)
        except ValueError:
            values, times, codes, numbers = _slow_numbers(parsed, raw_values, raw_times, codes, numbers)
        _group(parsed, ids, codes, values, times, numbers, source)
    parsed.problems.sort()
    return parsed


def _scan_comments(parsed: ParsedMetrics, lines: list[str]) -> int:
    """Read TYPE/HELP/UNIT lines, report bad comments; return the index where `# EOF` stands."""
    eof = -1
    for index, line in enumerate(lines):
        if line and line[0] == "#":
            if line == "# EOF":
                eof = index
                break
            _comment(parsed, index + 1, line)
    if eof < 0:
        parsed.problems.append((len(lines), "missing '# EOF' at the end (file truncated?)"))
        return len(lines)
    after = next((i for i in range(eof + 1, len(lines)) if lines[i].strip()), None)
    if after is not None:
        parsed.problems.append((after + 1, "content after '# EOF'"))
    return eof


def _group(
    parsed: ParsedMetrics,
    ids: dict[str, int],
    codes: np.ndarray,
    values: np.ndarray,
    times: np.ndarray,
    numbers: list[int],
    source: str,
) -> None:
    order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes, minlength=len(ids))
    bounds = np.concatenate(([0], np.cumsum(counts)))
    for key, code in ids.items():
        if counts[code] == 0:
            continue
        picked = order[bounds[code] : bounds[code + 1]]
        match = _KEY.match(key.strip())
        labels = _labels(match.group(2) or "") if match else None
        if match is None or labels is None:
            parsed.problems.extend((numbers[j] + 1, "not OpenMetrics: bad metric name or labels") for j in picked[:3])
            continue
        series_times, series_values = times[picked], values[picked]
        if series_times.size > 1 and np.any(np.diff(series_times) < 0):
            by_time = np.argsort(series_times, kind="stable")
            series_times, series_values = series_times[by_time], series_values[by_time]
        parsed.series.append(Series(match.group(1), labels, series_times, series_values, source))
        parsed.samples += int(series_times.size)


def _comment(parsed: ParsedMetrics, number: int, line: str) -> bool:
    if line == "# EOF":
        return True
    problem = comment_problem(line, parsed)
    if problem:
        parsed.problems.append((number, problem))
    return False


def comment_problem(line: str, parsed: ParsedMetrics) -> str:
    """What is wrong with a comment line ('' if nothing); records `# TYPE`s on the way."""
    meta = _META.match(line)
    if meta is None:
        return "not OpenMetrics: a comment must be '# TYPE', '# HELP', '# UNIT' or '# EOF'"
    if meta.group(1) == "TYPE":
        kind = (meta.group(3) or "").strip()
        if kind not in _TYPES:
            return f"unknown metric type {kind!r}"
        parsed.types[meta.group(2)] = kind
    return ""


def series_key(key: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """(name, sorted labels) of a sample's `name{labels}` part, or None when it is not valid."""
    match = _KEY.match(key.strip())
    labels = _labels(match.group(2) or "") if match else None
    if match is None or labels is None:
        return None
    return match.group(1), labels


def _why_not_a_sample(line: str) -> str:
    if len(line.split()) == 2:
        return "sample without a timestamp (bundles need one on every sample)"
    return "not OpenMetrics: expected 'name{label=\"value\",...} value timestamp'"


def _slow_numbers(
    parsed: ParsedMetrics,
    raw_values: tuple[str, ...],
    raw_times: tuple[str, ...],
    codes: np.ndarray,
    numbers: list[int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Line by line, to name each bad value or timestamp; the good samples are kept."""
    values: list[float] = []
    times: list[float] = []
    kept: list[int] = []
    for j, (value, stamp) in enumerate(zip(raw_values, raw_times, strict=True)):
        try:
            number_value = _number(value)
        except ValueError:
            parsed.problems.append((numbers[j] + 1, f"sample value {value!r} is not a number"))
            continue
        try:
            at = float(stamp)
        except ValueError:
            parsed.problems.append((numbers[j] + 1, f"timestamp {stamp!r} is not Unix seconds"))
            continue
        values.append(number_value)
        times.append(at)
        kept.append(j)
    return (
        np.array(values, dtype=np.float64),
        np.array(times, dtype=np.float64),
        codes[np.array(kept, dtype=np.int64)],
        [numbers[j] for j in kept],
    )

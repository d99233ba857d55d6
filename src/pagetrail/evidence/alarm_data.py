"""The metric history an alarm is replayed on: get-metric-data JSON, a `timestamp,value` CSV, or the raw
samples of an OpenMetrics (.om) file.

The three differ in what a value *is*: get-metric-data returns one datapoint per period, already a
statistic; an .om file holds raw samples the alarm's statistic must reduce; a CSV is whichever its
cadence says (see `alarm_periods`). A bad line is named `file:line` with the field and what was
expected, because a replay on silently dropped data would answer a different question.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from pagetrail.domain.alarms import CloudWatch
from pagetrail.domain.evidence import Skipped
from pagetrail.domain.series import Floats, Series
from pagetrail.evidence.alarm_inputs import AlarmInputError, load_json
from pagetrail.evidence.cloudwatch import read_cloudwatch
from pagetrail.evidence.openmetrics import series_key
from pagetrail.evidence.openmetrics_bulk import read_openmetrics

REQUEST_METRICS = ("RequestCount", "RequestCountPerTarget")
_LATEST_EPOCH_S = 1e11  # year 5138: a larger "epoch second" is almost surely milliseconds
_LISTED = 8


@dataclass(frozen=True, slots=True)
class MetricData:
    """One series to replay. `kind` is "datapoints" (get-metric-data: a statistic per period), "samples"
    (.om: raw samples) or "csv" (decided by cadence); `statistic`/`period_s` are what the file says the
    datapoints hold, when it says."""

    times: Floats
    values: Floats
    label: str
    source: str
    kind: str
    statistic: str | None = None
    period_s: int | None = None
    notes: tuple[str, ...] = ()
    siblings: tuple[MetricData, ...] = ()
    """Other results of the same get-metric-data file for the same metric, dimensions and period but
    another statistic (Average beside Maximum): what the alarm's statistic hides, without raw samples."""


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    return shown + (f" and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise AlarmInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise AlarmInputError(f"{path}: is a folder, expected a file") from None
    except OSError as exc:
        raise AlarmInputError(f"{path}: cannot read ({exc.strerror})") from None


def _format_of(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".om", ".prom"):
        return "om"
    if suffix == ".csv":
        return "csv"
    text = head.lstrip()
    if text.startswith(b"{"):
        return "json"
    return "om" if text.startswith(b"#") or b"# EOF" in head else "csv"


def read_metric_data(
    path: Path,
    *,
    metric_id: str | None = None,
    series: str | None = None,
    id_flag: str = "--metric-id",
    series_flag: str = "--series",
    prefer: Sequence[str] = (),
    prefer_stat: str | None = None,
) -> MetricData:
    """Read `path` by its extension (or content) and pick one series; `prefer` names metrics (and
    `prefer_stat` the statistic) to pick when a get-metric-data file holds several results and no Id
    was given: the alarm's own metric, or RequestCount for a request-count file."""
    data = _read_bytes(path)
    kind = _format_of(path, data[:4096])
    if kind == "json":
        return _from_metric_data_json(path, data, metric_id, id_flag, prefer, prefer_stat)
    if kind == "om":
        return _from_openmetrics(path, data, series, series_flag, prefer)
    return read_csv(path, data)


def _from_metric_data_json(
    path: Path, data: bytes, metric_id: str | None, id_flag: str, prefer: Sequence[str], prefer_stat: str | None
) -> MetricData:
    document = load_json(path, data)
    found = CloudWatch()
    skipped: list[Skipped] = []
    if not read_cloudwatch(document, str(path), found, skipped) or "MetricDataResults" not in document:
        raise AlarmInputError(
            f"{path}: MetricDataResults: expected get-metric-data JSON (aws cloudwatch get-metric-data)"
        )
    problems = [s.problem for s in skipped if s.problem.startswith("MetricDataResults")]
    picked = ""
    results = found.metric_data
    ids = [s.label("id") for s in results]
    if metric_id is not None:
        if metric_id not in ids:
            bad = next((p for p in problems if metric_id in p), None)
            raise AlarmInputError(
                f"{path}: {bad}" if bad else f"{path}: {id_flag}: no result with Id {metric_id!r} (Ids: {_listed(ids)})"
            )
        chosen = results[ids.index(metric_id)]
    elif not results:
        raise AlarmInputError(f"{path}: {problems[0]}" if problems else f"{path}: MetricDataResults: empty")
    else:
        chosen = _pick(results, prefer, prefer_stat)
        if len(results) > 1:
            picked = (
                f"picked {chosen.label('id')} of {len(results)} results (Ids: {_listed(ids)}); {id_flag} picks another"
            )
    if chosen.times.size == 0:
        raise AlarmInputError(f"{path}: {chosen.label('id')}: Values: no datapoints")
    siblings = tuple(
        _datapoints(path, s, ())
        for s in results
        if s is not chosen and s.name == chosen.name and _identity(s) == _identity(chosen) and s.label("stat")
    )
    notes = (picked,) if picked else ()
    return _datapoints(path, chosen, notes + _partial_notes(document, chosen.label("id")), siblings)


def _pick(results: list[Series], prefer: Sequence[str], prefer_stat: str | None) -> Series:
    """Without an Id: the first result of a preferred metric (the alarm's, or RequestCount), of the
    alarm's statistic when one has it; else the first result."""
    preferred = [s for s in results if s.name in prefer] or results
    same_stat = [s for s in preferred if prefer_stat and s.label("stat") == prefer_stat]
    return (same_stat or preferred)[0]


def _identity(series: Series) -> tuple[tuple[str, str], ...]:
    """The metric, dimensions and period of a result: everything but its Id, label and statistic."""
    return tuple(sorted(kv for kv in series.labels if kv[0] not in ("id", "label", "stat")))


def _datapoints(
    path: Path, series: Series, notes: tuple[str, ...], siblings: tuple[MetricData, ...] = ()
) -> MetricData:
    period = series.label("period")
    return MetricData(
        times=series.times,
        values=series.values,
        label=f"{series.label('id')} ({series.label('label') or series.name})",
        source=str(path),
        kind="datapoints",
        statistic=series.label("stat") or None,
        period_s=int(period) if period.isdigit() else None,
        notes=notes,
        siblings=siblings,
    )


def _partial_notes(document: dict[str, object], metric_id: str) -> tuple[str, ...]:
    """get-metric-data says when it returned only part of the range; a replay on part of it must say so."""
    notes = []
    for raw in document.get("MetricDataResults") or []:  # type: ignore[attr-defined]
        if isinstance(raw, dict) and raw.get("Id") == metric_id and raw.get("StatusCode") == "PartialData":
            notes.append(
                f"{metric_id}: StatusCode PartialData: more datapoints exist (NextToken); the replay sees part"
            )
    if document.get("NextToken"):
        notes.append("NextToken present: the output is one page of several; the replay sees this page only")
    return tuple(notes)


def _selector(text: str, flag: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    key = series_key(text)
    if key is None:
        raise AlarmInputError(f'{flag}: expected name or name{{label="value",...}}, got {text!r}')
    return key


def _key_text(s: Series) -> str:
    labels = ",".join(f'{k}="{v}"' for k, v in s.labels)
    return f"{s.name}{{{labels}}}" if labels else s.name


def select_series(found: list[Series], selector: str | None, *, source: str, flag: str = "--series") -> Series:
    """The series named by `selector` (its labels a subset of the series'), or the only one."""
    if selector is not None:
        name, labels = _selector(selector, flag)
        found = [s for s in found if s.name == name and set(labels) <= set(s.labels)]
        if not found:
            raise AlarmInputError(f"{source}: {flag}: no series matches {selector!r}")
    if len(found) != 1:
        keys = [_key_text(s) for s in found]
        raise AlarmInputError(f"{source}: {flag}: {len(found)} series match, name one: {_listed(keys)}")
    return found[0]


def read_openmetrics_series(path: Path, data: bytes | None = None) -> list[Series]:
    """Every series of an OpenMetrics file; a malformed line is an error naming it, not a skipped line."""
    parsed = read_openmetrics(_read_bytes(path) if data is None else data, str(path))
    if parsed.problems:
        line, problem = parsed.problems[0]
        raise AlarmInputError(f"{path}:{line}: {problem}")
    if not parsed.series:
        raise AlarmInputError(f"{path}: no samples (expected OpenMetrics lines 'name{{labels}} value timestamp')")
    return parsed.series


def _from_openmetrics(path: Path, data: bytes, selector: str | None, flag: str, prefer: Sequence[str]) -> MetricData:
    found = read_openmetrics_series(path, data)
    if selector is None and len(found) > 1:
        preferred = [s for s in found if any(s.name.startswith(p) for p in prefer)]
        found = preferred if len(preferred) == 1 else found
    chosen = select_series(found, selector, source=str(path), flag=flag)
    return MetricData(chosen.times, chosen.values, _key_text(chosen), str(path), "samples")


def parse_time_text(text: str) -> float | None:
    """Epoch seconds, or an ISO 8601 time (no zone = UTC); None when it is neither."""
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return number if math.isfinite(number) else None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def read_csv(path: Path, data: bytes) -> MetricData:
    """`timestamp,value` rows with an optional header line (NAB's layout); every row must parse."""
    text = data.decode("utf-8-sig", errors="replace")
    times: list[float] = []
    values: list[float] = []
    time_col, value_col = 0, 1
    reader = csv.reader(text.splitlines())
    for row in reader:
        number = reader.line_num
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 1 and (len(cells) < 2 or parse_time_text(cells[0]) is None):
            lowered = [c.lower() for c in cells]
            time_col = next((i for i, c in enumerate(lowered) if c in ("timestamp", "time", "date")), 0)
            value_col = next((i for i, c in enumerate(lowered) if c == "value"), 1 if time_col == 0 else 0)
            continue
        if len(cells) <= max(time_col, value_col):
            raise AlarmInputError(f"{path}:{number}: expected columns timestamp,value, got {','.join(row)!r}")
        at = parse_time_text(cells[time_col])
        if at is None:
            raise AlarmInputError(
                f"{path}:{number}: timestamp: expected an ISO 8601 time or epoch seconds, got {cells[time_col]!r}"
            )
        if at > _LATEST_EPOCH_S:
            raise AlarmInputError(
                f"{path}:{number}: timestamp: expected epoch seconds, got {cells[time_col]} (milliseconds?)"
            )
        try:
            value = float(cells[value_col])
        except ValueError:
            raise AlarmInputError(f"{path}:{number}: value: expected a number, got {cells[value_col]!r}") from None
        times.append(at)
        values.append(value)
    if not times:
        raise AlarmInputError(f"{path}: no rows (expected timestamp,value lines)")
    t = np.array(times, dtype=np.float64)
    v = np.array(values, dtype=np.float64)
    order = np.argsort(t, kind="stable")
    return MetricData(t[order], v[order], path.name, str(path), "csv")

"""Labelled incident windows to tune an alarm against: NAB's `combined_windows.json` or an incidents file.

NAB maps each data file ("realAWSCloudwatch/<file>.csv") to `[[start, end], ...]`; the entry used is
the one whose key ends with the data file's name, so the same labels work wherever the CSV was copied.
An incidents file (YAML or JSON) is a list of `{start, end}` (or `{incidents: [...]}`). Times are RFC 3339
or NAB's "YYYY-MM-DD HH:MM:SS[.ffffff]", the latter UTC. Windows must not overlap: an alarm page inside
two incidents at once cannot be scored, and merging them silently would change what was labelled.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from pagetrail.alarms.detection_score import Window
from pagetrail.domain.clock import BadTimestampError, format_time, parse_rfc3339
from pagetrail.evidence.alarm_inputs import AlarmInputError, load_json

_UTC_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?")
_EXPECTED_TIME = "an RFC 3339 time or 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC)"


def read_incident_windows(path: Path, *, data_file: Path) -> list[Window]:
    """The windows for `data_file`, sorted, from a NAB windows file or an incidents file."""
    document = _load(path)
    if isinstance(document, dict) and "incidents" not in document:
        key, raw = _nab_entry(path, document, data_file.name)
        return _checked(path, [(f"{key}[{i}]", _pair(path, f"{key}[{i}]", item)) for i, item in enumerate(raw)])
    items = document.get("incidents") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise AlarmInputError(
            f"{path}: expected a list of {{start, end}} incidents or NAB's combined_windows.json, "
            f"got {type(items).__name__}"
        )
    return _checked(path, [(f"[{i}]", _incident(path, i, item)) for i, item in enumerate(items)])


def _load(path: Path) -> Any:
    if path.suffix.lower() == ".json":
        return load_json(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AlarmInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise AlarmInputError(f"{path}: is a folder, expected a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AlarmInputError(f"{path}: cannot read ({exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise AlarmInputError(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None


def _nab_entry(path: Path, document: dict[Any, Any], name: str) -> tuple[str, list[Any]]:
    keys = [str(k) for k in document if str(k) == name or str(k).endswith("/" + name)]
    if not keys:
        raise AlarmInputError(f"{path}: no windows for {name} (expected a key ending with {name!r})")
    if len(keys) > 1:
        raise AlarmInputError(f"{path}: {len(keys)} keys end with {name!r} ({', '.join(keys)}): rename the data file")
    raw = document[keys[0]]
    if not isinstance(raw, list):
        raise AlarmInputError(f"{path}: {keys[0]}: expected a list of [start, end] pairs, got {type(raw).__name__}")
    return keys[0], raw


def _pair(path: Path, where: str, item: Any) -> Window:
    if not isinstance(item, list) or len(item) != 2:
        raise AlarmInputError(f"{path}: {where}: expected a [start, end] pair, got {item!r}")
    return _time(path, f"{where}[0]", item[0]), _time(path, f"{where}[1]", item[1])


def _incident(path: Path, index: int, item: Any) -> Window:
    if isinstance(item, list):
        return _pair(path, f"[{index}]", item)
    if not isinstance(item, dict) or "start" not in item or "end" not in item:
        raise AlarmInputError(f"{path}: [{index}]: expected a mapping with start and end, got {item!r}")
    return _time(path, f"[{index}].start", item["start"]), _time(path, f"[{index}].end", item["end"])


def _time(path: Path, where: str, value: Any) -> float:
    """Epoch seconds; YAML already turns an unquoted timestamp into a datetime (naive = UTC)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, date) or not isinstance(value, str):
        raise AlarmInputError(f"{path}: {where}: expected {_EXPECTED_TIME}, got {value!r}")
    text = value.strip()
    try:
        if _UTC_STAMP.fullmatch(text):
            return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()
        return parse_rfc3339(text)
    except (BadTimestampError, ValueError):
        raise AlarmInputError(f"{path}: {where}: expected {_EXPECTED_TIME}, got {value!r}") from None


def _checked(path: Path, windows: Sequence[tuple[str, Window]]) -> list[Window]:
    """Windows sorted by start; each must end after it starts, and none may overlap the next."""
    for where, (start, end) in windows:
        if end <= start:
            raise AlarmInputError(
                f"{path}: {where}: expected the end after the start, got {format_time(start)} – {format_time(end)}"
            )
    ordered = sorted(windows, key=lambda item: item[1])
    for (where, (_, end)), (next_where, (next_start, _)) in itertools.pairwise(ordered):
        if next_start <= end:
            raise AlarmInputError(
                f"{path}: {where} and {next_where} overlap ({format_time(next_start)} is before {format_time(end)}): "
                "expected separate incidents"
            )
    return [window for _, window in ordered]

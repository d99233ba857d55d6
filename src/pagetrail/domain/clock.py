"""RFC 3339 timestamps as epoch seconds.

Views store times as floats (Unix seconds, UTC): they are small, compare fast and make "which
came first" questions trivial. Parsing is strict RFC 3339 because a bundle must give the same
answer on any machine: a zone-less or date-only stamp is ambiguous, so it is rejected, not guessed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})\Z")


class BadTimestampError(ValueError):
    """A value that should be an RFC 3339 timestamp is not one."""


_PARSED: dict[str, float] = {}
_PARSED_MAX = 200_000


def parse_rfc3339(value: str) -> float:
    """Return epoch seconds for an RFC 3339 timestamp, or raise BadTimestampError.

    Memoised: a cluster repeats the same stamps across conditions, statuses and events."""
    cached = _PARSED.get(value)
    if cached is not None:
        return cached
    epoch = _parse(value)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[value] = epoch
    return epoch


def _parse(value: str) -> float:
    if not _RFC3339.match(value):
        raise BadTimestampError(f"not an RFC 3339 timestamp: {value!r}")
    text = value
    if "." in text:
        # Python accepts at most 6 fractional digits; Kubernetes MicroTime and Go print up to 9.
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}"
    try:
        return datetime.fromisoformat(text.replace("z", "Z")).timestamp()
    except ValueError as exc:  # e.g. month 13
        raise BadTimestampError(f"not an RFC 3339 timestamp: {value!r}") from exc


def optional_time(value: object) -> float | None:
    """Parse an optional timestamp field: absent or null is None, anything else must be RFC 3339."""
    if value is None or value == "":
        return None
    if type(value) is not str:
        raise BadTimestampError(f"not an RFC 3339 timestamp: {value!r}")
    cached = _PARSED.get(value)
    return cached if cached is not None else parse_rfc3339(value)


def format_time(epoch: float) -> str:
    """Format epoch seconds as RFC 3339 UTC with a Z, to the second."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_clock(epoch: float) -> str:
    """Short UTC wall-clock time (HH:MM:SSZ) for summaries."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%H:%M:%SZ")


def format_duration(seconds: float) -> str:
    """Human duration: 45s, 12m, 3h05m, 2d4h."""
    s = int(abs(seconds))
    if s < 120:
        return f"{s}s"
    if s < 7200:
        return f"{s // 60}m"
    if s < 172800:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600}h"

"""Prometheus rule files as plain data: groups of alerting and recording rules, and Prometheus durations.

One shape for every producer and consumer: the rule-file reader fills it, the replay engine evaluates
it, and `pagetrail slo generate` builds it before it is written out, so a generated rule file can be read
back and replayed by the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DURATION = re.compile(r"(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?")
_UNIT_S = (365 * 86400.0, 7 * 86400.0, 86400.0, 3600.0, 60.0, 1.0, 0.001)
_FORMAT_UNITS = (("d", 86400_000), ("h", 3600_000), ("m", 60_000), ("s", 1000), ("ms", 1))


class BadDurationError(ValueError):
    """Text that Prometheus would not accept as a duration."""


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration (`90s`, `5m`, `1h30m`, `30d`, `0`), units largest first as
    Prometheus requires."""
    stripped = text.strip()
    if stripped == "0":
        return 0.0
    match = _DURATION.fullmatch(stripped)
    if not stripped or match is None:
        raise BadDurationError(f"expected a duration like 30s, 5m, 1h30m or 28d, got {text!r}")
    return sum(int(part) * unit for part, unit in zip(match.groups(), _UNIT_S, strict=True) if part)


def format_duration(seconds: float) -> str:
    """The shortest Prometheus duration for `seconds` (days at most: `30d`, `1h30m`, `90s` → `1m30s`)."""
    remaining = round(seconds * 1000)
    if remaining == 0:
        return "0s"
    parts = []
    for unit, size in _FORMAT_UNITS:
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class AlertRule:
    """An `alert:` rule. `for_s` is the pending hold, `keep_firing_for_s` how long it keeps firing after its
    condition clears; labels and annotations as written (templates are not expanded)."""

    name: str
    expr: str
    for_s: float = 0.0
    keep_firing_for_s: float = 0.0
    labels: Labels = ()
    annotations: Labels = ()


@dataclass(frozen=True, slots=True)
class RecordingRule:
    """A `record:` rule: the series name it writes and the expression it evaluates."""

    record: str
    expr: str
    labels: Labels = ()


@dataclass(frozen=True, slots=True)
class RuleGroup:
    """A rule group; `interval_s` is None when the group uses the global evaluation interval;
    `query_offset_s` delays the data each evaluation sees (Prometheus ≥ 2.53). `source` names the file it
    was read from (empty for generated groups)."""

    name: str
    rules: tuple[AlertRule | RecordingRule, ...]
    interval_s: float | None = None
    labels: Labels = ()
    source: str = ""
    query_offset_s: float = 0.0

    @property
    def alerts(self) -> tuple[AlertRule, ...]:
        return tuple(rule for rule in self.rules if isinstance(rule, AlertRule))

"""Metric history: one time series per metric name and label set."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Series:
    """Samples of one series, in file order; `source` names the bundle file."""

    name: str
    labels: tuple[tuple[str, str], ...]
    times: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    source: str = ""

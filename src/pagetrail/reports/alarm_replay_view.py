"""What a replay report shows, engine-neutral: CloudWatch alarms and Prometheus alerting rules both end
as a `ReplaySummary`, plus how the condition and the data are described."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pagetrail.alarms.episodes import ReplaySummary
from pagetrail.domain.series import Floats


@dataclass(frozen=True, slots=True)
class ReplayView:
    """`condition` is the plain-English rule; `alarm` the machine-readable fields for JSON."""

    engine: str  # "cloudwatch" | "prometheus"
    name: str
    condition: str
    alarm: dict[str, Any]
    data_label: str
    data_source: str
    evaluations: int
    step_s: float
    summary: ReplaySummary
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def alarm_state(self) -> str:
        return "firing" if self.engine == "prometheus" else "ALARM"


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """What the alarm evaluated, for the chart: `values[i]` holds from `starts[i]` for `step_s` (NaN = missing)."""

    starts: Floats
    values: Floats
    step_s: float
    label: str

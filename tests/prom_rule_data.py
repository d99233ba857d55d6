"""A deterministic bursty workload, written both as OpenMetrics (for promtool tsdb / the replay) and as
promtool unit-test input_series, so one data set drives the replay, a real Prometheus and promtool."""

from __future__ import annotations

import random
from dataclasses import dataclass

STEP_S = 15
MINUTES = 180


@dataclass(frozen=True, slots=True)
class SampleSeries:
    key: str  # metric{labels} as Prometheus prints it
    values: tuple[str | None, ...]  # one per STEP_S from t=0; None = not scraped

    def openmetrics_lines(self, offset_s: int) -> list[str]:
        return [f"{self.key} {v} {offset_s + i * STEP_S}" for i, v in enumerate(self.values) if v is not None]

    def promtool_values(self) -> str:
        return " ".join("_" if v is None else v for v in self.values)


def _gaps(count: int, gaps: list[tuple[float, float]]) -> list[bool]:
    """Which steps are scraped: False inside the (start, end) minute ranges."""
    return [not any(a * 60 <= i * STEP_S < b * 60 for a, b in gaps) for i in range(count)]


def bursty_workload(seed: int = 7) -> list[SampleSeries]:
    """Queue depth gauges and request counters of two pods: random bursts of a few minutes, a burst across
    an 8-minute scrape gap (longer than the 5-minute lookback), a 3-minute gap (shorter) and a counter
    reset (restart)."""
    rng = random.Random(seed)
    count = MINUTES * 60 // STEP_S
    series: list[SampleSeries] = []
    for pod, gaps, forced, reset_at in (
        ("scorer-a", [(60, 68), (100, 103)], (55, 75), 130),
        ("scorer-b", [(20, 22), (140, 150)], (135, 145), None),
    ):
        scraped = _gaps(count, gaps)
        burst_until = -1
        depth: list[str | None] = []
        ok_total = err_total = 0.0
        oks: list[str | None] = []
        errors: list[str | None] = []
        for i in range(count):
            if i > burst_until and rng.random() < 0.03:
                burst_until = i + rng.randint(4, 40)
            bursting = i <= burst_until or forced[0] * 60 <= i * STEP_S < forced[1] * 60
            level = (48.0 if bursting else 9.0) + rng.uniform(-6, 6)
            ok_total += rng.randint(40, 60)
            err_total += rng.randint(20, 40) if bursting else rng.randint(0, 3)
            if reset_at is not None and i == reset_at * 60 // STEP_S:
                ok_total, err_total = float(rng.randint(0, 30)), float(rng.randint(0, 5))
            depth.append(f"{level:.2f}" if scraped[i] else None)
            oks.append(f"{ok_total:.0f}" if scraped[i] else None)
            errors.append(f"{err_total:.0f}" if scraped[i] else None)
        series.append(SampleSeries(f'queue_depth{{pod="{pod}"}}', tuple(depth)))
        series.append(SampleSeries(f'http_requests_total{{code="200",pod="{pod}"}}', tuple(oks)))
        series.append(SampleSeries(f'http_requests_total{{code="500",pod="{pod}"}}', tuple(errors)))
    return series


FAMILIES = {"queue_depth": "gauge", "http_requests_total": "counter"}


def openmetrics(series: list[SampleSeries], *, offset_s: int) -> str:
    """One family after the other (OpenMetrics forbids interleaving them), each series in time order."""
    lines: list[str] = []
    for name, kind in FAMILIES.items():
        lines.append(f"# TYPE {name.removesuffix('_total')} {kind}")
        for item in series:
            if item.key.startswith(name + "{"):
                lines.extend(item.openmetrics_lines(offset_s))
    return "\n".join([*lines, "# EOF"]) + "\n"

"""Latency from request-duration histograms: p95 over time against its own baseline, the moment it
left that baseline, and how many times normal it is now (seed 003: 10x normal is SEV2, 2x SEV3)."""

from __future__ import annotations

import math

import numpy as np

from pagetrail.analysis.context import Context
from pagetrail.analysis.fleet import POD_LABELS
from pagetrail.analysis.series_math import counter_rate, histogram_quantile
from pagetrail.domain.series import Floats, Series

HISTOGRAMS = (
    "http_request_duration_seconds_bucket",
    "ml_inference_duration_seconds_bucket",
    "http_server_requests_seconds_bucket",
    "request_duration_seconds_bucket",
    "istio_request_duration_milliseconds_bucket",
)


def _le(series: Series) -> float | None:
    value = series.label("le")
    try:
        return math.inf if value in ("+Inf", "Inf") else float(value)
    except ValueError:
        return None


def p95_over_time(ctx: Context) -> tuple[Floats, Floats, str] | None:
    store = ctx.metrics
    if store is None:
        return None
    names = {p.meta.name for p in ctx.scope.pods}
    for name in HISTOGRAMS:
        found = [
            s
            for s in store.named(name)
            if ctx.scope.everything
            or any(s.label(k) in names for k in POD_LABELS)
            or not any(s.label(k) for k in POD_LABELS)
        ]
        buckets: dict[float, list[Series]] = {}
        for series in found:
            le = _le(series)
            if le is not None:
                buckets.setdefault(le, []).append(series)
        if len(buckets) < 2 or math.inf not in buckets:
            continue
        at = store.grid(60.0)
        bounds = sorted(buckets)
        counts = np.vstack(
            [np.nansum(np.vstack([counter_rate(s, at, 300.0) for s in buckets[b]]), axis=0) for b in bounds]
        )
        p95 = histogram_quantile(0.95, bounds, counts)
        if name.endswith("_milliseconds_bucket"):
            p95 = p95 / 1000.0
        return at, p95, found[0].source
    return None


_CLOUDWATCH_LATENCY = ("TargetResponseTime", "Latency", "ModelLatency", "OverheadLatency")


def _cloudwatch_latency(ctx: Context) -> None:
    """Without histograms, the load balancer's latency series (per target group when captured):
    the worst one's bursts against its own median."""
    ratios = []
    for series in ctx.evidence.cloudwatch.metric_data:
        if series.name in _CLOUDWATCH_LATENCY and len(series) >= 8:
            median = float(np.median(series.values))
            if median > 0:
                ratios.append((float(np.percentile(series.values, 95)) / median, series))
    if ratios:
        ratio, series = max(ratios, key=lambda r: r[0])
        ctx.latency_ratio = ratio
        above = np.flatnonzero(series.values > 2 * float(np.median(series.values)))
        if above.size and ratio >= 2:
            ctx.latency_onset = float(series.times[above[0]])


def analyze_latency(ctx: Context) -> None:
    found = p95_over_time(ctx)
    if found is None:
        _cloudwatch_latency(ctx)
        return
    at, p95, _source = found
    finite = np.isfinite(p95)
    if finite.sum() < 8:
        return
    values, times = p95[finite], at[finite]
    baseline = float(np.median(values[: max(3, values.size // 4)]))
    if baseline <= 0:
        return
    recent = float(np.percentile(values[-max(3, values.size // 4) :], 90))
    ctx.latency_ratio = recent / baseline
    above = np.flatnonzero(values > 2 * baseline)
    if above.size and ctx.latency_ratio >= 2:
        ctx.latency_onset = float(times[above[0]])

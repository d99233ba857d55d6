"""Error rate from request counters: the share of requests answered 5xx, when it began, and how
bad it is now. Exporters name these differently; the common ones are recognised by name and by
the label that carries the status code."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pagetrail.analysis.context import Context
from pagetrail.analysis.fleet import POD_LABELS, pod_name_pattern
from pagetrail.analysis.series_math import counter_rate
from pagetrail.domain.clock import format_clock
from pagetrail.domain.report import Fact, Status
from pagetrail.domain.series import Floats, Series

REQUEST_COUNTERS = (
    "http_requests_total",
    "http_server_requests_seconds_count",  # Micrometer
    "django_http_responses_total_by_status_total",
    "istio_requests_total",
    "nginx_ingress_controller_requests",
    "requests_total",
)
_STATUS_LABELS = ("code", "status", "status_code", "response_code")


def _status(series: Series) -> str:
    return next((series.label(k) for k in _STATUS_LABELS if series.label(k)), "")


def _for_scope(ctx: Context, found: list[Series]) -> list[Series]:
    """The target's series: its pods now, and the pods its workloads had before (their names
    follow `<deployment>-<template hash>-<suffix>`, so history survives a rollout)."""
    names = {p.meta.name for p in ctx.scope.pods}
    namespaces = {p.meta.namespace for p in ctx.scope.pods}
    patterns = [pod_name_pattern(w.meta.name) for w in ctx.scope.workloads if w.meta.controller() is None]

    def ours(value: str) -> bool:
        return value in names or any(p.match(value) for p in patterns)

    by_pod = [s for s in found if any(ours(s.label(k)) for k in POD_LABELS if s.label(k))]
    if by_pod or ctx.scope.everything:
        return by_pod or found
    return [
        s for s in found if s.label("namespace") in namespaces or s.label("destination_service_namespace") in namespaces
    ]


@dataclass(slots=True)
class RequestRates:
    """The target's requests per second, all and 5xx, on the store's minute grid."""

    at: Floats
    total: Floats
    errors: Floats
    source: str


def request_rates(ctx: Context) -> RequestRates | None:
    """Request and 5xx rates for the target, from the first exporter family present."""
    store = ctx.metrics
    if store is None:
        return None
    for name in REQUEST_COUNTERS:
        series = [s for s in _for_scope(ctx, store.named(name)) if _status(s)]
        if not series:
            continue
        at = store.grid(60.0)
        rates = [(s, counter_rate(s, at, 300.0)) for s in series]
        total = np.nansum(np.vstack([r for _, r in rates]), axis=0)
        errors = np.nansum(
            np.vstack([r for s, r in rates if _status(s).startswith("5")] or [np.zeros(at.shape)]), axis=0
        )
        return RequestRates(at, total, errors, series[0].source)
    return None


def error_ratio(ctx: Context) -> tuple[Floats, Floats, str] | None:
    """(times, 5xx share, source) for the target's requests, or None without request counters."""
    rates = request_rates(ctx)
    if rates is None:
        return None
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(rates.total > 0, rates.errors / rates.total, np.nan)
    return rates.at, share, rates.source


def analyze_error_rate(ctx: Context) -> None:
    found = error_ratio(ctx)
    if found is None:
        return
    at, share, source = found
    finite = np.isfinite(share)
    if finite.sum() < 5:
        return
    values, times = share[finite], at[finite]
    baseline = float(np.median(values[: max(3, values.size // 4)]))
    threshold = max(0.05, 3 * baseline)
    above = np.flatnonzero(values > threshold)
    recent = float(np.median(values[-max(3, values.size // 10) :]))
    if above.size == 0 or recent < threshold:
        return
    onset = float(times[above[0]])
    ctx.error_share = recent
    pod = next((p for p in ctx.scope.pods if not p.is_finished), None)
    if pod is None:
        return
    ctx.add(
        "app.exception",
        Status.LIKELY,
        pod=pod,
        summary=f"{recent:.0%} of requests answer 5xx (baseline {baseline:.1%}), since {format_clock(onset)}",
        facts=[
            Fact(
                source,
                f"5xx share rose from {baseline:.1%} to {recent:.0%}; first above {threshold:.0%} at {format_clock(onset)}",
                onset,
            )
        ],
        onset=onset,
    )

"""`traffic.retry-storm`: after latency rises, the service's request rate multiplies while the
traffic clients actually send (the load balancer's RequestCount, the ingress's requests) does not:
the extra requests are retries, and they deepen the overload that caused them."""

from __future__ import annotations

import numpy as np

from pagetrail.analysis.context import Context
from pagetrail.analysis.errors import request_rates
from pagetrail.analysis.series_math import sample_at
from pagetrail.domain.clock import format_clock
from pagetrail.domain.report import Fact, Status
from pagetrail.domain.series import Floats, Series

_CLIENT_METRICS = ("RequestCount", "nginx_ingress_controller_requests")
_MULTIPLIED = 2.0
_STEADY = 1.3


def _client_traffic(ctx: Context, at: Floats) -> tuple[Floats, Series] | None:
    candidates = [s for s in ctx.evidence.cloudwatch.metric_data if s.name == "RequestCount"]
    if ctx.metrics is not None:
        candidates += ctx.metrics.named("nginx_ingress_controller_requests")
    if not candidates:
        return None
    series = max(candidates, key=len)
    values = sample_at(series, at, staleness=600.0)
    if series.name.endswith("_total") or series.name == "nginx_ingress_controller_requests":
        values = np.gradient(values, at)  # a counter: per-second rate
    return values, series


def analyze_retry_storm(ctx: Context) -> None:
    onset = ctx.latency_onset
    rates = request_rates(ctx)
    if onset is None or rates is None:
        return
    before = (rates.at < onset) & np.isfinite(rates.total)
    after = (rates.at >= onset) & np.isfinite(rates.total)
    if before.sum() < 3 or after.sum() < 3:
        return
    base, peak = float(np.median(rates.total[before])), float(np.percentile(rates.total[after], 90))
    if base <= 0 or peak / base < _MULTIPLIED:
        return
    leading = (rates.at >= onset - 600) & (rates.at < onset) & np.isfinite(rates.total)
    if leading.any() and float(np.median(rates.total[leading])) > 1.5 * base:
        return  # traffic rose before latency did: demand drove the latency, not retries
    pod = next((p for p in ctx.scope.pods if not p.is_finished), None)
    if pod is None:
        return
    facts = [
        Fact(
            rates.source,
            f"request rate {base:.1f}/s before the latency rise at {format_clock(onset)}, {peak:.1f}/s after ({peak / base:.1f}x)",
            onset,
        )
    ]
    clients = _client_traffic(ctx, rates.at)
    if clients is None:
        ctx.add(
            "traffic.retry-storm",
            Status.POSSIBLE,
            pod=pod,
            summary=f"requests multiplied {peak / base:.1f}x after latency rose; no client-side count to tell retries from demand",
            facts=facts,
            onset=onset,
        )
        return
    values, series = clients
    c_before, c_after = values[before & np.isfinite(values)], values[after & np.isfinite(values)]
    if c_before.size < 3 or c_after.size < 3 or float(np.median(c_before)) <= 0:
        return
    growth = float(np.percentile(c_after, 90)) / float(np.median(c_before))
    facts.append(Fact(series.source, f"client traffic ({series.name}) changed {growth:.1f}x over the same time"))
    if growth <= _STEADY:
        ctx.add(
            "traffic.retry-storm",
            Status.CONFIRMED if peak / base >= 3 else Status.LIKELY,
            pod=pod,
            summary=f"a retry storm: requests reaching the pods rose {peak / base:.1f}x after latency rose, while clients sent {growth:.1f}x",
            facts=facts,
            onset=onset,
        )
    else:
        ctx.add(
            "traffic.retry-storm",
            Status.REFUTED,
            pod=pod,
            summary=f"client traffic itself rose {growth:.1f}x: the extra requests are demand, not retries",
            facts=[],
            against=facts,
        )

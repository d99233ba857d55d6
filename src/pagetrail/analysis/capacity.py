"""CPU capacity from per-pod time series (seed 002): throttling at a limit, a worker-count
ceiling below the limit, and one pod pinned while its peers idle.

A snapshot misleads; a series decides. Each verdict reads the busy part of the window (when the
fleet's CPU is near its own peak), so quiet hours do not dilute a plateau, and each refutation
names the figure that kills it (throttling near zero, per-pod CPU even).
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from pagetrail.analysis.context import Context, object_fact
from pagetrail.analysis.fleet import Member, cpu_request, fleet
from pagetrail.analysis.metric_store import MetricStore
from pagetrail.domain.pod import ContainerSpec
from pagetrail.domain.quantity import parse_quantity
from pagetrail.domain.report import Fact, Status
from pagetrail.domain.series import Floats

Mask = npt.NDArray[np.bool_]

_CPU = "container_cpu_usage_seconds_total"
_PERIODS = "container_cpu_cfs_periods_total"
_THROTTLED = "container_cpu_cfs_throttled_periods_total"
_WORKERS = re.compile(r"(?:--workers[= ]|-w ?|WEB_CONCURRENCY=|--num-workers[= ])(\d+)")


def _limit(member: Member) -> float | None:
    return limit_of(member.containers)


def limit_of(containers: tuple[ContainerSpec, ...]) -> float | None:
    total = 0.0
    for container in containers:
        value = parse_quantity(container.limits.get("cpu", ""))
        if value is None:
            return None
        total += value
    return total or None


def _busy(total: Floats) -> Mask:
    """Mask of the samples where the fleet's CPU is at 60% or more of its 95th percentile."""
    finite = total[np.isfinite(total)]
    if finite.size == 0:
        return np.zeros(total.shape, dtype=bool)
    return np.isfinite(total) & (total >= 0.6 * np.percentile(finite, 95))


def _source(store: MetricStore, member: Member) -> str:
    found = store.named(_CPU, namespace=member.namespace, pod=member.name)
    return found[0].source if found else "metrics"


def analyze_cpu(ctx: Context) -> None:
    store = ctx.metrics
    if store is None:
        return
    at = store.grid(60.0)
    members = fleet(ctx, store, _CPU)
    usage = [(m, cores) for m in members if (cores := store.pod_rate(_CPU, m.namespace, m.name, at)) is not None]
    if not usage or at.size < 5:
        return
    matrix = np.vstack([cores for _, cores in usage])
    total = np.nansum(matrix, axis=0)
    total[np.all(np.isnan(matrix), axis=0)] = np.nan
    busy = _busy(total)
    if busy.sum() < 3:
        return
    _throttling(ctx, store, at, busy, [p for p, _ in usage])
    _ceiling_and_balance(ctx, store, usage, busy)


def _throttling(ctx: Context, store: MetricStore, at: Floats, busy: Mask, pods: list[Member]) -> None:
    worst: tuple[float, Member] | None = None
    measured = 0
    for pod in pods:
        periods = store.pod_rate(_PERIODS, pod.namespace, pod.name, at)
        throttled = store.pod_rate(_THROTTLED, pod.namespace, pod.name, at)
        if periods is None or throttled is None:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(periods > 0, throttled / periods, np.nan)[busy]
        ratio = ratio[np.isfinite(ratio)]
        if ratio.size == 0:
            continue
        measured += 1
        share = float(np.percentile(ratio, 90))
        if worst is None or share > worst[0]:
            worst = (share, pod)
    if worst is None:
        return
    share, pod = worst
    fact = Fact(_source(store, pod), f"{pod.name}: {share:.0%} of CFS periods throttled (p90 over the busy window)")
    if share >= 0.25:
        _add(
            ctx,
            "cpu.throttled",
            Status.CONFIRMED if share >= 0.5 else Status.LIKELY,
            member=pod,
            summary=f"CPU throttled at the limit: {share:.0%} of CFS periods throttled while busy",
            facts=[fact],
        )
    elif share < 0.02:
        _add(
            ctx,
            "cpu.throttled",
            Status.REFUTED,
            member=pod,
            summary=f"throttled periods near zero on all {measured} measured pods: the limit is not what slows them",
            facts=[],
            against=[fact],
        )


def _ceiling_and_balance(ctx: Context, store: MetricStore, usage: list[tuple[Member, Floats]], busy: Mask) -> None:
    # Only pods with data for a good part of the busy window: a pod born at the end of it (a deploy
    # after the symptom) says nothing about how load was spread while it lasted.
    enough = max(3, int(0.25 * busy.sum()))
    measured = [(p, v, float(np.nanmean(v[busy]))) for p, v in usage if np.isfinite(v[busy]).sum() >= enough]
    if not measured:
        return
    median = float(np.median([mean for _, _, mean in measured]))
    top_pod, top_usage, top_mean = max(measured, key=lambda item: item[2])
    count = len(measured)
    even = count >= 2 and top_mean <= 1.3 * max(median, 1e-9)
    if count >= 3 and even:
        _add(
            ctx,
            "load.imbalance",
            Status.REFUTED,
            member=top_pod,
            summary=f"per-pod CPU is even across {count} pods while busy: no pod is pinned",
            facts=[],
            against=[Fact(_source(store, top_pod), f"busiest pod {top_mean:.2f} cores vs median {median:.2f}")],
        )
    elif count >= 2 and top_mean >= 2 * max(median, 0.05) and top_mean >= 0.3:
        pinned = top_usage[busy]
        others = np.vstack([v[busy] for p, v, _ in measured if p is not top_pod])
        with np.errstate(invalid="ignore"):
            lead = np.mean(pinned >= 2 * np.nanmedian(others, axis=0))
        _add(
            ctx,
            "load.imbalance",
            Status.CONFIRMED if lead >= 0.7 else Status.LIKELY,
            member=top_pod,
            summary=f"{top_pod.name} is pinned at {top_mean:.2f} cores while its peers idle at {median:.2f}",
            facts=[Fact(_source(store, top_pod), f"{top_pod.name} ahead of its peers in {lead:.0%} of busy samples")],
        )
    _ceiling(ctx, store, usage, busy, even)


def _ceiling(ctx: Context, store: MetricStore, usage: list[tuple[Member, Floats]], busy: Mask, even: bool) -> None:
    plateaus: list[tuple[Member, int, float, float]] = []
    enough = max(3, int(0.25 * busy.sum()))
    for pod, cores in usage:
        series = cores[busy]
        series = series[np.isfinite(series)]
        if series.size < enough:
            continue
        peak = float(np.percentile(series, 95))
        workers = round(peak)
        if workers < 1 or not 0.8 * workers <= peak <= 1.05 * workers:
            continue
        share = float(np.mean(series >= 0.85 * workers))
        limit = _limit(pod)
        if share >= 0.1 and (limit is None or limit >= workers + 0.25):
            plateaus.append((pod, workers, peak, share))
    if not plateaus:
        _no_ceiling(ctx, store, usage, busy)
        return
    if len(usage) >= 2 and not even:
        return  # a ceiling shared by the fleet needs even load; one pinned pod is an imbalance
    pod, workers, peak, share = plateaus[0]
    limit = _limit(pod)
    facts = [
        Fact(
            _source(store, p),
            f"{p.name} plateaus at {pk:.2f} cores ({sh:.0%} of busy samples near {w} core{'s' if w > 1 else ''})",
        )
        for p, w, pk, sh in plateaus[:4]
    ]
    if limit is not None:
        facts.append(
            object_fact(
                pod.meta,
                f"CPU limit {limit:g} cores, request {cpu_request(pod.containers) or 0:g}: the plateau is below the limit",
            )
        )
    command = " ".join(a for c in pod.containers for a in c.command)
    declared = _WORKERS.search(command)
    if declared:
        facts.append(object_fact(pod.meta, f"container command sets {declared.group(0).strip()}"))
    strong = len(plateaus) >= max(2, len(usage) // 2) and even and limit is not None
    _add(
        ctx,
        "cpu.single-worker-ceiling",
        Status.CONFIRMED if strong or (declared and int(declared.group(1)) == workers) else Status.LIKELY,
        member=pod,
        summary=f"each pod plateaus at ~{peak:.1f} cores under a {limit or 'unset'}-core limit: "
        f"{workers} worker process{'es' if workers > 1 else ''} serialise{'' if workers > 1 else 's'} CPU-bound requests",
        facts=facts,
    )


def _add(
    ctx: Context,
    code: str,
    status: Status,
    *,
    member: Member,
    summary: str,
    facts: list[Fact],
    against: list[Fact] | None = None,
) -> None:
    """Record a finding on a pod, or on its workload when the pod is gone (known from metrics only)."""
    if member.pod is not None:
        ctx.add(code, status, pod=member.pod, summary=summary, facts=facts, against=against)
    else:
        ctx.add(
            code,
            status,
            obj=member.meta,
            owner=member.meta.ref,
            in_scope=True,
            summary=summary,
            facts=facts,
            against=against,
            names=ctx.names(None, namespace=member.namespace, owner=member.meta.ref, pod=member.name),
        )


def _no_ceiling(ctx: Context, store: MetricStore, usage: list[tuple[Member, Floats]], busy: Mask) -> None:
    """Say why no worker ceiling: CPU far below a whole core, or flat at the limit (throttling)."""
    peaks = []
    for member, cores in usage:
        series = cores[busy]
        series = series[np.isfinite(series)]
        if series.size >= max(3, int(0.25 * busy.sum())):
            peaks.append((float(np.percentile(series, 95)), member))
    if not peaks:
        return
    peak, member = max(peaks, key=lambda item: item[0])
    limit = _limit(member)
    if limit is not None and peak >= 0.9 * limit:
        why = f"CPU tops out at its {limit:g}-core limit ({peak:.2f} cores), not below it: the limit caps it, not the worker count"
    elif peak < 0.75:
        why = f"CPU peaks at {peak:.2f} cores, far below any whole-core ceiling"
    else:
        why = f"CPU does not hold flat at a whole number of cores while busy (p95 {peak:.2f}): no worker ceiling"
    _add(
        ctx,
        "cpu.single-worker-ceiling",
        Status.REFUTED,
        member=member,
        summary=why,
        facts=[],
        against=[Fact(_source(store, member), f"busiest pod p95 {peak:.2f} cores while busy")],
    )

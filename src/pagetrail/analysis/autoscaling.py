"""HPA arithmetic (seed 002 H52-H54): why the autoscaler did or did not add replicas.

Utilisation is a share of the pods' CPU *request*, not of the limit or the node: a pod busy at
0.9 cores with a 1.2-core request is at 75%, under an 80% target, however slow it is. The report
says which number blocked scaling and what request or target would have triggered it.
"""

from __future__ import annotations

import math

import numpy as np

from pagetrail.analysis.context import Context, object_fact
from pagetrail.analysis.fleet import Member, cpu_request, fleet
from pagetrail.analysis.metric_store import MetricStore
from pagetrail.domain.objects import Autoscaler
from pagetrail.domain.report import Fact, Status

_CPU = "container_cpu_usage_seconds_total"


def _targets(ctx: Context) -> list[Autoscaler]:
    refs = {w.meta.ref for w in ctx.scope.workloads}
    return [
        h
        for h in ctx.evidence.cluster.autoscalers
        if ctx.scope.everything or f"{h.target_kind}/{h.meta.namespace}/{h.target_name}" in refs
    ]


def _busy_usage(store: MetricStore, members: list[Member]) -> float | None:
    """Mean per-pod cores at the fleet's busiest 5% of samples (what the HPA saw at peak)."""
    at = store.grid(60.0)
    rows = [r for m in members if (r := store.pod_rate(_CPU, m.namespace, m.name, at)) is not None]
    if not rows or at.size < 5:
        return None
    stacked = np.vstack(rows)
    counts = np.isfinite(stacked).sum(axis=0)
    mean = np.where(counts > 0, np.nansum(stacked, axis=0) / np.maximum(counts, 1), np.nan)
    finite = mean[np.isfinite(mean)]
    return float(np.percentile(finite, 95)) if finite.size else None


def analyze_autoscalers(ctx: Context) -> None:
    for hpa in _targets(ctx):
        owner = f"{hpa.target_kind}/{hpa.meta.namespace}/{hpa.target_name}"
        limited = hpa.condition("ScalingLimited")
        if hpa.max_replicas and hpa.current_replicas >= hpa.max_replicas:
            facts = [
                object_fact(
                    hpa.meta,
                    f"current {hpa.current_replicas} = maxReplicas {hpa.max_replicas} (desired {hpa.desired_replicas})",
                )
            ]
            if limited is not None and limited.status == "True":
                facts.append(
                    object_fact(hpa.meta, f"ScalingLimited=True {limited.reason}: {limited.message}", limited.changed)
                )
            _report(
                ctx,
                hpa,
                "hpa.at-max",
                Status.CONFIRMED if hpa.desired_replicas >= hpa.max_replicas else Status.LIKELY,
                f"HPA {hpa.meta.name} is at maxReplicas {hpa.max_replicas}: it cannot add capacity",
                facts,
            )
            continue
        if hpa.max_replicas and hpa.current_replicas < hpa.max_replicas:
            _report(
                ctx,
                hpa,
                "hpa.at-max",
                Status.REFUTED,
                f"HPA {hpa.meta.name} runs {hpa.current_replicas} of at most {hpa.max_replicas} replicas: it can still add capacity",
                [],
            )
        active = hpa.condition("ScalingActive")
        if active is not None and active.status == "False":
            _report(
                ctx,
                hpa,
                "hpa.not-scaling",
                Status.CONFIRMED,
                f"HPA {hpa.meta.name} cannot compute utilisation ({active.reason}), so it never scales",
                [object_fact(hpa.meta, f"ScalingActive=False {active.reason}: {active.message}", active.changed)],
            )
            continue
        _arithmetic(ctx, hpa, owner)


def _arithmetic(ctx: Context, hpa: Autoscaler, owner: str) -> None:
    target = hpa.cpu_target_percent
    if target is None or ctx.metrics is None or hpa.current_replicas > hpa.min_replicas:
        return
    members = [
        m
        for m in fleet(ctx, ctx.metrics, _CPU)
        if m.meta.ref == owner or (m.pod and ctx.index.owner_ref(m.pod) == owner)
    ]
    if not members:
        return
    request = cpu_request(members[0].containers)
    usage = _busy_usage(ctx.metrics, members)
    if request is None or usage is None or usage < 0.3:
        return
    peak = 100 * usage / request
    if peak >= target:
        return
    needed_request = usage / (target / 100)
    needed_target = max(10, int(math.floor(peak * 0.9 / 5) * 5))
    facts = [
        object_fact(
            hpa.meta,
            f"target {target}% of the CPU request; min {hpa.min_replicas}, max {hpa.max_replicas}, current {hpa.current_replicas}",
        ),
        Fact("metrics", f"busiest pods use {usage:.2f} cores of a {request:g}-core request = {peak:.0f}% < {target}%"),
        Fact(
            "triage", f"a request of {needed_request:.2f} cores or a target of {needed_target}% would have scaled out"
        ),
    ]
    _report(
        ctx,
        hpa,
        "hpa.not-scaling",
        Status.CONFIRMED,
        f"HPA {hpa.meta.name} never scales: at peak the pods use {peak:.0f}% of their CPU request, under its {target}% target",
        facts,
    )


def _report(ctx: Context, hpa: Autoscaler, code: str, status: Status, summary: str, facts: list[Fact]) -> None:
    against: list[Fact] = []
    if status is Status.REFUTED:
        against = facts or [
            object_fact(hpa.meta, f"currentReplicas {hpa.current_replicas}, maxReplicas {hpa.max_replicas}")
        ]
        facts = []
    """Record an HPA finding against the workload it scales (that is what is on the path)."""
    owner = f"{hpa.target_kind}/{hpa.meta.namespace}/{hpa.target_name}"
    ctx.add(
        code,
        status,
        obj=hpa.meta,
        owner=owner,
        in_scope=ctx.scope.covers(owner),
        summary=summary,
        facts=facts,
        against=against,
        names=ctx.names(None, namespace=hpa.meta.namespace, owner=owner),
    )

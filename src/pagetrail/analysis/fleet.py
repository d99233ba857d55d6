"""The target's pods as metric history knows them: the pods running now, and the pods its
workloads ran before a rollout replaced them. A symptom that began hours ago lives in the series of
pods that no longer exist (seed 002: the deploy at 11:58 replaced every pod of the 04:34 bursts)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pagetrail.analysis.context import Context
from pagetrail.analysis.metric_store import MetricStore
from pagetrail.domain.meta import Meta
from pagetrail.domain.pod import ContainerSpec, Pod
from pagetrail.domain.quantity import parse_quantity

POD_LABELS = ("pod", "kubernetes_pod_name", "pod_name")


@dataclass(slots=True)
class Member:
    """One pod of the fleet; `pod` is None for a pod that is gone, whose spec is its workload's."""

    name: str
    namespace: str
    containers: tuple[ContainerSpec, ...]
    meta: Meta
    pod: Pod | None


def pod_name_pattern(workload_name: str) -> re.Pattern[str]:
    """Names of the pods a workload creates: `<workload>-<template hash>-<suffix>` (or without hash)."""
    return re.compile(rf"{re.escape(workload_name)}-(?:[a-z0-9]{{6,10}}-)?[a-z0-9]{{5}}$")


def owner_patterns(ctx: Context) -> list[tuple[re.Pattern[str], Meta, tuple[ContainerSpec, ...]]]:
    """Pod-name patterns of the target's top-level workloads (all of them with no target)."""
    workloads = ctx.evidence.cluster.workloads if ctx.scope.everything else ctx.scope.workloads
    return [
        (pod_name_pattern(w.meta.name), w.meta, w.template.containers) for w in workloads if w.meta.controller() is None
    ]


def cpu_request(containers: tuple[ContainerSpec, ...]) -> float | None:
    """Summed CPU request in cores, or None unless every container states one."""
    values = [parse_quantity(c.requests.get("cpu", "")) for c in containers]
    known = [v for v in values if v is not None]
    return sum(known) if known and len(known) == len(values) else None


def fleet(ctx: Context, store: MetricStore, metric: str) -> list[Member]:
    members = [
        Member(p.meta.name, p.meta.namespace, p.spec.containers, p.meta, p) for p in ctx.scope.pods if not p.is_finished
    ]
    known = {m.name for m in members}
    namespaces = {m.namespace for m in members} | {w.meta.namespace for w in ctx.scope.workloads}
    if ctx.scope.everything:
        namespaces |= {w.meta.namespace for w in ctx.evidence.cluster.workloads}
    patterns = owner_patterns(ctx)
    for series in store.named(metric):
        name = next((series.label(k) for k in POD_LABELS if series.label(k)), "")
        namespace = series.label("namespace")
        if not name or name in known or (namespace and namespace not in namespaces):
            continue
        for pattern, meta, containers in patterns:
            if pattern.match(name):
                members.append(Member(name, namespace or meta.namespace, containers, meta, None))
                known.add(name)
                break
    return members

"""Node layer: NotReady nodes and resource pressure, tied to the pods they hurt."""

from __future__ import annotations

from pagetrail.analysis.context import Context, event_fact, object_fact
from pagetrail.domain.objects import Node
from pagetrail.domain.pod import Pod
from pagetrail.domain.report import Status

_PRESSURES = ("MemoryPressure", "DiskPressure", "PIDPressure")


def analyze_nodes(ctx: Context) -> None:
    pods_on: dict[str, list[Pod]] = {}
    for pod in ctx.evidence.cluster.pods:
        if pod.node_name:
            pods_on.setdefault(pod.node_name, []).append(pod)
    evicted: dict[str, list[Pod]] = {}
    for pod in ctx.evidence.cluster.pods:
        if pod.phase == "Failed" and pod.reason == "Evicted":
            evicted.setdefault(pod.node_name, []).append(pod)
    for node in ctx.evidence.cluster.nodes:
        hosted = pods_on.get(node.meta.name, [])
        in_scope = (any(ctx.scope.has_pod(p) for p in hosted) and not ctx.scope.everything) or (
            ctx.scope.everything and bool(hosted)
        )
        _not_ready(ctx, node, hosted, in_scope)
        _pressure(ctx, node, hosted, evicted.get(node.meta.name, []), in_scope)


def _not_ready(ctx: Context, node: Node, hosted: list[Pod], in_scope: bool) -> None:
    cond = node.condition("Ready")
    if cond is None or cond.status == "True":
        return
    failing = [p for p in hosted if not p.is_finished and not p.is_ready]
    facts = [object_fact(node.meta, f"Ready={cond.status} {cond.reason}: {cond.message}", cond.changed)]
    unreachable = [t for t in node.taints if t.key.startswith("node.kubernetes.io/")]
    if unreachable:
        facts.append(object_fact(node.meta, "taints " + ", ".join(f"{t.key}:{t.effect}" for t in unreachable)))
    scoped = [p for p in failing if ctx.scope.has_pod(p)]
    if scoped:
        facts.append(
            object_fact(
                node.meta,
                f"hosts {len(scoped)} of the target's pods, not ready: {', '.join(p.meta.name for p in scoped[:5])}",
            )
        )
    facts.extend(event_fact(e) for e in ctx.index.events_for("Node", "", node.meta.name)[-2:])
    ctx.add(
        "node.not-ready",
        Status.CONFIRMED if failing else Status.LIKELY,
        obj=node.meta,
        summary=f"node {node.meta.name} is NotReady ({cond.reason or cond.status}); {len(failing)} pods on it not ready",
        facts=facts,
        names=ctx.names(None, node=node.meta.name),
        onset=cond.changed,
        in_scope=in_scope,
    )


def _pressure(ctx: Context, node: Node, hosted: list[Pod], evicted: list[Pod], in_scope: bool) -> None:
    active = [c for c in node.conditions if c.type in _PRESSURES and c.status == "True"]
    if not active and not evicted:
        return
    facts = [object_fact(node.meta, f"{c.type}=True {c.reason}: {c.message}", c.changed) for c in active]
    for pod in evicted[:3]:
        facts.append(object_fact(pod.meta, f"Evicted: {pod.message}"))
    scoped_evictions = [p for p in evicted if ctx.scope.covers(ctx.index.owner_ref(p))]
    del hosted
    ctx.add(
        "node.pressure",
        Status.CONFIRMED if active and evicted else Status.LIKELY,
        obj=node.meta,
        summary=f"node {node.meta.name} under {', '.join(c.type for c in active) or 'resource pressure'}"
        + (f"; {len(evicted)} pods evicted" if evicted else ""),
        facts=facts,
        names=ctx.names(None, node=node.meta.name),
        onset=min((c.changed for c in active if c.changed), default=None),
        in_scope=in_scope or bool(scoped_evictions),
    )

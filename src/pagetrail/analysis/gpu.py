"""GPU layer: GPU nodes that stopped advertising GPUs, usually after a driver or node-image
change broke the device plugin. Told apart from plain GPU exhaustion (all GPUs requested),
which is a capacity problem, not a broken node."""

from __future__ import annotations

import re

from pagetrail.analysis.context import Context, object_fact
from pagetrail.domain.objects import Node
from pagetrail.domain.pod import Pod
from pagetrail.domain.report import Fact, Status

_GPU_RESOURCE = re.compile(r"(?:nvidia\.com|amd\.com)/gpu|gpu\.intel\.com/")
_GPU_INSTANCE = re.compile(
    r"^(?:p[2-6]\w*|g[3-6]\w*|gr6\w*|Standard_N[CDVG]\w*|a[23]-\w+|g2-\w+|inf\d\w*|trn\d\w*)\.?", re.I
)
_GPU_LABELS = (
    "nvidia.com/gpu.present",
    "nvidia.com/gpu.product",
    "nvidia.com/gpu.count",
    "feature.node.kubernetes.io/pci-10de.present",
    "cloud.google.com/gke-accelerator",
    "k8s.amazonaws.com/accelerator",
    "accelerator",
    "nvidia.com/gpu",
)


def gpu_resource(resources: dict[str, str] | object) -> str:
    names = [k for k in resources if isinstance(k, str) and _GPU_RESOURCE.search(k)]  # type: ignore[union-attr]
    return names[0] if names else ""


def is_gpu_node(node: Node) -> bool:
    labels = node.meta.labels
    if any(label in labels and labels[label] not in ("false", "0") for label in _GPU_LABELS):
        return True
    if int(labels.get("karpenter.k8s.aws/instance-gpu-count", "0") or 0) > 0:
        return True
    instance = labels.get("node.kubernetes.io/instance-type") or labels.get("beta.kubernetes.io/instance-type", "")
    if instance and _GPU_INSTANCE.match(instance):
        return True
    return any(_GPU_RESOURCE.search(k) for k in node.capacity)


def _count(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _wants_gpu(pod: Pod) -> str:
    for container in pod.spec.containers:
        name = gpu_resource({**container.limits, **container.requests})
        if name:
            return name
    return ""


def analyze_gpus(ctx: Context) -> None:
    gpu_pods = [p for p in ctx.candidate_pods() if not p.is_finished and _wants_gpu(p)]
    waiting = [p for p in gpu_pods if not p.node_name or not p.is_ready]
    if not waiting:
        return
    resource = _wants_gpu(waiting[0])
    plugin_pods = [
        p
        for p in ctx.evidence.cluster.pods
        if "device-plugin" in p.meta.name or "device-plugin" in " ".join(p.meta.labels.values())
    ]
    broken: list[tuple[Node, list[Fact]]] = []
    healthy: list[tuple[Node, int, int]] = []
    for node in ctx.evidence.cluster.nodes:
        if not is_gpu_node(node):
            continue
        capacity = _count(node.capacity.get(resource))
        allocatable = _count(node.allocatable.get(resource))
        plugin = [p for p in plugin_pods if p.node_name == node.meta.name]
        if allocatable > 0 and allocatable >= capacity:
            healthy.append((node, allocatable, _requested(ctx, node, resource)))
            continue
        facts = [
            object_fact(
                node.meta,
                f"GPU node ({node.meta.labels.get('node.kubernetes.io/instance-type', 'GPU labels')}) "
                f"{resource} capacity {node.capacity.get(resource, 'absent')}, allocatable {node.allocatable.get(resource, 'absent')}",
            )
        ]
        if plugin:
            for p in plugin[:1]:
                states = ", ".join(s.state.reason or s.state.kind for s in p.statuses) or p.phase
                facts.append(
                    object_fact(p.meta, f"device plugin on {node.meta.name}: {p.phase} ({states}), ready={p.is_ready}")
                )
        else:
            facts.append(Fact(node.meta.source, f"no device-plugin pod running on {node.meta.name} in the evidence"))
        broken.append((node, facts))
    if not broken:
        if healthy:
            _refute(ctx, waiting, healthy, resource)
        return
    plugin_down = all(not any(p.node_name == n.meta.name and p.is_ready for p in plugin_pods) for n, _ in broken)
    changes = [c for c in ctx.evidence.changes if c.kind in ("node-image", "infra") and c.at <= ctx.now]
    facts = [f for _, node_facts in broken for f in node_facts][:8]
    for change in changes[-2:]:
        facts.append(Fact(change.source, f"{change.kind} change: {change.summary}", change.at))
    for pod in waiting[:2]:
        facts.append(object_fact(pod.meta, f"requests {resource}, {'Pending' if not pod.node_name else 'not ready'}"))
    nodes = ", ".join(n.meta.name for n, _ in broken[:4])
    for pod in waiting:
        ctx.add(
            "gpu.unavailable",
            Status.CONFIRMED if plugin_down else Status.LIKELY,
            pod=pod,
            summary=f"{len(broken)} GPU node(s) advertise no usable {resource} ({nodes}); the device plugin is not serving them",
            facts=facts,
            names=ctx.names(pod, node=broken[0][0].meta.name),
            onset=changes[-1].at if changes else pod.meta.created,
        )


def _requested(ctx: Context, node: Node, resource: str) -> int:
    total = 0
    for pod in ctx.evidence.cluster.pods:
        if pod.node_name == node.meta.name and not pod.is_finished:
            for container in pod.spec.containers:
                total += _count(container.limits.get(resource) or container.requests.get(resource))
    return total


def _refute(ctx: Context, waiting: list[Pod], healthy: list[tuple[Node, int, int]], resource: str) -> None:
    against = [
        object_fact(node.meta, f"{resource} allocatable {alloc} = capacity; {used} requested by running pods")
        for node, alloc, used in healthy[:4]
    ]
    for pod in waiting:
        ctx.add(
            "gpu.unavailable",
            Status.REFUTED,
            pod=pod,
            summary=f"GPU nodes advertise all their {resource}: the GPUs are in use, not missing",
            facts=[],
            against=against,
            names=ctx.names(pod),
        )

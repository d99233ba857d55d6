"""Memory headroom and GPU health from exporter series: working set near the limit and rising
(cAdvisor), and Xid errors on the GPUs of the failing pods' nodes (NVIDIA DCGM exporter)."""

from __future__ import annotations

import numpy as np

from pagetrail.analysis.context import Context, object_fact
from pagetrail.domain.pod import Pod
from pagetrail.domain.quantity import parse_quantity
from pagetrail.domain.report import Fact, Status

_WORKING_SET = "container_memory_working_set_bytes"
_LIMIT = "container_spec_memory_limit_bytes"
_XID = "DCGM_FI_DEV_XID_ERRORS"
_NODE_LABELS = ("Hostname", "node", "kubernetes_node", "instance")
# What the commonest Xid codes mean (NVIDIA's Xid catalogue).
XID_MEANING = {
    13: "graphics engine exception",
    31: "GPU memory page fault (MMU)",
    43: "GPU stopped processing",
    45: "preemptive cleanup after an earlier error",
    48: "double-bit ECC error",
    61: "internal micro-controller breakpoint",
    62: "internal micro-controller halt",
    63: "ECC page retirement or row remapping",
    64: "ECC page retirement failure",
    74: "NVLink error",
    79: "GPU has fallen off the bus",
    92: "high single-bit ECC error rate",
    94: "contained ECC error",
    95: "uncontained ECC error",
    119: "GSP RPC timeout",
    120: "GSP error",
}


def _memory_limit(pod: Pod) -> float | None:
    values = [parse_quantity(c.limits.get("memory", "")) for c in pod.spec.containers]
    return sum(v for v in values if v is not None) if values and all(v is not None for v in values) else None


def analyze_memory(ctx: Context) -> None:
    store = ctx.metrics
    if store is None:
        return
    at = store.grid(60.0)
    if at.size < 5:
        return
    for pod in (p for p in ctx.scope.pods if not p.is_finished):
        used = store.pod_gauge(_WORKING_SET, pod.meta.namespace, pod.meta.name, at)
        if used is None:
            continue
        limit_series = store.pod_gauge(_LIMIT, pod.meta.namespace, pod.meta.name, at)
        limit = _memory_limit(pod)
        if limit is None and limit_series is not None and np.isfinite(limit_series).any():
            limit = float(np.nanmax(limit_series))
        finite = np.isfinite(used)
        if not limit or finite.sum() < 5:
            continue
        share = used[finite] / limit
        tail = share[-max(5, share.size // 4) :]
        peak = float(np.max(tail))
        if peak < 0.9:
            continue
        slope = float(np.polyfit(np.arange(tail.size), tail, 1)[0]) * tail.size  # change over the tail
        rising = slope > 0.01
        source = store.named(_WORKING_SET, namespace=pod.meta.namespace, pod=pod.meta.name)[0].source
        ctx.add(
            "memory.near-limit",
            Status.CONFIRMED if rising else Status.POSSIBLE,
            pod=pod,
            summary=f"{pod.meta.name} working set at {peak:.0%} of its {limit / 2**30:.1f} GiB memory limit"
            + (", rising" if rising else ", flat"),
            facts=[
                Fact(
                    source,
                    f"working set {peak:.0%} of the limit at the end of the window, {slope:+.1%} over its last quarter",
                )
            ],
        )


def analyze_xid(ctx: Context) -> None:
    store = ctx.metrics
    if store is None:
        return
    xid = store.named(_XID)
    if not xid:
        return
    failing = [p for p in ctx.scope.pods if not p.is_finished and (not p.is_ready or p.restarts > 0)]
    nodes = {p.node_name for p in failing if p.node_name}
    for series in xid:
        node = next((series.label(k) for k in _NODE_LABELS if series.label(k)), "")
        nonzero = series.values[series.values != 0]
        if nonzero.size == 0:
            continue
        code = int(nonzero[-1])
        hosted = [p for p in failing if p.node_name and (p.node_name == node or node.startswith(p.node_name))]
        pod = hosted[0] if hosted else None
        at = float(series.times[series.values != 0][0])
        facts = [
            Fact(
                series.source,
                f"DCGM Xid {code} ({XID_MEANING.get(code, 'see NVIDIA Xid catalogue')}) on {node or 'a GPU'} gpu {series.label('gpu')}",
                at,
            )
        ]
        if pod is not None:
            facts.append(object_fact(pod.meta, f"runs on {pod.node_name} and is failing"))
            ctx.add(
                "gpu.xid-errors",
                Status.CONFIRMED,
                pod=pod,
                summary=f"GPU on {pod.node_name} reports Xid {code} ({XID_MEANING.get(code, 'hardware/driver error')})",
                facts=facts,
                names=ctx.names(pod, node=pod.node_name),
                onset=at,
            )
        elif node and node not in nodes and ctx.index.nodes.get(node) is not None:
            node_view = ctx.index.nodes[node]
            ctx.add(
                "gpu.xid-errors",
                Status.LIKELY,
                obj=node_view.meta,
                in_scope=False,
                summary=f"GPU on {node} reports Xid {code}, but none of the target's failing pods run there",
                facts=facts,
            )

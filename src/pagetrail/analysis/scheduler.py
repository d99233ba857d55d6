"""Scheduler and storage layer: why a pod is Pending, or was never created.

The scheduler's FailedScheduling message counts nodes per reason ("0/6 nodes are available:
3 Insufficient nvidia.com/gpu, 3 node(s) had untolerated taint ..."); the reason that excludes
the most nodes, ignoring taints that only keep pods off the control plane, is the one to fix.
"""

from __future__ import annotations

import re

from pagetrail.analysis.context import Context, event_fact, object_fact
from pagetrail.domain.objects import Workload
from pagetrail.domain.pod import Pod
from pagetrail.domain.report import Fact, Status

_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Insufficient|Too many pods|didn't have free ports", re.I), "scheduling.insufficient-resources"),
    (
        re.compile(
            r"node affinity/selector|didn't match node selector|didn't match Pod's node affinity|volume node affinity conflict",
            re.I,
        ),
        "scheduling.node-selector-mismatch",
    ),
    (
        re.compile(r"untolerated taint|that the pod didn't tolerate|were unschedulable|node\(s\) were not ready", re.I),
        "scheduling.untolerated-taint",
    ),
    (re.compile(r"anti-affinity|pod affinity", re.I), "scheduling.anti-affinity-conflict"),
    (
        re.compile(
            r"unbound (?:immediate )?PersistentVolumeClaims|persistentvolumeclaim \"[^\"]+\" not found|PersistentVolumeClaim is not bound",
            re.I,
        ),
        "scheduling.unbound-pvc",
    ),
]
_CONTROL_PLANE = re.compile(r"node-role\.kubernetes\.io/(?:control-plane|master)")
_COUNTED = re.compile(r"(\d+) (.+)")


def scheduler_reasons(message: str) -> list[tuple[str, int, str]]:
    """(code, node count, reason text) per reason of a FailedScheduling message."""
    head = re.split(r"\.?\s*preemption:", message, maxsplit=1)[0]
    if "available:" in head:
        head = head.split("available:", 1)[1]
    parts = re.split(r",\s*(?=\d+ )", head.strip().rstrip("."))
    reasons: list[tuple[str, int, str]] = []
    for part in parts:
        match = _COUNTED.match(part.strip())
        count, text = (int(match.group(1)), match.group(2)) if match else (0, part.strip())
        for pattern, code in _REASONS:
            if pattern.search(text):
                reasons.append((code, count, text))
                break
    if not reasons:
        for pattern, code in _REASONS:
            if pattern.search(message):
                reasons.append((code, 0, message))
                break
    return reasons


def _primary(reasons: list[tuple[str, int, str]]) -> tuple[str, int, str]:
    def weight(reason: tuple[str, int, str]) -> tuple[int, int]:
        code, count, text = reason
        structural = code == "scheduling.untolerated-taint" and bool(_CONTROL_PLANE.search(text))
        return (0 if structural else 1, count)

    return max(reasons, key=weight)


def analyze_scheduling(ctx: Context) -> None:
    for pod in ctx.candidate_pods():
        if pod.phase != "Pending" or pod.node_name:
            continue
        _pending(ctx, pod)
    _quota(ctx)


def _pending(ctx: Context, pod: Pod) -> None:
    events = [
        e for e in ctx.pod_events(pod) if e.reason in ("FailedScheduling", "NotTriggerScaleUp", "FailedAttachVolume")
    ]
    failed = [e for e in events if e.reason == "FailedScheduling"]
    cond = pod.condition("PodScheduled")
    message = ""
    facts: list[Fact] = []
    if cond is not None and cond.status == "False" and cond.message:
        message = cond.message
        facts.append(object_fact(pod.meta, f"PodScheduled=False {cond.reason}: {cond.message}", cond.changed))
    if failed:
        latest = max(failed, key=lambda e: e.last or 0)
        message = latest.message or message
        facts.append(event_fact(latest))
    facts.extend(event_fact(e) for e in events if e.reason != "FailedScheduling")
    if not message:
        return
    reasons = scheduler_reasons(message)
    if not reasons:
        return
    code, count, text = _primary(reasons)
    onset = min((e.first for e in failed if e.first is not None), default=pod.meta.created)
    requests = ", ".join(
        f"{k}={v}"
        for c in pod.spec.containers
        for k, v in {**c.requests, **c.limits}.items()
        if "gpu" in k or k in ("cpu", "memory")
    )
    if requests:
        facts.append(object_fact(pod.meta, f"requests/limits {requests}"))
    detail = ""
    if code == "scheduling.unbound-pvc":
        claims = [v.ref for v in pod.spec.volumes if v.source == "persistentVolumeClaim"]
        detail = claims[0] if claims else ""
        _claims(ctx, pod, claims)
    ctx.add(
        code,
        Status.CONFIRMED,
        pod=pod,
        summary=f"{pod.meta.name} is Pending: {text}" + (f" ({count} nodes)" if count else ""),
        facts=facts,
        names=ctx.names(pod, detail=detail),
        onset=onset,
    )
    for other, other_count, other_text in reasons:
        if other != code and not _CONTROL_PLANE.search(other_text):
            ctx.add(
                other,
                Status.POSSIBLE,
                pod=pod,
                summary=f"also excludes {other_count} nodes: {other_text}",
                facts=facts[:2],
                names=ctx.names(pod),
                onset=onset,
            )


def _claims(ctx: Context, pod: Pod, claims: list[str]) -> None:
    namespace = pod.meta.namespace
    classes = {c.meta.name for c in ctx.evidence.cluster.storage_classes}
    for name in claims:
        claim = ctx.index.claims.get((namespace, name))
        if claim is None:
            continue
        events = ctx.index.events_for("PersistentVolumeClaim", namespace, name)
        failed = [e for e in events if e.reason == "ProvisioningFailed"]
        not_found = [e for e in failed if re.search(r"storageclass\S* \"?[\w.-]+\"? not found", e.message, re.I)]
        missing_class = bool(classes) and claim.storage_class and claim.storage_class not in classes
        if not_found or missing_class:
            facts = [
                object_fact(
                    claim.meta,
                    f"phase {claim.phase or 'Pending'}, storageClassName {claim.storage_class or '(default)'}",
                )
            ]
            facts.extend(event_fact(e) for e in not_found[:2])
            if missing_class:
                facts.append(Fact(claim.meta.source, f"StorageClasses in the evidence: {', '.join(sorted(classes))}"))
            ctx.add(
                "storage.class-not-found",
                Status.CONFIRMED,
                pod=pod,
                summary=f"PVC {name} asks for StorageClass {claim.storage_class!r}, which does not exist",
                facts=facts,
                names=ctx.names(pod, detail=name),
                onset=min((e.first for e in not_found if e.first), default=claim.meta.created),
            )


def _quota(ctx: Context) -> None:
    namespaces = ctx.namespaces()
    for workload in ctx.evidence.cluster.workloads:
        meta = workload.meta
        if namespaces is not None and meta.namespace not in namespaces:
            continue
        events = [
            e
            for e in ctx.index.events_for(meta.kind, meta.namespace, meta.name)
            if e.reason == "FailedCreate" and "exceeded quota" in e.message
        ]
        failure = workload.condition("ReplicaFailure")
        if events:
            latest = max(events, key=lambda e: e.last or 0)
            onset = min((e.first for e in events if e.first), default=None)
            _quota_finding(ctx, workload, latest.message, event_fact(latest), onset)
        elif failure is not None and failure.status == "True" and "exceeded quota" in failure.message:
            # Events expire after an hour; the controller's condition keeps the message.
            fact = object_fact(meta, f"ReplicaFailure=True: {failure.message}", failure.changed)
            _quota_finding(ctx, workload, failure.message, fact, failure.changed)


def _quota_finding(ctx: Context, workload: Workload, message: str, fact: Fact, onset: float | None) -> None:
    meta = workload.meta
    parent = meta.controller()
    owner = f"{parent.kind}/{meta.namespace}/{parent.name}" if parent else meta.ref
    quota = re.search(r"exceeded quota: ([\w.-]+)", message)
    facts = [fact]
    if workload.replicas is not None:
        facts.append(
            object_fact(
                meta, f"desired {workload.replicas} replicas, {workload.current} created, {workload.ready} ready"
            )
        )
    ctx.add(
        "scheduling.quota-exceeded",
        Status.CONFIRMED,
        obj=meta,
        owner=owner,
        summary=f"ResourceQuota {quota.group(1) if quota else ''} blocks creating pods for {owner.split('/', 1)[1]}",
        facts=facts,
        names=ctx.names(None, namespace=meta.namespace, owner=owner),
        onset=onset,
        in_scope=ctx.scope.covers(owner) or ctx.scope.covers(meta.ref),
    )

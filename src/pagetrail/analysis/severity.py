"""Severity from seed 003's decision tree: can users reach the service at all (no → SEV1);
what share of requests fail (>50% SEV1, 10-50% SEV2, 5-10% SEV3); how much capacity is left;
no user impact → SEV4. The reason is said in words, with the numbers behind it."""

from __future__ import annotations

from pagetrail.analysis.context import Context
from pagetrail.analysis.log_signals import error_profile
from pagetrail.domain.report import Hypothesis, Severity, Status

_UNREACHABLE_CODES = frozenset(
    {
        "ingress.class-missing",
        "ingress.backend-missing",
        "service.selector-mismatch",
        "network.policy-blocking",
        "service.no-ready-endpoints",
    }
)


def _request_error_share(ctx: Context) -> tuple[float, int] | None:
    errors = total = 0
    for pod in ctx.scope.pods:
        if not pod.is_ready:
            continue
        for status in pod.statuses:
            current, _ = ctx.logs_of(pod, status.name)
            if current is None:
                continue
            profile = error_profile(current)
            errors += profile.server_errors
            total += profile.requests
    return (errors / total, total) if total >= 5 else None


def _share_level(share: float) -> str | None:
    if share > 0.5:
        return "SEV1"
    if share >= 0.10:
        return "SEV2"
    if share >= 0.05:
        return "SEV3"
    return None


def classify(ctx: Context, root: Hypothesis | None, hypotheses: list[Hypothesis]) -> Severity:
    scoped = [h for h in hypotheses if h.explains_target and h.status in (Status.CONFIRMED, Status.LIKELY)]
    if root is None or not scoped:
        return Severity(
            "SEV4",
            "no user impact found on the target's path"
            + ("" if ctx.scope.pods else " (no serving pods in the evidence)"),
        )
    serving = [p for p in ctx.scope.pods if not p.is_finished]
    ready = [p for p in serving if p.is_ready]
    front = bool(ctx.scope.services or ctx.scope.ingresses)
    blocking = [h for h in scoped if h.code in _UNREACHABLE_CODES and h.status is Status.CONFIRMED]
    desired = sum(
        w.replicas or 0
        for w in ctx.scope.workloads
        if w.meta.kind in ("Deployment", "StatefulSet") and w.meta.controller() is None
    )
    if blocking:
        return Severity("SEV1", f"users cannot reach the service: {blocking[0].summary}")
    if (serving and not ready) or (desired and not ready):
        where = "behind the Service" if front else "of the workload"
        return Severity("SEV1", f"complete outage: 0 of {max(len(serving), desired)} pods {where} are ready")
    if ctx.error_share is not None and (level := _share_level(ctx.error_share)):
        return Severity(level, f"{ctx.error_share:.0%} of requests fail with 5xx (request metrics)")
    share = _request_error_share(ctx)
    if share is not None and (level := _share_level(share[0])):
        return Severity(level, f"{share[0]:.0%} of {share[1]} logged requests fail with 5xx")
    failing_all = [
        h
        for h in scoped
        if h.code in ("app.db-schema-mismatch", "app.exception", "dependency.unreachable", "app.permission-denied")
        and h.affected_pods
        and h.affected_pods >= len(ready)
    ]
    if failing_all and ready:
        return Severity("SEV1", f"every serving pod fails requests: {failing_all[0].summary}")
    if ctx.latency_ratio is not None and ctx.latency_ratio >= 2:
        # Seed 003: 10x normal is SEV2, 2x is SEV3; from 5x users feel it as major (spec example: 7x SEV2).
        level = "SEV2" if ctx.latency_ratio >= 5 else "SEV3"
        return Severity(level, f"latency {ctx.latency_ratio:.0f}x its baseline at peak, requests still succeed")
    mismatch = [h for h in scoped if h.code == "model.version-mismatch"]
    if mismatch:
        share_wrong = mismatch[0].affected_pods / max(len(serving), 1)
        level = "SEV2" if share_wrong > 0.5 else "SEV3"
        return Severity(
            level,
            f"{share_wrong:.0%} of serving pods answer with the wrong model version: predictions are wrong, not failing",
        )
    total = max(desired, len(serving))
    if total and len(ready) < total:
        fraction = len(ready) / total
        if fraction < 0.5:
            return Severity(
                "SEV2", f"partial outage: only {len(ready)} of {total} pods ready ({fraction:.0%} capacity)"
            )
        return Severity("SEV3", f"degraded: {len(ready)} of {total} pods ready; the rest are failing ({root.code})")
    return Severity("SEV3", f"{root.summary}; serving pods are up, impact limited")

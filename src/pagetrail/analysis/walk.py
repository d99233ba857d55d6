"""Describe the target's request path link by link, marking the broken ones."""

from __future__ import annotations

from pagetrail.analysis.context import Context
from pagetrail.domain.report import Hypothesis, PathStep, Status


def _state_of(ref: str, hypotheses: list[Hypothesis]) -> tuple[str, str]:
    for h in hypotheses:
        if h.status in (Status.CONFIRMED, Status.LIKELY) and h.explains_target and ref in h.objects:
            return ("broken" if h.status is Status.CONFIRMED else "degraded"), f"{h.code}: {h.summary}"
    return "ok", ""


def describe_path(ctx: Context, hypotheses: list[Hypothesis]) -> list[PathStep]:
    if ctx.scope.everything:
        return []
    steps: list[PathStep] = []
    for ingress in ctx.scope.ingresses:
        state, why = _state_of(ingress.meta.ref, hypotheses)
        address = ", ".join(ingress.addresses) or "no address"
        steps.append(
            PathStep(
                "Ingress", ingress.meta.name, state, why or f"class {ingress.class_name or '(default)'}, {address}"
            )
        )
    for service in ctx.scope.services:
        state, why = _state_of(service.meta.ref, hypotheses)
        endpoints = ctx.index.endpoints.get((service.meta.namespace, service.meta.name), [])
        ready = sum(1 for e in endpoints for a in e.addresses if a.ready)
        total = sum(len(e.addresses) for e in endpoints)
        fact = why or (
            f"{ready} of {total} endpoints ready"
            if endpoints
            else f"selector {service.selector.describe() if service.selector else '(none)'}"
        )
        steps.append(PathStep("Service", service.meta.name, state, fact))
    pods = [p for p in ctx.scope.pods if not p.is_finished]
    if pods or ctx.scope.workloads:
        ready = sum(1 for p in pods if p.is_ready)
        broken = [
            h
            for h in hypotheses
            if h.explains_target
            and h.status in (Status.CONFIRMED, Status.LIKELY)
            and any(o.startswith("Pod/") for o in h.objects)
        ]
        state = "ok" if ready == len(pods) and pods and not broken else ("broken" if ready == 0 else "degraded")
        owners = ", ".join(sorted({w.meta.name for w in ctx.scope.workloads if w.meta.controller() is None})) or "pods"
        why = f"{ready} of {len(pods)} pods ready"
        if broken:
            why += f"; {broken[0].code}: {broken[0].summary}"
        steps.append(PathStep("Pods", owners, state, why))
    nodes = sorted({p.node_name for p in pods if p.node_name})
    if nodes:
        bad = [n for n in nodes if n in ctx.index.nodes and not ctx.index.nodes[n].is_ready]
        captured = [n for n in nodes if n in ctx.index.nodes]
        if captured:
            steps.append(
                PathStep(
                    "Nodes",
                    ", ".join(nodes[:4]) + (" …" if len(nodes) > 4 else ""),
                    "broken" if bad else "ok",
                    f"{len(captured) - len(bad)} of {len(captured)} nodes Ready"
                    + (f"; NotReady: {', '.join(bad)}" if bad else ""),
                )
            )
    return steps

"""Triage: evidence in, report out. The one code path for bundles, live clusters and fixtures."""

from __future__ import annotations

import re

from pagetrail.analysis.alerting import analyze_alarms, first_alarm_at
from pagetrail.analysis.autoscaling import analyze_autoscalers
from pagetrail.analysis.capacity import analyze_cpu
from pagetrail.analysis.config import analyze_config
from pagetrail.analysis.containers import analyze_containers
from pagetrail.analysis.context import Context
from pagetrail.analysis.errors import analyze_error_rate
from pagetrail.analysis.gpu import analyze_gpus
from pagetrail.analysis.image import analyze_images
from pagetrail.analysis.index import build_index
from pagetrail.analysis.latency import analyze_latency
from pagetrail.analysis.metric_store import MetricStore
from pagetrail.analysis.model import analyze_model_versions
from pagetrail.analysis.netpolicy import analyze_network_policies
from pagetrail.analysis.network import analyze_ingresses, analyze_services
from pagetrail.analysis.node import analyze_nodes
from pagetrail.analysis.predictions import analyze_prediction_classes
from pagetrail.analysis.ranking import Reach, choose_root, collapse_refuted, order
from pagetrail.analysis.resources import analyze_memory, analyze_xid
from pagetrail.analysis.rollout import analyze_rollouts
from pagetrail.analysis.scheduler import analyze_scheduling
from pagetrail.analysis.severity import classify
from pagetrail.analysis.timeline import build_timeline
from pagetrail.analysis.topology import pods_selected, resolve_scope
from pagetrail.analysis.traffic import analyze_retry_storm
from pagetrail.analysis.walk import describe_path
from pagetrail.domain.causes import cause
from pagetrail.domain.evidence import Evidence, Target
from pagetrail.domain.report import Fact, Hypothesis, Report, Status

ANALYZERS = (
    analyze_scheduling,
    analyze_images,
    analyze_config,
    analyze_containers,
    analyze_services,
    analyze_ingresses,
    analyze_network_policies,
    analyze_nodes,
    analyze_gpus,
    analyze_model_versions,
    analyze_cpu,
    analyze_autoscalers,
    analyze_memory,
    analyze_xid,
    analyze_alarms,
    analyze_error_rate,
    analyze_prediction_classes,
    analyze_latency,
    analyze_retry_storm,
)
_MAX_OTHER = 10


def triage(evidence: Evidence, target: Target | None = None) -> Report:
    """Rank the causes of the target's symptom (or of everything in the evidence)."""
    manifest = evidence.manifest
    now = manifest.captured_at or evidence.newest_time or 0.0
    target = target or manifest.target
    index = build_index(evidence)
    scope = resolve_scope(index, evidence, target)
    ctx = Context(evidence=evidence, index=index, scope=scope, now=now)
    if evidence.metrics:
        ctx.metrics = MetricStore(evidence.metrics)
    for analyzer in ANALYZERS:
        analyzer(ctx)
    hypotheses = ctx.findings.merge()
    onset = _onset(hypotheses, manifest.detected_at)
    paged = min((t for t in (first_alarm_at(ctx), ctx.latency_onset) if t is not None), default=None)
    if paged is not None:
        onset = paged if onset is None else min(onset, paged)
    rollouts = analyze_rollouts(ctx, hypotheses, onset)
    hypotheses.extend(rollouts)
    _point_rollbacks_at_known_good(hypotheses, rollouts)
    hypotheses = collapse_refuted(hypotheses)
    in_scope = [h for h in hypotheses if h.explains_target]
    others = [h for h in hypotheses if not h.explains_target and h.status is not Status.REFUTED]
    in_scope.extend(_refute_elsewhere(in_scope, others))
    scope_pods: dict[str, int] = {}
    for pod in scope.pods:
        if not pod.is_finished:
            owner = index.owner_ref(pod)
            scope_pods[owner] = scope_pods.get(owner, 0) + 1
    serving = frozenset(index.owner_ref(p) for s in scope.services for p in pods_selected(index, s))
    reach = Reach(scope_pods, serving)
    root = choose_root(in_scope, reach)
    ordered = order(in_scope, root, reach)
    if root is not None:
        root_onset = _onset([root], manifest.detected_at)
        onset = root_onset if paged is None or root_onset is None else min(root_onset, paged)
    report = Report(
        captured_at=now,
        target={"namespace": target.namespace, "kind": target.kind, "name": target.name} if target else None,
        severity=classify(ctx, root, ordered),
        root_cause=root,
        hypotheses=ordered,
        timeline=build_timeline(ctx, root, onset),
        skipped=[],
        path=describe_path(ctx, ordered),
        other_findings=sorted(others, key=lambda h: (-h.status.weight, -h.specificity))[:_MAX_OTHER],
        onset=onset,
    )
    # Read last: lazily read parts (pod specs) may have added problems during analysis.
    report.skipped = [(s.file, s.line, s.problem) for s in evidence.skipped]
    return report


def _point_rollbacks_at_known_good(hypotheses: list[Hypothesis], rollouts: list[Hypothesis]) -> None:
    """Every rollback advice for a workload names the same known-good revision the change
    analysis found, so `rollout undo` does not land on a failed patch in between."""
    for change in rollouts:
        match = re.search(r"--to-revision=\d+", change.mitigation or "")
        if match is None:
            continue
        for hypothesis in hypotheses:
            mitigation = hypothesis.mitigation
            if (
                hypothesis.owner == change.owner
                and mitigation
                and "rollout undo" in mitigation
                and "--to-revision" not in mitigation
            ):
                hypothesis.mitigation = re.sub(
                    r"(kubectl rollout undo [\w/.-]+ -n [\w.-]+)", rf"\1 {match.group(0)}", mitigation, count=1
                )


def _onset(hypotheses: list[Hypothesis], detected_at: float | None) -> float | None:
    times = [
        h.onset
        for h in hypotheses
        if h.explains_target
        and h.onset is not None
        and h.status in (Status.CONFIRMED, Status.LIKELY)
        and h.code != "change.bad-rollout"
    ]
    onset = min(times) if times else None
    if detected_at is not None and (onset is None or detected_at < onset):
        return detected_at if onset is None else min(onset, detected_at)
    return onset


def _refute_elsewhere(in_scope: list[Hypothesis], others: list[Hypothesis]) -> list[Hypothesis]:
    """A problem off the target's path (a Pending pod of another Deployment) is a false trail
    for the target: keep it in the list as refuted, with the fact that rules it out."""
    held = {h.code for h in in_scope}
    refuted: list[Hypothesis] = []
    for other in others:
        if other.code in held or other.status not in (Status.CONFIRMED, Status.LIKELY):
            continue
        held.add(other.code)
        info = cause(other.code)
        refuted.append(
            Hypothesis(
                code=other.code,
                layer=info.layer,
                status=Status.REFUTED,
                summary=f"{other.summary}: but {other.owner} is not on the target's path",
                objects=other.objects,
                evidence_for=other.evidence_for[:2],
                evidence_against=[
                    Fact("triage", f"{other.owner} is neither the target nor behind its Service/Ingress")
                ],
                next_check="none: refuted",
                mitigation=None,
                explains_target=True,
                specificity=info.specificity,
                owner=other.owner,
            )
        )
    return refuted

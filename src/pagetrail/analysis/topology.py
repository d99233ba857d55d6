"""The outside-in walk of seed 001: ingress → service → endpoints → pods → containers → nodes.

Resolving the target to the objects on its request path is what lets triage say *which link* is
broken, and keeps a failing pod that the target never routes to from being blamed for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pagetrail.analysis.index import Index
from pagetrail.domain.evidence import Evidence, Target
from pagetrail.domain.objects import Ingress, Service, Workload
from pagetrail.domain.pod import Pod

KIND_ALIASES = {
    "deploy": "Deployment",
    "deployment": "Deployment",
    "deployments": "Deployment",
    "svc": "Service",
    "service": "Service",
    "services": "Service",
    "ing": "Ingress",
    "ingress": "Ingress",
    "ingresses": "Ingress",
    "po": "Pod",
    "pod": "Pod",
    "pods": "Pod",
    "sts": "StatefulSet",
    "statefulset": "StatefulSet",
    "statefulsets": "StatefulSet",
    "ds": "DaemonSet",
    "daemonset": "DaemonSet",
    "daemonsets": "DaemonSet",
    "job": "Job",
    "jobs": "Job",
    "cj": "CronJob",
    "cronjob": "CronJob",
    "cronjobs": "CronJob",
    "hpa": "HorizontalPodAutoscaler",
    "horizontalpodautoscaler": "HorizontalPodAutoscaler",
}


class TargetNotFoundError(LookupError):
    """The target named by the user or bundle.yaml is not in the evidence."""


@dataclass(slots=True)
class Scope:
    """The objects on the target's request path; `everything` when no target was given."""

    target: Target | None
    ingresses: list[Ingress] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    pods: list[Pod] = field(default_factory=list)
    pod_keys: set[tuple[str, str]] = field(default_factory=set)
    owner_refs: set[str] = field(default_factory=set)
    everything: bool = False

    def has_pod(self, pod: Pod) -> bool:
        return self.everything or (pod.meta.namespace, pod.meta.name) in self.pod_keys

    def covers(self, ref: str) -> bool:
        """Whether an object ref (Kind/ns/name) lies on the target's path."""
        if self.everything:
            return True
        if ref in self.owner_refs:
            return True
        return any(i.meta.ref == ref for i in self.ingresses) or any(s.meta.ref == ref for s in self.services)


def normalise_kind(kind: str) -> str:
    return KIND_ALIASES.get(kind.lower(), kind)


def pods_selected(index: Index, service: Service) -> list[Pod]:
    if service.selector is None:
        return []
    return [
        pod
        for pod in index.pods_by_namespace.get(service.meta.namespace, [])
        if not pod.is_finished and service.selector.matches(pod.meta.labels)
    ]


def pods_of_workload(index: Index, workload: Workload) -> list[Pod]:
    ref = workload.meta.ref
    found = [
        pod
        for pod in index.pods_by_namespace.get(workload.meta.namespace, [])
        if index.owner_ref(pod) == ref or (pod.meta.controller() and _owner_ref(pod) == ref)
    ]
    if not found and not workload.selector.is_empty:
        # Pods captured without their ReplicaSets and with unusual names: fall back to labels.
        found = [
            pod
            for pod in index.pods_by_namespace.get(workload.meta.namespace, [])
            if workload.selector.matches(pod.meta.labels)
        ]
    return found


def _owner_ref(pod: Pod) -> str:
    owner = pod.meta.controller()
    return f"{owner.kind}/{pod.meta.namespace}/{owner.name}" if owner else ""


def services_for_pods(index: Index, namespace: str, labels_list: list[dict[str, str]]) -> list[Service]:
    found = []
    for (ns, _name), service in index.services.items():
        if ns != namespace or service.selector is None:
            continue
        if any(service.selector.matches(labels) for labels in labels_list):
            found.append(service)
    return found


def ingresses_for(index: Index, services: list[Service]) -> list[Ingress]:
    keys = {(s.meta.namespace, s.meta.name) for s in services}
    return [ing for ing in index.ingresses if any((ing.meta.namespace, b.service) in keys for b in ing.backends)]


def resolve_scope(index: Index, evidence: Evidence, target: Target | None) -> Scope:
    if target is None:
        scope = Scope(target=None, everything=True)
        scope.pods = [p for p in evidence.cluster.pods if not p.is_finished]
        scope.services = list(evidence.cluster.services)
        scope.ingresses = list(evidence.cluster.ingresses)
        return scope
    scope = Scope(target=target)
    namespace, kind, name = target.namespace, target.kind, target.name
    if kind == "Namespace":
        # Everything in one namespace: what `-n NS` without a target asks for.
        scope.pods = [p for p in index.pods_by_namespace.get(name, []) if not p.is_finished]
        scope.services = [s for (ns, _), s in index.services.items() if ns == name]
        scope.ingresses = [i for i in index.ingresses if i.meta.namespace == name]
        scope.workloads = [
            w for w in evidence.cluster.workloads if w.meta.namespace == name and w.meta.controller() is None
        ]
        scope.owner_refs = {w.meta.ref for w in scope.workloads}
    elif kind == "Ingress":
        found = [i for i in index.ingresses if i.meta.name == name and i.meta.namespace == namespace]
        if not found:
            raise _not_found(index, evidence, target)
        scope.ingresses = found
        scope.services = [
            index.services[(namespace, b.service)]
            for b in found[0].backends
            if (namespace, b.service) in index.services
        ]
        _add_service_pods(index, scope)
    elif kind == "Service":
        service = index.services.get((namespace, name))
        if service is None:
            raise _not_found(index, evidence, target)
        scope.services = [service]
        scope.ingresses = ingresses_for(index, scope.services)
        _add_service_pods(index, scope)
    elif kind == "Pod":
        pod = index.pods.get((namespace, name))
        if pod is None:
            raise _not_found(index, evidence, target)
        scope.pods = [pod]
        scope.owner_refs.add(index.owner_ref(pod))
        scope.services = services_for_pods(index, namespace, [dict(pod.meta.labels)])
        scope.ingresses = ingresses_for(index, scope.services)
    else:
        if kind == "HorizontalPodAutoscaler":
            hpa = next(
                (h for h in evidence.cluster.autoscalers if h.meta.name == name and h.meta.namespace == namespace),
                None,
            )
            if hpa is None:
                raise _not_found(index, evidence, target)
            kind, name = hpa.target_kind, hpa.target_name
        workload = index.workload(kind, namespace, name)
        if workload is None:
            raise _not_found(index, evidence, Target(namespace, kind, name))
        scope.workloads = [workload]
        scope.owner_refs.add(workload.meta.ref)
        scope.pods = [p for p in pods_of_workload(index, workload) if not p.is_finished or kind in ("Job", "CronJob")]
        scope.services = services_for_pods(index, namespace, [dict(workload.template.labels)])
        scope.ingresses = ingresses_for(index, scope.services)
    scope.pod_keys = {(p.meta.namespace, p.meta.name) for p in scope.pods}
    for pod in scope.pods:
        scope.owner_refs.add(index.owner_ref(pod))
    for ref in list(scope.owner_refs):
        scope.workloads.extend(w for w in (index.workload(*_split(ref)),) if w is not None and w not in scope.workloads)
    return scope


def _split(ref: str) -> tuple[str, str, str]:
    kind, namespace, name = ref.split("/", 2) if ref.count("/") >= 2 else (ref, "", "")
    return kind, namespace, name


def _add_service_pods(index: Index, scope: Scope) -> None:
    for service in scope.services:
        for pod in pods_selected(index, service):
            if pod not in scope.pods:
                scope.pods.append(pod)
    for pod in scope.pods:
        scope.owner_refs.add(index.owner_ref(pod))


def _not_found(index: Index, evidence: Evidence, target: Target) -> TargetNotFoundError:
    cluster = evidence.cluster
    metas = [
        *(w.meta for w in cluster.workloads),
        *(s.meta for s in cluster.services),
        *(i.meta for i in cluster.ingresses),
        *(p.meta for p in cluster.pods),
    ]
    same_kind = sorted({m.name for m in metas if m.kind == target.kind and m.namespace == target.namespace})
    hint = f"; {target.kind}s there: {', '.join(same_kind[:8])}" if same_kind else ""
    del index
    return TargetNotFoundError(
        f"target {target.kind}/{target.name} not found in namespace {target.namespace or '(none)'}{hint}"
    )

"""Lookup tables over the cluster, built once per triage in O(objects)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pagetrail.domain.evidence import Cluster, ContainerLog, Evidence
from pagetrail.domain.objects import (
    ConfigData,
    Endpoints,
    Event,
    Ingress,
    Node,
    PersistentVolumeClaim,
    Service,
    Workload,
)
from pagetrail.domain.pod import Pod

Key = tuple[str, str]  # (namespace, name)


@dataclass(slots=True)
class Index:
    pods: dict[Key, Pod] = field(default_factory=dict)
    pods_by_namespace: dict[str, list[Pod]] = field(default_factory=lambda: defaultdict(list))
    workloads: dict[tuple[str, str, str], Workload] = field(default_factory=dict)
    workloads_by_uid: dict[str, Workload] = field(default_factory=dict)
    children: dict[str, list[Workload]] = field(default_factory=lambda: defaultdict(list))
    services: dict[Key, Service] = field(default_factory=dict)
    endpoints: dict[Key, list[Endpoints]] = field(default_factory=lambda: defaultdict(list))
    ingresses: list[Ingress] = field(default_factory=list)
    nodes: dict[str, Node] = field(default_factory=dict)
    events: dict[tuple[str, str, str], list[Event]] = field(default_factory=lambda: defaultdict(list))
    config_maps: dict[Key, ConfigData] = field(default_factory=dict)
    secrets: dict[Key, ConfigData] = field(default_factory=dict)
    claims: dict[Key, PersistentVolumeClaim] = field(default_factory=dict)
    logs: dict[Key, list[ContainerLog]] = field(default_factory=lambda: defaultdict(list))
    namespaces_with: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def events_for(self, kind: str, namespace: str, name: str) -> list[Event]:
        return self.events.get((kind, namespace, name), [])

    def workload(self, kind: str, namespace: str, name: str) -> Workload | None:
        return self.workloads.get((kind, namespace, name))

    def has_kind_in(self, kind: str, namespace: str) -> bool:
        """Whether the evidence holds any object of this kind in the namespace: absence of an
        object only means something when its kind was captured at all."""
        return namespace in self.namespaces_with.get(kind, set())

    def owner_of(self, pod: Pod) -> Workload | None:
        """The top-level controller of a pod: Deployment over ReplicaSet, CronJob over Job."""
        ref = pod.meta.controller()
        if ref is None:
            return None
        workload = self.workloads_by_uid.get(ref.uid) if ref.uid else None
        if workload is None:
            workload = self.workload(ref.kind, pod.meta.namespace, ref.name)
        if workload is None:
            return None
        parent = workload.meta.controller()
        if parent is not None:
            top = self.workload(parent.kind, workload.meta.namespace, parent.name)
            if top is not None:
                return top
        return workload

    def owner_ref(self, pod: Pod) -> str:
        """`Kind/ns/name` of the top owner, falling back to the ownerReference or the pod."""
        owner = self.owner_of(pod)
        if owner is not None:
            return owner.meta.ref
        ref = pod.meta.controller()
        if ref is not None:
            if ref.kind == "ReplicaSet" and "-" in ref.name:
                return f"Deployment/{pod.meta.namespace}/{ref.name.rsplit('-', 1)[0]}"
            return f"{ref.kind}/{pod.meta.namespace}/{ref.name}"
        return pod.meta.ref

    def replica_set_of(self, pod: Pod) -> Workload | None:
        ref = pod.meta.controller()
        if ref is None or ref.kind != "ReplicaSet":
            return None
        return self.workload("ReplicaSet", pod.meta.namespace, ref.name)


def build_index(evidence: Evidence) -> Index:
    cluster: Cluster = evidence.cluster
    index = Index()
    for pod in cluster.pods:
        key = (pod.meta.namespace, pod.meta.name)
        index.pods[key] = pod
        index.pods_by_namespace[pod.meta.namespace].append(pod)
    for workload in cluster.workloads:
        meta = workload.meta
        index.workloads[(meta.kind, meta.namespace, meta.name)] = workload
        if meta.uid:
            index.workloads_by_uid[meta.uid] = workload
    for workload in cluster.workloads:
        parent = workload.meta.controller()
        if parent is not None:
            index.children[f"{parent.kind}/{workload.meta.namespace}/{parent.name}"].append(workload)
    for service in cluster.services:
        index.services[(service.meta.namespace, service.meta.name)] = service
    for endpoints in cluster.endpoints:
        index.endpoints[(endpoints.meta.namespace, endpoints.service)].append(endpoints)
    index.ingresses = list(cluster.ingresses)
    index.nodes = {node.meta.name: node for node in cluster.nodes}
    for event in cluster.events:
        index.events[(event.kind, event.namespace, event.name)].append(event)
    index.config_maps = {(c.meta.namespace, c.meta.name): c for c in cluster.config_maps}
    index.secrets = {(s.meta.namespace, s.meta.name): s for s in cluster.secrets}
    index.claims = {(c.meta.namespace, c.meta.name): c for c in cluster.claims}
    for log in evidence.logs:
        index.logs[(log.namespace, log.pod)].append(log)
    for views, kind in (
        (cluster.config_maps, "ConfigMap"),
        (cluster.secrets, "Secret"),
        (cluster.services, "Service"),
        (cluster.claims, "PersistentVolumeClaim"),
        (cluster.pods, "Pod"),
    ):
        for view in views:
            index.namespaces_with[kind].add(view.meta.namespace)
    return index

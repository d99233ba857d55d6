"""Views of the non-pod Kubernetes kinds triage reads.

Each view keeps only the fields some analyzer reads, so a bundle of 100,000 events fits in a
small multiple of its size on disk; the source file is kept on `meta.source` for citations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pagetrail.domain.meta import LabelSelector, Meta
from pagetrail.domain.pod import Condition, PodTemplate, find_condition


@dataclass(slots=True)
class Workload:
    """Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or CronJob."""

    meta: Meta
    selector: LabelSelector
    template: PodTemplate
    replicas: int | None = None
    ready: int = 0
    available: int = 0
    updated: int = 0
    current: int = 0
    succeeded: int = 0
    failed: int = 0
    conditions: tuple[Condition, ...] = ()
    revision: int | None = None

    def condition(self, kind: str) -> Condition | None:
        return find_condition(self.conditions, kind)


@dataclass(slots=True, frozen=True)
class ServicePort:
    name: str
    port: int
    target_port: int | str
    protocol: str


@dataclass(slots=True)
class Service:
    meta: Meta
    type: str
    selector: LabelSelector | None  # None: no selector, endpoints managed by hand
    ports: tuple[ServicePort, ...]
    external_name: str = ""


@dataclass(slots=True)
class EndpointAddress:
    ip: str
    ready: bool
    pod: str  # targetRef name when it is a Pod
    node: str = ""


@dataclass(slots=True)
class Endpoints:
    """An Endpoints object or one EndpointSlice; `service` is the Service it belongs to."""

    meta: Meta
    service: str
    addresses: tuple[EndpointAddress, ...]
    ports: tuple[tuple[str, int], ...] = ()


@dataclass(slots=True, frozen=True)
class IngressBackend:
    host: str
    path: str
    service: str
    port: int | str | None


@dataclass(slots=True)
class Ingress:
    meta: Meta
    class_name: str
    backends: tuple[IngressBackend, ...]
    addresses: tuple[str, ...]


@dataclass(slots=True)
class IngressClass:
    meta: Meta
    controller: str
    is_default: bool


@dataclass(slots=True, frozen=True)
class Taint:
    key: str
    value: str
    effect: str


@dataclass(slots=True)
class Node:
    meta: Meta
    conditions: tuple[Condition, ...]
    capacity: Mapping[str, str]
    allocatable: Mapping[str, str]
    taints: tuple[Taint, ...] = ()
    unschedulable: bool = False
    info: Mapping[str, str] = field(default_factory=dict)

    def condition(self, kind: str) -> Condition | None:
        return find_condition(self.conditions, kind)

    @property
    def is_ready(self) -> bool:
        cond = self.condition("Ready")
        return cond is not None and cond.status == "True"


@dataclass(slots=True)
class Event:
    """A core/v1 or events.k8s.io/v1 Event, reduced to what it says about which object."""

    kind: str
    namespace: str
    name: str
    uid: str
    reason: str
    message: str
    type: str
    count: int
    first: float | None
    last: float | None
    component: str
    field_path: str
    source: str
    key: str = ""  # the Event's own namespace/name/uid, for de-duplication
    resource_version: str = ""

    @property
    def at(self) -> float | None:
        return self.last if self.last is not None else self.first


@dataclass(slots=True)
class PersistentVolumeClaim:
    meta: Meta
    phase: str
    storage_class: str
    volume: str


@dataclass(slots=True)
class StorageClass:
    meta: Meta
    provisioner: str
    is_default: bool


@dataclass(slots=True)
class ConfigData:
    """ConfigMap or Secret: names of keys only. Secret values are never read."""

    meta: Meta
    keys: frozenset[str]


@dataclass(slots=True, frozen=True)
class PolicyPeer:
    pod_selector: LabelSelector | None
    namespace_selector: LabelSelector | None
    ip_block: str = ""
    except_blocks: tuple[str, ...] = ()


@dataclass(slots=True, frozen=True)
class PolicyRule:
    peers: tuple[PolicyPeer, ...]  # empty: every source
    ports: tuple[int | str, ...]  # empty: every port


@dataclass(slots=True)
class NetworkPolicy:
    meta: Meta
    pod_selector: LabelSelector
    policy_types: tuple[str, ...]
    ingress: tuple[PolicyRule, ...]


@dataclass(slots=True)
class Autoscaler:
    """HorizontalPodAutoscaler, autoscaling/v1 or v2."""

    meta: Meta
    target_kind: str
    target_name: str
    min_replicas: int
    max_replicas: int
    current_replicas: int
    desired_replicas: int
    cpu_target_percent: int | None
    cpu_current_percent: int | None
    conditions: tuple[Condition, ...] = ()

    def condition(self, kind: str) -> Condition | None:
        return find_condition(self.conditions, kind)


@dataclass(slots=True)
class Quota:
    meta: Meta
    hard: Mapping[str, str]
    used: Mapping[str, str]


@dataclass(slots=True)
class OtherObject:
    """Any other kind (custom resources too): kept and shown, never an error."""

    meta: Meta

"""Evidence: everything triage may look at, whatever source it came from.

A bundle folder, a live cluster and a test fixture all produce this one shape, so there is one
code path from evidence to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pagetrail.domain.alarms import CloudWatch
from pagetrail.domain.objects import (
    Autoscaler,
    ConfigData,
    Endpoints,
    Event,
    Ingress,
    IngressClass,
    NetworkPolicy,
    Node,
    OtherObject,
    PersistentVolumeClaim,
    Quota,
    Service,
    StorageClass,
    Workload,
)
from pagetrail.domain.pod import Pod
from pagetrail.domain.series import Series

WORKLOAD_KINDS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob")


@dataclass(slots=True)
class Cluster:
    """All Kubernetes objects of the evidence, by kind."""

    pods: list[Pod] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    endpoints: list[Endpoints] = field(default_factory=list)
    ingresses: list[Ingress] = field(default_factory=list)
    ingress_classes: list[IngressClass] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    claims: list[PersistentVolumeClaim] = field(default_factory=list)
    storage_classes: list[StorageClass] = field(default_factory=list)
    config_maps: list[ConfigData] = field(default_factory=list)
    secrets: list[ConfigData] = field(default_factory=list)
    network_policies: list[NetworkPolicy] = field(default_factory=list)
    autoscalers: list[Autoscaler] = field(default_factory=list)
    quotas: list[Quota] = field(default_factory=list)
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)
    others: list[OtherObject] = field(default_factory=list)
    kinds_seen: set[str] = field(default_factory=set)


@dataclass(slots=True)
class LogLine:
    number: int  # 1-based line number in its file
    at: float | None  # from a `--timestamps` prefix
    text: str


@dataclass(slots=True)
class ContainerLog:
    """What `kubectl logs` (or `--previous`) printed for one container."""

    namespace: str
    pod: str
    container: str
    previous: bool
    source: str
    lines: list[LogLine]
    total_lines: int


@dataclass(slots=True, frozen=True)
class Change:
    """A change no Kubernetes object records (changes.yaml)."""

    at: float
    kind: str
    summary: str
    scope: tuple[tuple[str, str], ...]
    source: str


@dataclass(slots=True, frozen=True)
class Target:
    namespace: str
    kind: str
    name: str

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else self.kind


@dataclass(slots=True)
class Manifest:
    """`bundle.yaml`: what the bundle is about."""

    captured_at: float | None = None
    target: Target | None = None
    detected_at: float | None = None
    symptom: str = ""
    expected_model_version: str = ""


@dataclass(slots=True, frozen=True)
class Skipped:
    """A file (or object, or query) that could not be read, and why."""

    file: str
    line: int | None
    problem: str


@dataclass(slots=True)
class Evidence:
    cluster: Cluster = field(default_factory=Cluster)
    logs: list[ContainerLog] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    manifest: Manifest = field(default_factory=Manifest)
    skipped: list[Skipped] = field(default_factory=list)
    metrics: list[Series] = field(default_factory=list)
    cloudwatch: CloudWatch = field(default_factory=CloudWatch)
    newest_time: float | None = None

    def log_for(self, namespace: str, pod: str, container: str, *, previous: bool) -> ContainerLog | None:
        for log in self.logs:
            if (
                log.pod == pod
                and log.container == container
                and log.previous == previous
                and log.namespace == namespace
            ):
                return log
        return None

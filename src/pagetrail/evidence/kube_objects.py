"""Turn one kubectl object (already parsed from JSON/YAML) into a domain view in a Cluster."""

from __future__ import annotations

from collections.abc import Callable

from pagetrail.domain.evidence import WORKLOAD_KINDS, Cluster, Skipped
from pagetrail.domain.meta import Meta
from pagetrail.domain.objects import (
    Autoscaler,
    ConfigData,
    Event,
    IngressClass,
    Node,
    OtherObject,
    PersistentVolumeClaim,
    Quota,
    StorageClass,
    Taint,
    Workload,
)
from pagetrail.evidence.kube_meta import (
    BadObjectError,
    Raw,
    items,
    number,
    read_conditions,
    read_meta,
    read_selector,
    str_map,
    str_value,
    sub,
    text,
    time_field,
)
from pagetrail.evidence.kube_network import endpoint_slice, endpoints, ingress, network_policy, service
from pagetrail.evidence.kube_pod import read_pod, read_template_of

_TRUE = "true"


def _workload(raw: Raw, kind: str, source: str) -> Workload:
    meta = read_meta(raw, kind, source)
    spec = sub(raw, "spec")
    status = sub(raw, "status")
    revision = meta.annotations.get("deployment.kubernetes.io/revision")
    if kind == "DaemonSet":
        replicas: int | None = number(status, "desiredNumberScheduled")
        ready, available = number(status, "numberReady"), number(status, "numberAvailable")
        updated, current = number(status, "updatedNumberScheduled"), number(status, "currentNumberScheduled")
    else:
        default = None if kind in ("Job", "CronJob") else 1
        replicas = number(spec, "replicas", default) if default is not None else None
        if kind == "Job":
            replicas = number(spec, "completions", 1)
        ready, available = number(status, "readyReplicas"), number(status, "availableReplicas")
        updated, current = number(status, "updatedReplicas"), number(status, "replicas")
        if kind == "StatefulSet":
            current = number(status, "currentReplicas", current)
    selector_raw = spec.get("selector")
    if kind == "CronJob":
        selector_raw = sub(sub(sub(spec, "jobTemplate"), "spec"), "selector") or None
    return Workload(
        meta=meta,
        selector=read_selector(selector_raw if isinstance(selector_raw, dict) else None),
        template=read_template_of(raw),
        replicas=replicas,
        ready=ready,
        available=available,
        updated=updated,
        current=current,
        succeeded=number(status, "succeeded"),
        failed=number(status, "failed"),
        conditions=read_conditions(status),
        revision=int(revision) if revision and revision.isdigit() else None,
    )


def _node(raw: Raw, source: str) -> Node:
    spec = sub(raw, "spec")
    status = sub(raw, "status")
    taints = tuple(Taint(text(t, "key"), text(t, "value"), text(t, "effect")) for t in items(spec, "taints"))
    return Node(
        meta=read_meta(raw, "Node", source),
        conditions=read_conditions(status),
        capacity=str_map(status, "capacity"),
        allocatable=str_map(status, "allocatable"),
        taints=taints,
        unschedulable=bool(spec.get("unschedulable")),
        info=str_map(status, "nodeInfo"),
    )


# Normal events that say something about a failure; the rest of the Normal chatter (Scheduled,
# Pulling, Pulled, Created, Started, SuccessfulCreate...) is dropped on read to keep memory small.
_TELLING_NORMAL = frozenset(
    {
        "Killing",
        "NotTriggerScaleUp",
        "TriggeredScaleUp",
        "ScalingReplicaSet",
        "SuccessfulRescale",
        "Evicted",
        "Preempted",
        "NodeNotReady",
        "Rebooted",
        "NodeNotSchedulable",
        "TaintManagerEviction",
        "DeletingNode",
    }
)


def telling(raw: Raw) -> bool:
    """Whether an event is worth keeping: every Warning, and the Normal ones that mark failures."""
    return raw.get("type") != "Normal" or raw.get("reason") in _TELLING_NORMAL


def read_event(raw: Raw, source: str) -> Event:
    """Core/v1 and events.k8s.io/v1 events into one shape (inline: the hottest reader)."""
    get = raw.get
    meta = sub(raw, "metadata")
    involved = sub(raw, "involvedObject") or sub(raw, "regarding")
    series = sub(raw, "series")
    first = time_field(raw, "firstTimestamp") or time_field(raw, "deprecatedFirstTimestamp")
    event_time = time_field(raw, "eventTime")
    last = (
        time_field(series, "lastObservedTime")
        or time_field(raw, "lastTimestamp")
        or time_field(raw, "deprecatedLastTimestamp")
        or event_time
        or first
    )
    count = number(raw, "count", 0) or number(series, "count", 0) or number(raw, "deprecatedCount", 1)
    source_block = sub(raw, "source") or sub(raw, "deprecatedSource")
    namespace = text(meta, "namespace")
    return Event(
        kind=text(involved, "kind"),
        namespace=text(involved, "namespace") or namespace,
        name=text(involved, "name"),
        uid=text(involved, "uid"),
        reason=text(raw, "reason"),
        message=text(raw, "message") or text(raw, "note"),
        type=str_value(get("type")) or "Normal",
        count=max(count, 1),
        first=first or event_time or last,
        last=last,
        component=text(source_block, "component")
        or str_value(get("reportingController"))
        or str_value(get("reportingComponent")),
        field_path=text(involved, "fieldPath"),
        source=source,
        key=f"{namespace}/{text(meta, 'name')}/{text(meta, 'uid')}",
        resource_version=text(meta, "resourceVersion"),
    )


def _autoscaler(raw: Raw, source: str) -> Autoscaler:
    spec = sub(raw, "spec")
    status = sub(raw, "status")
    target = sub(spec, "scaleTargetRef")
    cpu_target: int | None = spec.get("targetCPUUtilizationPercentage")
    for metric in items(spec, "metrics"):
        resource = sub(metric, "resource")
        if text(resource, "name") == "cpu":
            cpu_target = sub(resource, "target").get("averageUtilization", cpu_target)
    cpu_current: int | None = status.get("currentCPUUtilizationPercentage")
    for metric in items(status, "currentMetrics"):
        resource = sub(metric, "resource")
        if text(resource, "name") == "cpu":
            cpu_current = sub(resource, "current").get("averageUtilization", cpu_current)
    return Autoscaler(
        meta=read_meta(raw, "HorizontalPodAutoscaler", source),
        target_kind=text(target, "kind"),
        target_name=text(target, "name"),
        min_replicas=number(spec, "minReplicas", 1),
        max_replicas=number(spec, "maxReplicas"),
        current_replicas=number(status, "currentReplicas"),
        desired_replicas=number(status, "desiredReplicas"),
        cpu_target_percent=cpu_target,
        cpu_current_percent=cpu_current,
        conditions=read_conditions(status),
    )


def _add_other(cluster: Cluster, raw: Raw, kind: str, source: str) -> None:
    meta = read_meta(raw, kind, source)
    if kind == "Namespace":
        labels = dict(meta.labels)
        labels.setdefault("kubernetes.io/metadata.name", meta.name)
        cluster.namespaces[meta.name] = labels
    cluster.others.append(OtherObject(meta=meta))


def _config(raw: Raw, kind: str, source: str) -> ConfigData:
    keys = {*sub(raw, "data").keys(), *sub(raw, "binaryData").keys(), *sub(raw, "stringData").keys()}
    return ConfigData(meta=read_meta(raw, kind, source), keys=frozenset(str(k) for k in keys))


def _default_class(meta: Meta, annotation: str) -> bool:
    return meta.annotations.get(annotation, "").lower() == _TRUE


def add_object(cluster: Cluster, raw: Raw, source: str, skipped: list[Skipped] | None = None) -> None:
    """Read one object into the cluster; raises BadObjectError for unreadable ones.

    `skipped` receives problems found later, when a lazily read part (a pod's spec) is read."""
    kind = raw.get("kind")
    if not isinstance(kind, str) or not kind:
        raise BadObjectError("object without 'kind'")
    cluster.kinds_seen.add(kind)
    adder = _ADDERS.get(kind)
    try:
        if kind == "Pod":
            cluster.pods.append(read_pod(raw, source, skipped))
        elif adder is not None:
            adder(cluster, raw, source)
        elif kind in WORKLOAD_KINDS:
            cluster.workloads.append(_workload(raw, kind, source))
        else:
            _add_other(cluster, raw, kind, source)
    except (TypeError, AttributeError, KeyError) as exc:
        raise BadObjectError(f"{kind} has an unexpected shape: {exc}") from exc


def _add_storage_class(cluster: Cluster, raw: Raw, source: str) -> None:
    meta = read_meta(raw, "StorageClass", source)
    cluster.storage_classes.append(
        StorageClass(
            meta, text(raw, "provisioner"), _default_class(meta, "storageclass.kubernetes.io/is-default-class")
        )
    )


def _add_ingress_class(cluster: Cluster, raw: Raw, source: str) -> None:
    meta = read_meta(raw, "IngressClass", source)
    cluster.ingress_classes.append(
        IngressClass(
            meta,
            text(sub(raw, "spec"), "controller"),
            _default_class(meta, "ingressclass.kubernetes.io/is-default-class"),
        )
    )


def _add_claim(cluster: Cluster, raw: Raw, source: str) -> None:
    meta = read_meta(raw, "PersistentVolumeClaim", source)
    spec = sub(raw, "spec")
    storage_class = text(spec, "storageClassName") or meta.annotations.get(
        "volume.beta.kubernetes.io/storage-class", ""
    )
    cluster.claims.append(
        PersistentVolumeClaim(meta, text(sub(raw, "status"), "phase"), storage_class, text(spec, "volumeName"))
    )


def _add_quota(cluster: Cluster, raw: Raw, source: str) -> None:
    status = sub(raw, "status")
    hard = str_map(status, "hard") or str_map(sub(raw, "spec"), "hard")
    cluster.quotas.append(Quota(read_meta(raw, "ResourceQuota", source), hard, str_map(status, "used")))


_Adder = Callable[[Cluster, Raw, str], None]
_ADDERS: dict[str, _Adder] = {
    "Event": lambda c, r, s: c.events.append(read_event(r, s)) if telling(r) else None,
    "Service": lambda c, r, s: c.services.append(service(r, s)),
    "Endpoints": lambda c, r, s: c.endpoints.append(endpoints(r, s)),
    "EndpointSlice": lambda c, r, s: c.endpoints.append(endpoint_slice(r, s)),
    "Ingress": lambda c, r, s: c.ingresses.append(ingress(r, s)),
    "IngressClass": _add_ingress_class,
    "Node": lambda c, r, s: c.nodes.append(_node(r, s)),
    "PersistentVolumeClaim": _add_claim,
    "StorageClass": _add_storage_class,
    "ConfigMap": lambda c, r, s: c.config_maps.append(_config(r, "ConfigMap", s)),
    "Secret": lambda c, r, s: c.secrets.append(_config(r, "Secret", s)),
    "NetworkPolicy": lambda c, r, s: c.network_policies.append(network_policy(r, s)),
    "HorizontalPodAutoscaler": lambda c, r, s: c.autoscalers.append(_autoscaler(r, s)),
    "ResourceQuota": _add_quota,
}

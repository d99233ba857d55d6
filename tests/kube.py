"""Build Kubernetes objects the way `kubectl get -o json` prints them, and write bundles.

Tests describe a cluster in a few lines; these builders fill in what a real API server adds
(uids, resourceVersions, ownerReferences, conditions, default tolerations) so the analyzers see
the same shape they will see from a user's cluster.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

Obj = dict[str, Any]
NOW = "2026-06-26T12:20:00Z"
T0 = "2026-06-26T11:00:00Z"


def uid(*parts: str) -> str:
    digest = hashlib.sha1("/".join(parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def meta(kind: str, name: str, namespace: str | None = "ml", **extra: Any) -> Obj:
    m: Obj = {
        "name": name,
        "uid": uid(kind, namespace or "", name),
        "resourceVersion": "1000",
        "creationTimestamp": extra.pop("created", T0),
    }
    if namespace:
        m["namespace"] = namespace
    m.update(extra)
    return m


def container(name: str = "scorer", image: str = "registry.example.com/ml/fraud-scorer:v3", **extra: Any) -> Obj:
    c: Obj = {
        "name": name,
        "image": image,
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
        "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "2Gi"}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 10, "failureThreshold": 3},
        "terminationMessagePath": "/dev/termination-log",
        "imagePullPolicy": "IfNotPresent",
    }
    c.update(extra)
    return c


def running(
    name: str = "scorer",
    *,
    ready: bool = True,
    restarts: int = 0,
    started: str = T0,
    last: Obj | None = None,
    image: str = "registry.example.com/ml/fraud-scorer:v3",
) -> Obj:
    status: Obj = {
        "name": name,
        "ready": ready,
        "started": True,
        "restartCount": restarts,
        "image": image,
        "imageID": f"{image.split(':', maxsplit=1)[0]}@sha256:{hashlib.sha256(image.encode()).hexdigest()}",
        "containerID": f"containerd://{hashlib.sha256(name.encode()).hexdigest()}",
        "state": {"running": {"startedAt": started}},
        "lastState": {"terminated": last} if last else {},
    }
    return status


def waiting(
    name: str,
    reason: str,
    message: str = "",
    *,
    restarts: int = 0,
    last: Obj | None = None,
    image: str = "registry.example.com/ml/fraud-scorer:v3",
) -> Obj:
    state: Obj = {"reason": reason}
    if message:
        state["message"] = message
    return {
        "name": name,
        "ready": False,
        "started": False,
        "restartCount": restarts,
        "image": image,
        "imageID": "",
        "state": {"waiting": state},
        "lastState": {"terminated": last} if last else {},
    }


def terminated(
    reason: str = "Error",
    exit_code: int = 1,
    started: str = "2026-06-26T12:14:01Z",
    finished: str = "2026-06-26T12:14:09Z",
    message: str | None = None,
) -> Obj:
    t: Obj = {
        "reason": reason,
        "exitCode": exit_code,
        "startedAt": started,
        "finishedAt": finished,
        "containerID": "containerd://abc",
    }
    if message:
        t["message"] = message
    return t


def pod(
    name: str,
    *,
    namespace: str = "ml",
    labels: dict[str, str] | None = None,
    owner: tuple[str, str] | None = None,
    containers: list[Obj] | None = None,
    statuses: list[Obj] | None = None,
    init_containers: list[Obj] | None = None,
    init_statuses: list[Obj] | None = None,
    phase: str = "Running",
    node: str | None = "ip-10-0-1-17.ec2.internal",
    ready: bool | None = None,
    created: str = T0,
    pod_ip: str = "10.0.1.23",
    conditions: list[Obj] | None = None,
    spec_extra: Obj | None = None,
    status_extra: Obj | None = None,
) -> Obj:
    containers = containers or [container()]
    statuses = statuses if statuses is not None else [running(c["name"]) for c in containers]
    if ready is None:
        ready = bool(statuses) and all(s.get("ready") for s in statuses)
    m = meta("Pod", name, namespace, labels=labels or {"app": "fraud-scorer"}, created=created)
    if owner:
        m["ownerReferences"] = [
            {
                "apiVersion": "apps/v1",
                "kind": owner[0],
                "name": owner[1],
                "uid": uid(owner[0], namespace, owner[1]),
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ]
    spec: Obj = {
        "containers": containers,
        "serviceAccountName": "default",
        "restartPolicy": "Always",
        "tolerations": [
            {
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            },
            {
                "key": "node.kubernetes.io/unreachable",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            },
        ],
    }
    if init_containers:
        spec["initContainers"] = init_containers
    if node:
        spec["nodeName"] = node
    spec.update(spec_extra or {})
    if conditions is None:
        conditions = [{"type": "PodScheduled", "status": "True", "lastTransitionTime": created}]
        if node:
            conditions += [
                {"type": "Initialized", "status": "True", "lastTransitionTime": created},
                {"type": "ContainersReady", "status": str(ready), "lastTransitionTime": created},
                {"type": "Ready", "status": str(ready), "lastTransitionTime": created},
            ]
    status: Obj = {"phase": phase, "conditions": conditions, "qosClass": "Burstable", "startTime": created}
    if node:
        status.update(
            {"hostIP": "10.0.1.17", "podIP": pod_ip, "podIPs": [{"ip": pod_ip}], "containerStatuses": statuses}
        )
    if init_statuses:
        status["initContainerStatuses"] = init_statuses
    status.update(status_extra or {})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": spec, "status": status}


def template(labels: dict[str, str], containers: list[Obj] | None = None, **spec: Any) -> Obj:
    return {"metadata": {"labels": labels}, "spec": {"containers": containers or [container()], **spec}}


def deployment(
    name: str,
    *,
    namespace: str = "ml",
    replicas: int = 3,
    ready: int = 3,
    labels: dict[str, str] | None = None,
    revision: int = 1,
    containers: list[Obj] | None = None,
    created: str = "2026-06-01T09:00:00Z",
    managed: list[Obj] | None = None,
) -> Obj:
    labels = labels or {"app": name}
    m = meta(
        "Deployment",
        name,
        namespace,
        labels=labels,
        created=created,
        generation=revision,
        annotations={"deployment.kubernetes.io/revision": str(revision)},
    )
    if managed:
        m["managedFields"] = managed
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": m,
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "template": template(labels, containers)},
        "status": {
            "replicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "updatedReplicas": replicas,
            "conditions": [
                {
                    "type": "Available",
                    "status": "True" if ready else "False",
                    "reason": "MinimumReplicasAvailable" if ready else "MinimumReplicasUnavailable",
                    "lastTransitionTime": T0,
                },
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "lastTransitionTime": T0},
            ],
        },
    }


def replicaset(
    name: str,
    deployment_name: str,
    *,
    namespace: str = "ml",
    revision: int = 1,
    replicas: int = 3,
    ready: int = 3,
    labels: dict[str, str] | None = None,
    containers: list[Obj] | None = None,
    created: str = "2026-06-01T09:00:00Z",
) -> Obj:
    labels = labels or {"app": deployment_name}
    m = meta(
        "ReplicaSet",
        name,
        namespace,
        labels=labels,
        created=created,
        annotations={"deployment.kubernetes.io/revision": str(revision)},
    )
    m["ownerReferences"] = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": deployment_name,
            "uid": uid("Deployment", namespace, deployment_name),
            "controller": True,
        }
    ]
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": m,
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "template": template(labels, containers)},
        "status": {"replicas": replicas, "readyReplicas": ready, "availableReplicas": ready},
    }


def service(
    name: str,
    *,
    namespace: str = "ml",
    selector: dict[str, str] | None = None,
    port: int = 80,
    target_port: int | str = 8080,
) -> Obj:
    spec: Obj = {
        "type": "ClusterIP",
        "clusterIP": "10.96.44.120",
        "ports": [{"name": "http", "port": port, "protocol": "TCP", "targetPort": target_port}],
    }
    if selector is not None:
        spec["selector"] = selector
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta("Service", name, namespace), "spec": spec}


def endpoints(
    name: str, *, namespace: str = "ml", ready: list[tuple[str, str]] = (), not_ready: list[tuple[str, str]] = ()
) -> Obj:  # type: ignore[assignment]
    def address(ip: str, pod_name: str) -> Obj:
        return {
            "ip": ip,
            "nodeName": "ip-10-0-1-17.ec2.internal",
            "targetRef": {"kind": "Pod", "name": pod_name, "namespace": namespace},
        }

    subset: Obj = {"ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}
    if ready:
        subset["addresses"] = [address(ip, p) for ip, p in ready]
    if not_ready:
        subset["notReadyAddresses"] = [address(ip, p) for ip, p in not_ready]
    return {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": meta("Endpoints", name, namespace),
        "subsets": [subset] if (ready or not_ready) else [],
    }


def event(
    obj_kind: str,
    obj_name: str,
    reason: str,
    message: str,
    *,
    namespace: str = "ml",
    type_: str = "Warning",
    count: int = 1,
    first: str = "2026-06-26T12:02:00Z",
    last: str = "2026-06-26T12:19:00Z",
    component: str = "kubelet",
    field_path: str | None = None,
) -> Obj:
    involved: Obj = {
        "kind": obj_kind,
        "name": obj_name,
        "namespace": namespace,
        "uid": uid(obj_kind, namespace, obj_name),
        "apiVersion": "v1",
    }
    if field_path:
        involved["fieldPath"] = field_path
    name = f"{obj_name}.{hashlib.sha1((reason + message + first).encode()).hexdigest()[:16]}"
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": meta("Event", name, namespace, created=first),
        "involvedObject": involved,
        "reason": reason,
        "message": message,
        "type": type_,
        "count": count,
        "firstTimestamp": first,
        "lastTimestamp": last,
        "source": {"component": component, "host": "ip-10-0-1-17.ec2.internal"},
        "reportingComponent": component,
        "reportingInstance": "",
    }


def node(
    name: str = "ip-10-0-1-17.ec2.internal",
    *,
    ready: bool = True,
    labels: dict[str, str] | None = None,
    capacity: dict[str, str] | None = None,
    allocatable: dict[str, str] | None = None,
    pressure: str | None = None,
    taints: list[Obj] | None = None,
) -> Obj:
    conditions = [
        {
            "type": t,
            "status": "True" if t == pressure else "False",
            "reason": f"KubeletHas{'Insufficient' if t == pressure else 'Sufficient'}{t.replace('Pressure', '')}",
            "message": "",
            "lastTransitionTime": "2026-06-20T08:00:00Z",
        }
        for t in ("MemoryPressure", "DiskPressure", "PIDPressure")
    ]
    conditions.append(
        {
            "type": "Ready",
            "status": "True" if ready else "Unknown",
            "reason": "KubeletReady" if ready else "NodeStatusUnknown",
            "message": "kubelet is posting ready status" if ready else "Kubelet stopped posting node status.",
            "lastTransitionTime": "2026-06-20T08:00:00Z" if ready else "2026-06-26T12:05:00Z",
        }
    )
    cap = capacity or {"cpu": "4", "memory": "16077940Ki", "pods": "58"}
    spec: Obj = {"providerID": f"aws:///us-east-1a/i-{hashlib.sha1(name.encode()).hexdigest()[:17]}"}
    if taints:
        spec["taints"] = taints
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta(
            "Node",
            name,
            None,
            labels=labels or {"kubernetes.io/hostname": name, "node.kubernetes.io/instance-type": "m5.xlarge"},
        ),
        "spec": spec,
        "status": {
            "capacity": cap,
            "allocatable": allocatable or cap,
            "conditions": conditions,
            "nodeInfo": {"kubeletVersion": "v1.29.3-eks-ae9a62a", "containerRuntimeVersion": "containerd://1.7.11"},
        },
    }


def as_list(objects: list[Obj]) -> Obj:
    return {"apiVersion": "v1", "kind": "List", "items": objects, "metadata": {"resourceVersion": ""}}


def write_bundle(
    root: Path,
    objects: list[Obj],
    *,
    logs: dict[str, str] | None = None,
    manifest: Obj | None = None,
    changes: list[Obj] | None = None,
) -> Path:
    """Write a bundle: objects to k8s/ (events in their own file), logs by relative path."""
    (root / "k8s").mkdir(parents=True, exist_ok=True)
    events = [o for o in objects if o["kind"] == "Event"]
    rest = [o for o in objects if o["kind"] != "Event"]
    (root / "k8s" / "objects.json").write_text(json.dumps(as_list(rest), indent=2))
    if events:
        (root / "k8s" / "events.json").write_text(json.dumps(as_list(events), indent=2))
    for relative, text in (logs or {}).items():
        path = root / "logs" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    if manifest is not None:
        (root / "bundle.yaml").write_text(yaml.safe_dump({"version": 1, "captured_at": NOW, **manifest}))
    if changes is not None:
        (root / "changes.yaml").write_text(yaml.safe_dump({"changes": changes}))
    return root

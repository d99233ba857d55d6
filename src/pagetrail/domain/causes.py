"""The cause-code catalogue (public contract, ../shared/spec/triage.md): code → layer, title.

Codes are stable: never renamed, only added. `specificity` orders codes that hold at once on the
same objects: a named mechanism (a missing DB column) outranks a trigger (the rollout that shipped
it), which outranks a generic symptom (CrashLoopBackOff, an empty Service).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True, frozen=True)
class Cause:
    code: str
    layer: str
    title: str
    specificity: int


_CAUSES = (
    Cause("scheduling.insufficient-resources", "scheduler", "No node has room for the pod's requests", 70),
    Cause("scheduling.node-selector-mismatch", "scheduler", "No node matches the pod's selector/affinity", 72),
    Cause("scheduling.untolerated-taint", "scheduler", "Nodes carry taints the pod does not tolerate", 71),
    Cause("scheduling.anti-affinity-conflict", "scheduler", "Pod (anti-)affinity rules leave no node", 72),
    Cause("scheduling.unbound-pvc", "storage", "Pod waits for an unbound PersistentVolumeClaim", 74),
    Cause("storage.class-not-found", "storage", "PVC names a StorageClass that does not exist", 85),
    Cause("scheduling.quota-exceeded", "scheduler", "ResourceQuota blocks pod creation", 80),
    Cause("image.pull-unauthorized", "image", "Registry refuses the image pull (credentials)", 85),
    Cause("image.not-found", "image", "Image or tag does not exist", 85),
    Cause("config.missing-configmap", "config", "Pod references a ConfigMap that does not exist", 86),
    Cause("config.missing-secret", "config", "Pod references a Secret that does not exist", 86),
    Cause("config.missing-key", "config", "Pod references a key missing from its ConfigMap/Secret", 87),
    Cause("config.missing-env", "app", "Container exits: required environment variable missing", 84),
    Cause("container.init-failed", "app", "An init container fails, so the pod never starts", 78),
    Cause("container.crashloop", "app", "Container keeps crashing (CrashLoopBackOff)", 30),
    Cause("container.oom-killed", "app", "Container killed for exceeding its memory limit", 82),
    Cause("model.load-failed", "model-server", "Model artifact missing or failing to load at start", 88),
    Cause("model.version-mismatch", "model-server", "Pods serve a model version other than expected", 86),
    Cause("app.db-schema-mismatch", "dependency", "Code expects a DB column/table the database lacks", 92),
    Cause("app.exception", "app", "Requests fail with application exceptions (5xx)", 35),
    Cause("app.permission-denied", "app", "Workload identity lacks a permission it needs", 89),
    Cause("dependency.unreachable", "dependency", "A dependency the service needs cannot be reached", 80),
    Cause("probe.readiness-failing", "app", "Pods run but fail readiness, so get no traffic", 45),
    Cause("probe.liveness-failing", "app", "Liveness probe kills and restarts the container", 60),
    Cause("service.no-ready-endpoints", "network", "Service has no ready endpoint to send traffic to", 20),
    Cause("service.selector-mismatch", "network", "Service selector matches no pod", 83),
    Cause("service.target-port-mismatch", "network", "Service targetPort is served by no container port", 81),
    Cause("ingress.class-missing", "network", "Ingress class names no IngressClass/controller", 83),
    Cause("ingress.backend-missing", "network", "Ingress backend Service or port does not exist", 84),
    Cause("network.policy-blocking", "network", "A NetworkPolicy admits none of the clients", 82),
    Cause("cpu.throttled", "capacity", "CPU throttled at the container's limit", 75),
    Cause("cpu.single-worker-ceiling", "capacity", "Per-pod CPU plateaus at a worker-count ceiling", 80),
    Cause("load.imbalance", "traffic", "One pod pinned while its peers idle", 76),
    Cause("hpa.not-scaling", "capacity", "HPA does not add replicas under load", 65),
    Cause("hpa.at-max", "capacity", "HPA is at maxReplicas during the symptom", 64),
    Cause("memory.near-limit", "capacity", "Working set near the memory limit, rising", 55),
    Cause("change.bad-rollout", "change", "Symptom began right after a change", 50),
    Cause("node.not-ready", "node", "Node is NotReady; its pods fail", 77),
    Cause("node.pressure", "node", "Node under memory/disk/PID pressure, evicting", 76),
    Cause("gpu.unavailable", "gpu", "GPU nodes advertise no usable GPUs", 90),
    Cause("gpu.xid-errors", "gpu", "GPU reports Xid errors on the failing pods' nodes", 88),
    Cause("traffic.retry-storm", "traffic", "Retries multiply load after a latency rise", 70),
    Cause("alarm.flapping", "alerting", "The alarm's own window/statistic makes it flap", 40),
    Cause("alarm.low-traffic-artifact", "alerting", "Alarm crosses only when traffic is tiny", 42),
)

CAUSES: dict[str, Cause] = {cause.code: cause for cause in _CAUSES}


def cause(code: str) -> Cause:
    """Look up a code; unknown codes are a programming error."""
    return CAUSES[code]


def doc_path(code: str) -> str:
    """Where the code's page lives in the project."""
    return f"docs/causes/{code}.md"

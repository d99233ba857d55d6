"""Generate a large, realistic evidence bundle for the scale benchmarks.

Objects carry what `kubectl get -o json` prints for real workloads (managedFields off, status
with conditions and container statuses, events with real reasons), laid out one folder per
namespace as `pagetrail snapshot` writes them. One Deployment is broken (CrashLoopBackOff on a
missing model) so triage has real work to do; the rest is healthy noise.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import orjson

Obj = dict[str, Any]
T_CREATED = "2026-06-20T10:00:00Z"
T_NOW = "2026-06-26T12:20:00Z"
REASONS = [
    ("Normal", "Scheduled", "Successfully assigned {ns}/{pod} to {node}", "default-scheduler"),
    ("Normal", "Pulled", 'Container image "{image}" already present on machine', "kubelet"),
    ("Normal", "Created", "Created container {c}", "kubelet"),
    ("Normal", "Started", "Started container {c}", "kubelet"),
    ("Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", "kubelet"),
    ("Normal", "Killing", "Stopping container {c}", "kubelet"),
]


def _uid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _pod(rng: random.Random, ns: str, deploy: str, rs: str, index: int, node: str, broken: bool) -> Obj:
    name = f"{rs}-{rng.getrandbits(25):07x}"[: len(rs) + 6]
    image = f"registry.example.com/{ns}/{deploy}:v1.{index % 7}.3"
    labels = {
        "app.kubernetes.io/name": deploy,
        "app.kubernetes.io/part-of": ns,
        "pod-template-hash": rs.rsplit("-", 1)[1],
    }
    running: Obj = {"running": {"startedAt": T_CREATED}}
    state = (
        {
            "waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off 5m0s restarting failed container=server pod={name}",
            }
        }
        if broken
        else running
    )
    last = (
        {
            "terminated": {
                "exitCode": 1,
                "reason": "Error",
                "startedAt": "2026-06-26T12:14:01Z",
                "finishedAt": "2026-06-26T12:14:09Z",
                "containerID": "containerd://" + "a" * 64,
            }
        }
        if broken
        else {}
    )
    ip = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": _uid(rng),
            "resourceVersion": str(rng.randint(10**6, 10**8)),
            "creationTimestamp": T_CREATED,
            "generateName": f"{rs}-",
            "labels": labels,
            "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": rs,
                    "uid": _uid(rng),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "containers": [
                {
                    "name": "server",
                    "image": image,
                    "imagePullPolicy": "IfNotPresent",
                    "ports": [
                        {"containerPort": 8080, "name": "http", "protocol": "TCP"},
                        {"containerPort": 9090, "name": "metrics", "protocol": "TCP"},
                    ],
                    "env": [
                        {"name": "MODEL_VERSION", "value": f"v{index % 5}"},
                        {"name": "LOG_LEVEL", "value": "info"},
                        {
                            "name": "POD_NAME",
                            "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}},
                        },
                    ],
                    "resources": {
                        "limits": {"cpu": "1500m", "memory": "4Gi"},
                        "requests": {"cpu": "1200m", "memory": "3Gi"},
                    },
                    "readinessProbe": {
                        "httpGet": {"path": "/ready", "port": "http", "scheme": "HTTP"},
                        "periodSeconds": 10,
                        "timeoutSeconds": 1,
                        "successThreshold": 1,
                        "failureThreshold": 3,
                    },
                    "livenessProbe": {
                        "httpGet": {"path": "/health", "port": "http", "scheme": "HTTP"},
                        "initialDelaySeconds": 30,
                        "periodSeconds": 10,
                        "timeoutSeconds": 1,
                        "successThreshold": 1,
                        "failureThreshold": 3,
                    },
                    "volumeMounts": [
                        {
                            "name": "kube-api-access",
                            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                            "readOnly": True,
                        }
                    ],
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                }
            ],
            "dnsPolicy": "ClusterFirst",
            "enableServiceLinks": True,
            "nodeName": node,
            "preemptionPolicy": "PreemptLowerPriority",
            "priority": 0,
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {},
            "serviceAccount": "default",
            "serviceAccountName": "default",
            "terminationGracePeriodSeconds": 30,
            "tolerations": [
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/not-ready",
                    "operator": "Exists",
                    "tolerationSeconds": 300,
                },
                {
                    "effect": "NoExecute",
                    "key": "node.kubernetes.io/unreachable",
                    "operator": "Exists",
                    "tolerationSeconds": 300,
                },
            ],
            "volumes": [
                {
                    "name": "kube-api-access",
                    "projected": {
                        "defaultMode": 420,
                        "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}],
                    },
                }
            ],
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {
                    "type": t,
                    "status": "False" if broken and t in ("Ready", "ContainersReady") else "True",
                    "lastProbeTime": None,
                    "lastTransitionTime": T_CREATED,
                }
                for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")
            ],
            "hostIP": "10.0.1.17",
            "hostIPs": [{"ip": "10.0.1.17"}],
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "qosClass": "Burstable",
            "startTime": T_CREATED,
            "containerStatuses": [
                {
                    "name": "server",
                    "image": image,
                    "imageID": f"registry.example.com/{ns}/{deploy}@sha256:{rng.getrandbits(256):064x}",
                    "containerID": f"containerd://{rng.getrandbits(256):064x}",
                    "ready": not broken,
                    "started": not broken,
                    "restartCount": 9 if broken else rng.choice([0, 0, 0, 1]),
                    "state": state,
                    "lastState": last,
                }
            ],
        },
    }


def _deployment(rng: random.Random, ns: str, name: str, replicas: int) -> Obj:
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": ns}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": _uid(rng),
            "resourceVersion": str(rng.randint(10**6, 10**8)),
            "generation": 4,
            "creationTimestamp": "2026-05-01T09:00:00Z",
            "labels": labels,
            "annotations": {"deployment.kubernetes.io/revision": "4"},
        },
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "server",
                            "image": f"registry.example.com/{ns}/{name}:v1.2.3",
                            "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                            "resources": {
                                "limits": {"cpu": "1500m", "memory": "4Gi"},
                                "requests": {"cpu": "1200m", "memory": "3Gi"},
                            },
                        }
                    ]
                },
            },
        },
        "status": {
            "observedGeneration": 4,
            "replicas": replicas,
            "updatedReplicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "conditions": [
                {
                    "type": "Available",
                    "status": "True",
                    "lastUpdateTime": T_CREATED,
                    "lastTransitionTime": T_CREATED,
                    "reason": "MinimumReplicasAvailable",
                    "message": "Deployment has minimum availability.",
                },
                {
                    "type": "Progressing",
                    "status": "True",
                    "lastUpdateTime": T_CREATED,
                    "lastTransitionTime": "2026-05-01T09:00:00Z",
                    "reason": "NewReplicaSetAvailable",
                    "message": f'ReplicaSet "{name}" has successfully progressed.',
                },
            ],
        },
    }


def _replicaset(rng: random.Random, deployment: Obj, rs: str, replicas: int) -> Obj:
    meta = deployment["metadata"]
    spec = deployment["spec"]
    labels = {**spec["template"]["metadata"]["labels"], "pod-template-hash": rs.rsplit("-", 1)[1]}
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": rs,
            "namespace": meta["namespace"],
            "uid": _uid(rng),
            "resourceVersion": str(rng.randint(10**6, 10**8)),
            "creationTimestamp": T_CREATED,
            "labels": labels,
            "annotations": {
                "deployment.kubernetes.io/revision": "4",
                "deployment.kubernetes.io/desired-replicas": str(replicas),
                "deployment.kubernetes.io/max-replicas": str(replicas + 1),
            },
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": meta["name"],
                    "uid": meta["uid"],
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": spec["template"]["spec"]},
        },
        "status": {
            "replicas": replicas,
            "fullyLabeledReplicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "observedGeneration": 4,
        },
    }


def _service(rng: random.Random, ns: str, name: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": _uid(rng),
            "resourceVersion": "1",
            "creationTimestamp": "2026-05-01T09:00:00Z",
            "labels": {"app.kubernetes.io/name": name},
        },
        "spec": {
            "type": "ClusterIP",
            "clusterIP": f"172.20.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
            "selector": {"app.kubernetes.io/name": name},
            "sessionAffinity": "None",
        },
        "status": {"loadBalancer": {}},
    }


def _event(rng: random.Random, pod: Obj, index: int) -> Obj:
    kind, reason, message, component = REASONS[index % len(REASONS)]
    meta = pod["metadata"]
    minute = rng.randint(0, 59)
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": f"{meta['name']}.{rng.getrandbits(64):016x}",
            "namespace": meta["namespace"],
            "uid": _uid(rng),
            "resourceVersion": str(rng.randint(10**6, 10**8)),
            "creationTimestamp": f"2026-06-26T11:{minute:02d}:00Z",
        },
        "involvedObject": {
            "apiVersion": "v1",
            "kind": "Pod",
            "name": meta["name"],
            "namespace": meta["namespace"],
            "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"],
            "fieldPath": "spec.containers{server}",
        },
        "reason": reason,
        "message": message.format(
            ns=meta["namespace"],
            pod=meta["name"],
            node=pod["spec"]["nodeName"],
            image=pod["spec"]["containers"][0]["image"],
            c="server",
        ),
        "source": {"component": component, "host": pod["spec"]["nodeName"]},
        "firstTimestamp": f"2026-06-26T11:{minute:02d}:00Z",
        "lastTimestamp": f"2026-06-26T11:{minute:02d}:30Z",
        "count": rng.randint(1, 5),
        "type": kind,
        "eventTime": None,
        "reportingComponent": component,
        "reportingInstance": pod["spec"]["nodeName"],
    }


def generate(
    root: Path,
    *,
    pods: int = 20_000,
    deployments: int = 2_000,
    events: int = 100_000,
    namespaces: int = 100,
    seed: int = 7,
) -> dict[str, Any]:
    """Write the bundle; return its target and totals."""
    rng = random.Random(seed)
    per_deploy = pods // deployments
    events_per_pod = events // pods
    deploys_per_ns = deployments // namespaces
    nodes = [f"ip-10-0-{i // 250}-{i % 250}.ec2.internal" for i in range(400)]
    target: dict[str, str] = {}
    for n in range(namespaces):
        ns = f"team-{n:03d}"
        folder = root / "k8s" / ns
        folder.mkdir(parents=True, exist_ok=True)
        kinds: dict[str, list[Obj]] = {"deployments": [], "replicasets": [], "pods": [], "services": [], "events": []}
        for d in range(deploys_per_ns):
            name = f"model-{n:03d}-{d:02d}-server"
            deployment = _deployment(rng, ns, name, per_deploy)
            rs = f"{name}-{rng.getrandbits(36):09x}"
            kinds["deployments"].append(deployment)
            kinds["replicasets"].append(_replicaset(rng, deployment, rs, per_deploy))
            kinds["services"].append(_service(rng, ns, name))
            broken = n == namespaces // 2 and d == 0
            if broken:
                target = {"namespace": ns, "kind": "Deployment", "name": name}
            for i in range(per_deploy):
                pod = _pod(rng, ns, name, rs, i, nodes[rng.randrange(len(nodes))], broken)
                kinds["pods"].append(pod)
                kinds["events"].extend(_event(rng, pod, i * events_per_pod + e) for e in range(events_per_pod))
                if broken:
                    log = root / "logs" / ns / pod["metadata"]["name"] / "server.previous.log"
                    log.parent.mkdir(parents=True, exist_ok=True)
                    log.write_text(
                        f"INFO loading model from /models/{name}/model.onnx\nFileNotFoundError: [Errno 2] No such file or directory: '/models/{name}/model.onnx'\n"
                    )
        for kind, items in kinds.items():
            (folder / f"{kind}.json").write_bytes(
                orjson.dumps(
                    {"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}},
                    option=orjson.OPT_INDENT_2,
                )
            )
    (root / "bundle.yaml").write_text(
        f"version: 1\ncaptured_at: {T_NOW}\ntarget:\n  namespace: {target['namespace']}\n  kind: Deployment\n  name: {target['name']}\n"
    )
    return {"target": target, "pods": pods, "deployments": deployments, "events": events}

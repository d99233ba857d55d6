"""Scheduler, storage, image, config, network, node and GPU causes: positive and look-alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import kube
from tests.scenarios import APP, PODS, RS, run, stack, statuses
from tests.scenarios import root as root_of

PENDING_MESSAGES = {
    "scheduling.insufficient-resources": "0/6 nodes are available: 3 Insufficient memory, 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/6 nodes are available: 3 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.",
    "scheduling.node-selector-mismatch": "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
    "scheduling.untolerated-taint": "0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: inference}. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    "scheduling.anti-affinity-conflict": "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
}


def pending(message: str) -> dict[str, object]:
    return {
        "node": None,
        "phase": "Pending",
        "statuses": [],
        "conditions": [
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": message,
                "lastTransitionTime": "2026-06-26T12:01:00Z",
            }
        ],
    }


@pytest.mark.parametrize("code", sorted(PENDING_MESSAGES))
def test_pending_pods_by_scheduler_reason(tmp_path: Path, code: str) -> None:
    message = PENDING_MESSAGES[code]
    events = [kube.event("Pod", p, "FailedScheduling", message, component="default-scheduler", count=14) for p in PODS]
    report = run(tmp_path, stack(pod_overrides={i: pending(message) for i in range(3)}, extra=events))
    assert root_of(report) == code
    assert report["severity"]["level"] == "SEV1"


def test_pending_pod_of_another_deployment_is_not_the_targets_cause(tmp_path: Path) -> None:
    message = PENDING_MESSAGES["scheduling.insufficient-resources"]
    batch = kube.pod(
        "batch-scorer-6f7d8c9b5-abcde",
        labels={"app": "batch-scorer"},
        owner=("ReplicaSet", "batch-scorer-6f7d8c9b5"),
        **pending(message),
    )  # type: ignore[arg-type]
    report = run(
        tmp_path,
        stack(
            extra=[
                batch,
                kube.event(
                    "Pod", batch["metadata"]["name"], "FailedScheduling", message, component="default-scheduler"
                ),
            ]
        ),
    )
    assert report["root_cause"] is None
    assert statuses(report)["scheduling.insufficient-resources"] == "refuted"
    assert any(h["code"] == "scheduling.insufficient-resources" for h in report["other_findings"])


def test_unbound_pvc_with_missing_storage_class(tmp_path: Path) -> None:
    message = "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
    override = pending(message) | {
        "spec_extra": {"volumes": [{"name": "models", "persistentVolumeClaim": {"claimName": "model-cache"}}]}
    }
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": kube.meta("PersistentVolumeClaim", "model-cache"),
        "spec": {"storageClassName": "fast-ssd", "accessModes": ["ReadWriteOnce"]},
        "status": {"phase": "Pending"},
    }
    storage_class = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": kube.meta("StorageClass", "gp3", None),
        "provisioner": "ebs.csi.aws.com",
    }
    events = [
        kube.event(
            "PersistentVolumeClaim",
            "model-cache",
            "ProvisioningFailed",
            'storageclass.storage.k8s.io "fast-ssd" not found',
            component="persistentvolume-controller",
            count=40,
        )
    ]
    report = run(
        tmp_path, stack(pod_overrides=dict.fromkeys(range(3), override), extra=[claim, storage_class, *events])
    )
    found = statuses(report)
    assert root_of(report) == "storage.class-not-found"
    assert found["scheduling.unbound-pvc"] == "confirmed"


def test_unbound_pvc_waiting_for_a_volume(tmp_path: Path) -> None:
    message = "0/3 nodes are available: 3 pod has unbound immediate PersistentVolumeClaims."
    override = pending(message) | {
        "spec_extra": {"volumes": [{"name": "models", "persistentVolumeClaim": {"claimName": "model-cache"}}]}
    }
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": kube.meta("PersistentVolumeClaim", "model-cache"),
        "spec": {"storageClassName": "manual"},
        "status": {"phase": "Pending"},
    }
    storage_class = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": kube.meta("StorageClass", "manual", None),
        "provisioner": "kubernetes.io/no-provisioner",
    }
    report = run(tmp_path, stack(pod_overrides=dict.fromkeys(range(3), override), extra=[claim, storage_class]))
    assert root_of(report) == "scheduling.unbound-pvc"
    assert "storage.class-not-found" not in statuses(report)


def test_quota_exceeded_replicas_never_created(tmp_path: Path) -> None:
    objects = [o for o in stack() if not (o["kind"] == "Pod" and o["metadata"]["name"].startswith(RS))]
    event = kube.event(
        "ReplicaSet",
        RS,
        "FailedCreate",
        f'Error creating: pods "{RS}-x7k2p" is forbidden: exceeded quota: compute-quota, requested: limits.memory=2Gi, used: limits.memory=16Gi, limited: limits.memory=16Gi',
        component="replicaset-controller",
        count=25,
    )
    report = run(tmp_path, [*objects, event])
    assert root_of(report) == "scheduling.quota-exceeded"


def test_failed_create_for_another_reason_is_not_quota(tmp_path: Path) -> None:
    event = kube.event(
        "ReplicaSet",
        RS,
        "FailedCreate",
        'Error creating: pods "x" is forbidden: error looking up service account ml/scorer: serviceaccount "scorer" not found',
        component="replicaset-controller",
    )
    report = run(tmp_path, [*stack(), event])
    assert "scheduling.quota-exceeded" not in statuses(report)


def image_waiting(reason: str, message: str) -> dict[str, object]:
    return {
        "statuses": [
            kube.waiting(
                "scorer", reason, message, image="123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-scorer:v3"
            )
        ],
        "ready": False,
    }


UNAUTHORIZED = 'failed to pull and unpack image "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-scorer:v3": failed to resolve reference "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud-scorer:v3": pulling from host 123456789012.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests v3]: 401 Unauthorized'
NOT_FOUND = 'rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/acme/fraud-scorer:v3.1": failed to resolve reference "docker.io/acme/fraud-scorer:v3.1": docker.io/acme/fraud-scorer:v3.1: not found'


@pytest.mark.parametrize(
    ("message", "code"), [(UNAUTHORIZED, "image.pull-unauthorized"), (NOT_FOUND, "image.not-found")]
)
def test_image_pull_errors(tmp_path: Path, message: str, code: str) -> None:
    events = [
        kube.event(
            "Pod", p, "Failed", f'Failed to pull image "x": {message}', count=5, field_path="spec.containers{scorer}"
        )
        for p in PODS
    ]
    report = run(
        tmp_path,
        stack(
            pod_overrides={i: image_waiting("ImagePullBackOff", 'Back-off pulling image "x"') for i in range(3)},
            extra=events,
        ),
    )
    found = statuses(report)
    assert root_of(report) == code
    other = "image.not-found" if code == "image.pull-unauthorized" else "image.pull-unauthorized"
    assert found.get(other) in (None, "possible", "refuted")


def test_config_missing_configmap(tmp_path: Path) -> None:
    override = {
        "statuses": [kube.waiting("scorer", "CreateContainerConfigError", 'configmap "scorer-config" not found')],
        "ready": False,
    }
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": kube.meta("ConfigMap", "kube-root-ca.crt"),
        "data": {"ca.crt": "..."},
    }
    report = run(tmp_path, stack(pod_overrides=dict.fromkeys(range(3), override), extra=[cm]))
    assert root_of(report) == "config.missing-configmap"


def test_config_missing_secret_via_mount(tmp_path: Path) -> None:
    override = {"statuses": [kube.waiting("scorer", "ContainerCreating")], "ready": False}
    events = [
        kube.event(
            "Pod",
            p,
            "FailedMount",
            'MountVolume.SetUp failed for volume "registry-creds" : secret "model-registry-token" not found',
            count=12,
        )
        for p in PODS
    ]
    report = run(tmp_path, stack(pod_overrides=dict.fromkeys(range(3), override), extra=events))
    assert root_of(report) == "config.missing-secret"


def test_config_missing_key(tmp_path: Path) -> None:
    override = {
        "statuses": [
            kube.waiting(
                "scorer", "CreateContainerConfigError", "couldn't find key MODEL_PATH in ConfigMap ml/scorer-config"
            )
        ],
        "ready": False,
    }
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": kube.meta("ConfigMap", "scorer-config"),
        "data": {"MODEL_URI": "s3://models/fraud-v3"},
    }
    report = run(tmp_path, stack(pod_overrides=dict.fromkeys(range(3), override), extra=[cm]))
    assert root_of(report) == "config.missing-key"
    assert "config.missing-configmap" not in statuses(report)


def test_healthy_pod_with_old_failed_mount_event_is_not_missing_config(tmp_path: Path) -> None:
    event = kube.event(
        "Pod",
        PODS[0],
        "FailedMount",
        'MountVolume.SetUp failed for volume "cfg" : configmap "scorer-config" not found',
        first="2026-06-20T10:00:06Z",
        last="2026-06-20T10:00:20Z",
    )
    report = run(
        tmp_path,
        stack(
            extra=[
                event,
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": kube.meta("ConfigMap", "scorer-config"),
                    "data": {},
                },
            ]
        ),
    )
    assert report["root_cause"] is None


def test_service_selector_mismatch(tmp_path: Path) -> None:
    report = run(tmp_path, stack(service_selector={"app": "fraud-scorer-v2"}), target="Service/fraud-scorer")
    assert root_of(report) == "service.selector-mismatch"
    assert report["severity"]["level"] == "SEV1"


def test_service_with_matching_pods_has_no_selector_mismatch(tmp_path: Path) -> None:
    report = run(tmp_path, stack(), target="Service/fraud-scorer")
    assert report["root_cause"] is None
    assert "service.selector-mismatch" not in statuses(report)


def test_service_no_ready_endpoints_without_a_deeper_cause(tmp_path: Path) -> None:
    not_ready = {"statuses": [kube.running("scorer", ready=False, started="2026-06-26T12:18:30Z")], "ready": False}
    report = run(tmp_path, stack(pod_overrides=dict.fromkeys(range(3), not_ready)), target="Service/fraud-scorer")
    assert statuses(report)["service.no-ready-endpoints"] == "confirmed"


def test_target_port_mismatch_named_port(tmp_path: Path) -> None:
    objects = [o for o in stack() if o["kind"] != "Service" or o["metadata"]["name"] != APP]
    objects.append(kube.service(APP, selector={"app": APP}, target_port="grpc"))
    report = run(tmp_path, objects, target="Service/fraud-scorer")
    assert root_of(report) == "service.target-port-mismatch"


def test_target_port_served_by_probe_port_is_fine(tmp_path: Path) -> None:
    probe = {"httpGet": {"path": "/ready", "port": 8000}}
    container = kube.container(ports=[{"containerPort": 8080, "name": "http"}], readinessProbe=probe)
    objects = [o for o in stack(containers=[container]) if o["kind"] != "Service" or o["metadata"]["name"] != APP]
    objects.append(kube.service(APP, selector={"app": APP}, target_port=8000))
    report = run(tmp_path, objects, target="Service/fraud-scorer")
    assert "service.target-port-mismatch" not in statuses(report)


def ingress(
    name: str, class_name: str, service: str, port: int = 80, address: str | None = "k8s-ml-abc.elb.amazonaws.com"
) -> dict[str, object]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": kube.meta("Ingress", name),
        "spec": {
            "ingressClassName": class_name,
            "rules": [
                {
                    "host": "fraud-api.example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/score",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": service, "port": {"number": port}}},
                            }
                        ]
                    },
                }
            ],
        },
        "status": {"loadBalancer": {"ingress": [{"hostname": address}]} if address else {}},
    }


NGINX = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "IngressClass",
    "metadata": kube.meta("IngressClass", "nginx", None),
    "spec": {"controller": "k8s.io/ingress-nginx"},
}


def test_ingress_class_missing(tmp_path: Path) -> None:
    report = run(
        tmp_path, stack(extra=[NGINX, ingress("fraud-api", "alb", APP, address=None)]), target="Ingress/fraud-api"
    )
    assert root_of(report) == "ingress.class-missing"


def test_ingress_with_existing_class_is_fine(tmp_path: Path) -> None:
    report = run(tmp_path, stack(extra=[NGINX, ingress("fraud-api", "nginx", APP)]), target="Ingress/fraud-api")
    assert report["root_cause"] is None
    assert [s["kind"] for s in report["path"]] == ["Ingress", "Service", "Pods", "Nodes"]


def test_ingress_backend_missing(tmp_path: Path) -> None:
    report = run(
        tmp_path, stack(extra=[NGINX, ingress("fraud-api", "nginx", "fraud-scorer-svc")]), target="Ingress/fraud-api"
    )
    assert root_of(report) == "ingress.backend-missing"


def test_ingress_backend_wrong_port(tmp_path: Path) -> None:
    report = run(
        tmp_path, stack(extra=[NGINX, ingress("fraud-api", "nginx", APP, port=8443)]), target="Ingress/fraud-api"
    )
    assert root_of(report) == "ingress.backend-missing"


def controller_pod() -> dict[str, object]:
    labels = {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller"}
    return kube.pod(
        "ingress-nginx-controller-6d9c8f7b5-2kx9p",
        namespace="ingress-nginx",
        labels=labels,
        containers=[kube.container("controller", "registry.k8s.io/ingress-nginx/controller:v1.10.0")],
        pod_ip="10.0.9.5",
    )


def policy(name: str, ingress_rules: list[dict[str, object]]) -> dict[str, object]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": kube.meta("NetworkPolicy", name),
        "spec": {"podSelector": {"matchLabels": {"app": APP}}, "policyTypes": ["Ingress"], "ingress": ingress_rules},
    }


def test_network_policy_blocks_the_ingress_controller(tmp_path: Path) -> None:
    only_same_namespace = policy(
        "scorer-allow-same-ns", [{"from": [{"podSelector": {}}], "ports": [{"port": 8080, "protocol": "TCP"}]}]
    )
    objects = stack(extra=[NGINX, ingress("fraud-api", "nginx", APP), controller_pod(), only_same_namespace])
    report = run(tmp_path, objects, target="Ingress/fraud-api")
    assert root_of(report) == "network.policy-blocking"


def test_network_policy_admitting_the_controller_namespace_is_fine(tmp_path: Path) -> None:
    admits = policy(
        "scorer-allow-ingress",
        [
            {
                "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}],
                "ports": [{"port": 8080}],
            }
        ],
    )
    report = run(
        tmp_path,
        stack(extra=[NGINX, ingress("fraud-api", "nginx", APP), controller_pod(), admits]),
        target="Ingress/fraud-api",
    )
    assert "network.policy-blocking" not in statuses(report)


def test_node_not_ready(tmp_path: Path) -> None:
    unknown = {"ready": False, "statuses": [kube.running("scorer", ready=False)], "node": "ip-10-0-3-99.ec2.internal"}
    report = run(
        tmp_path,
        stack(
            pod_overrides=dict.fromkeys(range(3), unknown), extra=[kube.node("ip-10-0-3-99.ec2.internal", ready=False)]
        ),
    )
    assert root_of(report) == "node.not-ready"


def test_ready_nodes_do_not_raise_node_not_ready(tmp_path: Path) -> None:
    report = run(tmp_path, stack())
    assert "node.not-ready" not in statuses(report)


def test_node_memory_pressure_evicts_target_pods(tmp_path: Path) -> None:
    evicted = kube.pod(
        f"{RS}-ev1ct",
        labels={"app": APP},
        owner=("ReplicaSet", RS),
        phase="Failed",
        statuses=[],
        status_extra={
            "reason": "Evicted",
            "message": "The node was low on resource: memory. Threshold quantity: 100Mi, available: 48Mi.",
        },
    )
    not_ready = {"ready": False, "statuses": [kube.running("scorer", ready=False)]}
    objects = [
        o
        for o in stack(pod_overrides={0: not_ready, 1: not_ready, 2: not_ready})
        if not (o["kind"] == "Node" and o["metadata"]["name"] == "ip-10-0-1-17.ec2.internal")
    ]
    objects += [kube.node(pressure="MemoryPressure"), evicted]
    report = run(tmp_path, objects)
    assert statuses(report)["node.pressure"] == "confirmed"


def gpu_node(name: str, gpus: str | None) -> dict[str, object]:
    labels = {
        "kubernetes.io/hostname": name,
        "node.kubernetes.io/instance-type": "g5.xlarge",
        "nvidia.com/gpu.present": "true",
    }
    capacity = {"cpu": "4", "memory": "16Gi", "pods": "58"} | ({"nvidia.com/gpu": gpus} if gpus is not None else {})
    return kube.node(name, labels=labels, capacity=capacity)


def gpu_pending(message: str) -> dict[str, object]:
    container = kube.container(
        resources={"limits": {"nvidia.com/gpu": "1", "memory": "24Gi"}, "requests": {"cpu": "2", "memory": "24Gi"}}
    )
    return pending(message) | {"containers": [container]}


def plugin_pod(node_name: str, ok: bool) -> dict[str, object]:
    status = (
        kube.running("nvidia-device-plugin-ctr")
        if ok
        else kube.waiting(
            "nvidia-device-plugin-ctr", "CrashLoopBackOff", "back-off", restarts=12, last=kube.terminated("Error", 1)
        )
    )
    return kube.pod(
        f"nvidia-device-plugin-daemonset-{node_name[-5:]}",
        namespace="kube-system",
        labels={"app.kubernetes.io/name": "nvidia-device-plugin"},
        node=node_name,
        statuses=[status],
        containers=[kube.container("nvidia-device-plugin-ctr", "nvcr.io/nvidia/k8s-device-plugin:v0.14.5")],
        owner=("DaemonSet", "nvidia-device-plugin-daemonset"),
    )


def test_gpu_unavailable_after_node_image_change(tmp_path: Path) -> None:
    message = "0/4 nodes are available: 2 Insufficient nvidia.com/gpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling."
    nodes = [gpu_node("ip-10-0-5-11.ec2.internal", None), gpu_node("ip-10-0-5-12.ec2.internal", None)]
    plugins = [plugin_pod(n["metadata"]["name"], ok=False) for n in nodes]
    changes = [
        {"at": "2026-06-26T11:40:00Z", "kind": "node-image", "summary": "GPU node group AMI 1.29-20260620 rolled out"}
    ]
    report = run(
        tmp_path,
        stack(pod_overrides={i: gpu_pending(message) for i in range(3)}, extra=[*nodes, *plugins]),
        changes=changes,
    )
    assert root_of(report) == "gpu.unavailable"


def test_all_gpus_busy_is_capacity_not_gpu_unavailable(tmp_path: Path) -> None:
    message = "0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 Insufficient cpu."
    node_name = "ip-10-0-5-11.ec2.internal"
    busy = kube.pod(
        "llm-7b-5d6f7-aaaaa",
        labels={"app": "llm"},
        node=node_name,
        containers=[kube.container(resources={"limits": {"nvidia.com/gpu": "1"}})],
    )
    report = run(
        tmp_path,
        stack(
            pod_overrides={i: gpu_pending(message) for i in range(3)},
            extra=[gpu_node(node_name, "1"), plugin_pod(node_name, ok=True), busy],
        ),
    )
    found = statuses(report)
    assert root_of(report) == "scheduling.insufficient-resources"
    assert found.get("gpu.unavailable") in (None, "refuted")


def test_quota_from_the_deployment_condition_after_events_expired(tmp_path: Path) -> None:
    objects = [o for o in stack() if not (o["kind"] == "Pod" and o["metadata"]["name"].startswith(RS))]
    for o in objects:
        if o["kind"] == "Deployment" and o["metadata"]["name"] == APP:
            o["status"]["conditions"].append(
                {
                    "type": "ReplicaFailure",
                    "status": "True",
                    "reason": "FailedCreate",
                    "lastTransitionTime": "2026-06-26T11:00:00Z",
                    "message": f'pods "{RS}-abcde" is forbidden: exceeded quota: gpu-quota, requested: requests.nvidia.com/gpu=1, used: requests.nvidia.com/gpu=4, limited: requests.nvidia.com/gpu=4',
                }
            )
    report = run(tmp_path, objects)
    assert root_of(report) == "scheduling.quota-exceeded"

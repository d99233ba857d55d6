"""A healthy serving stack to break in one place per test, plus a triage helper."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pagetrail.analysis.triage import triage
from pagetrail.evidence.bundle import load_bundle
from pagetrail.reports.triage_json import report_json
from tests import kube

Obj = dict[str, Any]
APP = "fraud-scorer"
RS = f"{APP}-7d4b9f6c8d"
OLD_RS = f"{APP}-5f8d9c7b44"
PODS = [f"{RS}-xk2pq", f"{RS}-mp9wz", f"{RS}-nt8rs"]
IPS = ["10.0.1.23", "10.0.2.41", "10.0.3.12"]


def stack(
    *,
    pod_overrides: dict[int, Obj] | None = None,
    replicas: int = 3,
    extra: list[Obj] | None = None,
    service_selector: dict[str, str] | None = None,
    endpoints_ready: bool | None = None,
    containers: list[Obj] | None = None,
) -> list[Obj]:
    """Deployment fraud-scorer (3 replicas) + ReplicaSet + pods + Service + Endpoints + node,
    plus a healthy neighbour (feature-store) and Normal events, as a namespace really looks."""
    labels = {"app": APP, "pod-template-hash": RS.rsplit("-", 1)[1]}
    objects: list[Obj] = [
        kube.node(),
        kube.node("ip-10-0-2-41.ec2.internal"),
        kube.deployment(APP, replicas=replicas, ready=replicas, labels={"app": APP}, revision=2, containers=containers),
        kube.replicaset(
            OLD_RS,
            APP,
            revision=1,
            replicas=0,
            ready=0,
            labels={"app": APP, "pod-template-hash": "5f8d9c7b44"},
            containers=[kube.container(image="registry.example.com/ml/fraud-scorer:v2")],
            created="2026-06-01T09:00:00Z",
        ),
        kube.replicaset(
            RS,
            APP,
            revision=2,
            replicas=replicas,
            ready=replicas,
            labels=labels,
            containers=containers,
            created="2026-06-20T10:00:00Z",
        ),
    ]
    pods = []
    for i in range(replicas):
        kwargs: Obj = {
            "labels": labels,
            "owner": ("ReplicaSet", RS),
            "pod_ip": IPS[i % 3],
            "created": "2026-06-20T10:00:05Z",
            "containers": containers,
        }
        kwargs.update((pod_overrides or {}).get(i, {}))
        pods.append(kube.pod(PODS[i % 3] if i < 3 else f"{RS}-z{i}x9q", **kwargs))
    objects.extend(pods)
    objects.append(kube.service(APP, selector=service_selector if service_selector is not None else {"app": APP}))
    ready_pods = [
        (p["status"].get("podIP", ""), p["metadata"]["name"])
        for p in pods
        if p["status"].get("containerStatuses") and all(s["ready"] for s in p["status"]["containerStatuses"])
    ]
    not_ready = [
        (p["status"].get("podIP", ""), p["metadata"]["name"])
        for p in pods
        if (p["status"].get("podIP", ""), p["metadata"]["name"]) not in ready_pods and p["status"].get("podIP")
    ]
    if endpoints_ready is False:
        not_ready, ready_pods = not_ready + ready_pods, []
    objects.append(kube.endpoints(APP, ready=ready_pods, not_ready=not_ready))
    # A healthy neighbour with an old restart, and the Normal chatter of a namespace.
    fs_labels = {"app": "feature-store", "pod-template-hash": "6b7c9d8f5"}
    objects += [
        kube.deployment("feature-store", replicas=1, ready=1),
        kube.replicaset("feature-store-6b7c9d8f5", "feature-store", labels=fs_labels, replicas=1, ready=1),
        kube.pod(
            "feature-store-6b7c9d8f5-q8w2e",
            labels=fs_labels,
            owner=("ReplicaSet", "feature-store-6b7c9d8f5"),
            containers=[kube.container("server", "redis:7.2")],
            statuses=[
                kube.running(
                    "server",
                    restarts=1,
                    image="redis:7.2",
                    last=kube.terminated("Error", 1, "2026-06-21T03:00:00Z", "2026-06-21T03:10:00Z"),
                )
            ],
            pod_ip="10.0.2.77",
        ),
        kube.service("feature-store", selector={"app": "feature-store"}, target_port=8080),
        kube.endpoints("feature-store", ready=[("10.0.2.77", "feature-store-6b7c9d8f5-q8w2e")]),
        kube.event(
            "Pod",
            "feature-store-6b7c9d8f5-q8w2e",
            "Pulled",
            'Container image "redis:7.2" already present on machine',
            type_="Normal",
        ),
        kube.event(
            "Deployment",
            APP,
            "ScalingReplicaSet",
            f"Scaled up replica set {RS} to {replicas}",
            type_="Normal",
            component="deployment-controller",
        ),
    ]
    objects.extend(extra or [])
    return objects


def run(
    tmp_path: Path,
    objects: list[Obj],
    *,
    logs: dict[str, str] | None = None,
    target: str | None = "Deployment/fraud-scorer",
    manifest: Obj | None = None,
    changes: list[Obj] | None = None,
) -> dict[str, Any]:
    """Write the bundle, triage it through the same path as the CLI, return the JSON report."""
    if manifest is None:
        manifest = {}
        if target:
            kind, name = target.split("/")
            manifest["target"] = {"namespace": "ml", "kind": kind, "name": name}
    kube.write_bundle(tmp_path / "bundle", objects, logs=logs, manifest=manifest, changes=changes)
    evidence = load_bundle(tmp_path / "bundle")
    return report_json(triage(evidence))


def statuses(report: dict[str, Any]) -> dict[str, str]:
    """code → strongest status among the report's hypotheses."""
    order = {"confirmed": 3, "likely": 2, "possible": 1, "refuted": 0}
    found: dict[str, str] = {}
    for h in report["hypotheses"]:
        if h["code"] not in found or order[h["status"]] > order[found[h["code"]]]:
            found[h["code"]] = h["status"]
    return found


def root(report: dict[str, Any]) -> str | None:
    return report["root_cause"]["code"] if report["root_cause"] else None

"""Look-alikes that must not trigger a code: the negative half of each cause's tests where the
positive test's file does not already hold one."""

from __future__ import annotations

from pathlib import Path

from tests import kube
from tests.scenarios import PODS, run, stack, statuses
from tests.test_platform_layers import PENDING_MESSAGES


def test_scheduled_pod_with_old_failed_scheduling_events_is_not_pending(tmp_path: Path) -> None:
    events = [
        kube.event(
            "Pod",
            PODS[0],
            "FailedScheduling",
            PENDING_MESSAGES[code],
            component="default-scheduler",
            first="2026-06-20T10:00:06Z",
            last="2026-06-20T10:01:00Z",
        )
        for code in (
            "scheduling.node-selector-mismatch",
            "scheduling.untolerated-taint",
            "scheduling.anti-affinity-conflict",
        )
    ]
    found = statuses(run(tmp_path, stack(extra=events)))
    assert not {c for c in found if c.startswith("scheduling.")}


def test_control_plane_taint_is_not_the_reason_a_pod_waits(tmp_path: Path) -> None:
    message = PENDING_MESSAGES["scheduling.insufficient-resources"]  # 3 Insufficient memory, 3 control-plane taint
    override = {
        "node": None,
        "phase": "Pending",
        "statuses": [],
        "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": message}],
    }
    report = run(tmp_path, stack(pod_overrides={0: override, 1: override, 2: override}))
    assert report["root_cause"]["code"] == "scheduling.insufficient-resources"
    assert "scheduling.untolerated-taint" not in statuses(report)


def test_existing_secret_on_a_running_pod_is_not_missing(tmp_path: Path) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": kube.meta("Secret", "model-registry-token"),
        "type": "Opaque",
    }
    container = kube.container(
        env=[
            {"name": "REGISTRY_TOKEN", "valueFrom": {"secretKeyRef": {"name": "model-registry-token", "key": "token"}}}
        ]
    )
    found = statuses(run(tmp_path, stack(containers=[container], extra=[secret])))
    assert "config.missing-secret" not in found


def test_readiness_failures_without_restarts_are_not_liveness(tmp_path: Path) -> None:
    not_ready = {"statuses": [kube.running("scorer", ready=False, started="2026-06-26T12:10:00Z")], "ready": False}
    events = [
        kube.event("Pod", p, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", count=30)
        for p in PODS
    ]
    found = statuses(run(tmp_path, stack(pod_overrides={0: not_ready, 1: not_ready, 2: not_ready}, extra=events)))
    assert "probe.liveness-failing" not in found
    assert found["probe.readiness-failing"] == "confirmed"


def test_node_without_pressure_or_evictions_is_not_under_pressure(tmp_path: Path) -> None:
    evicted_elsewhere = kube.pod("batch-1-abcde", labels={"app": "batch"}, phase="Succeeded", statuses=[])
    found = statuses(run(tmp_path, stack(extra=[evicted_elsewhere])))
    assert "node.pressure" not in found


def test_healthy_rollout_long_ago_is_not_blamed(tmp_path: Path) -> None:
    report = run(tmp_path, stack())
    assert report["root_cause"] is None
    assert statuses(report).get("change.bad-rollout") in (None, "refuted")

"""Seed 002 from metrics: a worker-count ceiling, throttling at a limit, and one pinned pod."""

from __future__ import annotations

from pathlib import Path

from tests import kube
from tests.metrics import bursty, cadvisor
from tests.scenarios import PODS, run, stack, statuses
from tests.scenarios import root as root_of

GUNICORN = kube.container(
    command=["gunicorn", "app:app", "--workers", "1", "--worker-class", "uvicorn.workers.UvicornWorker"],
    resources={"requests": {"cpu": "1200m", "memory": "3Gi"}, "limits": {"cpu": "1500m", "memory": "4Gi"}},
)


def with_metrics(tmp_path: Path, text: str, containers: list[dict[str, object]] | None = None) -> dict[str, object]:
    (tmp_path / "bundle" / "metrics").mkdir(parents=True)
    (tmp_path / "bundle" / "metrics" / "cadvisor.om").write_text(text)
    return run(tmp_path, stack(containers=containers))


def test_single_worker_ceiling_with_even_load(tmp_path: Path) -> None:
    text = cadvisor("ml", {p: bursty(0.92) for p in PODS})
    report = with_metrics(tmp_path, text, [GUNICORN])
    found = statuses(report)
    assert root_of(report) == "cpu.single-worker-ceiling"
    assert found["load.imbalance"] == "refuted"
    assert found["cpu.throttled"] == "refuted"


def test_throttled_at_the_limit_is_not_a_worker_ceiling(tmp_path: Path) -> None:
    container = kube.container(resources={"requests": {"cpu": "500m"}, "limits": {"cpu": "1"}})
    text = cadvisor(
        "ml",
        {p: bursty(0.99) for p in PODS},
        limit=1.0,
        throttle=lambda cores, limit: 0.6 if cores > 0.9 * limit else 0.0,
    )
    report = with_metrics(tmp_path, text, [container])
    found = statuses(report)
    assert found["cpu.throttled"] in ("confirmed", "likely")
    assert found["cpu.single-worker-ceiling"] == "refuted"  # flat at the limit: the limit caps it


def test_one_pinned_pod_is_an_imbalance(tmp_path: Path) -> None:
    text = cadvisor("ml", {PODS[0]: lambda _t: 0.97, PODS[1]: lambda _t: 0.08, PODS[2]: lambda _t: 0.1})
    report = with_metrics(tmp_path, text, [GUNICORN])
    found = statuses(report)
    assert found["load.imbalance"] == "confirmed"
    assert "cpu.single-worker-ceiling" not in found


def test_cpu_far_below_any_ceiling_raises_nothing(tmp_path: Path) -> None:
    text = cadvisor("ml", {p: (lambda _t: 0.3) for p in PODS})
    report = with_metrics(tmp_path, text, [GUNICORN])
    found = statuses(report)
    assert found["cpu.single-worker-ceiling"] == "refuted"  # far below any ceiling
    assert found.get("load.imbalance") in (None, "refuted")
    assert report["root_cause"] is None


def hpa(
    current: int,
    *,
    minimum: int = 3,
    maximum: int = 7,
    target: int = 80,
    conditions: list[dict[str, object]] | None = None,
) -> dict[str, object]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": kube.meta("HorizontalPodAutoscaler", "fraud-scorer"),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "fraud-scorer"},
            "minReplicas": minimum,
            "maxReplicas": maximum,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}},
                }
            ],
        },
        "status": {"currentReplicas": current, "desiredReplicas": current, "conditions": conditions or []},
    }


def test_hpa_that_never_scales_because_utilisation_is_a_share_of_the_request(tmp_path: Path) -> None:
    (tmp_path / "bundle" / "metrics").mkdir(parents=True)
    (tmp_path / "bundle" / "metrics" / "cadvisor.om").write_text(cadvisor("ml", {p: bursty(0.92) for p in PODS}))
    report = run(tmp_path, stack(containers=[GUNICORN], extra=[hpa(3)]))
    hypothesis = next(h for h in report["hypotheses"] if h["code"] == "hpa.not-scaling")
    assert hypothesis["status"] == "confirmed"
    assert "of their CPU request, under its 80% target" in hypothesis["summary"]
    assert any("would have scaled out" in f["fact"] for f in hypothesis["evidence_for"])


def test_hpa_without_metrics_is_not_scaling(tmp_path: Path) -> None:
    condition = {
        "type": "ScalingActive",
        "status": "False",
        "reason": "FailedGetResourceMetric",
        "message": "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container scorer of Pod x",
    }
    found = statuses(run(tmp_path, stack(extra=[hpa(3, conditions=[condition])])))
    assert found["hpa.not-scaling"] == "confirmed"


def test_hpa_at_max(tmp_path: Path) -> None:
    condition = {
        "type": "ScalingLimited",
        "status": "True",
        "reason": "TooManyReplicas",
        "message": "the desired replica count is more than the maximum replica count",
    }
    found = statuses(run(tmp_path, stack(extra=[hpa(7, maximum=7, conditions=[condition])])))
    assert found["hpa.at-max"] == "confirmed"


def test_hpa_scaling_normally_raises_nothing(tmp_path: Path) -> None:
    found = statuses(run(tmp_path, stack(extra=[hpa(5, maximum=10)])))
    assert "hpa.not-scaling" not in found
    assert found["hpa.at-max"] == "refuted"  # 5 of at most 10: room to grow

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
    assert "cpu.single-worker-ceiling" not in found


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
    assert "cpu.single-worker-ceiling" not in found
    assert found.get("load.imbalance") in (None, "refuted")
    assert report["root_cause"] is None

"""Seed 002 end to end from a bundle: a flapping ALB latency alarm since 04:34, a red-herring deploy
at 11:58, even per-pod CPU plateaus at ~0.9 core under a 1.5-core limit."""

from __future__ import annotations

import json
import math
from pathlib import Path

from pagetrail.analysis.alerting import describe_alarm
from pagetrail.domain.alarms import Alarm
from tests import kube
from tests.metrics import cadvisor
from tests.scenarios import PODS, run, stack, statuses
from tests.test_capacity import GUNICORN

ALARM = "k8s-api-prod-core-7db0ccf2c3-target-response-time"
ALARM_JSON = {
    "AlarmName": ALARM,
    "Namespace": "AWS/ApplicationELB",
    "MetricName": "TargetResponseTime",
    "Statistic": "Average",
    "Period": 60,
    "EvaluationPeriods": 2,
    "Threshold": 0.8,
    "ComparisonOperator": "GreaterThanThreshold",
    "StateValue": "ALARM",
    "Dimensions": [{"Name": "LoadBalancer", "Value": "app/k8s-apiprodcore/7db0ccf2c3"}],
}


def _flapping_history() -> dict[str, object]:
    items = []
    for n in range(9):  # nine OK->ALARM cycles from 04:34, a few minutes each
        start = 4 * 3600 + 34 * 60 + n * 1800
        for at, old, new in ((start, "OK", "ALARM"), (start + 240, "ALARM", "OK")):
            stamp = f"2026-06-26T{at // 3600:02d}:{at % 3600 // 60:02d}:00.000Z"
            items.append(
                {
                    "AlarmName": ALARM,
                    "Timestamp": stamp,
                    "HistoryItemType": "StateUpdate",
                    "HistorySummary": f"Alarm updated from {old} to {new}",
                    "HistoryData": json.dumps({"oldState": {"stateValue": old}, "newState": {"stateValue": new}}),
                }
            )
    return {"AlarmHistoryItems": items}


def test_seed_002_worker_ceiling_with_red_herring_deploy(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "cloudwatch").mkdir(parents=True)
    alarm = ALARM_JSON
    (bundle / "cloudwatch" / "alarms.json").write_text(json.dumps({"MetricAlarms": [alarm]}))
    (bundle / "cloudwatch" / "history.json").write_text(json.dumps(_flapping_history()))
    (bundle / "metrics").mkdir()
    bursts = {p: (lambda t: min(0.25 + (1.6 if math.sin(t / 600) > 0.4 else 0.0), 0.92)) for p in PODS}
    (bundle / "metrics" / "cadvisor.om").write_text(cadvisor("ml", bursts))
    # The deploy: a new ReplicaSet at 11:58, hours after the flapping began.
    objects = stack(
        containers=[GUNICORN],
        extra=[
            kube.replicaset(
                "fraud-scorer-9c8b7a6d5e",
                "fraud-scorer",
                revision=3,
                replicas=0,
                ready=0,
                created="2026-06-26T11:58:00Z",
            )
        ],
    )
    changes = [
        {
            "at": "2026-06-26T11:58:00Z",
            "kind": "deploy",
            "summary": "core-service-api v1.14.3-prod via GitHub Actions",
            "scope": {"namespace": "ml", "deployment": "fraud-scorer"},
        }
    ]
    report = run(tmp_path, objects, changes=changes)
    found = statuses(report)
    assert report["root_cause"]["code"] == "cpu.single-worker-ceiling"
    assert found["change.bad-rollout"] == "refuted"
    change = next(h for h in report["hypotheses"] if h["code"] == "change.bad-rollout")
    assert any("began at 04:34" in f["fact"] for f in change["evidence_against"])
    assert found["alarm.flapping"] in ("likely", "possible")
    assert found["load.imbalance"] == "refuted"


def test_alarm_condition_in_plain_english() -> None:
    alarm = Alarm(
        "a",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        (("LoadBalancer", "app/x"),),
        "Average",
        "",
        60,
        2,
        2,
        0.8,
        "GreaterThanThreshold",
        "missing",
        "ALARM",
        None,
        "cloudwatch/a.json",
    )
    assert describe_alarm(alarm) == (
        "fires when the Average of AWS/ApplicationELB TargetResponseTime (LoadBalancer=app/x) over 60s is greater than 0.8 "
        "for 2 consecutive periods; missing data: missing"
    )


def test_latency_histogram_sets_severity_and_onset(tmp_path: Path) -> None:
    lines = ["# TYPE http_request_duration_seconds histogram"]
    bounds = ["0.1", "0.5", "1", "5", "+Inf"]
    counts = dict.fromkeys(bounds, 0.0)
    for i in range(120):
        slow = i >= 80  # from minute 80 most requests take 1-5 s
        per_step = {
            "0.1": 0 if slow else 80,
            "0.5": 10 if slow else 95,
            "1": 20 if slow else 100,
            "5": 100,
            "+Inf": 100,
        }
        for b in bounds:
            counts[b] += per_step[b]
            lines.append(
                f'http_request_duration_seconds_bucket{{namespace="ml",pod="{PODS[0]}",le="{b}"}} {counts[b]:.0f} {1782457200 + i * 60}'
            )
    bundle = tmp_path / "bundle"
    (bundle / "metrics").mkdir(parents=True)
    (bundle / "metrics" / "app.om").write_text("\n".join([*lines, "# EOF"]) + "\n")
    slow_pods = {0: {"statuses": [kube.running("scorer", ready=False)], "ready": False}}
    report = run(tmp_path, stack(pod_overrides=slow_pods))
    assert report["severity"]["level"] in ("SEV2", "SEV3")
    assert "latency" in report["severity"]["why"]


def test_one_sustained_alarm_episode_is_not_flapping(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    (bundle / "cloudwatch").mkdir(parents=True)
    alarm = {k: v for k, v in ALARM_JSON.items() if k != "Dimensions"}
    history = {
        "AlarmHistoryItems": [
            {
                "AlarmName": ALARM,
                "Timestamp": "2026-06-26T10:02:00.000Z",
                "HistoryItemType": "StateUpdate",
                "HistoryData": json.dumps({"oldState": {"stateValue": "OK"}, "newState": {"stateValue": "ALARM"}}),
            }
        ]
    }
    (bundle / "cloudwatch" / "alarms.json").write_text(json.dumps({"MetricAlarms": [alarm]}))
    (bundle / "cloudwatch" / "history.json").write_text(json.dumps(history))
    found = statuses(run(tmp_path, stack()))
    assert "alarm.flapping" not in found

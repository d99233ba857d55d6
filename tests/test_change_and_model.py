"""Change correlation and model versions: a change explains a symptom only if it came first."""

from __future__ import annotations

from pathlib import Path

from tests import kube
from tests.scenarios import OLD_RS, PODS, run, stack, statuses
from tests.scenarios import root as root_of


def crash_since(when: str) -> dict[str, object]:
    return {
        "statuses": [
            kube.waiting("scorer", "CrashLoopBackOff", "back-off", restarts=4, last=kube.terminated("Error", 2))
        ],
        "conditions": [
            {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "lastTransitionTime": when}
        ],
        "ready": False,
    }


def test_rollout_right_before_a_generic_crash_is_the_cause(tmp_path: Path) -> None:
    old_pod = kube.pod(
        f"{OLD_RS}-aaaaa",
        labels={"app": "fraud-scorer", "pod-template-hash": "5f8d9c7b44"},
        owner=("ReplicaSet", OLD_RS),
        pod_ip="10.0.4.4",
    )
    objects = stack(pod_overrides={0: crash_since("2026-06-20T10:01:00Z")}, extra=[old_pod])
    report = run(
        tmp_path, objects, logs={f"ml/{PODS[0]}/scorer.previous.log": "panic: runtime error: invalid memory address\n"}
    )
    assert statuses(report)["change.bad-rollout"] == "confirmed"
    assert root_of(report) == "change.bad-rollout"
    assert "--to-revision=1" in report["root_cause"]["mitigation"]


def test_change_after_the_symptom_began_is_refuted(tmp_path: Path) -> None:
    objects = stack(pod_overrides={i: crash_since("2026-06-26T04:34:00Z") for i in range(3)})
    changes = [
        {
            "at": "2026-06-26T11:58:00Z",
            "kind": "deploy",
            "summary": "fraud-scorer v1.14.3 via GitHub Actions",
            "scope": {"namespace": "ml", "deployment": "fraud-scorer"},
        }
    ]
    # The only rollout (revision 2) is six days old; the declared deploy came seven hours after onset.
    report = run(tmp_path, objects, changes=changes)
    change = next(h for h in report["hypotheses"] if h["code"] == "change.bad-rollout")
    assert change["status"] == "refuted"
    assert any("cannot cause a symptom that began at 04:34" in f["fact"] for f in change["evidence_against"])
    assert root_of(report) == "container.crashloop"


def test_model_version_mismatch(tmp_path: Path) -> None:
    container = kube.container(
        image="registry.example.com/ml/fraud-scorer:v3", env=[{"name": "MODEL_VERSION", "value": "fraud-v2"}]
    )
    report = run(
        tmp_path,
        stack(containers=[container]),
        manifest={
            "target": {"namespace": "ml", "kind": "Deployment", "name": "fraud-scorer"},
            "expected": {"model_version": "fraud-v3"},
        },
    )
    assert root_of(report) == "model.version-mismatch"
    assert report["severity"]["level"] == "SEV2"


def test_pods_serving_the_expected_version_are_not_a_mismatch(tmp_path: Path) -> None:
    container = kube.container(
        image="registry.example.com/ml/fraud-scorer:2026.06.1", env=[{"name": "MODEL_VERSION", "value": "fraud-v3"}]
    )
    report = run(
        tmp_path,
        stack(containers=[container]),
        manifest={
            "target": {"namespace": "ml", "kind": "Deployment", "name": "fraud-scorer"},
            "expected": {"model_version": "fraud-v3"},
        },
    )
    assert statuses(report).get("model.version-mismatch") in (None, "refuted")
    assert report["root_cause"] is None


def test_timeline_merges_changes_onset_and_page(tmp_path: Path) -> None:
    objects = stack(pod_overrides={i: crash_since("2026-06-26T12:02:00Z") for i in range(3)})
    changes = [{"at": "2026-06-26T12:00:00Z", "kind": "config", "summary": "feature flag fraud.v3_rules on"}]
    manifest = {
        "target": {"namespace": "ml", "kind": "Deployment", "name": "fraud-scorer"},
        "incident": {"detected_at": "2026-06-26T12:05:00Z", "symptom": "errors"},
    }
    report = run(tmp_path, objects, manifest=manifest, changes=changes)
    whats = [e["what"] for e in report["timeline"]]
    assert any(w.startswith("config: feature flag") for w in whats)
    assert any(w.startswith("symptom onset") for w in whats)
    assert any(w.startswith("page fired") for w in whats)
    assert [e["at"] for e in report["timeline"]] == sorted(e["at"] for e in report["timeline"])

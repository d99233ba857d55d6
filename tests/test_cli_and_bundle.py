"""The CLI and the bundle reader on good and bad input: clear one-line errors, exit 2, no
tracebacks, and a report that still comes out when some files are broken."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from pagetrail.cli.app import app
from pagetrail.evidence.bundle import load_bundle
from tests import kube
from tests.scenarios import stack

runner = CliRunner()


def triage(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["triage", *args])
    return result.exit_code, result.stdout, result.stderr


def test_missing_bundle_path(tmp_path: Path) -> None:
    code, out, err = triage(str(tmp_path / "nope"))
    assert code == 2
    assert "nope: no such bundle" in err
    assert "Traceback" not in out + err


def test_bundle_with_nothing_usable(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    code, _, err = triage(str(tmp_path))
    assert code == 2
    assert "nothing usable" in err
    assert len(err.strip().splitlines()) == 1


def test_broken_files_are_skipped_and_the_rest_triaged(tmp_path: Path) -> None:
    kube.write_bundle(
        tmp_path, stack(), manifest={"target": {"namespace": "ml", "kind": "Deployment", "name": "fraud-scorer"}}
    )
    (tmp_path / "k8s" / "broken.json").write_text('{"kind": "Pod",\n  "metadata": {"name": \n}')
    (tmp_path / "k8s" / "nokind.yaml").write_text("apiVersion: v1\nmetadata:\n  name: orphan\n")
    bad_time = kube.pod("timey", created="yesterday")
    (tmp_path / "k8s" / "badtime.json").write_text(json.dumps(bad_time))
    code, out, err = triage(str(tmp_path), "--format", "json")
    assert code == 0
    report = json.loads(out)
    skipped = {s["file"]: s for s in report["skipped"]}
    assert skipped["k8s/broken.json"]["line"] == 3
    assert "not valid JSON" in skipped["k8s/broken.json"]["problem"]
    assert "without 'kind'" in skipped["k8s/nokind.yaml"]["problem"]
    assert "RFC 3339" in skipped["k8s/badtime.json"]["problem"]
    assert "k8s/broken.json:3" in err
    code, _, err = triage(str(tmp_path), "--strict")
    assert code == 2
    assert "--strict" in err


def test_unknown_target(tmp_path: Path) -> None:
    kube.write_bundle(tmp_path, stack())
    code, _, err = triage(str(tmp_path), "--target", "deploy/does-not-exist", "-n", "ml")
    assert code == 2
    assert "Deployment/does-not-exist not found in namespace ml" in err
    assert "fraud-scorer" in err


def test_bad_target_syntax(tmp_path: Path) -> None:
    kube.write_bundle(tmp_path, stack())
    code, _, err = triage(str(tmp_path), "--target", "fraud-scorer")
    assert code == 2
    assert "KIND/NAME" in err


def test_text_and_markdown_render_the_same_report(tmp_path: Path) -> None:
    crash = {
        "statuses": [
            kube.waiting("scorer", "CrashLoopBackOff", "back-off", restarts=5, last=kube.terminated("OOMKilled", 137))
        ],
        "ready": False,
    }
    kube.write_bundle(
        tmp_path,
        stack(pod_overrides={0: crash, 1: crash, 2: crash}),
        manifest={"target": {"namespace": "ml", "kind": "Deployment", "name": "fraud-scorer"}},
    )
    code, text, _ = triage(str(tmp_path))
    assert code == 0
    assert "container.oom-killed" in text
    assert "docs/causes/container.oom-killed.md" in text
    code, markdown, _ = triage(str(tmp_path), "--format", "markdown")
    assert markdown.startswith("# Triage: Deployment/ml/fraud-scorer")
    assert "`container.oom-killed`" in markdown


def test_target_flag_overrides_the_manifest(tmp_path: Path) -> None:
    kube.write_bundle(
        tmp_path, stack(), manifest={"target": {"namespace": "ml", "kind": "Deployment", "name": "fraud-scorer"}}
    )
    code, out, _ = triage(str(tmp_path), "--format", "json", "--target", "svc/feature-store")
    assert code == 0
    assert json.loads(out)["target"] == {"namespace": "ml", "kind": "Service", "name": "feature-store"}


def test_duplicate_objects_keep_the_newer_resource_version(tmp_path: Path) -> None:
    older = kube.deployment("fraud-scorer", ready=3)
    newer = kube.deployment("fraud-scorer", ready=1)
    newer["metadata"]["resourceVersion"] = "2000"
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "a.json").write_text(json.dumps(newer))
    (tmp_path / "k8s" / "b.yaml").write_text("---\n" + json.dumps(older) + "\n---\n")
    evidence = load_bundle(tmp_path)
    assert [w.ready for w in evidence.cluster.workloads] == [1]


def test_logs_with_and_without_timestamps(tmp_path: Path) -> None:
    logs = tmp_path / "logs" / "ml" / "p1"
    logs.mkdir(parents=True)
    (logs / "c.log").write_text("2026-06-26T12:00:01.123456789Z started\nplain line\n")
    (logs / "c.previous.log").write_text("crashed\n")
    evidence = load_bundle(tmp_path)
    current = next(log for log in evidence.logs if not log.previous)
    assert current.lines[0].text == "started"
    assert current.lines[0].at is not None
    assert current.lines[1].at is None
    assert any(log.previous for log in evidence.logs)


def test_events_k8s_io_v1_are_read(tmp_path: Path) -> None:
    event = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "p.1", "namespace": "ml"},
        "regarding": {"kind": "Pod", "name": "p", "namespace": "ml"},
        "reason": "Unhealthy",
        "note": "Readiness probe failed: HTTP probe failed with statuscode: 503",
        "type": "Warning",
        "eventTime": "2026-06-26T12:00:00.000000Z",
        "series": {"count": 4, "lastObservedTime": "2026-06-26T12:03:00.000000Z"},
        "reportingController": "kubelet",
    }
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "events.json").write_text(json.dumps(event))
    [read] = load_bundle(tmp_path).cluster.events
    assert (read.reason, read.count, read.name) == ("Unhealthy", 4, "p")
    assert read.last is not None
    assert read.first is not None
    assert read.last > read.first


def test_changes_yaml_bad_entry_is_skipped(tmp_path: Path) -> None:
    kube.write_bundle(
        tmp_path,
        stack(),
        changes=[
            {"at": "2026-06-26T11:58:00Z", "kind": "deploy", "summary": "ok"},
            {"at": "soon", "kind": "deploy", "summary": "bad"},
        ],
    )
    evidence = load_bundle(tmp_path)
    assert len(evidence.changes) == 1
    assert any("changes[1].at" in s.problem for s in evidence.skipped)


def test_secret_values_are_never_kept(tmp_path: Path) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": kube.meta("Secret", "db"),
        "type": "Opaque",
        "data": {"password": "aHVudGVyMg=="},
    }
    env = [{"name": "DB_PASSWORD", "value": "hunter2"}, {"name": "MODEL_VERSION", "value": "fraud-v3"}]
    kube.write_bundle(tmp_path, [secret, kube.pod("p", containers=[kube.container(env=env)])])
    evidence = load_bundle(tmp_path)
    assert evidence.cluster.secrets[0].keys == frozenset({"password"})
    assert dict(evidence.cluster.pods[0].spec.containers[0].version_env) == {"MODEL_VERSION": "fraud-v3"}
    _, out, _ = triage(str(tmp_path), "--format", "json")
    assert "hunter2" not in out
    assert "aHVudGVyMg" not in out


def test_explain_and_causes() -> None:
    result = runner.invoke(app, ["explain", "model.load-failed"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# model.load-failed")
    result = runner.invoke(app, ["explain", "model.nope"])
    assert result.exit_code == 2
    listing = runner.invoke(app, ["causes"]).stdout
    assert "gpu.unavailable" in listing


def test_openmetrics_bad_lines_are_skipped_with_their_line(tmp_path: Path) -> None:
    kube.write_bundle(tmp_path, stack())
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "app.om").write_text(
        "# TYPE http_requests counter\n"
        'http_requests_total{code="200",pod="p1"} 10 1782475200\n'
        'http_requests_total{code="200",pod="p1"} 12 1782475215\n'
        "this is not a sample\n"
        'http_requests_total{code="500",pod="p1"} lots 1782475215\n'
        "# EOF\n"
    )
    evidence = load_bundle(tmp_path)
    [series] = evidence.metrics
    assert series.values.tolist() == [10.0, 12.0]
    problems = {(s.file, s.line) for s in evidence.skipped}
    assert problems == {("metrics/app.om", 4), ("metrics/app.om", 5)}
    code, _, err = triage(str(tmp_path), "--strict")
    assert code == 2
    assert "metrics/app.om:4" in err


def test_namespace_alone_triages_everything_in_it(tmp_path: Path) -> None:
    crash = {
        "statuses": [
            kube.waiting("scorer", "CrashLoopBackOff", "back-off", restarts=5, last=kube.terminated("OOMKilled", 137))
        ],
        "ready": False,
    }
    other = kube.pod(
        "web-1",
        namespace="web",
        labels={"app": "web"},
        statuses=[kube.waiting("scorer", "ImagePullBackOff", "Back-off pulling image")],
    )
    kube.write_bundle(tmp_path, [*stack(pod_overrides={0: crash, 1: crash, 2: crash}), other])
    code, out, _ = triage(str(tmp_path), "-n", "ml", "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["target"] == {"namespace": "ml", "kind": "Namespace", "name": "ml"}
    assert report["root_cause"]["code"] == "container.oom-killed"
    assert all("web" not in h["summary"] for h in report["hypotheses"])

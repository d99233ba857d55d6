"""The live path against a real Prometheus: the report from the bundle's metrics/ and the report
from Prometheus (loaded by promtool from the same .om files) agree on root cause and statuses."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

from typer.testing import CliRunner

from pagetrail.cli.app import app
from tests import kube
from tests.metrics import cadvisor
from tests.prometheus_server import prometheus_with
from tests.scenarios import PODS, stack
from tests.test_capacity import GUNICORN


def _report(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["triage", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _statuses(report: dict[str, object]) -> dict[str, str]:
    return {h["code"]: h["status"] for h in report["hypotheses"]}  # type: ignore[attr-defined,index]


def test_bundle_and_prometheus_agree(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    manifest = {
        "target": {"namespace": "ml", "kind": "Deployment", "name": "fraud-scorer"},
        "captured_at": "2026-06-26T09:00:00Z",
    }
    kube.write_bundle(bundle, stack(containers=[GUNICORN]), manifest=manifest)
    (bundle / "bundle.yaml").write_text(
        "version: 1\ncaptured_at: '2026-06-26T09:00:00Z'\ntarget: {namespace: ml, kind: Deployment, name: fraud-scorer}\n"
    )
    metrics = bundle / "metrics" / "cadvisor.om"
    metrics.parent.mkdir()
    metrics.write_text(
        cadvisor("ml", {p: (lambda t: min(0.25 + (1.6 if math.sin(t / 600) > 0.4 else 0.0), 0.92)) for p in PODS})
    )
    from_bundle = _report(str(bundle))
    live_only = tmp_path / "live"
    shutil.copytree(bundle, live_only)
    shutil.rmtree(live_only / "metrics")
    with prometheus_with([metrics], tmp_path) as url:
        from_prometheus = _report(str(live_only), "--prometheus", url, "--since", "3h")
    assert from_bundle["root_cause"]["code"] == "cpu.single-worker-ceiling"  # type: ignore[index]
    assert from_prometheus["root_cause"]["code"] == from_bundle["root_cause"]["code"]  # type: ignore[index]
    assert _statuses(from_prometheus) == _statuses(from_bundle)
    assert from_prometheus["skipped"] == []


def test_unreachable_prometheus_is_a_skipped_query(tmp_path: Path) -> None:
    kube.write_bundle(
        tmp_path, stack(), manifest={"target": {"namespace": "ml", "kind": "Deployment", "name": "fraud-scorer"}}
    )
    report = _report(str(tmp_path), "--prometheus", "http://127.0.0.1:9", "--since", "1h")
    assert report["skipped"][0]["file"].startswith("prometheus: ")  # type: ignore[index]
    assert report["schema"] == "pagetrail.triage.v1"

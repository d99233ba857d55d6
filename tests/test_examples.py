"""Every bundled example triages to the cause its answer key names, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pagetrail.analysis.triage import triage
from pagetrail.cli.app import app
from pagetrail.evidence.bundle import load_bundle

EXAMPLES = sorted(p for p in (Path(__file__).parent.parent / "examples").iterdir() if (p / "expected.yaml").is_file())


@pytest.mark.parametrize("bundle", EXAMPLES, ids=lambda p: p.name)
def test_example_triages_to_its_cause(bundle: Path) -> None:
    expected = yaml.safe_load((bundle / "expected.yaml").read_text())
    result = CliRunner().invoke(app, ["triage", str(bundle), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["schema"] == "pagetrail.triage.v1"
    assert report["root_cause"]["code"] == expected["root_cause"]
    held = {h["code"] for h in report["hypotheses"] if h["status"] in ("confirmed", "likely")}
    for code in expected.get("also_confirmed") or []:
        assert code in held, f"{code} should hold in {bundle.name}"
    assert report["root_cause"]["code"] not in (expected.get("must_not_be_root") or [])
    statuses = {h["code"]: h["status"] for h in report["hypotheses"]}
    for code in expected.get("refuted") or []:
        assert statuses.get(code) == "refuted", f"{code} should be refuted in {bundle.name}"
    assert report["skipped"] == []


def test_examples_cover_the_issue_list() -> None:
    names = {p.name for p in EXAMPLES}
    assert len(names) >= 6
    assert {
        "model-missing-crashloop",
        "oom-model-load",
        "image-pull-auth",
        "readiness-slow-model-load",
        "db-schema-mismatch-seed004",
    } <= names


@pytest.mark.parametrize("bundle", EXAMPLES, ids=lambda p: p.name)
def test_example_without_a_target_finds_the_same_cause(bundle: Path) -> None:
    """With no target, the user-facing workload's problem outranks red herrings elsewhere."""
    expected = yaml.safe_load((bundle / "expected.yaml").read_text())
    evidence = load_bundle(bundle)
    evidence.manifest.target = None
    report = triage(evidence)
    assert report.root_cause is not None
    assert report.root_cause.code == expected["root_cause"]


def test_seed_004_metrics_date_the_first_bad_revision() -> None:
    """The sidecars' 500s start with revision 58 (23:50), not with the last of the failed patches."""
    report = triage(load_bundle(Path(__file__).parent.parent / "examples" / "db-schema-mismatch-seed004"))
    change = next(h for h in report.hypotheses if h.code == "change.bad-rollout")
    assert "revision 58" in change.summary
    assert report.severity.level == "SEV1"
    assert "request metrics" in report.severity.why

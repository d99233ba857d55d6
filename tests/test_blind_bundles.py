"""Bundles written blind by a teammate from the spec alone (never from the code), one per
incident type, in other stacks' words (Spring, Go, TorchServe, KServe, vLLM, BentoML, Triton):
triage must name the cause they name."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pagetrail.analysis.triage import triage
from pagetrail.evidence.bundle import load_bundle

BUNDLES = sorted(p for p in (Path(__file__).parent / "data" / "blind").iterdir() if (p / "expected.yaml").is_file())


@pytest.mark.parametrize("bundle", BUNDLES, ids=lambda p: p.name)
def test_blind_bundle(bundle: Path) -> None:
    expected = yaml.safe_load((bundle / "expected.yaml").read_text())["root_cause"]
    evidence = load_bundle(bundle)
    report = triage(evidence)
    assert (report.root_cause.code if report.root_cause else None) == expected
    assert evidence.skipped == []

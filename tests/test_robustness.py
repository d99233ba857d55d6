"""Mutated bundles (fields of the wrong type, impossible timestamps, missing parts) never make
triage raise: bad objects are skipped with a reason and the rest is triaged."""

from __future__ import annotations

import copy
import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pagetrail.analysis.topology import TargetNotFoundError
from pagetrail.analysis.triage import triage
from pagetrail.evidence.bundle import load_bundle
from pagetrail.reports.triage_json import report_json
from pagetrail.reports.triage_markdown import render_markdown
from pagetrail.reports.triage_text import render_text

EXAMPLES = sorted(p for p in (Path(__file__).parent.parent / "examples").iterdir() if (p / "expected.yaml").is_file())
WEIRD: list[Any] = [None, 0, -1, "", "x", [], {}, [1], {"a": 1}, True, 3.5, "2026-13-45T99:00:00Z"]


def _mutate(rng: random.Random, node: Any, depth: int = 0) -> None:
    if isinstance(node, dict) and node:
        key = rng.choice(list(node))
        if rng.random() < 0.3 or depth > 6:
            node[key] = copy.deepcopy(rng.choice(WEIRD))
        else:
            _mutate(rng, node[key], depth + 1)
    elif isinstance(node, list) and node:
        index = rng.randrange(len(node))
        if rng.random() < 0.3 or depth > 6:
            node[index] = copy.deepcopy(rng.choice(WEIRD))
        else:
            _mutate(rng, node[index], depth + 1)


@pytest.mark.parametrize("seed", range(40))
def test_mutated_bundle_never_raises(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    bundle = tmp_path / "b"
    shutil.copytree(rng.choice(EXAMPLES), bundle)
    files = sorted(f for f in (bundle / "k8s").rglob("*") if f.suffix in (".json", ".yaml", ".yml"))
    for file in rng.sample(files, min(3, len(files))):
        documents = list(yaml.safe_load_all(file.read_text()))
        for document in documents:
            for _ in range(rng.randint(1, 8)):
                _mutate(rng, document)
        text = json.dumps(documents[0], default=str) if file.suffix == ".json" else yaml.safe_dump_all(documents)
        file.write_text(text)
    try:
        report = triage(load_bundle(bundle))
    except TargetNotFoundError:
        return  # the mutation removed the target itself: the CLI reports that in one line
    report_json(report)
    render_text(report)
    render_markdown(report)

"""Metric history at scale: 500 pods x 12 series x 6 h at 15 s (about 8.6 M samples).

Prints the OpenMetrics parse rate (samples/s), triage's analysis time on top of parsing, and the
whole load + triage time as a ratio to numpy merely loading the same samples from an in-memory
array, measured in the same run. Targets: parse >= 2 M samples/s; analysis <= 2 s on top of parsing.

    python benchmarks/metrics_scale.py [--pods 500] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

T0 = 1782445200  # 2026-06-26T04:00:00Z
STEP = 15
SAMPLES = 6 * 3600 // STEP
BOUNDS = ("0.1", "0.5", "1", "5", "+Inf")


def _pod_file(rng: np.random.Generator, namespace: str, pod: str) -> tuple[str, int]:
    times = T0 + STEP * np.arange(SAMPLES)
    cores = np.clip(0.3 + 0.6 * (np.sin(np.arange(SAMPLES) / 80) > 0.3) + rng.normal(0, 0.03, SAMPLES), 0, 0.92)
    base = f'namespace="{namespace}",pod="{pod}"'
    series: list[tuple[str, np.ndarray]] = [
        (f'container_cpu_usage_seconds_total{{{base},container="server"}}', np.cumsum(cores * STEP)),
        (f'container_cpu_cfs_periods_total{{{base},container="server"}}', np.cumsum(np.full(SAMPLES, 10.0 * STEP))),
        (f'container_cpu_cfs_throttled_periods_total{{{base},container="server"}}', np.cumsum(np.zeros(SAMPLES))),
        (f'container_memory_working_set_bytes{{{base},container="server"}}', 2.5e9 + rng.normal(0, 2e7, SAMPLES)),
        (f'container_spec_memory_limit_bytes{{{base},container="server"}}', np.full(SAMPLES, 4.294967296e9)),
        (f'http_requests_total{{{base},code="200"}}', np.cumsum(rng.poisson(300, SAMPLES)).astype(float)),
        (f'http_requests_total{{{base},code="500"}}', np.cumsum(rng.poisson(1, SAMPLES)).astype(float)),
    ]
    seen = np.cumsum(rng.poisson(300, SAMPLES)).astype(float)
    for le, share in zip(BOUNDS, (0.6, 0.9, 0.97, 0.995, 1.0), strict=True):
        series.append((f'http_request_duration_seconds_bucket{{{base},le="{le}"}}', np.floor(seen * share)))
    lines = [
        "# TYPE container_cpu_usage_seconds counter",
        "# TYPE http_requests counter",
        "# TYPE http_request_duration_seconds histogram",
    ]
    for key, values in series:
        lines.extend(f"{key} {v:.6g} {t}" for v, t in zip(values.tolist(), times.tolist(), strict=True))
    lines.append("# EOF")
    return "\n".join(lines) + "\n", len(series) * SAMPLES


def generate(root: Path, pods: int) -> dict[str, object]:
    rng = np.random.default_rng(11)
    (root / "metrics").mkdir(parents=True)
    (root / "k8s").mkdir()
    items = []
    names = []
    for index in range(pods):
        deployment = f"model-{index // 10:03d}"
        pod = f"{deployment}-7d4b9f6c8d-{index:05d}"
        names.append(pod)
        text, _count = _pod_file(rng, "ml", pod)
        (root / "metrics" / f"{pod}.om").write_text(text)
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": pod,
                    "namespace": "ml",
                    "uid": f"uid-{index}",
                    "creationTimestamp": "2026-06-20T00:00:00Z",
                    "labels": {"app": deployment},
                    "ownerReferences": [
                        {
                            "kind": "ReplicaSet",
                            "name": f"{deployment}-7d4b9f6c8d",
                            "uid": f"rs-{index // 10}",
                            "controller": True,
                        }
                    ],
                },
                "spec": {
                    "nodeName": "node-1",
                    "containers": [
                        {
                            "name": "server",
                            "image": "r/x:1",
                            "args": ["--workers", "1"],
                            "resources": {
                                "requests": {"cpu": "1200m", "memory": "3Gi"},
                                "limits": {"cpu": "1500m", "memory": "4Gi"},
                            },
                        }
                    ],
                },
                "status": {
                    "phase": "Running",
                    "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-06-20T00:01:00Z"}],
                    "containerStatuses": [
                        {
                            "name": "server",
                            "ready": True,
                            "restartCount": 0,
                            "image": "r/x:1",
                            "imageID": "",
                            "state": {"running": {"startedAt": "2026-06-20T00:01:00Z"}},
                        }
                    ],
                },
            }
        )
    deployments = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": f"model-{d:03d}",
                "namespace": "ml",
                "uid": f"dep-{d}",
                "creationTimestamp": "2026-06-01T00:00:00Z",
            },
            "spec": {
                "replicas": 10,
                "selector": {"matchLabels": {"app": f"model-{d:03d}"}},
                "template": {
                    "metadata": {"labels": {"app": f"model-{d:03d}"}},
                    "spec": {"containers": [{"name": "server", "image": "r/x:1"}]},
                },
            },
            "status": {"replicas": 10, "readyReplicas": 10},
        }
        for d in range(pods // 10)
    ]
    (root / "k8s" / "objects.json").write_text(
        json.dumps({"apiVersion": "v1", "kind": "List", "items": items + deployments})
    )
    (root / "bundle.yaml").write_text(
        "version: 1\ncaptured_at: '2026-06-26T10:00:00Z'\ntarget: {namespace: ml, kind: Deployment, name: model-000}\n"
    )
    return {"pods": pods, "samples": pods * 12 * SAMPLES}


_CHILD = """
import gc, sys, time
from pathlib import Path
import numpy as np
from pagetrail.evidence.bundle import load_bundle
from pagetrail.analysis.triage import triage
root = Path(sys.argv[1])
loads, analyses = [], []
for _ in range(2):  # best of two: the first also warms the page cache
    gc.unfreeze(); gc.collect()
    start = time.perf_counter()
    evidence = load_bundle(root)
    loads.append(time.perf_counter() - start)
    start = time.perf_counter()
    report = triage(evidence)
    analyses.append(time.perf_counter() - start)
samples = sum(len(s) for s in evidence.metrics)
flat = np.concatenate([np.concatenate((s.times, s.values)) for s in evidence.metrics]).tobytes()
start = time.perf_counter()
loaded = np.frombuffer(flat, dtype=np.float64).copy()
baseline = time.perf_counter() - start
print(samples, min(loads), min(analyses), baseline, report.root_cause.code if report.root_cause else None)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pods", type=int, default=500)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "bundle"
        print("generating bundle ...", file=sys.stderr, flush=True)
        info = generate(root, args.pods)
        size = sum(f.stat().st_size for f in (root / "metrics").glob("*.om"))
        print(
            f"bundle: {info['pods']} pods x 12 series x 6 h at 15 s = {info['samples']:,} samples, {size / 2**20:.0f} MiB of OpenMetrics"
        )
        print("measuring ...", file=sys.stderr, flush=True)
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(root)], check=True, capture_output=True, text=True
        ).stdout.split()
        samples, load, analysis, baseline, root_cause = int(out[0]), float(out[1]), float(out[2]), float(out[3]), out[4]
        print(f"load (parse) rate         : {samples / load / 1e6:.2f} M samples/s in {load:.2f} s  (target >= 2 M/s)")
        print(f"analysis on top of parsing: {analysis:.2f} s  (target <= 2 s; root cause {root_cause})")
        print(
            f"numpy load of the samples : {baseline * 1e3:.1f} ms; load + triage = {(load + analysis) / baseline:.0f}x that"
        )


if __name__ == "__main__":
    main()

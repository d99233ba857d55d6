"""`model.version-mismatch`: healthy pods serving a model version other than the one the model
registry says should serve (bundle.yaml `expected.model_version`, seed 001).

A pod serves a version when its image tag, a version label or a MODEL_VERSION-like environment
value names it; a pod that names the expected version anywhere is not a mismatch.
"""

from __future__ import annotations

import re

from pagetrail.analysis.context import Context, object_fact
from pagetrail.domain.pod import Pod
from pagetrail.domain.report import Status

_VERSION_LABELS = re.compile(r"(?:^|/)(?:version|model[-_.]?version|model|revision)$", re.I)


def _names_version(value: str, expected: str) -> bool:
    value, expected = value.lower(), expected.lower()
    if value == expected:
        return True
    return bool(re.search(rf"(?:^|[-_.:@/]){re.escape(expected)}(?:$|[-_.:@/])", value))


def served_versions(pod: Pod) -> dict[str, str]:
    """Where the pod says which model it serves: {'image tag': 'fraud-v2', 'env MODEL_VERSION': ...}."""
    found: dict[str, str] = {}
    for container in pod.spec.containers:
        if container.image_tag:
            found[f"container {container.name} image tag"] = container.image_tag
        for name, value in container.version_env.items():
            if "MODEL" in name.upper() or "VERSION" in name.upper():
                found[f"container {container.name} env {name}"] = value
    for key, value in pod.meta.labels.items():
        if _VERSION_LABELS.search(key):
            found[f"label {key}"] = value
    return found


def _family(expected: str) -> str:
    """`fraud-v3` -> `fraud`: the model the expected version is a version of ('' if none)."""
    return re.sub(r"[-_.:@]?v?\d[\w.]*$", "", expected).lower()


def _same_family(pod: Pod, family: str) -> bool:
    texts = [*served_versions(pod).values(), *(c.image.rsplit("/", 1)[-1] for c in pod.spec.containers)]
    return any(family in text.lower() for text in texts)


def analyze_model_versions(ctx: Context) -> None:
    expected = ctx.evidence.manifest.expected_model_version
    if not expected:
        return
    serving = [p for p in ctx.scope.pods if not p.is_finished and p.phase == "Running"]
    if ctx.scope.everything:
        # Without a target, the expected version only speaks for pods serving that model.
        family = _family(expected)
        serving = [p for p in serving if family and _same_family(p, family)]
    for pod in serving:
        versions = served_versions(pod)
        if not versions:
            continue
        matching = [where for where, value in versions.items() if _names_version(value, expected)]
        if matching:
            ctx.add(
                "model.version-mismatch",
                Status.REFUTED,
                pod=pod,
                summary=f"{pod.meta.name} serves the expected model {expected}",
                facts=[],
                against=[object_fact(pod.meta, f"{matching[0]} = {versions[matching[0]]}")],
            )
            continue
        explicit = [w for w in versions if "env" in w or "label" in w]
        shown = "; ".join(f"{w} = {v}" for w, v in versions.items())
        ctx.add(
            "model.version-mismatch",
            Status.CONFIRMED if explicit and pod.is_ready else Status.LIKELY,
            pod=pod,
            summary=f"pods serve model {next(iter(versions.values()))}, not the expected {expected}",
            facts=[
                object_fact(pod.meta, f"{shown}; expected.model_version = {expected}"),
                object_fact(pod.meta, f"Ready={pod.is_ready}"),
            ],
            names=ctx.names(pod, detail=expected),
            onset=pod.start_time,
        )

"""Prediction-class distribution (seed 001): when a class the model used to predict drops to zero
while traffic continues, the model serving is not the model that should be (or its inputs broke).
A lightweight proxy for quality that catches a silent version mismatch before a KPI review."""

from __future__ import annotations

import numpy as np

from pagetrail.analysis.context import Context
from pagetrail.analysis.series_math import counter_rate
from pagetrail.domain.clock import format_clock
from pagetrail.domain.pod import Pod
from pagetrail.domain.report import Fact, Status
from pagetrail.domain.series import Series

_PREDICTIONS = ("ml_predictions_total", "predictions_total", "model_predictions_total")
_CLASS_LABELS = ("class", "label", "prediction", "predicted_class")
_MIN_EXPECTED = 20.0
"""A class must have been expected this many times after the change for its absence to mean anything."""


def _groups(ctx: Context, series: list[Series]) -> list[tuple[Pod, list[Series]]]:
    """Series per workload, each with a pod to report on; only series a pod of the scope owns."""
    by_owner: dict[str, tuple[Pod, list[Series]]] = {}
    for one in series:
        pod = ctx.index.pods.get((one.label("namespace"), one.label("pod")))
        if pod is None or not ctx.scope.has_pod(pod):
            continue
        owner = ctx.index.owner_ref(pod)
        by_owner.setdefault(owner, (pod, []))[1].append(one)
    return list(by_owner.values())


def analyze_prediction_classes(ctx: Context) -> None:
    store = ctx.metrics
    if store is None:
        return
    found = [s for name in _PREDICTIONS for s in store.named(name)]
    for pod, series in _groups(ctx, found):
        _collapse(ctx, pod, series)


def _collapse(ctx: Context, pod: Pod, series: list[Series]) -> None:
    store = ctx.metrics
    assert store is not None
    by_class: dict[str, list[Series]] = {}
    for one in series:
        label = next((one.label(k) for k in _CLASS_LABELS if one.label(k)), "")
        if label:
            by_class.setdefault(label, []).append(one)
    at = store.grid(60.0)
    if len(by_class) < 2 or at.size < 8:
        return
    rates = {
        c: np.nansum(np.vstack([counter_rate(s, at, 300.0) for s in group]), axis=0) for c, group in by_class.items()
    }
    total = np.sum(np.vstack(list(rates.values())), axis=0)
    quarter = max(2, at.size // 4)
    before, after = slice(0, quarter), slice(at.size - quarter, at.size)
    total_before, total_after = float(np.sum(total[before])), float(np.sum(total[after]))
    if total_before <= 0 or total_after <= 0:
        return
    step = float(at[1] - at[0])
    for name, rate in rates.items():
        share_before = float(np.sum(rate[before])) / total_before
        share_after = float(np.sum(rate[after])) / total_after
        expected_after = share_before * total_after * step
        if share_before < 0.01 or expected_after < _MIN_EXPECTED or share_after > 0.1 * share_before:
            continue
        gone = np.flatnonzero((np.cumsum(rate[::-1]) == 0)[::-1])
        since = float(at[gone[0]]) if gone.size else float(at[after.start])
        ctx.add(
            "model.version-mismatch",
            Status.LIKELY,
            pod=pod,
            summary=f"the model stopped predicting class {name!r} ({share_before:.1%} of predictions before, {share_after:.1%} now) while traffic continues",
            facts=[
                Fact(
                    by_class[name][0].source,
                    f"class {name!r}: {share_before:.1%} -> {share_after:.1%} of predictions ({expected_after:.0f} expected, none seen) since about {format_clock(since)}",
                    since,
                )
            ],
            onset=since,
        )
        return

"""Prediction-class distribution (seed 001): when a class the model used to predict drops to zero
while traffic continues, the model serving is not the model that should be (or its inputs broke).
A lightweight proxy for quality that catches a silent version mismatch before a KPI review."""

from __future__ import annotations

import numpy as np

from pagetrail.analysis.context import Context
from pagetrail.analysis.series_math import counter_rate
from pagetrail.domain.clock import format_clock
from pagetrail.domain.report import Fact, Status

_PREDICTIONS = ("ml_predictions_total", "predictions_total", "model_predictions_total")
_CLASS_LABELS = ("class", "label", "prediction", "predicted_class")


def analyze_prediction_classes(ctx: Context) -> None:
    store = ctx.metrics
    if store is None:
        return
    names = {p.meta.name for p in ctx.scope.pods}
    series = [
        s
        for n in _PREDICTIONS
        for s in store.named(n)
        if ctx.scope.everything
        or not s.label("pod")
        or s.label("pod") in names
        or s.label("namespace") in {p.meta.namespace for p in ctx.scope.pods}
    ]
    by_class: dict[str, list[int]] = {}
    for index, one in enumerate(series):
        label = next((one.label(k) for k in _CLASS_LABELS if one.label(k)), "")
        if label:
            by_class.setdefault(label, []).append(index)
    if len(by_class) < 2:
        return
    at = store.grid(60.0)
    if at.size < 8:
        return
    rates = {
        c: np.nansum(np.vstack([counter_rate(series[i], at, 300.0) for i in idx]), axis=0)
        for c, idx in by_class.items()
    }
    total = np.sum(np.vstack(list(rates.values())), axis=0)
    quarter = max(2, at.size // 4)
    before, after = slice(0, quarter), slice(at.size - quarter, at.size)
    if np.sum(total[after]) <= 0 or np.sum(total[before]) <= 0:
        return
    for name, rate in rates.items():
        share_before = float(np.sum(rate[before]) / np.sum(total[before]))
        share_after = float(np.sum(rate[after]) / np.sum(total[after]))
        if share_before < 0.01 or share_after > 0.1 * share_before:
            continue
        gone = np.flatnonzero((np.cumsum(rate[::-1]) == 0)[::-1])
        since = float(at[gone[0]]) if gone.size else float(at[after.start])
        pod = next((p for p in ctx.scope.pods if not p.is_finished), None)
        if pod is None:
            return
        ctx.add(
            "model.version-mismatch",
            Status.LIKELY,
            pod=pod,
            summary=f"the model stopped predicting class {name!r} ({share_before:.1%} of predictions before, {share_after:.1%} now) while traffic continues",
            facts=[
                Fact(
                    series[by_class[name][0]].source,
                    f"class {name!r}: {share_before:.1%} -> {share_after:.1%} of predictions; none since about {format_clock(since)}",
                    since,
                )
            ],
            onset=since,
        )
        return

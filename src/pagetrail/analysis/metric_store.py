"""Find series the way exporters name them, and derive per-pod figures on a common time grid.

cAdvisor writes one series per container plus an aggregate (`container=""`) and the pause
container (`container="POD"`); only real containers are summed. Counter names are accepted with
and without `_total`, as OpenMetrics declares families without it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from pagetrail.analysis.series_math import counter_rate, sample_at, steps
from pagetrail.domain.series import Floats, Series

_SKIP_CONTAINERS = frozenset({"", "POD"})


def base_name(name: str) -> str:
    return name[: -len("_total")] if name.endswith("_total") else name


@dataclass(slots=True)
class MetricStore:
    series: list[Series]
    by_name: dict[str, list[Series]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for one in self.series:
            self.by_name[base_name(one.name)].append(one)

    def named(self, name: str, **labels: str) -> list[Series]:
        found = self.by_name.get(base_name(name), [])
        if not labels:
            return list(found)
        return [s for s in found if all(s.label(k) == v for k, v in labels.items())]

    def time_range(self) -> tuple[float, float] | None:
        starts = [float(s.times[0]) for s in self.series if len(s)]
        ends = [float(s.times[-1]) for s in self.series if len(s)]
        return (min(starts), max(ends)) if starts else None

    def grid(self, step: float = 60.0) -> Floats:
        span = self.time_range()
        if span is None:
            return np.empty(0)
        return steps(span[0], span[1], step)

    def pod_rate(self, name: str, namespace: str, pod: str, at: Floats, window: float = 120.0) -> Floats | None:
        """Summed per-second rate of a per-container counter for one pod (None: no series)."""
        found = [
            s for s in self.named(name, namespace=namespace, pod=pod) if s.label("container") not in _SKIP_CONTAINERS
        ]
        if not found:
            return None
        rates = np.vstack([counter_rate(s, at, window) for s in found])
        with np.errstate(invalid="ignore"):
            total: Floats = np.nansum(rates, axis=0)
        total[np.all(np.isnan(rates), axis=0)] = np.nan
        return total

    def pod_gauge(self, name: str, namespace: str, pod: str, at: Floats) -> Floats | None:
        found = [
            s for s in self.named(name, namespace=namespace, pod=pod) if s.label("container") not in _SKIP_CONTAINERS
        ]
        if not found:
            return None
        values = np.vstack([sample_at(s, at) for s in found])
        total: Floats = np.nansum(values, axis=0)
        total[np.all(np.isnan(values), axis=0)] = np.nan
        return total

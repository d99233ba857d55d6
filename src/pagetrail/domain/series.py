"""Metric history: one time series per metric name and label set, as numpy arrays.

Arrays, not lists: a bundle can hold millions of samples (500 pods x 12 series x 6 h at 15 s is
8.6 M), and every question asked of them (rates, quantiles, plateaus, onsets) is a vector
operation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def _empty() -> Floats:
    return np.empty(0, dtype=np.float64)


@dataclass(slots=True)
class Series:
    """Samples of one series sorted by time; `source` names the bundle file (or query)."""

    name: str
    labels: tuple[tuple[str, str], ...]
    times: Floats = field(default_factory=_empty)
    values: Floats = field(default_factory=_empty)
    source: str = ""

    def label(self, key: str, default: str = "") -> str:
        for name, value in self.labels:
            if name == key:
                return value
        return default

    def __len__(self) -> int:
        return int(self.times.size)

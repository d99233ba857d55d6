"""A service level objective as plain data: what counts as a bad event (the SLI), the objective, the window.

Read from a small YAML spec (evidence/slo_spec.py), turned into Prometheus rules and error-budget figures
by alarms/slo*.py; the spec format is documented in docs/slo.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pagetrail.domain.prometheus_rules import Labels

WINDOW_PLACEHOLDER = "{{window}}"
"""Where an events SLI's PromQL takes its range (`[{{window}}]`); replaced by 5m, 1h, 30d, ..."""


def error_budget(objective_percent: float) -> float:
    """The allowed error ratio, computed in decimal so 99.9 gives 0.001 and not 0.0010000000000000009."""
    return float((Decimal(100) - Decimal(repr(float(objective_percent)))) / Decimal(100))


@dataclass(frozen=True, slots=True)
class EventsSli:
    """Bad events as a ratio of two PromQL expressions over `{{window}}`: errors/total, or 1 − good/total
    (exactly one of `good` and `errors` is set)."""

    total: str
    good: str | None = None
    errors: str | None = None


@dataclass(frozen=True, slots=True)
class LatencySli:
    """Slow requests from a classic histogram: those above the bucket `le` (threshold_s) are bad.
    `matchers` are the selector's matchers without braces (`service="x", namespace="ml"`)."""

    histogram: str
    threshold_s: float
    le: str
    matchers: str = ""


@dataclass(frozen=True, slots=True)
class SloSpec:
    service: str
    name: str
    objective_percent: float
    window_s: float
    sli: EventsSli | LatencySli
    model: str | None = None
    pool: str | None = None
    labels: Labels = ()
    annotations: Labels = ()
    source: str = ""

    @property
    def error_budget(self) -> float:
        return error_budget(self.objective_percent)

    @property
    def identity(self) -> Labels:
        """The labels that tell this SLO's series and alerts apart from every other's."""
        pairs = [("service", self.service), ("slo", self.name)]
        pairs += [(key, value) for key, value in (("model", self.model), ("pool", self.pool)) if value]
        return tuple(pairs)

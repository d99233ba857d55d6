"""How much of an SLO's error budget is spent, and how fast it is burning.

With an error ratio r over the part of the window that has elapsed, the burn rate is r / budget and the
share of the whole window's budget consumed is burn rate × elapsed / window (traffic assumed steady: a
quarter of the window at burn rate 2 spends half the budget). What remains, divided by the current burn
rate, is how long until the budget is gone, the figure to weigh a risky rollout or a freeze on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from pagetrail.domain.prometheus_rules import Labels
from pagetrail.domain.slo import error_budget

HOUR = 3600.0
BURN_WINDOWS_S = (HOUR, 6 * HOUR, 3 * 86400.0)
"""The burn rates an on-call engineer compares: the page's long window, the second page's, the ticket's."""


@dataclass(frozen=True, slots=True)
class EventCounts:
    """Raw counts, when the budget came from them; `allowed_errors` over the whole window at this traffic."""

    total: float
    errors: float
    allowed_errors: float


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    labels: Labels
    objective_percent: float
    window_s: float
    elapsed_s: float
    error_ratio: float | None  # over the elapsed part of the window; None without traffic
    burn_rates: tuple[tuple[float, float | None], ...]  # (window seconds, burn rate) for BURN_WINDOWS_S
    events: EventCounts | None = None

    @property
    def budget_ratio(self) -> float:
        return error_budget(self.objective_percent)

    @property
    def burn_rate(self) -> float | None:
        """Burn rate over the elapsed part of the window."""
        return None if self.error_ratio is None else self.error_ratio / self.budget_ratio

    @property
    def consumed_fraction(self) -> float | None:
        burn = self.burn_rate
        return None if burn is None else burn * self.elapsed_s / self.window_s

    @property
    def remaining_fraction(self) -> float | None:
        """Negative once the budget is overspent."""
        consumed = self.consumed_fraction
        return None if consumed is None else 1.0 - consumed

    @property
    def current_burn_rate(self) -> float | None:
        """The shortest window's burn rate when known (what is happening now), else the elapsed one."""
        for _, burn in self.burn_rates:
            if burn is not None:
                return burn
        return self.burn_rate

    @property
    def exhausted_in_s(self) -> float | None:
        """Seconds until the budget is gone at the current burn rate: 0 when already spent, None when it
        is not burning (or nothing is known)."""
        remaining, burn = self.remaining_fraction, self.current_burn_rate
        if remaining is None or burn is None or math.isnan(burn):
            return None
        if remaining <= 0:
            return 0.0
        return remaining * self.window_s / burn if burn > 0 else None


def budget_from_counts(
    *, errors: float, total: float, objective_percent: float, window_s: float, elapsed_s: float
) -> BudgetStatus:
    """The budget from counted events over the elapsed part of the window (`total` > 0, 0 ≤ errors ≤ total)."""
    if not (total > 0 and 0 <= errors <= total and 0 < elapsed_s <= window_s and 0 < objective_percent < 100):
        raise ValueError("expected total > 0, 0 <= errors <= total, 0 < elapsed <= window, 0 < objective < 100")
    allowed = error_budget(objective_percent) * total * window_s / elapsed_s
    return BudgetStatus(
        labels=(),
        objective_percent=objective_percent,
        window_s=window_s,
        elapsed_s=elapsed_s,
        error_ratio=errors / total,
        burn_rates=tuple((w, None) for w in BURN_WINDOWS_S),
        events=EventCounts(total=total, errors=errors, allowed_errors=allowed),
    )


def budget_from_ratios(
    *,
    labels: Labels,
    objective_percent: float,
    window_s: float,
    elapsed_s: float,
    elapsed_error_ratio: float | None,
    window_error_ratios: Mapping[float, float | None],
) -> BudgetStatus:
    """The budget from error ratios measured elsewhere (Prometheus): over the elapsed window and over
    each of BURN_WINDOWS_S (missing or NaN: no traffic in that window)."""

    def known(value: float | None) -> float | None:
        return None if value is None or math.isnan(value) else value

    budget = error_budget(objective_percent)
    return BudgetStatus(
        labels=labels,
        objective_percent=objective_percent,
        window_s=window_s,
        elapsed_s=elapsed_s,
        error_ratio=known(elapsed_error_ratio),
        burn_rates=tuple(
            (w, None if (ratio := known(window_error_ratios.get(w))) is None else ratio / budget)
            for w in BURN_WINDOWS_S
        ),
    )

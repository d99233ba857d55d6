"""Series arithmetic against values computed by hand with Prometheus's rules."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pagetrail.analysis.series_math import counter_rate, histogram_quantile, reset_corrected, sample_at, steps
from pagetrail.domain.series import Series


def series(times: list[float], values: list[float]) -> Series:
    return Series("x_total", (), np.array(times, dtype=np.float64), np.array(values, dtype=np.float64))


def test_counter_reset_is_undone() -> None:
    corrected = reset_corrected(np.array([10.0, 20.0, 5.0, 15.0, 3.0]))
    assert corrected.tolist() == [10.0, 20.0, 25.0, 35.0, 38.0]


def test_rate_survives_a_restart() -> None:
    counter = series([0, 15, 30, 45, 60], [100, 115, 10, 25, 40])  # restart between 15 s and 30 s
    rate = counter_rate(counter, np.array([60.0]), window=60.0)
    # increase: 15 + 10 (after reset, from 0) + 15 + 15 = 55 over 60 s
    assert rate[0] == pytest.approx(55 / 60)


def test_rate_needs_two_recent_samples() -> None:
    counter = series([0, 1000], [1, 2])
    # The window widens to 2.5 scrape intervals (2500 s), which still holds only the sample at 1000.
    assert math.isnan(counter_rate(counter, np.array([5000.0]), window=30.0)[0])
    assert counter_rate(counter, np.array([1000.0]), window=30.0)[0] == pytest.approx(0.001)


def test_sample_at_respects_staleness() -> None:
    gauge = series([0, 10], [1, 2])
    values = sample_at(gauge, np.array([-1.0, 5.0, 10.0, 400.0]))
    assert np.isnan(values[0])
    assert values[1:3].tolist() == [1.0, 2.0]
    assert np.isnan(values[3])


def test_steps_are_inclusive() -> None:
    assert steps(0, 60, 15).tolist() == [0, 15, 30, 45, 60]


def test_histogram_quantile_interpolates_like_prometheus() -> None:
    bounds = [0.1, 0.5, 1.0, math.inf]
    counts = np.array([[50.0, 0.0], [90.0, 0.0], [100.0, 0.0], [100.0, 0.0]])  # cumulative per bucket
    p50, p95 = histogram_quantile(0.5, bounds, counts), histogram_quantile(0.95, bounds, counts)
    assert p50[0] == pytest.approx(0.1)  # rank 50 is the top of the first bucket
    assert p95[0] == pytest.approx(0.5 + 0.5 * (95 - 90) / 10)
    assert np.isnan(p50[1])  # no observations


def test_histogram_quantile_in_the_inf_bucket_returns_the_top_finite_bound() -> None:
    counts = np.array([[10.0], [20.0], [100.0]])
    assert histogram_quantile(0.99, [0.1, 1.0, math.inf], counts)[0] == pytest.approx(1.0)


def test_histogram_buckets_must_end_with_inf() -> None:
    with pytest.raises(ValueError, match="le=\\+Inf"):
        histogram_quantile(0.5, [0.1, 1.0], np.zeros((2, 1)))

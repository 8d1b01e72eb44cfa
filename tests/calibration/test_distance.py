"""The distance: binomial deviance per count (small counts constrain little), a band per range."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from scipy.stats import binom

from partnersim.calibration.distance import (
    RANGE_CAP,
    binomial_deviance,
    range_distance,
    smoothed_share,
    total_distance,
)


def test_deviance_is_zero_at_the_observed_share_and_positive_elsewhere():
    assert binomial_deviance(1, 6, 1 / 6) == pytest.approx(0.0, abs=1e-12)
    for p in (0.01, 0.05, 0.3, 0.5, 0.9):
        assert binomial_deviance(1, 6, p) > 0


def test_deviance_is_twice_the_log_likelihood_ratio():
    k, n, p = 2, 9, 0.4
    expected = 2 * (binom.logpmf(k, n, k / n) - binom.logpmf(k, n, p))
    assert binomial_deviance(k, n, p) == pytest.approx(expected)


def test_a_small_count_constrains_less_than_a_large_one_with_the_same_share():
    # 1 of 3 against 100 of 300, both at a simulated share of 0.6
    assert binomial_deviance(1, 3, 0.6) < binomial_deviance(100, 300, 0.6) / 50


def test_extreme_counts_are_finite_with_the_smoothed_share():
    p = smoothed_share(0, 10)
    assert 0 < p < 1
    assert math.isfinite(binomial_deviance(1, 1, p))
    assert math.isfinite(binomial_deviance(0, 5, smoothed_share(10, 10)))


def test_range_distance_is_zero_inside_and_grows_outside_up_to_the_cap():
    assert range_distance(5.0, 4.0, 8.0) == 0.0
    assert range_distance(9.0, 4.0, 8.0) == pytest.approx(0.25)  # one unit = half a half-width
    assert range_distance(2.0, 4.0, 8.0) == pytest.approx(1.0)
    assert range_distance(1000.0, 4.0, 8.0) == RANGE_CAP
    assert range_distance(float("nan"), 4.0, 8.0) == RANGE_CAP


def test_total_is_the_weighted_sum():
    count = SimpleNamespace(name="a", kind="count", count=1, total=3, weight=2.0)
    rng = SimpleNamespace(name="b", kind="value", low=4.0, high=8.0, weight=0.5)
    sim = {"a.k": 4.0, "a.n": 10.0, "b": 10.0}
    expected = 2.0 * binomial_deviance(1, 3, smoothed_share(4, 10)) + 0.5 * range_distance(10.0, 4.0, 8.0)
    assert total_distance(sim, [count, rng]) == pytest.approx(expected)


def test_the_tolerance_falls_below_a_tie_at_the_largest_distance():
    import pandas as pd

    from partnersim.calibration.epsilon import TieAwareMedianEpsilon

    inf = float("inf")  # the calibration sample holds invalid draws too
    tied = pd.DataFrame({"distance": [86.88] * 6 + [5.0, 9.0, 12.0, 20.0, inf], "w": [1.0] * 11})
    eps = TieAwareMedianEpsilon()
    eps._update(0, tied)
    assert eps(0) == 20.0  # pyabc's median would be 86.88, and accept the whole population again
    plain = pd.DataFrame({"distance": [1.0, 2.0, 3.0, 4.0, 5.0], "w": [1.0] * 5})
    eps._update(1, plain)
    assert eps(1) == pytest.approx(3.0)  # no tie at the largest distance: the weighted median, as pyabc's

"""The distance between a simulation and the reports: binomial deviance per count, a band for ranges.

A count target (``k`` of ``n`` in a report) is binomial data. Its distance is
the binomial deviance of the observed count under the simulated share,
``2 [k ln(k / n p) + (n - k) ln((n - k) / n (1 - p))]``: twice the log
likelihood ratio of the best possible share against the simulated one. A
small ``n`` gives a flat deviance, so one of six constrains little, as it
should. The simulated share is smoothed, ``p = (k_sim + 1/2) / (n_sim + 1)``,
so no share is ever exactly 0 or 1.

A range target (a report gives "about 4-8") is zero inside the range and
grows as the squared distance outside it in half-widths, capped at
:data:`RANGE_CAP` (also the distance of an undefined statistic).

The total is the weighted sum over targets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["RANGE_CAP", "binomial_deviance", "range_distance", "smoothed_share", "total_distance"]

#: the largest distance one range target adds (and what an undefined statistic costs)
RANGE_CAP = 25.0


def smoothed_share(k_sim: float, n_sim: float) -> float:
    """The simulated share, pulled half a count towards one half so it is never 0 or 1."""
    return (k_sim + 0.5) / (n_sim + 1.0)


def _xlogy(x: float, y: float) -> float:
    return 0.0 if x == 0 else x * math.log(y)


def binomial_deviance(k: int, n: int, p: float) -> float:
    """Deviance of ``k`` successes out of ``n`` under success probability ``p`` (0 when ``k = n p``)."""
    if n == 0:
        return 0.0
    return 2.0 * (_xlogy(k, k / (n * p)) + _xlogy(n - k, (n - k) / (n * (1.0 - p))))


def range_distance(value: float, low: float, high: float) -> float:
    """0 inside ``[low, high]``; outside, the squared distance in half-widths, capped."""
    if value is None or math.isnan(value):
        return RANGE_CAP
    half = (high - low) / 2.0
    gap = max(low - value, 0.0, value - high)
    return min(RANGE_CAP, (gap / half) ** 2)


def total_distance(sim: Mapping[str, float], targets: Sequence[Any]) -> float:
    """The weighted sum over ``targets`` of each one's distance, reading ``sim``: ``name.k`` and ``name.n`` for counts, ``name`` for values."""
    total = 0.0
    for t in targets:
        if t.kind == "count":
            p = smoothed_share(sim[f"{t.name}.k"], sim[f"{t.name}.n"])
            d = binomial_deviance(t.count, t.total, p)
        else:
            d = range_distance(sim[t.name], t.low, t.high)
        total += t.weight * d
    return total

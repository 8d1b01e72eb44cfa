"""The tolerance schedule of the calibration: pyabc's median, made to fall below a tie.

Imported only when a calibration runs (it imports pyabc).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyabc
from pyabc.weighted_statistics import weighted_quantile

__all__ = ["TieAwareMedianEpsilon"]


class TieAwareMedianEpsilon(pyabc.MedianEpsilon):
    """pyabc's median tolerance, except that it falls below a tie at the population's largest distance.

    With small counts many particles share one distance, for instance that
    of a world where every partnership fails in its first year (62% of the
    valid prior draws on the shipped targets). When the median is that
    largest distance, a tolerance of "at most the median" accepts the whole
    population again and never tightens. Then the tolerance is the largest
    distance below the tie instead, so each generation leaves the tie
    behind.
    """

    def _update(self, t: int, weighted_distances: Any) -> None:
        d = weighted_distances.distance.to_numpy(float)
        w = weighted_distances.w.to_numpy(float)
        q = float(weighted_quantile(points=d, weights=w / w.sum(), alpha=self.alpha))
        # an invalid draw (a broken schema rule) has distance inf: the tie that matters is the largest finite one
        finite = d[np.isfinite(d)]
        below = finite[finite < q]
        if len(finite) and q >= finite.max() and len(below):
            q = float(below.max())
        self._look_up[t] = q * self.quantile_multiplier

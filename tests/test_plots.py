"""The single-run trust figure: each sector pair's line says how many member pairs are behind it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnersim.model import PartnershipModel
from partnersim.plots import MIN_PAIRS, _trust_pairs


def test_trust_lines_hide_months_with_too_few_pairs_and_name_their_pair_counts():
    ts = pd.DataFrame(
        {
            "trust_statutory_vcse": [0.5, 0.4, 0.3, 0.2],
            "pairs_statutory_vcse": [6, 4, 2, 1],
            "trust_vcse_vcse": [0.6, 0.6, 0.6, 0.6],
            "pairs_vcse_vcse": [1, 1, 0, 0],
        }
    )
    lines = _trust_pairs(ts)
    assert list(lines) == ["statutory – small VCSE (4–6 pairs)"]  # vcse–vcse never has enough pairs
    series = lines["statutory – small VCSE (4–6 pairs)"]
    assert series.iloc[:2].tolist() == [0.5, 0.4] and series.iloc[2:].isna().all()
    assert MIN_PAIRS == 3


def test_the_model_counts_the_pairs_behind_each_sector_pair():
    model = PartnershipModel(horizon=6, rng=3).run()
    ts = model.timeseries()
    for col in [c for c in ts if c.startswith("pairs_")]:
        trust = ts["trust" + col.removeprefix("pairs")]
        # a mean over no pair is undefined; over some pairs it is a number
        assert (ts[col] == 0).equals(trust.isna())
    # every ordered pair of active members is one of the six sector pairs, counted once per direction
    total = ts[[c for c in ts if c.startswith("pairs_")]].sum(axis=1)
    alive = [q for q in model.partnerships_created if q.alive]
    expected = sum(len(q.active_members) * (len(q.active_members) - 1) // 2 for q in alive)
    assert total.iloc[-1] == expected
    assert np.isfinite(ts["trust_all"].iloc[-1])

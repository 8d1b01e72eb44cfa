"""Sweep figures: effects for grid and Latin hypercube designs, heatmaps for two discrete factors."""

from __future__ import annotations

import numpy as np
import pandas as pd

from partnersim.experiments.figures import plot_sweep

PNG = b"\x89PNG\r\n\x1a\n"


def _runs(design: str) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 60
    if design == "grid":
        turnover = np.repeat([0.1, 0.3, 0.5], n // 3)
        coordinator = np.tile([True, False], n // 2)
    else:
        turnover = rng.uniform(0.05, 0.5, n)  # continuous: binned in the figure
        coordinator = np.tile([True, False], n // 2)
    survival = 0.6 - 0.5 * turnover + 0.2 * coordinator + rng.normal(0, 0.05, n)
    return pd.DataFrame(
        {
            "run_id": range(n),
            "staff_turnover": turnover,
            "coordinator": coordinator,
            "survival_rate": survival,
        }
    )


def test_grid_sweep_gets_effects_and_a_heatmap(tmp_path):
    paths = plot_sweep(_runs("grid"), ["staff_turnover", "coordinator"], ["survival_rate"], tmp_path)
    assert sorted(p.name for p in paths) == ["effects_survival_rate.png", "heatmap_survival_rate.png"]
    assert all(p.read_bytes().startswith(PNG) for p in paths)


def test_lhs_sweep_bins_continuous_factors_and_has_no_heatmap(tmp_path):
    paths = plot_sweep(_runs("lhs"), ["staff_turnover", "coordinator"], ["survival_rate"], tmp_path)
    assert [p.name for p in paths] == ["effects_survival_rate.png"]
    assert paths[0].read_bytes().startswith(PNG)
    assert not list(tmp_path.glob("*.tmp"))

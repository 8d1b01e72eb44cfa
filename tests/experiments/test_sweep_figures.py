"""Sweep figures: effects, interactions, heatmaps and monthly series, for grid and Latin hypercube designs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from partnersim.experiments.figures import BINS, _effect_panel, plot_heatmap, plot_sweep, prune_figures

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
    assert sorted(p.name for p in paths) == [
        "effects_survival_rate.png",
        "heatmap_survival_rate.png",
        "interaction_survival_rate.png",
    ]
    assert all(p.read_bytes().startswith(PNG) for p in paths)


def test_lhs_sweep_bins_continuous_factors_and_has_no_heatmap(tmp_path):
    paths = plot_sweep(
        _runs("lhs"),
        ["staff_turnover", "coordinator"],
        ["survival_rate"],
        tmp_path,
        continuous=["staff_turnover"],
    )
    assert [p.name for p in paths] == ["effects_survival_rate.png", "interaction_survival_rate.png"]
    assert all(p.read_bytes().startswith(PNG) for p in paths)
    assert not list(tmp_path.glob("*.tmp"))


def _panel(runs: pd.DataFrame, factor: str, **kw) -> plt.Axes:
    _fig, ax = plt.subplots()
    _effect_panel(ax, runs, factor, "survival_rate", **kw)
    return ax


def test_numeric_levels_sit_on_a_numeric_axis():
    runs = _runs("grid").assign(
        staff_turnover=lambda d: d["staff_turnover"].map({0.1: 0.1, 0.3: 0.2, 0.5: 0.5})
    )
    ax = _panel(runs, "staff_turnover")
    xs = sorted(x for line in ax.lines for x in np.atleast_1d(line.get_xdata()) if np.isfinite(x))
    # the means sit at 0.1, 0.2 and 0.5, not at evenly spaced category positions 0, 1, 2
    assert {round(x, 6) for x in xs} == {0.1, 0.2, 0.5}
    plt.close("all")


def test_binned_factors_show_their_bin_edges():
    runs = _runs("lhs")
    ax = _panel(runs, "staff_turnover", continuous=["staff_turnover"])
    lo, hi = runs["staff_turnover"].min(), runs["staff_turnover"].max()
    edges = [line.get_xdata()[0] for line in ax.lines if line.get_linestyle() == ":"]
    assert np.allclose(sorted(edges), np.linspace(lo, hi, BINS + 1))
    assert "binned" in ax.get_xlabel()
    plt.close("all")


def test_heatmap_has_a_plain_title_and_any_pair(tmp_path):
    runs = _runs("grid").assign(funding_length=np.tile([12, 36, 60], 20))
    paths = plot_sweep(
        runs,
        ["staff_turnover", "coordinator", "funding_length"],
        ["survival_rate"],
        tmp_path,
        pair=("funding_length", "coordinator"),
    )
    assert "heatmap_survival_rate.png" in [p.name for p in paths]
    # the title is drawn on the figure: check it through the function that draws it
    fig_titles = []
    original = plt.Axes.set_title

    def spy(self, label, *a, **k):
        fig_titles.append(label)
        return original(self, label, *a, **k)

    plt.Axes.set_title = spy
    try:
        plot_heatmap(runs, "funding_length", "coordinator", "survival_rate", tmp_path / "h.png")
    finally:
        plt.Axes.set_title = original
    assert fig_titles == ["Mean survival rate by funding length and coordinator"]


def test_monthly_series_by_factor_when_kept(tmp_path):
    runs = _runs("grid")
    months = np.arange(13)
    ts = pd.DataFrame(
        [
            {"run_id": r, "month": m, "active_partnerships": 10 - m * (0.5 if c else 0.7), "trust_all": 0.3}
            for r, c in zip(runs["run_id"], runs["coordinator"], strict=True)
            for m in months
        ]
    )
    paths = plot_sweep(runs, ["staff_turnover", "coordinator"], ["survival_rate"], tmp_path, timeseries=ts)
    names = {p.name for p in paths}
    assert {"timeseries_by_staff_turnover.png", "timeseries_by_coordinator.png"} <= names
    # a later sweep without monthly series drops them
    again = plot_sweep(runs, ["staff_turnover", "coordinator"], ["survival_rate"], tmp_path)
    removed = prune_figures(tmp_path, again, ["survival_rate"])
    assert {p.name for p in removed} == {"timeseries_by_staff_turnover.png", "timeseries_by_coordinator.png"}

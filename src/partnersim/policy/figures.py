"""Figures of a policy comparison (seaborn/matplotlib, headless, PNG).

Each ``plot_*`` function takes the tables of :mod:`partnersim.policy.survival`
and returns a matplotlib figure; :func:`plot_comparison` writes all four.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from partnersim.plots import save_figure

__all__ = [
    "FIGURES",
    "plot_comparison",
    "plot_grant_end_hazard",
    "plot_legacy",
    "plot_survival_at",
    "plot_survival_curves",
]

#: file name -> caption, in report order
FIGURES: dict[str, str] = {
    "survival_curves.png": "Share of partnerships still working, by months since they started "
    "(Kaplan-Meier; shaded: pointwise 95% intervals; dotted lines at one, three and five years).",
    "survival_5_years.png": "Share still working after five years, with 95% intervals; "
    "the dashed line is the baseline policy.",
    "grant_end_hazard.png": "Chance that a partnership still going dissolves in a given month, "
    "by months before (negative) and after the end of its first grant (0 = the last month the grant pays for), "
    "with 95% intervals.",
    "legacy.png": "Legacy: partnerships still working at least a year after their funding ended, "
    "as a share of all partnerships and of those whose grant ended without renewal.",
}


def _palette(policies: Sequence[str]) -> dict[str, tuple]:
    colours = sns.color_palette("colorblind", n_colors=max(len(policies), 1))
    return dict(zip(policies, colours, strict=False))


def plot_survival_curves(
    curves: pd.DataFrame, policies: Sequence[str], marks: Sequence[int] = (12, 36, 60)
) -> plt.Figure:
    """Kaplan-Meier curves of every policy with their pointwise bands."""
    sns.set_theme(style="whitegrid", context="notebook")
    fig, ax = plt.subplots(figsize=(9, 5))
    colours = _palette(policies)
    for name in policies:
        c = curves[curves["policy"] == name]
        if c.empty:
            continue
        ax.step(c["month"], c["survival"], where="post", color=colours[name], lw=1.8, label=name)
        ax.fill_between(
            c["month"], c["lower"], c["upper"], step="post", color=colours[name], alpha=0.15, lw=0
        )
    for m in marks:
        ax.axvline(m, color="grey", ls=":", lw=1)
    ax.set(
        xlabel="months since the partnership started",
        ylabel="share still working",
        ylim=(0, 1.02),
        title="How long partnerships last under each funding policy",
    )
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    # outside the axes: with many policies a legend inside hides the curves
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def _interval_plot(
    ax: plt.Axes, labels: Sequence[str], est: np.ndarray, lo: np.ndarray, hi: np.ndarray, colours: Sequence
) -> None:
    y = np.arange(len(labels))
    for i in range(len(labels)):
        if not np.isfinite(est[i]):
            continue
        ax.errorbar(
            est[i],
            y[i],
            xerr=[[est[i] - lo[i]], [hi[i] - est[i]]],
            fmt="o",
            color=colours[i],
            capsize=4,
            ms=7,
        )
        ax.annotate(
            f"{est[i]:.0%}", (hi[i], y[i]), xytext=(6, 0), textcoords="offset points", va="center", fontsize=9
        )
    ax.set_yticks(y, labels)
    if not ax.yaxis_inverted():  # shared y axes would otherwise flip back
        ax.invert_yaxis()
    ax.set_xlim(0, 1.08)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))


def plot_survival_at(summary: pd.DataFrame, month: int, baseline: str) -> plt.Figure:
    """Survival at ``month`` by policy, with intervals (the baseline marked)."""
    sns.set_theme(style="whitegrid", context="notebook")
    policies = list(summary["policy"])
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(policies) + 1.5))
    colours = list(_palette(policies).values())
    col = f"s{month}"
    _interval_plot(
        ax,
        policies,
        summary[col].to_numpy(float),
        summary[f"{col}_lower"].to_numpy(float),
        summary[f"{col}_upper"].to_numpy(float),
        colours,
    )
    base = summary.loc[summary["policy"] == baseline, col]
    if len(base) and np.isfinite(base.iloc[0]):
        ax.axvline(base.iloc[0], color="grey", ls="--", lw=1)
    years = month / 12
    ax.set(
        xlabel=f"share still working after {years:g} years",
        title=f"Partnerships still working after {years:g} years",
    )
    return fig


def plot_grant_end_hazard(hazard: pd.DataFrame, policies: Sequence[str]) -> plt.Figure:
    """Monthly dissolution hazard around the grant end, one panel per policy."""
    sns.set_theme(style="whitegrid", context="notebook")
    colours = _palette(policies)
    ncol = min(4, len(policies))
    nrow = int(np.ceil(len(policies) / ncol))
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(3.2 * ncol, 2.6 * nrow), sharex=True, sharey=True, squeeze=False
    )
    top = float(np.nanmax(hazard["upper"])) if len(hazard) and np.isfinite(hazard["upper"]).any() else 1.0
    for ax, name in zip(axes.flat, policies, strict=False):
        h = hazard[hazard["policy"] == name]
        ax.fill_between(
            h["months_from_grant_end"], h["lower"], h["upper"], color=colours[name], alpha=0.2, lw=0
        )
        ax.plot(h["months_from_grant_end"], h["hazard"], color=colours[name], marker=".", lw=1.2)
        ax.axvline(0, color="black", ls="--", lw=0.8)
        ax.set_title(name, fontsize=9)
        ax.set_ylim(0, min(1.0, top * 1.05 + 0.01))
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    for ax in axes.flat[len(policies) :]:
        ax.set_visible(False)
    fig.supxlabel("months from the end of the first grant (0 = the last month it pays for)")
    fig.supylabel("monthly chance of dissolving")
    fig.suptitle("What happens when the grant ends")
    fig.tight_layout()
    return fig


def plot_legacy(legacy: pd.DataFrame) -> plt.Figure:
    """Legacy rates by policy with intervals, of all partnerships and of those whose grant ended."""
    sns.set_theme(style="whitegrid", context="notebook")
    policies = list(legacy["policy"])
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.55 * len(policies) + 1.8), sharey=True)
    colours = list(_palette(policies).values())
    for ax, col, title in (
        (axes[0], "legacy", "of all partnerships"),
        (axes[1], "legacy_if_ended", "of those whose grant ended\nwithout renewal"),
    ):
        _interval_plot(
            ax,
            policies,
            legacy[col].to_numpy(float),
            legacy[f"{col}_lower"].to_numpy(float),
            legacy[f"{col}_upper"].to_numpy(float),
            colours,
        )
        ax.set(title=title, xlabel="")
    fig.supxlabel("share still working at least a year after their funding ended")
    fig.suptitle("Partnerships that outlive their funding (legacy)")
    fig.tight_layout()
    return fig


def plot_comparison(
    curves: pd.DataFrame,
    summary: pd.DataFrame,
    hazard: pd.DataFrame,
    legacy: pd.DataFrame,
    baseline: str,
    outdir: str | Path,
    month: int = 60,
) -> dict[str, Path]:
    """Write the four comparison figures into ``outdir``; return name -> path."""
    outdir = Path(outdir)
    policies = list(summary["policy"])
    figures = {
        "survival_curves.png": plot_survival_curves(curves, policies),
        "survival_5_years.png": plot_survival_at(summary, month, baseline),
        "grant_end_hazard.png": plot_grant_end_hazard(hazard, policies),
        "legacy.png": plot_legacy(legacy),
    }
    return {name: save_figure(fig, outdir / name) for name, fig in figures.items()}

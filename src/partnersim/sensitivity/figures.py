"""Figures of a sensitivity study (seaborn, written atomically as PNG).

- :func:`plot_sobol_indices`: S1 and ST bars with their confidence intervals,
  one panel per outcome;
- :func:`plot_s2`: second-order indices as a heatmap per outcome;
- :func:`plot_convergence`: the indices on N/4, N/2 and N base points;
- :func:`plot_morris`: mu* with its interval, and sigma against mu*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from partnersim.plots import save_figure

__all__ = ["plot_convergence", "plot_morris", "plot_s2", "plot_sobol_indices"]

_INDEX_COLOURS = {"S1": "#4C72B0", "ST": "#DD8452"}


def _outcomes(df: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(df["outcome"]))


def plot_sobol_indices(
    indices: pd.DataFrame,
    path: str | Path,
    *,
    title: str = "",
    subtitle: str = "",
    noise: Mapping[str, float] | None = None,
) -> Path:
    """Grouped bars of S1 and ST per factor with CI error bars, one panel per outcome.

    Factors are ordered by their largest ST over the outcomes, so the
    ranking reads top to bottom the same way in every panel. ``noise``
    (outcome -> share of the analysed variance that is replicate noise) is
    drawn as a dotted line: replicate noise adds about that much to every
    ST, so an ST bar that ends near the line shows no effect of its own.
    """
    sns.set_theme(style="whitegrid", context="notebook")
    outcomes = _outcomes(indices)
    st = indices[indices["index"] == "ST"].groupby("factor")["value"].max()
    order = list(st.sort_values(ascending=False).index)
    fig, axes = plt.subplots(
        1,
        len(outcomes),
        figsize=(3.6 * len(outcomes) + 2.2, 0.42 * len(order) + 1.8),
        sharey=True,
        squeeze=False,
    )
    # one scale for every panel, so bars compare across outcomes
    xlim = (
        min(-0.05, float(np.nanmin(indices["low"])) - 0.02),
        max(1.0, float(np.nanmax(indices["high"])) + 0.02),
    )
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        g = indices[indices["outcome"] == outcome]
        sns.barplot(
            data=g,
            y="factor",
            x="value",
            hue="index",
            order=order,
            hue_order=["S1", "ST"],
            palette=_INDEX_COLOURS,
            errorbar=None,
            ax=ax,
            orient="h",
        )
        # the CIs are SALib's bootstrap intervals, not seaborn's: draw them by hand
        for container, index in zip(ax.containers, ["S1", "ST"], strict=False):
            gi = g[g["index"] == index].set_index("factor").reindex(order)
            ys = [bar.get_y() + bar.get_height() / 2 for bar in container]
            ax.errorbar(gi["value"], ys, xerr=gi["conf"], fmt="none", ecolor="black", elinewidth=1, capsize=2)
        ax.axvline(0, color="grey", lw=0.8)
        share = (noise or {}).get(outcome)
        if share is not None and np.isfinite(share):
            ax.axvline(share, color="#DD8452", ls=":", lw=1.5, label="noise in ST")
        ax.set(title=outcome, xlabel="Sobol index", ylabel="")
        ax.set_xlim(*xlim)
        if ax is not axes[0][-1] and ax.get_legend():
            ax.get_legend().remove()
    axes[0][-1].legend(title="", loc="lower right", fontsize=9)
    if title:
        fig.suptitle(title + (f"\n{subtitle}" if subtitle else ""), fontsize=11)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_s2(s2: pd.DataFrame, factors: list[str], path: str | Path) -> Path:
    """Second-order indices as a heatmap per outcome (upper triangle; ± is the CI half-width)."""
    sns.set_theme(style="white", context="notebook")
    outcomes = _outcomes(s2)
    d = len(factors)
    fig, axes = plt.subplots(
        1, len(outcomes), figsize=(0.9 * d * len(outcomes) + 3, 0.8 * d + 2), squeeze=False
    )
    vmax = max(0.05, float(np.nanmax(np.abs(s2["value"])))) if len(s2) else 1.0
    for ax, outcome in zip(axes[0], outcomes, strict=True):
        g = s2[s2["outcome"] == outcome]
        mat = pd.DataFrame(np.nan, index=factors, columns=factors)
        ann = pd.DataFrame("", index=factors, columns=factors)
        for row in g.itertuples():
            mat.loc[row.factor_a, row.factor_b] = row.value
            ann.loc[row.factor_a, row.factor_b] = f"{row.value:.2f}\n±{row.conf:.2f}"
        # the upper triangle only: drop the empty last row and first column
        mat, ann = mat.iloc[:-1, 1:], ann.iloc[:-1, 1:]
        sns.heatmap(
            mat,
            annot=ann,
            fmt="",
            cmap="vlag",
            vmin=-vmax,
            vmax=vmax,
            ax=ax,
            cbar=ax is axes[0][-1],
            annot_kws={"fontsize": 7},
            linewidths=0.5,
        )
        ax.set(title=f"{outcome}: S2", xlabel="", ylabel="")
        ax.tick_params(axis="x", rotation=45)
        plt.setp(ax.get_xticklabels(), ha="right")
    fig.tight_layout()
    return save_figure(fig, path)


def plot_convergence(convergence: pd.DataFrame, path: str | Path) -> Path:
    """Each factor's S1 and ST (with CI band) against the number of base points."""
    sns.set_theme(style="whitegrid", context="notebook")
    outcomes = _outcomes(convergence)
    factors = list(dict.fromkeys(convergence["factor"]))
    palette = dict(zip(factors, sns.color_palette("tab10", len(factors)), strict=True))
    fig, axes = plt.subplots(
        len(outcomes), 2, figsize=(10, 2.8 * len(outcomes) + 0.6), sharex=True, squeeze=False
    )
    for row, outcome in enumerate(outcomes):
        for col, index in enumerate(("S1", "ST")):
            ax = axes[row][col]
            g = convergence[(convergence["outcome"] == outcome) & (convergence["index"] == index)]
            for factor in factors:
                gf = g[g["factor"] == factor].sort_values("n")
                c = palette[factor]
                ax.plot(gf["n"], gf["value"], marker="o", ms=3, color=c, label=factor)
                ax.fill_between(gf["n"], gf["low"], gf["high"], color=c, alpha=0.08)
            # small-N intervals can be huge; keep the estimates readable
            lo = float(np.nanmin(g["value"])) if len(g) else 0.0
            hi = float(np.nanmax(g["value"])) if len(g) else 1.0
            ax.set_ylim(max(-0.6, min(-0.1, lo - 0.1)), min(1.6, max(1.0, hi + 0.1)))
            ax.axhline(0, color="grey", lw=0.8)
            ax.set_xscale("log", base=2)
            ax.set(title=f"{outcome}: {index}", ylabel=index)
            if row == len(outcomes) - 1:
                ax.set_xlabel("base points N (log scale)")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncols=min(4, len(factors)), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.04 + 0.02 * ((len(factors) - 1) // 4), 1, 1))
    return save_figure(fig, path)


#: point size of the factor labels on the sigma-mu* panel, and their line height in font sizes
_LABEL_SIZE = 7
_LINE = 1.35


def spread_labels(ys: Sequence[float], gap: float) -> list[float]:
    """Label heights at least ``gap`` apart, each as near its point's height as it can be (in order)."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = [0.0] * len(ys)
    last = -np.inf
    for i in order:
        placed[i] = max(ys[i], last + gap)
        last = placed[i]
    # shift the stack down by half its overshoot, so labels stay centred on their points
    over = [placed[i] - ys[i] for i in order]
    shift = (max(over) / 2) if over else 0.0
    return [p - shift for p in placed]


def plot_morris(indices: pd.DataFrame, path: str | Path, *, title: str = "", subtitle: str = "") -> Path:
    """Per outcome: mu* bars with CI, and sigma against mu* (interactions/non-linearity).

    The title says what was screened and the subtitle N (trajectories) and R
    (replicates); labels on the scatter are spread so they never overlap, each
    joined to its point by a thin line.
    """
    sns.set_theme(style="whitegrid", context="notebook")
    outcomes = _outcomes(indices)
    n_factors = indices["factor"].nunique()
    fig, axes = plt.subplots(
        len(outcomes),
        2,
        figsize=(12, 0.35 * n_factors * len(outcomes) + 2.7 * len(outcomes) + 0.6),
        squeeze=False,
    )
    labelled = []
    for row, outcome in enumerate(outcomes):
        g = indices[indices["outcome"] == outcome].sort_values("mu_star", ascending=False)
        ax = axes[row][0]
        sns.barplot(data=g, y="factor", x="mu_star", color="#4C72B0", errorbar=None, ax=ax, orient="h")
        ax.errorbar(
            g["mu_star"], np.arange(len(g)), xerr=g["mu_star_conf"], fmt="none", ecolor="black", capsize=2
        )
        ax.set(title=f"{outcome}: mu*", xlabel="mu* (outcome units per full range)", ylabel="")
        ax = axes[row][1]
        sns.scatterplot(data=g, x="mu_star", y="sigma", ax=ax, s=40)
        top = float(max(g["mu_star"].max(), g["sigma"].max(), 1e-12)) * 1.1
        ax.plot([0, top], [0, top], ls="--", color="grey", lw=0.8)  # sigma = mu*: strongly interacting
        ax.set(
            title=f"{outcome}: sigma vs mu* (dashed: sigma = mu*)",
            xlabel="mu*",
            ylabel="sigma",
            xlim=(0, top * 1.45),
            ylim=(0, top),
        )
        labelled.append((ax, g, top))
    heading = f"Morris screening{': ' + title if title else ''}"
    fig.suptitle(heading + (f"\n{subtitle}" if subtitle else ""), fontsize=10)
    fig.tight_layout()
    # labels in a column right of the points, one text line apart: placed after the layout,
    # which sets how many data units a line of text takes
    line_px = _LABEL_SIZE * _LINE * fig.dpi / 72
    renderer = fig.canvas.get_renderer()
    for ax, g, top in labelled:
        height_px = ax.get_window_extent(renderer).height or 200.0
        ys = spread_labels(list(g["sigma"]), top * line_px / height_px)
        for r, y in zip(g.itertuples(), ys, strict=True):
            ax.annotate(
                r.factor,
                (r.mu_star, r.sigma),
                xytext=(top * 1.04, y),
                textcoords="data",
                fontsize=_LABEL_SIZE,
                va="center",
                annotation_clip=False,
                arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.5},
            )
    return save_figure(fig, path)

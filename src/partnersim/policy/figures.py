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
from partnersim.schema import PARAMETERS

__all__ = [
    "FIGURES",
    "caption",
    "plot_comparison",
    "plot_grant_end_hazard",
    "plot_legacy",
    "plot_survival_at",
    "plot_survival_curves",
    "plot_survival_vs_baseline",
]

#: file name -> caption, in report order (``{legacy_months}`` is filled in by :func:`caption`)
FIGURES: dict[str, str] = {
    "survival_vs_baseline.png": "Each policy (colour) against the baseline (grey): share of partnerships "
    "still working, by months since they started (Kaplan-Meier; shaded: pointwise 95% intervals; dotted "
    "lines at one, three and five years; x: where the curves cross). In each panel, the paired difference "
    "from the baseline at five and ten years, in percentage points, with its 95% interval.",
    "survival_5_years.png": "Share still working after five years, with 95% intervals (from resampling "
    "whole runs where that interval is the wider); the dashed line is the baseline policy.",
    "grant_end_hazard.png": "Chance that a partnership still going dissolves in a given month, "
    "by months before (negative) and after the end of its first grant (0 = the last month the grant pays for), "
    "with 95% intervals (from resampling whole runs where that interval is the wider).",
    "legacy.png": "Legacy. Left: the share of partnerships still working at least {legacy_months} months after "
    "their funding ended, among those that can be judged (funding ended at least {legacy_months} months "
    "before the end of the run, or dissolved sooner after it ended), with 95% intervals. Right: what became "
    "of every partnership; those still funded, or whose funding ended too recently, are not yet judged.",
}


def caption(name: str, legacy_months: int) -> str:
    """The caption of figure ``name`` for a study whose legacy is judged after ``legacy_months``."""
    return FIGURES[name].format(legacy_months=legacy_months)


def _palette(policies: Sequence[str]) -> dict[str, tuple]:
    # seaborn's colour-blind palette without its grey, which is the baseline's colour in the small multiples
    colours = [c for c in sns.color_palette("colorblind", n_colors=10) if len(set(np.round(c, 2))) > 1]
    return {name: colours[i % len(colours)] for i, name in enumerate(policies)}


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


def _wrap(text: str, width: int = 30) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


def plot_survival_vs_baseline(
    curves: pd.DataFrame,
    results: pd.DataFrame,
    baseline: str,
    marks: Sequence[int] = (12, 36, 60),
    diff_months: Sequence[int] = (60, 120),
) -> plt.Figure:
    """Small multiples: one panel per policy, its survival curve against the baseline's.

    ``results`` gives the panel order, ``cross_months`` (``;``-separated,
    marked with x) and the paired differences ``diff{t}``, ``diff{t}_lower``,
    ``diff{t}_upper`` written in each panel for each ``t`` in ``diff_months``.
    """
    sns.set_theme(style="whitegrid", context="paper")
    policies = [p for p in results["policy"] if p != baseline]
    colours = _palette(list(results["policy"]))
    n = max(1, len(policies))
    ncol = 4 if n > 6 else min(n, 3)
    nrow = int(np.ceil(n / ncol))
    # small panels, so that the text stays legible when the figure is printed a page wide
    fig, axes = plt.subplots(nrow, ncol, figsize=(2.6 * ncol, 1.75 * nrow + 0.55), sharex=True, sharey=True,
                             squeeze=False)  # fmt: skip
    base = curves[curves["policy"] == baseline]
    res = results.set_index("policy")
    for ax, name in zip(axes.flat, policies, strict=False):
        c = curves[curves["policy"] == name]
        ax.fill_between(
            base["month"], base["lower"], base["upper"], step="post", color="grey", alpha=0.25, lw=0
        )
        ax.step(base["month"], base["survival"], where="post", color="dimgrey", lw=1.2, label="baseline")
        ax.fill_between(
            c["month"], c["lower"], c["upper"], step="post", color=colours[name], alpha=0.25, lw=0
        )
        ax.step(c["month"], c["survival"], where="post", color=colours[name], lw=1.6, label="policy")
        for m in marks:
            ax.axvline(m, color="grey", ls=":", lw=0.8)
        crossed = str(res.loc[name].get("cross_months", "") or "")
        for m in (int(x) for x in crossed.split(";") if x and x != "nan"):
            y = c.loc[c["month"] == m, "survival"]
            if len(y):
                ax.plot(m, y.iloc[0], marker="x", color="black", ms=6, mew=1.5)
        lines = []
        for t in diff_months:
            d = res.loc[name].get(f"diff{t}", np.nan)
            if np.isfinite(d):
                lo, hi = res.loc[name][f"diff{t}_lower"], res.loc[name][f"diff{t}_upper"]
                lines.append(f"{t // 12} y: {100 * d:+.1f} ({100 * lo:+.1f} to {100 * hi:+.1f})")
        if lines:
            ax.text(0.03, 0.04, "\n".join(lines), transform=ax.transAxes, fontsize=6.5, va="bottom",
                    bbox={"facecolor": "white", "alpha": 0.8, "lw": 0, "pad": 1.5})  # fmt: skip
        ax.set_title(_wrap(name, 32), fontsize=7.5)
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    for ax in axes.flat[len(policies) :]:
        ax.set_visible(False)
    fig.supxlabel("months since the partnership started", fontsize=9)
    fig.supylabel("share still working", fontsize=9)
    fig.suptitle(f"Each policy (colour) against the baseline, {baseline} (grey)", fontsize=9)
    fig.tight_layout()
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
    """Survival at ``month`` by policy, with intervals (the baseline marked).

    The intervals are the headline ones (``s{month}_ci_*``: from resampling
    whole runs where that is wider) when the summary has them, else the pooled ones.
    """
    sns.set_theme(style="whitegrid", context="notebook")
    policies = list(summary["policy"])
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(policies) + 1.5))
    colours = list(_palette(policies).values())
    col = f"s{month}"
    ci = f"{col}_ci" if f"{col}_ci_lower" in summary else col
    _interval_plot(
        ax,
        policies,
        summary[col].to_numpy(float),
        summary[f"{ci}_lower"].to_numpy(float),
        summary[f"{ci}_upper"].to_numpy(float),
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
    # the headline intervals (from resampling whole runs where wider) when the table has them
    lower, upper = ("ci_lower", "ci_upper") if "ci_lower" in hazard else ("lower", "upper")
    top = float(np.nanmax(hazard[upper])) if len(hazard) and np.isfinite(hazard[upper]).any() else 1.0
    for ax, name in zip(axes.flat, policies, strict=False):
        h = hazard[hazard["policy"] == name]
        ax.fill_between(h["months_from_grant_end"], h[lower], h[upper], color=colours[name], alpha=0.2, lw=0)
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


#: legacy statuses in the right panel of the legacy figure: label and colour
_STATUS_STYLE: dict[str, tuple[str, str]] = {
    "legacy": ("kept working {L}+ months after funding ended", "#2a9d8f"),
    "stopped": ("dissolved within {L} months of funding ending", "#e76f51"),
    "dissolved_funded": ("dissolved before funding ended", "#b0b0b0"),
    "not_yet_judged": ("funding ended < {L} months before the end: not yet judged", "#e9c46a"),
    "still_funded": ("still funded at the end: not yet judged", "#8ecae6"),
}


def plot_legacy(legacy: pd.DataFrame, legacy_months: int) -> plt.Figure:
    """Legacy by policy: the rate among partnerships that can be judged, and what became of all of them.

    Left: ``legacy`` with the headline interval (``legacy_ci_*`` when present,
    else the Wilson one). Right: the share of all partnerships in each legacy
    status (``n_<status>`` columns, see :func:`partnersim.policy.survival.legacy_status`).
    """
    sns.set_theme(style="whitegrid", context="notebook")
    policies = list(legacy["policy"])
    fig, axes = plt.subplots(
        1, 2, figsize=(13, 0.55 * len(policies) + 2.4), sharey=True, gridspec_kw={"width_ratios": [1, 1.2]}
    )
    colours = list(_palette(policies).values())
    ci = "legacy_ci" if "legacy_ci_lower" in legacy else "legacy"
    _interval_plot(
        axes[0],
        policies,
        legacy["legacy"].to_numpy(float),
        legacy[f"{ci}_lower"].to_numpy(float),
        legacy[f"{ci}_upper"].to_numpy(float),
        colours,
    )
    axes[0].set(
        title="of the partnerships that can be judged",
        xlabel=f"share still working at least {legacy_months} months after their funding ended",
    )
    y = np.arange(len(policies))
    total = legacy["partnerships"].to_numpy(float) if "partnerships" in legacy else None
    left = np.zeros(len(policies))
    for status, (label, colour) in _STATUS_STYLE.items():
        col = f"n_{status}"
        if col not in legacy or total is None:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(total > 0, legacy[col].to_numpy(float) / np.maximum(total, 1), 0.0)
        axes[1].barh(y, share, left=left, color=colour, label=label.format(L=legacy_months), height=0.7)
        left += share
    axes[1].set_xlim(0, 1)
    axes[1].xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes[1].set(title="what became of every partnership", xlabel="share of all partnerships")
    fig.suptitle("Partnerships that outlive their funding (legacy)")
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc="lower center", ncol=3, frameon=False)
    fig.tight_layout(rect=(0, 0.7 / fig.get_figheight(), 1, 1))
    return fig


def plot_comparison(
    curves: pd.DataFrame,
    summary: pd.DataFrame,
    hazard: pd.DataFrame,
    legacy: pd.DataFrame,
    baseline: str,
    outdir: str | Path,
    month: int = 60,
    legacy_months: int = PARAMETERS["legacy_months"].default,
) -> dict[str, Path]:
    """Write the four comparison figures into ``outdir``; return name -> path.

    ``legacy_months``: the study's months after the funding end that make a legacy.
    """
    outdir = Path(outdir)
    policies = list(summary["policy"])
    # the paired differences from the headline month on (five and ten years in the shipped study)
    diffed = sorted(int(c[4:]) for c in summary.columns if c.startswith("diff") and c[4:].isdigit())
    figures = {
        "survival_vs_baseline.png": plot_survival_vs_baseline(
            curves, summary, baseline, diff_months=[t for t in diffed if t >= month]
        ),
        "survival_5_years.png": plot_survival_at(summary, month, baseline),
        "grant_end_hazard.png": plot_grant_end_hazard(hazard, policies),
        "legacy.png": plot_legacy(legacy, legacy_months),
    }
    return {name: save_figure(fig, outdir / name) for name, fig in figures.items()}

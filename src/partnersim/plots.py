"""Figures of a single run: trust by sector pair, active partnerships, output.

Every figure is written atomically as PNG. Matplotlib runs headless (Agg).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from partnersim.io import atomic_write

__all__ = ["MIN_PAIRS", "SECTOR_LABELS", "plot_run", "save_figure"]

SECTOR_LABELS = {"statutory": "statutory", "large_charity": "large charity", "vcse": "small VCSE"}

#: a sector pair's trust line is hidden in months with fewer member pairs behind it: a mean
#: over one or two relationships says little about how two sectors trust each other
MIN_PAIRS = 3


def save_figure(fig: plt.Figure, path: str | Path) -> Path:
    """Save a figure as PNG atomically and close it."""
    path = Path(path)
    out = atomic_write(path, lambda p: fig.savefig(p, dpi=120, bbox_inches="tight", format="png"))
    plt.close(fig)
    return out


def _trust_pairs(ts: pd.DataFrame, min_pairs: int = MIN_PAIRS) -> dict[str, pd.Series]:
    """Trust series by sector pair, labelled in words with the member pairs behind them.

    NaN where no such pair was active, or (when the series has pair counts)
    where fewer than ``min_pairs`` pairs were.
    """
    out = {}
    for i, a in enumerate(SECTOR_LABELS):
        for b in list(SECTOR_LABELS)[i:]:
            col, count = f"trust_{a}_{b}", f"pairs_{a}_{b}"
            if col not in ts:
                continue
            series, label = ts[col], f"{SECTOR_LABELS[a]} – {SECTOR_LABELS[b]}"
            if count in ts:
                series = series.where(ts[count] >= min_pairs)
                shown = ts[count][series.notna()]
                if len(shown):
                    lo, hi = int(shown.min()), int(shown.max())
                    label += f" ({lo}–{hi} pairs)" if lo != hi else f" ({lo} pairs)"
            if series.notna().any():
                out[label] = series
    return out


def plot_run(
    ts: pd.DataFrame, table: pd.DataFrame, outdir: str | Path, grant_end: int | None = None
) -> list[Path]:
    """Write the three run figures into ``outdir`` and return their paths.

    ``grant_end``, when given, marks the month the founding grants end.
    """
    outdir = Path(outdir)
    sns.set_theme(style="whitegrid", context="notebook")
    paths = []

    fig, ax = plt.subplots(figsize=(8, 4.5))
    # plain lines, so a gap (no such pair active) shows as a gap
    for (label, series), colour in zip(_trust_pairs(ts).items(), sns.color_palette(), strict=False):
        ax.plot(ts.index, series, color=colour, lw=1.4, label=label)
    ax.plot(ts.index, ts["trust_all"], color="black", lw=2, label="all pairs")
    ax.set(
        xlabel="month",
        ylabel="mean trust (0-1)",
        ylim=(0, 1),
        title=f"Trust between members, by sector pair (hidden in months with under {MIN_PAIRS} pairs)",
    )
    ax.legend(fontsize=8, loc="upper left", ncols=2)
    paths.append(save_figure(fig, outdir / "trust_by_sector_pair.png"))

    fig, ax = plt.subplots(figsize=(8, 4))
    ax.step(ts.index, ts["active_partnerships"], where="post", color="tab:blue")
    ends = table["dissolved_at"].dropna() if "dissolved_at" in table else []
    for m in ends:
        ax.axvline(m, color="tab:red", alpha=0.25, lw=1)
    if grant_end is not None:
        ax.axvline(grant_end, color="grey", ls="--", lw=1.5, label="founding grants end")
        ax.legend(loc="lower left")
    ax.set(xlabel="month", ylabel="partnerships", title="Active partnerships (red lines: dissolutions)")
    ax.set_ylim(bottom=0)
    paths.append(save_figure(fig, outdir / "active_partnerships.png"))

    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(ts.index, ts["output"], color="tab:green")
    ax.set(
        xlabel="month", ylabel="output (hours × synergy)", title="Services and referrals delivered each month"
    )
    ax.set_ylim(bottom=0)
    paths.append(save_figure(fig, outdir / "output.png"))
    return paths

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

__all__ = ["SECTOR_LABELS", "plot_run", "save_figure"]

SECTOR_LABELS = {"statutory": "statutory", "large_charity": "large charity", "vcse": "small VCSE"}


def save_figure(fig: plt.Figure, path: str | Path) -> Path:
    """Save a figure as PNG atomically and close it."""
    path = Path(path)
    out = atomic_write(path, lambda p: fig.savefig(p, dpi=120, bbox_inches="tight", format="png"))
    plt.close(fig)
    return out


def _trust_long(ts: pd.DataFrame) -> pd.DataFrame:
    cols = [
        c
        for c in ts.columns
        if c.startswith("trust_") and c.count("_") >= 2 and c not in ("trust_within", "trust_across")
    ]
    long = ts[cols].reset_index().melt(id_vars="month", var_name="pair", value_name="trust").dropna()
    keys = {
        f"trust_{a}_{b}": f"{SECTOR_LABELS[a]} – {SECTOR_LABELS[b]}"
        for a in SECTOR_LABELS
        for b in SECTOR_LABELS
    }
    long["pair"] = long["pair"].map(keys)
    return long


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
    long = _trust_long(ts)
    if not long.empty:
        sns.lineplot(data=long, x="month", y="trust", hue="pair", ax=ax)
    ax.plot(ts.index, ts["mean_trust"], color="black", lw=2, label="all pairs")
    ax.set(
        xlabel="month", ylabel="mean trust (0-1)", ylim=(0, 1), title="Trust between members, by sector pair"
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

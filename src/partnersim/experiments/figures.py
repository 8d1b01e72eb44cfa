"""Figures of a sweep: each factor's effect on each outcome, and two-factor heatmaps.

- ``effects_<outcome>.png``: one panel per factor; the mean outcome at each
  factor value (averaged over the other factors) with a 95% bootstrap
  confidence interval across replicates. Continuous factors (a Latin
  hypercube) are binned.
- ``heatmap_<outcome>.png``: for designs with two or more discrete factors,
  the mean outcome over the first two.

Every figure is written atomically with :func:`partnersim.plots.save_figure`.
What they were drawn from is recorded in ``figures/.drawn.json``: a rerun
with the same runs, factors and outcomes (and the same plotting code) keeps
the figures as they are instead of drawing them again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from partnersim.plots import save_figure

__all__ = ["plot_effects", "plot_heatmap", "plot_sweep", "prune_figures"]

#: a factor with more distinct values than this is treated as continuous and binned
MAX_LEVELS = 12
_BINS = 6


def _label(name: str) -> str:
    from partnersim.schema import PARAMETERS

    p = PARAMETERS.get(name)
    unit = f" ({p.unit})" if p is not None and p.unit else ""
    return name.replace("_", " ") + unit


def _varied(runs: pd.DataFrame) -> list[str]:
    """Parameter columns that vary across the sweep (the factors)."""
    from partnersim.schema import PARAMETERS

    return [c for c in runs.columns if c in PARAMETERS and runs[c].nunique() > 1]


def _discrete(runs: pd.DataFrame, factor: str) -> bool:
    return runs[factor].nunique() <= MAX_LEVELS or runs[factor].dtype == object


def plot_effects(runs: pd.DataFrame, factors: Sequence[str], outcome: str, path: str | Path) -> Path:
    """One panel per factor: mean ``outcome`` by factor value with 95% CIs across replicates."""
    n = len(factors)
    fig, axes = plt.subplots(1, n, figsize=(3.4 * n + 0.6, 3.4), sharey=True, squeeze=False)
    for ax, factor in zip(axes[0], factors, strict=True):
        if _discrete(runs, factor):
            # seed: bootstrap CIs are the same every time the figure is drawn
            sns.pointplot(
                data=runs,
                x=factor,
                y=outcome,
                errorbar=("ci", 95),
                seed=0,
                ax=ax,
                color="tab:blue",
                capsize=0.15,
            )
        else:
            sns.regplot(
                data=runs,
                x=factor,
                y=outcome,
                x_bins=_BINS,
                x_ci=95,
                fit_reg=False,
                seed=0,
                ax=ax,
                color="tab:blue",
            )
        ax.set_xlabel(_label(factor))
        ax.set_ylabel(outcome.replace("_", " "))
    fig.suptitle(
        f"Effect of each factor on {outcome.replace('_', ' ')} (mean, 95% CI across runs)", fontsize=10
    )
    fig.tight_layout()
    return save_figure(fig, path)


def plot_heatmap(runs: pd.DataFrame, rows: str, cols: str, outcome: str, path: str | Path) -> Path:
    """Mean ``outcome`` over two discrete factors (averaged over replicates and other factors)."""
    table = runs.pivot_table(index=rows, columns=cols, values=outcome, aggfunc="mean", observed=True)
    fig, ax = plt.subplots(figsize=(1.1 * len(table.columns) + 2.6, 0.6 * len(table.index) + 1.8))
    sns.heatmap(
        table, annot=True, fmt=".3g", cmap="viridis", ax=ax, cbar_kws={"label": outcome.replace("_", " ")}
    )
    others = [c for c in runs.columns if c in _varied(runs) and c not in (rows, cols)]
    over = "replicates" + "".join(f", {o.replace('_', ' ')}" for o in others)
    ax.set(xlabel=_label(cols), ylabel=_label(rows), title=f"Mean {outcome.replace('_', ' ')} (over {over})")
    fig.tight_layout()
    return save_figure(fig, path)


#: the record of what the figures in a folder were drawn from
DRAWN = ".drawn.json"


def _drawn_from(runs: pd.DataFrame, factors: Sequence[str], outcomes: Sequence[str]) -> str:
    """A hash of everything a sweep's figures show: the runs, factors, outcomes and this module's code."""
    digest = hashlib.sha1()
    digest.update(pd.util.hash_pandas_object(runs, index=False).to_numpy().tobytes())
    digest.update(
        json.dumps(
            [list(runs.columns), [str(t) for t in runs.dtypes], list(factors), list(outcomes)]
        ).encode()
    )
    digest.update(Path(__file__).read_bytes())
    digest.update(matplotlib.__version__.encode() + sns.__version__.encode())
    return digest.hexdigest()


def _already_drawn(outdir: Path, key: str) -> list[Path] | None:
    """The figures in ``outdir`` if they were drawn from ``key`` and are all still there."""
    try:
        record = json.loads((outdir / DRAWN).read_text(encoding="utf-8"))
        paths = [outdir / name for name in record["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if record.get("from") != key or not all(p.is_file() for p in paths):
        return None
    return paths


def plot_sweep(
    runs: pd.DataFrame, factors: Sequence[str], outcomes: Sequence[str], outdir: str | Path
) -> list[Path]:
    """Every sweep figure into ``outdir``; returns their paths.

    Figures already drawn from the same runs, factors and outcomes are kept, not drawn again.
    """
    from partnersim.io import write_json

    outdir = Path(outdir)
    key = _drawn_from(runs, factors, outcomes)
    drawn = _already_drawn(outdir, key)
    if drawn is not None:
        return drawn
    (outdir / DRAWN).unlink(missing_ok=True)  # figures are about to change: the record no longer holds
    sns.set_theme(style="whitegrid", context="notebook")
    factors = [f for f in factors if f in runs and runs[f].nunique() > 1] or list(factors)
    paths = [plot_effects(runs, factors, o, outdir / f"effects_{o}.png") for o in outcomes]
    discrete = [f for f in factors if _discrete(runs, f)]
    if len(discrete) >= 2:
        rows, cols = discrete[0], discrete[1]
        paths += [plot_heatmap(runs, rows, cols, o, outdir / f"heatmap_{o}.png") for o in outcomes]
    write_json({"from": key, "files": [p.name for p in paths]}, outdir / DRAWN)
    return paths


#: file names of the figures a sweep draws (``<kind>_<outcome>.png``)
_KINDS = ("effects_", "heatmap_")


def prune_figures(outdir: str | Path, keep: Sequence[Path] | None, outcomes: Sequence[str]) -> list[Path]:
    """Remove sweep figures in ``outdir`` that belong to no current output; return what was removed.

    With ``keep`` (the figures just drawn), every other sweep figure goes; without
    (figures were not drawn), those of outcomes no longer in ``outcomes``. Only
    files a sweep writes (``effects_*.png``, ``heatmap_*.png``) are touched.
    """
    outdir = Path(outdir)
    kept = {Path(p).name for p in keep} if keep is not None else None
    removed = []
    for path in sorted(outdir.glob("*.png")) if outdir.is_dir() else []:
        kind = next((k for k in _KINDS if path.name.startswith(k)), None)
        if kind is None:
            continue
        outcome = path.stem.removeprefix(kind)
        if (kept is not None and path.name not in kept) or (kept is None and outcome not in outcomes):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed

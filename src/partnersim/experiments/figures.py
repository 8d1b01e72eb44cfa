"""Figures of a sweep: each factor's effect on each outcome, interactions, heatmaps and monthly series.

- ``effects_<outcome>.png``: one panel per factor; the mean outcome at each
  factor value (averaged over the other factors) with a 95% bootstrap
  confidence interval across runs. Numbers sit on a numeric axis at their
  own values. A factor with more than :data:`MAX_LEVELS` values (a Latin
  hypercube) is cut into :data:`BINS` equal-width bins: the point is the bin's
  mean at its middle, and the bin edges are drawn as thin lines.
- ``interaction_<outcome>.png``: for two or more factors, one panel per pair
  of the first three: the outcome against the first factor, one line per
  level (or third of the range) of the second. Parallel lines: no
  interaction.
- ``heatmap_<outcome>.png``: for designs with two or more discrete factors,
  the mean outcome over the first two (or the ``pair`` asked for). A Latin
  hypercube gets none: its values do not repeat.
- ``timeseries_by_<factor>.png``: when the monthly series were kept, active
  partnerships and trust month by month, one line per level of the factor.

Every figure is written atomically with :func:`partnersim.plots.save_figure`;
:func:`plot_one` draws any of these for chosen factors from a results
folder's tables (``partnersim plot``). What a sweep's figures were drawn from
is recorded in ``figures/.drawn.json``: a rerun with the same runs, factors
and outcomes (and the same plotting code) keeps the figures as they are
instead of drawing them again.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from partnersim.outcomes import outcome_label
from partnersim.plots import save_figure

__all__ = [
    "BINS",
    "KINDS",
    "MAX_LEVELS",
    "plot_effects",
    "plot_heatmap",
    "plot_interactions",
    "plot_one",
    "plot_sweep",
    "plot_timeseries",
    "prune_figures",
]

#: a factor with more distinct values than this is treated as continuous and binned
MAX_LEVELS = 12
#: equal-width bins of a continuous factor on an effects figure
BINS = 6
#: bins of a continuous factor used as line colour (interactions, monthly series)
HUE_BINS = 3
#: monthly series drawn by factor when a sweep keeps them
SERIES = ("active_partnerships", "trust_all")
#: the figures :func:`plot_one` draws
KINDS = ("effects", "interaction", "heatmap", "timeseries")


def _label(name: str) -> str:
    from partnersim.schema import PARAMETERS

    p = PARAMETERS.get(name)
    if p is None:
        return outcome_label(name)
    return name.replace("_", " ") + (f" ({p.unit})" if p.unit else "")


def _discrete(runs: pd.DataFrame, factor: str, continuous: Sequence[str] = ()) -> bool:
    """Drawn level by level (not binned): few values, or not a number. A factor the design
    sampled from a range (``continuous``) is binned once it has more values than bins."""
    if not _numeric(runs, factor):
        return True
    n = runs[factor].nunique()
    return n <= BINS if factor in continuous else n <= MAX_LEVELS


def _numeric(runs: pd.DataFrame, factor: str) -> bool:
    return pd.api.types.is_numeric_dtype(runs[factor]) and not pd.api.types.is_bool_dtype(runs[factor])


def _bins(values: pd.Series, n: int) -> tuple[pd.Series, np.ndarray]:
    """Equal-width bins over the values' range: each value's bin middle, and the edges."""
    edges = np.linspace(values.min(), values.max(), n + 1)
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, n - 1)
    middles = (edges[:-1] + edges[1:]) / 2
    return pd.Series(middles[index], index=values.index), edges


def _hue_levels(runs: pd.DataFrame, factor: str, continuous: Sequence[str] = ()) -> pd.Series:
    """A factor as line colours: its values, or for a continuous one a third of its range ("0.05–0.2")."""
    if _discrete(runs, factor, continuous):
        return runs[factor].map(_show)
    edges = np.linspace(runs[factor].min(), runs[factor].max(), HUE_BINS + 1)
    index = np.clip(np.searchsorted(edges, runs[factor], side="right") - 1, 0, HUE_BINS - 1)
    names = [f"{edges[i]:.3g}–{edges[i + 1]:.3g}" for i in range(HUE_BINS)]
    return pd.Series(pd.Categorical([names[i] for i in index], categories=names), index=runs.index)


def _show(value: object) -> str:
    return (
        str(value).lower()
        if isinstance(value, (bool, np.bool_))
        else f"{value:g}"
        if isinstance(value, (int, float, np.integer, np.floating))
        else str(value)
    )


def _effect_panel(
    ax: plt.Axes,
    runs: pd.DataFrame,
    factor: str,
    outcome: str,
    hue: str | None = None,
    continuous: Sequence[str] = (),
) -> None:
    """Mean outcome with 95% bootstrap CIs by factor value, numbers on a numeric axis."""
    data = runs[[factor, outcome]].copy()
    kw: dict = {}
    if hue is not None:
        data["_hue"] = _hue_levels(runs, hue, continuous)
        kw = {"hue": "_hue", "dodge": False}
    else:
        kw = {"color": "tab:blue"}
    x = factor
    if not _discrete(runs, factor, continuous):
        data["_bin"], edges = _bins(runs[factor], BINS)
        x = "_bin"
        for edge in edges:
            ax.axvline(edge, color="0.6", lw=0.6, ls=":", zorder=0)
    native = _numeric(runs, factor)
    # seed: bootstrap CIs are the same every time the figure is drawn
    sns.pointplot(
        data=data,
        x=x,
        y=outcome,
        errorbar=("ci", 95),
        seed=0,
        ax=ax,
        capsize=0.15 if not native else 0,
        native_scale=native,
        markersize=5,
        linewidth=1.4,
        **kw,
    )
    if hue is not None and ax.get_legend() is not None:
        ax.get_legend().set_title(_label(hue).split(" (")[0])
        sns.move_legend(ax, "best", fontsize=7, title_fontsize=7)
    binned = " (binned; edges dotted)" if x == "_bin" else ""
    ax.set_xlabel(_label(factor) + binned)
    ax.set_ylabel(outcome_label(outcome))


def plot_effects(
    runs: pd.DataFrame,
    factors: Sequence[str],
    outcome: str,
    path: str | Path,
    continuous: Sequence[str] = (),
) -> Path:
    """One panel per factor: mean ``outcome`` by factor value with 95% CIs across runs.

    ``continuous``: factors sampled from a range (binned when they have more values than bins).
    """
    n = len(factors)
    fig, axes = plt.subplots(1, n, figsize=(3.6 * n + 0.6, 3.6), sharey=True, squeeze=False)
    for ax, factor in zip(axes[0], factors, strict=True):
        _effect_panel(ax, runs, factor, outcome, continuous=continuous)
    fig.suptitle(
        f"{outcome.replace('_', ' ').capitalize()} by each factor "
        f"(mean over the other factors, 95% CI across {len(runs)} runs)",
        fontsize=10,
    )
    fig.tight_layout()
    return save_figure(fig, path)


def plot_interactions(
    runs: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    outcome: str,
    path: str | Path,
    continuous: Sequence[str] = (),
) -> Path:
    """One panel per (x, hue) pair: ``outcome`` against x, one line per level of hue."""
    n = len(pairs)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n + 0.6, 3.8), sharey=True, squeeze=False)
    for ax, (x, hue) in zip(axes[0], pairs, strict=True):
        _effect_panel(ax, runs, x, outcome, hue=hue, continuous=continuous)
        ax.set_title(f"{x.replace('_', ' ')} × {hue.replace('_', ' ')}", fontsize=9)
    fig.suptitle(
        f"Interactions: {outcome.replace('_', ' ')} (mean, 95% CI; parallel lines mean no interaction)",
        fontsize=10,
    )
    fig.tight_layout()
    return save_figure(fig, path)


def plot_heatmap(
    runs: pd.DataFrame, rows: str, cols: str, outcome: str, path: str | Path, continuous: Sequence[str] = ()
) -> Path:
    """Mean ``outcome`` over two factors (averaged over replicates and other factors); a factor
    sampled from a range is cut into thirds of its range."""
    data = pd.DataFrame(
        {
            rows: _hue_levels(runs, rows, continuous),
            cols: _hue_levels(runs, cols, continuous),
            outcome: runs[outcome],
        }
    )
    if _discrete(runs, rows, continuous):
        data[rows] = runs[rows]
    if _discrete(runs, cols, continuous):
        data[cols] = runs[cols]
    table = data.pivot_table(index=rows, columns=cols, values=outcome, aggfunc="mean", observed=True)
    table.index = [_show(v) for v in table.index]
    table.columns = [_show(v) for v in table.columns]
    fig, ax = plt.subplots(figsize=(1.1 * len(table.columns) + 2.8, 0.6 * len(table.index) + 2.0))
    sns.heatmap(
        table, annot=True, fmt=".3g", cmap="viridis", ax=ax, cbar_kws={"label": outcome_label(outcome)}
    )
    ax.set(xlabel=_label(cols), ylabel=_label(rows))
    ax.set_title(
        f"Mean {outcome.replace('_', ' ')} by {rows.replace('_', ' ')} and {cols.replace('_', ' ')}",
        fontsize=10,
    )
    fig.text(
        0.5,
        0.0,
        "each cell: the mean over its runs (replicates and any other factors)",
        ha="center",
        fontsize=8,
    )
    fig.tight_layout()
    return save_figure(fig, path)


#: the record of what the figures in a folder were drawn from
DRAWN = ".drawn.json"


def _drawn_from(
    runs: pd.DataFrame,
    factors: Sequence[str],
    outcomes: Sequence[str],
    options: Sequence[object] = (),
    timeseries: pd.DataFrame | None = None,
) -> str:
    """A hash of everything a sweep's figures show: the runs (and monthly series), factors,
    outcomes, drawing options and this module's code."""
    digest = hashlib.sha1()
    digest.update(pd.util.hash_pandas_object(runs, index=False).to_numpy().tobytes())
    if timeseries is not None:
        digest.update(pd.util.hash_pandas_object(timeseries, index=False).to_numpy().tobytes())
    digest.update(json.dumps(list(options), default=str).encode())
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


def plot_timeseries(
    runs: pd.DataFrame,
    timeseries: pd.DataFrame,
    factor: str,
    path: str | Path,
    series: Sequence[str] = SERIES,
    continuous: Sequence[str] = (),
) -> Path:
    """Monthly ``series`` by level of ``factor``: the mean over runs, with a 95% band (normal, across runs)."""
    levels = _hue_levels(runs, factor, continuous).rename("_level")
    data = timeseries.merge(pd.concat([runs["run_id"], levels], axis=1), on="run_id")
    series = [s for s in series if s in data]
    fig, axes = plt.subplots(1, len(series), figsize=(5.2 * len(series), 3.8), squeeze=False)
    palette = sns.color_palette(n_colors=data["_level"].nunique())
    for ax, name in zip(axes[0], series, strict=True):
        for (level, g), colour in zip(
            data.groupby("_level", observed=True, sort=True), palette, strict=False
        ):
            stats = g.groupby("month")[name].agg(["mean", "std", "count"])
            half = 1.96 * stats["std"].fillna(0) / np.sqrt(stats["count"])
            ax.plot(stats.index, stats["mean"], color=colour, lw=1.5, label=_show(level))
            ax.fill_between(stats.index, stats["mean"] - half, stats["mean"] + half, color=colour, alpha=0.2)
        ax.set(xlabel="month", ylabel=name.replace("_", " "))
        ax.legend(title=factor.replace("_", " "), fontsize=7, title_fontsize=7)
    n_runs = data["run_id"].nunique()
    fig.suptitle(
        f"Monthly series by {factor.replace('_', ' ')} (mean and 95% band across {n_runs} runs)", fontsize=10
    )
    fig.tight_layout()
    return save_figure(fig, path)


def _pairs(factors: Sequence[str]) -> list[tuple[str, str]]:
    return list(itertools.combinations(factors[:3], 2))


def plot_sweep(
    runs: pd.DataFrame,
    factors: Sequence[str],
    outcomes: Sequence[str],
    outdir: str | Path,
    *,
    timeseries: pd.DataFrame | None = None,
    pair: tuple[str, str] | None = None,
    continuous: Sequence[str] = (),
) -> list[Path]:
    """Every sweep figure into ``outdir``; returns their paths.

    ``pair`` picks the heatmap's two factors (rows, columns); by default the
    first two discrete ones. ``timeseries`` (with ``run_id`` and ``month``)
    adds the monthly series by factor. ``continuous``: factors sampled from a
    range (a Latin hypercube's), binned where they have more values than bins.
    Figures already drawn from the same runs, factors, outcomes and options are
    kept, not drawn again.
    """
    from partnersim.io import write_json

    outdir = Path(outdir)
    key = _drawn_from(runs, factors, outcomes, [pair, sorted(continuous)], timeseries)
    drawn = _already_drawn(outdir, key)
    if drawn is not None:
        return drawn
    (outdir / DRAWN).unlink(missing_ok=True)  # figures are about to change: the record no longer holds
    sns.set_theme(style="whitegrid", context="notebook")
    factors = [f for f in factors if f in runs and runs[f].nunique() > 1] or list(factors)
    c = tuple(continuous)
    paths = [plot_effects(runs, factors, o, outdir / f"effects_{o}.png", c) for o in outcomes]
    if len(factors) >= 2:
        paths += [
            plot_interactions(runs, _pairs(factors), o, outdir / f"interaction_{o}.png", c) for o in outcomes
        ]
    discrete = [f for f in factors if _discrete(runs, f, c)]
    if pair is None and len(discrete) >= 2:
        pair = (discrete[0], discrete[1])
    if pair is not None:
        paths += [plot_heatmap(runs, *pair, o, outdir / f"heatmap_{o}.png", c) for o in outcomes]
    if timeseries is not None:
        paths += [
            plot_timeseries(runs, timeseries, f, outdir / f"timeseries_by_{f}.png", continuous=c)
            for f in factors
        ]
    write_json({"from": key, "files": [p.name for p in paths]}, outdir / DRAWN)
    return paths


def plot_one(
    runs: pd.DataFrame,
    kind: str,
    x: str,
    outcome: str,
    path: str | Path,
    *,
    hue: str | None = None,
    timeseries: pd.DataFrame | None = None,
    continuous: Sequence[str] = (),
) -> Path:
    """One figure of ``kind`` (:data:`KINDS`) for chosen columns of a results folder's runs."""
    sns.set_theme(style="whitegrid", context="notebook")
    if kind == "effects" and hue is None:
        return plot_effects(runs, [x], outcome, path, continuous)
    if kind in ("effects", "interaction"):
        if hue is None:
            raise ValueError("an interaction plot needs --hue")
        return plot_interactions(runs, [(x, hue)], outcome, path, continuous)
    if kind == "heatmap":
        if hue is None:
            raise ValueError("a heatmap needs --hue (its columns)")
        return plot_heatmap(runs, x, hue, outcome, path, continuous)
    if kind == "timeseries":
        if timeseries is None:
            raise ValueError("no timeseries.parquet: run the study with timeseries = true")
        return plot_timeseries(runs, timeseries, x, path, series=[outcome], continuous=continuous)
    raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")


#: file names of the figures a sweep draws per outcome (``<kind>_<outcome>.png``)
_KINDS = ("effects_", "interaction_", "heatmap_")
#: and per factor (``timeseries_by_<factor>.png``)
_PER_FACTOR = ("timeseries_by_",)


def prune_figures(outdir: str | Path, keep: Sequence[Path] | None, outcomes: Sequence[str]) -> list[Path]:
    """Remove sweep figures in ``outdir`` that belong to no current output; return what was removed.

    With ``keep`` (the figures just drawn), every other sweep figure goes; without
    (figures were not drawn), those of outcomes no longer in ``outcomes``. Only
    files a sweep writes (``effects_*``, ``interaction_*``, ``heatmap_*``,
    ``timeseries_by_*``) are touched; figures drawn by ``partnersim plot`` stay.
    """
    outdir = Path(outdir)
    kept = {Path(p).name for p in keep} if keep is not None else None
    removed = []
    for path in sorted(outdir.glob("*.png")) if outdir.is_dir() else []:
        if kept is not None and path.name.startswith(_PER_FACTOR) and path.name not in kept:
            path.unlink(missing_ok=True)
            removed.append(path)
            continue
        kind = next((k for k in _KINDS if path.name.startswith(k)), None)
        if kind is None:
            continue
        outcome = path.stem.removeprefix(kind)
        if (kept is not None and path.name not in kept) or (kept is None and outcome not in outcomes):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed

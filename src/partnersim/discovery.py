"""Scenario discovery on finished runs: which factor ranges make an outcome bad (or good)?

A case of interest is a run whose outcome is below (or above) a threshold,
for example ``survival_rate < 0.2``. PRIM (the Patient Rule Induction
Method; Friedman and Fisher 1999, as used for scenario discovery by Bryant
and Lempert 2010) then peels the factor space into a box that holds many of
those runs (coverage) and few others (density). CART is offered as an
alternative. Both, and the extra-trees feature scores, are EMA Workbench's
own (:mod:`ema_workbench.analysis`), an optional extra:
``pip install 'partnersim[ema]'``.

The factors are the parameters that vary across the runs; the ids, the
seed and anything held fixed are left out. Bool and text factors are
categorical: a box restricts them to a set of values.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from partnersim.outcomes import OUTCOMES

__all__ = ["DENSITY", "METHODS", "Discovery", "Restriction", "discover", "ema_available", "write_discovery"]

METHODS = ("prim", "cart")
#: a box is chosen on PRIM's peeling trajectory as the one with the most coverage at this density
DENSITY = 0.8
#: PRIM's peeling step and smallest box (EMA Workbench's defaults)
PEEL_ALPHA = 0.05
MASS_MIN = 0.05
#: at most this many boxes (each found on the runs the earlier ones left)
MAX_BOXES = 3
#: a restriction whose quasi-p-value is above this is marked as weak in the report
QP_WEAK = 0.05


class EMAMissing(ImportError):
    """EMA Workbench is not installed."""


def ema_available() -> bool:
    """Whether EMA Workbench can be imported."""
    try:
        _ema()
    except EMAMissing:
        return False
    return True


def _ema() -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # it warns about optional parallel back-ends on import
            from ema_workbench import analysis
    except ImportError as exc:
        raise EMAMissing(
            "scenario discovery uses EMA Workbench, which is not installed: pip install 'partnersim[ema]'"
        ) from exc
    return analysis


@dataclass(frozen=True)
class Restriction:
    """One factor's limit in a box: a range of numbers, or a set of values."""

    factor: str
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] = ()
    qp_low: float | None = None
    qp_high: float | None = None

    def text(self) -> str:
        """``renewal_probability < 0.35``, ``coordinator is false``, ``12 ≤ funding_length ≤ 30``."""
        if self.values:
            shown = [_word(v) for v in self.values]
            return f"{self.factor} is {' or '.join(shown)}"
        parts = []
        if self.low is not None:
            parts.append(f"{self.low:.3g} ≤ ")
        parts.append(self.factor)
        if self.high is not None:
            parts.append(f" ≤ {self.high:.3g}")
        text = "".join(parts)
        if self.low is not None and self.high is None:
            text = f"{self.factor} ≥ {self.low:.3g}"
        return text

    @property
    def qp(self) -> float | None:
        """The larger (weaker) quasi-p-value of the limits that restrict."""
        values = [v for v in (self.qp_low, self.qp_high) if v is not None and not np.isnan(v)]
        return max(values) if values else None


@dataclass(frozen=True)
class Box:
    """A chosen box: its statistics and restrictions."""

    number: int
    coverage: float
    density: float
    mass: float
    n: int
    k: int
    restrictions: tuple[Restriction, ...]

    def text(self) -> str:
        return " and ".join(r.text() for r in self.restrictions) or "no restriction"


@dataclass
class Discovery:
    """What :func:`discover` found.

    Attributes:
        outcome, direction, threshold: the cases of interest (``survival_rate`` ``below`` 0.2).
        method: ``prim`` or ``cart``.
        factors: the factors searched.
        n_runs, n_cases: runs, and runs of interest among them.
        boxes: the chosen boxes, best first.
        trajectory: PRIM's peeling trajectory of the first box (coverage, density, mass,
            res_dim, n, k, and which point was chosen), or CART's leaves.
        scores: extra-trees feature scores (factor, score), highest first.
    """

    outcome: str
    direction: str
    threshold: float
    method: str
    factors: list[str]
    n_runs: int
    n_cases: int
    boxes: list[Box]
    trajectory: pd.DataFrame
    scores: pd.DataFrame
    density_target: float = DENSITY
    figures: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def base_rate(self) -> float:
        return self.n_cases / self.n_runs if self.n_runs else float("nan")

    def boxes_table(self) -> pd.DataFrame:
        """One row per restriction of every box."""
        rows = []
        for b in self.boxes:
            for r in b.restrictions:
                rows.append(
                    {
                        "box": b.number,
                        "coverage": b.coverage,
                        "density": b.density,
                        "mass": b.mass,
                        "factor": r.factor,
                        "restriction": r.text(),
                        "low": r.low,
                        "high": r.high,
                        "values": ", ".join(_word(v) for v in r.values),
                        "qp_low": r.qp_low,
                        "qp_high": r.qp_high,
                    }
                )
        return pd.DataFrame(rows)


def _word(value: Any) -> str:
    return str(value).lower() if isinstance(value, (bool, np.bool_)) else str(value)


def _x(runs: pd.DataFrame, factors: Sequence[str]) -> pd.DataFrame:
    """The factors as EMA wants them: numbers as float or int, bool and text as categories
    (bools as "false"/"true", so a box reads "coordinator is false")."""
    x = runs[list(factors)].reset_index(drop=True).copy()
    for c in x:
        if pd.api.types.is_bool_dtype(x[c]):
            x[c] = x[c].map(_word).astype("category")
        elif pd.api.types.is_integer_dtype(x[c]):
            x[c] = x[c].astype("int64")
        elif pd.api.types.is_numeric_dtype(x[c]):
            x[c] = x[c].astype("float64")
        else:
            x[c] = x[c].astype(str).astype("category")
    return x


def cases_of_interest(
    values: pd.Series, *, below: float | None = None, above: float | None = None
) -> np.ndarray:
    """0/1 per run: 1 where the outcome is strictly below ``below`` (or above ``above``)."""
    if (below is None) == (above is None):
        raise ValueError("give exactly one of below and above")
    y = values < below if below is not None else values > above
    return np.asarray(y, dtype=int)


def discover(
    runs: pd.DataFrame,
    factors: Sequence[str],
    outcome: str,
    *,
    below: float | None = None,
    above: float | None = None,
    method: str = "prim",
    density: float = DENSITY,
    max_boxes: int = MAX_BOXES,
    seed: int = 0,
) -> Discovery:
    """Find the factor ranges where ``outcome`` is below (or above) a threshold.

    ``factors`` are columns of ``runs``; ``runs[outcome]`` is the outcome.
    For PRIM each box is the point of the peeling trajectory with the most
    coverage among those with at least ``density``, or the densest if none
    reaches it; the next box is searched in the runs the earlier ones left.
    """
    if method not in METHODS:
        raise ValueError(f"method {method!r}: expected one of {', '.join(METHODS)}")
    analysis = _ema()
    x = _x(runs, factors)
    y = cases_of_interest(runs[outcome].reset_index(drop=True), below=below, above=above)
    threshold = below if below is not None else above
    direction = "below" if below is not None else "above"
    n_cases = int(y.sum())
    if n_cases == 0 or n_cases == len(y):
        raise ValueError(
            f"{'no' if n_cases == 0 else 'every'} run has {outcome} {direction} {threshold:g} "
            f"({len(y)} runs; {outcome} ranges from {runs[outcome].min():.3g} to {runs[outcome].max():.3g}): "
            "choose a threshold inside that range"
        )
    scores, _ = analysis.get_ex_feature_scores(
        x, y, mode=analysis.RuleInductionType.CLASSIFICATION, random_state=seed
    )
    scores = scores.reset_index().set_axis(["factor", "score"], axis=1)
    if method == "prim":
        boxes, trajectory = _prim(analysis, x, y, density, max_boxes)
    else:
        boxes, trajectory = _cart(analysis, x, y, density, max_boxes, seed)
    return Discovery(
        outcome=outcome,
        direction=direction,
        threshold=float(threshold),
        method=method,
        factors=list(factors),
        n_runs=len(y),
        n_cases=n_cases,
        boxes=boxes,
        trajectory=trajectory,
        scores=scores,
        density_target=density,
    )


def _choose(trajectory: pd.DataFrame, density: float) -> int:
    dense = trajectory[trajectory["density"] >= density]
    if len(dense):
        return int(dense["coverage"].idxmax())
    return int(trajectory["density"].idxmax())


def _restrictions(
    box_lim: pd.DataFrame, box_init: pd.DataFrame, qp: Mapping[str, Sequence[float]] | None
) -> tuple[Restriction, ...]:
    out = []
    for factor in box_lim.columns:
        lo, hi = box_lim[factor].iloc[0], box_lim[factor].iloc[1]
        lo0, hi0 = box_init[factor].iloc[0], box_init[factor].iloc[1]
        q = list(qp.get(factor, (None, None))) if qp else [None, None]
        q = [None if v is None or v == -1 or (isinstance(v, float) and np.isnan(v)) else float(v) for v in q]
        if isinstance(lo, set):
            if lo == lo0:
                continue
            values = tuple(sorted(lo, key=str))
            out.append(Restriction(factor, values=values, qp_low=q[0], qp_high=q[1]))
            continue
        low = float(lo) if lo > lo0 else None
        high = float(hi) if hi < hi0 else None
        if low is None and high is None:
            continue
        out.append(
            Restriction(
                factor,
                low=low,
                high=high,
                qp_low=q[0] if low is not None else None,
                qp_high=q[1] if high is not None else None,
            )
        )
    # the tightest (lowest quasi-p) first
    return tuple(sorted(out, key=lambda r: (r.qp if r.qp is not None else 1.0, r.factor)))


def _prim(
    analysis: Any, x: pd.DataFrame, y: np.ndarray, density: float, max_boxes: int
) -> tuple[list[Box], pd.DataFrame]:
    base = y.mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # threshold: any box denser than the whole space is kept; the choice on the trajectory is ours
        prim = analysis.Prim(
            x, y, threshold=base, peel_alpha=PEEL_ALPHA, paste_alpha=PEEL_ALPHA, mass_min=MASS_MIN
        )
        boxes: list[Box] = []
        first: pd.DataFrame | None = None
        for number in range(1, max_boxes + 1):
            found = prim.find_box()
            if found is None or len(found.peeling_trajectory) < 2:
                break  # no runs left, or a box of the whole remaining space
            trajectory = found.peeling_trajectory.reset_index(drop=True)
            i = _choose(trajectory, density)
            if trajectory.loc[i, "density"] <= base:
                break
            found.select(i)
            if first is None:
                first = trajectory.assign(chosen=trajectory.index == i)
            boxes.append(
                Box(
                    number=number,
                    coverage=float(trajectory.loc[i, "coverage"]),
                    density=float(trajectory.loc[i, "density"]),
                    mass=float(trajectory.loc[i, "mass"]),
                    n=int(trajectory.loc[i, "n"]),
                    k=int(trajectory.loc[i, "k"]),
                    restrictions=_restrictions(found.box_lims[i], prim.box_init, found.qp[i]),
                )
            )
    if first is None:
        first = pd.DataFrame(columns=["coverage", "density", "mass", "res_dim", "n", "k", "chosen"])
    return boxes, first[["coverage", "density", "mass", "res_dim", "n", "k", "chosen"]]


def _cart(
    analysis: Any, x: pd.DataFrame, y: np.ndarray, density: float, max_boxes: int, seed: int
) -> tuple[list[Box], pd.DataFrame]:
    from sklearn.tree import DecisionTreeClassifier

    # categories go in as their codes: EMA's CART reads a split on a one-hot column of a
    # two-valued factor the wrong way round; a box on codes is turned back into a set of values
    codes = {c: list(x[c].cat.categories) for c in x if isinstance(x[c].dtype, pd.CategoricalDtype)}
    coded = x.assign(**{c: x[c].cat.codes.astype("int64") for c in codes})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = analysis.CART(coded, y, mass_min=MASS_MIN, mode=analysis.RuleInductionType.BINARY)
        # EMA's build_tree, with a seed so that ties between splits break the same way every time
        tree.clf = DecisionTreeClassifier(min_samples_leaf=int(MASS_MIN * len(y)), random_state=seed)
        tree.clf.fit(tree._x, tree.y)
        box_init = analysis.scenario_discovery_util._make_box(coded)
        leaves = pd.DataFrame(tree.stats)
        lims = tree.boxes
    leaves = leaves.rename(columns={"res dim": "res_dim"})
    leaves["n"] = (leaves["mass"] * len(y)).round().astype(int)
    leaves["k"] = (leaves["coverage"] * y.sum()).round().astype(int)
    order = leaves.sort_values(["density", "coverage"], ascending=False).index
    picked = [i for i in order if leaves.loc[i, "density"] >= density] or list(order[:1])
    picked = sorted(picked, key=lambda i: -leaves.loc[i, "coverage"])[:max_boxes]
    boxes = [
        Box(
            number=n + 1,
            coverage=float(leaves.loc[i, "coverage"]),
            density=float(leaves.loc[i, "density"]),
            mass=float(leaves.loc[i, "mass"]),
            n=int(leaves.loc[i, "n"]),
            k=int(leaves.loc[i, "k"]),
            restrictions=_restrictions(_decode(lims[i], codes), _decode(box_init, codes), None),
        )
        for n, i in enumerate(picked)
    ]
    leaves["chosen"] = leaves.index.isin(picked)
    return boxes, leaves[["coverage", "density", "mass", "res_dim", "n", "k", "chosen"]]


def _decode(box: pd.DataFrame, codes: Mapping[str, list[Any]]) -> pd.DataFrame:
    """A box on category codes as a box on the categories (a set of values in both rows)."""
    box = box.astype(object).copy()
    for c, categories in codes.items():
        lo, hi = box[c].iloc[0], box[c].iloc[1]
        values = {cat for code, cat in enumerate(categories) if lo <= code <= hi}
        box[c] = [values, values]
    return box


# ------------------------------------------------------------------ writing


def plot_trajectory(d: Discovery, path: str | Path) -> Path:
    """Coverage against density along PRIM's peeling trajectory (or CART's leaves), the chosen box marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from partnersim.plots import save_figure

    t = d.trajectory
    fig, ax = plt.subplots(figsize=(6.4, 4.6))
    if len(t):
        points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=22, zorder=2)
        fig.colorbar(points, ax=ax, label="factors restricted", ticks=sorted({int(v) for v in t["res_dim"]}))
    else:
        # no box beat the whole space: say so on the figure rather than draw an empty one
        ax.text(0.5, 0.5, "no box denser than all runs", ha="center", va="center", transform=ax.transAxes)
    if d.method == "prim":
        ax.plot(t["coverage"], t["density"], color="0.7", lw=0.8, zorder=1)
    # .loc with a boolean mask: an empty trajectory's column would otherwise be read as column labels
    chosen = t.loc[t["chosen"].astype(bool)]
    ax.scatter(
        chosen["coverage"],
        chosen["density"],
        s=140,
        facecolors="none",
        edgecolors="tab:red",
        lw=1.8,
        zorder=3,
        label="chosen box",
    )
    ax.axhline(d.density_target, color="tab:red", ls=":", lw=1, label=f"density {d.density_target:g}")
    ax.axhline(d.base_rate, color="0.4", ls="--", lw=1, label=f"all runs ({d.base_rate:.0%})")
    ax.set(
        xlabel="coverage: share of the cases of interest inside the box",
        ylabel="density: share of the box's runs that are cases",
        xlim=(0, 1.02),
        ylim=(0, 1.02),
    )
    what = "peeling trajectory" if d.method == "prim" else "CART leaves"
    ax.set_title(
        f"{d.method.upper()} {what}: runs with {d.outcome} {d.direction} {d.threshold:g}", fontsize=10
    )
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return save_figure(fig, path)


def plot_scores(d: Discovery, path: str | Path) -> Path:
    """Extra-trees feature scores as bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from partnersim.plots import save_figure

    s = d.scores.iloc[::-1]
    fig, ax = plt.subplots(figsize=(6, 0.35 * len(s) + 1.4))
    ax.barh(s["factor"], s["score"], color="tab:blue")
    ax.set(
        xlabel="feature score (extra trees; sums to 1)",
        title=f"What separates runs with {d.outcome} {d.direction} {d.threshold:g}",
    )
    ax.title.set_fontsize(10)
    fig.tight_layout()
    return save_figure(fig, path)


def report_text(d: Discovery, source: str) -> str:
    """``report.md``: the cases, the boxes in words, their strength and the feature scores."""
    meaning = OUTCOMES[d.outcome].meaning if d.outcome in OUTCOMES else d.outcome
    cmp = "<" if d.direction == "below" else ">"
    lines = [
        f"# Scenario discovery: {d.outcome} {cmp} {d.threshold:g}",
        "",
        f"Runs: {d.n_runs} from `{source}`. A case of interest is a run with `{d.outcome}` {cmp} "
        f"{d.threshold:g} ({meaning}): {d.n_cases} runs, {d.base_rate:.0%} of all. "
        f"Method: {d.method.upper()} (EMA Workbench) over {len(d.factors)} factors "
        f"({', '.join(d.factors)}); each run is one case, replicates included.",
        "",
        "## In plain words",
        "",
    ]
    if not d.boxes:
        lines.append(
            f"No box is denser in cases than the runs as a whole ({d.base_rate:.0%}): "
            "these factors do not separate the cases from the rest."
        )
    for b in d.boxes:
        verb = "mostly" if b.density >= 0.5 else "more often than elsewhere"
        lines.append(
            f"- **Box {b.number}.** Runs {verb} have {d.outcome} {d.direction} {d.threshold:g} when "
            f"{b.text()}: {b.density:.0%} of the {b.n} runs in this box do (against {d.base_rate:.0%} "
            f"overall), and the box holds {b.coverage:.0%} of all such runs ({b.k} of {d.n_cases})."
        )
    if len(d.boxes) > 1 and d.method == "prim":
        lines += ["", "Each box after the first is searched among the runs outside the boxes before it."]
    if d.boxes and d.boxes[0].density < d.density_target:
        lines += [
            "",
            f"No box reaches a density of {d.density_target:g}; box 1 is the densest PRIM found.",
        ]
    lines += ["", "## Boxes", ""]
    if d.method == "prim":
        lines.append(
            "Each restriction has a quasi-p-value (a one-sided binomial test: could the box's density "
            f"arise without this limit?). Above {QP_WEAK:g}, the limit is weak and may be chance."
        )
    else:
        lines.append("CART gives no quasi-p-values; its leaves are read as boxes.")
    lines.append("")
    lines.append("| box | coverage | density | runs | restriction | quasi-p |")
    lines.append("|---|---|---|---|---|---|")
    for b in d.boxes:
        for r in b.restrictions:
            qp = "" if r.qp is None else f"{r.qp:.2g}" + (" (weak)" if r.qp > QP_WEAK else "")
            lines.append(f"| {b.number} | {b.coverage:.2f} | {b.density:.2f} | {b.n} | {r.text()} | {qp} |")
    lines += [
        "",
        "## Feature scores",
        "",
        "Extra-trees scores (EMA Workbench's `get_ex_feature_scores`): how much each factor helps "
        "tell the cases from the rest, summing to 1.",
        "",
        "| factor | score |",
        "|---|---|",
        *(f"| {r.factor} | {r.score:.3f} |" for r in d.scores.itertuples()),
        "",
        "## Reading it",
        "",
        "A box describes where, in this model and over these ranges, the cases gather; it is not a "
        "forecast. Coverage and density trade off: a box with fewer limits covers more of the cases "
        "and is less pure (see `figures/peeling_trajectory.png`). When few values of a lever were run, "
        "or levers were varied together, a box cannot tell their effects apart.",
        "",
    ]
    return "\n".join(lines)


def write_discovery(d: Discovery, out: str | Path, source: str) -> list[Path]:
    """Tables (CSV), figures and ``report.md`` into ``out``; returns the paths written."""
    from partnersim.io import atomic_write, write_table

    out = Path(out)
    paths = [
        write_table(
            d.trajectory, out / ("peeling_trajectory.csv" if d.method == "prim" else "cart_leaves.csv")
        ),
        write_table(d.boxes_table(), out / "boxes.csv"),
        write_table(d.scores, out / "feature_scores.csv"),
        plot_trajectory(d, out / "figures" / "peeling_trajectory.png"),
        plot_scores(d, out / "figures" / "feature_scores.png"),
    ]
    text = report_text(d, source)
    paths.append(atomic_write(out / "report.md", lambda p: Path(p).write_text(text, encoding="utf-8")))
    return paths

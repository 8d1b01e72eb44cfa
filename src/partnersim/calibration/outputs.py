"""Tables and figures of a calibration: posterior, identifiability, predictive check.

Computing is kept apart from wording: every function here returns a
DataFrame or a figure; :mod:`partnersim.calibration.report` writes the
sentences from these tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from partnersim.calibration.posterior import Posterior, weighted_quantile
from partnersim.calibration.simulate import simulate_targets
from partnersim.calibration.study import CalibrationStudy, Target

__all__ = [
    "CONSTRAINED",
    "identifiability",
    "plot_marginals",
    "plot_pairs",
    "plot_predictive",
    "posterior_table",
    "predictive_check",
    "predictive_summary",
    "run_warnings",
]

#: posterior 90% width / prior 90% width below which a parameter counts as constrained, or weakly constrained
CONSTRAINED = 0.5
WEAKLY = 0.8
#: tail probability below which an observation counts as unlike the posterior predictive
PPC_ALPHA = 0.05


def posterior_table(history: Any, study: CalibrationStudy) -> pd.DataFrame:
    """The last generation: one row per particle, calibrated parameters, ``weight``, ``distance``, ``generation``."""
    t = history.max_t
    df, w = history.get_distribution(m=0, t=t)
    df = df.reset_index(drop=True)
    # the history holds each parameter on its logit scale (driver.prior_distribution)
    out = pd.DataFrame({n: [p.from_logit(float(z)) for z in df[n]] for n, p in study.priors.items()})
    out["weight"] = np.asarray(w, dtype=float) / np.sum(w)
    dist = history.get_weighted_distances(t=t)
    out["distance"] = dist["distance"].to_numpy() if len(dist) == len(out) else np.nan
    out["generation"] = t
    return out


#: a final effective sample size under this share of the population makes intervals and verdicts unreliable
MIN_ESS_SHARE = 0.25


def run_warnings(generations: pd.DataFrame, ess: float, population: int) -> list[str]:
    """What makes a finished calibration's posterior unreliable, in plain words (empty when nothing does).

    Two failures of ABC-SMC that a posterior table does not show: weights
    that rest on a handful of particles, and a tolerance that never
    tightened (when most particles share one distance, as happens with
    small counts, the median of the distances cannot fall).
    """
    out = []
    if ess < MIN_ESS_SHARE * population:
        out.append(
            f"the final weights rest on {ess:.0f} effective particles of {population} (under "
            f"{MIN_ESS_SHARE:.0%}): the intervals and verdicts below are not reliable"
        )
    eps = generations["epsilon"].to_numpy(float)
    finite = eps[np.isfinite(eps)]
    if len(finite) >= 2 and np.allclose(finite, finite[0]):
        out.append(
            f"epsilon stayed at {finite[0]:.3g} in all {len(finite)} generations: most particles share "
            "one distance, so the tolerance never tightened and the posterior is little more than the "
            "first generation's acceptance region, reweighted"
        )
    return out


def identifiability(post: Posterior) -> pd.DataFrame:
    """Per parameter: posterior 90% interval width against the prior's (uniform) 90% width.

    ``ratio`` near 1 means the targets leave the parameter where the prior
    put it; well below 1 means the reports pin it down.
    """
    rows = []
    for _, r in post.summary().iterrows():
        p = post.priors[r["parameter"]]
        lo, hi = p.bounds()
        prior_width = 0.9 * (hi - lo)
        width = r["upper"] - r["lower"]
        ratio = width / prior_width if prior_width > 0 else float("nan")
        verdict = "constrained" if ratio < CONSTRAINED else "weakly constrained" if ratio < WEAKLY else "free"
        rows.append(
            {
                **r.to_dict(),
                "width_90": width,
                "prior_width_90": prior_width,
                "ratio": ratio,
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows).sort_values("ratio").reset_index(drop=True)


def _one_draw(args: tuple[CalibrationStudy, dict[str, Any], int]) -> dict[str, float] | None:
    study, draw, seed = args
    return simulate_targets(study, draw, seed)


def predictive_check(
    study: CalibrationStudy, post: Posterior, n: int, seed: int, executor: Any = None
) -> pd.DataFrame:
    """Simulate ``n`` posterior draws; one row per draw and target with the simulated statistic.

    For a count target, ``value`` is the simulated share and
    ``replicated_count`` a draw of the count the report would have seen out
    of its own total at that share (the posterior predictive of the
    observation itself).
    """
    draws = post.draw(n, seed)
    seeds = [
        int(s.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
        for s in np.random.SeedSequence([seed, 7]).spawn(n)
    ]
    jobs = [(study, d, s) for d, s in zip(draws, seeds, strict=True)]
    results = list(executor.map(_one_draw, jobs)) if executor is not None else [_one_draw(j) for j in jobs]
    rng = np.random.default_rng(np.random.SeedSequence([seed, 11]))
    rows = []
    for i, res in enumerate(results):
        if res is None:
            continue
        for t in study.targets:
            if t.kind == "count":
                k, total = res[f"{t.name}.k"], res[f"{t.name}.n"]
                share = k / total if total else float("nan")
                rep = int(rng.binomial(t.total, share)) if total else -1
                rows.append(
                    {"draw": i, "target": t.name, "value": share, "replicated_count": rep, "sim_total": total}
                )
            else:
                rows.append(
                    {
                        "draw": i,
                        "target": t.name,
                        "value": res[t.name],
                        "replicated_count": -1,
                        "sim_total": 1,
                    }
                )
    return pd.DataFrame(rows)


def predictive_summary(study: CalibrationStudy, ppc: pd.DataFrame) -> pd.DataFrame:
    """Per target: observed, the simulated 5%-50%-95%, and whether the observation is typical of the posterior.

    Counts: ``p_low`` = P(replicated count <= observed), ``p_high`` = P(>=);
    ranges: ``inside`` = share of draws inside the observed range.
    """
    rows = []
    for t in study.targets:
        d = ppc[ppc["target"] == t.name]
        v = d["value"].dropna().to_numpy()
        q = np.quantile(v, [0.05, 0.5, 0.95]) if len(v) else [np.nan] * 3
        row = {
            "target": t.name,
            "ref": t.ref,
            "observed": t.observed_text,
            "observed_value": t.count / t.total if t.kind == "count" else (t.low + t.high) / 2,
            "sim_lower": q[0],
            "sim_median": q[1],
            "sim_upper": q[2],
            "draws": len(v),
        }
        if t.kind == "count":
            rep = d.loc[d["replicated_count"] >= 0, "replicated_count"].to_numpy()
            row["p_low"] = float(np.mean(rep <= t.count)) if len(rep) else np.nan
            row["p_high"] = float(np.mean(rep >= t.count)) if len(rep) else np.nan
            row["inside"] = np.nan
            row["consistent"] = bool(min(row["p_low"], row["p_high"]) >= PPC_ALPHA / 2)
        else:
            row["p_low"] = row["p_high"] = np.nan
            row["inside"] = float(np.mean((v >= t.low) & (v <= t.high))) if len(v) else np.nan
            row["consistent"] = bool(row["inside"] >= PPC_ALPHA) if len(v) else False
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ figures


def _grid(n: int, cols: int) -> tuple[plt.Figure, np.ndarray]:
    rows = max(1, math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols, 2.0 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    return fig, axes


def plot_marginals(post: Posterior, ident: pd.DataFrame) -> plt.Figure:
    """One weighted histogram per parameter over its whole prior range, most constrained first."""
    names = list(ident["parameter"])
    cols = min(6, max(1, len(names)))
    fig, axes = _grid(len(names), cols)
    for ax, name in zip(axes.flat, names, strict=False):
        p = post.priors[name]
        lo, hi = p.bounds()
        ax.hist(
            post.particles[name], bins=20, range=(lo, hi), weights=post.weights, color="#4c72b0", density=True
        )
        ax.axhline(1.0 / (hi - lo), color="0.4", lw=1, ls="--")
        ratio = float(ident.loc[ident["parameter"] == name, "ratio"].iloc[0])
        ax.set_title(f"{name}\nwidth {ratio:.0%} of prior", fontsize=7)
        ax.set_xlim(lo, hi)
        ax.tick_params(labelsize=6)
        ax.set_yticks([])
    fig.suptitle("Posterior (bars) against the uniform prior (dashed), per parameter", fontsize=10)
    fig.tight_layout()
    return fig


def plot_pairs(post: Posterior, names: Sequence[str]) -> plt.Figure:
    """Weighted pairwise scatter of ``names`` (dot size by weight), marginals on the diagonal."""
    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(1.9 * k + 1, 1.9 * k + 1), squeeze=False)
    size = 200 * post.weights / post.weights.max()
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ax = axes[i, j]
            pa, pb = post.priors[a].bounds(), post.priors[b].bounds()
            if i == j:
                ax.hist(post.particles[a], bins=20, range=pa, weights=post.weights, color="#4c72b0")
                ax.set_yticks([])
            else:
                ax.scatter(post.particles[b], post.particles[a], s=size, alpha=0.35, color="#4c72b0", lw=0)
                ax.set_ylim(*pa)
            ax.set_xlim(*pb)
            ax.tick_params(labelsize=6)
            if i == k - 1:
                ax.set_xlabel(b, fontsize=7)
            if j == 0:
                ax.set_ylabel(a, fontsize=7)
    fig.suptitle("Pairwise posterior of the most constrained parameters", fontsize=10)
    fig.tight_layout()
    return fig


def plot_predictive(study: CalibrationStudy, ppc: pd.DataFrame) -> plt.Figure:
    """Per target: simulated values under the posterior against what the report observed."""
    targets: list[Target] = list(study.targets)
    cols = min(3, len(targets))
    fig, axes = _grid(len(targets), cols)
    for ax, t in zip(axes.flat, targets, strict=False):
        v = ppc.loc[ppc["target"] == t.name, "value"].dropna()
        if t.kind == "count":
            ax.hist(v, bins=np.linspace(0, 1, 21), color="#4c72b0", alpha=0.8, label="simulated share")
            ax.axvline(t.count / t.total, color="#c44e52", lw=2, label=f"observed {t.count} of {t.total}")
            lo, hi = _jeffreys(t.count, t.total)
            ax.axvspan(lo, hi, color="#c44e52", alpha=0.15, label="90% interval of the observed share")
            ax.set_xlim(0, 1)
        else:
            ax.hist(v, bins=20, color="#4c72b0", alpha=0.8, label="simulated")
            ax.axvspan(t.low, t.high, color="#c44e52", alpha=0.2, label=f"reported {t.low:g}-{t.high:g}")
        ax.set_title(f"{t.name} ({t.ref})", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6)
    fig.suptitle(
        "Posterior predictive check: what the calibrated model produces against the reports", fontsize=10
    )
    fig.tight_layout()
    return fig


def _jeffreys(k: int, n: int, level: float = 0.9) -> tuple[float, float]:
    """Jeffreys interval of a binomial share (how little a small count pins down)."""
    from scipy.stats import beta

    a = (1 - level) / 2
    lo = 0.0 if k == 0 else float(beta.ppf(a, k + 0.5, n - k + 0.5))
    hi = 1.0 if k == n else float(beta.ppf(1 - a, k + 0.5, n - k + 0.5))
    return lo, hi


def save(fig: plt.Figure, path: Path) -> Path:
    """Save a figure atomically and close it."""
    from partnersim.io import atomic_write

    out = atomic_write(path, lambda p: fig.savefig(p, dpi=110, format="png"))
    plt.close(fig)
    return out


def weighted_interval(
    values: Sequence[float], weights: Sequence[float], level: float = 0.9
) -> tuple[float, float]:
    """The central weighted interval at ``level``."""
    a = (1 - level) / 2
    lo, hi = weighted_quantile(values, weights, [a, 1 - a])
    return float(lo), float(hi)

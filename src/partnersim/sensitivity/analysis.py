"""Sobol and Morris sampling and analysis on plain arrays (SALib underneath).

Everything here is a small pure function of a :class:`~partnersim.sensitivity.factors.Problem`
and arrays of outputs; nothing runs a model. The outputs of a stochastic
model come as a ``points × replicates`` array per outcome: the indices are
computed on the replicate mean, and :func:`replicate_noise` says how much of
the variance is noise between replicates rather than the factors.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from partnersim.schema import ParameterError
from partnersim.sensitivity.factors import Problem

__all__ = [
    "CI_WIDTH_WARN",
    "MORRIS_CI_RELATIVE",
    "MorrisResult",
    "SobolResult",
    "analyze_morris",
    "analyze_sobol",
    "check_power_of_two",
    "ci_warnings",
    "interaction_share",
    "morris_warnings",
    "rank_factors",
    "replicate_noise",
    "rows_per_base_point",
    "sample_morris",
    "sample_sobol",
    "sobol_indices",
]

#: an interval (upper - lower, i.e. twice SALib's ``*_conf``) wider than this is flagged
CI_WIDTH_WARN = 0.1
#: Morris: warn when an interval of mu* is wider (end to end) than this many times mu* itself;
#: mu* is in outcome units, so the limit is relative (at 1, the interval could hold zero and twice mu*)
MORRIS_CI_RELATIVE = 1.0


def check_power_of_two(n: int, what: str = "N") -> int:
    """Return ``n`` if it is a power of two (at least 2), else raise ParameterError.

    Sobol' sequences keep their balance properties only for powers of two,
    and the convergence check uses N/4 and N/2.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2 or n & (n - 1):
        lower = 1 << max(1, int(n).bit_length() - 1) if isinstance(n, (int, np.integer)) and n > 1 else 2
        raise ParameterError(
            f"Sobol sample size {what} = {n!r} is not allowed: it must be a power of two "
            f"(such as {lower} or {lower * 2}), so that the Sobol' sequence stays balanced",
            what,
            n,
        )
    return int(n)


def rows_per_base_point(num_vars: int, second_order: bool) -> int:
    """Rows of a Saltelli design per base point: D + 2, or 2D + 2 with second order."""
    return 2 * num_vars + 2 if second_order else num_vars + 2


def sample_sobol(problem: Problem, n: int, *, second_order: bool = False, seed: int = 0) -> np.ndarray:
    """The Saltelli design on a scrambled Sobol' sequence (``SALib.sample.sobol``).

    ``n`` base points (a power of two) give ``n * (D + 2)`` rows, or
    ``n * (2D + 2)`` with ``second_order``. Same seed, same design.
    """
    check_power_of_two(n)
    return sobol_sample.sample(problem.salib, n, calc_second_order=second_order, scramble=True, seed=seed)


def sample_morris(problem: Problem, trajectories: int, *, num_levels: int = 4, seed: int = 0) -> np.ndarray:
    """A Morris design of ``trajectories`` trajectories (``SALib.sample.morris``)."""
    if trajectories < 2:
        raise ParameterError(f"Morris needs at least 2 trajectories, got {trajectories}", "trajectories")
    if num_levels < 2 or num_levels % 2:
        raise ParameterError(f"Morris num_levels must be even and at least 2, got {num_levels}", "num_levels")
    return morris_sample.sample(problem.salib, trajectories, num_levels=num_levels, seed=seed)


def _as_matrix(y: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    return y[:, None] if y.ndim == 1 else y


def replicate_noise(y: np.ndarray) -> dict[str, float]:
    """How much of an outcome's variance is replicate noise.

    ``y`` is ``points × replicates``. Returns the variance of single runs
    (``var_runs``), the mean within-point variance (``var_noise``), the
    variance of the replicate means that the analysis uses (``var_means``),
    the share of single-run variance that is noise (``noise_share_runs``)
    and the share of the analysed variance that is noise,
    ``var_noise / R / var_means`` (``noise_share_means``). With one
    replicate the noise cannot be estimated and the shares are NaN.
    """
    y = _as_matrix(y)
    r = y.shape[1]
    var_runs = float(np.var(y, ddof=1)) if y.size > 1 else float("nan")
    var_means = float(np.var(y.mean(axis=1), ddof=1)) if y.shape[0] > 1 else float("nan")
    if r < 2:
        var_noise = share_runs = share_means = float("nan")
    else:
        var_noise = float(np.mean(np.var(y, axis=1, ddof=1)))
        share_runs = var_noise / var_runs if var_runs > 0 else float("nan")
        share_means = min(1.0, var_noise / r / var_means) if var_means > 0 else float("nan")
    return {
        "replicates": r,
        "var_runs": var_runs,
        "var_noise": var_noise,
        "var_means": var_means,
        "noise_share_runs": share_runs,
        "noise_share_means": share_means,
    }


def sobol_indices(
    problem: Problem,
    y: np.ndarray,
    *,
    second_order: bool = False,
    num_resamples: int = 200,
    conf_level: float = 0.95,
    seed: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """S1, ST (and S2) with bootstrap intervals for one output vector.

    Returns ``(indices, s2)``: ``indices`` has one row per factor and index
    (``S1``/``ST``) with ``value``, ``conf`` (SALib's half-width), ``low``
    and ``high``; ``s2`` one row per factor pair (empty without second
    order). A constant output has no variance to share out: every index is
    NaN.
    """
    y = np.asarray(y, dtype=float).ravel()
    names = problem.names
    d = len(names)
    if y.size % rows_per_base_point(d, second_order):
        raise ValueError(
            f"{y.size} outputs do not fit a Saltelli design of {d} factors "
            f"({'with' if second_order else 'without'} second order)"
        )
    constant = not np.all(np.isfinite(y)) or np.ptp(y) == 0
    if constant:
        si: Mapping[str, Any] = {k: np.full(d, np.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")} | {
            "S2": np.full((d, d), np.nan),
            "S2_conf": np.full((d, d), np.nan),
        }
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            si = sobol_analyze.analyze(
                problem.salib,
                y,
                calc_second_order=second_order,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=seed,
            )
    rows = []
    for index in ("S1", "ST"):
        for j, name in enumerate(names):
            v, c = float(si[index][j]), float(si[f"{index}_conf"][j])
            rows.append({"factor": name, "index": index, "value": v, "conf": c, "low": v - c, "high": v + c})
    pairs = []
    if second_order:
        for j in range(d):
            for k in range(j + 1, d):
                v, c = float(si["S2"][j, k]), float(si["S2_conf"][j, k])
                pairs.append(
                    {
                        "factor_a": names[j],
                        "factor_b": names[k],
                        "value": v,
                        "conf": c,
                        "low": v - c,
                        "high": v + c,
                    }
                )
    s2 = pd.DataFrame(pairs, columns=["factor_a", "factor_b", "value", "conf", "low", "high"])
    return pd.DataFrame(rows), s2


def ci_warnings(
    indices: pd.DataFrame, s2: pd.DataFrame | None = None, limit: float = CI_WIDTH_WARN
) -> list[str]:
    """One warning per outcome whose intervals (S1, ST, S2) are wider than ``limit``."""
    frames = [indices.assign(term=indices["factor"] + " " + indices["index"])]
    if s2 is not None and not s2.empty:
        frames.append(s2.assign(term=s2["factor_a"] + " × " + s2["factor_b"] + " S2"))
    both = pd.concat(frames, ignore_index=True)
    both["width"] = both["high"] - both["low"]
    out = []
    for outcome, g in both.groupby("outcome", sort=False):
        wide = g[g["width"] > limit].sort_values("width", ascending=False)
        if len(wide):
            worst = wide.iloc[0]
            out.append(
                f"{outcome}: {len(wide)} of {len(g)} confidence intervals are wider than {limit:g} "
                f"(widest: {worst['term']}, {worst['width']:.3f} wide); increase N or replicates "
                "before reading small differences"
            )
    return out


def morris_warnings(indices: pd.DataFrame, limit: float = MORRIS_CI_RELATIVE) -> list[str]:
    """One warning per outcome whose mu* intervals are wider than ``limit`` times mu* (the same
    warning as :func:`ci_warnings` gives for Sobol indices, relative because mu* has units)."""
    g_all = indices.assign(width=2 * indices["mu_star_conf"])
    out = []
    for outcome, g in g_all.groupby("outcome", sort=False):
        wide = g[g["width"] > limit * g["mu_star"]]
        if len(wide):
            worst = (
                wide.assign(ratio=wide["width"] / wide["mu_star"].where(wide["mu_star"] > 0))
                .sort_values("ratio", ascending=False, na_position="first")
                .iloc[0]
            )
            out.append(
                f"{outcome}: {len(wide)} of {len(g)} intervals of mu* are wider than "
                f"{'' if limit == 1 else f'{limit:g} times '}mu* itself (widest: {worst['factor']}, "
                f"mu* = {worst['mu_star']:.3g} ± {worst['mu_star_conf']:.3g}); increase trajectories or "
                "replicates before ranking these factors"
            )
    return out


@dataclass
class SobolResult:
    """Everything a Sobol study reports, as tables.

    Attributes:
        indices: outcome, factor, index (S1/ST), value, conf, low, high.
        s2: outcome, factor_a, factor_b, value, conf, low, high (empty
            without second order).
        convergence: the indices on the first N/4, N/2 and N base points
            (column ``n``).
        noise: one row per outcome from :func:`replicate_noise`.
        warnings: plain-language warnings (wide intervals, constant outcomes).
    """

    indices: pd.DataFrame
    s2: pd.DataFrame
    convergence: pd.DataFrame
    noise: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def analyze_sobol(
    problem: Problem,
    outputs: Mapping[str, np.ndarray],
    n: int,
    *,
    second_order: bool = False,
    num_resamples: int = 200,
    conf_level: float = 0.95,
    seed: int = 1,
    ci_limit: float = CI_WIDTH_WARN,
) -> SobolResult:
    """Sobol indices, convergence and replicate noise for every outcome.

    ``outputs`` maps outcome name to a ``points × replicates`` array in the
    row order of :func:`sample_sobol` (``n`` base points). The indices use
    the replicate mean; convergence repeats them on the first ``n/4`` and
    ``n/2`` base points (a Saltelli design keeps each base point's rows
    together, so a prefix is itself a valid design).
    """
    check_power_of_two(n)
    rows_per = rows_per_base_point(len(problem.factors), second_order)
    kw = {
        "second_order": second_order,
        "num_resamples": num_resamples,
        "conf_level": conf_level,
        "seed": seed,
    }
    indices, s2s, conv, noise, notes = [], [], [], [], []
    for outcome, y in outputs.items():
        y = _as_matrix(y)
        if y.shape[0] != n * rows_per:
            raise ValueError(f"outcome '{outcome}': {y.shape[0]} points, expected {n} × {rows_per}")
        mean = y.mean(axis=1)
        bad = int(np.sum(~np.isfinite(y)))
        if bad:
            # a Saltelli design has no valid subset to fall back on: say so, don't guess
            notes.append(f"{outcome}: {bad} of {y.size} runs returned no finite value; no indices")
        elif np.ptp(mean) == 0:
            notes.append(f"{outcome}: the output does not vary; no indices")
        idx, s2 = sobol_indices(problem, mean, **kw)
        indices.append(idx.assign(outcome=outcome))
        s2s.append(s2.assign(outcome=outcome))
        for m in sorted({max(1, n // 4), max(1, n // 2), n}):
            if m < 2:
                continue
            part, _ = sobol_indices(problem, mean[: m * rows_per], **kw)
            conv.append(part.assign(outcome=outcome, n=m))
        noise.append({"outcome": outcome, **replicate_noise(y)})
    order = ["outcome", "factor", "index", "value", "conf", "low", "high"]
    out_idx = pd.concat(indices, ignore_index=True)[order]
    out_s2 = pd.concat(s2s, ignore_index=True)[
        ["outcome", "factor_a", "factor_b", "value", "conf", "low", "high"]
    ]
    out_conv = pd.concat(conv, ignore_index=True)[["outcome", "n", *order[1:]]]
    notes += ci_warnings(out_idx, out_s2 if second_order else None, ci_limit)
    return SobolResult(out_idx, out_s2, out_conv, pd.DataFrame(noise), notes)


@dataclass
class MorrisResult:
    """Morris screening results: outcome, factor, mu, mu_star, mu_star_conf, sigma."""

    indices: pd.DataFrame
    noise: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def analyze_morris(
    problem: Problem,
    X: np.ndarray,
    outputs: Mapping[str, np.ndarray],
    *,
    num_levels: int = 4,
    num_resamples: int = 200,
    conf_level: float = 0.95,
    seed: int = 1,
    ci_limit: float = MORRIS_CI_RELATIVE,
) -> MorrisResult:
    """mu*, sigma (and mu) per factor and outcome from a Morris design ``X``.

    Elementary effects are in outcome units per unit of the factor's
    normalised range (SALib's unscaled effects), so mu* is comparable
    across factors of one outcome.
    """
    rows, noise, notes = [], [], []
    for outcome, y in outputs.items():
        y = _as_matrix(y)
        mean = y.mean(axis=1)
        noise.append({"outcome": outcome, **replicate_noise(y)})
        if np.ptp(mean) == 0:
            notes.append(f"{outcome}: the output does not vary; every elementary effect is 0")
        si = morris_analyze.analyze(
            problem.salib,
            np.asarray(X, dtype=float),
            mean,
            num_resamples=num_resamples,
            conf_level=conf_level,
            num_levels=num_levels,
            seed=seed,
        )
        for j, name in enumerate(problem.names):
            rows.append(
                {
                    "outcome": outcome,
                    "factor": name,
                    "mu": float(si["mu"][j]),
                    "mu_star": float(si["mu_star"][j]),
                    "mu_star_conf": float(si["mu_star_conf"][j]),
                    "sigma": float(si["sigma"][j]),
                }
            )
    indices = pd.DataFrame(rows)
    return MorrisResult(indices, pd.DataFrame(noise), notes + morris_warnings(indices, ci_limit))


def interaction_share(indices: pd.DataFrame) -> pd.DataFrame:
    """Per outcome, ``sum_S1`` and ``1 - sum_S1``: the share of variance no factor explains alone.

    For independent factors the first-order indices sum to at most 1; the
    rest is interactions (plus, for a stochastic model, replicate noise).
    """
    s1 = indices[indices["index"] == "S1"].groupby("outcome", sort=False)["value"].sum(min_count=1)
    return pd.DataFrame({"outcome": s1.index, "sum_S1": s1.to_numpy(), "interactions": 1 - s1.to_numpy()})


def rank_factors(indices: pd.DataFrame, outcome: str, index: str = "ST") -> Sequence[str]:
    """Factors of one outcome, largest index first."""
    g = indices[(indices["outcome"] == outcome) & (indices["index"] == index)]
    return list(g.sort_values("value", ascending=False)["factor"])

"""Survival analysis of partnerships, pooled across replicates, one group per policy.

Input is a *pooled partnership table*: the rows of
:meth:`PartnershipModel.partnership_table` from many runs, with a ``policy``
column and a ``run`` column (any run key). Partnerships still alive at the
horizon are right-censored at their lifetime, never counted as dead or as
living for ever (lifelines' habit).

Every function returns a plain DataFrame. Intervals are pointwise 95%
intervals: lifelines' exponential Greenwood intervals for survival and for
the median, Wilson score intervals for monthly hazards and legacy rates.
Those treat partnerships as independent, but partnerships in one run share
its shocks; :func:`replicate_bootstrap` resamples whole replicates instead,
and, since every policy runs on the same replicates, gives paired intervals
for each policy's difference from the baseline (:func:`grant_end_hazard`
and :func:`legacy_rates` can add whole-run intervals too, and
:func:`wider_interval` picks the one to headline). For the same reason the
test against the baseline, :func:`logrank_vs_baseline`, permutes policy
labels within replicates rather than trusting the textbook log-rank p-value.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

__all__ = [
    "ALPHA",
    "CROSS_TOLERANCE",
    "LEGACY_STATUSES",
    "N_PERMUTATIONS",
    "curve_crossings",
    "fit_km",
    "grant_end_hazard",
    "km_curves",
    "legacy_rates",
    "legacy_status",
    "logrank_vs_baseline",
    "permutation_signs",
    "replicate_bootstrap",
    "replicate_weights",
    "snap_zero",
    "survival_summary",
    "wider_interval",
    "wilson_interval",
    "yearly_table",
]

#: 1 - confidence level of every interval
ALPHA = 0.05

#: random label swaps of the permutation log-rank test. 2,000 make the smallest
#: p-value 1/2001 (about 0.0005, 0.004 after Holm's adjustment for eight
#: comparisons), well below 0.05, and the Monte Carlo error of a p-value near
#: 0.05 about 0.005; each comparison takes a few milliseconds.
N_PERMUTATIONS = 2000

#: two survival curves "cross" only when each is ahead of the other by at least this much (half a
#: percentage point, ten of 2,000 partnerships) somewhere: smaller wiggles of two nearly equal curves are
#: noise, not a crossing
CROSS_TOLERANCE = 0.005

#: differences closer to zero than this are zero (sums of floats leave 1e-16 where there is nothing)
ZERO_TOLERANCE = 1e-9

# entropy that sets the permutations' random stream apart from the study seed's other streams
_PERMUTATION_STREAM = 0x5045524D  # "PERM"


def snap_zero(x):
    """``x`` with values within :data:`ZERO_TOLERANCE` of zero set to exactly zero.

    A bootstrap difference of two equal survival estimates can come out as
    1.1e-16 rather than 0; an interval bound of 1.1e-16 is not "above zero".
    """
    a = np.asarray(x, dtype=float)
    out = np.where(np.abs(a) < ZERO_TOLERANCE, 0.0, a)
    return float(out) if out.ndim == 0 else out


def curve_crossings(
    curves: pd.DataFrame, policy: str, baseline: str, tolerance: float = CROSS_TOLERANCE
) -> list[tuple[int, int]]:
    """Where a policy's survival curve crosses the baseline's.

    The sign of ``S_policy(t) - S_baseline(t)`` is followed over the months
    where the two differ by at least ``tolerance``; a crossing is a month at
    which that sign changes.

    Returns:
        ``(month, sign after)`` for each crossing (+1: the policy is ahead
        from then on), in order; empty when the curves do not cross.
    """
    a = curves[curves["policy"] == policy].set_index("month")["survival"]
    b = curves[curves["policy"] == baseline].set_index("month")["survival"]
    months = a.index.intersection(b.index).sort_values()
    d = (a.loc[months] - b.loc[months]).to_numpy()
    sign = np.where(d >= tolerance, 1, np.where(d <= -tolerance, -1, 0))
    out: list[tuple[int, int]] = []
    last = 0
    for m, s in zip(months, sign, strict=True):
        if s == 0:
            continue
        if last and s != last:
            out.append((int(m), int(s)))
        last = s
    return out


def yearly_table(curves: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Share still working and partnerships at risk at the end of each year of follow-up.

    Returns:
        Long table: ``policy, year, month, survival, lower, upper, at_risk``
        (survival NaN beyond the longest follow-up).
    """
    rows = []
    for name, c in curves.groupby("policy", sort=False):
        c = c.set_index("month")
        ended = len(c) and float(c["survival"].iloc[-1]) == 0.0  # all dissolved: 0 from then on
        for year in range(1, horizon // 12 + 1):
            m = 12 * year
            if m not in c.index and ended:
                rows.append({"policy": name, "year": year, "month": m, "survival": 0.0, "lower": 0.0,
                             "upper": 0.0, "at_risk": 0})  # fmt: skip
            elif m in c.index:
                r = c.loc[m]
                rows.append(
                    {
                        "policy": name,
                        "year": year,
                        "month": m,
                        "survival": r["survival"],
                        "lower": r["lower"],
                        "upper": r["upper"],
                        "at_risk": int(r["at_risk"]),
                    }
                )
            else:
                rows.append(
                    {
                        "policy": name,
                        "year": year,
                        "month": m,
                        "survival": np.nan,
                        "lower": np.nan,
                        "upper": np.nan,
                        "at_risk": 0,
                    }
                )
    return pd.DataFrame(rows)


def _groups(table: pd.DataFrame, order: Sequence[str] | None) -> list[tuple[str, pd.DataFrame]]:
    names = list(order) if order is not None else list(dict.fromkeys(table["policy"]))
    return [(name, table[table["policy"] == name]) for name in names]


def fit_km(lifetime: Iterable[float], censored: Iterable[bool], label: str = "survival") -> KaplanMeierFitter:
    """Kaplan-Meier fit on a monthly timeline from 0 to the longest lifetime.

    Args:
        lifetime: months from founding to dissolution or to the horizon.
        censored: True where the partnership was still alive at the horizon.
        label: the name of the estimate column.
    """
    durations = np.asarray(list(lifetime), dtype=float)
    observed = ~np.asarray(list(censored), dtype=bool)
    top = int(np.ceil(durations.max())) if durations.size else 0
    return KaplanMeierFitter(alpha=ALPHA).fit(
        durations, observed, timeline=np.arange(0, top + 1), label=label
    )


def km_curves(table: pd.DataFrame, order: Sequence[str] | None = None) -> pd.DataFrame:
    """Kaplan-Meier curves with pointwise intervals, one per policy.

    Returns:
        Long table: ``policy, month, survival, lower, upper, at_risk``.
    """
    frames = []
    for name, g in _groups(table, order):
        if g.empty:
            continue
        km = fit_km(g["lifetime"], g["censored"])
        ci = km.confidence_interval_
        months = km.survival_function_.index.to_numpy()
        at_risk = (g["lifetime"].to_numpy()[None, :] >= months[:, None]).sum(axis=1)
        frames.append(
            pd.DataFrame(
                {
                    "policy": name,
                    "month": months.astype(int),
                    "survival": km.survival_function_.iloc[:, 0].to_numpy(),
                    "lower": ci.iloc[:, 0].to_numpy(),
                    "upper": ci.iloc[:, 1].to_numpy(),
                    "at_risk": at_risk,
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def survival_summary(
    table: pd.DataFrame, times: Sequence[int] = (12, 36, 60), order: Sequence[str] | None = None
) -> pd.DataFrame:
    """Per policy: counts, median survival with its interval, and survival at ``times``.

    A median (or a bound) that the curve never reaches is ``inf`` ("not
    reached" in the report). Survival at a month beyond the longest
    follow-up is NaN, never extrapolated, unless every partnership had
    dissolved by then (it is 0).

    Returns:
        One row per policy: ``policy, runs, partnerships, dissolved,
        censored, median, median_lower, median_upper`` and
        ``s{t}, s{t}_lower, s{t}_upper`` for each ``t``.
    """
    rows = []
    for name, g in _groups(table, order):
        row: dict[str, float | int | str] = {
            "policy": name,
            "runs": int(g["run"].nunique()) if "run" in g else 0,
            "partnerships": len(g),
            "dissolved": int((~g["censored"].astype(bool)).sum()),
            "censored": int(g["censored"].astype(bool).sum()),
        }
        if g.empty:
            rows.append(row)
            continue
        km = fit_km(g["lifetime"], g["censored"])
        # the median of the bound curves bounds the median (lifelines' documented recipe)
        med_ci = median_survival_times(km.confidence_interval_)
        row["median"] = float(km.median_survival_time_)
        row["median_lower"] = float(med_ci.iloc[0, 0])
        row["median_upper"] = float(med_ci.iloc[0, 1])
        top = km.survival_function_.index.max()
        # once every partnership has dissolved the curve is 0 for good; only censoring leaves it unknown
        ended = float(km.survival_function_.iloc[-1, 0]) == 0.0
        for t in times:
            if t > top:
                value = 0.0 if ended else float("nan")
                row[f"s{t}"] = row[f"s{t}_lower"] = row[f"s{t}_upper"] = value
                continue
            row[f"s{t}"] = float(km.survival_function_at_times(t).iloc[0])
            row[f"s{t}_lower"] = float(km.confidence_interval_.loc[t].iloc[0])
            row[f"s{t}_upper"] = float(km.confidence_interval_.loc[t].iloc[1])
        rows.append(row)
    return pd.DataFrame(rows)


def _month_counts(table: pd.DataFrame, key: str, reps: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """Per replicate (rows) and month 0..``top`` (columns): partnerships at risk and dissolutions.

    At risk in month ``t``: lifetime >= t (a partnership censored at ``t``
    is still at risk then, as in lifelines); a dissolution in ``t``: lifetime
    == t and not censored.
    """
    rows = pd.Index(reps).get_indexer(table[key])
    life = np.clip(table["lifetime"].to_numpy(dtype=float).round().astype(int), 0, top)
    died = ~table["censored"].astype(bool).to_numpy()
    at_risk = np.zeros((len(reps), top + 1))
    deaths = np.zeros((len(reps), top + 1))
    # at risk from month 0 to the lifetime: +1 at 0, -1 after the lifetime, then a running sum
    starts = np.zeros((len(reps), top + 2))
    np.add.at(starts, (rows, 0), 1.0)
    np.add.at(starts, (rows, life + 1), -1.0)
    at_risk[:] = np.cumsum(starts, axis=1)[:, : top + 1]
    np.add.at(deaths, (rows[died], life[died]), 1.0)
    return at_risk, deaths


def _logrank_z(n_a: np.ndarray, d_a: np.ndarray, n: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Log-rank Z of group A against the rest, over the last axis (months).

    ``n_a``, ``d_a``: at risk and dissolutions in group A (any leading
    axes, e.g. one row per permutation); ``n``, ``d``: both groups together.
    Z = (observed - expected dissolutions in A) / sqrt(hypergeometric
    variance); Z**2 is lifelines' ``logrank_test`` statistic.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n > 0, d / np.where(n > 0, n, 1.0), 0.0)
        spread = np.where(n > 1, d * (n - d) / np.where(n > 1, n * n * (n - 1), 1.0), 0.0)
    excess = (d_a - n_a * share).sum(axis=-1)
    var = (n_a * (n - n_a) * spread).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(var > 0, excess / np.sqrt(np.where(var > 0, var, 1.0)), 0.0)


def permutation_signs(n_reps: int, n_perm: int = N_PERMUTATIONS, seed: int = 0) -> tuple[np.ndarray, bool]:
    """Label-swap patterns over replicates: +1 keeps a replicate's labels, -1 swaps them.

    When the ``2**n_reps`` patterns are no more than ``n_perm`` every one is
    listed (an exact test; ``True`` is returned with them); otherwise
    ``n_perm`` patterns are drawn at random, each replicate swapped with
    probability 1/2, from a generator seeded by ``seed`` on a stream of its
    own (apart from the replicates' and the bootstrap's).
    """
    if n_reps <= 20 and 2**n_reps <= n_perm:
        patterns = (np.arange(2**n_reps)[:, None] >> np.arange(n_reps)[None, :]) & 1
        return 1.0 - 2.0 * patterns, True
    rng = np.random.default_rng(np.random.SeedSequence([seed, _PERMUTATION_STREAM]))
    return rng.choice(np.array([-1.0, 1.0]), size=(n_perm, n_reps)), False


def logrank_vs_baseline(
    table: pd.DataFrame,
    baseline: str,
    order: Sequence[str] | None = None,
    n_perm: int = N_PERMUTATIONS,
    seed: int = 0,
) -> pd.DataFrame:
    """Each policy against the baseline: a permutation test of the log-rank statistic within replicates.

    The design pairs runs: replicate ``r`` has the same seed and draws under
    every policy, and partnerships of one run share its shocks, so
    partnerships are not independent and the textbook log-rank p-value
    (chi-square with one degree of freedom) is too small. Here the unit is
    the replicate: if the policy made no difference, the policy's run and the
    baseline's run of a replicate would be exchangeable, so each permutation
    swaps their labels with probability 1/2, independently across replicates,
    and recomputes the log-rank Z statistic (dissolution = event, censored at
    the horizon). The p-value is ``(1 + #{|Z_perm| >= |Z_obs|}) / (1 +
    n_perm)``, two-sided; with few replicates every swap pattern is listed
    and the p-value is exact.

    It is fast because the swaps act on monthly counts: per replicate, the
    partnerships at risk and the dissolutions in each month; a swap flips the
    sign of the replicate's (policy - baseline) difference, so the policy's
    counts under every permutation are one matrix product (permutations x
    replicates signs times replicates x months differences). Every
    comparison uses the same swap patterns (seeded by ``seed``), so results
    are reproducible and do not depend on the order of the policies.

    Args:
        table: pooled partnership table with a ``replicate`` column (shared
            across policies; ``run`` is used when there is none).
        baseline: the policy every other is tested against.
        n_perm: random permutations (ignored when the test is exact).
        seed: seed of the permutations (the study's seed).

    Returns:
        One row per policy other than the baseline: ``policy, z, p_value,
        p_floor`` (the smallest p-value the test can give), ``permutations``,
        ``exact``, ``replicates`` and ``p_independent``, the textbook
        log-rank p-value that treats partnerships as independent, for
        reference only.
    """
    from scipy.stats import norm

    key = _replicate_key(table)
    reps = np.sort(table[key].unique())
    top = int(np.ceil(table["lifetime"].max())) if len(table) else 0
    signs, exact = permutation_signs(len(reps), n_perm, seed)
    n_b, d_b = _month_counts(table[table["policy"] == baseline], key, reps, top)
    cols = ["policy", "z", "p_value", "p_floor", "permutations", "exact", "replicates", "p_independent"]
    rows = []
    for name, g in _groups(table, order):
        if name == baseline:
            continue
        n_a, d_a = _month_counts(g, key, reps, top)
        n, d = (n_a + n_b).sum(axis=0), (d_a + d_b).sum(axis=0)
        z_obs = float(_logrank_z(n_a.sum(axis=0), d_a.sum(axis=0), n, d))
        # policy's counts when the replicates with sign -1 swap labels: mean + sign * half-difference
        n_perm_a = (n_a + n_b).sum(axis=0) / 2 + signs @ ((n_a - n_b) / 2)
        d_perm_a = (d_a + d_b).sum(axis=0) / 2 + signs @ ((d_a - d_b) / 2)
        z_perm = _logrank_z(n_perm_a, d_perm_a, n, d)
        # a tolerance so that rounding cannot drop a permutation as extreme as the data
        extreme = int((np.abs(z_perm) >= abs(z_obs) - 1e-9 * max(1.0, abs(z_obs))).sum())
        if exact:
            p, floor = extreme / len(signs), 2 / len(signs)
        else:
            p, floor = (1 + extreme) / (1 + len(signs)), 1 / (1 + len(signs))
        rows.append(
            {
                "policy": name,
                "z": z_obs,
                "p_value": p,
                "p_floor": floor,
                "permutations": len(signs),
                "exact": exact,
                "replicates": len(reps),
                "p_independent": float(2 * norm.sf(abs(z_obs))),
            }
        )
    return pd.DataFrame(rows, columns=cols)


def wilson_interval(successes: np.ndarray | int, trials: np.ndarray | int, alpha: float = ALPHA) -> tuple:
    """Wilson score interval for a proportion (NaN where there are no trials)."""
    from scipy.stats import norm

    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = norm.ppf(1 - alpha / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        lower, upper = centre - half, centre + half
    return np.clip(lower, 0, 1), np.clip(upper, 0, 1)


def _replicate_key(table: pd.DataFrame) -> str:
    return "replicate" if "replicate" in table else "run"


def replicate_weights(n_reps: int, n_boot: int, seed: int = 0) -> np.ndarray:
    """Bootstrap weights over replicates: row ``b`` counts how often each replicate is drawn in sample ``b``.

    Every bootstrap in this module draws from the same seed, so with the same
    ``seed`` they resample the same replicates.
    """
    rng = np.random.default_rng(seed)
    return rng.multinomial(n_reps, np.full(n_reps, 1.0 / n_reps), size=n_boot).astype(float)


def _ratio_interval(successes: np.ndarray, trials: np.ndarray, weights: np.ndarray) -> tuple:
    """95% percentile interval of sum(successes) / sum(trials) over resampled replicates.

    ``successes`` and ``trials``: one row per replicate (any trailing axes);
    a resample with no trials is left out.
    """
    k, n = weights @ successes, weights @ trials
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(n > 0, k / np.where(n > 0, n, 1.0), np.nan)
    if not np.isfinite(ratio).any():
        nan = np.full(ratio.shape[1:], np.nan)
        return nan, nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a column with no trials in any resample stays NaN
        return np.nanquantile(ratio, ALPHA / 2, axis=0), np.nanquantile(ratio, 1 - ALPHA / 2, axis=0)


def wider_interval(lower, upper, boot_lower, boot_upper) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The interval to headline: the whole-run bootstrap one where it is wider, else the pooled one.

    Pooled intervals (Greenwood, Wilson) treat partnerships as independent;
    when partnerships of a run move together the bootstrap over whole runs is
    wider and the more honest of the two.

    Returns:
        ``lower, upper`` and a boolean array, True where the bootstrap interval was used.
    """
    lo, hi = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    blo, bhi = np.asarray(boot_lower, dtype=float), np.asarray(boot_upper, dtype=float)
    with np.errstate(invalid="ignore"):
        use = np.isfinite(blo) & np.isfinite(bhi) & ~((bhi - blo) <= (hi - lo))
    return np.where(use, blo, lo), np.where(use, bhi, hi), use


def grant_end_hazard(
    table: pd.DataFrame,
    funding_length: Mapping[str, int],
    horizon: int,
    window: tuple[int, int] = (-12, 24),
    order: Sequence[str] | None = None,
    n_boot: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """Monthly hazard of dissolution, aligned to the month the first grant ends.

    A partnership founded at month ``s`` has its first grant end at
    ``s + funding_length``. Month ``m`` of the run is month ``m - (s +
    funding_length)`` relative to that end (0 = the month it ends). A
    partnership is at risk in month ``m`` if it was alive at the end of
    month ``m - 1`` and ``m`` is within the run; the hazard is dissolutions
    over partnerships at risk, with a Wilson interval.

    Args:
        table: the pooled partnership table.
        funding_length: grant length of each policy, in months.
        horizon: the last month of every run.
        window: first and last relative month to report.
        n_boot: with more than 0, also a 95% interval from resampling whole
            replicates (``replicate`` column, else ``run``), and the wider of
            the two intervals.
        seed: seed of the resampling.

    Returns:
        Long table: ``policy, months_from_grant_end, at_risk, dissolved,
        hazard, lower, upper`` and, with ``n_boot``, ``boot_lower,
        boot_upper, ci_lower, ci_upper``.
    """
    rel = np.arange(window[0], window[1] + 1)
    key = _replicate_key(table)
    reps = np.sort(table[key].unique()) if len(table) else np.array([])
    weights = replicate_weights(len(reps), n_boot, seed) if n_boot > 0 and len(reps) else None
    frames = []
    for name, g in _groups(table, order):
        start = g["started_at"].to_numpy(dtype=float)
        end = start + g["lifetime"].to_numpy(dtype=float)
        died = ~g["censored"].astype(bool).to_numpy()
        grant_end = start + funding_length[name]
        month = grant_end[:, None] + rel[None, :]  # absolute month of each relative month
        at_risk = (month > start[:, None]) & (month <= end[:, None]) & (month <= horizon)
        event = at_risk & died[:, None] & (month == end[:, None])
        n = at_risk.sum(axis=0)
        k = event.sum(axis=0)
        lower, upper = wilson_interval(k, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            hazard = np.where(n > 0, k / np.maximum(n, 1), np.nan)
        frame = pd.DataFrame(
            {
                "policy": name,
                "months_from_grant_end": rel,
                "at_risk": n,
                "dissolved": k,
                "hazard": hazard,
                "lower": np.where(n > 0, lower, np.nan),
                "upper": np.where(n > 0, upper, np.nan),
            }
        )
        if weights is not None:
            rows = pd.Index(reps).get_indexer(g[key])
            n_rep = np.zeros((len(reps), len(rel)))
            k_rep = np.zeros((len(reps), len(rel)))
            np.add.at(n_rep, rows, at_risk)
            np.add.at(k_rep, rows, event)
            blo, bhi = _ratio_interval(k_rep, n_rep, weights)
            frame["boot_lower"], frame["boot_upper"] = blo, bhi
            lo, hi, _ = wider_interval(frame["lower"], frame["upper"], blo, bhi)
            frame["ci_lower"], frame["ci_upper"] = lo, hi
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


#: what became of a partnership, for legacy (see :func:`legacy_status`)
LEGACY_STATUSES: dict[str, str] = {
    "legacy": "kept working at least L months after its funding ended",
    "stopped": "funding ended, then dissolved within L months",
    "not_yet_judged": "funding ended less than L months before the end of the run, still working",
    "dissolved_funded": "dissolved before its funding ended",
    "still_funded": "funding had not ended by the end of the run",
}


def legacy_status(table: pd.DataFrame, horizon: int, legacy_months: int) -> np.ndarray:
    """Each partnership's legacy status, one of :data:`LEGACY_STATUSES`.

    Only the first two can be judged: a partnership whose funding ended (without
    renewal) either dissolved (legacy if that was at least ``legacy_months``
    later) or was still working ``legacy_months`` after the end. One still
    working that ended less than ``legacy_months`` before the horizon cannot be
    judged yet; nor can one whose funding never ended.
    """
    ended_at = pd.to_numeric(table["funding_ended_at"], errors="coerce").to_numpy(dtype=float)
    ended = np.isfinite(ended_at)
    alive = table["censored"].astype(bool).to_numpy()
    dissolved_at = table["started_at"].to_numpy(dtype=float) + table["lifetime"].to_numpy(dtype=float)
    end = np.where(alive, horizon, dissolved_at)
    with np.errstate(invalid="ignore"):
        kept = ended & (end - ended_at >= legacy_months)
    return np.select(
        [kept, ended & ~alive, ended & alive, ~ended & ~alive],
        ["legacy", "stopped", "not_yet_judged", "dissolved_funded"],
        default="still_funded",
    )


def legacy_rates(
    table: pd.DataFrame,
    horizon: int,
    legacy_months: int,
    order: Sequence[str] | None = None,
    n_boot: int = 0,
    seed: int = 0,
) -> pd.DataFrame:
    """Legacy: partnerships that kept working ``legacy_months`` after their funding ended.

    The legacy rate is a share of the partnerships that can be judged (see
    :func:`legacy_status`): those whose funding ended at least
    ``legacy_months`` before the end of the run, or that dissolved within
    ``legacy_months`` of its end. Partnerships still funded at the horizon,
    or whose funding ended too recently, are not counted as failures.

    - ``legacy``: legacy / judged, with a Wilson interval and, with
      ``n_boot``, one from resampling whole replicates (``legacy_boot_*``);
    - ``legacy_all``: legacy / all partnerships (the model's
      ``legacy_rate``), with a Wilson interval; it mixes "no legacy" with
      "not judged yet" and is kept for reference only.

    Returns:
        One row per policy: ``policy, partnerships, judged, legacy_count,
        legacy, legacy_lower, legacy_upper, [legacy_boot_lower,
        legacy_boot_upper,] legacy_all, legacy_all_lower, legacy_all_upper``
        and the count of each status as ``n_<status>``.
    """
    key = _replicate_key(table)
    reps = np.sort(table[key].unique()) if len(table) else np.array([])
    weights = replicate_weights(len(reps), n_boot, seed) if n_boot > 0 and len(reps) else None
    rows = []
    for name, g in _groups(table, order):
        status = legacy_status(g, horizon, legacy_months)
        legacy = status == "legacy"
        judged = legacy | (status == "stopped")
        n, nj, k = len(g), int(judged.sum()), int(legacy.sum())
        lo, hi = wilson_interval(k, nj)
        lo_all, hi_all = wilson_interval(k, n)
        row = {
            "policy": name,
            "partnerships": n,
            "judged": nj,
            "legacy_count": k,
            "legacy": k / nj if nj else float("nan"),
            "legacy_lower": float(lo) if nj else float("nan"),
            "legacy_upper": float(hi) if nj else float("nan"),
        }
        if weights is not None:
            at = pd.Index(reps).get_indexer(g[key])
            k_rep, n_rep = np.zeros(len(reps)), np.zeros(len(reps))
            np.add.at(k_rep, at, legacy)
            np.add.at(n_rep, at, judged)
            blo, bhi = _ratio_interval(k_rep, n_rep, weights)
            row["legacy_boot_lower"], row["legacy_boot_upper"] = float(blo), float(bhi)
        row |= {
            "legacy_all": k / n if n else float("nan"),
            "legacy_all_lower": float(lo_all) if n else float("nan"),
            "legacy_all_upper": float(hi_all) if n else float("nan"),
        }
        row |= {f"n_{s}": int((status == s).sum()) for s in LEGACY_STATUSES}
        rows.append(row)
    return pd.DataFrame(rows)


def _km_at(deaths: np.ndarray, at_risk: np.ndarray) -> np.ndarray:
    """Kaplan-Meier survival at the last month of the grid, from (weighted) death and at-risk counts."""
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(at_risk > 0, 1.0 - deaths / np.where(at_risk > 0, at_risk, 1.0), 1.0)
    return factor.prod(axis=-1)


def replicate_bootstrap(
    table: pd.DataFrame,
    baseline: str,
    month: int,
    n_boot: int = 1000,
    seed: int = 0,
    order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Survival at ``month`` and its difference from the baseline, resampling whole replicates.

    Each bootstrap sample draws replicates with replacement and keeps every
    partnership of the drawn replicates under *every* policy, so the shared
    shocks of a run stay together and the comparison with the baseline stays
    paired (common random numbers). Intervals are 95% percentile intervals.

    Args:
        table: pooled partnership table with a ``replicate`` column (shared
            across policies; ``run`` is used when there is none).
        baseline: the policy differences are taken from.
        month: the month of survival (NaN beyond the longest follow-up).
        n_boot: bootstrap samples.
        seed: seed of the resampling.

    Returns:
        One row per policy: ``policy, replicates, s, s_boot_lower,
        s_boot_upper, diff, diff_lower, diff_upper`` (the ``diff`` columns
        are 0 for the baseline).
    """
    key = _replicate_key(table)
    reps = np.sort(table[key].unique())
    index = {r: i for i, r in enumerate(reps)}
    months = np.arange(1, month + 1)
    groups = _groups(table, order)
    counts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    too_short = table["lifetime"].max() < month if len(table) else True
    for name, g in groups:
        rows = g[key].map(index).to_numpy()
        life = g["lifetime"].to_numpy(dtype=float)
        died = ~g["censored"].astype(bool).to_numpy()
        deaths = np.zeros((len(reps), month))
        at_risk = np.zeros((len(reps), month))
        # per replicate: deaths in month u, and partnerships still going at the start of u
        np.add.at(
            deaths, (rows, np.clip(life.astype(int) - 1, 0, month - 1)), died & (life >= 1) & (life <= month)
        )
        np.add.at(at_risk, rows, life[:, None] >= months[None, :])
        counts[name] = (deaths, at_risk)
    weights = replicate_weights(len(reps), n_boot, seed)
    boot = {name: _km_at(weights @ d, weights @ n) for name, (d, n) in counts.items()}
    point = {name: float(_km_at(d.sum(axis=0), n.sum(axis=0))) for name, (d, n) in counts.items()}
    rows_out = []
    for name, _ in groups:
        if too_short or name not in counts:
            rows_out.append({"policy": name, "replicates": len(reps)})
            continue
        diff = boot[name] - boot[baseline]
        rows_out.append(
            {
                "policy": name,
                "replicates": len(reps),
                "s": point[name],
                "s_boot_lower": float(np.quantile(boot[name], ALPHA / 2)),
                "s_boot_upper": float(np.quantile(boot[name], 1 - ALPHA / 2)),
                "diff": snap_zero(point[name] - point[baseline]),
                "diff_lower": snap_zero(np.quantile(diff, ALPHA / 2)),
                "diff_upper": snap_zero(np.quantile(diff, 1 - ALPHA / 2)),
            }
        )
    cols = ["policy", "replicates", "s", "s_boot_lower", "s_boot_upper", "diff", "diff_lower", "diff_upper"]
    return pd.DataFrame(rows_out).reindex(columns=cols)

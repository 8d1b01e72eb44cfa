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
for each policy's difference from the baseline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from lifelines.utils import median_survival_times

__all__ = [
    "ALPHA",
    "fit_km",
    "grant_end_hazard",
    "km_curves",
    "legacy_rates",
    "logrank_vs_baseline",
    "replicate_bootstrap",
    "survival_summary",
    "wilson_interval",
]

#: 1 - confidence level of every interval
ALPHA = 0.05


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
    follow-up is NaN, never extrapolated.

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
        for t in times:
            if t > top:
                row[f"s{t}"] = row[f"s{t}_lower"] = row[f"s{t}_upper"] = float("nan")
                continue
            row[f"s{t}"] = float(km.survival_function_at_times(t).iloc[0])
            row[f"s{t}_lower"] = float(km.confidence_interval_.loc[t].iloc[0])
            row[f"s{t}_upper"] = float(km.confidence_interval_.loc[t].iloc[1])
        rows.append(row)
    return pd.DataFrame(rows)


def logrank_vs_baseline(
    table: pd.DataFrame, baseline: str, order: Sequence[str] | None = None
) -> pd.DataFrame:
    """Log-rank test of each policy's survival against the baseline's.

    Returns:
        One row per policy other than the baseline: ``policy,
        test_statistic, p_value``.
    """
    base = table[table["policy"] == baseline]
    rows = []
    for name, g in _groups(table, order):
        if name == baseline:
            continue
        res = logrank_test(
            g["lifetime"],
            base["lifetime"],
            event_observed_A=~g["censored"].astype(bool),
            event_observed_B=~base["censored"].astype(bool),
        )
        rows.append(
            {"policy": name, "test_statistic": float(res.test_statistic), "p_value": float(res.p_value)}
        )
    return pd.DataFrame(rows, columns=["policy", "test_statistic", "p_value"])


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


def grant_end_hazard(
    table: pd.DataFrame,
    funding_length: Mapping[str, int],
    horizon: int,
    window: tuple[int, int] = (-12, 24),
    order: Sequence[str] | None = None,
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

    Returns:
        Long table: ``policy, months_from_grant_end, at_risk, dissolved,
        hazard, lower, upper``.
    """
    rel = np.arange(window[0], window[1] + 1)
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
        frames.append(
            pd.DataFrame(
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
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def legacy_rates(
    table: pd.DataFrame, horizon: int, legacy_months: int, order: Sequence[str] | None = None
) -> pd.DataFrame:
    """Legacy: partnerships that kept working ``legacy_months`` after their funding ended.

    Two rates per policy, each with a Wilson interval:

    - ``legacy``: of all partnerships (the model's ``legacy_rate``);
    - ``legacy_if_ended``: of those whose grant ended without renewal early
      enough to be followed for ``legacy_months`` before the horizon (the
      rest cannot yet be judged).

    Returns:
        One row per policy: ``policy, partnerships, legacy_count, legacy,
        legacy_lower, legacy_upper, grant_ended, legacy_if_ended,
        legacy_if_ended_lower, legacy_if_ended_upper``.
    """
    rows = []
    for name, g in _groups(table, order):
        legacy = g["survived_funding_end"].fillna(False).astype(bool).to_numpy()
        ended_at = pd.to_numeric(g["funding_ended_at"], errors="coerce").to_numpy(dtype=float)
        judged = np.isfinite(ended_at) & (ended_at <= horizon - legacy_months)
        n, k = len(g), int(legacy.sum())
        nj, kj = int(judged.sum()), int((legacy & judged).sum())
        lo, hi = wilson_interval(k, n)
        loj, hij = wilson_interval(kj, nj)
        rows.append(
            {
                "policy": name,
                "partnerships": n,
                "legacy_count": k,
                "legacy": k / n if n else float("nan"),
                "legacy_lower": float(lo),
                "legacy_upper": float(hi),
                "grant_ended": nj,
                "legacy_if_ended": kj / nj if nj else float("nan"),
                "legacy_if_ended_lower": float(loj) if nj else float("nan"),
                "legacy_if_ended_upper": float(hij) if nj else float("nan"),
            }
        )
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
    key = "replicate" if "replicate" in table else "run"
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
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(len(reps), np.full(len(reps), 1.0 / len(reps)), size=n_boot).astype(float)
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
                "diff": point[name] - point[baseline],
                "diff_lower": float(np.quantile(diff, ALPHA / 2)),
                "diff_upper": float(np.quantile(diff, 1 - ALPHA / 2)),
            }
        )
    cols = ["policy", "replicates", "s", "s_boot_lower", "s_boot_upper", "diff", "diff_lower", "diff_upper"]
    return pd.DataFrame(rows_out).reindex(columns=cols)

"""The analysis of a policy comparison: every table the report and the figures need.

:func:`analyze_policies` turns a pooled partnership table (partnerships of every run,
with ``policy`` and ``run`` columns) and the checked study into a
:class:`Comparison`. It does not run anything and writes nothing, so it can
be tested on synthetic tables with known answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from partnersim.io import write_table
from partnersim.policy.costs import cost_table
from partnersim.policy.spec import SURVIVAL_MONTHS, PolicyStudy
from partnersim.policy.survival import (
    CROSS_TOLERANCE,
    N_PERMUTATIONS,
    curve_crossings,
    grant_end_hazard,
    km_curves,
    legacy_rates,
    logrank_vs_baseline,
    replicate_bootstrap,
    survival_summary,
    wider_interval,
    yearly_table,
)

__all__ = [
    "HAZARD_WINDOW",
    "MIN_BOOTSTRAP_REPLICATES",
    "SIGNIFICANCE",
    "Comparison",
    "analyse",
    "analyze_policies",
    "comparison_months",
    "headline_month",
    "holm",
    "replicates_needed",
]

#: the level at which a Holm-adjusted p-value counts as a difference beyond chance
SIGNIFICANCE = 0.05

#: fewest replicates for intervals from resampling whole replicates: with fewer, a percentile
#: bootstrap has too few distinct resamples (two replicates give three) and its intervals are too narrow
MIN_BOOTSTRAP_REPLICATES = 20

#: months before and after the first grant end shown in the hazard figure
HAZARD_WINDOW = (-12, 24)

#: bootstrap samples of whole replicates (paired differences from the baseline)
N_BOOT = 2000


@dataclass
class Comparison:
    """Every result table of a comparison (plain DataFrames, one row per policy unless noted).

    Attributes:
        study: the checked policies file.
        results: survival summary, the permutation log-rank test against the
            baseline (``z, p_value, p_floor, permutations, exact``, and
            ``p_holm``), replicate-bootstrap (``s{month}_boot_*`` and the paired
            difference from the baseline ``diff{month}*``) and legacy columns
            joined. The headline intervals are ``s{month}_ci_*`` and
            ``legacy_ci_*``: the whole-run bootstrap interval where it is wider
            than the pooled one (``*_ci_runs`` is then True), else the pooled one.
        curves: Kaplan-Meier curves (long: policy x month).
        hazard: monthly hazard around the first grant end (long), with Wilson
            (``lower, upper``), whole-run (``boot_*``) and headline (``ci_*``) intervals.
        month: the month of the headline survival figure (60 when the horizon allows).
        months: the months with a paired difference (``diff{t}*``) in ``results``.
        costs: money paid and cost per thing bought (:func:`~partnersim.policy.costs.cost_table`).
        yearly: share still working and at risk at the end of each year (long).
        warnings: plain sentences on what the results cannot bear (too few replicates).
        robustness: whether the ranking holds across uncertain parameters, when it was run.
    """

    study: PolicyStudy
    results: pd.DataFrame
    curves: pd.DataFrame
    hazard: pd.DataFrame
    month: int
    months: tuple[int, ...] = ()
    costs: pd.DataFrame = field(default_factory=pd.DataFrame)
    yearly: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)
    robustness: Any = None

    #: the CSV files of :meth:`write_tables`: file name -> what it holds
    TABLES: ClassVar[dict[str, str]] = {
        "policy_results.csv": "one row per policy: survival, medians, tests, paired differences, legacy",
        "survival_curves.csv": "Kaplan-Meier curves: share still working each month, with intervals",
        "policy_costs.csv": "money paid and cost per partnership working, per partnership-year and per output",
        "yearly_survival.csv": "share still working and partnerships at risk at the end of each year",
        "grant_end_hazard.csv": "monthly chance of dissolving around the grant end",
    }

    @property
    def too_few_replicates(self) -> bool:
        """Whether the replicates are too few for the tests and intervals."""
        return bool(self.warnings)

    def write_tables(self, outdir: str | Path) -> list[Path]:
        """Write the tables as CSV (small, readable in a spreadsheet) into ``outdir``."""
        outdir = Path(outdir)
        frames = {
            "policy_results.csv": self.results,
            "survival_curves.csv": self.curves,
            "policy_costs.csv": self.costs,
            "yearly_survival.csv": self.yearly,
            "grant_end_hazard.csv": self.hazard,
        }
        written = [write_table(frame, outdir / name) for name, frame in frames.items()]
        if self.robustness is not None:
            written.extend(self.robustness.write_tables(outdir))
        return written


def holm(p_values: pd.Series) -> pd.Series:
    """Holm's step-down adjustment of p-values for several tests against one baseline."""
    p = p_values.to_numpy(dtype=float)
    m = len(p)
    order = np.argsort(p)
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return pd.Series(adjusted, index=p_values.index)


def replicates_needed(n_comparisons: int, n_perm: int = N_PERMUTATIONS) -> tuple[int, int | None]:
    """Fewest replicates for the intervals, and for the permutation test to reach significance at all.

    With ``R`` replicates the test lists all ``2**R`` label swaps when that is
    no more than ``n_perm`` (smallest p = 2 / 2**R), else draws ``n_perm`` of
    them (smallest p = 1 / (n_perm + 1)); Holm's adjustment multiplies the
    smallest p by the number of comparisons.

    Returns:
        ``(for the intervals and the test, for the test alone)``; the second
        is None when no number of replicates lets the test reach
        :data:`SIGNIFICANCE` (too many comparisons for ``n_perm`` swaps).
    """
    m = max(1, n_comparisons)
    for r in range(1, 64):
        exact = r <= 20 and 2**r <= n_perm
        floor = 2 / 2**r if exact else 1 / (1 + n_perm)
        if m * floor < SIGNIFICANCE:
            return max(MIN_BOOTSTRAP_REPLICATES, r), r
    return MIN_BOOTSTRAP_REPLICATES, None


def _replicate_warnings(replicates: int, n_comparisons: int) -> list[str]:
    need, test = replicates_needed(n_comparisons)
    if replicates >= need:
        return []
    reasons = [
        f"intervals from resampling whole runs need at least {MIN_BOOTSTRAP_REPLICATES} replicates: with "
        "fewer there are too few distinct resamples, so the intervals come out too narrow (with 2 replicates "
        "there are only 3)"
    ]
    if test is not None and replicates < test:
        reasons.append(
            f"with {n_comparisons} comparison{'s' if n_comparisons != 1 else ''} the permutation test cannot "
            f"give a Holm-adjusted p below {SIGNIFICANCE} with fewer than {test} replicates"
        )
    return [
        f"Only {replicates} replicate{'s' if replicates != 1 else ''} per policy: too few for the tests and "
        f"intervals (at least {need} are needed). " + "; ".join(r[0].upper() + r[1:] for r in reasons) + ". "
        "Read these numbers as a check that the comparison runs, not as results."
    ]


def comparison_months(horizon: int) -> tuple[int, ...]:
    """The months with a paired difference: one, three and five years and the end of the runs."""
    return tuple(sorted({t for t in SURVIVAL_MONTHS if t <= horizon} | {headline_month(horizon), horizon}))


def headline_month(horizon: int) -> int:
    """Five years when the runs are that long, else the longest reported month within the horizon."""
    within = [t for t in SURVIVAL_MONTHS if t <= horizon]
    return max(within) if within else horizon


def analyze_policies(table: pd.DataFrame, study: PolicyStudy) -> Comparison:
    """All survival results of a comparison.

    Args:
        table: pooled partnership table with ``policy`` and ``run`` columns.
        study: the policies file the runs came from.
    """
    order = [p.name for p in study.policies]
    horizon = study.horizon
    month = headline_month(horizon)
    # the end of the runs too: what is left once even the longest grants have stopped paying
    times = sorted({*SURVIVAL_MONTHS, month, horizon})
    summary = survival_summary(table, times=times, order=order)
    # the textbook p-value (partnerships as independent) is not reported; the replicate count is in `paired`
    tests = logrank_vs_baseline(table, study.baseline, order=order, seed=study.seed)
    tests = tests.drop(columns=["p_independent", "replicates"])
    if len(tests):
        tests["p_holm"] = holm(tests["p_value"])
    legacy = legacy_rates(
        table, horizon, study.legacy_months, order=order, n_boot=N_BOOT, seed=study.seed
    ).drop(columns="partnerships")
    months = comparison_months(horizon)
    results = summary.merge(tests, on="policy", how="left")
    for t in months:
        # paired on the same replicates (same bootstrap draws at every month)
        paired = replicate_bootstrap(table, study.baseline, t, n_boot=N_BOOT, seed=study.seed, order=order)
        paired = paired.drop(columns=["s", "replicates"]).rename(
            columns={
                "s_boot_lower": f"s{t}_boot_lower",
                "s_boot_upper": f"s{t}_boot_upper",
                "diff": f"diff{t}",
                "diff_lower": f"diff{t}_lower",
                "diff_upper": f"diff{t}_upper",
            }
        )
        results = results.merge(paired, on="policy", how="left")
    results = results.merge(legacy, on="policy", how="left")
    for col in (f"s{month}", "legacy"):
        lo, hi, runs = wider_interval(
            results[f"{col}_lower"],
            results[f"{col}_upper"],
            results[f"{col}_boot_lower"],
            results[f"{col}_boot_upper"],
        )
        results[f"{col}_ci_lower"], results[f"{col}_ci_upper"], results[f"{col}_ci_runs"] = lo, hi, runs
    results.insert(1, "baseline", results["policy"] == study.baseline)
    lengths = {p.name: int(p.levers["funding_length"]) for p in study.policies}
    results.insert(2, "funding_length", results["policy"].map(lengths))
    hazard = grant_end_hazard(
        table, lengths, horizon, window=HAZARD_WINDOW, order=order, n_boot=N_BOOT, seed=study.seed
    )
    curves = km_curves(table, order=order)
    _add_direction(results, curves, study.baseline)
    costs = (
        cost_table(table, sorted({month, horizon}), horizon, order=order, n_boot=N_BOOT, seed=study.seed)
        if "grants_paid" in table
        else pd.DataFrame()
    )
    n_comparisons = len(order) - 1
    return Comparison(
        study=study,
        results=results,
        curves=curves,
        hazard=hazard,
        month=month,
        months=months,
        costs=costs,
        yearly=yearly_table(curves, horizon),
        warnings=_replicate_warnings(study.replicates, n_comparisons),
    )


def _add_direction(results: pd.DataFrame, curves: pd.DataFrame, baseline: str) -> None:
    """Which way each policy differs from the baseline, and where the survival curves cross.

    ``direction``: ``fewer`` or ``more`` dissolutions than the baseline over
    the whole run (the sign of the log-rank Z: observed minus expected
    dissolutions under the policy), or ``same``; ``crossings``: how often the
    curves cross; ``cross_months``: the months, separated by ``;``;
    ``ahead_at_end``: +1 when the policy's curve ends above the baseline's,
    -1 below, 0 within :data:`~partnersim.policy.survival.CROSS_TOLERANCE`.
    """
    z = results["z"].to_numpy(dtype=float)
    results["direction"] = np.where(
        ~np.isfinite(z), "", np.where(z < 0, "fewer", np.where(z > 0, "more", "same"))
    )
    cross, months, ahead = [], [], []
    for name in results["policy"]:
        found = curve_crossings(curves, name, baseline) if name != baseline else []
        cross.append(len(found))
        months.append(";".join(str(m) for m, _ in found))
        c = curves[curves["policy"] == name]["survival"]
        b = curves[curves["policy"] == baseline]["survival"]
        d = float(c.iloc[-1] - b.iloc[-1]) if len(c) and len(b) else 0.0
        ahead.append(int(np.sign(d)) if abs(d) >= CROSS_TOLERANCE else 0)
    results["crossings"], results["cross_months"], results["ahead_at_end"] = cross, months, ahead


#: the earlier name of :func:`analyze_policies` (named like analyze_sobol and analyze_morris)
analyse = analyze_policies

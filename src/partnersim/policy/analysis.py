"""The analysis of a policy comparison: every table the report and the figures need.

:func:`analyse` turns a pooled partnership table (partnerships of every run,
with ``policy`` and ``run`` columns) and the checked study into a
:class:`Comparison`. It does not run anything and writes nothing, so it can
be tested on synthetic tables with known answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from partnersim.io import write_table
from partnersim.policy.spec import SURVIVAL_MONTHS, PolicyStudy
from partnersim.policy.survival import (
    grant_end_hazard,
    km_curves,
    legacy_rates,
    logrank_vs_baseline,
    replicate_bootstrap,
    survival_summary,
    wider_interval,
)

__all__ = ["HAZARD_WINDOW", "Comparison", "analyse", "headline_month", "holm"]

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
    """

    study: PolicyStudy
    results: pd.DataFrame
    curves: pd.DataFrame
    hazard: pd.DataFrame
    month: int

    def write_tables(self, outdir: str | Path) -> list[Path]:
        """Write the tables as CSV (small, readable in a spreadsheet) into ``outdir``."""
        outdir = Path(outdir)
        return [
            write_table(self.results, outdir / "policy_results.csv"),
            write_table(self.curves, outdir / "survival_curves.csv"),
            write_table(self.hazard, outdir / "grant_end_hazard.csv"),
        ]


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


def headline_month(horizon: int) -> int:
    """Five years when the runs are that long, else the longest reported month within the horizon."""
    within = [t for t in SURVIVAL_MONTHS if t <= horizon]
    return max(within) if within else horizon


def analyse(table: pd.DataFrame, study: PolicyStudy) -> Comparison:
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
    paired = replicate_bootstrap(table, study.baseline, month, n_boot=N_BOOT, seed=study.seed, order=order)
    paired = paired.drop(columns=["s"]).rename(
        columns={
            "s_boot_lower": f"s{month}_boot_lower",
            "s_boot_upper": f"s{month}_boot_upper",
            "diff": f"diff{month}",
            "diff_lower": f"diff{month}_lower",
            "diff_upper": f"diff{month}_upper",
        }
    )
    results = (
        summary.merge(tests, on="policy", how="left")
        .merge(paired, on="policy", how="left")
        .merge(legacy, on="policy", how="left")
    )
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
    return Comparison(study=study, results=results, curves=curves, hazard=hazard, month=month)

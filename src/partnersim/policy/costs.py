"""What each policy costs the funder, and what the money buys.

The model pays every funded month's grant, with its coordinator post, and
records the total per partnership as ``grants_paid`` (thousand pounds; see
:func:`partnersim.mechanisms.grant_payment`). :func:`cost_table` divides
that money by what it bought, per policy, pooled over replicates: the
partnerships still working at fixed months, the partnership-years of
working, and the output. Intervals resample whole replicates, so the money
and the survival of one simulated system stay together.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from partnersim.policy.survival import _groups, _ratio_interval, _replicate_key, replicate_weights

__all__ = ["COST_COLUMNS", "cost_table"]

#: the measures of :func:`cost_table`: column -> what it is, in words (thousand pounds throughout)
COST_COLUMNS: dict[str, str] = {
    "paid_per_run": "paid by the funder per simulated local system over the whole run",
    "paid_per_partnership": "paid per partnership founded",
    "cost_per_working_{t}": "paid per partnership still working {t} months after it started",
    "cost_per_working_year": "paid per partnership-year of working",
    "cost_per_output": "paid per unit of output",
    "members_paid_per_run": "paid by the members for a coordinator kept on after the grant, per system",
}


def cost_table(
    table: pd.DataFrame,
    months: Sequence[int],
    horizon: int,
    order: Sequence[str] | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Money paid and its cost per thing bought, per policy, with 95% whole-replicate intervals.

    Cost per partnership still working at month ``t`` counts only the
    partnerships founded at least ``t`` months before the horizon (the ones
    that could reach ``t``): all the money paid to them, over the number of
    them still working ``t`` months after they started. It is ``inf`` when
    none was.

    Args:
        table: pooled partnership table with ``grants_paid``, ``output``,
            ``lifetime``, ``started_at`` and ``coordinator_paid_after_grant``.
        months: the months ``t`` for the cost per partnership still working.
        horizon: the last month of every run.

    Returns:
        One row per policy: ``policy, replicates`` and, for each measure of
        :data:`COST_COLUMNS`, the estimate and ``*_lower``, ``*_upper``.
    """
    key = _replicate_key(table)
    reps = np.sort(table[key].unique())
    weights = replicate_weights(len(reps), n_boot, seed)
    rows = []
    for name, g in _groups(table, order):
        at = pd.Index(reps).get_indexer(g[key])

        def per_rep(values: np.ndarray, at: np.ndarray = at) -> np.ndarray:
            out = np.zeros(len(reps))
            np.add.at(out, at, values)
            return out

        paid = g["grants_paid"].to_numpy(float)
        ones = np.ones(len(g))
        life = g["lifetime"].to_numpy(float)
        measures = {
            "paid_per_run": (per_rep(paid), np.ones(len(reps))),
            "paid_per_partnership": (per_rep(paid), per_rep(ones)),
        }
        for t in months:
            cohort = (g["started_at"].to_numpy(float) <= horizon - t).astype(float)
            measures[f"cost_per_working_{t}"] = (per_rep(paid * cohort), per_rep(cohort * (life >= t)))
        measures["cost_per_working_year"] = (per_rep(paid), per_rep(life / 12.0))
        measures["cost_per_output"] = (per_rep(paid), per_rep(g["output"].to_numpy(float)))
        kept = (
            g["coordinator_paid_after_grant"].to_numpy(float)
            if "coordinator_paid_after_grant" in g
            else 0 * ones
        )
        measures["members_paid_per_run"] = (per_rep(kept), np.ones(len(reps)))
        row: dict[str, float | str | int] = {"policy": name, "replicates": len(reps)}
        for col, (num, den) in measures.items():
            total, count = num.sum(), den.sum()
            row[col] = total / count if count > 0 else (np.inf if total > 0 else np.nan)
            lo, hi = _ratio_interval(num[:, None], den[:, None], weights)
            row[f"{col}_lower"], row[f"{col}_upper"] = float(lo[0]), float(hi[0])
        rows.append(row)
    return pd.DataFrame(rows)

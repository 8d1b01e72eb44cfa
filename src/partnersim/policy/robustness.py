"""Does the ranking hold? The comparison rerun across parameters the reports do not pin down.

The main comparison fixes every rate the field reports leave open at its
schema default. Here the comparison is rerun on ``draws`` parameter sets,
each a world every policy runs in, with ``replicates`` runs per policy. Every
draw reuses the seeds and uncertainty draws of the main study's first
replicates, so draws differ by their parameters, not by luck.

Where the parameter sets come from is a :class:`ParameterSource`: ranges
(:class:`Ranges`, from the policies file's ``[robustness.parameters]`` or the
schema), or any table of parameter sets (:class:`Samples`), such as draws
from a calibration posterior once there is one::

    run_robustness(study, out, source=Samples(posterior_frame, "ABC posterior"))

For each draw the policies are ranked by the share still working at the
headline month and at the end of the runs; :class:`RobustnessResult` says
how often each policy ranks best, whether the order of the main comparison
holds, and whether each difference from the baseline keeps its sign.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from partnersim.config import ConfigError
from partnersim.experiments import RunSpec, make_specs
from partnersim.io import write_table
from partnersim.policy.spec import PolicyStudy, Uncertainty
from partnersim.policy.survival import snap_zero, survival_summary
from partnersim.schema import ParameterError, validate

__all__ = [
    "HOLDS",
    "ParameterSource",
    "Ranges",
    "RobustnessResult",
    "Samples",
    "analyse_robustness",
    "robustness_specs",
    "run_robustness",
]

#: a finding "holds" when it is true in at least this share of the draws (a stated convention)
HOLDS = 0.9

# entropy that sets the robustness draws apart from the study seed's other streams
_DRAW_STREAM = 0x524F4255  # "ROBU"


class ParameterSource(Protocol):
    """Where the parameter sets of a robustness check come from."""

    def draw(self, n: int, seed: int) -> list[dict[str, Any]]:
        """``n`` parameter sets (the same ``n`` and ``seed`` give the same sets)."""
        ...

    def describe(self) -> dict[str, str]:
        """Parameter -> how it varies, in words, for the report."""
        ...


@dataclass(frozen=True)
class Ranges:
    """Each parameter drawn independently from its range (uniform, or one of a few choices)."""

    parameters: Mapping[str, Uncertainty]

    def draw(self, n: int, seed: int) -> list[dict[str, Any]]:
        sets = []
        for k in range(n):
            # draw k has a stream of its own, so more draws never change earlier ones
            rng = np.random.default_rng(np.random.SeedSequence([seed, _DRAW_STREAM], spawn_key=(k,)))
            sets.append({name: u.sample(rng) for name, u in sorted(self.parameters.items())})
        return sets

    def describe(self) -> dict[str, str]:
        return {name: u.describe() for name, u in self.parameters.items()}


@dataclass(frozen=True)
class Samples:
    """Parameter sets given as the rows of a table, e.g. draws from a calibration posterior.

    ``draw(n)`` takes every row in order when ``n`` is the number of rows,
    else ``n`` rows at random without replacement (with replacement when
    ``n`` is larger).
    """

    frame: pd.DataFrame
    label: str = "parameter sets given as a table"

    def draw(self, n: int, seed: int) -> list[dict[str, Any]]:
        rows = len(self.frame)
        if n == rows:
            index = np.arange(rows)
        else:
            rng = np.random.default_rng(np.random.SeedSequence([seed, _DRAW_STREAM]))
            index = rng.choice(rows, size=n, replace=n > rows)
        return [
            {k: v.item() if hasattr(v, "item") else v for k, v in self.frame.iloc[i].items()} for i in index
        ]

    def __len__(self) -> int:
        return len(self.frame)

    def describe(self) -> dict[str, str]:
        return {name: f"from {self.label} ({len(self.frame)} sets)" for name in self.frame.columns}


def robustness_specs(
    study: PolicyStudy, parameter_sets: Sequence[Mapping[str, Any]], replicates: int
) -> list[RunSpec]:
    """One spec per policy x draw x replicate, checked before anything runs.

    Replicate ``r`` of every draw has the seed and uncertainty draws of the
    main study's replicate ``r``; row ``j = draw * replicates + r`` of
    :func:`~partnersim.experiments.make_specs` (its ``replicate`` column).
    """
    reps = study.with_replicates(replicates).replicate_draws()
    rows, seeds = [], []
    for params in parameter_sets:
        for rep in reps:
            rows.append({**rep.uncertainties, **params})
            seeds.append(rep.seed)
    for policy in study.policies:
        for j, row in enumerate(rows):
            try:
                validate({**row, **policy.levers})
            except ParameterError as exc:
                raise ConfigError(
                    f"{study.path}: robustness draw {j // replicates} with policy '{policy.name}': {exc}"
                ) from None
    return make_specs([dict(p.levers) for p in study.policies], len(rows), seeds=seeds, per_replicate=rows)


@dataclass
class RobustnessResult:
    """Whether the ranking holds across the draws.

    Attributes:
        draws: one row per draw: ``draw`` and the parameters drawn.
        per_draw: one row per draw x policy: ``s{t}``, ``diff{t}`` (from the
            baseline) and ``rank{t}`` (1 = most still working) for each month ``t``.
        summary: one row per policy: ``p_best{t}`` (share of draws where it
            ranks best, ties shared), ``mean_rank{t}``, ``sign_held{t}`` (share of
            draws where its difference from the baseline has the sign of the main
            comparison; NaN for the baseline) for each ``t``.
        order_held: ``t`` -> share of draws whose whole order is the main comparison's.
        tau: ``t`` -> mean Kendall's tau between each draw's order and the main one.
        months: the months ranked on.
        replicates: runs per policy in each draw.
        described: parameter -> how it varied, in words.
    """

    draws: pd.DataFrame
    per_draw: pd.DataFrame
    summary: pd.DataFrame
    order_held: dict[int, float]
    tau: dict[int, float]
    months: tuple[int, ...]
    replicates: int
    described: dict[str, str]
    #: runs behind it, and how many of them were kept from an earlier run
    runs: int = 0
    runs_resumed: int = 0

    def write_tables(self, outdir: str | Path) -> list[Path]:
        """``robustness_draws.csv`` (per draw and policy, with its parameters) and ``robustness_summary.csv``."""
        outdir = Path(outdir)
        long = self.per_draw.merge(self.draws, on="draw", how="left")
        return [
            write_table(long, outdir / "robustness_draws.csv"),
            write_table(self.summary, outdir / "robustness_summary.csv"),
        ]


def _rank(values: pd.Series) -> pd.Series:
    return values.rank(ascending=False, method="min")


def analyse_robustness(
    table: pd.DataFrame,
    study: PolicyStudy,
    parameter_sets: Sequence[Mapping[str, Any]],
    main: pd.DataFrame,
    months: Sequence[int],
    replicates: int,
    described: Mapping[str, str] | None = None,
) -> RobustnessResult:
    """Rank the policies in every draw and compare with the main comparison.

    Args:
        table: pooled partnership table with ``policy`` and ``draw`` columns.
        main: the main comparison's results (``s{t}`` and ``diff{t}`` columns).
        months: the months to rank on.
    """
    from scipy.stats import kendalltau

    order = [p.name for p in study.policies]
    frames = []
    for k in range(len(parameter_sets)):
        sub = table[table["draw"] == k]
        s = survival_summary(sub, times=list(months), order=order)
        row = pd.DataFrame({"draw": k, "policy": s["policy"]})
        base = s[s["policy"] == study.baseline].iloc[0]
        for t in months:
            row[f"s{t}"] = s[f"s{t}"]
            row[f"diff{t}"] = snap_zero(s[f"s{t}"] - base[f"s{t}"])
            row[f"rank{t}"] = _rank(s[f"s{t}"])
        frames.append(row)
    per_draw = pd.concat(frames, ignore_index=True)
    main = main.set_index("policy")
    summary = pd.DataFrame({"policy": order})
    order_held, tau = {}, {}
    n = len(parameter_sets)
    for t in months:
        wide = per_draw.pivot(index="draw", columns="policy", values=f"s{t}")[order]
        ranks = per_draw.pivot(index="draw", columns="policy", values=f"rank{t}")[order]
        best = ranks.eq(1)
        # a tie for best shares the draw
        share = best.div(best.sum(axis=1), axis=0).sum() / n
        summary[f"p_best{t}"] = summary["policy"].map(share)
        summary[f"mean_rank{t}"] = summary["policy"].map(ranks.mean())
        main_sign = np.sign(snap_zero(main.loc[order, f"diff{t}"].to_numpy(float)))
        diffs = per_draw.pivot(index="draw", columns="policy", values=f"diff{t}")[order].to_numpy(float)
        held = (np.sign(diffs) == main_sign[None, :]).mean(axis=0)
        summary[f"sign_held{t}"] = np.where(np.array(order) == study.baseline, np.nan, held)
        main_rank = _rank(main.loc[order, f"s{t}"]).to_numpy()
        order_held[t] = float((ranks.to_numpy() == main_rank[None, :]).all(axis=1).mean())
        taus = [kendalltau(main_rank, wide.loc[k].to_numpy() * -1).statistic for k in wide.index]
        finite = [x for x in taus if np.isfinite(x)]  # tau is undefined for a draw where every policy ties
        tau[t] = float(np.mean(finite)) if finite else float("nan")
    draws = pd.DataFrame([{"draw": k, **p} for k, p in enumerate(parameter_sets)])
    return RobustnessResult(
        draws=draws,
        per_draw=per_draw,
        summary=summary,
        order_held=order_held,
        tau=tau,
        months=tuple(months),
        replicates=replicates,
        described=dict(described or {}),
    )


def run_robustness(
    study: PolicyStudy,
    out: str | Path | None,
    main: pd.DataFrame,
    months: Sequence[int],
    *,
    source: ParameterSource | None = None,
    draws: int | None = None,
    replicates: int | None = None,
    executor: str | Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    fresh: bool = False,
    progress: bool = False,
) -> RobustnessResult:
    """Run every policy on every draw and rank them (runs saved, and resumed, in ``out``).

    Args:
        study: the policies file; its ``[robustness]`` table gives the
            defaults of ``source``, ``draws`` and ``replicates``.
        main: the main comparison's results, to compare with.
        months: the months to rank on.
        source: where parameter sets come from (default: the file's ranges).
        draws: parameter sets to draw (default: the file's ``draws`` for ranges,
            every row of a table of sets).
    """
    rob = study.robustness
    if source is None:
        if rob is None:
            raise ConfigError(f"{study.path}: no [robustness] table and no parameter source given")
        source = Ranges(rob.parameters)
    if draws is None:
        # a table of parameter sets is used whole; ranges give the file's number of draws
        draws = (
            rob.draws
            if rob and isinstance(source, Ranges)
            else len(source)
            if hasattr(source, "__len__")
            else 20
        )
    replicates = replicates if replicates is not None else (rob.replicates if rob else 10)
    sets = source.draw(draws, study.seed)
    specs = robustness_specs(study, sets, replicates)
    manifest = {
        "study": {
            "kind": "policy comparison: robustness",
            "name": study.name,
            "file": str(study.path),
            "draws": draws,
            "replicates": replicates,
            "parameters": source.describe(),
        }
    }
    from partnersim.policy.compare import run_pooled  # compare runs this module, so import late

    runner = {"executor": executor, "workers": workers, "scheduler": scheduler, "chunk_size": chunk_size}
    sweep, table = run_pooled(study, specs, out, manifest, fresh=fresh, progress=progress, **runner)
    table["draw"] = table["replicate"] // replicates
    result = analyse_robustness(table, study, sets, main, months, replicates, source.describe())
    result.runs, result.runs_resumed = len(sweep.runs), sweep.n_resumed
    return result

"""Run a policy comparison on the experiments runner, analyse it and write the report.

The runs go through :func:`partnersim.experiments.run_specs` (any executor,
chunked, resumable); this module only turns a :class:`PolicyStudy` into run
specs and the runner's tables back into a pooled partnership table.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from partnersim.experiments import RunSpec, SweepRun, make_specs, run_specs
from partnersim.io import atomic_write
from partnersim.policy.analysis import Comparison, analyze_policies
from partnersim.policy.figures import plot_comparison
from partnersim.policy.report import render_report
from partnersim.policy.robustness import ParameterSource, run_robustness
from partnersim.policy.spec import PolicyStudy

__all__ = ["ComparisonRun", "policy_specs", "pooled_table", "run_comparison", "run_pooled"]


def policy_specs(study: PolicyStudy) -> list[RunSpec]:
    """One spec per policy x replicate; replicate ``r`` has the same seed and draws under every policy.

    ``point_id`` is the policy's index in the file and ``run_id`` is
    ``point_id * replicates + r`` (the runner's point-major order). A run's
    parameters are its replicate's uncertainty draws and its policy's levers
    (:meth:`PolicyStudy.run_parameters`).
    """
    reps = study.replicate_draws()
    return make_specs(
        [dict(policy.levers) for policy in study.policies],
        study.replicates,
        seeds=[rep.seed for rep in reps],
        per_replicate=[rep.uncertainties for rep in reps],
    )


def pooled_table(runs: pd.DataFrame, partnerships: pd.DataFrame, study: PolicyStudy) -> pd.DataFrame:
    """Partnerships of every run with their ``policy``, ``run`` and ``replicate``."""
    names = {i: p.name for i, p in enumerate(study.policies)}
    keys = runs[["run_id", "point_id", "replicate", "seed"]].copy()
    keys["policy"] = keys["point_id"].map(names)
    table = partnerships.merge(keys, on="run_id", how="inner", validate="many_to_one")
    return table.rename(columns={"run_id": "run"})


def run_pooled(
    study: PolicyStudy,
    specs: list[RunSpec],
    out: str | Path | None,
    manifest: Mapping[str, Any],
    **runner: Any,
) -> tuple[SweepRun, pd.DataFrame]:
    """Run the specs of a study's policies (``runner``: the keywords of ``run_specs``) and pool their partnerships."""
    sweep = run_specs(specs, out, partnerships=True, manifest=manifest, **runner)
    assert sweep.partnerships is not None
    return sweep, pooled_table(sweep.runs, sweep.partnerships, study)


@dataclass
class ComparisonRun:
    """What :func:`run_comparison` produced: the analysis, the runner's result and the files written."""

    comparison: Comparison
    sweep: SweepRun
    report: Path | None
    figures: dict[str, Path]
    seconds: float


def run_comparison(
    study: PolicyStudy,
    out: str | Path | None,
    *,
    executor: str | Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    fresh: bool = False,
    progress: bool = False,
    extra_info: Mapping[str, Any] | None = None,
    robustness: bool = True,
    source: ParameterSource | None = None,
) -> ComparisonRun:
    """Run every policy on the shared replicates, analyse, and write tables, figures and report.

    With ``out`` the runs are saved as they finish (``runs.parquet``,
    ``partnerships.parquet``, ``manifest.json``; running again resumes) and
    the analysis goes next to them: the tables of
    :attr:`Comparison.TABLES`, ``figures/*.png`` and ``report.html``.
    Without ``out`` nothing is written.

    With ``robustness`` (and a ``[robustness]`` table in the file, or a
    ``source`` of parameter sets such as a calibration posterior) the
    comparison is rerun across uncertain parameters
    (:func:`~partnersim.policy.robustness.run_robustness`), its runs saved
    in ``out/robustness/``.
    """
    start = time.perf_counter()
    specs = policy_specs(study)
    manifest = {
        "study": {
            "kind": "policy comparison",
            "name": study.name,
            "file": str(study.path),
            "replicates": study.replicates,
            "seed": study.seed,
            "baseline": study.baseline,
            "policies": {p.name: p.levers for p in study.policies},
            "uncertainties": {n: u.describe() for n, u in study.uncertainties.items()},
        }
    }
    runner = {
        "executor": executor,
        "workers": workers,
        "scheduler": scheduler,
        "chunk_size": chunk_size,
        "fresh": fresh,
        "progress": progress,
    }
    sweep, table = run_pooled(study, specs, out, manifest, **runner)
    comparison = analyze_policies(table, study)
    if robustness and (study.robustness is not None or source is not None):
        comparison.robustness = run_robustness(
            study,
            None if out is None else Path(out) / "robustness",
            comparison.results,
            sorted({comparison.month, study.horizon}),
            source=source,
            **runner,
        )
    if out is None:
        return ComparisonRun(comparison, sweep, None, {}, time.perf_counter() - start)
    out = Path(out)
    comparison.write_tables(out)
    figures = plot_comparison(
        comparison.curves,
        comparison.results,
        comparison.hazard,
        comparison.results,
        study.baseline,
        out / "figures",
        month=comparison.month,
        legacy_months=study.legacy_months,
    )
    seconds = time.perf_counter() - start
    info = {
        "executor": sweep.manifest.get("executor"),
        "workers": sweep.manifest.get("workers"),
        "runs": len(sweep.runs),
        "runs resumed": sweep.n_resumed,
        "wall time": f"{seconds:.0f} s",
        "git commit": (sweep.manifest.get("git_commit") or "unknown")[:10],
        "finished": sweep.manifest.get("finished"),
        **dict(extra_info or {}),
    }
    html = render_report(comparison, figures, info)
    report = atomic_write(out / "report.html", lambda p: p.write_text(html, encoding="utf-8"))
    return ComparisonRun(comparison, sweep, report, figures, seconds)

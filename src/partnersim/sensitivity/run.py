"""Run a Sobol or Morris design through the experiments runner, then analyse and write it.

The one code path for the model and for any other function of the
factors: :func:`run_sobol` samples the design, turns each row into
parameters, builds run specs (every point × ``replicates``, each run with
its own ``SeedSequence`` seed), runs them with
:func:`partnersim.experiments.run_specs` (any executor, resumable) and
analyses the replicate means. ``fn=None`` is the partnership model; the
Ishigami test passes :func:`partnersim.sensitivity.testfunctions.ishigami`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from partnersim.experiments import check_points, make_specs, run_specs
from partnersim.io import write_json, write_table
from partnersim.sensitivity.analysis import (
    MORRIS_CI_RELATIVE,
    MorrisResult,
    SobolResult,
    analyze_morris,
    analyze_sobol,
    interaction_share,
    rows_per_base_point,
    sample_morris,
    sample_sobol,
)
from partnersim.sensitivity.factors import Problem

__all__ = [
    "MorrisRun",
    "SobolRun",
    "derived_seed",
    "interaction_lines",
    "noise_lines",
    "run_morris",
    "run_sobol",
    "sobol_summary",
    "write_morris",
    "write_sobol",
]

# sub-streams of the study's root seed (the run seeds are SeedSequence(seed).spawn(n))
_DESIGN, _BOOTSTRAP = 1, 2


def derived_seed(seed: int, purpose: int) -> int:
    """A seed for one purpose (design, bootstrap), independent of the run seeds."""
    # SALib's bootstrap treats seed 0 as "unseeded", so never return 0
    return int(np.random.SeedSequence([int(seed), purpose]).generate_state(1)[0]) | 1


@dataclass
class _Runner:
    """How to run the specs: the arguments of :func:`run_specs` a study does not set."""

    out: str | Path | None = None
    executor: str | Executor = "serial"
    workers: int | None = None
    scheduler: str | None = None
    chunk_size: int | None = None
    fresh: bool = False
    progress: bool = False


#: the files the analysis writes next to the runner's, removed by ``fresh``
_ANALYSIS_FILES = (
    *(
        f"{stem}.{ext}"
        for stem in (
            "sobol_indices",
            "sobol_convergence",
            "sobol_s2",
            "morris_indices",
            "replicate_noise",
            "factors",
        )
        for ext in ("parquet", "csv")
    ),
    "sobol.json",
    "morris.json",
    "report.md",
)


def _check_size(points: int, replicates: int) -> None:
    """Refuse a design of more than :data:`~partnersim.experiments.specs.MAX_RUNS` runs before sampling it."""
    from partnersim.experiments.specs import MAX_RUNS, TooManyRuns

    if points * replicates > MAX_RUNS:
        raise TooManyRuns(
            f"the design asks for {points * replicates:,} runs ({points:,} points x {replicates:,} "
            f"replicates), and one set of runs may have at most {MAX_RUNS:,}: use a smaller N (or fewer "
            "trajectories), fewer factors or fewer replicates"
        )


def _clear_analysis(out: Path) -> None:
    for name in _ANALYSIS_FILES:
        (out / name).unlink(missing_ok=True)


def _evaluate(
    problem: Problem,
    X: np.ndarray,
    design: Mapping[str, Any],
    *,
    base: Mapping[str, Any] | None,
    replicates: int,
    seed: int,
    outcomes: Sequence[str],
    fn: Callable[..., Mapping[str, Any]] | None,
    seed_param: str | None,
    runner: _Runner,
    manifest: Mapping[str, Any] | None,
) -> tuple[dict[str, np.ndarray], pd.DataFrame, dict[str, Any]]:
    """Run every design row ``replicates`` times; return outcome -> points × replicates.

    ``design`` is the method's own entries of the manifest's ``design``; the
    points, replicates and factors follow them.
    """
    manifest = {
        **dict(manifest or {}),
        "design": {**design, "points": len(X), "replicates": replicates, "factors": problem.table()},
    }
    base = dict(base or {})
    points = [{**base, **row} for row in problem.decode(X)]
    if runner.fresh and runner.out is not None:
        from partnersim.experiments import ResultStore

        # while another command writes there, this refuses and clears nothing
        with ResultStore(runner.out).lock():
            _clear_analysis(Path(runner.out))  # the runner clears its own files (runs, chunks, figures)
    if fn is None:  # model parameters: check every point (cross-parameter rules too) first
        points = check_points(points, manifest.get("study", {}).get("file", "design"))
    specs = make_specs(points, replicates, root_seed=seed)
    t0 = time.perf_counter()
    res = run_specs(
        specs,
        runner.out,
        executor=runner.executor,
        workers=runner.workers,
        scheduler=runner.scheduler,
        chunk_size=runner.chunk_size,
        fn=fn,
        seed_param=seed_param,
        outcomes=list(outcomes),
        fresh=runner.fresh,
        progress=runner.progress,
        manifest=manifest,
    )
    timing = {
        "runs": len(specs),
        "runs_ran": res.n_ran,
        "runs_resumed": res.n_resumed,
        "runs_renumbered": res.n_renumbered,
        "runs_stale": res.n_stale,
        "run_seconds": time.perf_counter() - t0,
        # what this call ran on (the manifest keeps what did the work when nothing ran now)
        "executor": res.executor,
        "workers": res.workers,
    }
    runs = res.runs
    outputs = {}
    for name in outcomes:
        wide = runs.pivot(index="point_id", columns="replicate", values=name).sort_index()
        if len(wide) != len(points) or wide.shape[1] != replicates:
            raise RuntimeError(
                f"outcome '{name}': got {wide.shape} results for {len(points)} × {replicates} runs"
            )
        outputs[name] = wide.to_numpy(dtype=float)
    return outputs, runs, timing


@dataclass
class SobolRun:
    """A finished Sobol study: the design, the outputs, the analysis and how long it took."""

    problem: Problem
    n: int
    replicates: int
    second_order: bool
    X: np.ndarray
    outputs: dict[str, np.ndarray]
    result: SobolResult
    timing: dict[str, Any] = field(default_factory=dict)
    conf_level: float = 0.95


def run_sobol(
    problem: Problem,
    n: int,
    *,
    outcomes: Sequence[str],
    replicates: int = 1,
    seed: int = 0,
    base: Mapping[str, Any] | None = None,
    fn: Callable[..., Mapping[str, Any]] | None = None,
    seed_param: str | None = "rng",
    second_order: bool = False,
    num_resamples: int = 200,
    conf_level: float = 0.95,
    ci_limit: float = 0.1,
    out: str | Path | None = None,
    executor: str | Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    fresh: bool = False,
    progress: bool = False,
    manifest: Mapping[str, Any] | None = None,
) -> SobolRun:
    """Sample, run and analyse a Sobol study of ``fn`` (default: the model).

    Args:
        problem: the factors.
        n: base points N, a power of two (refused otherwise); the design has
            ``N (D + 2)`` points, ``N (2D + 2)`` with ``second_order``.
        outcomes: the outputs of ``fn`` to analyse.
        replicates: runs per point R, each with its own seed; the indices
            use their mean.
        seed: root seed: the design, every run's seed and the bootstrap
            derive from it.
        base: fixed parameters for every run.
        fn, seed_param: the function of the factors and the name of its seed
            argument (``None``: no seed), as in :func:`run_specs`.
        out, executor, workers, scheduler, chunk_size, fresh, progress: see
            :func:`partnersim.experiments.run_specs` (``out`` makes it resumable).
        manifest: extra entries for ``manifest.json``.
    """
    t0 = time.perf_counter()
    _check_size(n * rows_per_base_point(len(problem.factors), second_order), replicates)
    X = sample_sobol(problem, n, second_order=second_order, seed=derived_seed(seed, _DESIGN))
    outputs, _, timing = _evaluate(
        problem,
        X,
        {"method": "sobol", "sampler": "SALib.sample.sobol", "n": n, "second_order": second_order},
        base=base,
        replicates=replicates,
        seed=seed,
        outcomes=outcomes,
        fn=fn,
        seed_param=seed_param,
        runner=_Runner(out, executor, workers, scheduler, chunk_size, fresh, progress),
        manifest=manifest,
    )
    result = analyze_sobol(
        problem,
        outputs,
        n,
        second_order=second_order,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=derived_seed(seed, _BOOTSTRAP),
        ci_limit=ci_limit,
    )
    timing["wall_seconds"] = time.perf_counter() - t0
    return SobolRun(problem, n, replicates, second_order, X, outputs, result, timing, conf_level)


@dataclass
class MorrisRun:
    """A finished Morris screen."""

    problem: Problem
    trajectories: int
    num_levels: int
    replicates: int
    X: np.ndarray
    outputs: dict[str, np.ndarray]
    result: MorrisResult
    timing: dict[str, Any] = field(default_factory=dict)
    conf_level: float = 0.95


def run_morris(
    problem: Problem,
    trajectories: int,
    *,
    outcomes: Sequence[str],
    num_levels: int = 4,
    replicates: int = 1,
    seed: int = 0,
    base: Mapping[str, Any] | None = None,
    fn: Callable[..., Mapping[str, Any]] | None = None,
    seed_param: str | None = "rng",
    num_resamples: int = 200,
    conf_level: float = 0.95,
    ci_limit: float = MORRIS_CI_RELATIVE,
    out: str | Path | None = None,
    executor: str | Executor = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    chunk_size: int | None = None,
    fresh: bool = False,
    progress: bool = False,
    manifest: Mapping[str, Any] | None = None,
) -> MorrisRun:
    """Sample, run and analyse a Morris screen: ``trajectories × (D + 1)`` points × ``replicates``.

    Arguments as for :func:`run_sobol`; ``ci_limit`` warns when an interval of
    mu* is wider than that many times mu* (:data:`MORRIS_CI_RELATIVE`).
    """
    t0 = time.perf_counter()
    _check_size(trajectories * (len(problem.factors) + 1), replicates)
    X = sample_morris(problem, trajectories, num_levels=num_levels, seed=derived_seed(seed, _DESIGN))
    outputs, _, timing = _evaluate(
        problem,
        X,
        {
            "method": "morris",
            "sampler": "SALib.sample.morris",
            "trajectories": trajectories,
            "num_levels": num_levels,
        },
        base=base,
        replicates=replicates,
        seed=seed,
        outcomes=outcomes,
        fn=fn,
        seed_param=seed_param,
        runner=_Runner(out, executor, workers, scheduler, chunk_size, fresh, progress),
        manifest=manifest,
    )
    result = analyze_morris(
        problem,
        X,
        outputs,
        num_levels=num_levels,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=derived_seed(seed, _BOOTSTRAP),
        ci_limit=ci_limit,
    )
    timing["wall_seconds"] = time.perf_counter() - t0
    return MorrisRun(problem, trajectories, num_levels, replicates, X, outputs, result, timing, conf_level)


# ------------------------------------------------------------------ writing


def _tables(df: pd.DataFrame, out: Path, stem: str) -> list[Path]:
    return [write_table(df, out / f"{stem}.parquet"), write_table(df, out / f"{stem}.csv")]


def noise_lines(noise: pd.DataFrame) -> list[str]:
    """One sentence per outcome: how much of its variance is replicate noise."""
    lines = []
    for r in noise.itertuples():
        if np.isnan(r.noise_share_runs):
            lines.append(f"{r.outcome}: one replicate per point, so replicate noise is not estimated")
        else:
            lines.append(
                f"{r.outcome}: replicate noise is {r.noise_share_runs:.0%} of the variance of single runs "
                f"and {r.noise_share_means:.0%} of the variance of the {r.replicates}-run means analysed"
            )
    return lines


def _ci_table(df: pd.DataFrame, conf_level: float) -> str:
    ci = f"{conf_level:.0%} CI"
    rows = [f"| outcome | factor | S1 ({ci}) | ST ({ci}) |", "|---|---|---|---|"]
    wide = df.pivot_table(index=["outcome", "factor"], columns="index", values=["value", "conf"], sort=False)
    for (outcome, factor), r in wide.iterrows():
        rows.append(
            f"| {outcome} | {factor} | {r[('value', 'S1')]:.3f} ± {r[('conf', 'S1')]:.3f} "
            f"| {r[('value', 'ST')]:.3f} ± {r[('conf', 'ST')]:.3f} |"
        )
    return "\n".join(rows)


def sobol_summary(run: SobolRun) -> dict[str, Any]:
    """The headline numbers of a Sobol run, for ``sobol.json`` and the console."""
    res = run.result
    return {
        "n": run.n,
        "replicates": run.replicates,
        "second_order": run.second_order,
        "factors": run.problem.names,
        "points": len(run.X),
        "runs": int(len(run.X) * run.replicates),
        "timing": run.timing,
        "warnings": res.warnings,
        "noise": res.noise.to_dict(orient="records"),
        "interactions": interaction_share(res.indices).to_dict(orient="records"),
        "indices": res.indices.to_dict(orient="records"),
    }


def interaction_lines(indices: pd.DataFrame) -> list[str]:
    """One sentence per outcome: how much of the variance lies in interactions."""
    return [
        f"{r.outcome}: first-order indices sum to {r.sum_S1:.2f}, so about {max(0.0, r.interactions):.0%} "
        "of the variance is interactions between factors (and noise)"
        for r in interaction_share(indices).itertuples()
        if np.isfinite(r.sum_S1)
    ]


def write_sobol(run: SobolRun, out: str | Path, *, title: str = "") -> list[Path]:
    """Write the tables (Parquet and CSV), figures, ``sobol.json`` and ``report.md`` into ``out``."""
    from partnersim.sensitivity.figures import plot_convergence, plot_s2, plot_sobol_indices

    out = Path(out)
    res = run.result
    paths = [
        *_tables(res.indices, out, "sobol_indices"),
        *_tables(res.convergence, out, "sobol_convergence"),
        *_tables(res.noise, out, "replicate_noise"),
        *_tables(pd.DataFrame(run.problem.table()), out, "factors"),
    ]
    if run.second_order:
        paths += _tables(res.s2, out, "sobol_s2")
    sub = f"N = {run.n} base points, R = {run.replicates} replicates, {len(run.X) * run.replicates} runs; bars: {run.conf_level:.0%} CI"
    # replicate noise adds about its share of the analysed variance to every ST
    noise = dict(zip(res.noise["outcome"], res.noise["noise_share_means"], strict=True))
    paths.append(
        plot_sobol_indices(
            res.indices, out / "figures" / "sobol_indices.png", title=title, subtitle=sub, noise=noise
        )
    )
    paths.append(plot_convergence(res.convergence, out / "figures" / "sobol_convergence.png"))
    if run.second_order:
        paths.append(plot_s2(res.s2, run.problem.names, out / "figures" / "sobol_s2.png"))
    paths.append(write_json(sobol_summary(run), out / "sobol.json"))
    report = [
        f"# Sobol analysis{': ' + title if title else ''}",
        "",
        sub,
        "",
        *_design_sections(run.problem, res.noise),
        "Independent noise in the analysed means adds about its share to every factor's ST "
        "(the dotted line in the figure) and widens every interval; an ST near that line "
        "is no detectable effect.",
        "",
        "## Interactions",
        "",
        *[f"- {line}" for line in interaction_lines(res.indices)],
        "",
        "A factor's ST − S1 is its share in interactions with the others.",
        "",
        "## Indices",
        "",
        _ci_table(res.indices, run.conf_level),
        "",
        "## Warnings",
        "",
        *([f"- {w}" for w in res.warnings] or ["- none: every interval is narrower than the limit"]),
        "",
    ]
    paths.append(_write_text(out / "report.md", "\n".join(report)))
    return paths


def _design_sections(problem: Problem, noise: pd.DataFrame) -> list[str]:
    """The factors and the replicate noise, as report.md sections (Sobol and Morris)."""
    return [
        "## Factors",
        "",
        *[f"- `{f['factor']}`: {f['distribution']}" for f in problem.table()],
        "",
        "## Replicate noise",
        "",
        *[f"- {line}" for line in noise_lines(noise)],
        "",
    ]


def morris_subtitle(run: MorrisRun) -> str:
    """``T = 20 trajectories (N), R = 2 replicates, 180 points, 360 runs; bars: 95% CI``."""
    return (
        f"N = {run.trajectories} trajectories, R = {run.replicates} replicates, {len(run.X)} points, "
        f"{len(run.X) * run.replicates} runs; bars: {run.conf_level:.0%} CI"
    )


def write_morris(run: MorrisRun, out: str | Path, *, title: str = "") -> list[Path]:
    """Write the mu*/sigma table (Parquet and CSV), figure, ``morris.json`` and ``report.md`` into ``out``."""
    from partnersim.sensitivity.figures import plot_morris

    out = Path(out)
    res = run.result
    sub = morris_subtitle(run)
    paths = [
        *_tables(res.indices, out, "morris_indices"),
        *_tables(res.noise, out, "replicate_noise"),
        *_tables(pd.DataFrame(run.problem.table()), out, "factors"),
        plot_morris(res.indices, out / "figures" / "morris.png", title=title, subtitle=sub),
    ]
    summary = {
        "trajectories": run.trajectories,
        "num_levels": run.num_levels,
        "replicates": run.replicates,
        "points": len(run.X),
        "runs": int(len(run.X) * run.replicates),
        "timing": run.timing,
        "warnings": res.warnings,
        "noise": res.noise.to_dict(orient="records"),
        "indices": res.indices.to_dict(orient="records"),
    }
    paths.append(write_json(summary, out / "morris.json"))
    ci = f"{run.conf_level:.0%} CI"
    table = [f"| outcome | factor | mu* ({ci}) | sigma | mu |", "|---|---|---|---|---|"]
    for r in res.indices.sort_values(["outcome", "mu_star"], ascending=[True, False]).itertuples():
        table.append(
            f"| {r.outcome} | {r.factor} | {r.mu_star:.3f} ± {r.mu_star_conf:.3f} | {r.sigma:.3f} | {r.mu:.3f} |"
        )
    report = [
        f"# Morris screening{': ' + title if title else ''}",
        "",
        sub + f"; {run.num_levels} levels.",
        "",
        *_design_sections(run.problem, res.noise),
        "## Elementary effects",
        "",
        "mu* is the mean absolute effect of moving a factor across its whole range, in the outcome's "
        "units: it ranks factors. sigma near or above mu* means the effect depends on the other factors "
        "(interactions) or is not linear; mu much smaller than mu* means its sign changes.",
        "",
        *table,
        "",
        "## Warnings",
        "",
        *([f"- {w}" for w in res.warnings] or ["- none: every interval of mu* is narrower than mu* itself"]),
        "",
    ]
    paths.append(_write_text(out / "report.md", "\n".join(report)))
    return paths


def _write_text(path: Path, text: str) -> Path:
    from partnersim.io import atomic_write

    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))

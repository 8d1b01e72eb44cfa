"""``partnersim sobol``: variance-based sensitivity (Sobol) of a study's outcomes to its factors."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from partnersim.commands.common import (
    add_runner_flags,
    describe_written,
    runner_options,
    runs_line,
    stale_note,
)
from partnersim.config import ConfigError

if TYPE_CHECKING:
    from partnersim.sensitivity.run import MorrisRun, SobolRun
    from partnersim.sensitivity.study import SensitivityStudy


def add_runner_arguments(p: argparse.ArgumentParser) -> None:
    """The executor, output and resume flags, the same as ``partnersim sweep``."""
    p.add_argument("study", type=Path, help="study file (TOML), e.g. configs/sobol-quick.toml")
    add_runner_flags(p, out_layout="OUT/<name>/<method>/")
    p.add_argument(
        "--replicates",
        type=int,
        metavar="R",
        help="runs per sample point (overrides the study's 'replicates')",
    )


def run_study(
    study: SensitivityStudy, method: str, out: Path, opts: Mapping[str, Any]
) -> SobolRun | MorrisRun:
    """Run the study's Sobol or Morris design with its own settings, resumably in ``out``."""
    from partnersim.sensitivity.run import run_morris, run_sobol

    run = run_sobol if method == "sobol" else run_morris
    return run(
        study.problem,
        base=study.base,
        out=out,
        manifest={"study": {"file": str(study.path), "given": study.raw, "resolved": study.resolved(method)}},
        **study.run_arguments(method),
        **opts,
    )


def timing_line(t: Mapping[str, Any]) -> str:
    """A run's ``timing``: how many runs were kept from before and run now, on what, and the wall time.

    Preceded by a note when runs kept in the folder were run again (:func:`stale_note`).
    """
    line = runs_line(
        t["runs"], t["runs_resumed"], t["runs_ran"], renumbered=t.get("runs_renumbered", 0),
        executor=t["executor"], workers=t["workers"], seconds=t["wall_seconds"], run_seconds=t.get("run_seconds"),
    )  # fmt: skip
    note = stale_note(t.get("runs_stale", 0))
    return f"{note}\n{line}" if note else line


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sobol",
        help="Sobol sensitivity indices (S1, ST, S2) of a study's outcomes, with CIs and convergence",
        description="Sample the study's factors with SALib's Sobol' sequence (N base points, a power "
        "of two), run every point R times with independent seeds on any executor (resumable, like "
        "`partnersim sweep`), and write S1/ST (and S2) with bootstrap confidence intervals, their "
        "convergence on N/4, N/2 and N, and the share of variance that is replicate noise, as tables "
        "(Parquet and CSV), figures and report.md in OUT/<name>/sobol/.",
    )
    add_runner_arguments(p)
    p.add_argument("--n", type=int, metavar="N", help="base points, a power of two (overrides 'sobol.n')")
    p.add_argument(
        "--second-order",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also estimate S2 (overrides 'sobol.second_order'; costs N*D more points)",
    )
    p.add_argument(
        "--posterior",
        type=Path,
        metavar="DIR",
        help="a calibration's results folder: the fixed parameters come from posterior draws, and the "
        "indices are computed at each draw (OUT/<name>/sobol/posterior-draw-K/)",
    )
    p.add_argument(
        "--posterior-draws",
        type=int,
        metavar="K",
        default=3,
        help="posterior draws to compute indices at (default 3)",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from partnersim.schema import ParameterError
    from partnersim.sensitivity.analysis import check_power_of_two
    from partnersim.sensitivity.study import load_sensitivity_study

    # everything is checked before anything runs or is written
    study = load_sensitivity_study(args.study, "sobol")
    opts = runner_options(args, ("--replicates", args.replicates))
    if args.n is not None:
        try:
            check_power_of_two(args.n)
        except ParameterError as exc:
            raise ConfigError(f"--n: {exc}") from None
        study = dataclasses.replace(study, n=args.n)
    if args.replicates is not None:
        study = dataclasses.replace(study, replicates=args.replicates)
    if args.second_order is not None:
        study = dataclasses.replace(study, second_order=args.second_order)
    out = study.output_dir("sobol", args.out)
    if args.posterior is not None:
        return _across_posterior(args, study, out, opts)

    from partnersim.sensitivity.analysis import rows_per_base_point
    from partnersim.sensitivity.run import write_sobol

    d = len(study.problem.factors)
    points = study.n * rows_per_base_point(d, study.second_order)
    print(
        f"partnersim sobol: study '{study.name}': {d} factors, N = {study.n}"
        f"{' with second order' if study.second_order else ''}: {points} points x "
        f"{study.replicates} replicates = {points * study.replicates} runs on {opts['executor']}"
    )
    run = run_study(study, "sobol", out, opts)
    paths = write_sobol(run, out, title=study.description or study.name)
    print_sobol(run)
    print(f"wrote {out}/: runs.parquet, manifest.json, {describe_written(paths)}")
    return 0


def print_sobol(run: Any) -> None:
    """The console summary: timing, noise, ranked indices and warnings."""
    from partnersim.sensitivity.run import interaction_lines, noise_lines

    print(timing_line(run.timing))
    res = run.result
    for line in noise_lines(res.noise):
        print(f"  noise  {line}")
    for line in interaction_lines(res.indices):
        print(f"  interactions  {line}")
    for outcome, g in res.indices.groupby("outcome", sort=False):
        print(f"{outcome}:")
        wide = g.pivot(index="factor", columns="index", values=["value", "conf"])
        wide = wide.sort_values(("value", "ST"), ascending=False)
        for factor, r in wide.iterrows():
            print(
                f"  {factor:24s} S1 {r[('value', 'S1')]:6.3f} ± {r[('conf', 'S1')]:.3f}   "
                f"ST {r[('value', 'ST')]:6.3f} ± {r[('conf', 'ST')]:.3f}"
            )
    for w in res.warnings:
        print(f"warning: {w}")


def _across_posterior(args: argparse.Namespace, study: Any, out: Path, opts: dict[str, Any]) -> int:
    """The same Sobol study at ``--posterior-draws`` posterior draws of the fixed parameters."""
    from partnersim.calibration.conclusions import indices_across_draws, sobol_bases
    from partnersim.calibration.posterior import Posterior
    from partnersim.io import write_table
    from partnersim.sensitivity.run import run_sobol, write_sobol

    if args.posterior_draws < 1:
        raise ConfigError(
            f"--posterior-draws = {args.posterior_draws} is not allowed: expected an integer of at least 1"
        )
    posterior = Posterior.load(args.posterior)
    factors = list(study.problem.names)
    bases = sobol_bases(posterior, study.base, factors, args.posterior_draws, study.seed)
    print(
        f"partnersim sobol: study '{study.name}' at {len(bases)} posterior draws of {len(posterior.names)} "
        f"calibrated parameters from {args.posterior} (factors and the file's [parameters] keep their own values)"
    )
    results = []
    for k, base in enumerate(bases):
        sub = out / f"posterior-draw-{k}"
        run = run_sobol(
            study.problem,
            base=base,
            out=sub,
            manifest={
                "study": {"file": str(study.path), "posterior": str(args.posterior), "draw": k, "base": base}
            },
            **study.run_arguments("sobol"),
            **opts,
        )
        write_sobol(run, sub, title=f"{study.description or study.name} (posterior draw {k})")
        results.append(run.result.indices)
    table = indices_across_draws(results)
    write_table(table, out / "indices_across_draws.csv")
    st = table[table["index"] == "ST"]
    for outcome, g in st.groupby("outcome", sort=False):
        wide = g.pivot(index="factor", columns="draw", values="value")
        wide = wide.loc[wide.mean(axis=1).sort_values(ascending=False).index]
        tops = g.loc[g.groupby("draw")["value"].idxmax(), "factor"]
        print(f"{outcome}: ST at each posterior draw; the top factor is {', '.join(tops)}")
        for factor, r in wide.iterrows():
            print(f"  {factor:24s} " + "  ".join(f"{v:6.3f}" for v in r))
    print(f"wrote {out}/indices_across_draws.csv and one folder per draw")
    return 0

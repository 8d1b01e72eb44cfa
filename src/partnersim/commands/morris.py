"""``partnersim morris``: Morris elementary-effects screening, the cheap first pass before Sobol."""

from __future__ import annotations

import argparse
import dataclasses

from partnersim.commands.common import describe_written, runner_options
from partnersim.commands.sobol import add_runner_arguments, run_study, timing_line
from partnersim.config import ConfigError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "morris",
        help="Morris screening (mu*, sigma) of a study's factors: the cheap first pass",
        description="Sample the study's factors with SALib's Morris trajectories, run every point R "
        "times with independent seeds on any executor (resumable, like `partnersim sweep`), and write "
        "mu*, its confidence interval, mu and sigma per factor and outcome as tables (Parquet and "
        "CSV) and a figure in OUT/<name>/morris/. Uses the study's [morris] table.",
    )
    add_runner_arguments(p)
    p.add_argument(
        "--trajectories", type=int, metavar="T", help="Morris trajectories (overrides 'morris.trajectories')"
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from partnersim.sensitivity.study import load_sensitivity_study

    study = load_sensitivity_study(args.study, "morris")
    opts = runner_options(args, ("--replicates", args.replicates))
    if args.trajectories is not None:
        if args.trajectories < 2:
            raise ConfigError(f"--trajectories = {args.trajectories} is not allowed: expected at least 2")
        study = dataclasses.replace(study, trajectories=args.trajectories)
    if args.replicates is not None:
        study = dataclasses.replace(study, replicates=args.replicates)
    out = study.output_dir("morris", args.out)

    from partnersim.sensitivity.run import noise_lines, write_morris

    d = len(study.problem.factors)
    points = study.trajectories * (d + 1)
    print(
        f"partnersim morris: study '{study.name}': {d} factors, {study.trajectories} trajectories: "
        f"{points} points x {study.replicates} replicates = {points * study.replicates} runs on {opts['executor']}"
    )
    run = run_study(study, "morris", out, opts)
    paths = write_morris(run, out, title=study.description or study.name)
    print(timing_line(run.timing))
    for line in noise_lines(run.result.noise):
        print(f"  noise  {line}")
    for outcome, g in run.result.indices.groupby("outcome", sort=False):
        print(f"{outcome}:  (mu* in outcome units per full range of the factor)")
        for r in g.sort_values("mu_star", ascending=False).itertuples():
            print(
                f"  {r.factor:24s} mu* {r.mu_star:8.3f} ± {r.mu_star_conf:.3f}   sigma {r.sigma:8.3f}   mu {r.mu:8.3f}"
            )
    for w in run.result.warnings:
        print(f"warning: {w}")
    print(f"wrote {out}/: runs.parquet, manifest.json, {describe_written(paths)}")
    return 0

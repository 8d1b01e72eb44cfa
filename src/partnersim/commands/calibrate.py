"""``partnersim calibrate``: ABC-SMC against the patterns the field reports give as numbers."""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path
from typing import Any

from partnersim.config import ConfigError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "calibrate",
        help="calibrate the behavioural parameters against the reports (ABC-SMC with pyabc)",
        description="Run ABC-SMC (pyabc) on a calibration file's targets and write the weighted posterior, "
        "identifiability table, posterior predictive check, figures and report.md to OUT/<name>/. The "
        "history is pyabc's SQLite database OUT/<name>/abc.db: running again continues a killed run, and "
        "a larger --populations adds generations.",
    )
    p.add_argument("calibration", type=Path, help="calibration file (TOML), e.g. configs/calibration.toml")
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        default=1,
        help="local processes (default 1: this process); the particles are the same on any number",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://10.0.0.1:8786 (the cluster's workers; the same particles again)",
    )
    p.add_argument("--populations", type=int, metavar="K", help="generations in all (default: the file's)")
    p.add_argument(
        "--population", type=int, metavar="N", help="particles per generation (default: the file's)"
    )
    p.add_argument(
        "--out", type=Path, default=Path("results"), help="output folder; results go to OUT/<name>/"
    )
    p.add_argument("--fresh", action="store_true", help="forget a saved history of this study and start over")
    p.add_argument("--no-progress", action="store_true", help="no progress display")
    p.set_defaults(func=main)


def _check_count(flag: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise ConfigError(f"{flag} = {value} is not allowed: expected an integer of at least 1")


def main(args: argparse.Namespace) -> int:
    import dataclasses

    from partnersim.calibration.study import load_calibration

    # everything is checked before anything runs or is written
    study = load_calibration(args.calibration)
    for flag, value in (
        ("--workers", args.workers),
        ("--populations", args.populations),
        ("--population", args.population),
    ):
        _check_count(flag, value)
    if args.population is not None:
        if args.population < 2:
            raise ConfigError(
                f"--population = {args.population} is not allowed: expected an integer of at least 2"
            )
        study = dataclasses.replace(study, population=args.population)
    out = study.output_dir(args.out)

    from partnersim.calibration.driver import run_calibration
    from partnersim.calibration.report import write_outputs
    from partnersim.calibration.simulate import usable_targets
    from partnersim.commands.common import describe_written
    from partnersim.experiments.executors import open_executor

    study = usable_targets(study)
    for t, why in study.skipped:
        print(f"partnersim calibrate: target '{t.name}' left out: {why}")
    if not study.targets:
        raise ConfigError(f"{args.calibration}: no target can be computed on this model")
    where = f"Dask at {args.scheduler}" if args.scheduler else f"{args.workers} worker(s)"
    total = args.populations or study.populations
    print(
        f"partnersim calibrate: '{study.name}': {len(study.targets)} targets, {len(study.priors)} parameters, "
        f"{len(study.used_scenarios())} scenarios; {total} generations of {study.population} particles on {where}"
    )
    start = time.perf_counter()

    def show(g: dict[str, Any]) -> None:
        if not args.no_progress:
            print(
                f"  generation {int(g['generation']) + 1}/{g['of']}: epsilon {g['epsilon']:.3g}, "
                f"{int(g['simulations'])} simulations, acceptance {g['acceptance_rate']:.1%}, "
                f"ESS {g['ess']:.0f}, {g['seconds']:.0f} s",
                flush=True,
            )

    run = run_calibration(
        study,
        out,
        populations=args.populations,
        workers=args.workers,
        scheduler=args.scheduler,
        fresh=args.fresh,
        progress=not args.no_progress,
        report=show,
    )
    if run.resumed_from:
        print(f"  continued a saved history of {run.resumed_from} generation(s)")
    kind = "dask" if args.scheduler else ("processes" if args.workers > 1 else "serial")
    ctx = (
        open_executor(kind, args.workers, args.scheduler)
        if kind != "serial"
        else contextlib.nullcontext((None, None))
    )
    with ctx as (executor, _):
        info = {
            "wall time of this session": f"{time.perf_counter() - start:.0f} s",
            "sampler": where,
        }
        paths = write_outputs(run, executor=executor, info=info)
    from partnersim.calibration.outputs import run_warnings
    from partnersim.calibration.posterior import Posterior

    post = Posterior.load(out)
    for w in run_warnings(run.generations, post.ess, len(post.particles)):
        print(f"warning: {w}")
    sims = run.simulations
    print(
        f"{len(run.generations)} generations ({run.ran_now} run now), {sims} simulations, stopped because "
        f"{run.stopped}; {time.perf_counter() - start:.0f} s; wrote {out}/: abc.db, {describe_written(paths)}"
    )
    return 0

"""``partnersim sweep``: run a study (a TOML file) over its factors and replicates, resumably."""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from partnersim.commands.common import add_runner_flags, estimate_line, runner_options, runs_line, stale_note


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "sweep",
        help="run a study: factors x replicates, on any executor, resumable",
        description="Run every point x replicate of a study file and write runs.parquet, "
        "manifest.json and figures to OUT/<study name>/. Running the same command again "
        "resumes an interrupted sweep; --fresh starts over.",
    )
    p.add_argument("study", type=Path, help="study file (TOML), e.g. configs/quick.toml")
    add_runner_flags(p)
    p.add_argument(
        "--replicates", type=int, metavar="R", help="runs per point (overrides the study's 'replicates')"
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        metavar="NAME=VALUE",
        help="set one fixed parameter for every run, over the study's [parameters] (repeatable)",
    )
    p.add_argument(
        "--format",
        choices=("parquet", "csv"),
        default="parquet",
        help="csv also writes runs.csv (and timeseries.csv, partnerships.csv) for R and Excel; "
        "the Parquet files stay, for resuming (default: parquet)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the number of runs and a time estimate from a few timed runs; write nothing",
    )
    p.add_argument(
        "--heatmap",
        metavar="ROWS,COLS",
        help="the two factors of the heatmaps (default: the first two with few values)",
    )
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from partnersim.config import parse_sets
    from partnersim.experiments.study import load_study

    # everything is checked before anything runs or is written
    opts = runner_options(args, ("--replicates", args.replicates))
    study = load_study(args.study, replicates=args.replicates, overrides=parse_sets(args.sets))
    out = study.output_dir(args.out)
    executor = opts["executor"]
    pair = _heatmap_pair(args.heatmap, study.factor_names)
    if args.dry_run:
        from partnersim.experiments.runner import Task

        print(
            f"partnersim sweep: study '{study.name}': {len(study.points) * study.replicates} runs "
            f"({len(study.points)} points x {study.replicates} replicates); dry run, nothing is written"
        )
        task = Task(outcomes=study.outcomes, timeseries=study.timeseries, partnerships=study.partnerships)
        print(estimate_line(study.specs(), task, opts, args.scheduler))
        return 0

    from partnersim.experiments.executors import ExecutorUnavailable
    from partnersim.experiments.figures import plot_sweep, prune_figures
    from partnersim.experiments.runner import RUN_NOTE, run_specs

    # said before the runs are built: a big design takes a while
    print(
        f"partnersim sweep: study '{study.name}': {len(study.points) * study.replicates} runs "
        f"({len(study.points)} points x {study.replicates} replicates) on {executor}"
        + (f" at {args.scheduler}" if args.scheduler else ""),
        flush=True,
    )
    specs = study.specs()
    start = time.perf_counter()
    try:
        result = run_specs(
            specs,
            out,
            **opts,
            outcomes=study.outcomes,
            timeseries=study.timeseries,
            partnerships=study.partnerships,
            manifest={
                "study": {"file": str(study.path), "given": study.raw, "resolved": study.resolved()},
            },
        )
    except ExecutorUnavailable as exc:
        print(f"partnersim sweep: error: {exc}; nothing was run and {out} is untouched", file=sys.stderr)
        return 1
    except Exception as exc:
        notes = [n for n in getattr(exc, "__notes__", ()) if n.startswith(RUN_NOTE)]
        if not notes:
            raise
        # the worker's traceback (with the note), then what failed and what to do
        traceback.print_exception(exc, file=sys.stderr)
        print(
            f"partnersim sweep: error: a run failed: {type(exc).__name__}: {exc} "
            f"({notes[0].removeprefix('in partnersim ')}); finished runs are kept in {out}: "
            "fix the cause and run the same command again",
            file=sys.stderr,
        )
        return 1
    elapsed = time.perf_counter() - start
    if note := stale_note(result.n_stale):
        print(note)
    print(
        runs_line(
            len(result.runs), result.n_resumed, result.n_ran, renumbered=result.n_renumbered,
            executor=result.executor, workers=result.workers, seconds=elapsed,
        )
    )  # fmt: skip
    figures = (
        None
        if args.no_figures
        else plot_sweep(
            result.runs,
            study.factor_names,
            study.outcomes,
            out / "figures",
            timeseries=result.timeseries if study.timeseries else None,
            continuous=list(study.ranges),
            pair=pair,
        )
    )
    # figures of an earlier version of the study (other outcomes or factors) would mislead
    prune_figures(out / "figures", figures, study.outcomes)
    kept = [
        (n, table)
        for n, table, on in (
            ("runs", result.runs, True),
            ("timeseries", result.timeseries, study.timeseries),
            ("partnerships", result.partnerships, study.partnerships),
        )
        if on
    ]
    if args.format == "csv":
        from partnersim.io import write_table

        for n, table in kept:
            if table is not None:
                write_table(table, out / f"{n}.csv")
    tables = ", ".join(f"{n}.parquet" + (f" and {n}.csv" if args.format == "csv" else "") for n, _ in kept)
    print(
        f"wrote {out}/: {tables}, manifest.json"
        + (f" and {len(figures)} figures in figures/" if figures else "")
    )
    return 0


def _heatmap_pair(text: str | None, factors: list[str]) -> tuple[str, str] | None:
    """``--heatmap ROWS,COLS`` as two different factors of the study."""
    if text is None:
        return None
    from partnersim.config import ConfigError

    names = [n.strip() for n in text.split(",")]
    if len(names) != 2 or names[0] == names[1] or not all(n in factors for n in names):
        raise ConfigError(
            f"--heatmap {text!r} is not allowed: expected two different factors of the study as ROWS,COLS, "
            f"from {', '.join(factors)}"
        )
    return names[0], names[1]

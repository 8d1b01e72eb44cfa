"""``partnersim plot``: redraw a figure from a finished results folder, without running anything."""

from __future__ import annotations

import argparse
from pathlib import Path

KINDS = ("effects", "interaction", "heatmap", "timeseries")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plot",
        help="redraw a figure from a results folder (no runs): effects, interaction, heatmap, timeseries",
        description="Draw one figure from the runs a sweep, sobol, morris or compare left in a results "
        "folder, without running the model: the outcome against --x (numbers on a numeric axis, "
        "ranges binned with their edges shown), one line per level of --hue.",
    )
    p.add_argument(
        "results", type=Path, help="results folder, e.g. results/quick or results/sobol-quick/sobol"
    )
    p.add_argument("--x", required=True, metavar="FACTOR", help="factor on the x axis (heatmap: rows)")
    p.add_argument("--hue", metavar="FACTOR", help="second factor: one line per level (heatmap: columns)")
    p.add_argument(
        "--outcome",
        metavar="NAME",
        help="summary outcome (timeseries: a monthly series, e.g. active_partnerships; "
        "default: the first outcome, or active_partnerships)",
    )
    p.add_argument(
        "--kind",
        choices=KINDS,
        help="effects (default; interaction with --hue), interaction, heatmap, or timeseries "
        "(needs timeseries = true in the study)",
    )
    p.add_argument(
        "--out", type=Path, metavar="FILE.png", help="where to write (default: RESULTS/figures/plot_….png)"
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from partnersim.config import ConfigError
    from partnersim.experiments.figures import plot_one
    from partnersim.experiments.finished import open_results

    done = open_results(args.results)
    kind = args.kind or ("interaction" if args.hue else "effects")
    done.check_column(args.x, "--x", done.factors)
    if args.hue is not None:
        done.check_column(args.hue, "--hue", [f for f in done.factors if f != args.x])
    if kind == "timeseries":
        if done.timeseries is None:
            raise ConfigError(
                f"{args.results}: no timeseries.parquet: run the study with timeseries = true for --kind timeseries"
            )
        series = [c for c in done.timeseries.columns if c not in ("run_id", "month")]
        outcome = done.check_column(args.outcome or "active_partnerships", "--outcome", series)
    else:
        if not done.outcomes:
            raise ConfigError(f"{args.results}: the runs hold no summary outcome")
        outcome = done.check_column(args.outcome or done.outcomes[0], "--outcome", done.outcomes)
    name = f"plot_{kind}_{outcome}_{args.x}" + (f"_{args.hue}" if args.hue else "") + ".png"
    path = args.out or args.results / "figures" / name
    written = plot_one(
        done.runs,
        kind,
        args.x,
        outcome,
        path,
        hue=args.hue,
        timeseries=done.timeseries,
        continuous=done.continuous,
    )
    print(f"partnersim plot: {kind} of {outcome} from {len(done.runs)} runs: wrote {written}")
    return 0

"""``partnersim discover``: scenario discovery (PRIM or CART) on a finished sweep's or study's runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "discover",
        help="scenario discovery: which factor ranges give an outcome below/above a threshold (PRIM, CART)",
        description="Find the factor ranges where an outcome is below (or above) a threshold, in the runs "
        "a sweep, sobol, morris or compare left in a results folder: PRIM boxes with their coverage, "
        "density, restrictions and quasi-p-values (or CART leaves), extra-trees feature scores, a "
        "peeling-trajectory figure and a plain-language report.md, in RESULTS/discover/<outcome>-"
        "<below|above>-<value>/. Needs EMA Workbench: pip install 'partnersim[ema]'.",
    )
    p.add_argument("results", type=Path, help="results folder, e.g. results/sobol-quick/sobol")
    p.add_argument("--outcome", required=True, metavar="NAME", help="summary outcome, e.g. survival_rate")
    side = p.add_mutually_exclusive_group(required=True)
    side.add_argument("--below", type=float, metavar="X", help="cases of interest: runs with outcome < X")
    side.add_argument("--above", type=float, metavar="X", help="cases of interest: runs with outcome > X")
    p.add_argument(
        "--method", choices=("prim", "cart"), default="prim", help="rule induction (default: prim)"
    )
    p.add_argument(
        "--density",
        type=float,
        metavar="D",
        help="choose the box with the most coverage among those at least this dense (default: 0.8)",
    )
    p.add_argument("--boxes", type=int, metavar="K", help="at most K boxes (default: 3)")
    p.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default: RESULTS/discover/<case>/)"
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from partnersim.config import ConfigError
    from partnersim.discovery import DENSITY, MAX_BOXES, EMAMissing, discover, write_discovery
    from partnersim.experiments.finished import open_results

    density = DENSITY if args.density is None else args.density
    if not 0 < density <= 1:
        raise ConfigError(f"--density = {density:g} is not allowed: expected a number above 0 and at most 1")
    boxes = MAX_BOXES if args.boxes is None else args.boxes
    if boxes < 1:
        raise ConfigError(f"--boxes = {boxes} is not allowed: expected an integer of at least 1")
    done = open_results(args.results)
    done.check_column(args.outcome, "--outcome", done.outcomes)
    if not done.factors:
        raise ConfigError(f"{args.results}: no parameter varies across these runs: nothing to discover")
    direction, value = ("below", args.below) if args.below is not None else ("above", args.above)
    try:
        found = discover(
            done.runs,
            done.factors,
            args.outcome,
            below=args.below,
            above=args.above,
            method=args.method,
            density=density,
            max_boxes=boxes,
        )
    except EMAMissing as exc:
        print(f"partnersim discover: error: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        raise ConfigError(f"--{direction} {value:g}: {exc}") from None
    out = args.out or args.results / "discover" / f"{args.outcome}-{direction}-{value:g}"
    paths = write_discovery(found, out, str(args.results))
    print(
        f"partnersim discover: {found.n_cases} of {found.n_runs} runs have {args.outcome} {direction} {value:g} "
        f"({found.base_rate:.0%}); {args.method.upper()} over {len(found.factors)} factors "
        f"({', '.join(found.factors)})"
    )
    for b in found.boxes:
        print(
            f"  box {b.number}: {b.text()}  (coverage {b.coverage:.0%}, density {b.density:.0%}, {b.n} runs)"
        )
    if not found.boxes:
        print("  no box is denser in these runs than the runs as a whole")
    top = ", ".join(f"{r.factor} {r.score:.2f}" for r in found.scores.head(3).itertuples())
    print(f"  feature scores: {top}")
    print(f"wrote {out}/: report.md, {', '.join(p.name for p in paths if p.suffix == '.csv')} and figures/")
    return 0

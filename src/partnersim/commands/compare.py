"""``partnersim compare``: run named funding policies on the same replicates and write a funder's report."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from partnersim.commands.common import add_runner_flags, runner_options, runs_line, stale_note
from partnersim.config import ConfigError

if TYPE_CHECKING:
    from partnersim.policy.analysis import Comparison


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare funding policies: survival, grant-end hazard, legacy, HTML report",
        description="Run every policy of a policies file on the same replicates (common random "
        "numbers), then write survival tables, figures and a self-contained report.html to "
        "OUT/<study name>/. Running the same command again resumes; --fresh starts over.",
    )
    p.add_argument("policies", type=Path, help="policies file (TOML), e.g. configs/funding-policies.toml")
    add_runner_flags(p)
    p.add_argument(
        "--replicates", type=int, metavar="N", help="override the file's replicates (e.g. a quick look)"
    )
    p.add_argument(
        "--posterior",
        type=Path,
        metavar="DIR",
        help="a calibration's results folder: each replicate draws the calibrated parameters from its "
        "posterior (the same draw under every policy); results go to OUT/<name>-posterior/",
    )
    p.add_argument(
        "--posterior-draws",
        type=int,
        metavar="K",
        help="posterior draws shared out over the replicates (default: a tenth of the replicates, at least 2)",
    )
    p.add_argument(
        "--no-robustness",
        action="store_true",
        help="skip the rerun across uncertain parameters that the file's [robustness] table asks for",
    )
    p.set_defaults(func=main)


def results_lines(comparison: Comparison) -> list[str]:
    """The terminal table: one line per policy, every column as wide as its widest cell."""
    res, month = comparison.results, comparison.month
    costs = comparison.costs.set_index("policy") if not comparison.costs.empty else None
    header = [
        "policy",
        "partnerships",
        f"still working at {month} months",
        "vs baseline (points)",
        f"paid per partnership working at {month} months",
    ]
    rows = []
    for _, r in res.iterrows():
        s, lo, hi = r[f"s{month}"], r[f"s{month}_ci_lower"], r[f"s{month}_ci_upper"]
        d = (
            "baseline"
            if r["baseline"]
            else f"{100 * r[f'diff{month}']:+.1f} ({100 * r[f'diff{month}_lower']:+.1f} to "
            f"{100 * r[f'diff{month}_upper']:+.1f})"
        )
        k = costs.loc[r["policy"], f"cost_per_working_{month}"] if costs is not None else float("nan")
        cost = f"£{k:,.0f}k" if np.isfinite(k) else "n/a"
        name = r["policy"] + (" (baseline)" if r["baseline"] else "")
        rows.append([name, str(int(r["partnerships"])), f"{s:.1%} ({lo:.1%}-{hi:.1%})", d, cost])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *rows]
    ]


def main(args: argparse.Namespace) -> int:
    from partnersim.experiments import output_dir
    from partnersim.policy.spec import load_policies

    # everything is checked before anything runs or is written
    study = load_policies(args.policies)
    opts = runner_options(args, ("--replicates", args.replicates))
    executor = opts["executor"]
    if args.replicates is not None:
        study = study.with_replicates(args.replicates)
    posterior, draws = None, None
    if args.posterior is not None or args.posterior_draws is not None:
        from partnersim.calibration.conclusions import with_posterior
        from partnersim.calibration.posterior import Posterior

        if args.posterior is None:
            raise ConfigError("--posterior-draws needs --posterior DIR")
        posterior = Posterior.load(args.posterior)
        draws = args.posterior_draws or max(2, study.replicates // 10)
        if not 1 <= draws <= study.replicates:
            raise ConfigError(
                f"--posterior-draws = {draws} is not allowed: expected an integer from 1 to the replicates ({study.replicates})"
            )
        study, replaced = with_posterior(study, posterior, draws)
        print(
            f"partnersim compare: {len(posterior.names)} parameters from the posterior in {args.posterior} "
            f"({draws} draws, {study.replicates // draws} or more replicates each)"
            + (f"; they replace the file's uncertainties {', '.join(replaced)}" if replaced else "")
        )
    name = study.name + ("-posterior" if posterior is not None else "")
    out = output_dir(args.out, name, args.policies)

    from partnersim.policy.compare import run_comparison

    n_runs = study.replicates * len(study.policies)
    print(
        f"partnersim compare: '{study.name}': {len(study.policies)} policies x {study.replicates} "
        f"replicates = {n_runs} runs on {executor}" + (f" at {args.scheduler}" if args.scheduler else "")
    )
    start = time.perf_counter()
    done = run_comparison(study, out, robustness=not args.no_robustness, **opts)
    if posterior is not None:
        _print_robustness(done, study, out, posterior, draws)
    for line in results_lines(done.comparison):
        print(line)
    for warning in done.comparison.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if note := stale_note(done.sweep.n_stale):
        print(note)
    print(
        runs_line(
            len(done.sweep.runs), done.sweep.n_resumed, done.sweep.n_ran, renumbered=done.sweep.n_renumbered
        )
        + (
            f" and {rob.runs} robustness runs ({rob.runs_resumed} kept from before)"
            if (rob := done.comparison.robustness) is not None
            else ""
        )
        + " in "
        f"{time.perf_counter() - start:.1f} s; wrote {out}/report.html, "
        + ", ".join(done.comparison.TABLES)
        + (", robustness_draws.csv, robustness_summary.csv" if done.comparison.robustness is not None else "")
        + f" and {len(done.figures)} figures in figures/"
    )
    return 0


def _print_robustness(done: object, study: object, out: Path, posterior: object, draws: int | None) -> None:
    """Per policy across the posterior: the probability it ranks best, and whether its difference holds."""
    from partnersim.calibration.conclusions import HOLDS, posterior_draws, posterior_robustness
    from partnersim.io import write_table
    from partnersim.policy.compare import pooled_table

    sweep, cmp = done.sweep, done.comparison  # type: ignore[attr-defined]
    table = pooled_table(sweep.runs, sweep.partnerships, study)
    names = [p.name for p in study.policies]  # type: ignore[attr-defined]
    rob = posterior_robustness(table, names, study.baseline, cmp.month, draws or 1)  # type: ignore[attr-defined]
    write_table(rob, out / "posterior_robustness.csv")
    # replicate k runs draw k (k < draws), so its values are the draw's
    reps = study.replicate_draws()[: draws or 1]  # type: ignore[attr-defined]
    values = [{n: r.uncertainties[n] for n in posterior.names} for r in reps]  # type: ignore[attr-defined]
    write_table(posterior_draws(table, names, study.baseline, cmp.month, values), out / "posterior_draws.csv")  # type: ignore[attr-defined]
    m = cmp.month
    print(f"across {int(rob['draws'].iloc[0])} posterior draws, working at {m} months:")
    print(f"{'policy':34s} {'P(best)':>8s} {'difference from baseline (90% of draws)':>42s}  holds?")
    for _, r in rob.iterrows():
        if r["baseline"]:
            diff = "(baseline)"
            holds = ""
        else:
            diff = f"{r['diff_mean']:+.1%} ({r['diff_lower']:+.1%} to {r['diff_upper']:+.1%})"
            holds = f"{'yes' if r['holds'] else 'no'} ({r['sign_agreement']:.0%} of draws)"
        print(f"{r['policy']:34s} {r['p_best']:8.0%} {diff:>42s}  {holds}")
    print(
        f"(holds: the sign of the difference is the same in at least {HOLDS:.0%} of draws); wrote {out}/posterior_robustness.csv and posterior_draws.csv (one row per draw and policy)"
    )

"""``partnersim compare``: run named funding policies on the same replicates and write a funder's report."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from partnersim.commands.common import add_runner_flags, runner_options


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
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from partnersim.experiments import output_dir
    from partnersim.policy.spec import load_policies

    # everything is checked before anything runs or is written
    study = load_policies(args.policies)
    opts = runner_options(args, ("--replicates", args.replicates))
    executor = opts["executor"]
    if args.replicates is not None:
        study = study.with_replicates(args.replicates)
    out = output_dir(args.out, study.name, args.policies)

    from partnersim.policy.compare import run_comparison

    n_runs = study.replicates * len(study.policies)
    print(
        f"partnersim compare: '{study.name}': {len(study.policies)} policies x {study.replicates} "
        f"replicates = {n_runs} runs on {executor}" + (f" at {args.scheduler}" if args.scheduler else "")
    )
    start = time.perf_counter()
    done = run_comparison(
        study,
        out,
        **opts,
    )
    res = done.comparison.results
    n_stale = getattr(done.sweep, "n_stale", 0)
    n_renumbered = getattr(done.sweep, "n_renumbered", 0)
    month = done.comparison.month
    print(f"{'policy':34s} {'partnerships':>12s} {'still working at ' + str(month) + ' months':>28s}")
    for _, r in res.iterrows():
        s, lo, hi = r[f"s{month}"], r[f"s{month}_lower"], r[f"s{month}_upper"]
        mark = " (baseline)" if r["baseline"] else ""
        print(f"{r['policy'] + mark:34s} {int(r['partnerships']):12d} {s:14.0%} ({lo:.0%}-{hi:.0%})")
    print(
        f"{len(done.sweep.runs)} runs ({done.sweep.n_resumed} kept from before"
        + (f", {n_renumbered} of them renumbered and kept" if n_renumbered else "")
        + (f", {n_stale} rerun because parameters, seeds or model code changed" if n_stale else "")
        + f", {done.sweep.n_ran} run now) in "
        f"{time.perf_counter() - start:.1f} s; wrote {out}/report.html, policy_results.csv, "
        f"survival_curves.csv, grant_end_hazard.csv and {len(done.figures)} figures in figures/"
    )
    return 0

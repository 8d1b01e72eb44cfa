"""``partnersim run``: one model run, with its monthly series, partnership table and figures."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="run the model once and write results and figures",
        description="Run the model once on the defaults, a config file and --set overrides "
        "(later wins), and write the monthly series, the partnership table, a summary and "
        "PNG figures.",
    )
    p.add_argument("--config", type=Path, help="TOML file with a [parameters] table")
    p.add_argument(
        "--set", dest="sets", action="append", metavar="NAME=VALUE", help="set one parameter (repeatable)"
    )
    p.add_argument(
        "--out", type=Path, default=Path("results/run"), help="output folder (default: results/run)"
    )
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="table format")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from partnersim.config import load_parameters, parse_sets
    from partnersim.io import check_output, staged, write_json, write_table
    from partnersim.model import PartnershipModel
    from partnersim.plots import plot_run
    from partnersim.schema import validate

    params = load_parameters(args.config) if args.config else {}
    params.update(parse_sets(args.sets))
    params.setdefault("rng", 42)
    resolved = validate(params)
    out: Path = args.out
    ext = args.format
    # an output folder that cannot be used is refused before the model runs
    check_output(out, files=[f"timeseries.{ext}", f"partnerships.{ext}", "summary.json"], folders=["figures"])
    model = PartnershipModel(**params).run()
    ts, table = model.timeseries(), model.partnership_table()
    summary = model.summary()
    # every file is moved into place together: a full disk leaves no half-written set
    with staged(out) as stage:
        write_table(ts.reset_index(), stage / f"timeseries.{ext}")
        write_table(table, stage / f"partnerships.{ext}")
        write_json({"parameters": resolved, "summary": summary}, stage / "summary.json")
        figures = plot_run(ts, table, stage / "figures", grant_end=resolved["funding_length"])
    print(f"partnersim run: {model.steps} months, {len(table)} partnerships, seed {resolved['rng']}")
    for k, v in summary.items():
        print(f"  {k:16s} {v:10.3f}")
    print(
        f"wrote {out}/timeseries.{ext}, partnerships.{ext}, summary.json and {len(figures)} figures in {out}/figures/"
    )
    return 0

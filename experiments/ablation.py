"""Ablation: switch off each mechanism in turn and report which stylised facts still hold.

Runs the pre-registered fact checks (docs/ODD.md section 1.2.1: seeds 0-31,
one-sided paired t-tests at 0.01) on the model as it is and with each switch
of ``partnersim.ablation.ABLATIONS`` (or those named with ``--switch``), and
writes to ``results/ablation/``:

- ``facts.csv``: every check on the model as it is (mean difference, 95 %
  interval, p, holds); ``magnitudes.csv``: the default-magnitude checks;
- ``ablation_checks.csv``: every check under every switch (tidy);
- ``ablation.csv`` and ``ablation.md``: the mechanism x fact table;
- ``ablation.png``: the check x mechanism grid.

Runs are kept per setting under ``results/ablation/cache/`` (model code in
the path), so an interrupted run resumes. With ``--odd`` the two tables are
written into docs/ODD.md (sections 1.2.2 and 1.2.3). Run from the repository
root: ``.venv/bin/python experiments/ablation.py --workers 2 --odd``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def _provenance(seeds: list[int]) -> str:
    from partnersim import __version__
    from partnersim.experiments.provenance import model_fingerprint

    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    seed_words = (
        f"seeds {seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[-1] + 1)) else f"seeds {seeds}"
    )
    return (
        f"Measured with `experiments/ablation.py` on {datetime.now(UTC):%Y-%m-%d}: partnersim "
        f"{__version__} (code {commit}, model code {model_fingerprint()}), {len(seeds)} replicates "
        f"per setting ({seed_words}), every parameter at its default except those named."
    )


def main(argv: list[str] | None = None) -> int:
    from partnersim import ablation as A
    from partnersim import facts as F
    from partnersim.experiments import EXECUTORS
    from partnersim.facts_report import ablation_markdown, results_markdown, update_odd
    from partnersim.io import atomic_write, write_table

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results/ablation", help="output folder (default results/ablation)")
    ap.add_argument("--executor", default="processes", choices=EXECUTORS, help="how runs are spread")
    ap.add_argument("--workers", type=int, default=None, help="parallel workers (default: CPU count)")
    ap.add_argument(
        "--switch",
        action="append",
        choices=list(A.ABLATIONS),
        help="only this switch (repeatable; default all)",
    )
    ap.add_argument(
        "--replicates",
        type=int,
        default=len(F.SEEDS),
        help=f"seeds 0..n-1 (default {len(F.SEEDS)}, the pre-registered design; fewer only for a quick look)",
    )
    ap.add_argument(
        "--odd", action="store_true", help="write the tables into docs/ODD.md (needs the full design)"
    )
    ap.add_argument(
        "--odd-only",
        action="store_true",
        help="run nothing: write the tables an earlier full run left in --out into docs/ODD.md",
    )
    args = ap.parse_args(argv)
    out = Path(args.out)
    if args.odd_only:
        return _odd_from(out, len(A.ABLATIONS), update_odd)
    if args.replicates < 2:
        ap.error(f"--replicates = {args.replicates} is not allowed: at least 2")
    if args.workers is not None and args.workers < 1:
        ap.error(f"--workers = {args.workers} is not allowed: at least 1")
    seeds = list(range(args.replicates))
    if args.odd and (seeds != list(F.SEEDS) or args.switch):
        ap.error("--odd needs the pre-registered design: every switch and the default --replicates")

    cache = F.RunCache(out / "cache")
    started = time.perf_counter()
    runner = {"executor": args.executor, "workers": args.workers, "progress": True}
    # the model as it is first: its tables are written before the switches run
    print("the facts on the model as it is", flush=True)
    base = F.evaluate(seeds=seeds, cache=cache, **runner)
    magnitudes = F.evaluate_magnitudes(seeds=seeds, cache=cache)
    write_table(base, out / "facts.csv")
    write_table(magnitudes, out / "magnitudes.csv")
    print(f"the facts with each of {len(args.switch or A.ABLATIONS)} mechanisms switched off", flush=True)
    results = A.run_ablation(args.switch, seeds=seeds, cache=cache, **runner)
    elapsed = time.perf_counter() - started
    write_table(results, out / "ablation_checks.csv")
    matrix = A.fact_matrix(results)
    flat = matrix.copy()
    flat.columns = [f"{kind}_fact_{fact}" for kind, fact in flat.columns]
    write_table(flat.reset_index(), out / "ablation.csv")
    provenance = _provenance(seeds)
    results_md = results_markdown(base, magnitudes, provenance)
    ablation_md = ablation_markdown(results, provenance)
    atomic_write(out / "facts.md", lambda p: p.write_text(results_md + "\n", encoding="utf-8"))
    atomic_write(out / "ablation.md", lambda p: p.write_text(ablation_md + "\n", encoding="utf-8"))
    A.plot_ablation(results, out / "ablation.png")
    if args.odd:
        update_odd(ROOT / "docs" / "ODD.md", results=results_md, ablation=ablation_md)

    verdicts = F.fact_verdicts(base)
    held = ", ".join(f for f, ok in verdicts["holds"].items() if ok) or "none"
    failed = ", ".join(f for f, ok in verdicts["holds"].items() if not ok) or "none"
    print(f"facts that hold: {held}; fail: {failed}")
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(matrix["holds"].replace({True: "holds", False: "FAILS"}).to_string())
    print(f"{len(results)} check results in {elapsed:.0f} s; tables and figure in {out}")
    if args.odd:
        print("docs/ODD.md sections 1.2.2 and 1.2.3 updated")
    return 0


def _odd_from(out: Path, n_switches: int, update_odd: Any) -> int:
    """Write the Markdown tables of an earlier full run into the ODD, after checking they are complete."""
    from partnersim import facts as F

    paths = [out / "facts.md", out / "ablation.md", out / "ablation_checks.csv"]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"ablation: no earlier run in {out} ({', '.join(missing)} missing)", file=sys.stderr)
        return 2
    checks = pd.read_csv(out / "ablation_checks.csv")
    rows, seeds = checks["ablation"].nunique(), int(checks["n"].max())
    if rows != n_switches + 1 or seeds != len(F.SEEDS):
        print(
            f"ablation: the run in {out} has {rows - 1} switches and {seeds} replicates; "
            f"the ODD needs all {n_switches} and {len(F.SEEDS)}",
            file=sys.stderr,
        )
        return 2
    text = {p.stem: p.read_text(encoding="utf-8") for p in paths[:2]}
    update_odd(ROOT / "docs" / "ODD.md", results=text["facts"], ablation=text["ablation"])
    print("docs/ODD.md sections 1.2.2 and 1.2.3 updated from", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

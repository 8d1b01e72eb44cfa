"""Screen the calibrated parameters: which of them move the distance to the reports at all?

ABC-SMC over every behavioural parameter (56 on the v2 model) stalls: most
particles tie at one distance and the weights collapse (README,
Calibration). Before calibrating, this script draws ``--sets`` parameter
sets from the priors of a calibration file (a Latin hypercube, SALib),
simulates every target scenario for each as the calibration does, and
reports:

- how many sets break a cross-parameter rule of the schema (the
  calibration rejects them: its prior is truncated there);
- how often the valid sets tie at one distance (a tie at the median is
  what stops ABC-SMC's tolerance from falling);
- for each parameter, Spearman's rank correlation with the distance over
  the valid sets, with a bootstrap 95% interval.

    .venv/bin/python experiments/calibration_screen.py configs/calibration.toml --groups behaviour environment --sets 512 --workers 2

writes ``results/<name>-screen/screen.csv`` and ``figures/screen.png``.
A parameter whose interval holds 0 moves the distance no more than chance
does over these sets: the targets do not constrain it on their own (it may
still act with others), and a calibration may fix it at its default
(``[priors] name = value``).
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from SALib.sample import latin
from scipy import stats
from tqdm import tqdm

from partnersim.calibration.distance import total_distance
from partnersim.calibration.simulate import simulate_targets, usable_targets
from partnersim.calibration.study import CALIBRATABLE_GROUPS, CalibrationStudy, group_priors, load_calibration
from partnersim.io import write_table

ROOT = Path(__file__).resolve().parents[1]


def _distance(job: tuple[CalibrationStudy, dict[str, float], int]) -> float:
    study, draw, seed = job
    sim = simulate_targets(study, draw, seed)
    return float("nan") if sim is None else total_distance(sim, study.targets)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("study", help="a calibration file, e.g. configs/calibration.toml")
    ap.add_argument("--sets", type=int, default=512, help="parameter sets drawn from the priors")
    ap.add_argument(
        "--groups",
        nargs="+",
        choices=CALIBRATABLE_GROUPS,
        help="screen every number of these schema groups instead of the file's priors",
    )
    ap.add_argument("--replicates", type=int, default=None, help="runs per scenario (default: the file's)")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    study = usable_targets(load_calibration(args.study))
    if args.groups:
        # screen every number of these schema groups, not just the file's priors
        study = replace(study, priors=group_priors(args.groups, study.base))
    if args.replicates:
        study = replace(study, replicates=args.replicates)
    names = list(study.priors)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(study.priors[n].bounds()) for n in names],
    }
    X = latin.sample(problem, args.sets, seed=args.seed)
    seeds = np.random.SeedSequence(args.seed).generate_state(len(X), dtype=np.uint64) >> np.uint64(2)
    jobs = [
        (study, dict(zip(names, map(float, x), strict=True)), int(s)) for x, s in zip(X, seeds, strict=True)
    ]
    print(f"screen of '{study.name}': {len(names)} parameters, {len(X)} parameter sets", flush=True)
    with ProcessPoolExecutor(args.workers) as pool:
        y = np.array(list(tqdm(pool.map(_distance, jobs, chunksize=4), total=len(jobs), unit="set")))
    valid = ~np.isnan(y)
    Xv, yv = X[valid], y[valid]
    values, counts = np.unique(np.round(yv, 6), return_counts=True)
    rng = np.random.default_rng(args.seed)
    boots = [rng.integers(0, len(yv), len(yv)) for _ in range(200)]
    rows = []
    for j, n in enumerate(names):
        rho = stats.spearmanr(Xv[:, j], yv).statistic
        bs = [stats.spearmanr(Xv[i, j], yv[i]).statistic for i in boots]
        lo, hi = np.nanpercentile(bs, [2.5, 97.5])
        rows.append({"parameter": n, "rho": rho, "lower": lo, "upper": hi})
    table = pd.DataFrame(rows)
    table["holds_zero"] = (table["lower"] <= 0) & (table["upper"] >= 0)
    table = table.reindex(table["rho"].abs().sort_values(ascending=False).index).reset_index(drop=True)
    out = ROOT / "results" / f"{study.name}-screen"
    write_table(table, out / "screen.csv")
    print(
        f"{int((~valid).sum())} of {len(y)} sets break a cross-parameter rule of the schema; "
        f"the {int(valid.sum())} valid sets have {len(values)} distinct distances; the most common, "
        f"{values[counts.argmax()]:.4g}, {counts.max()} times ({counts.max() / len(yv):.0%}); "
        f"median {np.median(yv):.4g}"
    )
    for _, r in table.iterrows():
        mark = "   (interval holds 0)" if r["holds_zero"] else ""
        print(f"  {r['parameter']:30s} rho {r['rho']:+.3f} ({r['lower']:+.3f} to {r['upper']:+.3f}){mark}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    top = table.head(25).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(top) + 1.2))
    err = np.vstack([top["rho"] - top["lower"], top["upper"] - top["rho"]])
    ax.barh(top["parameter"], top["rho"], xerr=err, color="#4c72b0")
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xlabel("Spearman's rho with the calibration distance (95% bootstrap interval)")
    ax.set_title(f"Which parameters move the distance to the reports ({int(valid.sum())} valid sets)")
    fig.tight_layout()
    (out / "figures").mkdir(parents=True, exist_ok=True)
    fig.savefig(out / "figures" / "screen.png", dpi=120)
    print(f"wrote {out}/screen.csv and figures/screen.png")


if __name__ == "__main__":
    main()

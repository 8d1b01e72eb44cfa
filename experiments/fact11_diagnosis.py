"""Fact 11 (budget shocks hurt small VCSE partners most): who a shock keeps away, and how partnerships end.

Fact 11's pre-registered checks compare ``austerity_rate`` 0 with 0.5 on
seeds 0-31 (docs/ODD.md section 1.2.1). This script reruns those two
settings with an observer that only reads state, and counts, by sector:

- member-months of working partnerships, active and on paper;
- seats with a person in post, the share of them that attended a meeting
  held that month, and the share whose partnership time fell short of
  ``meeting_hours`` (:meth:`Partnership.time_of`);
- exits (members that left a partnership).

It also tallies how partnerships ended, and reruns fact 11's three checks
with small VCSE groups given less time (``capacity_vcse`` 12, 8, 6 and 4
hours a month), to see whether the fact depends on how much spare time a
small group has at the default. ODD section 1.2.5 reports the figures.

Writes ``results/fact11/``: ``sectors.csv``, ``endings.csv``,
``capacity_grid.csv`` and ``fact11.png``. Run from the repository root:
``.venv/bin/python experiments/fact11_diagnosis.py`` (about a minute).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SECTORS = ("statutory", "large_charity", "vcse")
#: the hours a month of a small VCSE group tried beside the default (12)
CAPACITY_VCSE = (12.0, 8.0, 6.0, 4.0)


class SectorTally:
    """A read-only observer: member-months, attendance and time shortfall by sector."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()

    def start(self, model: Any) -> None:
        pass

    def turnover(self, partnership: Any, at_risk: int, left: int) -> None:
        pass

    def before_replacement(self, partnership: Any, org: Any) -> None:
        pass

    def month_end(self, model: Any) -> None:
        hours = model.p["meeting_hours"]
        c = self.counts
        for q in model.partnerships_created:
            if not q.alive:
                continue
            came = {m.unique_id for m in q.attendees}
            for m in q.members:
                s, uid = m.sector, m.unique_id
                if uid in q.paper:
                    c[s, "paper_months"] += 1
                    continue
                c[s, "active_months"] += 1
                if not q.reps[uid].present:
                    continue
                c[s, "seats"] += 1
                c[s, "short_of_hours"] += q.time_of(m) < hours
                if q.met:
                    c[s, "seats_at_meetings"] += 1
                    c[s, "attended"] += uid in came


def tally(austerity: float, seeds: list[int]) -> tuple[pd.DataFrame, Counter[str]]:
    """Run the defaults with ``austerity_rate`` on each seed; the sector table and the endings by cause."""
    from partnersim.experiments.runner import progress_bar
    from partnersim.model import run_model
    from partnersim.schema import defaults

    params = {**defaults(), "austerity_rate": austerity}
    observer, exits, endings = SectorTally(), Counter(), Counter()
    for seed in progress_bar(seeds, desc=f"austerity_rate {austerity}", leave=False):
        model = run_model({**params, "rng": seed}, collect=False, observer=observer)
        exits.update(model.exits)
        causes = model.partnership_table()["cause"].fillna("")
        endings.update(cause or "still working" for cause in causes)
    c = observer.counts
    rows = []
    for s in SECTORS:
        seats, held = c[s, "seats"], c[s, "seats_at_meetings"]
        rows.append(
            {
                "austerity_rate": austerity,
                "sector": s,
                "active_member_months": c[s, "active_months"],
                "paper_member_months": c[s, "paper_months"],
                "attendance": c[s, "attended"] / held if held else float("nan"),
                "short_of_hours": c[s, "short_of_hours"] / seats if seats else float("nan"),
                "exits": exits[s],
            }
        )
    return pd.DataFrame(rows), endings


def capacity_grid(seeds: list[int], workers: int) -> pd.DataFrame:
    """Fact 11's pre-registered checks with ``capacity_vcse`` set in both settings."""
    from partnersim import facts as F

    frames = []
    for hours in CAPACITY_VCSE:
        r = F.evaluate(
            F.FACTS["11"].checks,
            seeds=seeds,
            overrides={"capacity_vcse": hours},
            executor="processes" if workers > 1 else "serial",
            workers=workers,
        )
        frames.append(
            r.assign(capacity_vcse=hours)[["capacity_vcse", "check", "claim", "mean_diff", "p", "holds"]]
        )
    return pd.concat(frames, ignore_index=True)


def figure(sectors: pd.DataFrame, path: Path) -> None:
    """Relative change from no shocks to ``austerity_rate`` 0.5, by sector."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wide = sectors.pivot(index="sector", columns="austerity_rate").reindex(list(SECTORS))
    measures = {
        "active member-months": "active_member_months",
        "attendance": "attendance",
        "exits": "exits",
    }
    lo, hi = sorted(sectors["austerity_rate"].unique())
    change = pd.DataFrame(
        {label: wide[(col, hi)] / wide[(col, lo)] - 1.0 for label, col in measures.items()}
    ).mul(100)
    ax = change.T.plot.bar(figsize=(7, 4), rot=0, color=["#4c72b0", "#dd8452", "#55a868"])
    ax.axhline(0, color="black", linewidth=0.8)
    # exits are counts of a few dozen: print them, so a large share of a small count reads as such
    for bars, sector in zip(ax.containers, SECTORS, strict=True):
        bar = bars[list(measures).index("exits")]
        n0, n1 = int(wide.loc[sector, ("exits", lo)]), int(wide.loc[sector, ("exits", hi)])
        y = bar.get_height()
        ax.annotate(
            f"{n0}→{n1}",
            (bar.get_x() + bar.get_width() / 2, y),
            ha="center",
            va="bottom" if y >= 0 else "top",
            fontsize=8,
        )
    ax.set_ylabel(f"change, austerity_rate {lo:g} → {hi:g} (%)")
    ax.set_title("Who a budget shock keeps away (defaults, 32 seeds)")
    ax.legend(title="sector", frameon=False)
    plt.tight_layout()
    plt.savefig(path, dpi=150)
    plt.close()


def main(argv: list[str] | None = None) -> int:
    from partnersim.facts import SEEDS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "fact11")
    parser.add_argument("--workers", type=int, default=2, help="processes for the capacity grid")
    args = parser.parse_args(argv)
    seeds = list(SEEDS)
    args.out.mkdir(parents=True, exist_ok=True)

    tables, endings = [], {}
    for austerity in (0.0, 0.5):
        table, ended = tally(austerity, seeds)
        tables.append(table)
        endings[austerity] = ended
    sectors = pd.concat(tables, ignore_index=True)
    ends = pd.DataFrame(endings).fillna(0).astype(int).rename_axis("cause")
    ends.columns = [f"austerity_rate {a:g}" for a in ends.columns]
    grid = capacity_grid(seeds, args.workers)

    sectors.to_csv(args.out / "sectors.csv", index=False)
    ends.to_csv(args.out / "endings.csv")
    grid.to_csv(args.out / "capacity_grid.csv", index=False)
    figure(sectors, args.out / "fact11.png")
    with pd.option_context("display.width", 160, "display.float_format", "{:.3f}".format):
        print(
            sectors.to_string(index=False),
            ends.to_string(),
            grid.drop(columns="claim").to_string(index=False),
            sep="\n\n",
        )
    print(f"\nwrote {args.out}/sectors.csv, endings.csv, capacity_grid.csv and fact11.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Reproduce the README's figures from the shipped commands and studies.

Runs ``partnersim run`` on its defaults and copies its trust and
active-partnership figures into ``docs/figures/``. The sweep, Sobol,
comparison and app figures are reproduced by their own commands (see the
README sections); pass ``--all`` to run those too (about 30 minutes on two
cores).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "docs" / "figures"
EXE = [sys.executable, "-m", "partnersim.cli"]


def run(*args: str) -> None:
    print("$ partnersim", " ".join(args), flush=True)
    subprocess.run([*EXE, *args], check=True, cwd=ROOT)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="also rerun the sweep, Sobol and comparison studies")
    args = ap.parse_args()
    FIGURES.mkdir(parents=True, exist_ok=True)
    run("run", "--out", "results/run")
    shutil.copy(ROOT / "results/run/figures/trust_by_sector_pair.png", FIGURES / "run-trust.png")
    shutil.copy(ROOT / "results/run/figures/active_partnerships.png", FIGURES / "run-active.png")
    if args.all:
        run("sweep", "configs/turnover-funding-coordinator.toml", "--executor", "processes", "--workers", "2")
        run("sobol", "configs/sobol-survival.toml", "--executor", "processes", "--workers", "2")
        run("compare", "configs/funding-policies.toml", "--executor", "processes", "--workers", "2")
    print(f"figures in {FIGURES}")


if __name__ == "__main__":
    main()

"""Reproduce the README's figures from the shipped commands and studies.

Runs ``partnersim run`` on its defaults and copies its trust and
active-partnership figures into ``docs/figures/``. With ``--all`` it also
reruns the sweep, Sobol (with scenario discovery and the second-order
study) and policy-comparison studies and copies their README figures (about
50 minutes on two shared cores, most of it the Sobol study, which alone took
19 minutes on two idle cores); the comparison's printed first page
needs chromium and pdftoppm (poppler-utils), both installed by ``scripts/setup.sh --browser``.
After a change to the model add ``--fresh``: the studies refuse to mix in
runs of other model code. The app screenshot comes from the
browser test: ``PARTNERSIM_APP_SCREENSHOT=docs/figures/app.png pytest tests/app``.
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


def first_page(report: Path, png: Path) -> None:
    """Print the report to A4 PDF in headless chromium (as a funder would) and keep page 1 as a PNG."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    pdf = report.with_suffix(".pdf")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(report.resolve().as_uri())
            page.emulate_media(media="print")
            page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()
    # pdftoppm (poppler-utils) writes <stem>.png for a single page with -singlefile
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "90",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(png.with_suffix("")),
        ],
        check=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="also rerun the sweep, Sobol and comparison studies")
    ap.add_argument(
        "--fresh",
        action="store_true",
        help="start those studies over (needed after a change to the model: they refuse runs of other model code)",
    )
    args = ap.parse_args()
    FIGURES.mkdir(parents=True, exist_ok=True)
    run("run", "--out", "results/run")
    shutil.copy(ROOT / "results/run/figures/trust_by_sector_pair.png", FIGURES / "run-trust.png")
    shutil.copy(ROOT / "results/run/figures/active_partnerships.png", FIGURES / "run-active.png")
    if args.all:
        procs = ("--executor", "processes", "--workers", "2", *(("--fresh",) if args.fresh else ()))
        run("sweep", "configs/turnover-funding-coordinator.toml", *procs)
        shutil.copy(
            ROOT / "results/turnover-funding-coordinator/figures/effects_survival_rate.png",
            FIGURES / "sweep-turnover-funding-coordinator.png",
        )
        run("sobol", "configs/sobol-survival.toml", *procs)
        shutil.copy(
            ROOT / "results/sobol-survival/sobol/figures/sobol_indices.png", FIGURES / "sobol-survival.png"
        )
        # scenario discovery on the Sobol study's runs (needs the [ema] extra)
        run("discover", "results/sobol-survival/sobol", "--outcome", "survival_rate", "--below", "0.2")
        shutil.copy(
            ROOT
            / "results/sobol-survival/sobol/discover/survival_rate-below-0.2/figures/peeling_trajectory.png",
            FIGURES / "discover-sobol-survival.png",
        )
        run("sobol", "configs/sobol-interactions.toml", *procs)
        run("compare", "configs/funding-policies.toml", *procs)
        shutil.copy(
            ROOT / "results/funding-policies/figures/survival_vs_baseline.png",
            FIGURES / "funding-policies-vs-baseline.png",
        )
        first_page(ROOT / "results/funding-policies/report.html", FIGURES / "funding-policies-first-page.png")
    print(f"figures in {FIGURES}")


if __name__ == "__main__":
    main()

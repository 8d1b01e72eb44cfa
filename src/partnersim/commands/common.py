"""Flags shared by every command that runs many model runs (sweep, sobol, morris, compare)."""

from __future__ import annotations

import argparse
from pathlib import Path

from partnersim.experiments.executors import EXECUTORS


def add_runner_flags(
    p: argparse.ArgumentParser,
    out_layout: str = "OUT/<name>/",
    chunk_default: str = "adaptive, about a second of work each",
) -> None:
    """Add ``--executor --workers --scheduler --out --fresh --chunk-size --no-progress``."""
    p.add_argument(
        "--executor",
        choices=EXECUTORS,
        default=None,
        help="where runs happen (default: serial, or dask with --scheduler)",
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="processes (default: all CPUs), or LocalCluster workers for dask (default: 2)",
    )
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.1:8786")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("results"),
        help=f"output folder; results go to {out_layout} (default: results)",
    )
    p.add_argument("--fresh", action="store_true", help="forget earlier runs of this study and start over")
    p.add_argument("--chunk-size", type=int, metavar="N", help=f"runs per task (default: {chunk_default})")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")

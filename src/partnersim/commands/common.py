"""Flags shared by every command that runs many model runs (sweep, sobol, morris, compare)."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from partnersim.config import ConfigError
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
        help="where runs happen (default: serial; processes with --workers N above 1; dask with --scheduler)",
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


def runner_options(args: argparse.Namespace, *counts: tuple[str, int | None]) -> dict[str, Any]:
    """Check the runner flags (and any other ``(flag, value)`` counts); return the runner's keyword arguments.

    Every count must be at least 1; ``--scheduler`` needs the dask executor,
    which it implies when ``--executor`` is not given, and ``--workers`` N
    above 1 implies local processes (asking for workers and getting one
    process would be a surprise).
    """
    for flag, value in (("--workers", args.workers), ("--chunk-size", args.chunk_size), *counts):
        if value is not None and value < 1:
            raise ConfigError(f"{flag} = {value} is not allowed: expected an integer of at least 1")
    implied = "dask" if args.scheduler else "processes" if (args.workers or 1) > 1 else "serial"
    executor = args.executor or implied
    if args.scheduler and executor != "dask":
        raise ConfigError(f"--scheduler {args.scheduler!r} needs --executor dask, not {executor!r}")
    return {
        "executor": executor,
        "workers": args.workers,
        "scheduler": args.scheduler,
        "chunk_size": args.chunk_size,
        "fresh": args.fresh,
        "progress": not args.no_progress,
    }


#: runs timed by a dry run, spread over the design (run time depends on the parameters)
TIMED_RUNS = 3


def estimate_line(specs: Sequence[Any], task: Any, opts: Mapping[str, Any], scheduler: str | None) -> str:
    """Time a few runs in this process, spread over ``specs``; say how long all of them would take."""
    import os

    from partnersim.experiments.runner import run_chunk

    n = len(specs)
    k = min(TIMED_RUNS, n)
    picks = [specs[round(i * (n - 1) / max(k - 1, 1))] for i in range(k)]
    run_chunk(picks[:1], task)  # untimed: the first run pays for imports and warm caches
    seconds = [run_chunk([spec], task)["elapsed"] for spec in picks]
    mean = sum(seconds) / k
    executor, workers = opts["executor"], opts["workers"]
    if executor == "serial":
        workers = 1
    elif executor == "processes":
        workers = workers or os.cpu_count() or 1
    where = (
        f"on {workers} worker{'s' if workers != 1 else ''} ({executor})"
        if workers
        else f"on one {executor} worker{' at ' + scheduler if scheduler else ''} (divide by the workers)"
    )
    total = mean * n / (workers or 1)
    return (
        f"{k} timed run{'s' if k != 1 else ''} took {', '.join(f'{s:.2f}' for s in seconds)} s "
        f"(mean {mean:.2f} s); about {_duration(total)} for {n} runs {where}, "
        "if the workers are as fast as this process"
    )


def runs_line(
    runs: int,
    resumed: int,
    ran: int,
    *,
    renumbered: int = 0,
    executor: str | None = None,
    workers: int | None = None,
    seconds: float | None = None,
    run_seconds: float | None = None,
) -> str:
    """The line each command that runs many model runs ends with: how many runs, kept or run now, on what, how fast.

    ``seconds`` is the command's wall time; ``run_seconds`` the part of it
    the runs took (the rate's time, when the command also analyses).
    "40 runs (12 kept from before, 28 run now, 56.0 runs/s) on processes with 2 worker(s); wall time 0.5 s"
    """
    kept = f"{resumed} kept from before" + (
        f", {renumbered} of them renumbered and kept" if renumbered else ""
    )
    took = run_seconds if run_seconds is not None else seconds
    rate = f", {ran / took:.1f} runs/s" if ran and took else ""
    line = f"{runs} runs ({kept}, {ran} run now{rate})"
    if executor is not None:
        line += f" on {executor} with {workers} worker(s)"
    if seconds is not None:
        line += f"; wall time {seconds:.1f} s"
    return line


def stale_note(n_stale: int) -> str | None:
    """The note printed when runs kept in a results folder were run again (their parameters, seeds or code changed)."""
    if not n_stale:
        return None
    return f"note: {n_stale} runs finished earlier with other parameters, seeds or model code were run again"


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def describe_written(paths: Iterable[Path]) -> str:
    """What a command wrote, counted by kind: "4 tables as Parquet and CSV (8 files), 2 figures in figures/, sobol.json and report.md"."""
    paths = list(paths)
    tables = [p for p in paths if p.suffix in (".parquet", ".csv")]
    figures = [p for p in paths if p.suffix == ".png"]
    others = [p.name for p in paths if p not in tables and p not in figures]
    parts = []
    if tables:
        kinds = " and ".join(
            k for k, s in (("Parquet", ".parquet"), ("CSV", ".csv")) if any(p.suffix == s for p in tables)
        )
        n = len({p.with_suffix("") for p in tables})
        parts.append(f"{n} table{'s' if n != 1 else ''} as {kinds} ({len(tables)} files)")
    if figures:
        parts.append(f"{len(figures)} figure{'s' if len(figures) != 1 else ''} in figures/")
    parts += others
    if len(parts) <= 1:
        return parts[0] if parts else "nothing else"
    return ", ".join(parts[:-1]) + " and " + parts[-1]

"""A finished results folder read back for analysis: its runs, factors and outcomes.

``partnersim plot`` and ``partnersim discover`` work on what a sweep, a
Sobol or Morris study or a comparison left in ``results/<name>/``
(``runs.parquet``, ``manifest.json``, maybe ``timeseries.parquet``), without
running anything again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from partnersim.config import ConfigError
from partnersim.outcomes import SUMMARY_NAMES

__all__ = ["ID_COLUMNS", "Finished", "open_results"]

#: bookkeeping columns of runs.parquet: never a factor, never an outcome
ID_COLUMNS = ("run_id", "point_id", "replicate", "seed", "policy", "rng")


@dataclass(frozen=True)
class Finished:
    """What a results folder holds.

    Attributes:
        path: the folder.
        runs: one row per run.
        factors: the parameters that vary across the runs, in the study's order.
        continuous: the factors the design sampled from a range (binned in figures).
        outcomes: the summary outcomes the runs kept.
        timeseries: the monthly series, when the study kept them.
    """

    path: Path
    runs: pd.DataFrame
    factors: list[str]
    continuous: list[str]
    outcomes: list[str]
    timeseries: pd.DataFrame | None = None

    def check_column(self, name: str, what: str, allowed: list[str]) -> str:
        """``name`` if it is one of ``allowed``, else one clear ConfigError."""
        if name not in allowed:
            raise ConfigError(
                f"{self.path}: {what} {name!r} is not in these runs: expected one of {', '.join(allowed) or 'none'}"
            )
        return name


def _sampled(factors: Any) -> tuple[list[str], list[str]]:
    """Factor names and those sampled from a range, from a manifest's resolved study."""
    if isinstance(factors, Mapping):  # a sweep: name -> [values] or {low, high} / {choices}
        names = list(factors)
        return names, [n for n, v in factors.items() if isinstance(v, Mapping) and "low" in v]
    if isinstance(factors, list):  # Sobol or Morris: rows of factor, kind, distribution
        names = [f["factor"] for f in factors if isinstance(f, Mapping) and "factor" in f]
        return names, [f["factor"] for f in factors if f.get("kind") in ("float", "int")]
    return [], []


def open_results(path: str | Path) -> Finished:
    """Read a results folder; raise :class:`ConfigError` if it holds no finished runs."""
    from partnersim.schema import PARAMETERS

    path = Path(path)
    runs_file = path / "runs.parquet"
    if not runs_file.is_file():
        raise ConfigError(
            f"{path}: no runs.parquet here: give the folder a sweep, sobol, morris or compare wrote "
            "(e.g. results/<name>/ or results/<name>/sobol/)"
        )
    runs = pd.read_parquet(runs_file)
    manifest: dict[str, Any] = {}
    if (path / "manifest.json").is_file():
        import json

        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    resolved = (manifest.get("study") or {}).get("resolved") or {}
    named, continuous = _sampled(resolved.get("factors"))
    varied = [
        c
        for c in runs.columns
        if c in PARAMETERS and c not in ID_COLUMNS and runs[c].nunique(dropna=False) > 1
    ]
    factors = [n for n in named if n in varied] + [c for c in varied if c not in named]
    outcomes = [c for c in runs.columns if c in SUMMARY_NAMES]
    ts = pd.read_parquet(path / "timeseries.parquet") if (path / "timeseries.parquet").is_file() else None
    return Finished(
        path=path,
        runs=runs,
        factors=factors,
        continuous=[c for c in continuous if c in factors],
        outcomes=outcomes,
        timeseries=ts,
    )

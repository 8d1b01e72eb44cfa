"""Tiny calibration files that run in seconds (imported by the calibration tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from partnersim.calibration.driver import run_calibration
from partnersim.calibration.posterior import Posterior, weighted_quantile
from partnersim.calibration.report import write_outputs
from partnersim.calibration.study import CalibrationStudy, load_calibration
from partnersim.calibration.synthetic import synthetic_study, synthetic_text

__all__ = ["TINY", "calibrate_tiny", "interval95", "write_tiny"]

#: the tiny file's text at the template's defaults
TINY = synthetic_text(name="tiny")


def write_tiny(path: Path, **kw: object) -> Path:
    """A two-parameter calibration of 40-month runs of six partnerships, named "tiny"."""
    return synthetic_study(path, **{**kw, "name": "tiny"})


def calibrate_tiny(
    folder: Path, obs: dict[str, Any], population: int = 30, populations: int = 4
) -> tuple[CalibrationStudy, Posterior]:
    """Write the tiny file with ``obs``, calibrate it on one worker into ``folder/out``, write the outputs."""
    study = load_calibration(
        write_tiny(folder / "synthetic.toml", population=population, populations=populations, **obs)
    )
    run = run_calibration(study, folder / "out", workers=1)
    assert len(run.generations) == populations
    write_outputs(run)
    return study, Posterior.load(folder / "out")


def interval95(post: Posterior, name: str) -> tuple[float, float]:
    """The weighted central 95% interval of one parameter."""
    lo, hi = weighted_quantile(post.particles[name], post.weights, [0.025, 0.975])
    return float(lo), float(hi)

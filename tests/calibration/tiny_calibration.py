"""Tiny calibration files that run in seconds (imported by the calibration tests)."""

from __future__ import annotations

from pathlib import Path

from partnersim.calibration.synthetic import synthetic_study, synthetic_text

__all__ = ["TINY", "write_tiny"]

#: the tiny file's text at the template's defaults
TINY = synthetic_text(name="tiny")


def write_tiny(path: Path, **kw: object) -> Path:
    """A two-parameter calibration of 40-month runs of six partnerships, named "tiny"."""
    return synthetic_study(path, **{**kw, "name": "tiny"})

"""Tiny calibration files that run in seconds (imported by the calibration tests)."""

from __future__ import annotations

from pathlib import Path

from partnersim.calibration.synthetic import DEFAULTS, TEMPLATE, synthetic_study

__all__ = ["DEFAULTS", "TINY", "write_tiny"]

TINY = TEMPLATE.replace('name = "{name}"', 'name = "tiny"')


def write_tiny(path: Path, **kw: object) -> Path:
    """A two-parameter calibration of 40-month runs of six partnerships, named "tiny"."""
    return synthetic_study(path, **{**kw, "name": "tiny"})

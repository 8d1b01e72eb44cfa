"""Fixtures for the calibration tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_calibration import write_tiny


@pytest.fixture
def tiny_calibration(tmp_path: Path) -> Path:
    """A two-parameter calibration of 40-month runs of six partnerships."""
    return write_tiny(tmp_path / "tiny.toml")

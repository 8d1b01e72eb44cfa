"""Fixtures for the experiments tests: tiny studies that run in a second."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY = """
name = "tiny"
replicates = 3
seed = 7
outcomes = ["survival_rate", "mean_trust", "total_output"]

[parameters]
horizon = 24

[factors]
staff_turnover = [0.1, 0.5]
coordinator = [true, false]
"""


@pytest.fixture
def tiny_study(tmp_path: Path) -> Path:
    """A 2 x 2 grid x 3 replicates study of 24-month runs (12 runs)."""
    path = tmp_path / "tiny.toml"
    path.write_text(TINY, encoding="utf-8")
    return path


KILLABLE = """
name = "killable"
replicates = 20
seed = 99
outcomes = ["survival_rate", "total_output"]
[parameters]
horizon = 120
[factors]
coordinator = [true, false]
"""


@pytest.fixture
def killable_study(tmp_path: Path) -> Path:
    """A 40-run study of 120-month runs: long enough to stop in the middle."""
    path = tmp_path / "killable.toml"
    path.write_text(KILLABLE, encoding="utf-8")
    return path

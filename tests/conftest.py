"""Shared fixtures and settings for the partnersim test suite."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent


def _load_script(relative: str) -> ModuleType:
    """A script of the repository that is not in a package (``experiments/``, ``docs/``, ``benchmarks/``), by its path."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def load_script() -> Callable[[str], ModuleType]:
    """Load a repository script as a module: ``load_script("experiments/fact11_diagnosis.py")``."""
    return _load_script

"""The runner flags every study command shares: what --workers and --scheduler imply."""

from __future__ import annotations

import argparse

import pytest

from partnersim.commands.common import runner_options
from partnersim.config import ConfigError


def _args(**kw) -> argparse.Namespace:
    base = dict(executor=None, workers=None, scheduler=None, chunk_size=None, fresh=False, no_progress=True)
    return argparse.Namespace(**{**base, **kw})


@pytest.mark.parametrize(
    ("given", "executor"),
    [
        ({}, "serial"),
        ({"workers": 1}, "serial"),
        ({"workers": 2}, "processes"),
        ({"workers": 2, "executor": "serial"}, "serial"),
        ({"scheduler": "tcp://127.0.0.1:8786"}, "dask"),
        ({"workers": 3, "executor": "dask"}, "dask"),
    ],
)
def test_workers_imply_processes_and_a_scheduler_implies_dask(given, executor):
    assert runner_options(_args(**given))["executor"] == executor


def test_a_scheduler_with_another_executor_is_refused():
    with pytest.raises(ConfigError, match="needs --executor dask"):
        runner_options(_args(scheduler="tcp://127.0.0.1:8786", executor="processes"))

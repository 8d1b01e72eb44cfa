"""``partnersim calibrate --scheduler``: the seeded sampler on a Dask cluster (a local one here)."""

from __future__ import annotations

import pandas as pd
import pytest
from tiny_calibration import write_tiny

from partnersim.cli import main

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(600)]


def test_calibrate_on_a_dask_scheduler(tmp_path, capsys):
    from distributed import LocalCluster

    path = write_tiny(tmp_path / "tiny.toml", population=6, populations=2, horizon=30)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        code = main(
            [
                "calibrate",
                str(path),
                "--scheduler",
                cluster.scheduler_address,
                "--out",
                str(tmp_path / "r"),
                "--no-progress",
            ]
        )
    assert code == 0
    out = capsys.readouterr().out
    assert "Dask at tcp://" in out and "2 generations" in out
    assert (tmp_path / "r" / "tiny" / "posterior.parquet").exists()
    # the cluster's particles are the ones this process draws alone
    assert main(["calibrate", str(path), "--out", str(tmp_path / "one"), "--no-progress"]) == 0
    cluster_run = pd.read_parquet(tmp_path / "r" / "tiny" / "posterior.parquet")
    one_worker = pd.read_parquet(tmp_path / "one" / "tiny" / "posterior.parquet")
    pd.testing.assert_frame_equal(cluster_run, one_worker)


def test_an_unreachable_scheduler_is_one_line(tmp_path, capsys):
    import socket

    with socket.socket() as s:  # a free port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = write_tiny(tmp_path / "tiny.toml", population=6, populations=1)
    code = main(
        ["calibrate", str(path), "--scheduler", f"tcp://127.0.0.1:{port}", "--out", str(tmp_path / "r")]
    )
    assert code == 1
    assert f"could not reach a Dask scheduler at tcp://127.0.0.1:{port}" in capsys.readouterr().err

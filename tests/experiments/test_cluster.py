"""A real Dask cluster on 127.0.0.1: ``dask scheduler`` plus two ``dask worker`` processes.

Every wait is bounded and every process is killed in ``finally``.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import partnersim
from partnersim.cli import main as cli_main
from partnersim.experiments import load_manifest, load_study, make_specs, run_specs

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(240)]

DASK = str(Path(sys.executable).with_name("dask"))
STARTUP_TIMEOUT = 60


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


@contextlib.contextmanager
def dask_cluster(folder: Path, n_workers: int = 2) -> Iterator[tuple[str, list[subprocess.Popen]]]:
    """Start a scheduler and ``n_workers`` single-threaded workers; yield (address, workers)."""
    if not Path(DASK).exists():
        pytest.skip("the dask CLI is not installed next to this Python")
    folder.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen] = []
    logs = []

    def start(args: list[str], name: str) -> subprocess.Popen:
        log = open(folder / f"{name}.log", "wb")  # noqa: SIM115 - closed in finally
        logs.append(log)
        proc = subprocess.Popen([DASK, *args], stdout=log, stderr=subprocess.STDOUT, cwd=folder)
        procs.append(proc)
        return proc

    try:
        sched_file = folder / "scheduler.json"
        start(
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(sched_file),
            ],
            "scheduler",
        )
        _wait_for(sched_file.exists, STARTUP_TIMEOUT, "the scheduler file")
        _wait_for(
            lambda: json.loads(sched_file.read_text() or "{}").get("address"), 10, "the scheduler address"
        )
        address = json.loads(sched_file.read_text())["address"]
        workers = [
            start(
                [
                    "worker", address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1",
                    "--no-dashboard", "--memory-limit", "0", "--death-timeout", "60",
                    "--local-directory", str(folder / f"worker{i}"),
                ],
                f"worker{i}",
            )
            for i in range(n_workers)
        ]  # fmt: skip
        from distributed import Client

        with Client(address, timeout=STARTUP_TIMEOUT) as client:
            client.wait_for_workers(n_workers, timeout=STARTUP_TIMEOUT)
        yield address, workers
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.kill()
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
        for log in logs:
            log.close()


def test_sweep_on_a_dask_scheduler_equals_serial_run_for_run(tmp_path, tiny_study):
    out = tmp_path / "results"
    with dask_cluster(tmp_path / "cluster") as (address, _):
        code = cli_main(["sweep", str(tiny_study), "--scheduler", address, "--out", str(out), "--no-progress",
                         "--no-figures"])  # fmt: skip
    assert code == 0
    runs = pd.read_parquet(out / "tiny" / "runs.parquet")
    study = load_study(tiny_study)
    serial = run_specs(study.specs(), outcomes=study.outcomes)
    pd.testing.assert_frame_equal(runs, serial.runs)
    manifest = json.loads((out / "tiny" / "manifest.json").read_text())
    assert manifest["executor"] == "dask" and manifest["workers"] == 2 and manifest["scheduler"] == address


SLOW = """
name = "slow"
replicates = 15
seed = 3
outcomes = ["survival_rate", "total_output"]
[parameters]
horizon = 360
[factors]
coordinator = [true, false]
"""


def test_sweep_survives_a_worker_killed_mid_sweep(tmp_path):
    study = tmp_path / "slow.toml"
    study.write_text(SLOW, encoding="utf-8")
    out = tmp_path / "results"
    chunks = out / "slow" / "chunks"
    with dask_cluster(tmp_path / "cluster") as (address, workers):
        args = [sys.executable, "-m", "partnersim.cli", "sweep", str(study), "--scheduler", address, "--out",
                str(out), "--chunk-size", "1", "--no-progress", "--no-figures"]  # fmt: skip
        with open(tmp_path / "sweep.log", "wb") as log:
            sweep = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
            try:
                _wait_for(lambda: len(list(chunks.glob("runs-*.parquet"))) >= 2, 120, "two finished chunks")
                assert sweep.poll() is None, "the sweep finished before a worker could be killed"
                os.kill(workers[0].pid, signal.SIGKILL)
                workers[0].wait(timeout=15)
                sweep.wait(timeout=180)
            finally:
                if sweep.poll() is None:
                    sweep.kill()
                    sweep.wait(timeout=15)
    assert sweep.returncode == 0, (tmp_path / "sweep.log").read_text()
    assert workers[0].returncode == -signal.SIGKILL
    runs = pd.read_parquet(out / "slow" / "runs.parquet")
    assert list(runs["run_id"]) == list(range(30))  # every run present, once
    specs = load_study(study).specs()
    for i in (0, 29):
        expected = partnersim.simulate(**specs[i].params, rng=specs[i].seed)
        assert runs.loc[i, "total_output"] == expected["total_output"]


def test_sweep_on_a_local_dask_cluster_equals_serial(tmp_path, tiny_study):
    out = tmp_path / "results"
    code = cli_main(["sweep", str(tiny_study), "--executor", "dask", "--workers", "2", "--out", str(out),
                     "--no-progress", "--no-figures"])  # fmt: skip
    assert code == 0
    study = load_study(tiny_study)
    serial = run_specs(study.specs(), outcomes=study.outcomes)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "tiny" / "runs.parquet"), serial.runs)
    manifest = json.loads((out / "tiny" / "manifest.json").read_text())
    assert (manifest["executor"], manifest["workers"], manifest["scheduler"]) == ("dask", 2, "LocalCluster")


def _sleepy(x: int, rng: int) -> dict[str, float]:
    started = time.time()
    time.sleep(0.25)
    return {"y": float(x), "t0": started, "t1": time.time()}


def test_workers_that_join_after_the_start_are_used(tmp_path):
    from distributed import Client, LocalCluster

    # threads, not processes: joining is quick; the runs sleep, so threads run side by side
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None)
    try:
        with Client(cluster) as client:
            specs = make_specs([{"x": i} for i in range(30)], 1, root_seed=1)
            timer = threading.Timer(0.4, lambda: cluster.scale(4))
            timer.start()
            try:
                res = run_specs(
                    specs, tmp_path / "grow", executor=client.get_executor(), fn=_sleepy, chunk_size=1
                )
            finally:
                timer.cancel()
    finally:
        cluster.close()
    events = sorted([(t, 1) for t in res.runs["t0"]] + [(t, -1) for t in res.runs["t1"]])
    busy = peak = 0
    for _, step in events:
        busy += step
        peak = max(peak, busy)
    assert peak >= 3  # with the in-flight limit fixed at the start (one worker), at most 2
    manifest = load_manifest(tmp_path / "grow")
    assert manifest["workers_at_start"] == 1 and manifest["workers"] == 4

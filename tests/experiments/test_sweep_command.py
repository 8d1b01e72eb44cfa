"""``partnersim sweep`` end to end: tables, manifest, figures, and resume after SIGKILL."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

import partnersim
from partnersim.cli import main as cli_main
from partnersim.experiments import load_study, spawn_seeds

SWEEP = [sys.executable, "-m", "partnersim.cli", "sweep"]


def test_sweep_writes_runs_manifest_and_figures(tmp_path, tiny_study, capsys):
    out = tmp_path / "results"
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress"]) == 0
    folder = out / "tiny"
    runs = pd.read_parquet(folder / "runs.parquet")
    assert list(runs["run_id"]) == list(range(12))
    assert list(runs["seed"]) == spawn_seeds(7, 12)
    assert list(runs.columns[-3:]) == ["survival_rate", "mean_trust", "total_output"]
    assert runs.groupby(["staff_turnover", "coordinator"]).size().tolist() == [3, 3, 3, 3]

    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["runs_done"] == 12
    assert manifest["study"]["given"]["factors"]["staff_turnover"] == [0.1, 0.5]
    assert manifest["study"]["resolved"]["base"]["horizon"] == 24
    assert (
        manifest["study"]["resolved"]["base"]["funding_length"]
        == partnersim.PARAMETERS["funding_length"].default
    )
    assert manifest["versions"]["partnersim"] == partnersim.__version__
    assert {"mesa", "numpy", "pandas", "dask"} <= set(manifest["versions"])
    assert (
        manifest["executor"] == "serial" and manifest["workers"] == 1 and manifest["chunk_size"] == "adaptive"
    )
    assert manifest["started"] <= manifest["finished"]
    assert "git_commit" in manifest

    figures = sorted(p.name for p in (folder / "figures").glob("*.png"))
    assert "effects_survival_rate.png" in figures and "heatmap_survival_rate.png" in figures
    assert len(figures) == 9  # effects, interaction and heatmap for each of the 3 outcomes
    assert all((folder / "figures" / f).stat().st_size > 5000 for f in figures)
    assert "12 runs" in capsys.readouterr().out

    # the same command again runs nothing and changes nothing
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress", "--no-figures"]) == 0
    assert "12 kept from before, 0 run now" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_parquet(folder / "runs.parquet"), runs)


def _wait_for_chunks(proc: subprocess.Popen, chunks: Path, n: int, timeout: float = 90) -> None:
    """Wait until the running sweep ``proc`` has saved ``n`` chunks, so a signal lands mid-sweep."""
    deadline = time.monotonic() + timeout
    while len(list(chunks.glob("runs-*.parquet"))) < n:
        assert proc.poll() is None, "the sweep ended before it could be stopped"
        assert time.monotonic() < deadline, "no chunk finished in time"
        time.sleep(0.02)


def test_sigkill_mid_sweep_then_rerun_completes_every_run_once(tmp_path, killable_study):
    study = killable_study
    out = tmp_path / "results"
    chunks = out / "killable" / "chunks"
    args = [*SWEEP, str(study), "--out", str(out), "--chunk-size", "1", "--no-progress", "--no-figures"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_chunks(proc, chunks, 3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "killable" / "runs.parquet").exists()
    kept = len(list(chunks.glob("runs-*.parquet")))
    assert 3 <= kept < 40
    # a kill mid-write may leave a temporary file, never a half-written chunk under its final name
    assert all(len(pd.read_parquet(f)) == 1 for f in chunks.glob("runs-*.parquet"))

    assert (
        cli_main(
            ["sweep", str(study), "--out", str(out), "--chunk-size", "1", "--no-progress", "--no-figures"]
        )
        == 0
    )
    runs = pd.read_parquet(out / "killable" / "runs.parquet")
    assert list(runs["run_id"]) == list(range(40))
    manifest = json.loads((out / "killable" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["runs_done"] == 40
    specs = load_study(study).specs()
    # runs kept from before the kill and runs made after it are both the model on their own seed
    for i in (0, 1, 39):
        expected = partnersim.simulate(**specs[i].params, rng=specs[i].seed)
        assert runs.loc[i, "total_output"] == expected["total_output"]


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_sigterm_stops_workers_keeps_finished_runs_and_exits_143(tmp_path, killable_study, capsys):
    study = killable_study
    out = tmp_path / "results"
    chunks = out / "killable" / "chunks"
    args = [*SWEEP, str(study), "--out", str(out), "--chunk-size", "1", "--no-progress", "--no-figures",
            "--executor", "processes", "--workers", "2"]  # fmt: skip
    # a process group of its own: the sweep and its workers, nothing else
    log = tmp_path / "sweep.log"
    with log.open("wb") as f:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=f, start_new_session=True)
    pgid = proc.pid
    try:
        _wait_for_chunks(proc, chunks, 3)
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 10
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = _group_alive(pgid)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
    assert not survivors, "worker processes outlived the sweep"
    assert proc.returncode == 143
    err = log.read_text()
    assert "terminated; finished work is kept" in err and "Traceback" not in err
    kept = {int(i) for f in chunks.glob("runs-*.parquet") for i in pd.read_parquet(f)["run_id"]}
    assert 3 <= len(kept) < 40

    capsys.readouterr()
    assert cli_main(["sweep", str(study), "--out", str(out), "--no-progress", "--no-figures"]) == 0
    assert f"{len(kept)} kept from before, {40 - len(kept)} run now" in capsys.readouterr().out
    assert list(pd.read_parquet(out / "killable" / "runs.parquet")["run_id"]) == list(range(40))


def test_fresh_with_an_unreachable_scheduler_leaves_results_untouched(
    tmp_path, tiny_study, capsys, monkeypatch
):
    from partnersim.experiments import executors

    out = tmp_path / "results"
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress", "--no-figures"]) == 0
    before = {p: p.read_bytes() for p in (out / "tiny").rglob("*") if p.is_file()}
    capsys.readouterr()
    monkeypatch.setattr(executors, "DASK_CONNECT_TIMEOUT", 1)
    code = cli_main(["sweep", str(tiny_study), "--out", str(out), "--fresh", "--scheduler", "tcp://127.0.0.1:9",
                     "--no-progress", "--no-figures"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and "tcp://127.0.0.1:9" in err and "Traceback" not in err
    assert {p: p.read_bytes() for p in (out / "tiny").rglob("*") if p.is_file()} == before


def test_tables_and_figures_of_an_earlier_study_version_are_removed(tmp_path, tiny_study):
    out = tmp_path / "results"
    folder = out / "tiny"
    before = tiny_study.read_text().replace(
        "[parameters]", "partnerships = true\ntimeseries = true\n[parameters]"
    )
    tiny_study.write_text(before, encoding="utf-8")
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress"]) == 0
    assert (folder / "partnerships.parquet").exists() and (folder / "timeseries.parquet").exists()
    assert (folder / "figures" / "heatmap_mean_trust.png").exists()
    (folder / "figures" / "notes.png").write_bytes(b"mine")  # not a sweep figure: kept

    # the study changes: no optional tables, one outcome, one factor (so no heatmap)
    after = (
        before.replace("partnerships = true\ntimeseries = true\n", "")
        .replace('["survival_rate", "mean_trust", "total_output"]', '["survival_rate"]')
        .replace("coordinator = [true, false]\n", "")
    )
    tiny_study.write_text(after, encoding="utf-8")
    # no finished run matches the changed study: it stops and asks for --fresh, changing nothing
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress"]) == 2
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress", "--fresh"]) == 0
    assert sorted(p.name for p in folder.glob("*.parquet")) == ["runs.parquet"]
    assert sorted(p.name for p in (folder / "figures").glob("*.png")) == ["effects_survival_rate.png"]

    # without figures drawn, only figures of outcomes no longer kept go
    (folder / "figures" / "notes.png").write_bytes(b"mine")  # not a sweep figure: kept
    (folder / "figures" / "effects_mean_trust.png").write_bytes(b"old")
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress", "--no-figures"]) == 0
    assert sorted(p.name for p in (folder / "figures").glob("*.png")) == [
        "effects_survival_rate.png",
        "notes.png",
    ]


def test_a_failing_run_is_named_by_the_command(tmp_path, tiny_study, capsys, monkeypatch):
    import partnersim.model

    real = partnersim.model.run_model
    bad_seed = spawn_seeds(7, 12)[5]

    def run_model(params, **kwargs):
        if params["rng"] == bad_seed:
            raise FloatingPointError("model blew up")
        return real(params, **kwargs)

    monkeypatch.setattr(partnersim.model, "run_model", run_model)
    out = tmp_path / "results"
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), "--no-progress", "--chunk-size", "1"]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "FloatingPointError: model blew up" in last
    assert f"run_id 5 (point_id 1, replicate 2, seed {bad_seed})" in last and "'staff_turnover': 0.1" in last
    assert len(list((out / "tiny" / "chunks").glob("runs-*.parquet"))) == 5  # finished runs are kept


def test_more_replicates_with_spawned_seeds_says_why_runs_are_run_again(tmp_path, tiny_study, capsys):
    out, fresh = tmp_path / "results", tmp_path / "fresh"
    flags = ["--no-progress", "--no-figures"]
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), *flags]) == 0
    tiny_study.write_text(
        tiny_study.read_text().replace("replicates = 3", "replicates = 4"), encoding="utf-8"
    )
    capsys.readouterr()
    assert cli_main(["sweep", str(tiny_study), "--out", str(out), *flags]) == 0
    said = capsys.readouterr().out
    # a seed belongs to a run_id: only runs 0-2, 4, 5 and 8 keep their point (r // 3 == r // 4)
    assert "16 runs (6 kept from before, 10 run now" in said
    assert "note: 6 runs finished earlier with other parameters, seeds or model code were run again" in said
    assert cli_main(["sweep", str(tiny_study), "--out", str(fresh), *flags]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "tiny" / "runs.parquet"), pd.read_parquet(fresh / "tiny" / "runs.parquet")
    )

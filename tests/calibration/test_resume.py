"""A calibration killed mid-generation (SIGKILL) resumes from its SQLite history; one worker is reproducible."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from tiny_calibration import write_tiny

from partnersim.calibration.driver import run_calibration
from partnersim.calibration.study import load_calibration


def _generations_saved(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            row = con.execute("select count(*) from populations where t >= 0").fetchone()
        return int(row[0])
    except sqlite3.Error:
        return 0


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "partnersim.cli", "calibrate", *args]


@pytest.mark.timeout(900)  # a few seconds on an idle machine; the margin is for a shared one
def test_sigkill_mid_generation_then_resume_equals_an_uninterrupted_run(tmp_path):
    path = write_tiny(tmp_path / "tiny.toml", population=16, populations=3, horizon=48)
    out = tmp_path / "killed"
    db = out / "tiny" / "abc.db"
    proc = subprocess.Popen(
        _cli(str(path), "--out", str(out), "--no-progress"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 600
        while _generations_saved(db) < 1 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, (
            "the calibration finished before it could be killed: " + proc.stdout.read().decode()
        )
        time.sleep(0.3)  # inside the second generation
        saved = _generations_saved(db)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert 1 <= saved < 3
    done = subprocess.run(
        _cli(str(path), "--out", str(out), "--no-progress"), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert "continued a saved history" in done.stdout
    assert _generations_saved(db) == 3

    # the same study run without interruption, in this process, gives the same posterior
    whole = run_calibration(load_calibration(path), tmp_path / "whole" / "tiny", workers=1)
    from partnersim.calibration.driver import load_history
    from partnersim.calibration.outputs import posterior_table

    study = load_calibration(path)
    a = posterior_table(load_history(out / "tiny"), study)
    b = posterior_table(load_history(whole.out), study)
    pd.testing.assert_frame_equal(a, b)


def test_more_populations_are_added_to_the_same_history(tmp_path):
    path = write_tiny(tmp_path / "tiny.toml", population=10, populations=1)
    study = load_calibration(path)
    first = run_calibration(study, tmp_path / "out", workers=1)
    assert len(first.generations) == 1
    more = run_calibration(study, tmp_path / "out", workers=1, populations=2)
    assert more.resumed_from == 1 and more.ran_now == 1 and len(more.generations) == 2


def test_a_changed_study_does_not_continue_an_old_history(tmp_path):
    from partnersim.config import ConfigError

    study = load_calibration(write_tiny(tmp_path / "a.toml", population=10, populations=1))
    run_calibration(study, tmp_path / "out", workers=1)
    changed = load_calibration(write_tiny(tmp_path / "a.toml", population=10, populations=1, fail_k=2))
    with pytest.raises(ConfigError, match="different study"):
        run_calibration(changed, tmp_path / "out", workers=1)
    assert len(run_calibration(changed, tmp_path / "out", workers=1, fresh=True).generations) == 1

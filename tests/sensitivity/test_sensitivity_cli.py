"""`partnersim sobol` and `partnersim morris` end to end on the real model (tiny sizes)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from partnersim.cli import main

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
QUICK = CONFIGS / "sobol-quick.toml"


@pytest.fixture(scope="module")
def sobol_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    assert main(["sobol", str(QUICK), "--out", str(out), "--no-progress"]) == 0
    return out / "sobol-quick" / "sobol"


def test_sobol_writes_tables_figures_and_report(sobol_out):
    for stem in ("sobol_indices", "sobol_convergence", "replicate_noise", "factors"):
        assert (sobol_out / f"{stem}.parquet").is_file()
        assert (sobol_out / f"{stem}.csv").is_file()
    for name in ("runs.parquet", "manifest.json", "sobol.json", "report.md"):
        assert (sobol_out / name).is_file()
    for fig in ("sobol_indices.png", "sobol_convergence.png"):
        png = sobol_out / "figures" / fig
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (sobol_out / "report.md").read_text()
    assert "replicate noise is" in report and "coordinator" in report


def test_sobol_indices_on_the_model_are_sane(sobol_out):
    idx = pd.read_parquet(sobol_out / "sobol_indices.parquet")
    assert set(idx["outcome"]) == {"survival_rate", "mean_trust"}
    assert set(idx["factor"]) == {"staff_turnover", "funding_length", "coordinator", "fund_holder"}
    assert np.isfinite(idx[["value", "conf", "low", "high"]].to_numpy()).all()
    assert (idx["conf"] >= 0).all()
    wide = idx.pivot_table(index=["outcome", "factor"], columns="index", values=["value", "conf"])
    # a total effect includes the first-order one (up to estimation error)
    slack = wide[("conf", "S1")] + wide[("conf", "ST")]
    assert (wide[("value", "ST")] >= wide[("value", "S1")] - slack).all()
    assert (wide[("value", "ST")] > -wide[("conf", "ST")]).all()
    conv = pd.read_parquet(sobol_out / "sobol_convergence.parquet")
    assert sorted(conv["n"].unique()) == [4, 8, 16]


def test_sobol_run_is_recorded_and_resumes(sobol_out, capsys):
    summary = json.loads((sobol_out / "sobol.json").read_text())
    d = 4
    assert summary["n"] == 16 and summary["replicates"] == 2
    assert summary["runs"] == 16 * (d + 2) * 2
    runs = pd.read_parquet(sobol_out / "runs.parquet")
    assert len(runs) == summary["runs"] and runs["seed"].is_unique  # an independent seed per run
    manifest = json.loads((sobol_out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["design"]["sampler"] == "SALib.sample.sobol"
    # a second run finds every run done and recomputes the same indices
    before = pd.read_parquet(sobol_out / "sobol_indices.parquet")
    out_root = sobol_out.parents[1]
    assert main(["sobol", str(QUICK), "--out", str(out_root), "--no-progress"]) == 0
    said = capsys.readouterr().out
    assert f"{summary['runs']} kept from before, 0 run now" in said
    # the message counts what is there: tables (each as Parquet and CSV) apart from figures
    files = [p for p in sobol_out.iterdir() if p.suffix in (".parquet", ".csv") and p.stem != "runs"]
    figures = list((sobol_out / "figures").glob("*.png"))
    assert (
        f"{len(files) // 2} tables as Parquet and CSV ({len(files)} files), {len(figures)} figures in figures/, "
        "sobol.json and report.md" in said
    )
    pd.testing.assert_frame_equal(before, pd.read_parquet(sobol_out / "sobol_indices.parquet"))


def test_cli_refuses_n_not_a_power_of_two(tmp_path, capsys):
    assert main(["sobol", str(QUICK), "--n", "100", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "N = 100 is not allowed: it must be a power of two (such as 64 or 128)" in err
    assert not any(tmp_path.iterdir())  # nothing written


def test_study_file_with_n_not_a_power_of_two_is_refused(tmp_path, capsys):
    study = tmp_path / "bad.toml"
    study.write_text(QUICK.read_text().replace("n = 16", "n = 24"))
    assert main(["sobol", str(study), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "key 'sobol.n'" in err and "must be a power of two" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        (
            "staff_turnover = { low = 0.05, high = 0.6 }",
            "staff_turnover = { low = 0.05, high = 3 }",
            "out of range",
        ),
        ("coordinator = {}", "coordinatr = {}", "did you mean 'coordinator'"),
        ("[parameters]\n", "[parameters]\ncoordinator = true\n", "also set in [parameters]"),
        ("[sobol]\n", "[sobol]\nnn = 3\n", "unknown key 'sobol.nn'"),
    ],
)
def test_bad_study_files_are_refused_with_the_key(tmp_path, capsys, old, new, match):
    study = tmp_path / "bad.toml"
    text = QUICK.read_text()
    assert old in text
    study.write_text(text.replace(old, new))
    assert main(["sobol", str(study), "--out", str(tmp_path / "out")]) == 2
    assert match in capsys.readouterr().err


def test_morris_screens_the_same_study(tmp_path, capsys):
    assert main(["morris", str(QUICK), "--out", str(tmp_path), "--no-progress"]) == 0
    out = tmp_path / "sobol-quick" / "morris"
    files = [p for p in out.iterdir() if p.suffix in (".parquet", ".csv") and p.stem != "runs"]
    assert len(files) == 6
    printed = capsys.readouterr().out
    assert "3 tables as Parquet and CSV (6 files), 1 figure in figures/, morris.json and report.md" in printed
    idx = pd.read_parquet(out / "morris_indices.parquet")
    # the same report and the same wide-interval warning as Sobol gives
    report = (out / "report.md").read_text()
    assert "N = 4 trajectories, R = 2 replicates, 20 points, 40 runs" in report
    wide = idx[2 * idx["mu_star_conf"] > idx["mu_star"]]
    assert len(wide) > 0  # N = 4 is far too small: some interval is wider than mu*
    for outcome in wide["outcome"].unique():
        assert f"warning: {outcome}: " in printed and f"- {outcome}: " in report
    assert (out / "morris_indices.csv").is_file() and (out / "figures" / "morris.png").is_file()
    assert set(idx.columns) >= {"outcome", "factor", "mu", "mu_star", "mu_star_conf", "sigma"}
    assert len(idx) == 2 * 4
    assert np.isfinite(idx[["mu", "mu_star", "sigma"]].to_numpy()).all()
    assert (idx["mu_star"] >= idx["mu"].abs() - 1e-12).all()


def test_fresh_starts_over_and_removes_old_analysis(tmp_path, capsys):
    args = ["sobol", str(QUICK), "--out", str(tmp_path), "--no-progress", "--n", "4", "--replicates", "1"]
    assert main(args) == 0
    out = tmp_path / "sobol-quick" / "sobol"
    stale = out / "sobol_s2.csv"
    stale.write_text("left over from a second-order run\n")
    capsys.readouterr()
    assert main([*args, "--fresh"]) == 0
    assert "0 kept from before, 24 run now" in capsys.readouterr().out
    assert not stale.exists() and (out / "sobol_indices.csv").is_file()


def test_second_order_writes_s2_table_and_heatmap(tmp_path):
    args = ["sobol", str(QUICK), "--out", str(tmp_path), "--no-progress", "--n", "4", "--replicates", "1"]
    assert main([*args, "--second-order"]) == 0
    out = tmp_path / "sobol-quick" / "sobol"
    s2 = pd.read_parquet(out / "sobol_s2.parquet")
    assert (out / "sobol_s2.csv").is_file() and (out / "figures" / "sobol_s2.png").is_file()
    assert len(s2) == 2 * 4 * 3 // 2  # two outcomes x every pair of four factors
    assert json.loads((out / "sobol.json").read_text())["runs"] == 4 * (2 * 4 + 2)


def test_an_unreachable_scheduler_is_one_line_and_runs_nothing(tmp_path, capsys, monkeypatch):
    from partnersim.experiments import executors

    monkeypatch.setattr(executors, "DASK_CONNECT_TIMEOUT", 1)
    out = tmp_path / "out"
    code = main(
        ["sobol", str(QUICK), "--out", str(out), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "error: could not reach a Dask scheduler at tcp://127.0.0.1:9" in err and "Traceback" not in err
    assert not (out / "runs.parquet").exists()

"""A small comparison end to end: runs, tables, figures and the self-contained report."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd
import pytest

from partnersim.cli import main
from partnersim.policy import load_policies
from partnersim.policy.figures import FIGURES

QUICK = Path(__file__).resolve().parents[2] / "configs" / "funding-policies-quick.toml"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    code = main(["compare", str(QUICK), "--out", str(out), "--no-progress", "--executor", "serial"])
    assert code == 0
    study = load_policies(QUICK)
    return out / study.name, study


def test_report_embeds_every_figure(quick_run):
    folder, _ = quick_run
    html = (folder / "report.html").read_text(encoding="utf-8")
    images = re.findall(r"<img alt='([^']+)' src='data:image/png;base64,([^']+)'>", html)
    assert sorted(name for name, _ in images) == sorted(FIGURES)
    for _, data in images:
        assert base64.b64decode(data).startswith(PNG)
    # self-contained: nothing fetched from elsewhere
    assert "http://" not in html and "https://" not in html and "<script" not in html
    for name in FIGURES:
        assert (folder / "figures" / name).read_bytes().startswith(PNG)


def test_report_sections_and_numbers_come_from_the_results(quick_run):
    folder, study = quick_run
    html = (folder / "report.html").read_text(encoding="utf-8")
    for heading in (
        "Summary",
        "The policies",
        "Results",
        "Figures",
        "Assumptions and evidence",
        "Does the ranking hold?",
        "What it costs the funder",
        "What the model cannot tell you",
    ):
        assert re.search(f"<h2( id='[a-z]+')?>{re.escape(heading)}</h2>", html.replace('"', "'")), heading
    results = pd.read_csv(folder / "policy_results.csv")
    base = results[results["baseline"]].iloc[0]
    assert base["policy"] == study.baseline
    # the baseline's five-year survival and its headline interval (whole runs where wider), as the summary prints them
    text = f"{100 * base['s60']:.1f}% ({100 * base['s60_ci_lower']:.1f}–{100 * base['s60_ci_upper']:.1f}%)"
    assert text in html
    for policy in study.policies:
        assert policy.name in html
    # run sizes are stated
    assert f"run {study.replicates} times" in html
    # evidence citations from the schema
    assert "003:672" in html


def test_runs_share_seeds_across_policies_and_tables_are_written(quick_run):
    folder, study = quick_run
    runs = pd.read_parquet(folder / "runs.parquet")
    assert len(runs) == study.replicates * len(study.policies)
    assert (runs.groupby("replicate")["seed"].nunique() == 1).all()
    assert (runs.groupby("replicate")["staff_turnover"].nunique() == 1).all()
    assert runs.groupby("point_id")["seed"].nunique().eq(study.replicates).all()
    parts = pd.read_parquet(folder / "partnerships.parquet")
    assert set(parts["run_id"]) == set(runs["run_id"])
    results = pd.read_csv(folder / "policy_results.csv")
    assert list(results["policy"]) == [p.name for p in study.policies]
    # every partnership of every run is pooled, per policy
    per_policy = parts.merge(runs[["run_id", "point_id"]]).groupby("point_id").size()
    assert list(results["partnerships"]) == list(per_policy)
    for col in (
        "s12",
        "s36",
        "s60",
        "median",
        "p_value",
        "p_holm",
        "legacy",
        "judged",
        "legacy_all",
        "s60_ci_lower",
    ):
        assert col in results
    costs = pd.read_csv(folder / "policy_costs.csv")
    assert list(costs["policy"]) == list(results["policy"])
    # the funder's total is the model's grants_paid, summed per run and averaged over runs
    paid = (
        parts.merge(runs[["run_id", "point_id"]]).groupby("point_id")["grants_paid"].sum() / study.replicates
    )
    assert costs["paid_per_run"].to_numpy() == pytest.approx(paid.to_numpy())
    assert (costs["paid_per_run_lower"] <= costs["paid_per_run"]).all()
    robust = pd.read_csv(folder / "robustness_summary.csv")
    assert list(robust["policy"]) == list(results["policy"])
    assert robust["p_best72"].sum() == pytest.approx(1.0)
    draws = pd.read_csv(folder / "robustness_draws.csv")
    assert draws["draw"].nunique() == study.robustness.draws
    assert draws["funding_end_commitment_hit"].between(0.05, 0.3).all()
    html = (folder / "report.html").read_text(encoding="utf-8")
    for name in ("policy_results.csv", "survival_curves.csv", "policy_costs.csv", "robustness_draws.csv"):
        assert (folder / name).exists() and f"href='{name}'" in html
    hazard = pd.read_csv(folder / "grant_end_hazard.csv")
    assert set(hazard["policy"]) == set(results["policy"])
    assert (folder / "manifest.json").exists()


def test_running_again_resumes_and_gives_the_same_results(quick_run, capsys):
    folder, _ = quick_run
    before = pd.read_csv(folder / "policy_results.csv")
    assert main(["compare", str(QUICK), "--out", str(folder.parent), "--no-progress"]) == 0
    assert "kept from before" in capsys.readouterr().out
    pd.testing.assert_frame_equal(before, pd.read_csv(folder / "policy_results.csv"))


def test_too_few_replicates_are_warned_about_on_screen(tmp_path, capsys):
    code = main(["compare", str(QUICK), "--out", str(tmp_path), "--no-progress", "--replicates", "2",
                 "--no-robustness"])  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    assert (
        "warning: Only 2 replicates per policy: too few for the tests and intervals (at least 20"
        in captured.err
    )
    html = (tmp_path / "funding-policies-quick" / "report.html").read_text(encoding="utf-8")
    assert "Too few runs." in html and "too few replicates to judge" in html
    assert not (tmp_path / "funding-policies-quick" / "robustness").exists()

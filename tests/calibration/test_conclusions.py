"""Conclusions across a posterior: replicate draws keep common random numbers; compare --posterior ranks policies."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from partnersim.calibration.conclusions import (
    posterior_draws,
    posterior_robustness,
    sobol_bases,
    with_posterior,
)
from partnersim.calibration.posterior import Posterior, replicate_parameters
from partnersim.cli import main
from partnersim.policy.spec import load_policies

ROOT = Path(__file__).resolve().parents[2]


def make_posterior(folder: Path) -> Path:
    """A posterior of two particles with known weights: staff_turnover 0.1 (w 0.25) or 0.5 (w 0.75)."""
    folder.mkdir(parents=True)
    df = pd.DataFrame({"staff_turnover": [0.1, 0.5], "vacancy_months": [2.2, 5.9], "weight": [0.25, 0.75]})
    df.to_parquet(folder / "posterior.parquet")
    priors = {"staff_turnover": [0.0, 0.95, False], "vacancy_months": [0, 24, True]}
    (folder / "calibration.json").write_text(json.dumps({"study": {"priors": priors}}))
    return folder


def test_draws_follow_the_weights_and_round_integers(tmp_path):
    post = Posterior.load(make_posterior(tmp_path / "post"))
    draws = post.draw(4000, seed=1)
    share = np.mean([d["staff_turnover"] == 0.5 for d in draws])
    assert abs(share - 0.75) < 0.03
    assert {d["vacancy_months"] for d in draws} == {2, 6}
    assert post.draw(10, seed=3) == post.draw(10, seed=3)


def test_summary_reports_integers_as_the_model_ran_them(tmp_path):
    folder = tmp_path / "edge"
    folder.mkdir()
    # The sampler works on [low - 0.5, high + 0.5]; -0.4 ran as 0 and 24.4 as 24.
    df = pd.DataFrame({"vacancy_months": [-0.4, 24.4], "weight": [0.5, 0.5]})
    df.to_parquet(folder / "posterior.parquet")
    priors = {"vacancy_months": [0, 24, True]}
    (folder / "calibration.json").write_text(json.dumps({"study": {"priors": priors}}))
    row = Posterior.load(folder).summary().iloc[0]
    assert row["lower"] >= 0 and row["upper"] <= 24
    assert row["mean"] == 12.0


def test_replicates_share_draws_and_keep_their_seeds(tmp_path):
    post = Posterior.load(make_posterior(tmp_path / "post"))
    reps = replicate_parameters(post, 6, seed=9, draws=3)
    assert reps[0] == reps[3] and reps[1] == reps[4]
    study = load_policies(ROOT / "configs" / "funding-policies-quick.toml")
    new, replaced = with_posterior(study, post, draws=2)
    assert replaced == ["staff_turnover"]
    old = study.replicate_draws()
    for a, b in zip(old, new.replicate_draws(), strict=True):
        assert a.seed == b.seed and a.uncertainties["orientation"] == b.uncertainties["orientation"]
        assert b.uncertainties["staff_turnover"] in (0.1, 0.5)
    # every policy runs a replicate with the same parameters apart from its levers (common random numbers)
    p0, p1 = new.policies[0], new.policies[1]
    r = new.replicate_draws()[0]
    a, b = new.run_parameters(p0, r), new.run_parameters(p1, r)
    assert {k: v for k, v in a.items() if k not in p0.levers} == {
        k: v for k, v in b.items() if k not in p1.levers
    }


def test_robustness_on_a_table_with_known_answers():
    # two draws (replicates 0 and 1); A beats the baseline in both, B only in draw 1
    rows = []
    alive = {("base", 0): 0.5, ("A", 0): 0.8, ("B", 0): 0.2, ("base", 1): 0.5, ("A", 1): 0.6, ("B", 1): 0.9}
    for (policy, rep), share in alive.items():
        for i in range(10):
            rows.append({"policy": policy, "replicate": rep, "lifetime": 100 if i < share * 10 else 10})
    rob = posterior_robustness(pd.DataFrame(rows), ["base", "A", "B"], "base", 60, draws=2).set_index(
        "policy"
    )
    assert rob.loc["A", "p_best"] == 0.5 and rob.loc["B", "p_best"] == 0.5 and rob.loc["base", "p_best"] == 0
    assert bool(rob.loc["A", "holds"]) and rob.loc["A", "sign_agreement"] == 1.0
    assert not bool(rob.loc["B", "holds"]) and rob.loc["B", "sign_agreement"] == 0.5
    # the same table draw by draw: B's difference changes sign between the two draws' parameter values
    per = posterior_draws(
        pd.DataFrame(rows), ["base", "A", "B"], "base", 60, [{"staff_turnover": 0.1}, {"staff_turnover": 0.5}]
    ).set_index(["draw", "policy"])
    assert abs(per.loc[(0, "B"), "diff_from_baseline"] + 0.3) < 1e-12
    assert abs(per.loc[(1, "B"), "diff_from_baseline"] - 0.4) < 1e-12
    assert per.loc[(1, "B"), "rank"] == 1 and per.loc[(0, "A"), "rank"] == 1
    assert per.loc[(1, "A"), "staff_turnover"] == 0.5 and per.loc[(0, "base"), "staff_turnover"] == 0.1


def test_sobol_bases_leave_factors_to_the_design(tmp_path):
    post = Posterior.load(make_posterior(tmp_path / "post"))
    bases = sobol_bases(post, {"horizon": 60}, ["staff_turnover"], draws=3, seed=2)
    assert len(bases) == 3
    assert all("staff_turnover" not in b and b["horizon"] == 60 and "vacancy_months" in b for b in bases)


def test_compare_with_a_posterior_writes_the_ranking(tmp_path, capsys):
    post = make_posterior(tmp_path / "post")
    out = tmp_path / "results"
    code = main(
        [
            "compare",
            str(ROOT / "configs" / "funding-policies-quick.toml"),
            "--replicates",
            "4",
            "--posterior",
            str(post),
            "--posterior-draws",
            "2",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "P(best)" in text and "replace the file's uncertainties staff_turnover" in text
    rob = pd.read_csv(out / "funding-policies-quick-posterior" / "posterior_robustness.csv")
    assert rob["p_best"].sum() == 1.0 or abs(rob["p_best"].sum() - 1.0) < 1e-9
    assert set(rob["draws"]) == {2}
    # the per-draw table agrees with the summary, and names the values each draw actually ran
    per = pd.read_csv(out / "funding-policies-quick-posterior" / "posterior_draws.csv")
    assert len(per) == 2 * len(rob) and set(per["draw"]) == {0, 1}
    for _, r in rob.iterrows():
        mine = per[per["policy"] == r["policy"]]
        assert abs(mine["survival_60"].mean() - r["survival_60_mean"]) < 1e-12
    runs = pd.read_parquet(out / "funding-policies-quick-posterior" / "runs.parquet")
    for k, group in runs.groupby(runs["replicate"] % 2):
        assert set(group["staff_turnover"]) == set(per.loc[per["draw"] == k, "staff_turnover"])


def test_a_missing_posterior_is_exit_code_2(tmp_path, capsys):
    code = main(
        [
            "compare",
            str(ROOT / "configs" / "funding-policies-quick.toml"),
            "--posterior",
            str(tmp_path / "none"),
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "no calibration there" in capsys.readouterr().err


def test_sobol_with_a_posterior_reports_indices_at_each_draw(tmp_path, capsys):
    post = make_posterior(tmp_path / "post")
    out = tmp_path / "results"
    args = ["sobol", str(ROOT / "configs" / "sobol-quick.toml"), "--n", "4", "--replicates", "1"]
    code = main(
        [*args, "--posterior", str(post), "--posterior-draws", "2", "--out", str(out), "--no-progress"]
    )
    assert code == 0
    table = pd.read_csv(out / "sobol-quick" / "sobol" / "indices_across_draws.csv")
    assert set(table["draw"]) == {0, 1}
    assert set(table["factor"]) == {"staff_turnover", "funding_length", "coordinator", "fund_holder"}
    assert "ST at each posterior draw" in capsys.readouterr().out
    # the draw's calibrated parameter that is not a factor is fixed in the runs
    runs = pd.read_parquet(out / "sobol-quick" / "sobol" / "posterior-draw-0" / "runs.parquet")
    assert runs["vacancy_months"].nunique() == 1


def test_a_posterior_describes_itself_as_a_source_of_draws(tmp_path):
    post = Posterior.load(make_posterior(tmp_path / "post"))
    words = post.describe()
    assert set(words) == {"staff_turnover", "vacancy_months"}
    assert "weighted calibration posterior" in words["staff_turnover"]

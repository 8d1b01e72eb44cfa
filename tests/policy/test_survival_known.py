"""The survival code on small synthetic tables whose answers are worked out by hand."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lifelines.statistics import logrank_test

from partnersim.policy.analysis import headline_month, holm
from partnersim.policy.survival import (
    N_PERMUTATIONS,
    grant_end_hazard,
    km_curves,
    legacy_rates,
    legacy_status,
    logrank_vs_baseline,
    permutation_signs,
    replicate_bootstrap,
    survival_summary,
    wider_interval,
    wilson_interval,
)


def table(policy: str, lifetime: list[int], censored: list[bool], **cols: list) -> pd.DataFrame:
    n = len(lifetime)
    df = pd.DataFrame(
        {
            "policy": policy,
            "run": cols.pop("run", list(range(n))),
            "started_at": cols.pop("started_at", [0] * n),
            "lifetime": lifetime,
            "censored": censored,
        }
    )
    for k, v in cols.items():
        df[k] = v
    return df


# Six partnerships; deaths at 2, 3, 5, 8; censored at 3 and 6 (alive at the horizon).
# By hand: S(2) = 5/6; S(3) = 5/6 * 4/5 = 2/3 (the censored one at 3 leaves after);
# S(5) = 2/3 * 2/3 = 4/9 (at risk: 5, 6, 8); S(6) unchanged; S(8) = 0 (one at risk).
SIX = table("A", [2, 3, 3, 5, 6, 8], [False, False, True, False, True, False])
KNOWN = {0: 1.0, 1: 1.0, 2: 5 / 6, 3: 2 / 3, 4: 2 / 3, 5: 4 / 9, 6: 4 / 9, 7: 4 / 9, 8: 0.0}


def test_km_curve_matches_hand_computed_values_with_censoring():
    curve = km_curves(SIX).set_index("month")
    for month, s in KNOWN.items():
        assert curve.loc[month, "survival"] == pytest.approx(s)
    # at risk at the start of a month: lifetime >= month
    assert curve.loc[3, "at_risk"] == 5
    assert curve.loc[6, "at_risk"] == 2


def test_survival_at_times_median_and_counts():
    row = survival_summary(SIX, times=(2, 5, 7)).iloc[0]
    assert row["s2"] == pytest.approx(5 / 6)
    assert row["s5"] == pytest.approx(4 / 9)
    assert row["s7"] == pytest.approx(4 / 9)
    # the median is the first month with S <= 1/2
    assert row["median"] == 5
    assert row["median_lower"] <= row["median"] <= row["median_upper"]
    assert (row["partnerships"], row["dissolved"], row["censored"], row["runs"]) == (6, 4, 2, 6)


def test_exponential_greenwood_interval_by_hand():
    # lifelines' default interval: log(-log S) +- z * sqrt(V), V = sum d/(n(n-d)) / log(S)^2
    row = survival_summary(SIX, times=(3,)).iloc[0]
    s = 2 / 3
    v = (1 / (6 * 5) + 1 / (5 * 4)) / math.log(s) ** 2
    z = 1.959963984540054
    lower, upper = s ** math.exp(z * math.sqrt(v)), s ** math.exp(-z * math.sqrt(v))
    assert row["s3_lower"] == pytest.approx(lower, rel=1e-6)
    assert row["s3_upper"] == pytest.approx(upper, rel=1e-6)
    assert row["s3_lower"] < row["s3"] < row["s3_upper"]


def test_all_censored_median_not_reached_and_survival_one():
    df = table("B", [10, 10, 10, 10], [True] * 4)
    row = survival_summary(df, times=(5, 10)).iloc[0]
    assert math.isinf(row["median"]) and math.isinf(row["median_upper"])
    assert row["s5"] == 1.0 and row["s10"] == 1.0
    assert row["dissolved"] == 0


def test_survival_beyond_follow_up_is_missing_not_extrapolated():
    df = table("C", [4, 6, 6], [False, True, True])
    row = survival_summary(df, times=(6, 12)).iloc[0]
    assert row["s6"] == pytest.approx(2 / 3)
    assert math.isnan(row["s12"]) and math.isnan(row["s12_lower"])


def test_survival_after_every_partnership_dissolved_is_zero_not_missing():
    df = table("D", [4, 6, 6], [False, False, False])
    row = survival_summary(df, times=(6, 12)).iloc[0]
    assert row["s6"] == 0.0 and row["s12"] == 0.0 and row["s12_upper"] == 0.0
    from partnersim.policy.survival import km_curves, yearly_table

    years = yearly_table(km_curves(df), 36)
    assert list(years["survival"]) == [0.0, 0.0, 0.0] and list(years["at_risk"]) == [0, 0, 0]


def test_policies_kept_apart_and_in_the_given_order():
    df = pd.concat([SIX, table("B", [10] * 4, [True] * 4)], ignore_index=True)
    out = survival_summary(df, times=(5,), order=["B", "A"])
    assert list(out["policy"]) == ["B", "A"]
    assert out.set_index("policy").loc["A", "s5"] == pytest.approx(4 / 9)
    assert out.set_index("policy").loc["B", "s5"] == 1.0


def paired(
    rng: np.random.Generator,
    reps: int = 20,
    per_run: int = 10,
    hazard: float = 0.04,
    ratio: float = 1.0,
    frailty: float = 0.0,
    horizon: int = 60,
) -> pd.DataFrame:
    """Runs of a baseline ("base") and a policy ("new") on the same replicates.

    Each run has ``per_run`` partnerships with a monthly dissolution chance of
    ``hazard`` (times ``ratio`` under the policy), times a run-level factor
    exp(``frailty`` * N(0, 1)) that every partnership of the run shares.
    """
    frames = []
    for r in range(reps):
        for policy, mult in (("base", 1.0), ("new", ratio)):
            h = min(0.9, hazard * mult * np.exp(frailty * rng.standard_normal()))
            life = rng.geometric(h, size=per_run)
            frames.append(
                pd.DataFrame(
                    {
                        "policy": policy,
                        "replicate": r,
                        "run": f"{policy}{r}",
                        "started_at": 0,
                        "lifetime": np.minimum(life, horizon),
                        "censored": life > horizon,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def test_logrank_statistic_is_lifelines_and_identical_groups_give_p_one():
    df = paired(np.random.default_rng(3), reps=15, ratio=1.5)
    res = logrank_vs_baseline(df, "base").iloc[0]
    base, new = df[df["policy"] == "base"], df[df["policy"] == "new"]
    ref = logrank_test(new["lifetime"], base["lifetime"], ~new["censored"], ~base["censored"])
    assert res["z"] ** 2 == pytest.approx(ref.test_statistic, rel=1e-9)
    assert res["p_independent"] == pytest.approx(ref.p_value, rel=1e-6)
    assert res["z"] > 0  # more dissolutions than expected under the policy that dissolves faster

    same = pd.concat([SIX, SIX.assign(policy="B")], ignore_index=True)
    res = logrank_vs_baseline(same, "A").set_index("policy")
    assert list(res.index) == ["B"]
    assert res.loc["B", "z"] == pytest.approx(0.0, abs=1e-12)
    assert res.loc["B", "p_value"] == pytest.approx(1.0)


def test_permutation_p_is_exact_with_few_replicates_and_matches_brute_force():
    # 3 replicates: all 8 label-swap patterns are listed; redo each swap by hand with lifelines
    df = paired(np.random.default_rng(5), reps=3, per_run=6, ratio=2.0)
    res = logrank_vs_baseline(df, "base").iloc[0]
    assert res["exact"] and res["permutations"] == 8
    observed = abs(res["z"])
    extreme = 0
    for pattern in itertools.product([False, True], repeat=3):
        swapped = df.copy()
        for r, swap in enumerate(pattern):
            rows = swapped["replicate"] == r
            if swap:
                swapped.loc[rows, "policy"] = swapped.loc[rows, "policy"].map({"base": "new", "new": "base"})
        a, b = swapped[swapped["policy"] == "new"], swapped[swapped["policy"] == "base"]
        stat = logrank_test(a["lifetime"], b["lifetime"], ~a["censored"], ~b["censored"]).test_statistic
        extreme += math.sqrt(stat) >= observed - 1e-9
    assert res["p_value"] == pytest.approx(extreme / 8)
    assert res["p_floor"] == pytest.approx(2 / 8)


def test_permutation_p_small_when_the_policy_differs():
    df = paired(np.random.default_rng(7), reps=30, ratio=2.0)
    res = logrank_vs_baseline(df, "base", seed=1).iloc[0]
    assert res["p_value"] == pytest.approx(1 / (1 + N_PERMUTATIONS))
    assert res["p_floor"] == pytest.approx(1 / (1 + N_PERMUTATIONS))


def test_permutation_p_roughly_uniform_when_labels_are_exchangeable():
    rng = np.random.default_rng(11)
    p = np.array(
        [logrank_vs_baseline(paired(rng), "base", n_perm=300, seed=i)["p_value"].iloc[0] for i in range(100)]
    )
    assert 0.4 < p.mean() < 0.6
    assert (p < 0.05).mean() <= 0.1
    assert 0.15 < (p < 0.25).mean() < 0.35


def test_same_seed_same_p_and_the_seed_matters():
    df = paired(np.random.default_rng(13), reps=25, ratio=1.3)
    one = logrank_vs_baseline(df, "base", seed=20261123)
    two = logrank_vs_baseline(df, "base", seed=20261123)
    pd.testing.assert_frame_equal(one, two)
    assert 0.002 < one["p_value"].iloc[0] < 0.9  # not at the floor, so the draws matter
    others = {logrank_vs_baseline(df, "base", seed=s)["p_value"].iloc[0] for s in range(5)}
    assert len(others) > 1
    signs, exact = permutation_signs(25, 100, seed=1)
    assert not exact and signs.shape == (100, 25) and set(np.unique(signs)) == {-1.0, 1.0}


def test_shared_run_shocks_fool_the_textbook_test_but_not_the_permutation_test():
    # no policy effect, but every run has its own hazard shared by its 10 partnerships
    rng = np.random.default_rng(17)
    res = pd.concat(
        [logrank_vs_baseline(paired(rng, frailty=1.0), "base", n_perm=300, seed=i) for i in range(100)]
    )
    naive = (res["p_independent"] < 0.05).mean()
    permutation = (res["p_value"] < 0.05).mean()
    assert naive > 0.2  # about 0.3 here: six times the 5% it promises
    assert permutation <= 0.1


def test_grant_end_hazard_aligned_to_each_partnerships_grant_end():
    # grant of 12 months. Founded at 0: two dissolve at 12 (rel 0), one at 15 (rel 3), one alive at 30.
    # Founded at 5: its grant ends at 17; it dissolves at 17 (rel 0).
    df = table(
        "A",
        lifetime=[12, 12, 15, 30, 12],
        censored=[False, False, False, True, False],
        started_at=[0, 0, 0, 0, 5],
    )
    h = grant_end_hazard(df, {"A": 12}, horizon=30, window=(-2, 20)).set_index("months_from_grant_end")
    assert (h.loc[0, "at_risk"], h.loc[0, "dissolved"]) == (5, 3)
    assert h.loc[0, "hazard"] == pytest.approx(3 / 5)
    assert h.loc[-1, "hazard"] == 0.0 and h.loc[-1, "at_risk"] == 5
    # after the end: two left (15 and the censored one), then one
    assert (h.loc[3, "at_risk"], h.loc[3, "dissolved"]) == (2, 1)
    assert (h.loc[4, "at_risk"], h.loc[4, "dissolved"]) == (1, 0)
    # month 31 is past the horizon: nobody is at risk, hazard undefined
    assert h.loc[19, "at_risk"] == 0 and math.isnan(h.loc[19, "hazard"])
    seen = h.dropna(subset=["hazard"])
    assert (seen["lower"] <= seen["hazard"]).all() and (seen["hazard"] <= seen["upper"]).all()


def test_grant_end_hazard_whole_run_interval_when_runs_move_together():
    # grant of 12 months; in half the replicates every partnership dissolves in month 13, in the rest none does
    rep = np.repeat(np.arange(20), 10)
    dies = np.repeat(np.arange(20) % 2 == 0, 10)
    df = table("A", np.where(dies, 13, 30).tolist(), (~dies).tolist(), run=rep.tolist())
    df["replicate"] = rep
    h = grant_end_hazard(df, {"A": 12}, horizon=30, window=(-2, 3), n_boot=500).set_index(
        "months_from_grant_end"
    )
    assert h.loc[1, "hazard"] == pytest.approx(0.5)
    wilson = h.loc[1, "upper"] - h.loc[1, "lower"]
    assert h.loc[1, "boot_upper"] - h.loc[1, "boot_lower"] > 1.5 * wilson
    assert (h.loc[1, "ci_lower"], h.loc[1, "ci_upper"]) == (h.loc[1, "boot_lower"], h.loc[1, "boot_upper"])
    # no dissolution before the end in any replicate: the bootstrap interval is a point, the Wilson one is kept
    assert (h.loc[-1, "ci_lower"], h.loc[-1, "ci_upper"]) == (h.loc[-1, "lower"], h.loc[-1, "upper"])


def test_legacy_counts_only_partnerships_that_can_be_judged():
    # horizon 60, legacy after 12 months of life after the funding ended
    df = table(
        "A",
        lifetime=[60, 60, 30, 20, 60, 55, 40],
        censored=[True, True, False, False, True, False, False],
        started_at=[0, 0, 0, 0, 0, 0, 10],
        funding_ended_at=[36, 50, 30, np.nan, np.nan, 50, 30],
        survived_funding_end=[True, False, False, False, False, False, True],
    )
    status = legacy_status(df, horizon=60, legacy_months=12)
    assert list(status) == [
        "legacy",  # ended at 36, alive at 60: 24 months on
        "not_yet_judged",  # ended at 50, alive at 60: only 10 months so far
        "stopped",  # ended at 30 and dissolved that month
        "dissolved_funded",  # dissolved at 20, funding never ended
        "still_funded",  # alive at 60, funding never ended
        "stopped",  # ended at 50, dissolved at 55: judged although it ended late
        "legacy",  # ended at 30, dissolved at 50: 20 months on
    ]
    row = legacy_rates(df, horizon=60, legacy_months=12).iloc[0]
    assert (row["judged"], row["legacy_count"]) == (4, 2)
    assert row["legacy"] == pytest.approx(2 / 4)
    assert row["legacy_lower"] < 0.5 < row["legacy_upper"]
    assert row["legacy_all"] == pytest.approx(2 / 7)  # for reference: counts the unjudged as failures
    assert (row["n_not_yet_judged"], row["n_still_funded"], row["n_dissolved_funded"]) == (1, 1, 1)
    # the status agrees with the model's own flag wherever the partnership can be judged
    judged = np.isin(status, ["legacy", "stopped"])
    assert ((status == "legacy") == df["survived_funding_end"].to_numpy())[judged].all()


def test_legacy_whole_run_interval_wider_when_runs_move_together():
    # 20 replicates of 10 judged partnerships; whole runs either all keep working or all stop
    rep = np.repeat(np.arange(20), 10)
    kept = np.repeat(np.arange(20) % 2 == 0, 10)
    df = table(
        "A",
        lifetime=np.where(kept, 60, 40).tolist(),
        censored=kept.tolist(),
        run=rep.tolist(),
        funding_ended_at=[36] * 200,
        survived_funding_end=kept.tolist(),
    )
    df["replicate"] = rep
    row = legacy_rates(df, horizon=60, legacy_months=12, n_boot=500).iloc[0]
    assert row["legacy"] == pytest.approx(0.5)
    wilson = row["legacy_upper"] - row["legacy_lower"]
    assert row["legacy_boot_upper"] - row["legacy_boot_lower"] > 1.5 * wilson
    lo, hi, runs = wider_interval(
        row["legacy_lower"], row["legacy_upper"], row["legacy_boot_lower"], row["legacy_boot_upper"]
    )
    assert runs and (lo, hi) == (row["legacy_boot_lower"], row["legacy_boot_upper"])


def test_wider_interval_keeps_the_pooled_one_unless_the_bootstrap_is_wider():
    lo, hi, runs = wider_interval([0.4, 0.4, 0.4], [0.6, 0.6, 0.6], [0.45, 0.3, np.nan], [0.55, 0.7, np.nan])
    assert list(lo) == [0.4, 0.3, 0.4] and list(hi) == [0.6, 0.7, 0.6]
    assert list(runs) == [False, True, False]


def test_wilson_interval_known_values():
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = wilson_interval(5, 10)
    assert lo == pytest.approx(0.2366, abs=1e-4) and hi == pytest.approx(0.7634, abs=1e-4)


def test_holm_adjustment():
    adjusted = holm(pd.Series([0.01, 0.04, 0.03]))
    assert list(adjusted) == pytest.approx([0.03, 0.06, 0.06])


def test_headline_month_is_five_years_when_runs_are_long_enough():
    assert headline_month(120) == 60
    assert headline_month(48) == 36
    assert headline_month(6) == 6


def test_replicate_bootstrap_point_is_kaplan_meier_and_pairs_replicates():
    a = SIX.assign(replicate=[0, 0, 1, 1, 2, 2])
    b = a.assign(policy="B")  # the same partnerships under another name
    c = a.assign(policy="C", lifetime=a["lifetime"] + 1)
    out = replicate_bootstrap(pd.concat([a, b, c]), "A", month=5, n_boot=300).set_index("policy")
    assert out.loc["A", "s"] == pytest.approx(4 / 9)
    assert out.loc["A", "s_boot_lower"] <= 4 / 9 <= out.loc["A", "s_boot_upper"]
    # identical to the baseline on every resample: a paired difference of exactly zero
    assert (out.loc["B", "diff"], out.loc["B", "diff_lower"], out.loc["B", "diff_upper"]) == (0, 0, 0)
    assert out.loc["C", "diff_lower"] <= out.loc["C", "diff"] <= out.loc["C", "diff_upper"]
    assert out.loc["C", "replicates"] == 3


def test_replicate_bootstrap_is_wider_when_runs_move_together():
    # 20 replicates of 10 partnerships; whole replicates either all dissolve at 6 or all survive
    rep = np.repeat(np.arange(20), 10)
    dies = np.repeat(np.arange(20) % 2 == 0, 10)
    df = table("A", np.where(dies, 6, 12).tolist(), (~dies).tolist(), run=rep.tolist())
    df["replicate"] = rep
    pooled = survival_summary(df, times=(8,)).iloc[0]
    boot = replicate_bootstrap(df, "A", month=8, n_boot=500).iloc[0]
    assert boot["s"] == pytest.approx(pooled["s8"]) == pytest.approx(0.5)
    assert boot["s_boot_upper"] - boot["s_boot_lower"] > 1.5 * (pooled["s8_upper"] - pooled["s8_lower"])


def naive_km(lifetime: np.ndarray, died: np.ndarray, t: int) -> float:
    """Kaplan-Meier at month t straight from its definition."""
    s = 1.0
    for u in range(1, t + 1):
        at_risk = (lifetime >= u).sum()
        deaths = ((lifetime == u) & died).sum()
        if at_risk:
            s *= 1 - deaths / at_risk
    return s


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 30), st.booleans()), min_size=1, max_size=40),
    st.integers(1, 30),
)
def test_km_matches_its_definition_and_intervals_bracket_it(rows, t):
    lifetime = np.array([r[0] for r in rows])
    died = np.array([r[1] for r in rows])
    df = table("A", lifetime.tolist(), (~died).tolist())
    row = survival_summary(df, times=(t,)).iloc[0]
    if t > lifetime.max():
        # beyond the longest follow-up: unknown, unless every partnership had dissolved (then 0)
        if naive_km(lifetime, died, int(lifetime.max())) == 0:
            assert row[f"s{t}"] == 0.0
        else:
            assert math.isnan(row[f"s{t}"])
        return
    assert row[f"s{t}"] == pytest.approx(naive_km(lifetime, died, t))
    assert row[f"s{t}_lower"] - 1e-9 <= row[f"s{t}"] <= row[f"s{t}_upper"] + 1e-9
    curve = km_curves(df)["survival"].to_numpy()
    assert (np.diff(curve) <= 1e-12).all()
    boot = replicate_bootstrap(df, "A", month=t, n_boot=20).iloc[0]
    assert boot["s"] == pytest.approx(naive_km(lifetime, died, t))

"""The survival code on small synthetic tables whose answers are worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnersim.policy.analysis import headline_month, holm
from partnersim.policy.survival import (
    grant_end_hazard,
    km_curves,
    legacy_rates,
    logrank_vs_baseline,
    replicate_bootstrap,
    survival_summary,
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


def test_policies_kept_apart_and_in_the_given_order():
    df = pd.concat([SIX, table("B", [10] * 4, [True] * 4)], ignore_index=True)
    out = survival_summary(df, times=(5,), order=["B", "A"])
    assert list(out["policy"]) == ["B", "A"]
    assert out.set_index("policy").loc["A", "s5"] == pytest.approx(4 / 9)
    assert out.set_index("policy").loc["B", "s5"] == 1.0


def test_logrank_identical_groups_and_clear_difference():
    same = pd.concat([SIX, SIX.assign(policy="B")], ignore_index=True)
    res = logrank_vs_baseline(same, "A").set_index("policy")
    assert list(res.index) == ["B"]
    assert res.loc["B", "test_statistic"] == pytest.approx(0.0, abs=1e-12)
    assert res.loc["B", "p_value"] == pytest.approx(1.0)

    early = table("short", [1] * 40, [False] * 40)
    late = table("long", [50] * 40, [True] * 40)
    res = logrank_vs_baseline(pd.concat([late, early]), "long").set_index("policy")
    assert res.loc["short", "p_value"] < 1e-6


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


def test_legacy_rates_and_the_judged_denominator():
    # horizon 60, legacy after 12 months: funding that ended after month 48 cannot be judged yet
    df = table(
        "A",
        lifetime=[60, 60, 30, 20, 60],
        censored=[True, True, False, False, True],
        funding_ended_at=[36, 50, 30, np.nan, np.nan],
        survived_funding_end=[True, False, False, False, False],
    )
    row = legacy_rates(df, horizon=60, legacy_months=12).iloc[0]
    assert row["legacy_count"] == 1 and row["legacy"] == pytest.approx(1 / 5)
    assert row["grant_ended"] == 2  # ended at 36 and 30; 50 is too late to judge
    assert row["legacy_if_ended"] == pytest.approx(1 / 2)
    assert row["legacy_lower"] < 0.2 < row["legacy_upper"]


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
        assert math.isnan(row[f"s{t}"])
        return
    assert row[f"s{t}"] == pytest.approx(naive_km(lifetime, died, t))
    assert row[f"s{t}_lower"] - 1e-9 <= row[f"s{t}"] <= row[f"s{t}_upper"] + 1e-9
    curve = km_curves(df)["survival"].to_numpy()
    assert (np.diff(curve) <= 1e-12).all()
    boot = replicate_bootstrap(df, "A", month=t, n_boot=20).iloc[0]
    assert boot["s"] == pytest.approx(naive_km(lifetime, died, t))

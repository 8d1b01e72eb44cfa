"""The report's sentences are generated from the numbers: checked on a synthetic comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from partnersim.policy import analyze_policies, parse_policies
from partnersim.policy.figures import plot_comparison
from partnersim.policy.report import render_report, summary_points

STUDY = parse_policies(
    {
        "study": {"name": "synthetic", "replicates": 2, "seed": 1, "baseline": "long"},
        "uncertainties": {"horizon": 120, "legacy_months": 6},
        "policies": {
            "short": {"funding_length": 12},
            "long": {"funding_length": 36},
        },
    },
    "synthetic.toml",
)


def synthetic_table() -> pd.DataFrame:
    """One replicate. 'short': 3 of 4 dissolve in the first month without the grant (13), one is alive at 120;
    'long': 1 of 4 dissolves in the first month without its grant (37), the rest are alive at 120."""
    rows = []
    for run, policy, lifetimes in ((0, "short", [13, 13, 13, 120]), (1, "long", [37, 120, 120, 120])):
        for life in lifetimes:
            alive = life == 120
            rows.append(
                {
                    "policy": policy,
                    "run": run,
                    "replicate": 0,
                    "started_at": 0,
                    "lifetime": life,
                    "censored": alive,
                    "dissolved_at": np.nan if alive else life,
                    "funding_ended_at": 12 if policy == "short" else 36,
                    "survived_funding_end": alive,
                }
            )
    return pd.DataFrame(rows)


def test_summary_sentences_use_the_computed_numbers():
    cmp = analyze_policies(synthetic_table(), STUDY)
    res = cmp.results.set_index("policy")
    assert res.loc["short", "s60"] == pytest.approx(0.25) and res.loc["long", "s60"] == pytest.approx(0.75)
    text = " ".join(summary_points(cmp))
    lo, hi = res.loc["long", "s60_lower"], res.loc["long", "s60_upper"]
    assert (
        f"<b>long</b> keeps the most partnerships working: 75.0% ({100 * lo:.1f}–{100 * hi:.1f}%) after five years"
        in text
    )
    # every policy's grant has ended by five years: the first sentence leaves none out
    assert "Left out" not in text and "Of the policies" not in text
    assert "<b>-50.0 points</b>" in text
    # the baseline loses 1 of its 4 partnerships in the first month without the grant, none before
    assert "the grant end is the most dangerous time" in text.lower()
    assert (
        "25.0% (" in text and "in the first month without the grant (1 of 4 partnerships still going)" in text
    )
    assert (
        "the 9 months from 12 to 4 months before the grant ends (0 dissolutions in 36 partnership-months)"
        in text
    )
    assert "when none dissolved earlier" in text
    # legacy among the partnerships that can be judged, with the denominator and the study's legacy_months
    assert res.loc["long", "judged"] == 4 and res.loc["long", "legacy"] == pytest.approx(0.75)
    assert (
        "of the 4 partnerships under <b>long</b> whose grant ended at least 6 months before the end" in text
    )
    assert "kept working for at least 6 months after their funding ended" in text
    # with one replicate the permutation test can say nothing: two swap patterns, p = 1
    assert res.loc["short", "exact"] and res.loc["short", "p_value"] == 1.0
    assert "permutation test of the log-rank statistic within replicates" in text
    # survival at the end of the runs is reported too
    assert res.loc["long", "s120"] == pytest.approx(0.75)


def test_report_says_not_reached_for_a_median_never_reached(tmp_path):
    cmp = analyze_policies(synthetic_table(), STUDY)
    assert np.isinf(cmp.results.set_index("policy").loc["long", "median"])
    figures = plot_comparison(
        cmp.curves, cmp.results, cmp.hazard, cmp.results, STUDY.baseline, tmp_path, legacy_months=6
    )
    html = render_report(cmp, figures, {"runs": 2})
    assert "not reached" in html
    assert html.count("data:image/png;base64,") == 4
    # the legacy caption follows the study's legacy_months; the test is named for what it is
    assert "at least 6 months after their funding ended" in html and "at least a year" not in html
    assert "log-rank p" not in html and "permutation test of the log-rank statistic within replicates" in html


def test_headline_intervals_are_the_whole_run_ones_where_wider():
    cmp = analyze_policies(synthetic_table(), STUDY)
    res = cmp.results.set_index("policy")
    for col in ("s60", "legacy"):
        pooled = res[f"{col}_upper"] - res[f"{col}_lower"]
        boot = res[f"{col}_boot_upper"] - res[f"{col}_boot_lower"]
        headline = res[f"{col}_ci_upper"] - res[f"{col}_ci_lower"]
        assert (headline == np.maximum(pooled, boot)).all()
        assert (res[f"{col}_ci_runs"] == (boot > pooled)).all()
    text = " ".join(summary_points(cmp))
    long = res.loc["long"]
    assert f"75.0% ({100 * long['s60_ci_lower']:.1f}–{100 * long['s60_ci_upper']:.1f}%)" in text


def test_a_policy_named_for_its_levers_is_not_described_twice():
    study = parse_policies(
        {
            "study": {"name": "named", "replicates": 2, "seed": 1, "baseline": "long"},
            "uncertainties": {"horizon": 120},
            "policies": {
                "long, roles agreed in writing": {"funding_length": 36, "formal_agreement": True},
                "long": {"funding_length": 36},
            },
        },
        "named.toml",
    )
    table = synthetic_table().replace({"policy": {"short": "long, roles agreed in writing"}})
    text = " ".join(summary_points(analyze_policies(table, study)))
    assert "long, roles agreed in writing" in text
    assert "(roles agreed in writing)" not in text


def test_summary_and_results_table_round_the_same_stored_difference():
    from partnersim.policy.report import _diff

    cmp = analyze_policies(synthetic_table(), STUDY)
    res = cmp.results
    short = res["policy"] == "short"
    # a stored paired difference on a rounding edge, a hair away from s60(short) - s60(long) = -0.5
    res.loc[short, "diff60"] = -0.385
    text = " ".join(summary_points(cmp))
    table = _diff(res[short].iloc[0], 60)
    assert "<b>-38.5 points</b>" in text and table.startswith("-38.5 points")
    assert "-50.0 points" not in text


def test_first_sentence_names_a_policy_still_paid_at_five_years_that_it_leaves_out():
    study = parse_policies(
        {
            "study": {"name": "synthetic", "replicates": 2, "seed": 1, "baseline": "long"},
            "uncertainties": {"horizon": 120, "legacy_months": 6},
            "policies": {
                "short": {"funding_length": 12},
                "long": {"funding_length": 36},
                "longest": {"funding_length": 72},
            },
        },
        "synthetic.toml",
    )
    table = synthetic_table()
    longest = table[table["policy"] == "long"].assign(
        policy="longest", run=2, lifetime=120, censored=True, dissolved_at=np.nan, funding_ended_at=72,
        survived_funding_end=True,
    )  # fmt: skip
    cmp = analyze_policies(pd.concat([table, longest], ignore_index=True), study)
    first = summary_points(cmp)[0]
    # the best at five years overall is 'longest' (100%), still paid then: the sentence says whom it compares
    assert first.startswith(
        "Of the policies whose grants have ended by five years, <b>long</b> keeps the most"
    )
    assert "with <b>short</b>, the fewest" in first
    assert "Left out: <b>longest</b> (100.0%), whose grant still pays at five years" in first


def test_differences_show_a_decimal_so_small_ones_are_not_hidden():
    from partnersim.policy.report import _points

    assert [_points(x) for x in (0.385, 0.01, -0.012, 0.0004, -0.2, 0.0063, -0.00049)] == [
        "+38.5 points",
        "+1.0 point",
        "-1.2 points",
        "0.0 points",
        "-20.0 points",
        "+0.6 points",
        "0.0 points",
    ]

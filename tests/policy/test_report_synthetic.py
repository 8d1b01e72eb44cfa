"""The report's sentences are generated from the numbers: checked on a synthetic comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from partnersim.policy import analyse, parse_policies
from partnersim.policy.figures import plot_comparison
from partnersim.policy.report import render_report, summary_points

STUDY = parse_policies(
    {
        "study": {"name": "synthetic", "replicates": 2, "seed": 1, "baseline": "long"},
        "uncertainties": {"horizon": 120},
        "policies": {
            "short": {"funding_length": 12},
            "long": {"funding_length": 36},
        },
    },
    "synthetic.toml",
)


def synthetic_table() -> pd.DataFrame:
    """'short': 3 of 4 dissolve when the grant ends at 12; 'long': 1 of 4 at 36, the rest alive at 120."""
    rows = []
    for run, policy, lifetimes in ((0, "short", [12, 12, 12, 120]), (1, "long", [36, 120, 120, 120])):
        for life in lifetimes:
            alive = life == 120
            rows.append(
                {
                    "policy": policy,
                    "run": run,
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
    cmp = analyse(synthetic_table(), STUDY)
    res = cmp.results.set_index("policy")
    assert res.loc["short", "s60"] == pytest.approx(0.25) and res.loc["long", "s60"] == pytest.approx(0.75)
    text = " ".join(summary_points(cmp))
    lo, hi = res.loc["long", "s60_lower"], res.loc["long", "s60_upper"]
    assert (
        f"<b>long</b>, 75% ({100 * lo:.0f}–{100 * hi:.0f}%) of partnerships are still working after five years"
        in text
    )
    assert "<b>-50 points</b>" in text
    # the baseline loses 1 of its 4 partnerships in the grant's last month, none in the year before
    assert "the grant end is the most dangerous time" in text.lower()
    assert "25% (" in text and "in the last month the grant pays for" in text
    # survival at the end of the runs is reported too
    assert res.loc["long", "s120"] == pytest.approx(0.75)


def test_report_says_not_reached_for_a_median_never_reached(tmp_path):
    cmp = analyse(synthetic_table(), STUDY)
    assert np.isinf(cmp.results.set_index("policy").loc["long", "median"])
    figures = plot_comparison(cmp.curves, cmp.results, cmp.hazard, cmp.results, STUDY.baseline, tmp_path)
    html = render_report(cmp, figures, {"runs": 2})
    assert "not reached" in html
    assert html.count("data:image/png;base64,") == 4

"""The funder's report says which way, what it costs and whether it holds: checked on synthetic tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from partnersim.commands.compare import results_lines
from partnersim.policy import analyze_policies, parse_policies
from partnersim.policy.analysis import replicates_needed
from partnersim.policy.costs import cost_table
from partnersim.policy.figures import plot_survival_vs_baseline
from partnersim.policy.report import _p_perm, _pct, _verdict, headline, render_report, summary_points
from partnersim.policy.robustness import Ranges, Samples, analyse_robustness
from partnersim.policy.survival import replicate_bootstrap, snap_zero

REPS = 30


def _study(policies: dict, replicates: int = REPS, baseline: str = "base") -> object:
    return parse_policies(
        {
            "study": {"name": "v2", "replicates": replicates, "seed": 5, "baseline": baseline},
            "uncertainties": {"horizon": 120},
            "policies": policies,
        },
        "v2.toml",
    )


def _rows(policy: str, rep: int, lifetimes: list[int], paid: float = 0.0) -> list[dict]:
    return [
        {
            "policy": policy,
            "run": f"{policy}-{rep}",
            "replicate": rep,
            "started_at": 0,
            "lifetime": life,
            "censored": life >= 120,
            "dissolved_at": np.nan if life >= 120 else life,
            "funding_ended_at": 36,
            "survived_funding_end": life >= 48,
            "grants_paid": paid,
            "coordinator_paid_after_grant": 0.0,
            "output": 10.0,
        }
        for life in lifetimes
    ]


def crossing_table(reps: int = REPS, policies: tuple[str, ...] = ("gap",)) -> pd.DataFrame:
    """Per replicate, 10 partnerships. 'base': none dissolve before month 50, then 4 do (S = 0.6 after).
    Each other policy: 2 dissolve in month 10 and no more (S = 0.8): behind the baseline until
    month 50, ahead after, with fewer dissolutions in all."""
    rows = []
    for r in range(reps):
        rows += _rows("base", r, [50] * 4 + [120] * 6, paid=396.0)
        for name in policies:
            rows += _rows(name, r, [10] * 2 + [120] * 8, paid=396.0)
    return pd.DataFrame(rows)


GAP = _study({"gap": {"funding_length": 36, "funding_gap": 6}, "base": {"funding_length": 36}})


def test_the_direction_the_crossing_and_the_difference_at_every_horizon_are_said():
    cmp = analyze_policies(crossing_table(), GAP)
    gap = cmp.results.set_index("policy").loc["gap"]
    assert gap["z"] < 0 and gap["direction"] == "fewer"
    assert gap["cross_months"] == "50" and gap["ahead_at_end"] == 1
    assert cmp.months == (12, 36, 60, 120)
    assert gap["diff12"] == pytest.approx(-0.2) and gap["diff36"] == pytest.approx(-0.2)
    assert gap["diff60"] == pytest.approx(0.2) and gap["diff120"] == pytest.approx(0.2)
    text = " ".join(summary_points(cmp))
    assert "<b>fewer dissolutions</b> than the baseline over the whole run" in text
    assert "the curves cross at month 50; at the end of the runs the policy is ahead of the baseline" in text
    assert "one year -20.0 (-20.0 to -20.0); three years -20.0" in text and "ten years +20.0" in text
    html = render_report(cmp, {})
    assert "fewer dissolutions<br>" in html and "at month 50" in html


def test_a_float_zero_bound_is_zero_and_no_difference_is_claimed():
    assert snap_zero(1.1e-16) == 0.0 and snap_zero(-3e-17) == 0.0 and snap_zero(0.004) == 0.004
    same = crossing_table(reps=25, policies=("gap",))
    same.loc[same["policy"] == "gap", ["lifetime", "censored"]] = same.loc[
        same["policy"] == "base", ["lifetime", "censored"]
    ].to_numpy()
    paired = replicate_bootstrap(same, "base", 60, n_boot=500).set_index("policy")
    assert paired.loc["gap", "diff_lower"] == 0.0 and paired.loc["gap", "diff_upper"] == 0.0
    row = {"p_holm": 1.0, "diff60_lower": 1.1e-16, "diff60_upper": 0.02}
    assert "a clear difference" not in _verdict(row, 60)


def test_too_few_replicates_are_warned_about_with_the_threshold_and_why():
    assert replicates_needed(8) == (20, 9)  # 8 comparisons: 2/2**9 * 8 < 0.05
    assert replicates_needed(3) == (20, 7)
    study = _study({"gap": {"funding_gap": 6}, "base": {}}, replicates=2)
    cmp = analyze_policies(crossing_table(reps=2), study)
    assert cmp.too_few_replicates
    warning = cmp.warnings[0]
    assert (
        "Only 2 replicates" in warning
        and "at least 20" in warning
        and "too few distinct resamples" in warning
    )
    assert "cannot give a Holm-adjusted p below 0.05 with fewer than 6 replicates" in warning
    text = " ".join(summary_points(cmp))
    assert (
        "too few replicates to judge" in text and "a clear difference" not in text and "≤ 1.000" not in text
    )
    assert "Too few runs." in render_report(cmp, {})
    assert analyze_policies(crossing_table(), GAP).warnings == []


def test_the_smallest_p_is_the_number_of_comparisons_over_2001():
    names = ("a", "b", "c")
    study = _study({**{n: {"funding_gap": i + 1} for i, n in enumerate(names)}, "base": {}})
    cmp = analyze_policies(crossing_table(policies=names), study)
    res = cmp.results.set_index("policy")
    assert np.allclose(res.loc[list(names), "p_holm"], 3 / 2001)
    html = render_report(cmp, {})
    assert "≤ 0.0015" in html and "The smallest p-value this test can give is 0.0015" in html
    assert "≤ 0.001<" not in html and "≤ 0.001 " not in html
    assert _p_perm(0.012, 3 / 2001, sentence=True) == "p = 0.012"


def test_small_differences_keep_their_digits():
    assert (_pct(0.367), _pct(0.373)) == ("36.7%", "37.3%")


def test_report_has_print_styles_and_no_sideways_scroll_box():
    html = render_report(analyze_policies(crossing_table(), GAP), {})
    assert "@page{size:A4" in html and "@media print" in html and ".page1{break-after:page}" in html
    assert "overflow-x" not in html and "class='wide'" not in html
    # the CSV files are named and linked from the report
    for name in ("policy_results.csv", "survival_curves.csv", "policy_costs.csv"):
        assert f"<a href='{name}'>" in html


def test_small_multiples_one_panel_per_policy_against_the_baseline():
    names = ("a", "b", "c")
    study = _study({**{n: {"funding_gap": i + 1} for i, n in enumerate(names)}, "base": {}})
    cmp = analyze_policies(crossing_table(reps=3, policies=names), study)
    fig = plot_survival_vs_baseline(cmp.curves, cmp.results, "base")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == list(names)
    for ax in panels:
        assert len(ax.get_lines()) >= 2  # the baseline and the policy in every panel
        assert any(line.get_marker() == "x" for line in ax.get_lines())  # they cross at month 50


def test_a_policy_that_changes_only_the_cost_is_flagged():
    study = _study({"dear": {"grant_amount": 20.0}, "base": {}})
    cmp = analyze_policies(crossing_table(reps=REPS, policies=("dear",)), study)
    text = " ".join(summary_points(cmp))
    assert (
        "<b>dear</b> (grants of £20k a month): differs from the baseline only in what the grant costs" in text
    )


def test_terminal_table_stays_aligned_with_long_names():
    long = "36-month grants with a coordinator kept on and a six-month gap before renewal"
    study = _study({long: {"funding_gap": 6}, "base": {}})
    lines = results_lines(analyze_policies(crossing_table(policies=(long,)), study))
    assert len({len(line) for line in lines}) == 1
    assert lines[1].startswith(long + "  ")
    assert lines[2].startswith("base (baseline)")


def test_costs_divide_the_money_by_what_it_bought():
    rows = []
    for r in range(4):
        rows += _rows("p", r, [120, 30], paid=100.0)
    costs = cost_table(pd.DataFrame(rows), [60, 120], 120, n_boot=200).set_index("policy").loc["p"]
    assert costs["paid_per_run"] == 200.0 and costs["paid_per_partnership"] == 100.0
    assert costs["cost_per_working_60"] == 200.0 and costs["cost_per_working_120"] == 200.0
    assert costs["cost_per_working_year"] == pytest.approx(200 / (150 / 12))
    assert costs["cost_per_output"] == pytest.approx(10.0)
    # every replicate is alike, so the whole-replicate interval has no width
    assert costs["paid_per_run_lower"] == costs["paid_per_run_upper"] == 200.0


def test_robustness_ranks_each_draw_and_says_how_often_each_policy_is_best():
    study = _study({"gap": {"funding_gap": 6}, "base": {}})
    main = analyze_policies(crossing_table(), study).results
    table = crossing_table(reps=4)
    draws = []
    for k in range(3):
        t = table.copy()
        t["draw"] = k
        if k == 2:  # in the third world the gap policy loses everything at month 12
            t.loc[t["policy"] == "gap", ["lifetime", "censored"]] = [12, False]
        draws.append(t)
    rob = analyse_robustness(pd.concat(draws), study, [{"x": 1}, {"x": 2}, {"x": 3}], main, [60, 120], 4)
    s = rob.summary.set_index("policy")
    assert s.loc["gap", "p_best120"] == pytest.approx(2 / 3) and s.loc["base", "p_best120"] == pytest.approx(
        1 / 3
    )
    assert s.loc["gap", "sign_held120"] == pytest.approx(2 / 3) and np.isnan(s.loc["base", "sign_held120"])
    assert rob.order_held[120] == pytest.approx(2 / 3)


def test_parameter_sources_ranges_and_a_posterior_table():
    from partnersim.policy.spec import Uncertainty

    ranges = Ranges({"quorum_share": Uncertainty("quorum_share", "uniform", (0.3, 0.6))})
    a = ranges.draw(5, seed=1)
    assert a == ranges.draw(5, seed=1) and a[:3] == ranges.draw(3, seed=1)
    assert all(0.3 <= d["quorum_share"] <= 0.6 for d in a)
    posterior = pd.DataFrame({"quorum_share": [0.4, 0.5, 0.45]})
    assert Samples(posterior).draw(3, seed=0) == [{"quorum_share": v} for v in (0.4, 0.5, 0.45)]
    assert len(Samples(posterior).draw(10, seed=0)) == 10


def test_posterior_samples_plug_into_a_comparison_run():
    from partnersim.policy.compare import run_comparison

    study = parse_policies(
        {
            "study": {"name": "plug", "replicates": 2, "seed": 3, "baseline": "b"},
            "uncertainties": {"horizon": 24},
            "policies": {"a": {"funding_length": 12}, "b": {"funding_length": 36}},
        },
        "plug.toml",
    )
    posterior = pd.DataFrame({"quorum_share": [0.3, 0.7]})
    done = run_comparison(study, None, source=Samples(posterior, "a test posterior"), progress=False)
    rob = done.comparison.robustness
    assert list(rob.draws["quorum_share"]) == [0.3, 0.7]
    assert rob.described == {"quorum_share": "from a test posterior (2 sets)"}
    assert "Does it hold?" in " ".join(headline(done.comparison))


def test_a_draw_tied_for_best_is_shared_not_rounded_away():
    from partnersim.policy.report import _share

    # 0.975 of 20 draws is 19.5 (one draw tied), not "20 of 20"; 0.025 is 0.5, not "0 of 20"
    assert _share(0.975, 20) == "19.5 of 20"
    assert _share(0.025, 20) == "0.5 of 20"
    assert _share(0.45, 20) == "9 of 20"
    assert _share(1 / 3, 3) == "1 of 3"


def test_crumbs_of_a_wide_tie_are_counted_together_not_named():
    from partnersim.policy.report import _best_list

    n = 20
    # one draw where seven policies tie for best: each gets 1/7 of it
    p = pd.Series({"coordinator": 17.64 / n, "long": 1.5 / n, **{f"p{i}": 1 / 7 / n for i in range(6)}})
    text = _best_list(p.sort_values(ascending=False), n)
    assert text.startswith("<b>coordinator</b> in 17.64 of 20, <b>long</b> in 1.5 of 20 and 6 other policies")
    assert "6 other policies, through ties, in 0.86 of 20" in text and "p0" not in text
    # a single crumb, or an even split, is still named
    assert (
        _best_list(pd.Series({"a": 19.75 / n, "b": 0.25 / n}), n)
        == "<b>a</b> in 19.75 of 20 and <b>b</b> in 0.25 of 20"
    )
    assert _best_list(pd.Series({"a": 0.5, "b": 0.5}), 2) == "<b>a</b> in 1 of 2 and <b>b</b> in 1 of 2"

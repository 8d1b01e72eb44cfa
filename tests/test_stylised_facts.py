"""The twelve stylised facts, checked on real model runs with the design fixed in ODD 1.2.1.

Settings, outcomes, replicates (seeds 0-31, common random numbers), the test
(one-sided paired t-test) and alpha (0.01 per check) are those of
``docs/ODD.md`` section 1.2.1, written down before the tests were run; the
checks are the data of :mod:`partnersim.facts`. A fact that fails on the
model stays here as a strict expected failure whose reason gives the
measured figures; it is never given another outcome.

Every run the facts need (about twenty settings x 32 seeds) goes out as one
batch on two worker processes and is shared by all the tests, and by the
magnitude checks of ``test_magnitudes.py`` in the same session.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

from partnersim import facts as F

pytestmark = pytest.mark.slow

WORKERS = min(2, os.cpu_count() or 1)


@pytest.fixture(scope="module")
def results() -> pd.DataFrame:
    return F.evaluate(executor="processes", workers=WORKERS)


def assert_fact(results: pd.DataFrame, fact: str) -> None:
    rows = results[results["fact"] == fact]
    assert list(rows["check"]) == [c.check for c in F.FACTS[fact].checks]
    assert (rows["n"] > 0).all()
    failing = rows[~rows["holds"]]
    assert failing.empty, "\n".join(
        f"{r.check} ({r.claim}): mean difference {r.mean_diff:.4g} "
        f"[{r.ci_low:.4g}, {r.ci_high:.4g}], p = {r.p:.3g}, n = {r.n} {r.note}"
        for r in failing.itertuples()
    )


def test_fact_1_longer_funding_raises_survival(results):
    """002:701, 004:474, 004:504, 001:96, 003:664-672."""
    assert_fact(results, "1")


def test_fact_2_turnover_lowers_trust_and_survival(results):
    """004:442-474, 002:517, 002:1165, 001:288."""
    assert_fact(results, "2")


def test_fact_3_coordinator_raises_trust_activity_survival_and_losing_it_weakens(results):
    """002:364, 002:999, 003:371."""
    assert_fact(results, "3")


def test_fact_4_strategic_delivers_early_communicative_builds_trust_and_legacy(results):
    """000:106-110, 000:143."""
    assert_fact(results, "4")


@pytest.mark.xfail(
    strict=True,
    reason="measured on seeds 0-31: 5b vcse_share closed -> open +0.019 (95 % CI -0.014 to 0.052), p = 0.12; "
    "5c agreement_speed is 1 in every closed run, fixed by formula (mean difference -0.154, p = 3e-29)",
)
def test_fact_5_open_membership_more_and_varied_members_slower_agreement(results):
    """002:372-378, 002:411-419."""
    assert_fact(results, "5")


def test_fact_6_power_gaps_under_strategic_rules_silence_and_drive_out_small_partners(results):
    """000:169, 004:288-294, 003:343."""
    assert_fact(results, "6")


def test_fact_7_trust_builds_slowly_leaves_with_people_and_incidents_linger(results):
    """001:97, 003:440, 003:628, 002:551."""
    assert_fact(results, "7")


def test_fact_8_larger_partnerships_lower_commitment(results):
    """001:357, 002:413."""
    assert_fact(results, "8")


@pytest.mark.xfail(
    strict=True,
    reason="measured on seeds 0-31: 9b mean_lifetime prior_tie_density 0 -> 0.5 +0.51 months "
    "(95 % CI -3.6 to 4.6), p = 0.40 (9a trust_early holds, p = 4e-28)",
)
def test_fact_9_prior_relationships_speed_trust_and_raise_survival(results):
    """001:143, 001:305, 002:509-517."""
    assert_fact(results, "9")


@pytest.mark.xfail(
    strict=True,
    reason="measured on seeds 0-31: 10b mean_lifetime difference in differences +0.42 months "
    "(95 % CI -4.7 to 5.6), p = 0.43 (10a mean_trust holds: +0.010, p = 0.0065)",
)
def test_fact_10_formal_agreement_softens_turnover(results):
    """004:416."""
    assert_fact(results, "10")


@pytest.mark.xfail(
    strict=True,
    reason="measured on seeds 0-31, austerity_rate 0 -> 0.5: 11a vcse_share -0.0007 (95 % CI -0.039 to 0.037), "
    "p = 0.48; 11b vcse_exits -0.03 (-0.63 to 0.57), p = 0.54; 11c VCSE minus charity exit-rate rise "
    "+0.0030 per member-year (-0.0034 to 0.0093), p = 0.18",
)
def test_fact_11_budget_shocks_hurt_small_vcse_most(results):
    """001:350, 002:354."""
    assert_fact(results, "11")


def test_fact_12_staff_leave_more_near_grant_end(results):
    """004:474, 003:664, 003:845."""
    assert_fact(results, "12")


def test_every_fact_has_a_test():
    names = {n for n in globals() if n.startswith("test_fact_")}
    assert {n.split("_")[2] for n in names} == set(F.FACTS)


def test_flexible_money_tied_to_no_agenda_makes_partnerships_more_equal():
    """Funds tied to no member's agenda make partnerships more equal (002:615, 002:705-707).

    Not one of the twelve facts, but the direction the funder's flexibility
    lever must show: under strategic rules, where power matters most, fully
    flexible money spreads voice more equally and lifts trust.
    """
    fixed = {"orientation": 0.2, "funding_flexibility": 0.0}
    flexible = {"orientation": 0.2, "funding_flexibility": 1.0}
    checks = [
        F.paired("flexible money", "a", fixed, flexible, "voice_gini", "down"),
        F.paired("flexible money", "b", fixed, flexible, "mean_trust", "up"),
    ]
    table = F.evaluate(checks, executor="processes", workers=WORKERS)
    assert table["holds"].all(), table[["check", "claim", "mean_diff", "p", "note"]].to_string()

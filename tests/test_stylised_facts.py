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


@pytest.mark.xfail(
    strict=True,
    reason="fails on the model of 2026-12-03 (seeds 0-31): 4a output_first_year is higher, not lower, under "
    "communicative rules: orientation 0.1 to 0.9 mean difference +6.0 [-5.0, 17.1], p = 0.86 for down; 4c "
    "legacy_rate up +0.063 [-0.011, 0.136], p = 0.046 (right direction, not below 0.01); 4b mean_trust holds.",
)
def test_fact_4_strategic_delivers_early_communicative_builds_trust_and_legacy(results):
    """000:106-110, 000:143."""
    assert_fact(results, "4")


@pytest.mark.xfail(
    strict=True,
    reason="fails on the model of 2026-12-03 (seeds 0-31): 5b vcse_share, closed to open membership, "
    "+0.052 [0.007, 0.097], p = 0.013 (right direction, not below 0.01; it held at p = 0.0013 before budget "
    "shocks withdrew money from the voluntary sector, which at the default austerity_rate keeps small groups "
    "from the active roster a little more); 5a, 5c and 5d hold.",
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


def test_fact_9_prior_relationships_speed_trust_and_raise_survival(results):
    """001:143, 001:305, 002:509-517."""
    assert_fact(results, "9")


@pytest.mark.xfail(
    strict=True,
    reason="fails on the model of 2026-12-03 (seeds 0-31): both checks point the stated way but miss p < 0.01: "
    "10a the softening of the trust drop +0.015 [0.001, 0.028], p = 0.018; 10b of the lifetime drop "
    "+5.7 months [0.3, 11.1], p = 0.019.",
)
def test_fact_10_formal_agreement_softens_turnover(results):
    """004:416."""
    assert_fact(results, "10")


def test_fact_11_budget_shocks_hurt_small_vcse_most(results):
    """001:350, 002:354."""
    assert_fact(results, "11")


@pytest.mark.xfail(
    strict=True,
    reason="fails on the model of 2026-12-03 (seeds 0-31): 12a the log ratio of representatives' leaving rates, "
    "a grant's last 6 months over its months 7-24, is +0.12 [-0.06, 0.29], p = 0.088 (right direction, not "
    "below 0.01; it held at p = 0.002 before partnerships could fail while funded: fewer now reach the last "
    "months of a grant, so that window holds fewer person-months).",
)
def test_fact_12_staff_leave_more_near_grant_end(results):
    """004:474, 003:664, 003:845."""
    assert_fact(results, "12")


def test_every_fact_has_a_test():
    names = {n for n in globals() if n.startswith("test_fact_")}
    assert {n.split("_")[2] for n in names} == set(F.FACTS)


@pytest.mark.xfail(
    strict=True,
    reason="not a v2 mechanism: 002:615 is about who funds (money tied to neither agenda), not flexible money, "
    "and the v2 model gives flexible money no equalising term (it was flexibility_equality, removed as typed in); "
    "on the model of 2026-12-02 voice_gini moves +0.005 (p = 0.75 for down) and mean_trust +0.025 (p < 0.001)",
)
def test_flexible_money_tied_to_no_agenda_makes_partnerships_more_equal():
    """Funds tied to no member's agenda make partnerships more equal (002:615).

    Written for the model before v2, where a parameter made voice more equal
    because money was flexible. Kept, as a strict expected failure, so the
    figure stays visible; the test below checks what v2 says flexible money
    does.
    """
    fixed = {"orientation": 0.2, "funding_flexibility": 0.0}
    flexible = {"orientation": 0.2, "funding_flexibility": 1.0}
    checks = [
        F.paired("flexible money", "a", fixed, flexible, "voice_gini", "down"),
        F.paired("flexible money", "b", fixed, flexible, "mean_trust", "up"),
    ]
    table = F.evaluate(checks, executor="processes", workers=WORKERS)
    assert table["holds"].all(), table[["check", "claim", "mean_diff", "p", "note"]].to_string()


def test_flexible_money_lets_plans_adapt_to_small_partners_and_lowers_competition():
    """Flexible money frees the partnership from the plan it drafted (002:664, 002:683).

    Under strategic rules the plan follows the biggest funder; with fully
    flexible money it follows what members voice, which fits small VCSE
    groups' missions better, and the evidencing cycle that drives
    competition goes (002:681). Written from the v2 mechanism before it was
    run.
    """
    fixed = {"orientation": 0.2, "funding_flexibility": 0.0}
    flexible = {"orientation": 0.2, "funding_flexibility": 1.0}
    checks = [
        F.paired("flexible money v2", "a", fixed, flexible, "vcse_satisfaction_3y", "up"),
        F.paired("flexible money v2", "b", fixed, flexible, "mean_trust", "up"),
    ]
    table = F.evaluate(checks, executor="processes", workers=WORKERS)
    assert table["holds"].all(), table[["check", "claim", "mean_diff", "p", "note"]].to_string()

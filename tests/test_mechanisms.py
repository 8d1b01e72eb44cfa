"""Unit tests: one group per mechanism function of partnersim.mechanisms."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnersim import mechanisms as mech
from partnersim.schema import defaults

#: the schema's defaults: mechanisms take every constant as an argument
D = defaults()
SYNERGY = (D["synergy_trust_weight"], D["synergy_coordinator_weight"])
WEIGHTS = (D["voice_weight"], D["reciprocity_weight"], D["output_weight"], D["trust_weight"])

unit = st.floats(0.0, 1.0)


# ---------------------------------------------------------------- turnover


def test_monthly_hazard_compounds_to_the_annual_rate():
    for annual in (0.0, 0.1, 0.2, 0.5, 0.9):
        h = mech.monthly_hazard(annual)
        assert 1 - (1 - h) ** 12 == pytest.approx(annual)
    assert mech.monthly_hazard(1.0) == 1.0


def test_leaving_hazard_rises_near_grant_end_only_for_grant_paid_posts():
    base = mech.monthly_hazard(0.2)
    assert mech.monthly_leaving_hazard(base, 30, True, 6, 1.0) == base
    assert mech.monthly_leaving_hazard(base, 3, True, 6, 1.0) == pytest.approx(2 * base)
    assert mech.monthly_leaving_hazard(base, 5, True, 6, 1.0) == pytest.approx(2 * base)
    assert mech.monthly_leaving_hazard(base, 6, True, 6, 1.0) == base  # the window is the last 6 paid months
    assert mech.monthly_leaving_hazard(base, 0, True, 0, 1.0) == base
    assert mech.monthly_leaving_hazard(base, 3, False, 6, 1.0) == base
    # unfunded (negative months to end) is not "near the end"
    assert mech.monthly_leaving_hazard(base, -1, True, 6, 1.0) == base
    assert mech.monthly_leaving_hazard(0.9, 0, True, 6, 10.0) == 1.0


def test_handover_share_adds_agreement_and_coordinator_and_caps():
    assert mech.handover_share(False, False, 0.5, 0.3) == 0.0
    assert mech.handover_share(True, False, 0.5, 0.3) == 0.5
    assert mech.handover_share(False, True, 0.5, 0.3) == 0.3
    assert mech.handover_share(True, True, 0.5, 0.3) == pytest.approx(0.8)
    assert mech.handover_share(True, True, 0.8, 0.8) == 1.0


def test_successor_trust_keeps_share_of_what_was_built():
    assert mech.successor_trust(0.9, 0.3, 0.0) == 0.3
    assert mech.successor_trust(0.9, 0.3, 1.0) == pytest.approx(0.9)
    assert mech.successor_trust(0.9, 0.3, 0.5) == pytest.approx(0.6)
    # a broken relationship is partly inherited too
    assert mech.successor_trust(0.1, 0.3, 0.5) == pytest.approx(0.2)


# ---------------------------------------------------------------- trust


def test_trust_builds_slowly_and_breaks_fast():
    up = mech.trust_after_interaction(0.5, True, 0.06, 0.2)
    down = mech.trust_after_interaction(0.5, False, 0.06, 0.2)
    assert up == pytest.approx(0.53)
    assert down == pytest.approx(0.4)
    assert 0.5 - down > up - 0.5


@given(unit, st.booleans(), unit, unit)
def test_trust_after_interaction_stays_in_unit_interval(t, positive, gain, loss):
    assert 0.0 <= mech.trust_after_interaction(t, positive, gain, loss) <= 1.0


def test_effective_trust_mixes_layers():
    assert mech.effective_trust(1.0, 0.0, 0.6) == pytest.approx(0.6)
    assert mech.effective_trust(0.0, 1.0, 0.6) == pytest.approx(0.4)
    assert mech.effective_trust(0.5, 0.5, 0.3) == pytest.approx(0.5)


def test_institutional_trust_moves_towards_personal():
    assert mech.institutional_after_meeting(0.0, 1.0, 0.1) == pytest.approx(0.1)
    assert mech.institutional_after_meeting(0.8, 0.2, 0.5) == pytest.approx(0.5)
    assert mech.institutional_after_meeting(0.4, 0.4, 0.9) == pytest.approx(0.4)


def test_alignment_is_one_minus_distance():
    assert mech.alignment(0.2, 0.2) == 1.0
    assert mech.alignment(0.0, 1.0) == 0.0
    assert mech.alignment(0.3, 0.7) == pytest.approx(0.6)


def test_competition_pressure_falls_with_orientation_length_and_flexibility():
    strategic_short = mech.competition_pressure(0.5, 0.0, 12, 0.0, 0.5)
    assert strategic_short == pytest.approx(0.5)
    assert mech.competition_pressure(0.5, 1.0, 12, 0.0, 0.5) == 0.0
    assert mech.competition_pressure(0.5, 0.0, 36, 0.0, 0.5) == pytest.approx(0.5 * 2 / 3)
    assert mech.competition_pressure(0.5, 0.0, 12, 1.0, 0.5) == 0.0
    assert mech.competition_pressure(0.0, 0.0, 12, 0.0, 0.5) == 0.0
    # the share that scales with shortness: none, and grant length stops mattering; all, and it is everything
    assert mech.competition_pressure(0.5, 0.0, 36, 0.0, 0.0) == pytest.approx(0.5)
    assert mech.competition_pressure(0.5, 0.0, 36, 0.0, 1.0) == pytest.approx(0.5 / 3)


def test_positive_interaction_probability_directions():
    args = dict(
        base=0.7,
        alignment_effect=0.3,
        reciprocity_effect=0.2,
        power_effect=0.3,
        competition_effect=0.3,
        power_damping=0.5,
    )
    ref = mech.positive_interaction_probability(0.5, 0.5, 0.0, 0.5, 0.0, **args)
    assert ref == pytest.approx(0.7)
    assert mech.positive_interaction_probability(0.9, 0.5, 0.0, 0.5, 0.0, **args) > ref
    assert mech.positive_interaction_probability(0.5, 0.9, 0.0, 0.5, 0.0, **args) > ref
    assert mech.positive_interaction_probability(0.5, 0.5, 0.0, 0.5, 0.5, **args) < ref
    gap_strategic = mech.positive_interaction_probability(0.5, 0.5, 0.8, 0.0, 0.0, **args)
    gap_communicative = mech.positive_interaction_probability(0.5, 0.5, 0.8, 1.0, 0.0, **args)
    # the power gap hurts under both rules, less under communicative ones (000:189)
    assert gap_strategic < gap_communicative < ref
    # damping 1 removes the gap's effect under fully communicative rules; 0 makes rules irrelevant
    full = {**args, "power_damping": 1.0}
    assert mech.positive_interaction_probability(0.5, 0.5, 0.8, 1.0, 0.0, **full) == pytest.approx(ref)
    none = {**args, "power_damping": 0.0}
    assert mech.positive_interaction_probability(0.5, 0.5, 0.8, 1.0, 0.0, **none) == pytest.approx(
        gap_strategic
    )
    assert mech.positive_interaction_probability(0, 0, 1, 0, 1, **args) == 0.02
    assert mech.positive_interaction_probability(1, 1, 0, 1, 0, **{**args, "base": 1.0}) == 0.98


# ---------------------------------------------------------------- meeting and capacity


def test_attendance_spread_over_memberships_and_chased_by_coordinator():
    full = mech.attendance_probability(16, 1, 8, False, 0.2)
    spread = mech.attendance_probability(16, 4, 8, False, 0.2)
    chased = mech.attendance_probability(16, 4, 8, True, 0.2)
    assert full == 1.0
    assert spread == pytest.approx(0.5)
    assert chased == pytest.approx(0.7)
    assert mech.attendance_probability(0, 1, 8, False, 0.2) == 0.0


def test_joining_needs_time_for_one_more_membership():
    assert mech.joining_probability(16, 0, 8) == 1.0
    assert mech.joining_probability(16, 3, 8) == pytest.approx(0.5)
    assert mech.joining_probability(0, 0, 8) == 0.0


def test_contributed_hours_capped_and_split():
    assert mech.contributed_hours(40, 1, 8) == 8
    assert mech.contributed_hours(12, 3, 8) == pytest.approx(4)
    assert mech.contributed_hours(12, 0, 8) == 8


def test_vcse_capacity_factor_only_for_unfunded_vcse():
    assert mech.vcse_capacity_factor(True, False, 0.4) == 0.4
    assert mech.vcse_capacity_factor(True, True, 0.4) == 1.0
    assert mech.vcse_capacity_factor(False, False, 0.4) == 1.0


# ---------------------------------------------------------------- delivery


def test_complementarity_and_synergy():
    assert mech.complementarity(3) == 1.0
    assert mech.complementarity(1) == pytest.approx(1 / 3)
    assert mech.synergy(1.0, 1.0, True, *SYNERGY) == 1.0
    assert mech.synergy(0.0, 0.0, False, *SYNERGY) == 0.0
    assert mech.synergy(0.4, 0.5, True, *SYNERGY) > mech.synergy(0.4, 0.5, False, *SYNERGY)
    assert mech.synergy(0.8, 0.5, False, *SYNERGY) > mech.synergy(0.4, 0.5, False, *SYNERGY)


def test_maturity_grows_only_with_communicative_working():
    assert mech.maturity_after_month(0.0, 0.0, 0.05) == 0.0
    assert mech.maturity_after_month(0.0, 1.0, 0.05) == pytest.approx(0.05)
    m = 0.0
    for _ in range(1000):
        m = mech.maturity_after_month(m, 1.0, 0.05)
    assert m <= 1.0


def test_strategic_output_early_communicative_later():
    early_s = mech.orientation_output_factor(0.0, 1, 0.0, 0.5, 24)
    early_c = mech.orientation_output_factor(1.0, 1, 0.0, 0.5, 24)
    assert early_s > early_c
    late_s = mech.orientation_output_factor(0.0, 120, 0.0, 0.5, 24)
    late_c = mech.orientation_output_factor(1.0, 120, 0.7, 0.5, 24)
    assert late_c > late_s


def test_agreement_slows_with_members_above_founding_size():
    assert mech.agreement_factor(5, 5, 0.1) == 1.0
    assert mech.agreement_factor(3, 5, 0.1) == 1.0
    assert mech.agreement_factor(9, 5, 0.1) == pytest.approx(1 / 1.4)


def test_effectiveness_is_a_bounded_moving_average():
    e = 0.0
    for _ in range(200):
        e = mech.effectiveness_after_month(e, 4.0, 4.0, D["effectiveness_rate"])
    assert e == pytest.approx(0.5, abs=1e-6)
    assert mech.effectiveness_after_month(0.5, 0.0, 4.0, D["effectiveness_rate"]) == pytest.approx(0.4)


# ---------------------------------------------------------------- evaluation


def test_voice_follows_power_under_strategic_rules_and_is_equal_under_communicative():
    powers = [0.9, 0.3, 0.1]
    strategic = mech.voice_shares(powers, 0.0)
    communicative = mech.voice_shares(powers, 1.0)
    assert strategic == pytest.approx([0.9 / 1.3, 0.3 / 1.3, 0.1 / 1.3])
    assert communicative == pytest.approx([1 / 3] * 3)
    assert sum(mech.voice_shares(powers, 0.4)) == pytest.approx(1.0)
    assert mech.voice_shares([], 0.5) == []
    assert mech.voice_shares([0, 0], 0.0) == [0.5, 0.5]


def test_gini_known_values():
    assert mech.gini([1, 1, 1, 1]) == pytest.approx(0.0)
    assert mech.gini([0, 0, 0, 1]) == pytest.approx(0.75)
    assert mech.gini([]) == 0.0
    assert mech.gini([0, 0]) == 0.0
    assert mech.reciprocity([2, 2]) == pytest.approx(1.0)
    assert mech.reciprocity([0, 0, 0, 1]) == pytest.approx(0.25)


def test_member_reciprocity_drains_who_gives_more_than_it_gets():
    assert mech.member_reciprocity(0.1, 0.4) == pytest.approx(0.25)
    assert mech.member_reciprocity(0.5, 0.2) == 1.0
    assert mech.member_reciprocity(0.2, 0.0) == 1.0


def test_satisfaction_target_rises_with_each_input_and_silencing_bites():
    ref = mech.satisfaction_target(0.2, 5, 0.5, 0.5, 0.5, WEIGHTS, D["silencing_factor"])  # equal voice
    assert mech.satisfaction_target(0.1, 5, 0.5, 0.5, 0.5, WEIGHTS, D["silencing_factor"]) < ref
    assert mech.satisfaction_target(0.2, 5, 0.9, 0.5, 0.5, WEIGHTS, D["silencing_factor"]) > ref
    assert mech.satisfaction_target(0.2, 5, 0.5, 0.9, 0.5, WEIGHTS, D["silencing_factor"]) > ref
    assert mech.satisfaction_target(0.2, 5, 0.5, 0.5, 0.9, WEIGHTS, D["silencing_factor"]) > ref
    assert mech.satisfaction_target(1.0, 5, 1.0, 1.0, 1.0, WEIGHTS, D["silencing_factor"]) == pytest.approx(
        1.0
    )
    assert mech.satisfaction_target(0.0, 5, 0.0, 0.0, 0.0, WEIGHTS, D["silencing_factor"]) == 0.0


def test_membership_cost_grows_with_size():
    assert mech.membership_cost(2, 0.03) == 0.0
    assert mech.membership_cost(10, 0.03) == pytest.approx(0.24)


def test_commitment_moves_slowly_and_is_clipped():
    assert mech.commitment_after_month(0.5, 0.9, 0.1, 0.0, D["commitment_rate"]) == pytest.approx(0.55)
    assert mech.commitment_after_month(0.0, 0.0, 0.0, 1.0, D["commitment_rate"]) == 0.0
    assert mech.commitment_after_month(1.0, 1.0, 1.0, 0.0, D["commitment_rate"]) == 1.0


def test_member_status_paper_before_exit():
    assert mech.member_status(0.6, False, 0.35, 0.25) == "active"
    assert mech.member_status(0.3, False, 0.35, 0.25) == "paper"
    # an active member is never removed in one step: paper first (004:122)
    assert mech.member_status(0.1, False, 0.35, 0.25) == "paper"
    assert mech.member_status(0.1, True, 0.35, 0.25) == "leave"
    assert mech.member_status(0.5, True, 0.35, 0.25) == "active"


def test_carries_on_needs_two_willing_and_a_quorum():
    assert mech.carries_on([0.6, 0.6, 0.1], 0.5, 0.5)
    assert not mech.carries_on([0.6, 0.1, 0.1], 0.5, 0.5)
    assert not mech.carries_on([0.6, 0.6, 0.1, 0.1, 0.1], 0.5, 0.5)
    assert mech.carries_on([0.46, 0.46], 0.5, 0.5, momentum=0.05)
    assert not mech.carries_on([], 0.5, 0.5)


def test_newcomer_commitment_softened_by_handover():
    assert mech.newcomer_commitment(0.6, 0.1, 0.0) == pytest.approx(0.5)
    assert mech.newcomer_commitment(0.6, 0.1, 1.0) == pytest.approx(0.6)
    assert mech.newcomer_commitment(0.05, 0.1, 0.0) == 0.0


def test_commitment_attendance_and_quorum():
    assert mech.commitment_attendance(0.6, 0.5) == 1.0
    assert mech.commitment_attendance(0.25, 0.5) == pytest.approx(0.5)
    assert mech.commitment_attendance(0.1, 0.0) == 1.0
    assert mech.is_quorate(3, 5, 0.5)
    assert not mech.is_quorate(2, 5, 0.5)
    assert not mech.is_quorate(1, 1, 0.5)  # one person is not a meeting
    assert mech.is_quorate(2, 2, 1.0)


def test_programme_loss_bites_strategic_partnerships():
    assert mech.programme_loss(0.0, 0.15) == pytest.approx(0.15)
    assert mech.programme_loss(1.0, 0.15) == 0.0
    assert mech.programme_loss(0.2, 0.1) > mech.programme_loss(0.8, 0.1)


def test_dissolution_cause_in_order():
    kw = dict(cross_sector=True, has_statutory=True, mean_commitment=0.5, collapse_threshold=0.2)
    assert mech.dissolution_cause(1, **kw, unfunded_too_few_carry_on=False) == "too_few_members"
    assert (
        mech.dissolution_cause(3, **{**kw, "has_statutory": False}, unfunded_too_few_carry_on=False)
        == "lost_statutory"
    )
    assert (
        mech.dissolution_cause(3, **{**kw, "mean_commitment": 0.1}, unfunded_too_few_carry_on=False)
        == "commitment_collapse"
    )
    assert mech.dissolution_cause(3, **kw, unfunded_too_few_carry_on=True) == "funding_ended"
    stalled = dict(months_without_quorum=6, inactive_months=6)
    assert mech.dissolution_cause(3, **kw, unfunded_too_few_carry_on=True, **stalled) == "stopped_meeting"
    assert (
        mech.dissolution_cause(
            3, **kw, unfunded_too_few_carry_on=False, months_without_quorum=5, inactive_months=6
        )
        is None
    )
    assert (
        mech.dissolution_cause(
            3, **kw, unfunded_too_few_carry_on=False, months_without_quorum=99, inactive_months=0
        )
        is None
    )
    assert mech.dissolution_cause(3, **kw, unfunded_too_few_carry_on=False) is None
    # a partnership with no statutory founder does not need one
    assert (
        mech.dissolution_cause(
            3, **{**kw, "cross_sector": False, "has_statutory": False}, unfunded_too_few_carry_on=False
        )
        is None
    )


# ---------------------------------------------------------------- environment


def test_shock_hits_small_vcse_hardest_and_large_charities_least():
    s = mech.shock_capacity(10, "statutory", 0.2, 1.5, D["charity_shock_multiplier"])
    v = mech.shock_capacity(10, "vcse", 0.2, 1.5, D["charity_shock_multiplier"])
    c = mech.shock_capacity(10, "large_charity", 0.2, 1.5, D["charity_shock_multiplier"])
    assert s == pytest.approx(8.0)
    assert v == pytest.approx(7.0)
    assert c == pytest.approx(9.0)
    assert mech.shock_capacity(10, "vcse", 1.0, 5.0, D["charity_shock_multiplier"]) == 0.0


def test_capacity_recovers_towards_base():
    assert mech.capacity_recovery(5, 10, 0.1) == pytest.approx(5.5)
    c = 0.0
    for _ in range(500):
        c = mech.capacity_recovery(c, 10, 0.05)
    assert math.isclose(c, 10, rel_tol=1e-6)
    assert mech.annual_to_monthly_probability(0.2) == pytest.approx(mech.monthly_hazard(0.2))


def test_flexible_money_equalises_voice_and_meetings_in_proportion():
    assert mech.flexible_money_equality(0.0, 0.5) == 0.0  # fixed money changes nothing
    assert mech.flexible_money_equality(1.0, 0.5) == 0.5
    assert mech.flexible_money_equality(0.4, 1.0) == pytest.approx(0.4)
    # with nothing equalised the partnership's own rules decide, exactly
    for o in (0.0, 0.3, 1.0):
        assert mech.voice_orientation(o, 0.0) == o
    assert mech.voice_orientation(0.2, 0.5) == pytest.approx(0.6)
    assert mech.voice_orientation(0.2, 1.0) == pytest.approx(1.0)
    powers = [1.0, 0.2, 0.1]
    strategic = mech.gini(mech.voice_shares(powers, 0.0))
    flexible = mech.gini(mech.voice_shares(powers, mech.voice_orientation(0.0, 0.5)))
    assert flexible < strategic

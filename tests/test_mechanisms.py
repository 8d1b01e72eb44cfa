"""Unit tests: one group per mechanism function of partnersim.mechanisms."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnersim import mechanisms as mech
from partnersim.schema import defaults

#: the schema's defaults: mechanisms take every constant as an argument
D = defaults()

unit = st.floats(0.0, 1.0)


# ---------------------------------------------------------------- funding


def test_renewal_follows_the_record_around_the_funders_base_rate():
    assert mech.renewal_chance(0.3, 0.4, 0.4, 0.5) == pytest.approx(0.3)  # a typical record
    assert mech.renewal_chance(0.3, 0.6, 0.4, 0.5) == pytest.approx(0.4)
    assert mech.renewal_chance(0.3, 0.2, 0.4, 0.5) == pytest.approx(0.2)
    assert mech.renewal_chance(0.3, 0.9, 0.4, 0.0) == pytest.approx(0.3)  # evidence not counted
    assert mech.renewal_chance(0.9, 1.0, 0.0, 2.0) == 1.0
    assert mech.renewal_chance(0.1, 0.0, 1.0, 2.0) == 0.0


def test_grant_record_mixes_outputs_and_relationships():
    assert mech.grant_record(0.4, 0.6) == pytest.approx(0.5)
    assert mech.grant_record(0.0, 0.0) == 0.0 and mech.grant_record(1.0, 1.0) == 1.0


def test_a_bid_needs_hours_for_every_active_member():
    assert mech.bid_written(10.0, 5, 2.0)
    assert not mech.bid_written(9.9, 5, 2.0)
    assert not mech.bid_written(100.0, 0, 2.0)


# ---------------------------------------------------------------- turnover


def test_monthly_hazard_compounds_to_the_annual_rate():
    for annual in (0.0, 0.1, 0.2, 0.5, 0.9):
        h = mech.monthly_hazard(annual)
        assert 1 - (1 - h) ** 12 == pytest.approx(annual)
    assert mech.monthly_hazard(1.0) == 1.0


def test_leaving_hazard_rises_near_grant_end_only_for_grant_paid_posts():
    base = 0.02
    assert mech.monthly_leaving_hazard(base, 3, True, 6, 1.0) == pytest.approx(0.04)
    assert mech.monthly_leaving_hazard(base, 0, True, 6, 1.0) == pytest.approx(0.04)
    assert mech.monthly_leaving_hazard(base, 6, True, 6, 1.0) == base  # outside the window
    assert mech.monthly_leaving_hazard(base, 3, False, 6, 1.0) == base  # not paid by the grant
    assert mech.monthly_leaving_hazard(base, -1, True, 6, 1.0) == base  # unfunded
    assert mech.monthly_leaving_hazard(0.9, 0, True, 6, 1.0) == 1.0


def test_a_coordinator_carries_only_relationships_they_saw_built():
    assert mech.witnessed_share(0, 12) == 0.0
    assert mech.witnessed_share(6, 12) == pytest.approx(0.5)
    assert mech.witnessed_share(24, 12) == 1.0
    assert mech.witnessed_share(3, 0) == 1.0 and mech.witnessed_share(0, 0) == 0.0


def test_handover_share_adds_what_is_written_and_what_is_carried():
    assert mech.handover_share(False, 0.0, 0.5, 0.3) == 0.0
    assert mech.handover_share(True, 0.0, 0.5, 0.3) == pytest.approx(0.5)
    assert mech.handover_share(False, 1.0, 0.5, 0.3) == pytest.approx(0.3)
    assert mech.handover_share(False, 0.5, 0.5, 0.3) == pytest.approx(0.15)
    assert mech.handover_share(True, 1.0, 0.8, 0.8) == 1.0


def test_newcomer_commitment_softened_by_handover():
    assert mech.newcomer_commitment(0.6, 0.1, 0.0) == pytest.approx(0.5)
    assert mech.newcomer_commitment(0.6, 0.1, 1.0) == pytest.approx(0.6)
    assert mech.newcomer_commitment(0.05, 0.1, 0.0) == 0.0


def test_successor_trust_keeps_share_of_what_was_built():
    assert mech.successor_trust(0.9, 0.3, 0.0) == pytest.approx(0.3)
    assert mech.successor_trust(0.9, 0.3, 1.0) == pytest.approx(0.9)
    assert mech.successor_trust(0.1, 0.3, 0.5) == pytest.approx(0.2)  # a bad relationship is handed on too


# ---------------------------------------------------------------- trust


def test_trust_after_interaction():
    assert mech.trust_after_interaction(0.5, True, 0.1, 0.2) == pytest.approx(0.55)
    assert mech.trust_after_interaction(0.5, False, 0.1, 0.2) == pytest.approx(0.4)


@given(unit, st.booleans(), unit, unit)
def test_trust_after_interaction_stays_in_unit_interval(t, positive, gain, loss):
    assert 0.0 <= mech.trust_after_interaction(t, positive, gain, loss) <= 1.0


def test_effective_trust_mixes_layers():
    assert mech.effective_trust(1.0, 0.0, 0.6) == pytest.approx(0.6)
    assert mech.effective_trust(0.0, 1.0, 0.6) == pytest.approx(0.4)


def test_institutional_trust_moves_towards_personal_both_ways():
    assert mech.institutional_after_meeting(0.2, 0.6, 0.5) == pytest.approx(0.4)
    assert mech.institutional_after_meeting(0.6, 0.2, 0.5) == pytest.approx(0.4)  # bad experiences are kept


def test_alignment_is_one_minus_distance():
    assert mech.alignment(0.2, 0.7) == pytest.approx(0.5)
    assert mech.alignment(0.4, 0.4) == 1.0


@given(
    unit,
    st.lists(unit, min_size=1, max_size=40),
    st.lists(unit, min_size=1, max_size=40),
    unit,
)
def test_formation_weights_over_arrays_equal_the_scalar_mechanisms(lead, values, resources, orientation):
    """draw_members weighs a whole local system at once: bit for bit the scalar calls, so the draws stay."""
    import numpy as np

    n = min(len(values), len(resources))
    values, resources = values[:n], resources[:n]
    scalar = [
        mech.partner_choice_weight(r, mech.alignment(lead, v), orientation)
        for r, v in zip(resources, values, strict=True)
    ]
    array = mech.partner_choice_weight(
        np.array(resources), mech.alignment(lead, np.array(values)), orientation
    )
    assert array.tolist() == scalar


def test_competition_pressure_falls_with_orientation_length_and_flexibility():
    base = mech.competition_pressure(0.5, 0.0, 12, 0.0, 0.5)
    assert base == pytest.approx(0.5)
    assert mech.competition_pressure(0.5, 1.0, 12, 0.0, 0.5) == 0.0
    assert mech.competition_pressure(0.5, 0.0, 36, 0.0, 0.5) < base
    assert mech.competition_pressure(0.5, 0.0, 12, 1.0, 0.5) == 0.0
    assert mech.competition_pressure(0.5, 0.0, 36, 0.0, 0.0) == pytest.approx(base)


def test_positive_interaction_rises_with_alignment_and_trust_and_falls_with_power_and_competition():
    args = dict(
        base=0.7,
        alignment_effect=0.3,
        trust_effect=0.3,
        power_effect=0.3,
        competition_effect=0.3,
        power_damping=0.5,
    )

    def p(alignment=0.5, trust=0.5, gap=0.0, orientation=0.5, competition=0.0):
        return mech.positive_interaction_probability(alignment, trust, gap, orientation, competition, **args)

    assert p() == pytest.approx(0.7)
    assert p(alignment=0.9) > p()
    assert p(trust=0.9) > p() > p(trust=0.1)  # the trust loop
    assert p(gap=0.8) < p()
    assert p(gap=0.8, orientation=0.0) < p(gap=0.8, orientation=1.0) < p()  # damped, not removed
    assert p(competition=1.0) < p()
    assert 0.02 <= p(alignment=0.0, trust=0.0, gap=1.0, orientation=0.0, competition=1.0) <= 0.98


# ---------------------------------------------------------------- meeting


def test_willingness_is_commitment_and_trust():
    assert mech.willingness(0.6, 0.2, 0.5) == pytest.approx(0.4)
    assert mech.willingness(0.6, 0.2, 0.0) == pytest.approx(0.6)  # trust switched off
    assert mech.willingness(0.0, 0.0, 0.5) == 0.0 and mech.willingness(1.0, 1.0, 0.5) == 1.0


def test_partnership_time_spreads_capacity_over_memberships():
    assert mech.partnership_time(12.0, 3) == pytest.approx(4.0)
    assert mech.partnership_time(12.0, 0) == pytest.approx(12.0)
    assert mech.partnership_time(12.0, 2, 0.5) == pytest.approx(3.0)


def test_attendance_needs_time_and_willingness():
    assert mech.attendance_probability(8.0, 8.0, 0.5, 0.3) == 1.0
    assert mech.attendance_probability(4.0, 8.0, 0.5, 0.3) == pytest.approx(0.5)
    assert mech.attendance_probability(8.0, 8.0, 0.15, 0.3) == pytest.approx(0.5)
    assert mech.attendance_probability(8.0, 8.0, 0.1, 0.0) == 1.0


def test_a_chased_member_gets_a_second_chance():
    assert mech.chased_attendance(0.5) == pytest.approx(0.75)
    assert mech.chased_attendance(0.0) == 0.0 and mech.chased_attendance(1.0) == 1.0


def test_spare_and_contributed_hours():
    assert mech.spare_hours(12.0, 8.0) == pytest.approx(4.0)
    assert mech.spare_hours(5.0, 8.0) == 0.0
    assert mech.contributed_hours(12.0, 8.0) == 8.0
    assert mech.contributed_hours(5.0, 8.0) == 5.0


def test_quorum_needs_two_and_a_share():
    assert mech.is_quorate(2, 4, 0.5)
    assert not mech.is_quorate(1, 2, 0.5)
    assert not mech.is_quorate(2, 5, 0.5)


def test_founding_commitment_scatters_and_stays_in_range():
    assert mech.founding_commitment(0.6, 0.0, 2.5) == 0.6
    assert mech.founding_commitment(0.6, 0.2, -1.5) == pytest.approx(0.3)
    assert mech.founding_commitment(0.6, 0.2, 3.0) == 1.0
    assert mech.founding_commitment(0.6, 0.2, -4.0) == 0.0


def test_joining_needs_time_for_one_more_membership():
    assert mech.joining_probability(16.0, 1, 8.0) == 1.0
    assert mech.joining_probability(8.0, 1, 8.0) == pytest.approx(0.5)


def test_vcse_capacity_factor_only_for_unfunded_vcse():
    assert mech.vcse_capacity_factor(True, False, 0.4) == 0.4
    assert mech.vcse_capacity_factor(True, True, 0.4) == 1.0
    assert mech.vcse_capacity_factor(False, False, 0.4) == 1.0


# ---------------------------------------------------------------- delivery


def test_complementarity_and_synergy_have_no_coordinator_term():
    assert mech.complementarity(3) == 1.0
    assert mech.synergy(0.4, 1.0, 0.5) == pytest.approx(0.7)
    assert mech.synergy(0.4, 1.0, 2.0) == pytest.approx(0.4)


def test_maturity_grows_only_in_months_worked_together_and_with_communicative_working():
    assert mech.maturity_after_month(0.2, 0.5, False, 0.1) == 0.2
    assert mech.maturity_after_month(0.2, 0.0, True, 0.1) == 0.2
    assert mech.maturity_after_month(0.2, 1.0, True, 0.1) == pytest.approx(0.28)


def test_strategic_output_early_communicative_later():
    early_s = mech.orientation_output_factor(0.0, 0, 0.0, 0.5, 24)
    early_c = mech.orientation_output_factor(1.0, 0, 0.0, 0.5, 24)
    assert early_s > early_c
    assert mech.orientation_output_factor(1.0, 60, 0.8, 0.5, 24) > mech.orientation_output_factor(
        0.0, 60, 0.0, 0.5, 24
    )


def test_agreement_slows_with_members_and_distrust_for_every_membership_rule():
    assert mech.agreement_speed(2, 0.3, 0.05) == 1.0
    five = mech.agreement_speed(5, 0.3, 0.05)
    assert five < 1.0
    assert mech.agreement_speed(10, 0.3, 0.05) < five
    assert mech.agreement_speed(5, 0.8, 0.05) > five


def test_effectiveness_is_bounded():
    assert mech.effectiveness(4.0, 4.0) == pytest.approx(0.5)
    assert mech.effectiveness(0.0, 4.0) == 0.0
    assert mech.effectiveness(1e9, 4.0) < 1.0
    assert mech.effectiveness(1.0, 0.0) == 0.0


def test_the_plan_follows_the_lead_under_strategic_rules_and_adapts_with_flexible_money():
    assert mech.plan_position(0.2, 0.6, 0.0, 0.0) == pytest.approx(0.2)
    assert mech.plan_position(0.2, 0.6, 1.0, 0.0) == pytest.approx(0.6)
    assert mech.plan_position(0.2, 0.6, 0.0, 1.0) == pytest.approx(0.6)
    assert mech.plan_position(0.2, 0.6, 0.0, 0.5) == pytest.approx(0.4)


def test_orientation_drifts_towards_trust_and_never_back():
    assert mech.orientation_after_month(0.2, 0.6, 0.1) == pytest.approx(0.24)
    assert mech.orientation_after_month(0.7, 0.3, 0.1) == 0.7


# ---------------------------------------------------------------- evaluation


def test_voice_follows_power_under_strategic_rules_and_work_under_communicative():
    powers, work = [0.9, 0.1], [4.0, 4.0]
    assert mech.voice_shares(powers, work, 0.0) == pytest.approx([0.9, 0.1])
    assert mech.voice_shares(powers, work, 1.0) == pytest.approx([0.5, 0.5])
    # communicative rules are not equal by formula: who does not take part is not heard
    assert mech.voice_shares(powers, [8.0, 0.0], 1.0) == pytest.approx([1.0, 0.0])
    assert mech.gini(mech.voice_shares(powers, [8.0, 2.0], 1.0)) > 0
    assert mech.voice_shares([0.0, 0.0], [0.0, 0.0], 0.5) == pytest.approx([0.5, 0.5])
    assert mech.voice_shares([], [], 0.5) == []


def test_gini_known_values():
    assert mech.gini([1, 1, 1]) == 0.0
    assert mech.gini([0, 0, 1]) == pytest.approx(2 / 3)
    assert mech.gini([]) == 0.0 and mech.gini([0, 0]) == 0.0


def test_member_benefit_needs_fit_and_taking_part():
    assert mech.member_benefit(0.5, 1.0, 1.0) == pytest.approx(0.5)
    assert mech.member_benefit(0.5, 0.5, 1.0) == pytest.approx(0.25)
    assert mech.member_benefit(0.5, 1.0, 0.0) == 0.0
    assert mech.member_benefit(0.5, 1.0, 2.0) == pytest.approx(0.5)


def test_member_reciprocity_drains_who_gives_more_than_it_gets():
    assert mech.member_reciprocity(0.1, 0.4) == pytest.approx(0.25)
    assert mech.member_reciprocity(0.5, 0.2) == 1.0
    assert mech.member_reciprocity(0.1, 0.0) == 1.0


def test_satisfaction_rises_with_each_input_and_silencing_bites():
    def s(voice=0.25, recip=0.5, benefit=0.5, silencing=1.0):
        return mech.satisfaction(voice, 4, recip, benefit, 0.3, 0.2, silencing)

    assert s(voice=0.1) < s()
    assert s(recip=0.9) > s()
    assert s(benefit=0.9) > s()
    assert s(voice=0.1, silencing=2.0) < s(voice=0.1)
    assert s() == pytest.approx(0.3 * 1.0 + 0.2 * 0.5 + 0.5 * 0.5)
    assert mech.satisfaction(0.0, 4, 0.0, 1.0, 0.8, 0.8, 1.0) == 0.0  # weights capped at 1 in all


def test_membership_cost_grows_with_size():
    assert mech.membership_cost(2, 0.03) == 0.0
    assert mech.membership_cost(6, 0.03) == pytest.approx(0.12)


def test_programme_loss_bites_strategic_partnerships():
    assert mech.programme_loss(0.0, 0.15) == pytest.approx(0.15)
    assert mech.programme_loss(1.0, 0.15) == 0.0


def test_commitment_moves_slowly_and_is_clipped():
    assert mech.commitment_after_month(0.5, 0.7, 0.0, 0.1) == pytest.approx(0.52)
    assert mech.commitment_after_month(0.5, 0.7, 0.2, 0.1) == pytest.approx(0.5)
    assert mech.commitment_after_month(0.0, 0.0, 1.0, 1.0) == 0.0


def test_funding_end_takes_a_hit_from_commitment():
    assert mech.funding_end_commitment(0.5, 0.15) == pytest.approx(0.35)
    assert mech.funding_end_commitment(0.1, 0.15) == 0.0


def test_member_status_paper_before_exit():
    assert mech.member_status(0.5, False, 0.3, 0.2) == "active"
    assert mech.member_status(0.25, False, 0.3, 0.2) == "paper"
    assert mech.member_status(0.1, False, 0.3, 0.2) == "paper"  # first on paper
    assert mech.member_status(0.1, True, 0.3, 0.2) == "leave"
    assert mech.member_status(0.5, True, 0.3, 0.2) == "active"


# ---------------------------------------------------------------- dissolution


def test_carries_on_needs_two_willing_and_a_quorum():
    assert mech.carries_on([0.5, 0.5, 0.1], 0.3, 0.5)
    assert not mech.carries_on([0.5, 0.1, 0.1], 0.3, 0.5)
    assert not mech.carries_on([0.5, 0.5, 0.1, 0.1, 0.1], 0.3, 0.5)
    assert not mech.carries_on([], 0.3, 0.5)


def test_dissolution_cause_in_order():
    ok = dict(
        n_active=4,
        cross_sector=True,
        statutory_active=True,
        mean_commitment=0.5,
        collapse_threshold=0.2,
        months_without_quorum=0,
        inactive_months=6,
        unfunded=False,
        carrying_on=True,
        in_gap=False,
    )
    assert mech.dissolution_cause(**ok) is None
    assert mech.dissolution_cause(**{**ok, "n_active": 1, "statutory_active": False}) == "too_few_members"
    assert mech.dissolution_cause(**{**ok, "statutory_active": False}) == "lost_statutory"
    assert mech.dissolution_cause(**{**ok, "mean_commitment": 0.1}) == "commitment_collapse"
    assert mech.dissolution_cause(**{**ok, "months_without_quorum": 6}) == "stopped_meeting"
    assert mech.dissolution_cause(**{**ok, "months_without_quorum": 6, "inactive_months": 0}) is None
    assert mech.dissolution_cause(**{**ok, "unfunded": True}) is None
    assert mech.dissolution_cause(**{**ok, "unfunded": True, "carrying_on": False}) == "funding_ended"
    assert (
        mech.dissolution_cause(**{**ok, "unfunded": True, "carrying_on": False, "in_gap": True})
        == "funding_gap"
    )
    assert (
        mech.dissolution_cause(**{**ok, "carrying_on": False}) is None
    )  # funded: no question of carrying on


# ---------------------------------------------------------------- environment


def test_shock_cuts_what_reserves_cannot_absorb():
    assert mech.shock_capacity(10.0, 0.2, 0.0) == pytest.approx(8.0)
    assert mech.shock_capacity(10.0, 0.2, 1.0) == pytest.approx(9.0)
    defaults_ = [
        mech.shock_capacity(10.0, 0.2, D[f"reserves_{k}"]) for k in ("vcse", "statutory", "large_charity")
    ]
    assert defaults_ == sorted(defaults_)  # small VCSE groups lose most at the defaults (001:350)
    assert mech.shock_capacity(10.0, 2.0, 0.0) == 0.0


def test_a_shock_shakes_commitment_by_what_reserves_cannot_absorb():
    assert mech.shock_commitment(0.6, 0.15, 0.0) == pytest.approx(
        0.45
    )  # no reserves: the whole funding-end hit
    assert mech.shock_commitment(0.6, 0.15, 2.0) == pytest.approx(0.55)  # two months absorb two thirds
    assert mech.shock_commitment(0.05, 0.15, 0.0) == 0.0
    assert mech.shock_commitment(0.6, 0.0, 0.0) == 0.6


def test_capacity_recovers_towards_base():
    assert mech.capacity_recovery(5.0, 10.0, 0.2) == pytest.approx(6.0)


def test_annual_to_monthly_probability():
    assert 1 - (1 - mech.annual_to_monthly_probability(0.3)) ** 12 == pytest.approx(0.3)


# ---------------------------------------------------------------- formation and coordinator


def test_partners_are_chosen_for_resources_or_values():
    assert mech.partner_choice_weight(0.9, 0.2, 0.0) == pytest.approx(0.9)
    assert mech.partner_choice_weight(0.9, 0.2, 1.0) == pytest.approx(0.2)
    assert mech.partner_choice_weight(0.9, 0.2, 0.5) == pytest.approx(0.55)


def test_a_coordinator_task_is_done_only_if_the_hours_cover_it():
    assert mech.coordinator_hours_left(5.0, 2.0) == (True, 3.0)
    assert mech.coordinator_hours_left(1.0, 2.0) == (False, 1.0)

"""Stage 4, meeting: someone organises, members attend, attending pairs interact (M1, M4-M9).

The trust loop: trust raises the chance that an interaction goes well
(001:97) and, through willingness, attendance; a good interaction raises
trust. A coordinator organises, chases partners and mediates (003:538),
each as far as their hours go (004:448).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from partnersim import mechanisms as mech

if TYPE_CHECKING:
    from partnersim.agents import Organisation, Partnership


def meet(q: Partnership) -> None:
    """The partnership meets if someone organises it; attending pairs interact and trust moves."""
    q.met = q.quorate = False
    q.attendees = []
    if not q.alive:
        return
    model, p = q.model, q.model.p
    rand = model.random.random
    if not organised(q):
        q.months_without_quorum += 1
        q.refresh_trust()  # vacancies still change who holds trust
        return
    q.met = True
    attendees = attend(q)
    q.attendees = attendees
    if mech.is_quorate(len(attendees), len(q.members), p.quorum_share):
        q.quorate = True
        q.months_without_quorum = 0
    else:
        q.months_without_quorum += 1
    interact(q, attendees, rand)
    q.refresh_trust()


def organised(q: Partnership) -> bool:
    """Whether anyone organises this month's meeting.

    A coordinator does, from their hours (003:536). Without one, a member
    must have the spare hours and be willing; a steering group whose
    meetings dwindled disbanded (003:1448).
    """
    p = q.model.p
    coord = q.coordinator
    unit = p.coordination_hours
    if coord.present(q.model.steps):
        done, coord.hours = mech.coordinator_hours_left(coord.hours, unit)
        if done:
            return True
    rand = q.model.random.random
    hours = p.meeting_hours
    for m in q.active_members:
        uid = m.unique_id
        if q.reps[uid].present and mech.spare_hours(q.time_of(m), hours) >= unit and rand() < q.willing[uid]:
            return True
    return False


def attend(q: Partnership) -> list[Organisation]:
    """Members attend as capacity and willingness allow; a coordinator chases those they have hours for.

    The chance is :func:`~partnersim.mechanisms.attendance_probability` of
    the member's :meth:`~partnersim.agents.Partnership.time_of`, both
    inlined in this roster loop (``tests/test_fast_paths.py`` checks the
    stage against the mechanisms).
    """
    model, p = q.model, q.model.p
    rand = model.random.random
    coord = q.coordinator
    chasing = coord.present(model.steps)
    unit, hours, engaged = p.coordination_hours, p.meeting_hours, p.paper_threshold
    # mechanisms.vcse_capacity_factor: small VCSE groups give less without a grant
    vcse_factor = 1.0 if q.grant.funded else p.vcse_unfunded_capacity
    reps, willing = q.reps, q.willing
    chased, players = mech.chased_attendance, model.players
    attendees = []
    for m in q.active_members:
        uid = m.unique_id
        if not reps[uid].present:
            continue
        # mechanisms.partnership_time over meeting_hours, then attendance_probability
        share = m.capacity / (len(m.memberships) or 1) * (vcse_factor if m.sector == "vcse" else 1.0) / hours
        if not share < 1.0:
            share = 1.0
        if engaged > 0:
            keen = willing[uid] / engaged
            share *= keen if keen < 1.0 else 1.0
        if chasing:
            done, coord.hours = mech.coordinator_hours_left(coord.hours, unit)
            if done:
                share = chased(share)
            else:
                chasing = False
        came = rand() < share
        if players is not None:  # in the classroom's shared run a student may decide for this organisation
            came = model.choice(m, q, "attend", came)
        if came:
            attendees.append(m)
    return attendees


def interact(q: Partnership, attendees: list[Organisation], rand) -> None:
    """Each attending pair has one interaction; a coordinator with hours mediates a bad one.

    The chance of a good interaction is
    :func:`~partnersim.mechanisms.positive_interaction_probability`, fed by
    the pair's effective trust (both directions, both layers). A mediated
    disagreement gets a second chance to be resolved: mediating is part of
    the job (003:538) and resolving disagreements mattered (001:97). Trust
    then moves by :func:`~partnersim.mechanisms.trust_after_interaction`,
    and the institutional layer learns from it
    (:func:`~partnersim.mechanisms.institutional_after_meeting`, faster
    with roles written down: a modelling choice, :func:`learning_rate`).

    This pair loop is the model's inner loop, so the mechanisms are
    inlined, term for term in their order of operations (bit-identical
    results; ``tests/test_fast_paths.py`` checks the stage against the
    mechanisms).
    """
    if len(attendees) < 2:
        return
    model, p = q.model, q.model.p
    coord = q.coordinator
    mediating = coord.present(model.steps)
    unit = p.coordination_hours
    competition = mech.competition_pressure(
        model.scarcity, q.orientation, p.funding_length, p.funding_flexibility, p.short_grant_weight
    )
    gain, loss = p.trust_gain, p.trust_loss
    learn = learning_rate(q)
    initial, w = p.initial_trust, p.personal_trust_weight
    v = 1.0 - w
    # the terms of positive_interaction_probability that are the same for every pair
    base, e_align, e_trust, e_power = (
        p.base_positive,
        p.alignment_effect,
        p.trust_effect,
        p.power_effect,
    )
    damped = 1.0 - p.power_damping * q.orientation
    competing = p.competition_effect * competition
    reps = q.reps
    # each attendee's id, representative's trust, track record, mission and power, read once
    sides = [(m.unique_id, reps[m.unique_id].personal, m.institutional, m.values, m.power) for m in attendees]
    for i, (ua, pa, ia, va, wa) in enumerate(sides):
        for ub, pb, ib, vb, wb in sides[i + 1 :]:
            old_ab, old_ba = pa.get(ub, initial), pb.get(ua, initial)
            inst_ab, inst_ba = ia.get(ub, 0.0), ib.get(ua, 0.0)
            # effective_trust, both ways
            pair_trust = 0.5 * (w * (old_ab + old_ba) + v * (inst_ab + inst_ba))
            # positive_interaction_probability, with alignment and the power gap
            prob = (
                base
                + e_align * ((1.0 - abs(va - vb)) - 0.5)
                + e_trust * (pair_trust - 0.5)
                - e_power * abs(wa - wb) * damped
                - competing
            )
            if not 0.02 < prob < 0.98:
                prob = 0.98 if prob >= 0.98 else 0.02
            positive = rand() < prob
            if not positive and mediating:
                done, coord.hours = mech.coordinator_hours_left(coord.hours, unit)
                if done:
                    positive = rand() < prob
                else:
                    mediating = False
            # trust_after_interaction, both ways
            if positive:
                new_ab = old_ab + gain * (1.0 - old_ab)
                new_ba = old_ba + gain * (1.0 - old_ba)
            else:
                new_ab = old_ab - loss * old_ab
                new_ba = old_ba - loss * old_ba
            pa[ub] = new_ab
            pb[ua] = new_ba
            # institutional_after_meeting, both ways
            ia[ub] = inst_ab + learn * (new_ab - inst_ab)
            ib[ua] = inst_ba + learn * (new_ba - inst_ba)


def force_interaction(q: Partnership, a: Organisation, b: Organisation, *, positive: bool = False) -> None:
    """One interaction between members ``a`` and ``b`` outside a meeting (an experiment's lever).

    Trust moves exactly as for an attending pair in :func:`interact`, with
    no mediation: both representatives' personal trust by
    :func:`~partnersim.mechanisms.trust_after_interaction`, then each
    organisation's institutional trust a learning step towards it. A vacant
    seat has nobody to interact, so its side does not move. No random
    numbers are drawn.
    """
    p = q.model.p
    learn = learning_rate(q)
    initial = p.initial_trust
    for x, y in ((a, b), (b, a)):
        rep = q.reps[x.unique_id]
        if not rep.present:
            continue
        uy = y.unique_id
        t = mech.trust_after_interaction(rep.personal.get(uy, initial), positive, p.trust_gain, p.trust_loss)
        rep.personal[uy] = t
        x.institutional[uy] = mech.institutional_after_meeting(x.institutional.get(uy, 0.0), t, learn)
    q.refresh_trust()


def learning_rate(q: Partnership) -> float:
    """Step of institutional trust towards personal trust, faster with roles written down.

    A formal agreement limits the disruption of staff changes (004:416);
    that it does so partly by making the track record between
    organisations build faster is a modelling choice. A step beyond the
    gap would overshoot personal trust, so the rate is capped at 1.
    """
    p = q.model.p
    return min(1.0, p.institutional_learning * (1.0 + p.agreement_learning_boost * q.formal_agreement))

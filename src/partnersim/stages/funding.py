"""Stage 1, funding: budget shocks, grants that age, and the funder's decisions (M3, M12, M13).

A grant starts with a development phase that some partnerships do not
survive (000:241, 002:257). At the end of that phase and at the end of each
grant the funder decides on the written record of outputs (002:681) and, as
a modelling choice, of working relationships. A gap between grants is an
ending followed by a restart (a modelling choice: no report describes gaps;
uncertain funding shakes commitment, 003:672).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from partnersim import mechanisms as mech

if TYPE_CHECKING:
    from partnersim.agents import Partnership
    from partnersim.model import PartnershipModel


def environment(model: PartnershipModel) -> None:
    """Capacity recovers; a statutory budget shock may strike (M13).

    A shock comes with a monthly chance from the yearly ``austerity_rate``.
    It cuts every organisation's capacity by ``shock_severity``, less what
    its reserves absorb (001:350, 002:350), and raises scarcity, which
    fuels competition (002:354). It withdraws money from the voluntary
    sector, which shakes voluntary members' commitment in every
    partnership, less what their reserves absorb (002:354, 003:672).
    """
    p = model.p
    rate = p.capacity_recovery
    for org in list(model.recovering):
        org.capacity = mech.capacity_recovery(org.capacity, org.base_capacity, rate)
        if org.base_capacity - org.capacity < 1e-3:
            org.capacity = org.base_capacity
            model.recovering.discard(org)
    model.scarcity = mech.capacity_recovery(model.scarcity, p.base_scarcity, rate)
    if model.random.random() < mech.annual_to_monthly_probability(p.austerity_rate):
        severity = p.shock_severity
        for org in model.organisations:
            org.capacity = mech.shock_capacity(org.capacity, severity, org.reserves)
            model.recovering.add(org)
        model.scarcity = min(1.0, model.scarcity + severity)
        withdraw_voluntary_money(model)
        model.log("a statutory budget shock cut capacity across the system")


def withdraw_voluntary_money(model: PartnershipModel) -> None:
    """A shock's cut to the voluntary sector's money shakes each voluntary member's commitment (002:354).

    Small VCSE groups and large charities take :func:`~partnersim.mechanisms.shock_commitment`
    in every partnership they belong to; statutory members made the cut.
    """
    hit = model.p.funding_end_commitment_hit
    for q in model.partnerships_created:
        if not q.alive:
            continue
        commitment = q.commitment
        for m in q.members:
            if m.sector != "statutory":
                commitment[m.unique_id] = mech.shock_commitment(commitment[m.unique_id], hit, m.reserves)


def fund(q: Partnership) -> None:
    """Age the grant; at a decision month the funder progresses, renews or ends it; count the money."""
    if not q.alive:
        return
    q.age += 1
    decide(q)
    pay(q)


def pay(q: Partnership) -> None:
    """Count this month's money: the grant (with any coordinator post), or a kept-on post's cost.

    Money is an output: no rule reads what was paid.
    """
    p = q.model.p
    g, coord = q.grant, q.coordinator
    q.grants_paid += mech.grant_payment(g.funded, coord.post, p.grant_amount, p.coordinator_cost)
    if g.ended_at is not None and coord.post:
        # a mainstreamed post outlives the grant (002:999): the members pay for it now, not the funder
        q.coordinator_paid_after_grant += p.coordinator_cost


def decide(q: Partnership) -> None:
    """At a decision month the funder progresses, renews or ends the grant."""
    model, p = q.model, q.model.p
    now = model.steps
    g = q.grant
    if g.in_gap:
        if now >= g.gap_until:
            start_grant(q)
            model.log(f"the grant of Partnership {q.number} was renewed")
        return
    if not g.funded or now <= g.decision_at:
        return
    development = g.phase == "development"
    base = p.development_pass if development else p.renewal_probability
    chance = mech.renewal_chance(base, g.evidence(), model.typical_record(), p.evidence_weight)
    # no bid, no money: someone must have the hours to write it up (002:681, 003:845)
    yes = bid_written(q) and model.random.random() < chance
    if q.fund_holder is not None:  # in the classroom's shared run a student may decide for the fund holder
        yes = model.choice(q.fund_holder, q, "renew", yes)
    if development:
        if yes:
            g.phase = "delivery"
            g.decision_at = g.end
            model.log(f"Partnership {q.number} was taken on after its development phase")
        else:
            g.end = g.decision_at  # the development money was the last paid
            end_funding(q, for_good=True)
        return
    if not yes:
        end_funding(q, for_good=True)
    elif p.funding_gap > 0:
        end_funding(q, for_good=False)
        g.gap_until = now + p.funding_gap
        model.log(f"the grant of Partnership {q.number} ran out; renewal comes in {p.funding_gap} months")
    else:
        g.restart(now, p.funding_length)
        model.log(f"the grant of Partnership {q.number} was renewed")


def bid_written(q: Partnership) -> bool:
    """Whether anyone has the hours to evidence the record and write the bid.

    The coordinator's hours left over last month go on evidence and bids;
    members add the spare hours they are willing to give (004:448).
    """
    p = q.model.p
    now = q.model.steps
    coord = q.coordinator
    hours = coord.hours if coord.present(now) else 0.0
    meeting_hours = p.meeting_hours
    active = q.active_members
    for m in active:
        if q.reps[m.unique_id].present:
            spare = mech.spare_hours(q.time_of(m), meeting_hours)
            hours += spare * q.willing[m.unique_id]
    return mech.bid_written(hours, len(active), p.coordination_hours)


def start_grant(q: Partnership) -> None:
    """A renewed grant starts after a gap: the money, the fund-holder and the coordinator post return."""
    p = q.model.p
    q.grant.restart(q.model.steps, p.funding_length)
    if q.fund_holder is None:
        q.choose_fund_holder(p.fund_holder)
    coord = q.coordinator
    if p.coordinator and not coord.post:
        coord.post = True
        coord.vacant_until = -1
        # a new person: what the last one carried went with them unless written down (004:416)
        if not q.formal_agreement:
            coord.tenure = 0


def end_funding(q: Partnership, *, for_good: bool) -> None:
    """The money stops: the unmainstreamed coordinator goes and commitment takes the hit (003:672, 002:999)."""
    p = q.model.p
    g = q.grant
    g.funded = False
    if for_good:
        g.ended_at = g.end  # the last month that was paid for
    q.release_funds()
    coord = q.coordinator
    lost_coordinator = coord.post and not coord.mainstreamed
    if lost_coordinator:
        coord.post = False
    hit = p.funding_end_commitment_hit
    for uid in q.commitment:
        q.commitment[uid] = mech.funding_end_commitment(q.commitment[uid], hit)
    if for_good:
        words = f"the grant of Partnership {q.number} ended"
        q.model.log(words + (" and its coordinator post went" if lost_coordinator else ""))

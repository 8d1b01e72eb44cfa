"""Stage 5, delivery: the hours attending members give become output (M7, M11; fact 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from partnersim import mechanisms as mech

if TYPE_CHECKING:
    from partnersim.agents import Partnership

#: share of its ceiling at which a partnership counts as mature (the pre-registered check of ODD 1.2.1)
MATURE = 0.8


def deliver(q: Partnership) -> None:
    """Output from the hours contributed, times synergy, orientation and agreement speed.

    Hours are limited by capacity over memberships (002:336, 003:428);
    ``capacity`` already counts what small VCSE groups without a grant can
    justify (002:605, stage 4). Synergy rests on trust and complementarity (000:151,
    003:440). Strategic targets give more output early (000:143); working
    together builds maturity under communicative rules (000:108, 001:199).
    The month's record (outputs and relationships) goes to the grant's
    evidence (002:681).
    """
    q.output = 0.0
    if not q.alive:
        return
    model, p = q.model, q.model.p
    active = q.active_members
    attending = set(q.attendees)
    hours = p.meeting_hours
    funded = q.grant.funded
    # mechanisms.vcse_capacity_factor: small VCSE groups give less without a grant
    vcse_factor = 1.0 if funded else p.vcse_unfunded_capacity
    contribution = q.contribution
    players = model.players
    total = 0.0
    for m in active:
        h = 0.0
        if m in attending:
            # contributed_hours of the member's partnership_time (Partnership.time_of), inlined: the roster loop
            h = m.capacity / (len(m.memberships) or 1) * (vcse_factor if m.sector == "vcse" else 1.0)
            if not h < hours:
                h = hours
            if players is not None:  # a player may give a share of what it can
                h *= model.choice(m, q, "hours", 1.0)
        contribution[m.unique_id] = h
        total += h
    kinds = len({m.sector for m in active})
    q.synergy = mech.synergy(q.mean_trust, mech.complementarity(kinds), p.synergy_trust_weight)
    q.maturity = mech.maturity_after_month(q.maturity, q.orientation, q.quorate, p.maturity_rate)
    if q.matured_at is None and q.maturity >= MATURE:
        q.matured_at = model.steps - q.started_at
    factor = mech.orientation_output_factor(
        q.orientation, q.age, q.maturity, p.strategic_boost, p.strategic_decay_months
    )
    q.agreement = mech.agreement_speed(len(active), q.mean_trust, p.agreement_cost)
    q.output = total * q.synergy * factor * q.agreement
    q.output_total += q.output
    # the reference: a share of a full member's hours counts as middling effectiveness
    q.effectiveness = mech.effectiveness(q.output / max(1, len(active)), p.effectiveness_reference * hours)
    if funded:
        record = mech.grant_record(q.effectiveness, q.mean_trust)
        q.grant.record_sum += record
        q.grant.record_months += 1
        model.records_seen += 1
        model.record_total += record

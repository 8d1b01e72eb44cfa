"""Stage 2, turnover: representatives and coordinators leave; seats are filled (M2, M3).

A departure takes the person's trust with them (002:517, 004:468). What the
successor keeps depends on what was written down (a formal agreement,
004:416) and on a coordinator with the hours and the history to carry the
relationships over (003:536).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from partnersim import mechanisms as mech

if TYPE_CHECKING:
    from partnersim.agents import Organisation, Partnership, Representative


def turnover(q: Partnership) -> None:
    """Representatives leave with the monthly hazard of ``staff_turnover``; vacant seats are filled."""
    if not q.alive:
        return
    model, p = q.model, q.model.p
    now = model.steps
    rand = model.random.random
    to_end = q.months_to_grant_end()
    window, boost = p.grant_end_window, p.grant_end_turnover_boost
    base = model.base_hazard
    coord = q.coordinator
    present = coord.present(now)
    # the coordinator's month starts: a fixed number of dedicated hours (004:448)
    coord.budget = coord.hours = p.coordinator_hours if present else 0.0
    funded = q.grant.funded
    # VCSE posts are the ones paid by the grant (002:605); the hazard of each kind of post this month
    vcse_hazard = mech.monthly_leaving_hazard(base, to_end, funded, window, boost)
    other_hazard = mech.monthly_leaving_hazard(base, to_end, False, window, boost)
    at_risk = left = 0
    for org in q.members:
        rep = q.reps[org.unique_id]
        if not rep.present:
            if now >= rep.vacant_until:
                rep.present = True
                rep.tenure = 0
            continue
        rep.tenure += 1
        at_risk += 1
        if rand() < (vcse_hazard if org.sector == "vcse" else other_hazard):
            left += 1
            replace_representative(q, org, rep)
    if model.observer is not None:
        model.observer.turnover(q, at_risk, left)
    if present:
        coord.tenure += 1
        if rand() < mech.monthly_leaving_hazard(
            base, to_end, not coord.mainstreamed and funded, window, boost
        ):
            coord.vacant_until = now + p.vacancy_months
            coord.budget = coord.hours = 0.0
            # the next holder starts without the relationships this one carried, unless written down (004:416)
            if not q.formal_agreement:
                coord.tenure = 0
            model.staff_departures += 1
            model.log(f"the coordinator of Partnership {q.number} left")


def replace_representative(q: Partnership, org: Organisation, rep: Representative) -> None:
    """The representative leaves; the successor keeps what was written down or carried over."""
    model, p = q.model, q.model.p
    if model.observer is not None:
        model.observer.before_replacement(q, org)
    now = model.steps
    coord = q.coordinator
    carried = 0.0
    if coord.present(now):
        done, coord.hours = mech.coordinator_hours_left(coord.hours, p.coordination_hours)
        if done:
            carried = mech.witnessed_share(coord.tenure, rep.tenure)
    share = mech.handover_share(q.formal_agreement, carried, p.agreement_handover, p.coordinator_handover)
    initial = p.initial_trust
    rep.personal = (
        {uid: mech.successor_trust(t, initial, share) for uid, t in rep.personal.items()} if share > 0 else {}
    )
    vacant_until = now + p.vacancy_months
    rep.present = vacant_until <= now
    rep.vacant_until = vacant_until
    rep.tenure = 0
    uid = org.unique_id
    q.commitment[uid] = mech.newcomer_commitment(q.commitment[uid], p.newcomer_commitment_hit, share)
    model.staff_departures += 1
    model.log(f"the representative of {model.name_of(org)} in Partnership {q.number} left")

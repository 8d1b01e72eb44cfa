"""Stage 6, evaluation: voice, satisfaction, commitment; members go on paper, leave or join (M5, M6, M11, M12)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from partnersim import mechanisms as mech

if TYPE_CHECKING:
    from partnersim.agents import Partnership


def evaluate(q: Partnership) -> None:
    """Members weigh up the month; some go on paper or leave; open partnerships recruit.

    Voice follows power under strategic rules and work under communicative
    ones (000:106, 000:108). The plan of work follows the lead's mission or
    the members' voice, and flexible money lets it adapt (002:664). Each
    member's satisfaction mixes voice, reciprocity (004:396) and the benefit
    it sees; commitment follows satisfaction less the cost of size
    (001:357) and, without money, of a lost programme (000:106).
    Willingness (commitment and trust, 001:97) decides whether a member
    stays active, goes on paper (004:122) or leaves (001:275).
    """
    if not q.alive:
        return
    model, p = q.model, q.model.p
    active = q.active_members
    contribution, satisfaction, commitment = q.contribution, q.satisfaction, q.commitment
    work = [contribution[m.unique_id] for m in active]
    voices = mech.voice_shares([m.power for m in active], work, q.orientation)
    q.voice_gini = mech.gini(voices)
    voiced = sum(v * m.values for m, v in zip(active, voices, strict=True))
    q.plan = mech.plan_position(q.lead_values, voiced, q.orientation, p["funding_flexibility"])
    n = len(active)
    given = sum(work)
    wv, wr, silencing = p["voice_weight"], p["reciprocity_weight"], p["silencing_factor"]
    hours = p["meeting_hours"]
    # local names: this loop runs for every member every month
    benefit_of, fit, satisfied, reciprocity = (
        mech.member_benefit,
        mech.alignment,
        mech.satisfaction,
        mech.member_reciprocity,
    )
    effectiveness, plan = q.effectiveness, q.plan
    for m, v, h in zip(active, voices, work, strict=True):
        share = h / given if given > 0 else 0.0
        benefit = benefit_of(effectiveness, fit(m.values, plan), h / hours)
        satisfaction[m.unique_id] = satisfied(v, n, reciprocity(v, share), benefit, wv, wr, silencing)
    cost = mech.membership_cost(len(q.members), p["size_cost"])
    if not q.grant.funded:
        cost += mech.programme_loss(q.orientation, p["programme_dependence"])
    rate, paper_at, exit_at = p["commitment_rate"], p["paper_threshold"], p["exit_threshold"]
    trust_weight = p["willingness_trust_weight"]
    leavers = []
    after_month, willingness, status_of = mech.commitment_after_month, mech.willingness, mech.member_status
    paper, reps, member_trust, willing_of = q.paper, q.reps, q.member_trust, q.willing
    for m in list(q.members):
        uid = m.unique_id
        on_paper = uid in paper
        c = after_month(commitment[uid], satisfaction[uid], cost, rate)
        commitment[uid] = c
        if not reps[uid].present:
            continue  # an empty seat takes no decisions: the organisation waits for its next person
        willing = willingness(c, member_trust.get(uid, 0.0), trust_weight)
        willing_of[uid] = willing
        # in the classroom's shared run a student may decide for this organisation
        status = model.choice(m, q, "status", status_of(willing, on_paper, paper_at, exit_at))
        if status == "leave":
            leavers.append(m)
        elif status == "paper":
            if not on_paper:
                model.log(f"{model.name_of(m)} became a partner on paper in Partnership {q.number}")
                q.set_paper(uid, True)
        elif on_paper:
            model.log(f"{model.name_of(m)} became an active partner again in Partnership {q.number}")
            q.set_paper(uid, False)
    for m in leavers:
        model.exits[m.sector] += 1
        q.remove_member(m)
        model.log(f"{model.name_of(m)} left Partnership {q.number}")
    if q.membership == "open":
        recruit(q)
    if q.members:
        q.mean_commitment = sum(commitment.values()) / len(commitment)
        q.mean_satisfaction = sum(satisfaction.values()) / len(satisfaction)
    if leavers:
        q.refresh_trust()
    q.orientation = mech.orientation_after_month(q.orientation, q.mean_trust, p["orientation_drift"])
    q.observe_month()


def recruit(q: Partnership) -> None:
    """Admit a willing organisation known to a member (003:1258); a coordinator with hours asks once more (003:371)."""
    model, p = q.model, q.model.p
    coord = q.coordinator
    tries = 1
    if coord.present(model.steps):
        done, coord.hours = mech.coordinator_hours_left(coord.hours, p["coordination_hours"])
        tries += done
    for _ in range(tries):
        try_to_recruit(q)


def try_to_recruit(q: Partnership) -> None:
    """One attempt: a member's acquaintance with the time for one more membership joins (003:428)."""
    model, p = q.model, q.model.p
    rand = model.random
    if rand.random() >= p["recruitment_rate"]:
        return
    active = q.active_members
    if not active:
        return
    sponsor = rand.choice(active)
    known = [uid for uid in sponsor.institutional if uid not in q.reps]
    if not known:
        return
    candidate = model.organisation(rand.choice(known))
    n_in = len(candidate.memberships)
    if n_in >= p["max_memberships"]:
        return
    if rand.random() >= mech.joining_probability(candidate.capacity, n_in, p["meeting_hours"]):
        return
    q.add_member(candidate, p["initial_commitment"])
    model.log(f"{model.name_of(candidate)} joined Partnership {q.number}")

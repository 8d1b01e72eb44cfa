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
    voiced = sum([v * m.values for m, v in zip(active, voices, strict=True)])
    q.plan = mech.plan_position(q.lead_values, voiced, q.orientation, p.funding_flexibility)
    n = len(active)
    given = sum(work)
    hours, silencing = p.meeting_hours, p.silencing_factor
    # the weights of mechanisms.satisfaction, the same for every member
    wv = min(1.0, p.voice_weight)
    wr = min(1.0 - wv, p.reciprocity_weight)
    wb = 1.0 - wv - wr
    effectiveness, plan = q.effectiveness, q.plan
    # this loop and the next run for every member every month: the mechanisms are inlined, term
    # for term (tests/test_fast_paths.py checks the stage against them)
    for m, v, h in zip(active, voices, work, strict=True):
        # member_benefit, with alignment to the plan and the share of the meeting hours given
        part = h / hours
        if not part > 0.0:
            part = 0.0
        benefit = effectiveness * (1.0 - abs(m.values - plan)) * (part if part < 1.0 else 1.0)
        # member_reciprocity of the member's share of the work
        share = h / given if given > 0 else 0.0
        if share <= 0:
            reciprocity = 1.0
        else:
            reciprocity = v / share
            if not reciprocity < 1.0:
                reciprocity = 1.0
        # satisfaction: voice below an equal share is silenced
        short = 1.0 - v * n
        voice = 1.0 - silencing * (short if short > 0.0 else 0.0)
        satisfaction[m.unique_id] = wv * (voice if voice > 0.0 else 0.0) + wr * reciprocity + wb * benefit
    cost = mech.membership_cost(len(q.members), p.size_cost)
    if not q.grant.funded:
        cost += mech.programme_loss(q.orientation, p.programme_dependence)
    rate, paper_at, exit_at = p.commitment_rate, p.paper_threshold, p.exit_threshold
    trust_weight = p.willingness_trust_weight
    keep = 1.0 - trust_weight
    leavers = []
    moved = False  # did anyone go on paper or come back: the active roster, and so its trust, changed
    players = model.players
    paper, reps, member_trust, willing_of = q.paper, q.reps, q.member_trust, q.willing
    for m in list(q.members):
        uid = m.unique_id
        on_paper = uid in paper
        # commitment_after_month
        c = commitment[uid]
        c = c + rate * (satisfaction[uid] - cost - c)
        if not c > 0.0:
            c = 0.0
        if not c < 1.0:
            c = 1.0
        commitment[uid] = c
        if not reps[uid].present:
            continue  # an empty seat takes no decisions: the organisation waits for its next person
        # willingness, then member_status
        willing = keep * c + trust_weight * member_trust.get(uid, 0.0)
        willing_of[uid] = willing
        if willing < exit_at and on_paper:
            status = "leave"
        elif willing < paper_at:
            status = "paper"
        else:
            status = "active"
        if players is not None:  # in the classroom's shared run a student may decide for this organisation
            status = model.choice(m, q, "status", status)
        if status == "leave":
            leavers.append(m)
        elif status == "paper":
            if not on_paper:
                model.log(f"{model.name_of(m)} became a partner on paper in Partnership {q.number}")
                q.set_paper(uid, True)
                moved = True
        elif on_paper:
            model.log(f"{model.name_of(m)} became an active partner again in Partnership {q.number}")
            q.set_paper(uid, False)
            moved = True
    for m in leavers:
        model.exits[m.sector] += 1
        q.remove_member(m)
        model.log(f"{model.name_of(m)} left Partnership {q.number}")
    if q.membership == "open":
        before = len(q.members)
        recruit(q)
        moved = moved or len(q.members) != before
    if q.members:
        q.mean_commitment = sum(commitment.values()) / len(commitment)
        q.mean_satisfaction = sum(satisfaction.values()) / len(satisfaction)
    if leavers or moved:
        q.refresh_trust()
    q.orientation = mech.orientation_after_month(q.orientation, q.mean_trust, p.orientation_drift)
    q.observe_month()


def recruit(q: Partnership) -> None:
    """Admit a willing organisation known to a member (003:1258); a coordinator with hours asks once more (003:371)."""
    model, p = q.model, q.model.p
    coord = q.coordinator
    tries = 1
    if coord.present(model.steps):
        done, coord.hours = mech.coordinator_hours_left(coord.hours, p.coordination_hours)
        tries += done
    for _ in range(tries):
        try_to_recruit(q)


def try_to_recruit(q: Partnership) -> None:
    """One attempt: a member's acquaintance with the time for one more membership joins (003:428)."""
    model, p = q.model, q.model.p
    rand = model.random
    if rand.random() >= p.recruitment_rate:
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
    if n_in >= p.max_memberships:
        return
    if rand.random() >= mech.joining_probability(candidate.capacity, n_in, p.meeting_hours):
        return
    q.add_member(candidate, p.initial_commitment)
    model.log(f"{model.name_of(candidate)} joined Partnership {q.number}")

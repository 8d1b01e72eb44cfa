"""Agents of partnersim: organisations and the partnerships they form.

Each agent owns its behaviour; the behaviour calls the pure functions of
:mod:`partnersim.mechanisms`, which carry the evidence citations. The
schedule that calls these methods is in :mod:`partnersim.model`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import mesa

from partnersim import mechanisms as mech

if TYPE_CHECKING:
    from partnersim.model import PartnershipModel

__all__ = [
    "LargeCharity",
    "Organisation",
    "Partnership",
    "Representative",
    "SmallVCSE",
    "StatutoryBody",
]

SECTORS = ("statutory", "large_charity", "vcse")

#: the personal trust of an empty seat
_NO_TRUST: dict[int, float] = {}


class Organisation(mesa.Agent):
    """An organisation: a statutory body, a large charity or a small VCSE group.

    State (see ``docs/ODD.md``, Entities): ``capacity`` (hours a month free
    for partnership work) and its ``base_capacity``; ``budget`` (core income,
    thousand pounds a month); ``power`` (0-1); ``values`` (0-1 position on a
    mission/approach scale); ``institutional`` trust towards the
    organisations it knows (a sparse dict, only existing ties); its
    ``memberships``. Subclasses differ in their default distributions.
    """

    #: the kind; its distributions are the parameters ``capacity_<sector>``,
    #: ``budget_<sector>`` and ``values_a_<sector>``/``values_b_<sector>``
    sector: str = ""
    #: statutory authority: gatekeeping of referrals (004:288-294)
    authority: float = 0.0

    def __init__(self, model: PartnershipModel, local_system: int = 0) -> None:
        super().__init__(model)
        rng = model.rng
        self.local_system = local_system
        p, kind = model.p, self.sector
        shape = p["capacity_shape"]
        self.base_capacity = float(rng.gamma(shape, p[f"capacity_{kind}"] / shape))
        self.capacity = self.base_capacity
        self.budget = float(rng.lognormal(0.0, p["budget_spread"]) * p[f"budget_{kind}"])
        # 0 = target/system-led, 1 = community/relational
        self.values = float(rng.beta(p[f"values_a_{kind}"], p[f"values_b_{kind}"]))
        self.institutional: dict[int, float] = {}
        self.memberships: list[Partnership] = []
        self.power = 0.0
        self.holds_funds = 0  # grants this organisation holds as fund-holder

    @property
    def funding(self) -> float:
        """Core budget plus the grants it holds, thousand pounds a month."""
        return self.budget + sum(
            p.grant_amount for p in self.memberships if p.fund_holder is self and p.funded
        )

    def set_power(self, max_log_budget: float) -> None:
        """Power from budget share, statutory authority and fund-holding.

        Power follows money, rank and gatekeeping (000:169-171, 004:288-294);
        holding the funds adds to it (002:705-707). The weights are the
        parameters ``power_budget_weight``, ``power_authority_weight`` and
        ``power_fund_weight``.
        """
        p = self.model.p
        budget_share = math.log1p(self.budget) / max_log_budget if max_log_budget > 0 else 0.0
        self.power = min(
            1.0,
            p["power_budget_weight"] * budget_share
            + p["power_authority_weight"] * self.authority
            + p["power_fund_weight"] * min(1, self.holds_funds),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.unique_id})"


class StatutoryBody(Organisation):
    """Council, NHS body, police, school: most power, least spare time (003:614, 004:458)."""

    sector = "statutory"
    authority = 1.0


class LargeCharity(Organisation):
    """A large charity: invests up front, deploys staff flexibly (001:223-224)."""

    sector = "large_charity"


class SmallVCSE(Organisation):
    """A small voluntary or community group living on short grants (003:254)."""

    sector = "vcse"


class Representative:
    """The staff member who carries one membership (002:517, 004:468).

    ``personal`` holds this person's trust towards the other organisations
    they have met, keyed by ``unique_id``; it leaves with them. While the
    seat is vacant ``present`` is False until ``vacant_until``.
    """

    __slots__ = ("personal", "present", "tenure", "vacant_until")

    def __init__(self, personal: dict[int, float] | None = None) -> None:
        self.personal: dict[int, float] = personal if personal is not None else {}
        self.tenure = 0
        self.present = True
        self.vacant_until = -1


class Partnership(mesa.Agent):
    """A partnership of organisations, with its rules, grant and lifecycle.

    See ``docs/ODD.md`` (Entities) for every state variable. Its monthly
    behaviour is split into the stage methods ``fund``, ``turnover``,
    ``meet``, ``deliver``, ``evaluate`` and ``check_dissolution``, called in
    that order by the model.
    """

    def __init__(
        self,
        model: PartnershipModel,
        members: list[Organisation],
        *,
        route: str = "initial",
        initial_commitment: float | None = None,
    ) -> None:
        super().__init__(model)
        p = model.p
        self.number = len(model.partnerships_created) + 1
        model.partnerships_created.append(self)
        self.orientation: float = p["orientation"]
        self.membership: str = p["membership"]
        self.formal_agreement: bool = p["formal_agreement"]
        self.route = route
        self.started_at = model.steps
        self.age = 0
        self.alive = True
        self.dissolved_at: int | None = None
        self.dissolution_cause: str | None = None
        # grant
        self.grant_amount: float = p["grant_amount"]
        self.funded = True
        # the last month the grant pays for: months started_at+1 .. started_at+funding_length
        self.grant_end = model.steps + p["funding_length"]
        self.gap_until = -1
        self.funding_ended_at: int | None = None
        # coordinator (M4)
        self.coordinator_post: bool = p["coordinator"]
        self.mainstreamed: bool = p["coordinator_mainstreamed"]
        self.coordinator_vacant_until = -1
        # membership
        self.members: list[Organisation] = []
        self._active: list[Organisation] | None = None
        self.paper: set[int] = set()
        self.reps: dict[int, Representative] = {}
        self.satisfaction: dict[int, float] = {}
        self.commitment: dict[int, float] = {}
        self.contribution: dict[int, float] = {}
        self.founding_size = len(members)
        commit0 = p["initial_commitment"] if initial_commitment is None else initial_commitment
        for org in members:
            self.add_member(org, commit0)
        self.cross_sector = len({m.sector for m in members}) > 1 and any(
            m.sector == "statutory" for m in members
        )
        self.fund_holder: Organisation | None = None
        self._choose_fund_holder(p["fund_holder"])
        # Morgan and Baker's four elements (000:145-233) and outputs
        self.synergy = 0.0
        self.mean_satisfaction = commit0
        self.mean_commitment = commit0
        self.effectiveness = 0.0
        self.maturity = 0.0
        self.reciprocity = 1.0
        self.output = 0.0
        self.output_total = 0.0
        self.met = False
        self.months_without_quorum = 0
        self._attendees: list[Organisation] = []
        self.members_at_end = 0
        # cached statistics, refreshed by refresh_trust() and evaluate()
        self.mean_trust = 0.0
        self.trust_pairs: dict[tuple[str, str], list[float]] = {}
        self._layout_of: list[Organisation] | None = None
        self._layout: list[tuple[Organisation, list[tuple[int, list[float]]]]] = []
        self.member_trust: dict[int, float] = {}
        self.voice_gini = 0.0
        self._voice_of: tuple[float, ...] | None = None
        self._voices: list[float] = []
        self.trust_history: list[float] = []
        self._trust_sum = 0.0
        self._commitment_sum = 0.0
        self._months = 0
        self.refresh_trust()

    # ------------------------------------------------------------ helpers

    @property
    def coordinator_present(self) -> bool:
        """A coordinator post exists and is filled this month."""
        return self.coordinator_post and self.coordinator_vacant_until <= self.model.steps

    @property
    def active_members(self) -> list[Organisation]:
        """Members who take part (not partners on paper only).

        Cached, since every stage asks; membership changes clear the cache.
        """
        if self._active is None:
            self._active = [m for m in self.members if m.unique_id not in self.paper]
        return self._active

    def months_to_grant_end(self) -> int:
        """Months left on the current grant (negative when unfunded)."""
        return self.grant_end - self.model.steps if self.funded else -1

    def add_member(self, org: Organisation, commitment: float) -> None:
        """Add ``org`` with a new representative and the given commitment."""
        self.members.append(org)
        self._active = None
        org.memberships.append(self)
        uid = org.unique_id
        self.reps[uid] = Representative()
        self.commitment[uid] = commitment
        self.satisfaction[uid] = commitment
        self.contribution[uid] = 0.0

    def remove_member(self, org: Organisation) -> None:
        """Remove ``org`` from the partnership, keeping its institutional trust."""
        uid = org.unique_id
        self.members.remove(org)
        self._active = None
        org.memberships.remove(self)
        self.paper.discard(uid)
        for d in (self.reps, self.satisfaction, self.commitment, self.contribution):
            d.pop(uid, None)
        if self.fund_holder is org:
            self._release_funds()

    def _choose_fund_holder(self, kind: str) -> None:
        """Give the grant to a statutory or VCSE member, or a neutral host (002:615, 002:705)."""
        wanted = {"statutory": ("statutory",), "vcse": ("vcse", "large_charity")}.get(kind, ())
        for sector in wanted:
            for m in self.members:
                if m.sector == sector:
                    self.fund_holder = m
                    m.holds_funds += 1
                    m.set_power(self.model.max_log_budget)
                    return

    def _release_funds(self) -> None:
        holder = self.fund_holder
        if holder is not None:
            holder.holds_funds = max(0, holder.holds_funds - 1)
            holder.set_power(self.model.max_log_budget)
        self.fund_holder = None

    def trust(self, a: Organisation, b: Organisation) -> float:
        """Effective trust of member ``a`` in ``b`` (personal and institutional layers)."""
        p = self.model.p
        rep = self.reps.get(a.unique_id)
        if rep is None or not rep.present:
            personal = 0.0
        else:
            personal = rep.personal.get(b.unique_id, p["initial_trust"])
        return mech.effective_trust(
            personal, a.institutional.get(b.unique_id, 0.0), p["personal_trust_weight"]
        )

    # ------------------------------------------------------------ stage 1: funding

    def fund(self) -> None:
        """Age the grant; renew it, or end it (coordinator, capacity, commitment).

        At its end a grant is renewed with ``renewal_probability`` (004:77),
        after ``funding_gap`` months. Otherwise a coordinator who is not
        mainstreamed goes (002:999), VCSE time falls (002:605) and commitment
        takes a hit (003:672). Whether the members carry on unfunded is then
        judged every month in :meth:`check_dissolution` (000:143, 002:1009).
        """
        if not self.alive:
            return
        model, p = self.model, self.model.p
        now = model.steps
        self.age += 1
        if not self.funded and self.gap_until == now:
            self._start_grant()
        if self.funded and now > self.grant_end:
            if model.random.random() < p["renewal_probability"]:
                if p["funding_gap"] > 0:
                    self.funded = False
                    self.gap_until = now + p["funding_gap"]
                    model.log(
                        f"the grant of Partnership {self.number} ran out; renewal comes in {p['funding_gap']} months"
                    )
                else:
                    self._start_grant()
                    model.log(f"the grant of Partnership {self.number} was renewed")
            else:
                self._end_funding()

    def _start_grant(self) -> None:
        p = self.model.p
        self.funded = True
        self.gap_until = -1
        # a new grant pays for this month and the next funding_length - 1
        self.grant_end = self.model.steps + p["funding_length"] - 1
        if p["coordinator"]:
            self.coordinator_post = True

    def _end_funding(self) -> None:
        p = self.model.p
        self.funded = False
        self.funding_ended_at = self.grant_end  # the last month that was paid for
        self._release_funds()  # no money left to hold, so no fund-holding power
        lost_coordinator = self.coordinator_post and not self.mainstreamed
        if lost_coordinator:
            self.coordinator_post = False
        # strategic ties are programme-specific, so the end of the money shakes them more (000:106)
        spread = p["funding_end_orientation_spread"]
        hit = p["funding_end_commitment_hit"] * ((1.0 + spread) - 2.0 * spread * self.orientation)
        for uid in self.commitment:
            self.commitment[uid] = max(0.0, self.commitment[uid] - hit)
        words = f"the grant of Partnership {self.number} ended"
        if lost_coordinator:
            words += " and its coordinator post went"
        self.model.log(words)

    # ------------------------------------------------------------ stage 2: turnover

    def turnover(self) -> None:
        """Representatives leave and vacant seats are filled (M2, M3).

        Each representative leaves with the monthly hazard of
        ``staff_turnover``, higher for grant-paid posts near the grant's end
        (004:474). A departure takes the personal trust with it; the
        successor keeps a share of it with a formal agreement or a
        coordinator (004:416). The seat stays empty ``vacancy_months``.
        """
        if not self.alive:
            return
        model, p = self.model, self.model.p
        now = model.steps
        rand = model.random.random
        to_end = self.months_to_grant_end()
        window, boost = p["grant_end_window"], p["grant_end_turnover_boost"]
        base = model.base_hazard
        share = mech.handover_share(
            self.formal_agreement,
            self.coordinator_present,
            p["agreement_handover"],
            p["coordinator_handover"],
        )
        for org in self.members:
            rep = self.reps[org.unique_id]
            if not rep.present:
                if now >= rep.vacant_until:
                    rep.present = True
                    rep.tenure = 0
                continue
            rep.tenure += 1
            # VCSE posts are the ones paid by the grant (002:605)
            grant_paid = org.sector == "vcse" and self.funded
            h = mech.monthly_leaving_hazard(base, to_end, grant_paid, window, boost)
            if rand() < h:
                self._replace_representative(org, rep, share, now + p["vacancy_months"])
        if self.coordinator_present:
            h = mech.monthly_leaving_hazard(base, to_end, not self.mainstreamed, window, boost)
            if rand() < h:
                self.coordinator_vacant_until = now + p["vacancy_months"]
                model.staff_departures += 1
                model.log(f"the coordinator of Partnership {self.number} left")

    def _replace_representative(
        self, org: Organisation, rep: Representative, share: float, vacant_until: int
    ) -> None:
        initial = self.model.p["initial_trust"]
        rep.personal = (
            {uid: mech.successor_trust(t, initial, share) for uid, t in rep.personal.items()}
            if share > 0
            else {}
        )
        rep.present = vacant_until <= self.model.steps
        rep.vacant_until = vacant_until
        rep.tenure = 0
        # the newcomer reinterprets the partnership and must be won over again (004:470)
        uid = org.unique_id
        self.commitment[uid] = mech.newcomer_commitment(
            self.commitment[uid], self.model.p["newcomer_commitment_hit"], share
        )
        self.model.staff_departures += 1
        self.model.log(f"the representative of {self.model.name_of(org)} in Partnership {self.number} left")

    # ------------------------------------------------------------ stage 3: meeting

    def meet(self) -> None:
        """The partnership meets; attending pairs interact and trust moves (M1, M4-M9).

        Without a coordinator meetings are irregular (003:1448, 002:364).
        Members attend as capacity allows over all their memberships
        (003:428). Each attending pair has one interaction, positive with
        :func:`~partnersim.mechanisms.positive_interaction_probability`;
        trust then moves by :func:`~partnersim.mechanisms.trust_after_interaction`,
        and a coordinator, who mediates (003:538), repairs part of a loss.
        """
        self.met = False
        if not self.alive:
            return
        model, p = self.model, self.model.p
        rand = model.random.random
        coord = self.coordinator_present
        if not coord and rand() >= p["meeting_probability_uncoordinated"]:
            self.months_without_quorum += 1
            self.refresh_trust()
            return
        self.met = True
        hours, boost = p["meeting_hours"], p["coordinator_attendance_boost"]
        committed = p["committed_attendance"]
        reps, commitment = self.reps, self.commitment
        attend, keen = mech.attendance_probability, mech.commitment_attendance
        attendees = [
            m
            for m in self.active_members
            if reps[m.unique_id].present
            and rand()
            < attend(m.capacity, len(m.memberships), hours, coord, boost)
            * keen(commitment[m.unique_id], committed)
        ]
        self._attendees = attendees
        if mech.is_quorate(len(attendees), len(self.active_members), p["quorum_share"]):
            self.months_without_quorum = 0
        else:
            self.months_without_quorum += 1
        competition = mech.competition_pressure(
            model.scarcity,
            self.orientation,
            p["funding_length"],
            p["funding_flexibility"],
            p["short_grant_weight"],
        )
        gain, loss = p["trust_gain"], p["trust_loss"]
        if coord:
            loss *= 1.0 - p["coordinator_mediation"]
        # a step beyond the gap would overshoot personal trust, so the rate is capped at 1
        learn = min(
            1.0, p["institutional_learning"] * (1.0 + p["agreement_learning_boost"] * self.formal_agreement)
        )
        initial = p["initial_trust"]
        o = self.orientation
        base, e_align, e_recip = p["base_positive"], p["alignment_effect"], p["reciprocity_effect"]
        e_power, e_comp, damping = p["power_effect"], p["competition_effect"], p["power_damping"]
        # flexible money takes part of the power gap out of meetings (002:615)
        gap_weight = 1.0 - model.money_equality
        recip = self.reciprocity
        # local names: this pair loop is the model's inner loop
        chance, align = mech.positive_interaction_probability, mech.alignment
        after, learn_step = mech.trust_after_interaction, mech.institutional_after_meeting
        for i, a in enumerate(attendees):
            ua, va, wa = a.unique_id, a.values, a.power
            pa = reps[ua].personal
            ia = a.institutional
            for b in attendees[i + 1 :]:
                ub = b.unique_id
                pb = reps[ub].personal
                ib = b.institutional
                prob = chance(
                    align(va, b.values), recip, abs(wa - b.power) * gap_weight, o, competition,
                    base, e_align, e_recip, e_power, e_comp, damping,
                )  # fmt: skip
                positive = rand() < prob
                tab = after(pa.get(ub, initial), positive, gain, loss)
                tba = after(pb.get(ua, initial), positive, gain, loss)
                pa[ub] = tab
                pb[ua] = tba
                ia[ub] = learn_step(ia.get(ub, 0.0), tab, learn)
                ib[ua] = learn_step(ib.get(ua, 0.0), tba, learn)
        self.refresh_trust()

    def _trust_layout(self) -> list[tuple[Organisation, list[tuple[int, list[float]]]]]:
        """For each active member, the others' ids with their sector pair's accumulator.

        Built once per change of the active membership (the sector-pair keys
        of a pair never change while both stay), so :meth:`refresh_trust`
        only reads trust. The accumulators are ``self.trust_pairs``' lists.
        """
        members = self.active_members
        if self._layout_of is not members:
            pairs: dict[tuple[str, str], list[float]] = {}
            rows = []
            for a in members:
                sa = a.sector
                row = []
                for b in members:
                    if a is b:
                        continue
                    sb = b.sector
                    key = (sa, sb) if sa <= sb else (sb, sa)
                    row.append((b.unique_id, pairs.setdefault(key, [0.0, 0.0])))
                rows.append((a, row))
            self._layout_of, self._layout, self.trust_pairs = members, rows, pairs
        return self._layout

    def refresh_trust(self) -> None:
        """Recompute trust among active members: overall, by sector pair and per member.

        One pass over the ordered pairs of active members; the per-member
        means are reused by :meth:`evaluate`, so trust is read once a month.
        Trust of one member in another mixes the personal and institutional
        layers as :func:`~partnersim.mechanisms.effective_trust` does
        (002:517, 004:416); it is inlined because this is the hottest loop.
        ``trust_pairs`` maps a sector pair to ``[sum, count]``, refreshed in place.
        """
        p = self.model.p
        w, initial = p["personal_trust_weight"], p["initial_trust"]
        v = 1.0 - w
        layout = self._trust_layout()
        for acc in self.trust_pairs.values():
            acc[0] = acc[1] = 0.0
        reps = self.reps
        per_member: dict[int, float] = {}
        total, n = 0.0, 0
        k = len(layout) - 1
        for a, row in layout:
            ua = a.unique_id
            rep = reps[ua]
            # a vacant seat holds no personal trust: only the track record speaks
            personal, default = (rep.personal, initial) if rep.present else (_NO_TRUST, 0.0)
            inst = a.institutional
            s = 0.0
            for ub, acc in row:
                t = w * personal.get(ub, default) + v * inst.get(ub, 0.0)
                s += t
                acc[0] += t
                acc[1] += 1.0
            per_member[ua] = s / k if k > 0 else 0.0
            total += s
            n += k
        self.mean_trust = total / n if n > 0 else 0.0
        self.member_trust = per_member

    # ------------------------------------------------------------ stage 4: delivery

    def deliver(self) -> None:
        """Output from the hours contributed, times synergy (M11, fact 4).

        Synergy rises with trust, complementarity and a coordinator
        (000:151). Strategic targets give more output early; communicative
        working builds maturity over time (000:143, 000:108). Each member
        above the founding size slows agreement (002:413).
        """
        self.output = 0.0
        if not self.alive:
            return
        p = self.model.p
        active = self.active_members
        attending = {id(m) for m in self._attendees} if self.met else set()
        hours = p["meeting_hours"]
        unfunded_share = p["vcse_unfunded_capacity"]
        total = 0.0
        contribution, funded = self.contribution, self.funded
        given, vcse_factor = mech.contributed_hours, mech.vcse_capacity_factor
        hours_given = []
        for m in active:
            h = 0.0
            if id(m) in attending:
                h = given(m.capacity, len(m.memberships), hours)
                h *= vcse_factor(m.sector == "vcse", funded, unfunded_share)
            contribution[m.unique_id] = h
            hours_given.append(h)
            total += h
        kinds = len({m.sector for m in active})
        self.synergy = mech.synergy(
            self.mean_trust,
            mech.complementarity(kinds),
            self.coordinator_present,
            p["synergy_trust_weight"],
            p["synergy_coordinator_weight"],
        )
        self.maturity = mech.maturity_after_month(self.maturity, self.orientation, p["maturity_rate"])
        factor = mech.orientation_output_factor(
            self.orientation, self.age, self.maturity, p["strategic_boost"], p["strategic_decay_months"]
        )
        agree = mech.agreement_factor(len(self.members), self.founding_size, p["agreement_cost"])
        self.output = total * self.synergy * factor * agree
        self.output_total += self.output
        self.reciprocity = mech.reciprocity(hours_given)
        per_member = self.output / max(1, len(active))
        # the reference: a share of a full member's hours counts as middling effectiveness
        self.effectiveness = mech.effectiveness_after_month(
            self.effectiveness, per_member, p["effectiveness_reference"] * hours, p["effectiveness_rate"]
        )

    # ------------------------------------------------------------ stage 5: evaluation

    def evaluate(self) -> None:
        """Members update satisfaction and commitment; some go on paper or leave.

        Satisfaction mixes voice (by power under strategic rules, near equal
        under communicative ones or with money tied to no member's agenda;
        003:343, 000:108, 002:615), reciprocity (004:396),
        effectiveness (000:217) and trust. Commitment follows satisfaction,
        plus the benefit of funding (002:605) minus the cost of size
        (001:357). Low commitment makes a paper partner, then an exit
        (004:122). Open partnerships admit organisations through ties
        (002:374, 003:1258).
        """
        if not self.alive:
            return
        model, p = self.model, self.model.p
        active = self.active_members
        powers = tuple([m.power for m in active])  # power already counts fund-holding (002:705)
        if powers != self._voice_of:  # power rarely changes: share out voice only when it does
            equal = mech.voice_orientation(self.orientation, self.model.money_equality)
            self._voices = mech.voice_shares(powers, equal)
            self.voice_gini = mech.gini(self._voices)
            self._voice_of = powers
        voices = self._voices
        n = len(active)
        benefit = p["funding_benefit"] * self.funded + p["coordinator_benefit"] * self.coordinator_present
        if self.funding_ended_at is not None and not self.funded:
            # strategic ties are programme-specific: without the programme the reason to meet goes (000:106)
            benefit -= mech.programme_loss(self.orientation, p["programme_dependence"])
        cost = mech.membership_cost(len(self.members), p["size_cost"])
        contribution, satisfaction, commitment = self.contribution, self.satisfaction, self.commitment
        given = sum(contribution[m.unique_id] for m in active)
        weights = (p["voice_weight"], p["reciprocity_weight"], p["output_weight"], p["trust_weight"])
        rate, sat_rate, silencing = p["commitment_rate"], p["satisfaction_rate"], p["silencing_factor"]
        member_trust, effectiveness = self.member_trust, self.effectiveness
        target_of, reciprocity_of = mech.satisfaction_target, mech.member_reciprocity
        for m, v in zip(active, voices, strict=True):
            uid = m.unique_id
            share = contribution[uid] / given if given > 0 else 0.0
            target = target_of(
                v, n, reciprocity_of(v, share), effectiveness, member_trust.get(uid, 0.0), weights, silencing
            )
            satisfaction[uid] += sat_rate * (target - satisfaction[uid])
        leavers = []
        paper = self.paper
        paper_at, exit_at = p["paper_threshold"], p["exit_threshold"]
        after_month, status_of = mech.commitment_after_month, mech.member_status
        for m in list(self.members):
            uid = m.unique_id
            on_paper = uid in paper
            # partners on paper get nothing from it but the cost (004:122)
            c = after_month(commitment[uid], satisfaction[uid], 0.0 if on_paper else benefit, cost, rate)
            commitment[uid] = c
            status = status_of(c, on_paper, paper_at, exit_at)
            if status == "leave":
                leavers.append(m)
            elif status == "paper":
                if not on_paper:
                    model.log(f"{model.name_of(m)} became a partner on paper in Partnership {self.number}")
                    paper.add(uid)
                    self._active = None
            elif on_paper:
                paper.discard(uid)
                self._active = None
        for m in leavers:
            model.exits[m.sector] += 1
            self.remove_member(m)
            model.log(f"{model.name_of(m)} left Partnership {self.number}")
        if self.membership == "open":
            self._recruit()
        if self.members:
            self.mean_commitment = sum(self.commitment.values()) / len(self.commitment)
            self.mean_satisfaction = sum(self.satisfaction.values()) / len(self.satisfaction)
        if leavers:
            self.refresh_trust()
        self.trust_history.append(self.mean_trust)
        self._trust_sum += self.mean_trust
        self._commitment_sum += self.mean_commitment
        self._months += 1

    def _recruit(self) -> None:
        """Admit one willing organisation known to a member (002:374, 003:1258, 003:371)."""
        model, p = self.model, self.model.p
        rand = model.random
        rate = p["recruitment_rate"] * (1.0 + p["coordinator_recruitment_boost"] * self.coordinator_present)
        if rand.random() >= min(1.0, rate):
            return
        active = self.active_members
        if not active:
            return
        sponsor = rand.choice(active)
        known = [uid for uid in sponsor.institutional if uid not in self.reps]
        if not known:
            return
        candidate = model.organisation(rand.choice(known))
        n_in = len(candidate.memberships)
        if n_in >= p["max_memberships"]:
            return
        if rand.random() >= mech.joining_probability(candidate.capacity, n_in, p["meeting_hours"]):
            return
        self.add_member(candidate, p["initial_commitment"])
        model.log(f"{model.name_of(candidate)} joined Partnership {self.number}")

    # ------------------------------------------------------------ stage 6: dissolution

    def check_dissolution(self) -> None:
        """Dissolve and record the cause when the partnership can no longer go on (M12)."""
        if not self.alive:
            return
        p = self.model.p
        cause = mech.dissolution_cause(
            n_active=len(self.active_members),
            cross_sector=self.cross_sector,
            has_statutory=any(m.sector == "statutory" for m in self.members),
            mean_commitment=self.mean_commitment,
            collapse_threshold=p["collapse_threshold"],
            unfunded_too_few_carry_on=self.funding_ended_at is not None
            and not self.funded
            and self.too_few_carry_on(),
            months_without_quorum=self.months_without_quorum,
            inactive_months=p["inactive_months"],
        )
        if cause is not None:
            self.dissolve(cause)

    def too_few_carry_on(self) -> bool:
        """Whether too few members would carry on unfunded, judged every unfunded month.

        Without the grant's benefit commitment drifts down, so a partnership
        that carried on at the grant's end can still fold later (002:999,
        003:1448).
        """
        p = self.model.p
        momentum = p["coordinator_momentum"] if self.coordinator_post else 0.0
        commitments = [self.commitment[m.unique_id] for m in self.active_members]
        return not mech.carries_on(commitments, p["carry_on_threshold"], p["carry_on_quorum"], momentum)

    def dissolve(self, cause: str) -> None:
        """End the partnership: members are released, the record stays."""
        self.alive = False
        self.dissolved_at = self.model.steps
        self.dissolution_cause = cause
        for m in list(self.members):
            m.memberships.remove(self)
        if self.fund_holder is not None:
            self._release_funds()
        self.members_at_end = len(self.members)
        self.model.log(f"Partnership {self.number} dissolved ({cause.replace('_', ' ')})")
        self.remove()  # leaves the model's agent set; partnerships_created keeps the record

    # ------------------------------------------------------------ record

    def record(self, horizon_month: int) -> dict[str, Any]:
        """One row of the per-partnership table."""
        end = self.dissolved_at if self.dissolved_at is not None else horizon_month
        legacy_months = self.model.p["legacy_months"]
        survived = self.funding_ended_at is not None and end - self.funding_ended_at >= legacy_months
        counts = {s: 0 for s in SECTORS}
        for m in self.members:
            counts[m.sector] += 1
        return {
            "partnership": self.number,
            "route": self.route,
            "started_at": self.started_at,
            "lifetime": end - self.started_at,
            "censored": self.alive,
            "dissolved_at": self.dissolved_at,
            "cause": self.dissolution_cause or "",
            "funding_ended_at": self.funding_ended_at,
            "survived_funding_end": survived,
            "orientation": self.orientation,
            "membership": self.membership,
            "founding_size": self.founding_size,
            "members": len(self.members),
            "paper_members": len(self.paper),
            "statutory_members": counts["statutory"],
            "large_charity_members": counts["large_charity"],
            "vcse_members": counts["vcse"],
            "mean_trust": self._trust_sum / self._months if self._months else self.mean_trust,
            "mean_commitment": (
                self._commitment_sum / self._months if self._months else self.mean_commitment
            ),
            "output": self.output_total,
            "synergy": self.synergy,
            "satisfaction": self.mean_satisfaction,
            "commitment": self.mean_commitment,
            "effectiveness": self.effectiveness,
            "coordinator": self.coordinator_post,
            "agreement_speed": mech.agreement_factor(
                len(self.members), self.founding_size, self.model.p["agreement_cost"]
            ),
        }

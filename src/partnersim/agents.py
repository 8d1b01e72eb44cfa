"""Agents of partnersim: organisations, the people who represent them, and partnerships.

This module holds state only: who the agents are and what they know. The
monthly behaviour lives in :mod:`partnersim.stages`, one module per stage of
the cycle, and every formula in :mod:`partnersim.mechanisms`.

A :class:`Partnership` is split into the parts a reader looks for:

- its :class:`Grant` (dates, phase, the record a funder will read);
- its :class:`Coordinator` post (a person with limited hours);
- its roster (members, their representatives, commitment);
- its trust ledger (the layout of member pairs and the trust statistics).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import mesa

from partnersim import mechanisms as mech

if TYPE_CHECKING:
    from partnersim.model import PartnershipModel

__all__ = [
    "Coordinator",
    "Grant",
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
#: each sector pair's key in Partnership.trust_pairs, (lower, higher) as names sort: one tuple, shared
SECTOR_PAIR_KEY = {(a, b): (a, b) if a <= b else (b, a) for a in SECTORS for b in SECTORS}

#: mean position on the mission scale of each kind, as a share of ``values_gap`` from the middle
_VALUES_SIDE = {"statutory": -0.5, "large_charity": 0.0, "vcse": 0.5}


class Organisation(mesa.Agent):
    """An organisation: a statutory body, a large charity or a small VCSE group.

    State (see ``docs/ODD.md``, Entities): ``capacity`` (hours a month free
    for partnership work) and its ``base_capacity``; ``reserves`` (months of
    running costs it can draw on in a crisis); ``budget`` (core income,
    thousand pounds a month); ``power`` (0-1); ``values`` (0-1 position on a
    mission/approach scale); ``institutional`` trust towards the
    organisations it knows (a sparse dict, only existing ties); its
    ``memberships``. Subclasses differ in their default distributions.
    """

    #: the kind; its distributions are the parameters ``capacity_<sector>``,
    #: ``budget_<sector>`` and ``reserves_<sector>``
    sector: str = ""
    #: statutory authority: gatekeeping of referrals (004:288)
    authority: float = 0.0

    def __init__(self, model: PartnershipModel, local_system: int = 0) -> None:
        super().__init__(model)
        rng = model.rng
        self.local_system = local_system
        p, kind = model.p, self.sector
        shape = p.capacity_shape
        self.base_capacity = float(rng.gamma(shape, getattr(p, f"capacity_{kind}") / shape))
        self.capacity = self.base_capacity
        self.reserves: float = getattr(p, f"reserves_{kind}")
        self.budget = float(rng.lognormal(0.0, p.budget_spread) * getattr(p, f"budget_{kind}"))
        # 0 = target/system-led, 1 = community/relational
        mean = 0.5 + _VALUES_SIDE[kind] * p.values_gap
        conc = p.values_concentration
        self.values = float(rng.beta(mean * conc, (1.0 - mean) * conc))
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

        Those with more power or influence dominate (000:169); statutory
        partners hold referral criteria and resources (004:288); holding the
        funds adds to it. The weights are the parameters
        ``power_budget_weight``, ``power_authority_weight`` and
        ``power_fund_weight``.
        """
        p = self.model.p
        budget_share = math.log1p(self.budget) / max_log_budget if max_log_budget > 0 else 0.0
        self.power = min(
            1.0,
            p.power_budget_weight * budget_share
            + p.power_authority_weight * self.authority
            + p.power_fund_weight * min(1, self.holds_funds),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.unique_id})"


class StatutoryBody(Organisation):
    """Council, NHS body, police, school: most power (004:288)."""

    sector = "statutory"
    authority = 1.0


class LargeCharity(Organisation):
    """A large charity: can make an upfront investment (001:223)."""

    sector = "large_charity"


class SmallVCSE(Organisation):
    """A small voluntary or community group, exposed to statutory crises (001:350)."""

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


class Coordinator:
    """A partnership's coordinator post: a person with ``coordinator_hours`` a month (004:448).

    ``post``: the post exists (paid by the grant, or mainstreamed);
    ``tenure``: the current holder's months in post, which bounds the
    relationships they can carry (003:536); ``budget``: the hours this
    month started with (0 in a month the holder left); ``hours``: hours
    left this month. A bid written early next month reads what is left
    (002:681); otherwise the hours lapse.
    """

    __slots__ = ("budget", "hours", "mainstreamed", "post", "tenure", "vacant_until")

    def __init__(self, post: bool, mainstreamed: bool) -> None:
        self.post = post
        self.mainstreamed = mainstreamed
        self.vacant_until = -1
        self.tenure = 0
        self.hours = 0.0
        self.budget = 0.0

    def present(self, now: int) -> bool:
        """The post exists and is filled this month."""
        return self.post and self.vacant_until <= now


class Grant:
    """A partnership's money: dates, phase and the record a funder will read (002:681).

    ``end``: the last month paid for; ``decision_at``: the month the funder
    decides on the next step (progress from the development phase, or
    renew); ``phase``: ``development`` during the foundation phase of the
    first grant (000:241, 002:257), then ``delivery``; ``gap_until``: the
    month a renewal after a gap starts (-1: none); ``ended_at``: the last
    month paid for, once the money has ended for good.
    """

    __slots__ = (
        "decision_at",
        "end",
        "ended_at",
        "funded",
        "gap_until",
        "phase",
        "record_months",
        "record_sum",
        "start",
    )

    def __init__(self, start: int, length: int, development: int) -> None:
        self.funded = True
        self.start = start
        self.end = start + length
        self.phase = "development" if 0 < development < length else "delivery"
        self.decision_at = start + development if self.phase == "development" else self.end
        self.gap_until = -1
        self.ended_at: int | None = None
        self.record_sum = 0.0
        self.record_months = 0

    @property
    def in_gap(self) -> bool:
        """Waiting for a renewed grant to start."""
        return self.gap_until >= 0

    def restart(self, now: int, length: int) -> None:
        """A new grant pays for this month and the next ``length - 1``."""
        self.funded = True
        self.start = now
        self.end = now + length - 1
        self.decision_at = self.end
        self.phase = "delivery"
        self.gap_until = -1
        self.record_sum = 0.0
        self.record_months = 0

    def evidence(self) -> float:
        """The mean monthly record over this grant (0 when nothing was recorded)."""
        return self.record_sum / self.record_months if self.record_months else 0.0


class Partnership(mesa.Agent):
    """A partnership of organisations, with its rules, grant, coordinator, roster and trust ledger.

    See ``docs/ODD.md`` (Entities) for every state variable. Its monthly
    behaviour is in :mod:`partnersim.stages`.
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
        # rules
        self.orientation: float = p.orientation
        self.membership: str = p.membership
        self.formal_agreement: bool = p.formal_agreement
        self.route = route
        # lifecycle
        self.started_at = model.steps
        self.age = 0
        self.alive = True
        self.dissolved_at: int | None = None
        self.dissolution_cause: str | None = None
        # money and the coordinator post
        self.grant_amount: float = p.grant_amount
        self.grant = Grant(model.steps, p.funding_length, p.development_months)
        self.coordinator = Coordinator(p.coordinator, p.coordinator_mainstreamed)
        # money paid so far, thousand pounds: by the funder, and by members for a kept-on coordinator
        self.grants_paid = 0.0
        self.coordinator_paid_after_grant = 0.0
        # roster
        self.members: list[Organisation] = []
        self._active: list[Organisation] | None = None
        self.paper: set[int] = set()
        self.reps: dict[int, Representative] = {}
        self.satisfaction: dict[int, float] = {}
        self.commitment: dict[int, float] = {}
        self.contribution: dict[int, float] = {}
        self.willing: dict[int, float] = {}
        self.founding_size = len(members)
        commit0 = p.initial_commitment if initial_commitment is None else initial_commitment
        spread = p.founding_commitment_spread
        for org in members:
            # drawn whatever the spread, so runs that differ only in the spread found the same partnerships
            draw = float(model.rng.standard_normal())
            self.add_member(org, mech.founding_commitment(commit0, spread, draw))
        self.cross_sector = len({m.sector for m in members}) > 1 and any(
            m.sector == "statutory" for m in members
        )
        self.fund_holder: Organisation | None = None
        self.choose_fund_holder(p.fund_holder)
        # the plan of work, first drafted by the partner with most money (000:106)
        self.lead_values = max(members, key=lambda m: m.budget).values if members else 0.5
        self.plan = self.lead_values
        # Morgan and Baker's four elements (000:145-233) and outputs
        self.synergy = 0.0
        founding = sum(self.commitment.values()) / len(self.commitment) if self.commitment else commit0
        self.mean_satisfaction = founding
        self.mean_commitment = founding
        self.effectiveness = 0.0
        self.maturity = 0.0
        self.matured_at: int | None = None
        self.agreement = 1.0
        self.output = 0.0
        self.output_total = 0.0
        # meetings
        self.met = False
        self.quorate = False
        self.months_without_quorum = 0
        self.attendees: list[Organisation] = []
        self.members_at_end = 0
        # trust ledger: cached statistics, refreshed by refresh_trust()
        self.mean_trust = 0.0
        self.trust_pairs: dict[tuple[str, str], list[float]] = {}
        self._layout_of: list[Organisation] | None = None
        self._layout: list[tuple[Organisation, list[tuple[int, list[float]]]]] = []
        self._pair_counts: list[tuple[list[float], float]] = []
        self.member_trust: dict[int, float] = {}
        self.voice_gini = 0.0
        self.trust_history: list[float] = []
        self._trust_sum = 0.0
        self._commitment_sum = 0.0
        self._agreement_sum = 0.0
        self._months = 0
        # the trust statistics wait for the founding members' prior trust: formation.found refreshes them

    # ------------------------------------------------------------ views

    @property
    def funded(self) -> bool:
        """The grant pays this month."""
        return self.grant.funded

    @property
    def grant_end(self) -> int:
        """The last month the current grant pays for."""
        return self.grant.end

    @property
    def funding_ended_at(self) -> int | None:
        """The last month paid for, once the money ended for good."""
        return self.grant.ended_at

    @property
    def coordinator_post(self) -> bool:
        """A coordinator post exists."""
        return self.coordinator.post

    @property
    def coordinator_present(self) -> bool:
        """A coordinator post exists and is filled this month."""
        return self.coordinator.present(self.model.steps)

    @property
    def coordinator_relationship_share(self) -> float | None:
        """Share of this month's coordinator hours spent on relationships (003:536).

        None in a month without a coordinator's hours: no post, a vacancy,
        the month the holder left, or a dissolved partnership. Read after a
        month's step, when every task of the month is done. Calibration
        averages it over coordinated months; no rule reads it.
        """
        coord = self.coordinator
        if not self.alive or not coord.present(self.model.steps) or coord.budget <= 0.0:
            return None
        return mech.relationship_share(coord.hours, coord.budget)

    @property
    def active_members(self) -> list[Organisation]:
        """Members who take part (not partners on paper only); cached until membership changes."""
        if self._active is None:
            self._active = [m for m in self.members if m.unique_id not in self.paper]
        return self._active

    def time_of(self, org: Organisation) -> float:
        """Hours ``org`` has for this partnership this month (002:336, 002:605)."""
        factor = 1.0
        if not self.grant.funded and org.sector == "vcse":
            factor = mech.vcse_capacity_factor(True, False, self.model.p.vcse_unfunded_capacity)
        return mech.partnership_time(org.capacity, len(org.memberships), factor)

    def months_to_grant_end(self) -> int:
        """Months left on the current grant (negative when unfunded)."""
        return self.grant.end - self.model.steps if self.grant.funded else -1

    # ------------------------------------------------------------ roster

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
        self.willing[uid] = commitment

    def remove_member(self, org: Organisation) -> None:
        """Remove ``org`` from the partnership, keeping its institutional trust."""
        uid = org.unique_id
        self.members.remove(org)
        self._active = None
        org.memberships.remove(self)
        self.paper.discard(uid)
        for d in (
            self.reps,
            self.satisfaction,
            self.commitment,
            self.contribution,
            self.willing,
            self.member_trust,
        ):
            d.pop(uid, None)
        if self.fund_holder is org:
            self.release_funds()

    def set_paper(self, uid: int, on_paper: bool) -> None:
        """Put a member on paper, or back to active."""
        if on_paper:
            self.paper.add(uid)
        else:
            self.paper.discard(uid)
        self._active = None

    def choose_fund_holder(self, kind: str) -> None:
        """Give the grant to a statutory or VCSE member, or a neutral host."""
        wanted = {"statutory": ("statutory",), "vcse": ("vcse", "large_charity")}.get(kind, ())
        for sector in wanted:
            for m in self.members:
                if m.sector == sector:
                    self.fund_holder = m
                    m.holds_funds += 1
                    m.set_power(self.model.max_log_budget)
                    return

    def release_funds(self) -> None:
        """No money left to hold, so no fund-holding power."""
        holder = self.fund_holder
        if holder is not None:
            holder.holds_funds = max(0, holder.holds_funds - 1)
            holder.set_power(self.model.max_log_budget)
        self.fund_holder = None

    # ------------------------------------------------------------ trust ledger

    def trust(self, a: Organisation, b: Organisation) -> float:
        """Effective trust of member ``a`` in ``b`` (personal and institutional layers)."""
        p = self.model.p
        rep = self.reps.get(a.unique_id)
        personal = 0.0 if rep is None or not rep.present else rep.personal.get(b.unique_id, p.initial_trust)
        return mech.effective_trust(personal, a.institutional.get(b.unique_id, 0.0), p.personal_trust_weight)

    def _trust_layout(self) -> list[tuple[Organisation, list[tuple[int, list[float]]]]]:
        """For each active member, the others' ids with their sector pair's accumulator.

        Built once per change of the active membership, so
        :meth:`refresh_trust` only reads trust.
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
                    acc = pairs.setdefault(SECTOR_PAIR_KEY[sa, b.sector], [0.0, 0.0])
                    acc[1] += 1.0
                    row.append((b.unique_id, acc))
                rows.append((a, row))
            # each sector pair's count of ordered pairs is fixed by the layout; refresh_trust resets the sums
            self._pair_counts = [(acc, acc[1]) for acc in pairs.values()]
            self._layout_of, self._layout, self.trust_pairs = members, rows, pairs
        return self._layout

    def forget_trust_layout(self) -> None:
        """Drop the cached layout (:meth:`_trust_layout` builds it again when next needed).

        It holds a tuple per ordered pair of members, about half the objects
        a partnership owns: runs on the compiled engine never read it, and
        each object the cyclic collector has to walk costs more as the model
        grows.
        """
        self._layout_of, self._layout, self._pair_counts = None, [], []

    def refresh_trust(self) -> None:
        """Recompute trust among active members: overall, by sector pair and per member.

        Trust of one member in another mixes the personal and institutional
        layers as :func:`~partnersim.mechanisms.effective_trust` does; it is
        inlined because this is the hottest loop (a test checks the two
        agree). ``trust_pairs`` maps a sector pair to ``[sum, count]``.
        """
        p = self.model.p
        w, initial = p.personal_trust_weight, p.initial_trust
        v = 1.0 - w
        layout = self._trust_layout()
        for acc, count in self._pair_counts:
            acc[0], acc[1] = 0.0, count
        reps = self.reps
        per_member = self.member_trust
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
            per_member[ua] = s / k if k > 0 else 0.0
            total += s
            n += k
        self.mean_trust = total / n if n > 0 else 0.0

    # ------------------------------------------------------------ record

    def observe_month(self) -> None:
        """Add this month to the partnership's running means."""
        self.trust_history.append(self.mean_trust)
        self._trust_sum += self.mean_trust
        self._commitment_sum += self.mean_commitment
        self._agreement_sum += self.agreement
        self._months += 1

    def dissolve(self, cause: str) -> None:
        """End the partnership: members are released, the record stays."""
        self.alive = False
        self.dissolved_at = self.model.steps
        self.dissolution_cause = cause
        for m in list(self.members):
            m.memberships.remove(self)
        if self.fund_holder is not None:
            self.release_funds()
        self.members_at_end = len(self.members)
        self.model.log(f"Partnership {self.number} dissolved ({cause.replace('_', ' ')})")
        self.remove()  # leaves the model's agent set; partnerships_created keeps the record

    def record(self, horizon_month: int) -> dict[str, Any]:
        """One row of the per-partnership table."""
        end = self.dissolved_at if self.dissolved_at is not None else horizon_month
        ended = self.grant.ended_at
        survived = ended is not None and end - ended >= self.model.p.legacy_months
        counts = dict.fromkeys(SECTORS, 0)
        for m in self.members:
            counts[m.sector] += 1
        months = self._months
        return {
            "partnership": self.number,
            "route": self.route,
            "started_at": self.started_at,
            "lifetime": end - self.started_at,
            "censored": self.alive,
            "dissolved_at": self.dissolved_at,
            "cause": self.dissolution_cause or "",
            "funding_ended_at": ended,
            "survived_funding_end": survived,
            "grants_paid": self.grants_paid,
            "coordinator_paid_after_grant": self.coordinator_paid_after_grant,
            "orientation": self.orientation,
            "membership": self.membership,
            "founding_size": self.founding_size,
            "members": len(self.members),
            "paper_members": len(self.paper),
            "statutory_members": counts["statutory"],
            "large_charity_members": counts["large_charity"],
            "vcse_members": counts["vcse"],
            "mean_trust": self._trust_sum / months if months else self.mean_trust,
            "mean_commitment": self._commitment_sum / months if months else self.mean_commitment,
            "output": self.output_total,
            "synergy": self.synergy,
            "satisfaction": self.mean_satisfaction,
            "commitment": self.mean_commitment,
            "effectiveness": self.effectiveness,
            "maturity": self.maturity,
            "matured_at": self.matured_at,
            "coordinator": self.coordinator.post,
            "agreement_speed": self._agreement_sum / months if months else self.agreement,
        }

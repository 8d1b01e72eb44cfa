"""The mechanisms of partnersim, as small pure functions.

Each function takes plain values and returns plain values, so it can be
tested on its own. Each docstring cites the evidence (``SEED:LINE`` in the
field reports) and names the mechanism (M1..M14) or stylised fact of
``docs/ODD.md``. The model in :mod:`partnersim.model` only wires them
together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

# ---------------------------------------------------------------- turnover (M2, M3)


def monthly_hazard(annual_rate: float) -> float:
    """Monthly leaving probability equivalent to an annual rate.

    ``1 - (1 - annual_rate) ** (1/12)``, so that twelve monthly draws give
    the annual rate. Staff turnover erodes partnerships (004:468, 004:474).
    """
    if annual_rate >= 1.0:
        return 1.0
    return 1.0 - (1.0 - annual_rate) ** (1.0 / 12.0)


def monthly_leaving_hazard(
    base_hazard: float,
    months_to_grant_end: float,
    grant_paid: bool,
    window: int,
    boost: float,
) -> float:
    """Leaving hazard of one representative this month.

    ``base_hazard`` is :func:`monthly_hazard` of the annual
    ``staff_turnover``. Posts paid by a grant that ends within ``window``
    months carry a hazard ``(1 + boost)`` times higher: short funding cycles
    block long contracts and staff look for their next post (004:474,
    003:664, 003:845; stylised fact 12). Capped at 1.
    """
    # months_to_grant_end is 0 in the grant's last paid month: the window is its last `window` months
    if grant_paid and 0 <= months_to_grant_end < window:
        return min(1.0, base_hazard * (1.0 + boost))
    return base_hazard


def handover_share(
    formal_agreement: bool,
    coordinator_present: bool,
    agreement_handover: float,
    coordinator_handover: float,
) -> float:
    """Share of a leaver's personal trust that their successor keeps.

    A formal agreement on roles limits the disruption of staff changes
    (004:416), and a coordinator, who spends about half their time keeping
    relationships up (003:536), carries part of them over to the successor. The two add, capped at 1. Without either, the
    relationship is rebuilt from scratch (002:517).
    """
    share = agreement_handover * formal_agreement + coordinator_handover * coordinator_present
    return min(1.0, share)


def newcomer_commitment(commitment: float, hit: float, handover: float) -> float:
    """Commitment of a member whose representative has just been replaced.

    Each newcomer reinterprets the partnership (004:470), and
    partnerships end with the loss of the relevant staff (004:468): the
    member's commitment drops by ``hit``, softened by the same handover
    share that keeps trust (a formal agreement or a coordinator, 004:416).
    """
    return max(0.0, commitment - hit * (1.0 - handover))


def successor_trust(old_trust: float, initial_trust: float, share: float) -> float:
    """Personal trust a successor starts with towards one partner.

    The successor starts as a stranger (``initial_trust``) and keeps
    ``share`` of the difference the leaver had built, up or down
    (004:416, 004:470).
    """
    return initial_trust + share * (old_trust - initial_trust)


# ---------------------------------------------------------------- trust (M1)


def trust_after_interaction(trust: float, positive: bool, gain: float, loss: float) -> float:
    """Personal trust after one interaction.

    A positive interaction moves trust a step ``gain`` towards 1; a negative
    one removes a share ``loss``. Trust builds slowly through repeated
    interaction (M1; 001:97, 003:440, 002:551; stylised fact 7); no report
    says how fast it is lost, so ``loss > gain`` is a modelling choice. One
    old incident can keep partners apart for a decade (003:628).
    The result stays in [0, 1] for inputs in [0, 1].
    """
    if positive:
        return trust + gain * (1.0 - trust)
    return trust - loss * trust


def effective_trust(personal: float, institutional: float, personal_weight: float) -> float:
    """Trust one member places in another: a mix of the two layers.

    Trust lives largely in people (002:517, 004:468), so the personal layer
    has weight ``personal_weight``; the institutional layer is the track
    record that survives turnover (004:416).
    """
    return personal_weight * personal + (1.0 - personal_weight) * institutional


def institutional_after_meeting(institutional: float, personal: float, rate: float) -> float:
    """Institutional trust moves a step ``rate`` towards personal trust.

    Track record turns personal relationships into organisational ones,
    faster with a formal agreement (004:416); relationships between people
    outlive those between organisations (002:1009), so the step is slow.
    """
    return institutional + rate * (personal - institutional)


def alignment(values_a: float, values_b: float) -> float:
    """Alignment of two organisations: 1 minus the distance of their values.

    Shared goals and values are the foundation of a partnership (001:90,
    000:130); a mismatch can still make it fail (004:342-356).
    """
    return 1.0 - abs(values_a - values_b)


def competition_pressure(
    scarcity: float,
    orientation: float,
    funding_length: int,
    flexibility: float,
    short_grant_weight: float,
) -> float:
    """Competition for funds inside a partnership, in [0, 1].

    Scarcity times how strategic the partnership is (000:185, 004:388,
    003:313). Short contracts raise competition (002:681): a share
    ``short_grant_weight`` of the pressure scales with how short the grant
    is, so with 0.5 a 12-month grant gives full pressure and a 36-month one
    two thirds. Flexible funds tied to no member's agenda remove part of it
    (002:615).
    """
    # 12 months is the typical short grant the reports compare against (002:701)
    shortness = min(1.0, 12.0 / max(1, funding_length))
    pressure = scarcity * (1.0 - orientation) * ((1.0 - short_grant_weight) + short_grant_weight * shortness)
    return min(1.0, max(0.0, pressure * (1.0 - flexibility)))


def positive_interaction_probability(
    alignment: float,
    reciprocity: float,
    power_gap: float,
    orientation: float,
    competition: float,
    base: float,
    alignment_effect: float,
    reciprocity_effect: float,
    power_effect: float,
    competition_effect: float,
    power_damping: float,
) -> float:
    """Chance that an interaction between two attending members is positive.

    Rises with alignment (M8; 001:90, 004:342) and with balanced
    contributions (M6; 004:396, 004:252). Falls with the power gap, less so
    the more communicative the partnership: naming the imbalance and
    relational working reduce it by up to ``power_damping`` but do not
    remove it (M5; 003:343, 000:169-171, 000:189, 004:310). Falls with
    competition for funds (M9; 000:185, 004:388). Clipped to [0.02, 0.98]
    so no pair is certain.
    """
    p = (
        base
        + alignment_effect * (alignment - 0.5)
        + reciprocity_effect * (reciprocity - 0.5)
        - power_effect * power_gap * (1.0 - power_damping * orientation)
        - competition_effect * competition
    )
    return min(0.98, max(0.02, p))


# ---------------------------------------------------------------- meeting (M4, M7)


def attendance_probability(
    capacity: float,
    n_memberships: int,
    meeting_hours: float,
    coordinator_present: bool,
    coordinator_boost: float,
) -> float:
    """Chance that a member attends this month's meeting.

    Capacity is spread over all the member's partnerships: overlapping
    memberships overload the few active people (M7; 003:428, 003:710), and
    without protected time attendance falls (003:466-468). A coordinator
    chases attendance (M4; 002:364, 003:538).
    """
    share = capacity / max(1, n_memberships) / meeting_hours
    p = min(1.0, share) + coordinator_boost * coordinator_present
    return min(1.0, max(0.0, p))


def commitment_attendance(commitment: float, committed_level: float) -> float:
    """How far commitment lets a member turn up, in [0, 1].

    Members at or above ``committed_level`` come whenever their capacity
    allows; below it attendance falls in proportion, on the way to being a
    partner on paper (004:122; 003:466-468).
    """
    if committed_level <= 0:
        return 1.0
    return min(1.0, commitment / committed_level)


def is_quorate(n_attending: int, n_active: int, quorum_share: float) -> bool:
    """Whether a meeting is quorate: at least two people and ``quorum_share`` of the active members.

    A steering group whose meetings dwindle to two people disbands
    (003:1448).
    """
    return n_attending >= 2 and n_attending >= quorum_share * n_active


def joining_probability(capacity: float, n_memberships: int, meeting_hours: float) -> float:
    """Chance an organisation asked to join an open partnership says yes.

    It joins if it has the time for one more membership (M7; 003:428,
    002:336): capacity over ``meeting_hours`` per membership, capped at 1.
    Busy statutory staff say no more often (004:458).
    """
    return min(1.0, capacity / (meeting_hours * (n_memberships + 1)))


def contributed_hours(capacity: float, n_memberships: int, meeting_hours: float) -> float:
    """Hours a member gives one partnership this month (at most ``meeting_hours``).

    Capacity is the most reported factor (002:336-346) and is split over
    memberships (003:428).
    """
    return min(meeting_hours, capacity / max(1, n_memberships))


def vcse_capacity_factor(is_vcse: bool, funded: bool, unfunded_share: float) -> float:
    """Share of a member's partnership time it can give.

    Small VCSE groups cannot justify partnership time without external
    funding (002:605), so without a grant they give only ``unfunded_share``.
    """
    if is_vcse and not funded:
        return unfunded_share
    return 1.0


# ---------------------------------------------------------------- delivery (M11)


def complementarity(n_kinds: int) -> float:
    """Complementarity of a membership: share of the three kinds present.

    Cross-sector partnerships combine budgets, reach and governance
    know-how (001:223-224, 001:372, 004:270).
    """
    return n_kinds / 3.0


def synergy(
    mean_trust: float,
    complementarity: float,
    coordinator_present: bool,
    trust_weight: float,
    coordinator_weight: float,
) -> float:
    """Synergy, achieving more together than alone, in [0, 1].

    Rises with trust, with complementarity of member kinds and with a
    coordinator (M11; 000:151, 002:364, 002:1054). Complementarity takes
    the weight left by the other two; the sum of the two weights is capped
    at 1 so synergy stays in [0, 1].
    """
    tw = min(1.0, trust_weight)
    cw = min(1.0 - tw, coordinator_weight)
    return tw * mean_trust + (1.0 - tw - cw) * complementarity + cw * coordinator_present


def maturity_after_month(maturity: float, orientation: float, rate: float) -> float:
    """Shared capacity built by working together, in [0, 1].

    Communicative partnerships co-evolve and build capacity as they mature
    (000:108, 000:143); Newport took five years (001:199). Grows by
    ``rate * orientation`` of the remaining gap each month.
    """
    return maturity + rate * orientation * (1.0 - maturity)


def orientation_output_factor(
    orientation: float, age: int, maturity: float, strategic_boost: float, decay_months: float
) -> float:
    """Multiplier of output from the partnership's orientation and age.

    Strategic working gets short-term results through targets, which fade
    (000:110, 000:143); communicative working grows its capacity over time
    (000:108). Stylised fact 4.
    """
    early = strategic_boost * (1.0 - orientation) * math.exp(-age / decay_months)
    return (1.0 + early) * (1.0 + maturity)


def agreement_factor(n_members: int, founding_size: int, cost: float) -> float:
    """Slowing of decisions as an open partnership grows.

    Open partnerships hear more of the community but decide more slowly
    (002:372-378, 002:413-419). Each member above the founding size adds
    ``cost`` to the time to agree.
    """
    return 1.0 / (1.0 + cost * max(0, n_members - founding_size))


def effectiveness_after_month(
    effectiveness: float, output_per_member: float, reference: float, rate: float
) -> float:
    """Perceived effectiveness, a moving average of output per member.

    Perceived success and sustainability, not only KPIs (000:217). Output
    per member against ``reference`` is squashed to [0, 1) by ``x/(1+x)``
    and averaged with weight ``rate`` (0.2 is about a five-month memory).
    """
    x = output_per_member / reference
    return (1.0 - rate) * effectiveness + rate * (x / (1.0 + x))


# ---------------------------------------------------------------- evaluation (M5, M6, M11)


def flexible_money_equality(flexibility: float, equality: float) -> float:
    """Share of the funder-fundee power dynamics that flexible money removes, in [0, 1].

    Funding tied to neither statutory nor VCSE agendas lets partners work
    without the power dynamics usual between them, so partnerships are more
    equal (002:615). Fully flexible money (``flexibility`` 1)
    removes a share ``equality`` of power's hold over voice and over the
    tone of meetings; fixed, target-tied money (0) removes none.
    """
    return equality * flexibility


def voice_orientation(orientation: float, equalised: float) -> float:
    """How equally voice is shared: the partnership's rules, then flexible money.

    Communicative rules share voice equally (000:108, 004:310); of the rest,
    which follows power, a share ``equalised`` (from
    :func:`flexible_money_equality`) is shared equally too (002:615).
    """
    return orientation + (1.0 - orientation) * equalised


def voice_shares(powers: Sequence[float], orientation: float) -> list[float]:
    """Each member's share of voice in decisions.

    Under strategic rules voice follows money and power: statutory agendas
    dominate (003:343, 004:288-294, 000:169-171). Under communicative rules
    voice is near equal (000:108, 004:310). A mix by ``orientation``.
    """
    n = len(powers)
    if n == 0:
        return []
    total = sum(powers)
    equal = 1.0 / n
    if total <= 0:
        return [equal] * n
    return [(1.0 - orientation) * p / total + orientation * equal for p in powers]


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values (0 = equal)."""
    n = len(values)
    if n == 0:
        return 0.0
    total = sum(values)
    if total <= 0:
        return 0.0
    xs = sorted(values)
    cum = sum((i + 1) * x for i, x in enumerate(xs))
    return (2.0 * cum) / (n * total) - (n + 1.0) / n


def reciprocity(contributions: Sequence[float]) -> float:
    """Balance of contributions: ``1 - gini(contributions)``.

    Breakdown is likelier when partners do not contribute equally (M6;
    004:396).
    """
    return 1.0 - gini(contributions)


def member_reciprocity(voice_share: float, contribution_share: float) -> float:
    """What a member gets back for what it gives: voice share over contribution share.

    Shallow ties without reciprocity drain the partner being asked (M6;
    004:252), and breakdown is likelier when partners do not contribute
    equally (004:396). A member who gives nothing this month is not
    drained (1.0). Capped at 1.
    """
    if contribution_share <= 0:
        return 1.0
    return min(1.0, voice_share / contribution_share)


def satisfaction_target(
    voice_share: float,
    n_members: int,
    reciprocity: float,
    effectiveness: float,
    trust: float,
    weights: tuple[float, float, float, float],
    silencing: float,
) -> float:
    """The satisfaction a member would reach if this month went on for ever.

    A weighted mean (``weights`` normalised to sum to 1) of voice,
    reciprocity (004:396, 004:252), perceived output (000:217) and trust
    (000:185). At least an equal share of voice counts as full voice; below
    it, each share lost costs ``silencing`` times as much, since power gaps
    silence weaker partners and fear lowers psychological safety (M5;
    000:169, 002:497, 003:343).
    """
    voice = max(0.0, 1.0 - silencing * max(0.0, 1.0 - voice_share * n_members))
    total = sum(weights)
    if total <= 0:
        return 0.0
    wv, wr, wo, wt = weights
    return (wv * voice + wr * reciprocity + wo * effectiveness + wt * trust) / total


def membership_cost(n_members: int, size_cost: float) -> float:
    """Commitment cost of the number of partners.

    The more partners, the more complex the partnership and the weaker the
    commitment (001:357, 002:413; stylised fact 8).
    """
    return size_cost * max(0, n_members - 2)


def commitment_after_month(
    commitment: float, satisfaction: float, benefit: float, cost: float, rate: float
) -> float:
    """Commitment as a moving average of satisfaction plus benefit minus cost.

    Commitment is a sense of duty built over time (000:203); it follows
    satisfaction slowly (``rate`` 0.1, about a ten-month memory). Clipped
    to [0, 1].
    """
    target = satisfaction + benefit - cost
    c = commitment + rate * (target - commitment)
    return min(1.0, max(0.0, c))


def member_status(commitment: float, is_paper: bool, paper_threshold: float, exit_threshold: float) -> str:
    """``active``, ``paper`` or ``leave`` for a member this month.

    With low commitment a member first becomes a partner on paper, then
    leaves (004:122). A paper partner whose commitment recovers becomes
    active again.
    """
    if commitment < exit_threshold and is_paper:
        return "leave"
    if commitment < paper_threshold:
        return "paper"
    return "active"


# ---------------------------------------------------------------- dissolution (M12)


def programme_loss(orientation: float, dependence: float) -> float:
    """Monthly commitment cost of carrying on after the programme's money ended.

    Strategic relationships are short and programme-specific (000:106) and
    rarely outlive their grant, while communicative ones more often do
    (000:143): the cost is ``dependence * (1 - orientation)``.
    """
    return dependence * (1.0 - orientation)


def carries_on(commitments: Sequence[float], threshold: float, quorum: float, momentum: float = 0.0) -> bool:
    """Whether a partnership carries on after its funding ends.

    Members whose commitment (plus ``momentum`` when a coordinator stays,
    002:999, 002:1054) is at least ``threshold`` carry on; at least two of
    them and a share ``quorum`` are needed. Communicative, high-trust
    partnerships more often outlive their grant (000:143, 002:1009).
    """
    willing = sum(1 for c in commitments if c + momentum >= threshold)
    n = len(commitments)
    return n > 0 and willing >= 2 and willing >= quorum * n


def dissolution_cause(
    n_active: int,
    cross_sector: bool,
    has_statutory: bool,
    mean_commitment: float,
    collapse_threshold: float,
    unfunded_too_few_carry_on: bool,
    months_without_quorum: int = 0,
    inactive_months: int = 0,
) -> str | None:
    """The reason a partnership dissolves this month, or ``None``.

    Checked in this order: fewer than two active members; a cross-sector
    partnership that lost its last statutory member (after changes of key
    personnel, one multi-agency project came to rest with a single agency,
    003:1393: it is no longer a cross-sector partnership); commitment collapse; no quorate meeting for
    ``inactive_months`` months in a row (a steering group that met three
    times, then with two people, then disbanded, 003:1448; 0 turns this
    off); funding ended and too few carry it on (002:999).
    """
    if n_active < 2:
        return "too_few_members"
    if cross_sector and not has_statutory:
        return "lost_statutory"
    if mean_commitment < collapse_threshold:
        return "commitment_collapse"
    if inactive_months > 0 and months_without_quorum >= inactive_months:
        return "stopped_meeting"
    if unfunded_too_few_carry_on:
        return "funding_ended"
    return None


# ---------------------------------------------------------------- environment (M13)


def annual_to_monthly_probability(annual: float) -> float:
    """Monthly chance of an event with a yearly chance ``annual``."""
    return monthly_hazard(annual)


def shock_capacity(
    capacity: float, kind: str, severity: float, vcse_multiplier: float, charity_multiplier: float
) -> float:
    """Capacity after a statutory budget shock.

    Statutory capacity falls by ``severity`` (002:354, 001:66-67). The cut
    flows on to VCSE partners harder, by ``vcse_multiplier``, since they
    have no reserves (001:350, 003:254; stylised fact 11); large charities
    can invest from reserves and absorb part of it, by
    ``charity_multiplier`` (001:223).
    """
    factor = {"statutory": 1.0, "large_charity": charity_multiplier, "vcse": vcse_multiplier}[kind]
    return capacity * max(0.0, 1.0 - severity * factor)


def capacity_recovery(capacity: float, base: float, rate: float) -> float:
    """Capacity recovers a step ``rate`` towards its base each month.

    Restructuring and financial pressure set partnership working back
    (001:66-67, 001:294); no report says how fast capacity returns, so it
    recovers a share ``rate`` of the gap each month.
    """
    return capacity + rate * (base - capacity)

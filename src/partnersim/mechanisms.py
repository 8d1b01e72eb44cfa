"""The mechanisms of partnersim, as small pure functions.

Each function takes plain values and returns plain values, so it can be
tested on its own. Each docstring cites the evidence (``SEED:LINE`` in the
field reports) and names the mechanism (M1..M14) or stylised fact of
``docs/ODD.md``. The stages in :mod:`partnersim.stages` only wire them
together. No function here adds to an outcome because a lever is on: a
coordinator, a formal agreement, flexible money or an orientation acts only
through the hours, meetings, trust, capacity and rules these functions
describe.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: a float, or a NumPy array of them: mechanisms written with plain arithmetic take either
#: and give, element by element, what the scalar call gives
type Real = float | np.ndarray

# ---------------------------------------------------------------- funding (M3, M12)


def renewal_chance(base: float, evidence: float, typical: float, evidence_weight: float) -> float:
    """Chance that a funder renews (or progresses) a grant on the record it is shown.

    Funders ask for evidence of outputs to secure future funding (002:681).
    ``evidence`` in [0, 1] is the grant's record and ``typical`` the mean
    record of the grants the funder has paid for: a typical record gets the
    funder's ``base`` rate, and each unit above or below moves the chance
    by ``evidence_weight``. Clipped to [0, 1].
    """
    return min(1.0, max(0.0, base + evidence_weight * (evidence - typical)))


def grant_record(effectiveness: float, trust: float) -> float:
    """One month's record for the funder: outputs and working relationships, in [0, 1].

    The funder reads evidence of outputs (002:681). That it also reads the
    working relationships, which take time to develop (004:504), is a
    modelling choice. An equal mix of perceived effectiveness and mean
    trust.
    """
    return 0.5 * (effectiveness + trust)


def bid_written(hours: float, n_active: int, unit: float) -> bool:
    """Whether the hours at hand cover evidencing the record and writing a bid.

    Evidencing value for money takes work (002:681), and short-term
    funding makes people spend their time seeking funding (003:845). A bid
    takes ``unit`` hours for each active member whose work it reports.
    """
    return n_active > 0 and hours >= unit * n_active


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
    """Leaving hazard of one person this month.

    ``base_hazard`` is :func:`monthly_hazard` of the annual
    ``staff_turnover``. Posts paid by a grant that ends within ``window``
    months carry a hazard ``(1 + boost)`` times higher: short funding cycles
    block long contracts and staff look for their next post (004:474,
    003:845; stylised fact 12). Capped at 1.
    """
    # months_to_grant_end is 0 in the grant's last paid month: the window is its last `window` months
    if grant_paid and 0 <= months_to_grant_end < window:
        return min(1.0, base_hazard * (1.0 + boost))
    return base_hazard


def witnessed_share(coordinator_tenure: int, rep_tenure: int) -> float:
    """Share of a leaver's relationships a coordinator saw built, in [0, 1].

    A coordinator keeps relationships up (003:536); that they can carry
    over only those they were there for (their months in post over the
    leaver's) is a modelling choice. A coordinator new to the post carries
    nothing.
    """
    if rep_tenure <= 0:
        return 1.0 if coordinator_tenure > 0 else 0.0
    return min(1.0, coordinator_tenure / rep_tenure)


def handover_share(
    written: bool, carried: float, agreement_handover: float, coordinator_handover: float
) -> float:
    """Share of a leaver's personal trust that their successor keeps.

    Roles written down in a formal agreement limit the disruption of staff
    changes (004:416); a coordinator who spends their time keeping
    relationships up (003:536) carries over the share ``carried`` of them
    that they witnessed and had hours to hand over. The two add, capped at
    1. Without either, the relationship is rebuilt from scratch (002:517).
    """
    return min(1.0, agreement_handover * written + coordinator_handover * carried)


def founding_commitment(mean: float, spread: float, draw: float) -> float:
    """Commitment a founding member brings, in [0, 1].

    Not every founder means it: some partners were written into the bid but
    took little to no part (004:122), and a service failed whose key local
    authority director had not signed off on the bid (001:253). Founders'
    commitment scatters around ``mean`` with standard deviation ``spread``
    (``draw`` is a standard normal deviate).
    """
    return min(1.0, max(0.0, mean + spread * draw))


def newcomer_commitment(commitment: float, hit: float, handover: float) -> float:
    """Commitment of a member whose representative has just been replaced.

    Each newcomer reinterprets the partnership (004:470), and partnerships
    end with the loss of the relevant staff (004:468): the member's
    commitment drops by ``hit``, softened by the share handed over.
    """
    return max(0.0, commitment - hit * (1.0 - handover))


def successor_trust(old_trust: float, initial_trust: float, share: float) -> float:
    """Personal trust a successor starts with towards one partner.

    The successor starts as a stranger (``initial_trust``) and keeps
    ``share`` of the difference the leaver had built, up or down (004:416,
    004:470).
    """
    return initial_trust + share * (old_trust - initial_trust)


# ---------------------------------------------------------------- trust (M1)


def trust_after_interaction(trust: float, positive: bool, gain: float, loss: float) -> float:
    """Personal trust after one interaction.

    Trust develops through repeated interactions (001:97, 003:440-442): a
    positive one moves it a step ``gain`` towards 1, a negative one removes
    a share ``loss``. No report says how fast trust is lost, so ``loss`` is
    a named modelling choice; an old incident can keep people apart for
    years (003:628). The result stays in [0, 1].
    """
    if positive:
        return trust + gain * (1.0 - trust)
    return trust - loss * trust


def effective_trust(personal: float, institutional: float, personal_weight: float) -> float:
    """Trust one member places in another: a mix of the two layers.

    Trust lives largely in people (002:517, 004:468), so the personal layer
    has weight ``personal_weight``; the institutional layer is the track
    record between organisations that survives a change of person
    (002:1009).
    """
    return personal_weight * personal + (1.0 - personal_weight) * institutional


def institutional_after_meeting(institutional: float, personal: float, rate: float) -> float:
    """Institutional trust moves a step ``rate`` towards personal trust.

    Relationships between organisations are kept by structure (002:1009).
    That good and bad experiences alike enter the track record, and so
    outlast the people, is a modelling choice.
    """
    return institutional + rate * (personal - institutional)


def alignment(values_a: float, values_b: Real) -> Real:
    """Alignment of two positions on the mission scale: 1 minus their distance.

    ``values_b`` may be an array of candidates (formation weighs a whole
    local system at once).

    Shared goals and values are the foundation of a partnership (001:90);
    a shared goal is a core aspect of sustaining trust (004:342).
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

    Scarcity times how strategic the partnership is: strategic working
    increases competition between partners (000:110); scarce resources
    make partners hold on to them (004:388). The cycle of short-term
    contracts heightens funding pressure and competition (002:681): a share
    ``short_grant_weight`` scales with how short the grant is. Flexible
    funders who stop demanding traditional evidence (002:683) take the
    evidencing cycle, and so that pressure, away in proportion.
    """
    # 12 months is the typical short grant the reports compare against (002:701)
    shortness = min(1.0, 12.0 / max(1, funding_length))
    pressure = scarcity * (1.0 - orientation) * ((1.0 - short_grant_weight) + short_grant_weight * shortness)
    return min(1.0, max(0.0, pressure * (1.0 - flexibility)))


def positive_interaction_probability(
    alignment: float,
    trust: float,
    power_gap: float,
    orientation: float,
    competition: float,
    base: float,
    alignment_effect: float,
    trust_effect: float,
    power_effect: float,
    competition_effect: float,
    power_damping: float,
) -> float:
    """Chance that an interaction between two attending members is positive.

    Rises with alignment (M8; 001:90, 004:342) and with the trust the pair
    already has: trust rests on repeated interactions in which partners
    show their values (001:97), so it feeds itself (the trust loop). Falls
    with the power gap (000:169, 003:343), less so the more communicative
    the partnership: naming the imbalance reduces it (000:189) by up to
    ``power_damping``. Falls with competition for funds (M9; 000:110,
    004:388). Clipped to [0.02, 0.98] so no pair is certain.
    """
    p = (
        base
        + alignment_effect * (alignment - 0.5)
        + trust_effect * (trust - 0.5)
        - power_effect * power_gap * (1.0 - power_damping * orientation)
        - competition_effect * competition
    )
    return min(0.98, max(0.02, p))


# ---------------------------------------------------------------- meeting (M4, M7)


def willingness(commitment: float, trust: float, trust_weight: float) -> float:
    """How willing a member is to turn up, stay and carry on, in [0, 1].

    A partner's sense of duty (000:203) and its trust in the others: trust
    that partners respond constructively is a criterion for entering a
    partnership (001:97). A mix with weight ``trust_weight`` on trust.
    """
    return (1.0 - trust_weight) * commitment + trust_weight * trust


def partnership_time(capacity: float, n_memberships: int, factor: float = 1.0) -> float:
    """Hours a month an organisation has for one of its partnerships.

    Capacity is the most reported factor (002:336) and is spread over all
    the organisation's partnerships: overlapping memberships overload the
    few active people (003:428). ``factor`` is
    :func:`vcse_capacity_factor`.
    """
    return capacity / max(1, n_memberships) * factor


def attendance_probability(time: float, meeting_hours: float, willing: float, engaged: float) -> float:
    """Chance that a member attends this month's meeting.

    Without the hours (``time`` from :func:`partnership_time`) against the
    ``meeting_hours`` a meeting takes, competing demands make attendance
    inconsistent (003:466). Members at least as willing as ``engaged`` (the
    paper-partner line) come whenever their time allows; below it
    attendance falls in proportion, on the way to being a partner on paper
    (004:122).
    """
    share = min(1.0, time / meeting_hours)
    keen = 1.0 if engaged <= 0 else min(1.0, willing / engaged)
    return share * keen


def chased_attendance(probability: float) -> float:
    """Attendance of a member a coordinator chases: a second chance to come.

    Chasing others to deliver on their commitments is part of the job
    (003:538), and getting people around a table is much of it (003:536).
    A chased member who would have missed gets one more try with the same
    chance.
    """
    return probability + (1.0 - probability) * probability


def spare_hours(time: float, meeting_hours: float) -> float:
    """Hours a member has for this partnership beyond taking part in its meeting.

    Partnership work that is not given dedicated hours competes with the
    current workload (004:448, 003:466).
    """
    return max(0.0, time - meeting_hours)


def is_quorate(n_attending: int, n_members: int, quorum_share: float) -> bool:
    """Whether a meeting is quorate: at least two people and ``quorum_share`` of the members.

    A steering group whose meetings dwindle to two people disbands
    (003:1448). The share is of everyone on the roll, partners on paper
    included (a modelling choice: partners on paper were written into the
    bid but take little to no part, 004:122), so a group where most are on
    paper cannot muster a quorum.
    """
    return n_attending >= 2 and n_attending >= quorum_share * n_members


def joining_probability(capacity: float, n_memberships: int, meeting_hours: float) -> float:
    """Chance an organisation asked to join an open partnership says yes.

    It joins if it has the time for one more membership (M7; 003:428,
    002:336): capacity over ``meeting_hours`` per membership, capped at 1.
    """
    return min(1.0, capacity / (meeting_hours * (n_memberships + 1)))


def contributed_hours(time: float, meeting_hours: float) -> float:
    """Hours an attending member gives one partnership this month (at most ``meeting_hours``).

    What it has for this partnership (:func:`partnership_time`, 002:336,
    003:428), up to what the work takes.
    """
    return min(meeting_hours, time)


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

    Synergy is accomplishing more than could be achieved by acting
    independently (000:151): cross-sector partners bring different things.
    """
    return n_kinds / 3.0


def synergy(mean_trust: float, complementarity: float, trust_weight: float) -> float:
    """Synergy, achieving more together than alone, in [0, 1].

    Joint work rests on trust between the people (003:440) and on what
    different partners bring (000:151). Weight ``trust_weight`` on trust,
    the rest on complementarity.
    """
    tw = min(1.0, max(0.0, trust_weight))
    return tw * mean_trust + (1.0 - tw) * complementarity


def maturity_after_month(maturity: float, orientation: float, worked_together: bool, rate: float) -> float:
    """Shared capacity built by working together, in [0, 1].

    Communicative partnerships commit to co-evolution as they mature
    (000:108); Newport took five years to develop (001:199). In a month
    the partnership worked together (a quorate meeting) maturity grows by
    ``rate * orientation`` of the remaining gap.
    """
    if not worked_together:
        return maturity
    return maturity + rate * orientation * (1.0 - maturity)


def orientation_output_factor(
    orientation: float, age: int, maturity: float, strategic_boost: float, decay_months: float
) -> float:
    """Multiplier of output from the partnership's orientation and age.

    Strategic working is criterion-driven and responds to short-term
    targets (000:110) with a clear ability to produce short-term results
    (000:143); communicative working grows its capacity as it matures
    (000:108). Stylised fact 4.
    """
    early = strategic_boost * (1.0 - orientation) * math.exp(-age / decay_months)
    return (1.0 + early) * (1.0 + maturity)


def agreement_speed(n_active: int, mean_trust: float, cost: float) -> float:
    """How fast an active membership agrees, in (0, 1].

    Open, permeable membership makes decision-making less straightforward
    (002:378); closed groups have straightforward decisions (002:374). Each
    active member beyond two adds ``cost`` to the time to agree; that it
    does so in proportion to the distrust between them is a modelling
    choice.
    """
    return 1.0 / (1.0 + cost * max(0, n_active - 2) * (1.0 - mean_trust))


def effectiveness(output_per_member: float, reference: float) -> float:
    """Perceived effectiveness of this month's work, in [0, 1).

    Perceived success in producing a desired result (000:217): output per
    member against ``reference``, squashed by ``x/(1+x)``.
    """
    x = output_per_member / reference if reference > 0 else 0.0
    return x / (1.0 + x)


def plan_position(lead_values: float, voiced_values: float, orientation: float, flexibility: float) -> float:
    """Where the partnership's plan of work sits on the mission scale.

    Strategic goals are set top-down, usually by the partner who provides
    most money (000:106); communicative partners co-design the work
    (000:108). Flexible grants let the partnership adapt its plans as it
    learns instead of being held to the plan it drafted (002:664, 002:683):
    a share ``flexibility`` of the plan follows what the members voice now.
    ``voiced_values`` is the members' values weighted by voice.
    """
    drafted = (1.0 - orientation) * lead_values + orientation * voiced_values
    return (1.0 - flexibility) * drafted + flexibility * voiced_values


def orientation_after_month(orientation: float, mean_trust: float, drift: float) -> float:
    """A strategic structure drifts towards communicative working.

    Members who felt safe and committed to a shared aim moved away from
    the instrumental confines of a strategic partnership (000:124-137).
    Orientation moves a step ``drift`` towards the partnership's mean
    trust when trust is the higher; it never drifts back.
    """
    return orientation + drift * max(0.0, mean_trust - orientation)


# ---------------------------------------------------------------- evaluation (M5, M6, M11)


def voice_shares(powers: Sequence[float], participation: Sequence[float], orientation: float) -> list[float]:
    """Each member's share of voice in decisions.

    Under strategic rules voice follows money and power: goals come from the
    partner with most financial input (000:106) and those with more power
    dominate meetings (000:169, 003:343). Under communicative rules partners
    co-design (000:108), so voice follows taking part: the hours each gives.
    A mix by ``orientation``; neither rule makes voice equal by formula.
    """
    n = len(powers)
    if n == 0:
        return []
    equal = 1.0 / n
    tp, tq = sum(powers), sum(participation)
    strategic = 1.0 - orientation
    if tp > 0 and tq > 0:  # the usual case, in one pass
        return [
            strategic * (x / tp) + orientation * (y / tq) for x, y in zip(powers, participation, strict=True)
        ]
    by_power = [x / tp for x in powers] if tp > 0 else [equal] * n
    by_work = [x / tq for x in participation] if tq > 0 else [equal] * n
    return [strategic * a + orientation * b for a, b in zip(by_power, by_work, strict=True)]


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values (0 = equal)."""
    n = len(values)
    if n == 0:
        return 0.0
    total = sum(values)
    if total <= 0:
        return 0.0
    xs = sorted(values)
    cum = sum([(i + 1) * x for i, x in enumerate(xs)])
    return (2.0 * cum) / (n * total) - (n + 1.0) / n


def member_benefit(effectiveness: float, fit: float, taking_part: float) -> float:
    """What a member gets from the partnership this month, in [0, 1].

    The partnership's perceived success (000:217), as far as the plan fits
    the member's own mission (001:90), and as far as the member could take
    part: groups that cannot give the time cannot justify it (002:605), and
    the pull of their own agency's priorities shows in inconsistent
    attendance (003:466). ``taking_part`` is the share of the meeting hours
    it gave.
    """
    return effectiveness * fit * min(1.0, max(0.0, taking_part))


def member_reciprocity(voice_share: float, contribution_share: float) -> float:
    """What a member gets back for what it gives: voice share over contribution share.

    A "one-way street", where one partner gives more than they receive,
    breeds frustration (M6; 004:396). A member who gives nothing this month
    is not drained (1.0). Capped at 1.
    """
    if contribution_share <= 0:
        return 1.0
    return min(1.0, voice_share / contribution_share)


def satisfaction(
    voice_share: float,
    n_members: int,
    reciprocity: float,
    benefit: float,
    voice_weight: float,
    reciprocity_weight: float,
    silencing: float,
) -> float:
    """A member's satisfaction this month, in [0, 1].

    Fulfilment from how people work together and how plans are carried out
    (000:185): a weighted mean of voice, reciprocity (004:396) and the
    benefit the member sees (the partnership's effectiveness, 000:217,
    times how well the plan fits the member's mission). Output takes the
    weight the other two leave. At least an equal share of voice counts as
    full voice; below it, each share lost costs ``silencing`` times as much,
    since fear of losing funding lowers psychological safety (M5; 002:497).
    """
    voice = max(0.0, 1.0 - silencing * max(0.0, 1.0 - voice_share * n_members))
    wv = min(1.0, voice_weight)
    wr = min(1.0 - wv, reciprocity_weight)
    return wv * voice + wr * reciprocity + (1.0 - wv - wr) * benefit


def membership_cost(n_members: int, size_cost: float) -> float:
    """Commitment cost of the number of partners.

    The more partners, the more complex the partnership and the more
    likely a weakness in commitment (001:357; stylised fact 8).
    """
    return size_cost * max(0, n_members - 2)


def programme_loss(orientation: float, dependence: float) -> float:
    """Monthly commitment cost of carrying on after the programme's money ended.

    Strategic partnerships are short-term, programme-specific relationships
    (000:106): without the programme the reason to meet goes. The cost is
    ``dependence * (1 - orientation)``.
    """
    return dependence * (1.0 - orientation)


def commitment_after_month(commitment: float, satisfaction: float, cost: float, rate: float) -> float:
    """Commitment as a moving average of satisfaction minus cost.

    Commitment is a sense of responsibility or duty towards the partnership
    (000:203), built over time; it follows satisfaction slowly (``rate``).
    Clipped to [0, 1].
    """
    c = commitment + rate * (satisfaction - cost - commitment)
    return min(1.0, max(0.0, c))


def funding_end_commitment(commitment: float, hit: float) -> float:
    """Commitment after the money ends or stops for a gap.

    Uncertain funding shakes a partnership: "why should we commit to
    something ... is this still going to be here next year" (003:672).
    """
    return max(0.0, commitment - hit)


def member_status(willing: float, is_paper: bool, paper_threshold: float, exit_threshold: float) -> str:
    """``active``, ``paper`` or ``leave`` for a member this month.

    With low willingness a member first becomes a partner on paper, with
    little to no involvement (004:122), then leaves, as a partner may give
    notice while the contract runs (001:275). A paper partner whose
    willingness recovers becomes active again.
    """
    if willing < exit_threshold and is_paper:
        return "leave"
    if willing < paper_threshold:
        return "paper"
    return "active"


# ---------------------------------------------------------------- dissolution (M12)


def carries_on(willing: Sequence[float], threshold: float, quorum: float) -> bool:
    """Whether a partnership without money carries on.

    Without funding, partners question how the time on partnership working
    can be justified (002:999). Members at least ``threshold`` willing
    carry on; at least two of them and a share ``quorum`` are needed.
    """
    keen = sum(1 for w in willing if w >= threshold)
    n = len(willing)
    return n > 0 and keen >= 2 and keen >= quorum * n


#: what :func:`dissolution_cause` returns, in the order it checks them
DISSOLUTION_CAUSES = (
    "too_few_members",
    "lost_statutory",
    "commitment_collapse",
    "stopped_meeting",
    "funding_gap",
    "funding_ended",
)


def dissolution_cause(
    n_active: int,
    cross_sector: bool,
    statutory_active: bool,
    mean_commitment: float,
    collapse_threshold: float,
    months_without_quorum: int,
    inactive_months: int,
    unfunded: bool,
    carrying_on: bool,
    in_gap: bool,
) -> str | None:
    """The reason a partnership dissolves this month, or ``None``.

    Checked in this order: fewer than two active members; a cross-sector
    partnership with no active statutory member, because the last one left
    (after changes of key personnel a project came to rest with a single
    agency, 003:1393) or is only a partner on paper (a service whose key
    local authority staff lacked commitment and gave no support was not
    sustained even to the end of its funding, 001:249, 001:253, 001:256);
    commitment collapse (a modelling choice); no quorate meeting for
    ``inactive_months`` months in a row (a steering group that met three
    times, then with two people, then disbanded, 003:1448); without money,
    too few carry on, either in a gap before a renewal (no report
    describes gaps; uncertain funding shakes commitment, 003:672) or after
    the funding ended (002:999).
    """
    if n_active < 2:
        return "too_few_members"
    if cross_sector and not statutory_active:
        return "lost_statutory"
    if mean_commitment < collapse_threshold:
        return "commitment_collapse"
    if inactive_months > 0 and months_without_quorum >= inactive_months:
        return "stopped_meeting"
    if unfunded and not carrying_on:
        return "funding_gap" if in_gap else "funding_ended"
    return None


# ---------------------------------------------------------------- environment (M13)


def annual_to_monthly_probability(annual: float) -> float:
    """Monthly chance of an event with a yearly chance ``annual``."""
    return monthly_hazard(annual)


def shock_capacity(capacity: float, severity: float, reserve_months: float) -> float:
    """Capacity after a statutory budget shock.

    A statutory financial crisis limits statutory capacity and the resource
    available to voluntary partners (002:350); voluntary organisations are
    particularly exposed (001:350). An organisation absorbs part of the cut
    from its reserves: the share it cannot absorb is ``1 / (1 + reserve_months)``.
    """
    return capacity * max(0.0, 1.0 - severity / (1.0 + reserve_months))


def shock_commitment(commitment: float, hit: float, reserve_months: float) -> float:
    """A voluntary member's commitment after a statutory budget shock withdrew money from the voluntary sector.

    A statutory crisis "impacted available resource for voluntary partners"
    (002:350); the "withdrawal of funding for the voluntary sector had led to
    uncertainty regarding the Council's commitment" (002:354). Uncertain
    money shakes commitment as the end of a partnership's money does
    (003:672), so the drop is that of :func:`funding_end_commitment`, less
    what the organisation's reserves absorb: the share it cannot absorb is
    ``1 / (1 + reserve_months)``, as for capacity (:func:`shock_capacity`,
    001:350).
    """
    return funding_end_commitment(commitment, hit / (1.0 + reserve_months))


def capacity_recovery(capacity: float, base: float, rate: float) -> float:
    """Capacity recovers a step ``rate`` towards its base each month.

    No report says how fast capacity returns after a crisis (002:354), so
    it recovers a share ``rate`` of the gap each month.
    """
    return capacity + rate * (base - capacity)


# ---------------------------------------------------------------- money (cost of a policy)


def grant_payment(
    funded: bool, coordinator_post: bool, grant_amount: float, coordinator_cost: float
) -> float:
    """What the funder pays a partnership this month, thousand pounds.

    A funded month pays the grant, plus the coordinator post when the grant
    pays for one: HCT's grants of about £460k over 39-42 months paid for a
    dedicated coordinating post (002:261-268, 002:364). Gap months and
    months after the funding ends pay nothing. Money is an output here: no
    rule reads what was paid.
    """
    if not funded:
        return 0.0
    return grant_amount + (coordinator_cost if coordinator_post else 0.0)


# ---------------------------------------------------------------- formation (M8, M10)


def partner_choice_weight(resources: Real, alignment: Real, orientation: float) -> Real:
    """How strongly a partnership's lead wants an organisation as a founding partner.

    Strategic partnerships are drawn together for the resources each partner
    can offer (000:106); partners who share values are chosen for values
    (001:90). A mix by ``orientation`` of the candidate's resources (0-1)
    and its alignment with the lead; arrays of candidates give one weight each.
    """
    return (1.0 - orientation) * resources + orientation * alignment


# ---------------------------------------------------------------- coordinator (M4)


def relationship_share(hours_left: float, hours: float) -> float:
    """Share of a coordinator's month spent keeping relationships up.

    Every task a coordinator's hours pay for (organising a meeting, chasing
    a member, mediating, handing over a relationship, asking a recruit) is
    "getting people around a table and the links that are made" (003:536);
    the rest is left for evidence and bids (002:681). An output only: no
    rule reads it.
    """
    return (hours - hours_left) / hours if hours > 0 else 0.0


def coordinator_hours_left(hours: float, cost: float) -> tuple[bool, float]:
    """Spend ``cost`` of a coordinator's ``hours`` on one task if they suffice.

    A coordinator is a person with dedicated hours (004:448): each task
    (chasing a member, mediating a conflict, handing over a relationship)
    costs hours, and what the hours do not cover is not done.
    """
    if hours >= cost:
        return True, hours - cost
    return False, hours

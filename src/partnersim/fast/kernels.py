"""The monthly stages over arrays, compiled: the same rules, the same draws, in the same order.

Each function mirrors one function of :mod:`partnersim.stages` (named in
its docstring) term for term: the same floating-point operations in the
same order, the same random draws from the same streams (Python's
``random`` as :mod:`partnersim.fast.rng`, NumPy's generator passed in).
``min``/``max`` are written as Python evaluates them (:func:`pmin`,
:func:`pmax`) and ``sum`` of a float list as CPython 3.12 adds it
(:func:`pysum`, compensated), so a run gives bit-identical results on
either path; ``tests/test_fast.py`` checks that month by month. The
``prefetch_*`` functions mirror nothing: they only ask the cache for rows
ahead of large states' shuffled loops, and change no value.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from partnersim.fast.layout import (
    AGREEMENT_COST,
    AGREEMENT_HANDOVER,
    ALIGNMENT_EFFECT,
    AUSTERITY_MONTHLY,
    BASE_HAZARD,
    BASE_POSITIVE,
    BASE_SCARCITY,
    CAPACITY_RECOVERY,
    COMMITMENT_RATE,
    COMPETITION_EFFECT,
    COORDINATION_HOURS,
    COORDINATOR,
    COORDINATOR_COST,
    COORDINATOR_HANDOVER,
    COORDINATOR_HOURS,
    DEVELOPMENT_PASS,
    EFFECTIVENESS_REFERENCE,
    EVIDENCE_WEIGHT,
    EXIT_THRESHOLD,
    FUND_KIND,
    FUND_STATUTORY,
    FUND_VCSE,
    FUNDING_END_HIT,
    FUNDING_FLEXIBILITY,
    FUNDING_GAP,
    FUNDING_LENGTH,
    GRANT_AMOUNT,
    GRANT_END_BOOST,
    GRANT_END_WINDOW,
    INACTIVE_MONTHS,
    INITIAL_COMMITMENT,
    INITIAL_TRUST,
    MATURITY_RATE,
    MAX_MEMBERSHIPS,
    MEETING_HOURS,
    MI_DEPARTURES,
    MI_EXITS_LC,
    MI_JOIN_STAMP,
    MI_LIVE_MONTHS,
    MI_RECORDS_SEEN,
    MI_TIE_STAMP,
    MS_RECORD_TOTAL,
    MS_SCARCITY,
    MS_VCSE_SHARE_SUM,
    MS_VOICE_GINI_SUM,
    NETWORKING_CONTACTS,
    NETWORKING_RATE,
    NEWCOMER_HIT,
    OF_BASE_CAP,
    OF_CAP,
    OF_POWER,
    OF_POWER_BASE,
    OF_RESERVES,
    OF_VALUES,
    OI_HOLDS,
    OI_LOC,
    OI_NMEM,
    OI_RANK,
    OI_RECOVERING,
    OI_SYS,
    ORIENTATION_DRIFT,
    PAIR_INDEX,
    PAPER_THRESHOLD,
    PERSONAL_WEIGHT,
    POWER_DAMPING,
    POWER_EFFECT,
    POWER_FUND_WEIGHT,
    PROGRAMME_DEPENDENCE,
    QF_AGREE_SUM,
    QF_AGREEMENT,
    QF_CBUDGET,
    QF_CHOURS,
    QF_COMMIT_SUM,
    QF_COORD_PAID,
    QF_EFF,
    QF_GRANTS_PAID,
    QF_LEAD,
    QF_LEARN,
    QF_MATURITY,
    QF_MCOMMIT,
    QF_MSAT,
    QF_MTRUST,
    QF_ORIENT,
    QF_OUTPUT,
    QF_OUTPUT_TOTAL,
    QF_PLAN,
    QF_RECORD_SUM,
    QF_SYNERGY,
    QF_TRUST_SUM,
    QF_VGINI,
    QI_AGE,
    QI_ALIVE,
    QI_CAUSE,
    QI_CMAIN,
    QI_CPOST,
    QI_CROSS,
    QI_CTENURE,
    QI_CVACANT,
    QI_DECISION_AT,
    QI_DEVELOPMENT,
    QI_DISSOLVED_AT,
    QI_ENDED_AT,
    QI_FORMAL,
    QI_FUNDED,
    QI_GAP_UNTIL,
    QI_GEND,
    QI_GSTART,
    QI_HISTORY,
    QI_HOLDER,
    QI_MATURED_AT,
    QI_MEMBERS_AT_END,
    QI_MET,
    QI_MONTHS,
    QI_MWQ,
    QI_NM,
    QI_OPEN,
    QI_QUORATE,
    QI_RECORD_MONTHS,
    QI_STARTED_AT,
    QUORUM_SHARE,
    R_ACTIVE_MEMBERS,
    R_ACTIVE_PARTNERSHIPS,
    R_MEAN_COMMITMENT,
    R_OUTPUT,
    R_PAIRS,
    R_PAPER_MEMBERS,
    R_SCARCITY,
    R_STAFF_DEPARTURES,
    R_TRUST_ACROSS,
    R_TRUST_ALL,
    R_TRUST_PAIR,
    R_TRUST_WITHIN,
    R_VCSE_EXITS,
    R_VCSE_SATISFACTION,
    R_VCSE_SHARE,
    R_VOICE_GINI,
    RANK_LC,
    RANK_STAT,
    RANK_VCSE,
    RECIPROCITY_WEIGHT,
    RECRUITMENT_RATE,
    RENEWAL_PROBABILITY,
    SF_COMMIT,
    SF_CONTRIB,
    SF_MTRUST,
    SF_SATIS,
    SF_WILLING,
    SHOCK_SEVERITY,
    SHORT_GRANT_WEIGHT,
    SI_CAME,
    SI_HAS_MTRUST,
    SI_IN_ORG,
    SI_JOINED,
    SI_ORG,
    SI_PAPER,
    SI_PRESENT,
    SI_TENURE,
    SI_VACANT,
    SILENCING,
    SIZE_COST,
    STRATEGIC_BOOST,
    STRATEGIC_DECAY,
    SYNERGY_TRUST_WEIGHT,
    TRUST_EFFECT,
    TRUST_GAIN,
    TRUST_LOSS,
    VACANCY_MONTHS,
    VCSE_UNFUNDED,
    VOICE_WEIGHT,
    W_ALIVE,
    W_COORDINATOR_BUDGET,
    W_COORDINATOR_HOURS,
    W_COORDINATOR_PRESENT,
    W_GRANT_END,
    W_MATURITY,
    WILLINGNESS_TRUST_WEIGHT,
)
from partnersim.fast.memory import prefetch, prefetch_span
from partnersim.fast.rng import below, random01

#: a matured partnership's share of its ceiling (partnersim.stages.delivery.MATURE)
MATURE = 0.8

#: how many visits ahead a loop over partnerships asks the cache for what a visit reads (see
#: prefetch_ahead): a partnership's own rows first, then its members' rows (whose numbers its rows
#: hold), then the trust its member pairs read (whose places the members' rows hold). Far enough
#: ahead for memory to answer (~0.1 us) while the visits between run; near enough that the lines
#: are still in cache. 6, 3, 2 and 10, 5, 3 read the same at 30,000 organisations.
AHEAD_ROWS, AHEAD_MEMBERS, AHEAD_TIES = 6, 3, 2

# ---------------------------------------------------------------- Python's arithmetic


@njit(cache=True)
def pmin(a: float, b: float) -> float:
    """Python's ``min(a, b)``: the first unless the second is smaller."""
    return b if b < a else a


@njit(cache=True)
def pmax(a: float, b: float) -> float:
    """Python's ``max(a, b)``: the first unless the second is larger."""
    return b if b > a else a


@njit(cache=True)
def pysum(x: np.ndarray, n: int) -> float:
    """CPython 3.12's ``sum`` of the first ``n`` floats: ``0 + x[0]``, then Neumaier's compensated sum."""
    if n == 0:
        return 0.0
    f = 0.0 + x[0]
    c = 0.0
    for i in range(1, n):
        v = x[i]
        t = f + v
        if abs(f) >= abs(v):
            c += (f - t) + v
        else:
            c += (v - t) + f
        f = t
    if c != 0.0 and math.isfinite(c):
        f += c
    return f


# ---------------------------------------------------------------- small reads


@njit(cache=True)
def coord_present(QI, q, now):
    """Coordinator.present: the post exists and is filled."""
    return QI[q, QI_CPOST] == 1 and QI[q, QI_CVACANT] <= now


@njit(cache=True)
def hours_left(QF, q, unit):
    """mechanisms.coordinator_hours_left on the partnership's coordinator: True if the task was done."""
    if QF[q, QF_CHOURS] >= unit:
        QF[q, QF_CHOURS] = QF[q, QF_CHOURS] - unit
        return True
    return False


@njit(cache=True)
def set_power(P, OF, OI, i):
    """Organisation.set_power, with the budget and authority terms summed once at packing."""
    OF[i, OF_POWER] = pmin(1.0, OF[i, OF_POWER_BASE] + P[POWER_FUND_WEIGHT] * min(1, OI[i, OI_HOLDS]))


@njit(cache=True)
def leaving_hazard(P, months_to_end, grant_paid):
    """mechanisms.monthly_leaving_hazard."""
    if grant_paid and 0 <= months_to_end < P[GRANT_END_WINDOW]:
        return pmin(1.0, P[BASE_HAZARD] * (1.0 + P[GRANT_END_BOOST]))
    return P[BASE_HAZARD]


@njit(cache=True)
def time_of(P, OF, OI, QI, q, i):
    """Partnership.time_of."""
    factor = 1.0
    if QI[q, QI_FUNDED] == 0 and OI[i, OI_RANK] == RANK_VCSE:
        factor = P[VCSE_UNFUNDED]
    return OF[i, OF_CAP] / max(1, OI[i, OI_NMEM]) * factor


# ---------------------------------------------------------------- roster


@njit(cache=True)
def release_funds(P, OF, OI, QI, q):
    """Partnership.release_funds."""
    h = QI[q, QI_HOLDER]
    if h >= 0:
        OI[h, OI_HOLDS] = max(0, OI[h, OI_HOLDS] - 1)
        set_power(P, OF, OI, h)
    QI[q, QI_HOLDER] = -1


@njit(cache=True)
def choose_fund_holder(P, OF, OI, QI, SI, q):
    """Partnership.choose_fund_holder."""
    kind = int(P[FUND_KIND])
    if kind == FUND_STATUTORY:
        wanted = (RANK_STAT, -1)
    elif kind == FUND_VCSE:
        wanted = (RANK_VCSE, RANK_LC)
    else:
        return
    for rank in wanted:
        if rank < 0:
            break
        for k in range(QI[q, QI_NM]):
            i = SI[q, k, SI_ORG]
            if OI[i, OI_RANK] == rank:
                QI[q, QI_HOLDER] = i
                OI[i, OI_HOLDS] += 1
                set_power(P, OF, OI, i)
                return


@njit(cache=True)
def remove_seat(P, OF, OI, QI, SF, SI, PT, q, k):
    """Partnership.remove_member: the seat goes and later seats move up, keeping roster order."""
    i = SI[q, k, SI_ORG]
    OI[i, OI_NMEM] -= 1
    n = QI[q, QI_NM]
    for j in range(k, n - 1):
        SF[q, j, :] = SF[q, j + 1, :]
        SI[q, j, :] = SI[q, j + 1, :]
        PT[q, j, :] = PT[q, j + 1, :]
    QI[q, QI_NM] = n - 1
    if QI[q, QI_HOLDER] == i:
        release_funds(P, OF, OI, QI, q)


@njit(cache=True)
def add_seat(MI, OI, QI, SF, SI, PT, q, i, commitment):
    """Partnership.add_member: a new representative with no personal trust."""
    k = QI[q, QI_NM]
    QI[q, QI_NM] = k + 1
    OI[i, OI_NMEM] += 1
    SI[q, k, :] = 0
    SI[q, k, SI_ORG] = i
    SI[q, k, SI_PRESENT] = 1
    SI[q, k, SI_VACANT] = -1
    SI[q, k, SI_IN_ORG] = 1
    SI[q, k, SI_JOINED] = MI[MI_JOIN_STAMP]
    MI[MI_JOIN_STAMP] += 1
    SF[q, k, SF_COMMIT] = commitment
    SF[q, k, SF_SATIS] = commitment
    SF[q, k, SF_CONTRIB] = 0.0
    SF[q, k, SF_WILLING] = commitment
    SF[q, k, SF_MTRUST] = 0.0
    PT[q, k, :] = np.nan


@njit(cache=True)
def n_active(QI, SI, q):
    n = 0
    for k in range(QI[q, QI_NM]):
        if SI[q, k, SI_PAPER] == 0:
            n += 1
    return n


@njit(cache=True)
def refresh_trust(P, OI, QF, QI, SF, SI, PT, IT, PS, PC, PO, q):
    """Partnership.refresh_trust: rows over active members in roster order, sums in the same order."""
    w, initial = P[PERSONAL_WEIGHT], P[INITIAL_TRUST]
    v = 1.0 - w
    nm = QI[q, QI_NM]
    kk = n_active(QI, SI, q) - 1
    for j in range(6):
        PS[q, j] = 0.0
        PC[q, j] = 0.0
        PO[q, j] = -1
    n_order = 0
    total = 0.0
    n = 0
    for ka in range(nm):
        if SI[q, ka, SI_PAPER]:
            continue
        a = SI[q, ka, SI_ORG]
        here = SI[q, ka, SI_PRESENT] == 1
        s_a, l_a, r_a = OI[a, OI_SYS], OI[a, OI_LOC], OI[a, OI_RANK]
        s = 0.0
        for kb in range(nm):
            if kb == ka or SI[q, kb, SI_PAPER]:
                continue
            b = SI[q, kb, SI_ORG]
            l_b = OI[b, OI_LOC]
            if here:
                pv = PT[q, ka, l_b]
                if pv != pv:
                    pv = initial
            else:
                pv = 0.0
            iv = IT[s_a, l_a, l_b]
            if iv != iv:
                iv = 0.0
            t = w * pv + v * iv
            s += t
            j = PAIR_INDEX[r_a, OI[b, OI_RANK]]
            if PC[q, j] == 0.0:
                PO[q, n_order] = j
                n_order += 1
            PS[q, j] += t
            PC[q, j] += 1.0
        SF[q, ka, SF_MTRUST] = s / kk if kk > 0 else 0.0
        SI[q, ka, SI_HAS_MTRUST] = 1
        total += s
        n += kk
    QF[q, QF_MTRUST] = total / n if n > 0 else 0.0


# ---------------------------------------------------------------- stage 1: funding


@njit(cache=True)
def environment(st, P, MS, QI, SF, SI, OF, OI):
    """funding.environment: capacity recovers; a budget shock may strike."""
    rate = P[CAPACITY_RECOVERY]
    n_orgs = OF.shape[0]
    for i in range(n_orgs):
        if OI[i, OI_RECOVERING]:
            cap = OF[i, OF_CAP] + rate * (OF[i, OF_BASE_CAP] - OF[i, OF_CAP])
            OF[i, OF_CAP] = cap
            if OF[i, OF_BASE_CAP] - cap < 1e-3:
                OF[i, OF_CAP] = OF[i, OF_BASE_CAP]
                OI[i, OI_RECOVERING] = 0
    MS[MS_SCARCITY] = MS[MS_SCARCITY] + rate * (P[BASE_SCARCITY] - MS[MS_SCARCITY])
    if random01(st) < P[AUSTERITY_MONTHLY]:
        severity = P[SHOCK_SEVERITY]
        for i in range(n_orgs):
            OF[i, OF_CAP] = OF[i, OF_CAP] * pmax(0.0, 1.0 - severity / (1.0 + OF[i, OF_RESERVES]))
            OI[i, OI_RECOVERING] = 1
        MS[MS_SCARCITY] = pmin(1.0, MS[MS_SCARCITY] + severity)
        hit = P[FUNDING_END_HIT]
        for q in range(QI.shape[0]):
            if not QI[q, QI_ALIVE]:
                continue
            for k in range(QI[q, QI_NM]):
                i = SI[q, k, SI_ORG]
                if OI[i, OI_RANK] != RANK_STAT:
                    SF[q, k, SF_COMMIT] = pmax(0.0, SF[q, k, SF_COMMIT] - hit / (1.0 + OF[i, OF_RESERVES]))


@njit(cache=True)
def restart_grant(P, QI, QF, q, now):
    """Grant.restart."""
    QI[q, QI_FUNDED] = 1
    QI[q, QI_GSTART] = now
    QI[q, QI_GEND] = now + int(P[FUNDING_LENGTH]) - 1
    QI[q, QI_DECISION_AT] = QI[q, QI_GEND]
    QI[q, QI_DEVELOPMENT] = 0
    QI[q, QI_GAP_UNTIL] = -1
    QF[q, QF_RECORD_SUM] = 0.0
    QI[q, QI_RECORD_MONTHS] = 0


@njit(cache=True)
def end_funding(P, OF, OI, QI, SF, q, for_good):
    """funding.end_funding."""
    QI[q, QI_FUNDED] = 0
    if for_good:
        QI[q, QI_ENDED_AT] = QI[q, QI_GEND]
    release_funds(P, OF, OI, QI, q)
    if QI[q, QI_CPOST] == 1 and QI[q, QI_CMAIN] == 0:
        QI[q, QI_CPOST] = 0
    hit = P[FUNDING_END_HIT]
    for k in range(QI[q, QI_NM]):
        SF[q, k, SF_COMMIT] = pmax(0.0, SF[q, k, SF_COMMIT] - hit)


@njit(cache=True)
def bid_written(P, OF, OI, QF, QI, SF, SI, q, now):
    """funding.bid_written."""
    hours = QF[q, QF_CHOURS] if coord_present(QI, q, now) else 0.0
    mh = P[MEETING_HOURS]
    na = 0
    for k in range(QI[q, QI_NM]):
        if SI[q, k, SI_PAPER]:
            continue
        na += 1
        if SI[q, k, SI_PRESENT]:
            spare = pmax(0.0, time_of(P, OF, OI, QI, q, SI[q, k, SI_ORG]) - mh)
            hours += spare * SF[q, k, SF_WILLING]
    return na > 0 and hours >= P[COORDINATION_HOURS] * na


@njit(cache=True)
def decide(st, P, MS, MI, OF, OI, QF, QI, SF, SI, q, now):
    """funding.decide."""
    if QI[q, QI_GAP_UNTIL] >= 0:
        if now >= QI[q, QI_GAP_UNTIL]:
            restart_grant(P, QI, QF, q, now)
            if QI[q, QI_HOLDER] < 0:
                choose_fund_holder(P, OF, OI, QI, SI, q)
            if P[COORDINATOR] > 0 and QI[q, QI_CPOST] == 0:
                QI[q, QI_CPOST] = 1
                QI[q, QI_CVACANT] = -1
                if not QI[q, QI_FORMAL]:
                    QI[q, QI_CTENURE] = 0
        return
    if QI[q, QI_FUNDED] == 0 or now <= QI[q, QI_DECISION_AT]:
        return
    development = QI[q, QI_DEVELOPMENT] == 1
    base = P[DEVELOPMENT_PASS] if development else P[RENEWAL_PROBABILITY]
    rm = QI[q, QI_RECORD_MONTHS]
    evidence = QF[q, QF_RECORD_SUM] / rm if rm else 0.0
    seen = MI[MI_RECORDS_SEEN]
    typical = MS[MS_RECORD_TOTAL] / seen if seen else 0.5
    chance = pmin(1.0, pmax(0.0, base + P[EVIDENCE_WEIGHT] * (evidence - typical)))
    yes = bid_written(P, OF, OI, QF, QI, SF, SI, q, now) and random01(st) < chance
    if development:
        if yes:
            QI[q, QI_DEVELOPMENT] = 0
            QI[q, QI_DECISION_AT] = QI[q, QI_GEND]
        else:
            QI[q, QI_GEND] = QI[q, QI_DECISION_AT]
            end_funding(P, OF, OI, QI, SF, q, True)
        return
    if not yes:
        end_funding(P, OF, OI, QI, SF, q, True)
    elif P[FUNDING_GAP] > 0:
        end_funding(P, OF, OI, QI, SF, q, False)
        QI[q, QI_GAP_UNTIL] = now + int(P[FUNDING_GAP])
    else:
        restart_grant(P, QI, QF, q, now)


@njit(cache=True)
def fund(st, P, MS, MI, OF, OI, QF, QI, SF, SI, q, now):
    """funding.fund: age the grant, decide, count the money (funding.pay)."""
    QI[q, QI_AGE] += 1
    decide(st, P, MS, MI, OF, OI, QF, QI, SF, SI, q, now)
    paid = 0.0
    if QI[q, QI_FUNDED]:
        paid = P[GRANT_AMOUNT] + (P[COORDINATOR_COST] if QI[q, QI_CPOST] else 0.0)
    QF[q, QF_GRANTS_PAID] = QF[q, QF_GRANTS_PAID] + paid
    if QI[q, QI_ENDED_AT] >= 0 and QI[q, QI_CPOST]:
        QF[q, QF_COORD_PAID] = QF[q, QF_COORD_PAID] + P[COORDINATOR_COST]


# ---------------------------------------------------------------- stage 2: turnover


@njit(cache=True)
def replace_representative(P, MI, QF, QI, SF, SI, PT, q, k, now):
    """turnover.replace_representative."""
    carried = 0.0
    if coord_present(QI, q, now) and hours_left(QF, q, P[COORDINATION_HOURS]):
        # mechanisms.witnessed_share
        ct, rt = QI[q, QI_CTENURE], SI[q, k, SI_TENURE]
        carried = (1.0 if ct > 0 else 0.0) if rt <= 0 else pmin(1.0, ct / rt)
    written = 1.0 if QI[q, QI_FORMAL] else 0.0
    share = pmin(1.0, P[AGREEMENT_HANDOVER] * written + P[COORDINATOR_HANDOVER] * carried)
    initial = P[INITIAL_TRUST]
    row = PT[q, k]
    for j in range(row.shape[0]):
        t = row[j]
        if t == t:
            row[j] = initial + share * (t - initial) if share > 0 else np.nan
    vacant_until = now + int(P[VACANCY_MONTHS])
    SI[q, k, SI_PRESENT] = 1 if vacant_until <= now else 0
    SI[q, k, SI_VACANT] = vacant_until
    SI[q, k, SI_TENURE] = 0
    SF[q, k, SF_COMMIT] = pmax(0.0, SF[q, k, SF_COMMIT] - P[NEWCOMER_HIT] * (1.0 - share))
    MI[MI_DEPARTURES] += 1


@njit(cache=True)
def turnover(st, P, MI, OI, QF, QI, SF, SI, PT, q, now):
    """turnover.turnover."""
    funded = QI[q, QI_FUNDED] == 1
    to_end = QI[q, QI_GEND] - now if funded else -1
    present = coord_present(QI, q, now)
    QF[q, QF_CBUDGET] = QF[q, QF_CHOURS] = P[COORDINATOR_HOURS] if present else 0.0
    vcse_hazard = leaving_hazard(P, to_end, funded)
    other_hazard = leaving_hazard(P, to_end, False)
    for k in range(QI[q, QI_NM]):
        if not SI[q, k, SI_PRESENT]:
            if now >= SI[q, k, SI_VACANT]:
                SI[q, k, SI_PRESENT] = 1
                SI[q, k, SI_TENURE] = 0
            continue
        SI[q, k, SI_TENURE] += 1
        hazard = vcse_hazard if OI[SI[q, k, SI_ORG], OI_RANK] == RANK_VCSE else other_hazard
        if random01(st) < hazard:
            replace_representative(P, MI, QF, QI, SF, SI, PT, q, k, now)
    if present:
        QI[q, QI_CTENURE] += 1
        if random01(st) < leaving_hazard(P, to_end, QI[q, QI_CMAIN] == 0 and funded):
            QI[q, QI_CVACANT] = now + int(P[VACANCY_MONTHS])
            QF[q, QF_CBUDGET] = QF[q, QF_CHOURS] = 0.0
            if not QI[q, QI_FORMAL]:
                QI[q, QI_CTENURE] = 0
            MI[MI_DEPARTURES] += 1


# ---------------------------------------------------------------- stage 3: networking


@njit(cache=True)
def networking(st, rng, P, MI, IT, IS, SLOT, SYSN):
    """networking.networking: the same NumPy draws (Poisson count, integer picks) and Python choice of system.

    The draws pick places in the system; ``SLOT`` says where each place's ties are stored.
    """
    n_events = int(rng.poisson(P[NETWORKING_RATE] / 12.0))
    contacts = int(P[NETWORKING_CONTACTS])
    trust = P[INITIAL_TRUST]
    for _ in range(n_events):
        s = below(st, SYSN.shape[0])
        k = SYSN[s]
        if k < 2:
            continue
        picks = rng.integers(0, k - 1, size=(k, contacts))
        for i in range(k):
            for c in range(contacts):
                j = picks[i, c]
                a, b = SLOT[s, i], SLOT[s, j + (1 if j >= i else 0)]
                if IT[s, a, b] != IT[s, a, b]:
                    IT[s, a, b] = trust
                    IS[s, a, b] = MI[MI_TIE_STAMP]
                    MI[MI_TIE_STAMP] += 1
                    if IT[s, b, a] != IT[s, b, a]:
                        IT[s, b, a] = trust
                        IS[s, b, a] = MI[MI_TIE_STAMP]
                        MI[MI_TIE_STAMP] += 1


# ---------------------------------------------------------------- stage 4: meeting


@njit(cache=True)
def organised(st, P, OF, OI, QF, QI, SF, SI, q, now):
    """meeting.organised."""
    unit = P[COORDINATION_HOURS]
    if coord_present(QI, q, now) and hours_left(QF, q, unit):
        return True
    hours = P[MEETING_HOURS]
    for k in range(QI[q, QI_NM]):
        if SI[q, k, SI_PAPER]:
            continue
        if SI[q, k, SI_PRESENT]:
            spare = pmax(0.0, time_of(P, OF, OI, QI, q, SI[q, k, SI_ORG]) - hours)
            if spare >= unit and random01(st) < SF[q, k, SF_WILLING]:
                return True
    return False


@njit(cache=True)
def attend(st, P, OF, OI, QF, QI, SF, SI, q, now, att):
    """meeting.attend: fills ``att`` with the attending seats; returns how many."""
    chasing = coord_present(QI, q, now)
    unit, hours, engaged = P[COORDINATION_HOURS], P[MEETING_HOURS], P[PAPER_THRESHOLD]
    vf = 1.0 if QI[q, QI_FUNDED] else P[VCSE_UNFUNDED]
    na = 0
    for k in range(QI[q, QI_NM]):
        if SI[q, k, SI_PAPER] or not SI[q, k, SI_PRESENT]:
            continue
        i = SI[q, k, SI_ORG]
        share = OF[i, OF_CAP] / max(1, OI[i, OI_NMEM]) * (vf if OI[i, OI_RANK] == RANK_VCSE else 1.0) / hours
        if not share < 1.0:
            share = 1.0
        if engaged > 0:
            keen = SF[q, k, SF_WILLING] / engaged
            share *= keen if keen < 1.0 else 1.0
        if chasing:
            if hours_left(QF, q, unit):
                share = share + (1.0 - share) * share
            else:
                chasing = False
        if random01(st) < share:
            SI[q, k, SI_CAME] = 1
            att[na] = k
            na += 1
    return na


@njit(cache=True)
def interact(st, P, MS, OF, OI, QF, QI, PT, IT, SI, q, now, att, na):
    """meeting.interact: each attending pair once; a coordinator with hours mediates a bad one."""
    if na < 2:
        return
    mediating = coord_present(QI, q, now)
    unit = P[COORDINATION_HOURS]
    orientation = QF[q, QF_ORIENT]
    shortness = pmin(1.0, 12.0 / max(1, int(P[FUNDING_LENGTH])))
    sgw = P[SHORT_GRANT_WEIGHT]
    pressure = MS[MS_SCARCITY] * (1.0 - orientation) * ((1.0 - sgw) + sgw * shortness)
    competition = pmin(1.0, pmax(0.0, pressure * (1.0 - P[FUNDING_FLEXIBILITY])))
    gain, loss = P[TRUST_GAIN], P[TRUST_LOSS]
    learn = QF[q, QF_LEARN]
    initial, w = P[INITIAL_TRUST], P[PERSONAL_WEIGHT]
    v = 1.0 - w
    base, e_align, e_trust, e_power = P[BASE_POSITIVE], P[ALIGNMENT_EFFECT], P[TRUST_EFFECT], P[POWER_EFFECT]
    damped = 1.0 - P[POWER_DAMPING] * orientation
    competing = P[COMPETITION_EFFECT] * competition
    for x in range(na):
        ka = att[x]
        a = SI[q, ka, SI_ORG]
        s, la = OI[a, OI_SYS], OI[a, OI_LOC]
        va, wa = OF[a, OF_VALUES], OF[a, OF_POWER]
        for y in range(x + 1, na):
            kb = att[y]
            b = SI[q, kb, SI_ORG]
            lb = OI[b, OI_LOC]
            old_ab = PT[q, ka, lb]
            if old_ab != old_ab:
                old_ab = initial
            old_ba = PT[q, kb, la]
            if old_ba != old_ba:
                old_ba = initial
            inst_ab = IT[s, la, lb]
            if inst_ab != inst_ab:
                inst_ab = 0.0
            inst_ba = IT[s, lb, la]
            if inst_ba != inst_ba:
                inst_ba = 0.0
            pair_trust = 0.5 * (w * (old_ab + old_ba) + v * (inst_ab + inst_ba))
            prob = (
                base
                + e_align * ((1.0 - abs(va - OF[b, OF_VALUES])) - 0.5)
                + e_trust * (pair_trust - 0.5)
                - e_power * abs(wa - OF[b, OF_POWER]) * damped
                - competing
            )
            if not (0.02 < prob < 0.98):
                prob = 0.98 if prob >= 0.98 else 0.02
            positive = random01(st) < prob
            if not positive and mediating:
                if hours_left(QF, q, unit):
                    positive = random01(st) < prob
                else:
                    mediating = False
            if positive:
                new_ab = old_ab + gain * (1.0 - old_ab)
                new_ba = old_ba + gain * (1.0 - old_ba)
            else:
                new_ab = old_ab - loss * old_ab
                new_ba = old_ba - loss * old_ba
            PT[q, ka, lb] = new_ab
            PT[q, kb, la] = new_ba
            IT[s, la, lb] = inst_ab + learn * (new_ab - inst_ab)
            IT[s, lb, la] = inst_ba + learn * (new_ba - inst_ba)


@njit(cache=True)
def new_ties(MI, IT, IS, s, a, b):
    """Stamp a tie the meeting created, so the organisation's ties keep their order of first meeting.

    A tie has a stamp exactly when it has a trust (every tie is made with
    both), so the trust, which the meeting reads anyway, tells whether the
    tie is new, and the stamps are read only for new ties.
    """
    if IT[s, a, b] != IT[s, a, b]:
        IS[s, a, b] = MI[MI_TIE_STAMP]
        MI[MI_TIE_STAMP] += 1


@njit(cache=True)
def meet(st, P, MS, MI, OF, OI, QF, QI, SF, SI, PT, IT, IS, PS, PC, PO, q, now, att):
    """meeting.meet."""
    QI[q, QI_MET] = 0
    QI[q, QI_QUORATE] = 0
    for k in range(QI[q, QI_NM]):
        SI[q, k, SI_CAME] = 0
    if not organised(st, P, OF, OI, QF, QI, SF, SI, q, now):
        QI[q, QI_MWQ] += 1
        refresh_trust(P, OI, QF, QI, SF, SI, PT, IT, PS, PC, PO, q)
        return
    QI[q, QI_MET] = 1
    na = attend(st, P, OF, OI, QF, QI, SF, SI, q, now, att)
    if na >= 2 and na >= P[QUORUM_SHARE] * QI[q, QI_NM]:
        QI[q, QI_QUORATE] = 1
        QI[q, QI_MWQ] = 0
    else:
        QI[q, QI_MWQ] += 1
    # ties the interactions create are stamped in the order Python's dicts would receive them
    for x in range(na):
        a = SI[q, att[x], SI_ORG]
        for y in range(x + 1, na):
            b = SI[q, att[y], SI_ORG]
            s = OI[a, OI_SYS]
            new_ties(MI, IT, IS, s, OI[a, OI_LOC], OI[b, OI_LOC])
            new_ties(MI, IT, IS, s, OI[b, OI_LOC], OI[a, OI_LOC])
    interact(st, P, MS, OF, OI, QF, QI, PT, IT, SI, q, now, att, na)
    refresh_trust(P, OI, QF, QI, SF, SI, PT, IT, PS, PC, PO, q)


# ---------------------------------------------------------------- stage 5: delivery


@njit(cache=True)
def deliver(P, MS, MI, OF, OI, QF, QI, SF, SI, q, now):
    """delivery.deliver."""
    QF[q, QF_OUTPUT] = 0.0
    hours = P[MEETING_HOURS]
    funded = QI[q, QI_FUNDED] == 1
    vf = 1.0 if funded else P[VCSE_UNFUNDED]
    total = 0.0
    na = 0
    kinds = 0  # a bit per sector
    for k in range(QI[q, QI_NM]):
        if SI[q, k, SI_PAPER]:
            continue
        na += 1
        i = SI[q, k, SI_ORG]
        kinds |= 1 << OI[i, OI_RANK]
        h = 0.0
        if SI[q, k, SI_CAME]:
            h = OF[i, OF_CAP] / max(1, OI[i, OI_NMEM]) * (vf if OI[i, OI_RANK] == RANK_VCSE else 1.0)
            if not h < hours:
                h = hours
        SF[q, k, SF_CONTRIB] = h
        total += h
    n_kinds = (kinds & 1) + ((kinds >> 1) & 1) + ((kinds >> 2) & 1)
    tw = pmin(1.0, pmax(0.0, P[SYNERGY_TRUST_WEIGHT]))
    mean_trust = QF[q, QF_MTRUST]
    synergy = tw * mean_trust + (1.0 - tw) * (n_kinds / 3.0)
    QF[q, QF_SYNERGY] = synergy
    orientation = QF[q, QF_ORIENT]
    maturity = QF[q, QF_MATURITY]
    if QI[q, QI_QUORATE]:
        maturity = maturity + P[MATURITY_RATE] * orientation * (1.0 - maturity)
    QF[q, QF_MATURITY] = maturity
    if QI[q, QI_MATURED_AT] < 0 and maturity >= MATURE:
        QI[q, QI_MATURED_AT] = now - QI[q, QI_STARTED_AT]
    early = P[STRATEGIC_BOOST] * (1.0 - orientation) * math.exp(-QI[q, QI_AGE] / P[STRATEGIC_DECAY])
    factor = (1.0 + early) * (1.0 + maturity)
    agreement = 1.0 / (1.0 + P[AGREEMENT_COST] * max(0, na - 2) * (1.0 - mean_trust))
    QF[q, QF_AGREEMENT] = agreement
    output = total * synergy * factor * agreement
    QF[q, QF_OUTPUT] = output
    QF[q, QF_OUTPUT_TOTAL] = QF[q, QF_OUTPUT_TOTAL] + output
    reference = P[EFFECTIVENESS_REFERENCE] * hours
    x = (output / max(1, na)) / reference if reference > 0 else 0.0
    eff = x / (1.0 + x)
    QF[q, QF_EFF] = eff
    if funded:
        record = 0.5 * (eff + mean_trust)
        QF[q, QF_RECORD_SUM] = QF[q, QF_RECORD_SUM] + record
        QI[q, QI_RECORD_MONTHS] += 1
        MI[MI_RECORDS_SEEN] += 1
        MS[MS_RECORD_TOTAL] = MS[MS_RECORD_TOTAL] + record


# ---------------------------------------------------------------- stage 6: evaluation


@njit(cache=True)
def gini(values, n, buf):
    """mechanisms.gini, with CPython's sums."""
    if n == 0:
        return 0.0
    total = pysum(values, n)
    if total <= 0:
        return 0.0
    xs = np.sort(values[:n])
    for i in range(n):
        buf[i] = (i + 1) * xs[i]
    cum = pysum(buf, n)
    return 2.0 * cum / (n * total) - (n + 1.0) / n


@njit(cache=True)
def try_to_recruit(st, P, MI, OF, OI, QI, SF, SI, PT, IT, IS, SYSORG, q, buf_i):
    """evaluation.try_to_recruit."""
    if random01(st) >= P[RECRUITMENT_RATE]:
        return
    na = 0
    for k in range(QI[q, QI_NM]):
        if not SI[q, k, SI_PAPER]:
            buf_i[na] = k
            na += 1
    if na == 0:
        return
    sponsor = SI[q, buf_i[below(st, na)], SI_ORG]
    s, ls = OI[sponsor, OI_SYS], OI[sponsor, OI_LOC]
    # the sponsor's acquaintances in the order they were met, less the members (paper ones too)
    row, stamps = IT[s, ls], IS[s, ls]
    order = np.argsort(stamps)
    n_known = 0
    for o in order:
        if row[o] != row[o]:
            continue
        found = False
        for k in range(QI[q, QI_NM]):
            if OI[SI[q, k, SI_ORG], OI_LOC] == o:
                found = True
                break
        if not found:
            buf_i[n_known] = o
            n_known += 1
    if n_known == 0:
        return
    candidate = SYSORG[s, buf_i[below(st, n_known)]]
    n_in = OI[candidate, OI_NMEM]
    if n_in >= P[MAX_MEMBERSHIPS]:
        return
    if random01(st) >= pmin(1.0, OF[candidate, OF_CAP] / (P[MEETING_HOURS] * (n_in + 1))):
        return
    add_seat(MI, OI, QI, SF, SI, PT, q, candidate, P[INITIAL_COMMITMENT])


@njit(cache=True)
def evaluate(
    st, P, MS, MI, OF, OI, QF, QI, SF, SI, PT, IT, IS, PS, PC, PO, TH, SYSORG, q, now, buf_f, buf_g, buf_i
):
    """evaluation.evaluate."""
    orientation = QF[q, QF_ORIENT]
    nm = QI[q, QI_NM]
    # the active seats, their power and their work
    n = 0
    for k in range(nm):
        if not SI[q, k, SI_PAPER]:
            buf_i[n] = k
            n += 1
    powers = np.empty(n)
    work = np.empty(n)
    voices = np.empty(n)
    for x in range(n):
        k = buf_i[x]
        powers[x] = OF[SI[q, k, SI_ORG], OF_POWER]
        work[x] = SF[q, k, SF_CONTRIB]
    if n > 0:
        equal = 1.0 / n
        tp = pysum(powers, n)
        tq = pysum(work, n)
        strategic = 1.0 - orientation
        for x in range(n):
            if tp > 0 and tq > 0:
                voices[x] = strategic * (powers[x] / tp) + orientation * (work[x] / tq)
            else:
                a = powers[x] / tp if tp > 0 else equal
                b = work[x] / tq if tq > 0 else equal
                voices[x] = strategic * a + orientation * b
    QF[q, QF_VGINI] = gini(voices, n, buf_f)
    for x in range(n):
        buf_g[x] = voices[x] * OF[SI[q, buf_i[x], SI_ORG], OF_VALUES]
    voiced = pysum(buf_g, n)
    flex = P[FUNDING_FLEXIBILITY]
    drafted = (1.0 - orientation) * QF[q, QF_LEAD] + orientation * voiced
    plan = (1.0 - flex) * drafted + flex * voiced
    QF[q, QF_PLAN] = plan
    given = pysum(work, n)
    hours, silencing = P[MEETING_HOURS], P[SILENCING]
    wv = pmin(1.0, P[VOICE_WEIGHT])
    wr = pmin(1.0 - wv, P[RECIPROCITY_WEIGHT])
    wb = 1.0 - wv - wr
    effectiveness = QF[q, QF_EFF]
    for x in range(n):
        k = buf_i[x]
        v, h = voices[x], work[x]
        part = h / hours
        if not part > 0.0:
            part = 0.0
        benefit = (
            effectiveness
            * (1.0 - abs(OF[SI[q, k, SI_ORG], OF_VALUES] - plan))
            * (part if part < 1.0 else 1.0)
        )
        share = h / given if given > 0 else 0.0
        if share <= 0:
            reciprocity = 1.0
        else:
            reciprocity = v / share
            if not reciprocity < 1.0:
                reciprocity = 1.0
        short = 1.0 - v * n
        voice = 1.0 - silencing * (short if short > 0.0 else 0.0)
        SF[q, k, SF_SATIS] = wv * (voice if voice > 0.0 else 0.0) + wr * reciprocity + wb * benefit
    cost = P[SIZE_COST] * max(0, nm - 2)
    if not QI[q, QI_FUNDED]:
        cost += P[PROGRAMME_DEPENDENCE] * (1.0 - orientation)
    rate, paper_at, exit_at = P[COMMITMENT_RATE], P[PAPER_THRESHOLD], P[EXIT_THRESHOLD]
    trust_weight = P[WILLINGNESS_TRUST_WEIGHT]
    keep = 1.0 - trust_weight
    moved = False
    n_leavers = 0
    leavers = np.empty(nm, dtype=np.int64)  # organisations, in roster order
    for k in range(nm):
        on_paper = SI[q, k, SI_PAPER] == 1
        c = SF[q, k, SF_COMMIT]
        c = c + rate * (SF[q, k, SF_SATIS] - cost - c)
        if not c > 0.0:
            c = 0.0
        if not c < 1.0:
            c = 1.0
        SF[q, k, SF_COMMIT] = c
        if not SI[q, k, SI_PRESENT]:
            continue
        mt = SF[q, k, SF_MTRUST] if SI[q, k, SI_HAS_MTRUST] else 0.0
        willing = keep * c + trust_weight * mt
        SF[q, k, SF_WILLING] = willing
        if willing < exit_at and on_paper:
            leavers[n_leavers] = SI[q, k, SI_ORG]
            n_leavers += 1
        elif willing < paper_at:
            if not on_paper:
                SI[q, k, SI_PAPER] = 1
                moved = True
        elif on_paper:
            SI[q, k, SI_PAPER] = 0
            moved = True
    for x in range(n_leavers):
        i = leavers[x]
        MI[MI_EXITS_LC + OI[i, OI_RANK]] += 1
        for k in range(QI[q, QI_NM]):
            if SI[q, k, SI_ORG] == i:
                remove_seat(P, OF, OI, QI, SF, SI, PT, q, k)
                break
    if QI[q, QI_OPEN]:
        before = QI[q, QI_NM]
        tries = 1
        if coord_present(QI, q, now) and hours_left(QF, q, P[COORDINATION_HOURS]):
            tries += 1
        for _ in range(tries):
            try_to_recruit(st, P, MI, OF, OI, QI, SF, SI, PT, IT, IS, SYSORG, q, buf_i)
        moved = moved or QI[q, QI_NM] != before
    nm = QI[q, QI_NM]
    if nm > 0:
        for k in range(nm):
            buf_f[k] = SF[q, k, SF_COMMIT]
        QF[q, QF_MCOMMIT] = pysum(buf_f, nm) / nm
        for k in range(nm):
            buf_f[k] = SF[q, k, SF_SATIS]
        QF[q, QF_MSAT] = pysum(buf_f, nm) / nm
    if n_leavers > 0 or moved:
        refresh_trust(P, OI, QF, QI, SF, SI, PT, IT, PS, PC, PO, q)
    QF[q, QF_ORIENT] = orientation + P[ORIENTATION_DRIFT] * pmax(0.0, QF[q, QF_MTRUST] - orientation)
    # Partnership.observe_month
    TH[q, QI[q, QI_HISTORY]] = QF[q, QF_MTRUST]
    QI[q, QI_HISTORY] += 1
    QF[q, QF_TRUST_SUM] = QF[q, QF_TRUST_SUM] + QF[q, QF_MTRUST]
    QF[q, QF_COMMIT_SUM] = QF[q, QF_COMMIT_SUM] + QF[q, QF_MCOMMIT]
    QF[q, QF_AGREE_SUM] = QF[q, QF_AGREE_SUM] + QF[q, QF_AGREEMENT]
    QI[q, QI_MONTHS] += 1


# ---------------------------------------------------------------- stage 7: dissolution


@njit(cache=True)
def check_dissolution(P, OF, OI, QF, QI, SF, SI, q, now):
    """dissolution.check_dissolution."""
    nm = QI[q, QI_NM]
    na = 0
    statutory_active = False
    for k in range(nm):
        if not SI[q, k, SI_PAPER]:
            na += 1
            if OI[SI[q, k, SI_ORG], OI_RANK] == RANK_STAT:
                statutory_active = True
    unfunded = QI[q, QI_FUNDED] == 0
    carrying_on = True
    if unfunded:
        keen = 0
        for k in range(nm):
            if SF[q, k, SF_WILLING] >= P[PAPER_THRESHOLD]:
                keen += 1
        carrying_on = nm > 0 and keen >= 2 and keen >= P[QUORUM_SHARE] * nm
    inactive = int(P[INACTIVE_MONTHS])
    cause = 0
    if na < 2:
        cause = 1
    elif QI[q, QI_CROSS] and not statutory_active:
        cause = 2
    elif QF[q, QF_MCOMMIT] < P[EXIT_THRESHOLD]:
        cause = 3
    elif inactive > 0 and QI[q, QI_MWQ] >= inactive:
        cause = 4
    elif unfunded and not carrying_on:
        cause = 5 if QI[q, QI_GAP_UNTIL] >= 0 else 6
    if cause == 0:
        return
    QI[q, QI_ALIVE] = 0
    QI[q, QI_DISSOLVED_AT] = now
    QI[q, QI_CAUSE] = cause
    for k in range(nm):
        OI[SI[q, k, SI_ORG], OI_NMEM] -= 1
        SI[q, k, SI_IN_ORG] = 0
    if QI[q, QI_HOLDER] >= 0:
        release_funds(P, OF, OI, QI, q)
    QI[q, QI_MEMBERS_AT_END] = nm


# ---------------------------------------------------------------- the month


@njit(cache=True)
def shuffled_live(st, QI):
    """Model._each(shuffled=True): the live rows in creation order, shuffled as random.shuffle does."""
    n = 0
    for q in range(QI.shape[0]):
        if QI[q, QI_ALIVE]:
            n += 1
    order = np.empty(n, dtype=np.int64)
    n = 0
    for q in range(QI.shape[0]):
        if QI[q, QI_ALIVE]:
            order[n] = q
            n += 1
    for i in range(n - 1, 0, -1):
        j = below(st, i + 1)
        order[i], order[j] = order[j], order[i]
    return order


# ---------------------------------------------------------------- prefetching (large states only)


@njit(cache=True)
def prefetch_partnership(QF, QI, SF, SI, PS, PC, PO, q):
    """Partnership ``q``'s own rows."""
    prefetch_span(QI, q * QI.shape[1], QI.shape[1])
    prefetch_span(QF, q * QF.shape[1], QF.shape[1])
    prefetch_span(SI, q * SI.shape[1] * SI.shape[2], SI.shape[1] * SI.shape[2])
    prefetch_span(SF, q * SF.shape[1] * SF.shape[2], SF.shape[1] * SF.shape[2])
    prefetch_span(PS, q * PS.shape[1], PS.shape[1])
    prefetch_span(PC, q * PC.shape[1], PC.shape[1])
    prefetch_span(PO, q * PO.shape[1], PO.shape[1])


@njit(cache=True)
def prefetch_members(OF, OI, QI, SI, q):
    """The organisation rows of partnership ``q``'s members, if it is alive (reads its seats)."""
    if q >= QI.shape[0] or not QI[q, QI_ALIVE]:
        return
    for k in range(QI[q, QI_NM]):
        i = SI[q, k, SI_ORG]
        prefetch_span(OI, i * OI.shape[1], OI.shape[1])
        prefetch_span(OF, i * OF.shape[1], OF.shape[1])


@njit(cache=True)
def prefetch_ties(OI, QI, SI, PT, IT, q):
    """The personal and institutional trust of partnership ``q``'s member pairs (reads its members' rows)."""
    nm = QI[q, QI_NM]
    S, K = IT.shape[1], PT.shape[1]
    for ka in range(nm):
        a = SI[q, ka, SI_ORG]
        tie_row = (OI[a, OI_SYS] * S + OI[a, OI_LOC]) * S
        trust_row = (q * K + ka) * S
        for kb in range(nm):
            lb = OI[SI[q, kb, SI_ORG], OI_LOC]
            prefetch(IT, tie_row + lb)
            prefetch(PT, trust_row + lb)


@njit(cache=True)
def prefetch_ahead(OF, OI, QF, QI, SF, SI, PT, IT, PS, PC, PO, order, x, ties):
    """Before visit ``x`` of the shuffled ``order``: prefetch what later visits read, in three steps.

    A shuffled order defeats the hardware's prefetcher, and once the state
    outgrows the last-level cache (30,000 organisations) each visit waited on
    memory for every row it read. Each step reads only what an earlier step
    fetched (see ``AHEAD_ROWS``). ``ties``: the stage reads its pairs' trust.
    A hint changes no value: results are the same with or without it.
    """
    n = order.shape[0]
    if x + AHEAD_ROWS < n:
        prefetch_partnership(QF, QI, SF, SI, PS, PC, PO, order[x + AHEAD_ROWS])
    if x + AHEAD_MEMBERS < n:
        prefetch_members(OF, OI, QI, SI, order[x + AHEAD_MEMBERS])
    if ties and x + AHEAD_TIES < n:
        prefetch_ties(OI, QI, SI, PT, IT, order[x + AHEAD_TIES])


@njit(cache=True)
def month(
    st, rng, now, P, MS, MI, OF, OI, QF, QI, SF, SI, PT, IT, IS, PS, PC, PO, TH, SYSORG, SLOT, SYSN, R, row, far
):  # fmt: skip
    """PartnershipModel.step, less formation: every stage in its fixed order, then the month's tally.

    ``R[row]`` gets the month's reporters (``row`` < 0: none are kept).
    ``far``: the state is larger than the cache, and the shuffled loops
    prefetch (see :func:`prefetch_ahead`). Delivery and dissolution, in
    creation order, prefetch only their members' rows: the hardware follows
    the partnerships' own. Funding and turnover read few organisation rows;
    prefetching there cost more than it saved.
    """
    MI[MI_DEPARTURES] = 0
    K = SI.shape[1]
    att = np.empty(K, dtype=np.int64)
    buf_f = np.empty(K)
    buf_g = np.empty(K)
    buf_i = np.empty(max(K, IT.shape[1]), dtype=np.int64)
    Q = QI.shape[0]
    environment(st, P, MS, QI, SF, SI, OF, OI)
    for q in range(Q):
        if QI[q, QI_ALIVE]:
            fund(st, P, MS, MI, OF, OI, QF, QI, SF, SI, q, now)
    for q in range(Q):
        if QI[q, QI_ALIVE]:
            turnover(st, P, MI, OI, QF, QI, SF, SI, PT, q, now)
    networking(st, rng, P, MI, IT, IS, SLOT, SYSN)
    order = shuffled_live(st, QI)
    for x in range(order.shape[0]):
        if far:
            prefetch_ahead(OF, OI, QF, QI, SF, SI, PT, IT, PS, PC, PO, order, x, True)
        meet(st, P, MS, MI, OF, OI, QF, QI, SF, SI, PT, IT, IS, PS, PC, PO, order[x], now, att)
    for q in range(Q):
        if far:
            prefetch_members(OF, OI, QI, SI, q + AHEAD_MEMBERS)
        if QI[q, QI_ALIVE]:
            deliver(P, MS, MI, OF, OI, QF, QI, SF, SI, q, now)
    order = shuffled_live(st, QI)
    for x in range(order.shape[0]):
        if far:
            prefetch_ahead(OF, OI, QF, QI, SF, SI, PT, IT, PS, PC, PO, order, x, False)
            if x + AHEAD_MEMBERS < order.shape[0]:  # the month's trust, kept in its history row
                r = order[x + AHEAD_MEMBERS]
                prefetch(TH, r * TH.shape[1] + QI[r, QI_HISTORY])
        q = order[x]
        evaluate(
            st,
            P,
            MS,
            MI,
            OF,
            OI,
            QF,
            QI,
            SF,
            SI,
            PT,
            IT,
            IS,
            PS,
            PC,
            PO,
            TH,
            SYSORG,
            q,
            now,
            buf_f,
            buf_g,
            buf_i,
        )
    for q in range(Q):
        if far:
            prefetch_members(OF, OI, QI, SI, q + AHEAD_MEMBERS)
        if QI[q, QI_ALIVE]:
            check_dissolution(P, OF, OI, QF, QI, SF, SI, q, now)
    tally(MS, MI, OI, QF, QI, SF, SI, PS, PC, PO, R, row)


@njit(cache=True)
def tally(MS, MI, OI, QF, QI, SF, SI, PS, PC, PO, R, row):
    """Model._tally and Model._trust_reporters: the running means, and this month's reporters in ``R[row]``."""
    alive = members = vcse = paper = n_vcse_sat = 0
    gini_sum = commit_sum = vcse_sat = output = 0.0
    sums = np.zeros(6)
    cnts = np.zeros(6)
    seen = np.zeros(6, dtype=np.bool_)
    order = np.full(6, -1, dtype=np.int64)
    n_order = 0
    total_t = n_t = 0.0
    for q in range(QI.shape[0]):
        if not QI[q, QI_ALIVE]:
            continue
        alive += 1
        for k in range(QI[q, QI_NM]):
            on_paper = SI[q, k, SI_PAPER] == 1
            if on_paper:
                paper += 1
            else:
                members += 1
            if OI[SI[q, k, SI_ORG], OI_RANK] == RANK_VCSE:
                if not on_paper:
                    vcse += 1
                vcse_sat += SF[q, k, SF_SATIS]
                n_vcse_sat += 1
        gini_sum += QF[q, QF_VGINI]
        commit_sum += QF[q, QF_MCOMMIT]
        output += QF[q, QF_OUTPUT]
        for j in PO[q]:
            if j < 0:
                break
            if not seen[j]:
                seen[j] = True
                order[n_order] = j
                n_order += 1
            sums[j] += PS[q, j]
            cnts[j] += PC[q, j]
            total_t += PS[q, j]
            n_t += PC[q, j]
    vcse_share = vcse / members if members else 0.0
    voice_gini = gini_sum / alive if alive else 0.0
    if alive:
        MI[MI_LIVE_MONTHS] += 1
        MS[MS_VCSE_SHARE_SUM] = MS[MS_VCSE_SHARE_SUM] + vcse_share
        MS[MS_VOICE_GINI_SUM] = MS[MS_VOICE_GINI_SUM] + voice_gini
    if row < 0:
        return
    R[row, R_ACTIVE_PARTNERSHIPS] = alive
    R[row, R_ACTIVE_MEMBERS] = members
    R[row, R_PAPER_MEMBERS] = paper
    R[row, R_VCSE_SHARE] = vcse_share
    R[row, R_VOICE_GINI] = voice_gini
    R[row, R_MEAN_COMMITMENT] = commit_sum / alive if alive else 0.0
    R[row, R_OUTPUT] = output
    R[row, R_VCSE_SATISFACTION] = vcse_sat / n_vcse_sat if n_vcse_sat else np.nan
    R[row, R_VCSE_EXITS] = MI[MI_EXITS_LC + RANK_VCSE]
    R[row, R_STAFF_DEPARTURES] = MI[MI_DEPARTURES]
    R[row, R_SCARCITY] = MS[MS_SCARCITY]
    R[row, R_TRUST_ALL] = total_t / n_t if n_t else np.nan
    # within and across sectors: sums in the order the sector pairs were first met, as Python adds them
    within_s = np.zeros(6)
    within_n = np.zeros(6)
    across_s = np.zeros(6)
    across_n = np.zeros(6)
    n_within = n_across = 0
    for x in range(n_order):
        j = order[x]
        if j == 0 or j == 3 or j == 5:  # (lc, lc), (stat, stat), (vcse, vcse)
            within_s[n_within] = sums[j]
            within_n[n_within] = cnts[j]
            n_within += 1
        else:
            across_s[n_across] = sums[j]
            across_n[n_across] = cnts[j]
            n_across += 1
    n_w = pysum(within_n, n_within)
    R[row, R_TRUST_WITHIN] = pysum(within_s, n_within) / n_w if n_w else np.nan
    n_a = pysum(across_n, n_across)
    R[row, R_TRUST_ACROSS] = pysum(across_s, n_across) / n_a if n_a else np.nan
    for j in range(6):
        R[row, R_TRUST_PAIR + j] = sums[j] / cnts[j] if seen[j] else np.nan
        R[row, R_PAIRS + j] = cnts[j] // 2 if seen[j] else 0


@njit(cache=True)
def watch(QF, QI, W, x, now):
    """Watched.month_end: each partnership's state after month ``now``, in ``W[x]``."""
    for q in range(QI.shape[0]):
        if not QI[q, QI_ALIVE]:
            W[x, q, W_ALIVE] = 0.0
            continue
        W[x, q, W_ALIVE] = 1.0
        W[x, q, W_MATURITY] = QF[q, QF_MATURITY]
        W[x, q, W_GRANT_END] = QI[q, QI_GEND]
        W[x, q, W_COORDINATOR_PRESENT] = 1.0 if coord_present(QI, q, now) else 0.0
        W[x, q, W_COORDINATOR_HOURS] = QF[q, QF_CHOURS]
        W[x, q, W_COORDINATOR_BUDGET] = QF[q, QF_CBUDGET]


@njit(cache=True)
def run_months(
    st, rng, first, n, P, MS, MI, OF, OI, QF, QI, SF, SI, PT, IT, IS, PS, PC, PO, TH, SYSORG, SLOT, SYSN, R, collect, W, far
):  # fmt: skip
    """Months ``first`` to ``first + n - 1`` in one call (each as :func:`month`).

    Reporters in ``R[0:n]`` if ``collect``; each partnership's watched state in ``W[0:n]`` if ``W`` has rows.
    ``far``: prefetch, for a state larger than the cache (see :func:`month`).
    """
    watching = W.shape[0] > 0
    for x in range(n):
        month(st, rng, first + x, P, MS, MI, OF, OI, QF, QI, SF, SI, PT, IT, IS, PS, PC, PO, TH, SYSORG, SLOT, SYSN, R,
              x if collect else -1, far)  # fmt: skip
        if watching:
            watch(QF, QI, W, x, first + x)

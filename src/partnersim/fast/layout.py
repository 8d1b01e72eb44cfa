"""The columns of the compiled engine's arrays (see :mod:`partnersim.fast`).

Every live partnership is a row ``q``; its members are columns ``k`` in
roster order (a seat); organisations are rows ``i`` in creation order.
Floats and integers sit in separate arrays, one column per state variable,
named here so that kernels and packing read the same layout.
"""

from __future__ import annotations

import numpy as np

from partnersim.mechanisms import DISSOLUTION_CAUSES

# ---------------------------------------------------------------- parameters (P, float64)
(
    INITIAL_TRUST,
    PERSONAL_WEIGHT,
    TRUST_GAIN,
    TRUST_LOSS,
    BASE_POSITIVE,
    ALIGNMENT_EFFECT,
    TRUST_EFFECT,
    POWER_EFFECT,
    POWER_DAMPING,
    COMPETITION_EFFECT,
    COORDINATION_HOURS,
    MEETING_HOURS,
    PAPER_THRESHOLD,
    EXIT_THRESHOLD,
    QUORUM_SHARE,
    VCSE_UNFUNDED,
    CAPACITY_RECOVERY,
    BASE_SCARCITY,
    AUSTERITY_MONTHLY,
    SHOCK_SEVERITY,
    FUNDING_END_HIT,
    DEVELOPMENT_PASS,
    RENEWAL_PROBABILITY,
    EVIDENCE_WEIGHT,
    FUNDING_GAP,
    FUNDING_LENGTH,
    GRANT_AMOUNT,
    COORDINATOR_COST,
    COORDINATOR,
    FUND_KIND,
    POWER_FUND_WEIGHT,
    COORDINATOR_HOURS,
    BASE_HAZARD,
    GRANT_END_WINDOW,
    GRANT_END_BOOST,
    VACANCY_MONTHS,
    AGREEMENT_HANDOVER,
    COORDINATOR_HANDOVER,
    NEWCOMER_HIT,
    NETWORKING_RATE,
    NETWORKING_CONTACTS,
    FUNDING_FLEXIBILITY,
    SHORT_GRANT_WEIGHT,
    SYNERGY_TRUST_WEIGHT,
    MATURITY_RATE,
    STRATEGIC_BOOST,
    STRATEGIC_DECAY,
    AGREEMENT_COST,
    EFFECTIVENESS_REFERENCE,
    VOICE_WEIGHT,
    RECIPROCITY_WEIGHT,
    SILENCING,
    SIZE_COST,
    PROGRAMME_DEPENDENCE,
    COMMITMENT_RATE,
    WILLINGNESS_TRUST_WEIGHT,
    RECRUITMENT_RATE,
    MAX_MEMBERSHIPS,
    INITIAL_COMMITMENT,
    ORIENTATION_DRIFT,
    INACTIVE_MONTHS,
    N_PARAMS,
) = range(62)

#: fund_holder kinds (FUND_KIND)
FUND_STATUTORY, FUND_VCSE, FUND_NEUTRAL = 0, 1, 2

# ---------------------------------------------------------------- model scalars
MS_SCARCITY, MS_RECORD_TOTAL, MS_VCSE_SHARE_SUM, MS_VOICE_GINI_SUM, N_MS = range(5)
(
    MI_RECORDS_SEEN,
    MI_LIVE_MONTHS,
    MI_DEPARTURES,
    MI_EXITS_LC,
    MI_EXITS_STAT,
    MI_EXITS_VCSE,
    MI_TIE_STAMP,
    MI_JOIN_STAMP,
    N_MI,
) = range(9)

# ---------------------------------------------------------------- organisations
OF_CAP, OF_BASE_CAP, OF_RESERVES, OF_VALUES, OF_POWER, OF_POWER_BASE, N_OF = range(7)
#: OI_LOC: the organisation's slot in its system's tie and personal-trust columns (IT, IS, PT; SYSORG
#: maps a slot back to the organisation). Slots keep partnerships' members side by side (Engine._slots)
OI_NMEM, OI_HOLDS, OI_SYS, OI_LOC, OI_RANK, OI_RECOVERING, N_OI = range(7)

#: sectors ranked as their names sort, so a sector pair's key is (lower, higher) as in Partnership._trust_layout
RANK_LC, RANK_STAT, RANK_VCSE = 0, 1, 2
SECTOR_OF_RANK = ("large_charity", "statutory", "vcse")
RANK_OF_SECTOR = {s: r for r, s in enumerate(SECTOR_OF_RANK)}
PAIR_KEYS = tuple((a, b) for a in range(3) for b in range(a, 3))
PAIR_INDEX = np.full((3, 3), -1, dtype=np.int64)
for _n, (_a, _b) in enumerate(PAIR_KEYS):
    PAIR_INDEX[_a, _b] = PAIR_INDEX[_b, _a] = _n

# ---------------------------------------------------------------- partnerships
(
    QF_ORIENT,
    QF_PLAN,
    QF_LEAD,
    QF_SYNERGY,
    QF_MSAT,
    QF_MCOMMIT,
    QF_EFF,
    QF_MATURITY,
    QF_AGREEMENT,
    QF_OUTPUT,
    QF_OUTPUT_TOTAL,
    QF_MTRUST,
    QF_VGINI,
    QF_TRUST_SUM,
    QF_COMMIT_SUM,
    QF_AGREE_SUM,
    QF_GRANTS_PAID,
    QF_COORD_PAID,
    QF_RECORD_SUM,
    QF_CHOURS,
    QF_CBUDGET,
    QF_LEARN,
    N_QF,
) = range(23)
(
    QI_ALIVE,
    QI_AGE,
    QI_DISSOLVED_AT,
    QI_CAUSE,
    QI_FORMAL,
    QI_OPEN,
    QI_CROSS,
    QI_MATURED_AT,
    QI_MET,
    QI_QUORATE,
    QI_MWQ,
    QI_MONTHS,
    QI_NM,
    QI_FUNDED,
    QI_GSTART,
    QI_GEND,
    QI_DEVELOPMENT,
    QI_DECISION_AT,
    QI_GAP_UNTIL,
    QI_ENDED_AT,
    QI_RECORD_MONTHS,
    QI_CPOST,
    QI_CMAIN,
    QI_CVACANT,
    QI_CTENURE,
    QI_HOLDER,
    QI_MEMBERS_AT_END,
    QI_STARTED_AT,
    QI_HISTORY,
    N_QI,
) = range(30)

#: dissolution causes (QI_CAUSE): 0 none, then mechanisms.DISSOLUTION_CAUSES in its order of checks
CAUSES = ("", *DISSOLUTION_CAUSES)

# ---------------------------------------------------------------- seats (members of a partnership)
SF_COMMIT, SF_SATIS, SF_CONTRIB, SF_WILLING, SF_MTRUST, N_SF = range(6)
SI_ORG, SI_PAPER, SI_PRESENT, SI_VACANT, SI_TENURE, SI_JOINED, SI_IN_ORG, SI_HAS_MTRUST, SI_CAME, N_SI = (
    range(10)
)

# ---------------------------------------------------------------- monthly reporters (one row a month)
(
    R_ACTIVE_PARTNERSHIPS,
    R_ACTIVE_MEMBERS,
    R_PAPER_MEMBERS,
    R_VCSE_SHARE,
    R_VOICE_GINI,
    R_MEAN_COMMITMENT,
    R_OUTPUT,
    R_VCSE_SATISFACTION,
    R_VCSE_EXITS,
    R_STAFF_DEPARTURES,
    R_SCARCITY,
    R_TRUST_ALL,
    R_TRUST_WITHIN,
    R_TRUST_ACROSS,
    R_TRUST_PAIR,  # six columns, in PAIR_KEYS order
) = range(15)
R_PAIRS = R_TRUST_PAIR + 6  # six columns: unordered pairs behind each sector pair's trust
N_R = R_PAIRS + 6
#: the model attribute each column reports (Model._tally and Model._trust_reporters)
R_NAMES = {
    "active_partnerships": R_ACTIVE_PARTNERSHIPS,
    "active_members": R_ACTIVE_MEMBERS,
    "paper_members": R_PAPER_MEMBERS,
    "vcse_share": R_VCSE_SHARE,
    "voice_gini": R_VOICE_GINI,
    "mean_commitment": R_MEAN_COMMITMENT,
    "output": R_OUTPUT,
    "vcse_satisfaction": R_VCSE_SATISFACTION,
    "vcse_exits": R_VCSE_EXITS,
    "staff_departures": R_STAFF_DEPARTURES,
    "scarcity": R_SCARCITY,
    "trust_all": R_TRUST_ALL,
    "trust_within": R_TRUST_WITHIN,
    "trust_across": R_TRUST_ACROSS,
    **{
        f"trust_{SECTOR_OF_RANK[a]}_{SECTOR_OF_RANK[b]}": R_TRUST_PAIR + j
        for j, (a, b) in enumerate(PAIR_KEYS)
    },
    **{
        f"trust_{SECTOR_OF_RANK[b]}_{SECTOR_OF_RANK[a]}": R_TRUST_PAIR + j
        for j, (a, b) in enumerate(PAIR_KEYS)
    },
    **{f"pairs_{SECTOR_OF_RANK[a]}_{SECTOR_OF_RANK[b]}": R_PAIRS + j for j, (a, b) in enumerate(PAIR_KEYS)},
    **{f"pairs_{SECTOR_OF_RANK[b]}_{SECTOR_OF_RANK[a]}": R_PAIRS + j for j, (a, b) in enumerate(PAIR_KEYS)},
}
#: reporters that are whole numbers
R_INTEGERS = {"active_partnerships", "active_members", "paper_members", "vcse_exits", "staff_departures"} | {
    k for k in R_NAMES if k.startswith("pairs_")
}

# ---------------------------------------------------------------- watched partnerships

#: what ``PartnershipModel.run(watch=True)`` records for each partnership after each month,
#: one float each (NaN while dissolved, but for W_ALIVE)
(
    W_ALIVE,
    W_MATURITY,
    W_GRANT_END,
    W_COORDINATOR_PRESENT,
    W_COORDINATOR_HOURS,
    W_COORDINATOR_BUDGET,
    N_W,
) = range(7)

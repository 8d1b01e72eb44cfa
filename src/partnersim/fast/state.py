"""Packing a model's state into the compiled engine's arrays, and writing it back.

:class:`Engine` takes a :class:`~partnersim.model.PartnershipModel` between
months, packs every live partnership, organisation and tie into the arrays
of :mod:`partnersim.fast.layout`, runs months with
:func:`partnersim.fast.kernels.run_months`, and writes the state back into the
agents, so that anything read afterwards (summary, partnership table, the
agents themselves) is what the Python stages would have left.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from partnersim import mechanisms as mech
from partnersim._gc import paused
from partnersim.agents import SECTOR_PAIR_KEY, Representative
from partnersim.fast import kernels
from partnersim.fast import layout as L
from partnersim.fast.rng import restore, state_of
from partnersim.stages.meeting import learning_rate

if TYPE_CHECKING:
    from partnersim.model import PartnershipModel

_FUND_KIND = {"statutory": L.FUND_STATUTORY, "vcse": L.FUND_VCSE}
#: the sector-pair keys of Partnership.trust_pairs, in PAIR_KEYS order: the Python stages' own tuples
_PAIR_NAMES = tuple(SECTOR_PAIR_KEY[L.SECTOR_OF_RANK[a], L.SECTOR_OF_RANK[b]] for a, b in L.PAIR_KEYS)

#: the most memory the engine's arrays may take; a larger state runs on the Python stages
MAX_ARRAY_BYTES = 2**30

#: the engine's arrays above which the months prefetch (kernels.prefetch_ahead). Measured on a
#: 32 MB last-level cache: at 600 organisations (about 1 MB) prefetching cost 5-18% of the months,
#: at 6,000 (about 10 MB, in cache) it neither helped nor cost, at 30,000 (about 50 MB) it saved
#: 13-21%. Half that cache sits among the sizes where it does not matter.
PREFETCH_BYTES = 16 * 2**20


class Unsupported(Exception):
    """The state has something the arrays cannot hold; the model runs on the Python stages."""


def parameters(model: PartnershipModel) -> np.ndarray:
    """The parameters the kernels read, as one float array (integers are exact in a float)."""
    p = model.p
    P = np.zeros(L.N_PARAMS)
    names = {
        L.INITIAL_TRUST: "initial_trust",
        L.PERSONAL_WEIGHT: "personal_trust_weight",
        L.TRUST_GAIN: "trust_gain",
        L.TRUST_LOSS: "trust_loss",
        L.BASE_POSITIVE: "base_positive",
        L.ALIGNMENT_EFFECT: "alignment_effect",
        L.TRUST_EFFECT: "trust_effect",
        L.POWER_EFFECT: "power_effect",
        L.POWER_DAMPING: "power_damping",
        L.COMPETITION_EFFECT: "competition_effect",
        L.COORDINATION_HOURS: "coordination_hours",
        L.MEETING_HOURS: "meeting_hours",
        L.PAPER_THRESHOLD: "paper_threshold",
        L.EXIT_THRESHOLD: "exit_threshold",
        L.QUORUM_SHARE: "quorum_share",
        L.VCSE_UNFUNDED: "vcse_unfunded_capacity",
        L.CAPACITY_RECOVERY: "capacity_recovery",
        L.BASE_SCARCITY: "base_scarcity",
        L.SHOCK_SEVERITY: "shock_severity",
        L.FUNDING_END_HIT: "funding_end_commitment_hit",
        L.DEVELOPMENT_PASS: "development_pass",
        L.RENEWAL_PROBABILITY: "renewal_probability",
        L.EVIDENCE_WEIGHT: "evidence_weight",
        L.FUNDING_GAP: "funding_gap",
        L.FUNDING_LENGTH: "funding_length",
        L.GRANT_AMOUNT: "grant_amount",
        L.COORDINATOR_COST: "coordinator_cost",
        L.COORDINATOR: "coordinator",
        L.POWER_FUND_WEIGHT: "power_fund_weight",
        L.COORDINATOR_HOURS: "coordinator_hours",
        L.GRANT_END_WINDOW: "grant_end_window",
        L.GRANT_END_BOOST: "grant_end_turnover_boost",
        L.VACANCY_MONTHS: "vacancy_months",
        L.AGREEMENT_HANDOVER: "agreement_handover",
        L.COORDINATOR_HANDOVER: "coordinator_handover",
        L.NEWCOMER_HIT: "newcomer_commitment_hit",
        L.NETWORKING_RATE: "networking_rate",
        L.NETWORKING_CONTACTS: "networking_contacts",
        L.FUNDING_FLEXIBILITY: "funding_flexibility",
        L.SHORT_GRANT_WEIGHT: "short_grant_weight",
        L.SYNERGY_TRUST_WEIGHT: "synergy_trust_weight",
        L.MATURITY_RATE: "maturity_rate",
        L.STRATEGIC_BOOST: "strategic_boost",
        L.STRATEGIC_DECAY: "strategic_decay_months",
        L.AGREEMENT_COST: "agreement_cost",
        L.EFFECTIVENESS_REFERENCE: "effectiveness_reference",
        L.VOICE_WEIGHT: "voice_weight",
        L.RECIPROCITY_WEIGHT: "reciprocity_weight",
        L.SILENCING: "silencing_factor",
        L.SIZE_COST: "size_cost",
        L.PROGRAMME_DEPENDENCE: "programme_dependence",
        L.COMMITMENT_RATE: "commitment_rate",
        L.WILLINGNESS_TRUST_WEIGHT: "willingness_trust_weight",
        L.RECRUITMENT_RATE: "recruitment_rate",
        L.MAX_MEMBERSHIPS: "max_memberships",
        L.INITIAL_COMMITMENT: "initial_commitment",
        L.ORIENTATION_DRIFT: "orientation_drift",
        L.INACTIVE_MONTHS: "inactive_months",
    }
    for column, name in names.items():
        P[column] = float(getattr(p, name))
    P[L.AUSTERITY_MONTHLY] = mech.annual_to_monthly_probability(p.austerity_rate)
    P[L.BASE_HAZARD] = model.base_hazard
    P[L.FUND_KIND] = _FUND_KIND.get(p.fund_holder, L.FUND_NEUTRAL)
    return P


class Engine:
    """A model's state in arrays, for the months :meth:`run` runs; :meth:`unpack` writes it back."""

    def __init__(self, model: PartnershipModel, *, watch: bool = False) -> None:
        self.model = model
        self.watch = watch
        with paused():  # packing's lists and tuples hold no cycles; a collection would walk the whole model
            self._pack()

    def _pack(self) -> None:
        model = self.model
        p = model.p
        self.P = parameters(model)
        self.st = state_of(model.random)
        orgs = model.organisations
        self.index = {o.unique_id: i for i, o in enumerate(orgs)}
        self.uids = np.array([o.unique_id for o in orgs] + [-1], dtype=np.int64)  # -1: padding of SYSORG
        n = len(orgs)
        S = max(len(s) for s in model.systems)
        self.SYSN = np.array([len(s) for s in model.systems], dtype=np.int64)
        # columns are built as lists and stored at once: item by item, NumPy costs more than the rest
        places = [
            (s, loc, o.unique_id) for s, system in enumerate(model.systems) for loc, o in enumerate(system)
        ]
        sys_, loc_, member = (np.array(col, dtype=np.int64) for col in zip(*places, strict=True))
        member = self._org_index(member)
        self.live = [q for q in model.partnerships_created if q.alive]
        top = model.max_log_budget
        pbw, paw = p.power_budget_weight, p.power_authority_weight
        recovering = model.recovering
        self.OF = np.array(
            [
                (
                    o.capacity,
                    o.base_capacity,
                    o.reserves,
                    o.values,
                    o.power,
                    pbw * (math.log1p(o.budget) / top if top > 0 else 0.0) + paw * o.authority,
                )
                for o in orgs
            ],
            dtype=np.float64,
        ).reshape(n, L.N_OF)
        OI = self.OI = np.zeros((n, L.N_OI), dtype=np.int64)
        OI[member, L.OI_SYS] = sys_
        OI[:, L.OI_NMEM] = [len(o.memberships) for o in orgs]
        OI[:, L.OI_HOLDS] = [o.holds_funds for o in orgs]
        OI[:, L.OI_RANK] = [L.RANK_OF_SECTOR[o.sector] for o in orgs]
        OI[:, L.OI_RECOVERING] = [o in recovering for o in orgs]
        open_ = any(q.membership == "open" for q in self.live)
        K = max([S if open_ else 0] + [len(q.members) for q in self.live] + [1])
        size = 16 * len(model.systems) * S * S + 8 * len(self.live) * K * (S + L.N_SF + L.N_SI)
        if size > MAX_ARRAY_BYTES:
            raise Unsupported(f"the arrays would take {size / 2**20:.0f} MB")
        Q = len(self.live)
        self.QF = np.zeros((Q, L.N_QF))
        self.QI = np.zeros((Q, L.N_QI), dtype=np.int64)
        self.SF = np.zeros((Q, K, L.N_SF))
        self.SI = np.zeros((Q, K, L.N_SI), dtype=np.int64)
        self.PS = np.zeros((Q, 6))
        self.PC = np.zeros((Q, 6))
        self.PO = np.full((Q, 6), -1, dtype=np.int64)
        months = max(0, p.horizon - model.steps)
        self.TH = np.zeros((Q, months + 1))
        # the monthly reporters, when the model keeps a monthly series or run() watches
        self.rows = model.collect or self.watch
        self.R = np.zeros((months + 1 if self.rows else 1, L.N_R))
        self.times: list[float] = []
        # each partnership after each month, when run() watches (see PartnershipModel.Watched)
        self.W = np.full((months if self.watch else 0, Q, L.N_W), np.nan)
        self.first = model.steps + 1
        # the representatives' personal trust, as (seat r * K + k, whom, trust), stored once slots are known
        personal: tuple[list[int], list[int], list[float]] = ([], [], [])
        now = model.steps
        for r, q in enumerate(self.live):
            self._pack_partnership(r, q, now, personal)
        self._check_systems()
        slot = self._slots(n, sys_, loc_, member)
        OI[member, L.OI_LOC] = slot
        self.SYSORG = np.full((len(model.systems), S), -1, dtype=np.int64)
        self.SYSORG[sys_, slot] = member
        self.SLOT = np.zeros((len(model.systems), S), dtype=np.int64)
        self.SLOT[sys_, loc_] = slot
        self._pack_ties(len(model.systems), S)
        self._pack_personal(Q, K, S, *personal)
        self.MS = np.zeros(L.N_MS)
        self.MI = np.zeros(L.N_MI, dtype=np.int64)
        self.MS[L.MS_SCARCITY] = model.scarcity
        self.MS[L.MS_RECORD_TOTAL] = model.record_total
        self.MS[L.MS_VCSE_SHARE_SUM] = model._vcse_share_sum
        self.MS[L.MS_VOICE_GINI_SUM] = model._voice_gini_sum
        self.MI[L.MI_RECORDS_SEEN] = model.records_seen
        self.MI[L.MI_LIVE_MONTHS] = model._live_months
        self.MI[L.MI_DEPARTURES] = model.staff_departures
        self.MI[L.MI_EXITS_LC + L.RANK_LC] = model.exits["large_charity"]
        self.MI[L.MI_EXITS_LC + L.RANK_STAT] = model.exits["statutory"]
        self.MI[L.MI_EXITS_LC + L.RANK_VCSE] = model.exits["vcse"]
        self.MI[L.MI_TIE_STAMP] = self.ties
        # the next membership's stamp: after every place an organisation's memberships have
        self.MI[L.MI_JOIN_STAMP] = max(1, int(OI[:, L.OI_NMEM].max()))
        visited = (self.OF, self.OI, self.QF, self.QI, self.SF, self.SI, self.PT, self.IT, self.IS, self.TH)
        self.far = sum(a.nbytes for a in visited) > PREFETCH_BYTES

    def _seats(self) -> np.ndarray:
        """Which places of SI hold a seat (partnership by column): each row's first ``QI_NM``."""
        return np.arange(self.SI.shape[1]) < self.QI[:, L.QI_NM, None]

    def _check_systems(self) -> None:
        """Every partnership's members share a local system, as the tie and trust matrices assume."""
        seats = self._seats()
        systems = self.OI[self.SI[:, :, L.SI_ORG], L.OI_SYS]
        spans = (seats & (systems != systems[:, :1])).any(axis=1)
        if spans.any():
            raise Unsupported(f"partnership {self.live[int(np.argmax(spans))].number} spans local systems")

    def _slots(self, n: int, sys_: np.ndarray, loc_: np.ndarray, member: np.ndarray) -> np.ndarray:
        """Each place's slot in its system's tie and trust matrices: partnerships' members side by side.

        A meeting reads the trust between every pair of its members; with
        the members in adjacent slots those entries share a few cache lines
        instead of taking a line each, which matters once the matrices
        outgrow the cache. Members take slots in the order of their first
        seat (partnership by partnership), then everyone else in place
        order. Slots only say where a value is stored: whatever follows the
        order of places (networking's draws) reads it through ``SLOT``.
        """
        seated = self.SI[:, :, L.SI_ORG][self._seats()]  # each seat's organisation, in roster order
        first = np.empty(n, dtype=np.int64)
        first[member] = n + np.arange(n)  # the unseated after every seat, in place order
        np.minimum.at(first, seated, np.arange(len(seated)))
        order = np.lexsort((first[member], sys_))
        starts = np.concatenate(([0], np.cumsum(self.SYSN)[:-1]))
        slot = np.empty_like(loc_)
        slot[order] = np.arange(len(order)) - starts[sys_[order]]
        return slot

    def _pack_personal(self, Q: int, K: int, S: int, seat: list, whom: list, trust: list) -> None:
        """The representatives' personal trust, each in its seat's row at the slot of whom it is about."""
        self.PT = np.full((Q, K, S), np.nan)
        if not seat:
            return
        at = np.array(seat, dtype=np.int64)
        j = self._org_index(np.array(whom, dtype=np.int64))
        sys_, loc = self.OI[:, L.OI_SYS], self.OI[:, L.OI_LOC]
        holder = self.SI[:, :, L.SI_ORG].reshape(-1)[at]
        across = sys_[j] != sys_[holder]
        if across.any():
            x = int(np.argmax(across))
            raise Unsupported(
                f"a representative in partnership {self.live[at[x] // K].number} knows {whom[x]} in another system"
            )
        self.PT.reshape(Q * K, S)[at, loc[j]] = trust

    def _org_index(self, uids: np.ndarray) -> np.ndarray:
        """Rows of the organisations with these unique ids (KeyError for one that is not an organisation)."""
        known = self.uids[:-1]  # a model always has organisations (set-up takes the largest budget)
        order = np.argsort(known, kind="stable")
        rows = order[np.minimum(np.searchsorted(known, uids, sorter=order), len(order) - 1)]
        wrong = known[rows] != uids
        if wrong.any():
            raise KeyError(int(uids[np.argmax(wrong)]))
        return rows

    def _pack_ties(self, n_systems: int, S: int) -> None:
        """Every organisation's ties, stamped in the order each organisation met the other (its dict's order)."""
        orgs = self.model.organisations
        owner: list[int] = []
        other: list[int] = []
        trust: list[float] = []
        for i, o in enumerate(orgs):
            tie = o.institutional
            if tie:
                owner.extend([i] * len(tie))
                other.extend(tie)
                trust.extend(tie.values())
        # ties, stamped in each organisation's order of first meeting; every tie stays in a local system
        self.IT = np.full((n_systems, S, S), np.nan)
        self.IS = np.full((n_systems, S, S), -1, dtype=np.int64)
        self.ties = len(owner)
        if not owner:
            return
        a = np.array(owner, dtype=np.int64)
        b = self._org_index(np.array(other, dtype=np.int64))
        sys_, loc = self.OI[:, L.OI_SYS], self.OI[:, L.OI_LOC]
        across = sys_[a] != sys_[b]
        if across.any():
            k = int(np.argmax(across))
            raise Unsupported(f"organisation {orgs[a[k]].unique_id} knows {other[k]} in another local system")
        self.IT[sys_[a], loc[a], loc[b]] = trust
        self.IS[sys_[a], loc[a], loc[b]] = np.arange(len(owner))

    def _pack_partnership(self, r: int, q: Any, now: int, personal: tuple[list, list, list]) -> None:
        g, c = q.grant, q.coordinator
        self.QF[r] = [
            q.orientation,
            q.plan,
            q.lead_values,
            q.synergy,
            q.mean_satisfaction,
            q.mean_commitment,
            q.effectiveness,
            q.maturity,
            q.agreement,
            q.output,
            q.output_total,
            q.mean_trust,
            q.voice_gini,
            q._trust_sum,
            q._commitment_sum,
            q._agreement_sum,
            q.grants_paid,
            q.coordinator_paid_after_grant,
            g.record_sum,
            c.hours,
            c.budget,
            learning_rate(q),
        ]
        holder = self.index[q.fund_holder.unique_id] if q.fund_holder is not None else -1
        self.QI[r] = [
            q.alive,
            q.age,
            -1,
            0,
            q.formal_agreement,
            q.membership == "open",
            q.cross_sector,
            -1 if q.matured_at is None else q.matured_at,
            q.met,
            q.quorate,
            q.months_without_quorum,
            q._months,
            len(q.members),
            g.funded,
            g.start,
            g.end,
            g.phase == "development",
            g.decision_at,
            g.gap_until,
            -1 if g.ended_at is None else g.ended_at,
            g.record_months,
            c.post,
            c.mainstreamed,
            c.vacant_until,
            c.tenure,
            holder,
            q.members_at_end,
            q.started_at,
            0,
        ]
        attending = {m.unique_id for m in q.attendees}
        seat, whom, trust = personal
        K = self.SI.shape[1]
        for k, m in enumerate(q.members):
            uid = m.unique_id
            rep = q.reps[uid]
            has_mt = uid in q.member_trust
            self.SF[r, k] = [
                q.commitment[uid],
                q.satisfaction[uid],
                q.contribution[uid],
                q.willing[uid],
                q.member_trust[uid] if has_mt else 0.0,
            ]
            self.SI[r, k] = [
                self.index[uid],
                uid in q.paper,
                rep.present,
                rep.vacant_until,
                rep.tenure,
                m.memberships.index(q),
                1,
                has_mt,
                uid in attending,
            ]
            if rep.personal:
                seat.extend([r * K + k] * len(rep.personal))
                whom.extend(rep.personal)
                trust.extend(rep.personal.values())
        for j, (key, (s, cnt)) in enumerate(q.trust_pairs.items()):
            pair = L.PAIR_INDEX[L.RANK_OF_SECTOR[key[0]], L.RANK_OF_SECTOR[key[1]]]
            self.PS[r, pair], self.PC[r, pair], self.PO[r, j] = s, cnt, pair

    def run(self, months: int) -> None:
        """Run the next ``months`` months (from ``model.steps + 1``) in one compiled call."""
        first = self.model.steps + 1
        kernels.run_months(
            self.st, self.model.rng, first, months, self.P, self.MS, self.MI, self.OF, self.OI, self.QF,
            self.QI, self.SF, self.SI, self.PT, self.IT, self.IS, self.PS, self.PC, self.PO, self.TH,
            self.SYSORG, self.SLOT, self.SYSN, self.R, self.rows, self.W, self.far,
        )  # fmt: skip
        if self.model.collect:
            # Mesa's clock reads the month number at each collection
            self.times.extend(float(m) for m in range(first, first + months))

    # ------------------------------------------------------------ writing back

    def unpack(self) -> None:
        """Write the arrays back into the model and its agents."""
        with paused():  # tens of thousands of new dicts and floats, all kept
            self._unpack()

    def _unpack(self) -> None:
        model = self.model
        orgs = model.organisations
        OF, OI = self.OF, self.OI
        restore(model.random, self.st)
        memberships: list[list[tuple[int, Any]]] = [[] for _ in orgs]
        for r, q in enumerate(self.live):
            self._unpack_partnership(r, q, memberships)
        # every organisation's ties at once: (organisation, stamp) sorts each one's ties into the order made
        sys_, loc = OI[:, L.OI_SYS], OI[:, L.OI_LOC]
        owner, place = np.nonzero(~np.isnan(self.IT[sys_, loc]))
        stamps = self.IS[sys_[owner], loc[owner], place]
        order = np.lexsort((stamps, owner))
        owner, place = owner[order], place[order]
        values = self.IT[sys_[owner], loc[owner], place].tolist()
        targets = self.uids[self.SYSORG[sys_[owner], place]].tolist()
        ends = np.cumsum(np.bincount(owner, minlength=len(orgs))).tolist()
        caps, powers, holds = OF[:, L.OF_CAP].tolist(), OF[:, L.OF_POWER].tolist(), OI[:, L.OI_HOLDS].tolist()
        start = 0
        for i, o in enumerate(orgs):
            o.capacity, o.power, o.holds_funds = caps[i], powers[i], holds[i]
            o.memberships[:] = [q for _, q in sorted(memberships[i], key=lambda sq: sq[0])]
            o.institutional = dict(zip(targets[start : ends[i]], values[start : ends[i]], strict=True))
            start = ends[i]
        model.recovering = {o for i, o in enumerate(orgs) if OI[i, L.OI_RECOVERING]}
        model.scarcity = float(self.MS[L.MS_SCARCITY])
        model.record_total = float(self.MS[L.MS_RECORD_TOTAL])
        model._vcse_share_sum = float(self.MS[L.MS_VCSE_SHARE_SUM])
        model._voice_gini_sum = float(self.MS[L.MS_VOICE_GINI_SUM])
        model.records_seen = int(self.MI[L.MI_RECORDS_SEEN])
        model._live_months = int(self.MI[L.MI_LIVE_MONTHS])
        model.staff_departures = int(self.MI[L.MI_DEPARTURES])
        for sector in model.exits:
            model.exits[sector] = int(self.MI[L.MI_EXITS_LC + L.RANK_OF_SECTOR[sector]])
        model._trust_month = -1
        model._tally()
        if model.collect:
            self._unpack_reporters()
        if self.watch:
            self._unpack_watched()

    def _unpack_watched(self) -> None:
        """The months watched, as :meth:`PartnershipModel.run` hands them over."""
        from partnersim.model import Watched

        n = self.W.shape[0]
        self.model.watched = Watched(
            partnerships=list(self.live),
            months=np.arange(self.first, self.first + n),
            state=self.W,
            active_partnerships=self.R[:n, L.R_ACTIVE_PARTNERSHIPS].copy(),
            active_members=self.R[:n, L.R_ACTIVE_MEMBERS].copy(),
        )

    def _unpack_reporters(self) -> None:
        """Each month's row of the monthly series, as ReporterCollector.collect would have added it."""
        model = self.model
        dc = model.datacollector
        ended = not (model.running and model.steps < model.p.horizon)
        last = len(self.times) - 1
        summary = {f"summary_{k}": v for k, v in model.summary().items()} if ended and last >= 0 else {}
        columns = [
            (var, attr, L.R_NAMES.get(attr), attr in L.R_INTEGERS) for var, attr in dc.model_reporters.items()
        ]
        rows = self.R.tolist()
        for row, time in enumerate(self.times):
            dc._collection_steps.append(time)
            values = rows[row]
            for var, attr, column, whole in columns:
                if column is not None:
                    value = int(values[column]) if whole else values[column]
                elif row == last and attr in summary:
                    value = summary[attr]
                else:
                    value = getattr(model, attr) if row == last else float("nan")
                dc.model_vars[var].append(value)

    def _unpack_partnership(self, r: int, q: Any, memberships: list) -> None:
        orgs = self.model.organisations
        QF, QI, SF, SI = self.QF[r], self.QI[r], self.SF[r], self.SI[r]
        g, c = q.grant, q.coordinator
        (
            q.orientation, q.plan, _, q.synergy, q.mean_satisfaction, q.mean_commitment, q.effectiveness,
            q.maturity, q.agreement, q.output, q.output_total, q.mean_trust, q.voice_gini, q._trust_sum,
            q._commitment_sum, q._agreement_sum, q.grants_paid, q.coordinator_paid_after_grant, g.record_sum,
            c.hours, c.budget, _,
        ) = QF.tolist()  # fmt: skip
        qi = QI.tolist()
        q.age = qi[L.QI_AGE]
        matured = qi[L.QI_MATURED_AT]
        q.matured_at = None if matured < 0 else matured
        q.met, q.quorate = bool(qi[L.QI_MET]), bool(qi[L.QI_QUORATE])
        q.months_without_quorum, q._months = qi[L.QI_MWQ], qi[L.QI_MONTHS]
        g.funded, g.start, g.end = bool(qi[L.QI_FUNDED]), qi[L.QI_GSTART], qi[L.QI_GEND]
        g.phase = "development" if qi[L.QI_DEVELOPMENT] else "delivery"
        g.decision_at, g.gap_until = qi[L.QI_DECISION_AT], qi[L.QI_GAP_UNTIL]
        g.ended_at = None if qi[L.QI_ENDED_AT] < 0 else qi[L.QI_ENDED_AT]
        g.record_months = qi[L.QI_RECORD_MONTHS]
        c.post, c.vacant_until, c.tenure = bool(qi[L.QI_CPOST]), qi[L.QI_CVACANT], qi[L.QI_CTENURE]
        holder = qi[L.QI_HOLDER]
        q.fund_holder = orgs[holder] if holder >= 0 else None
        q.trust_history.extend(self.TH[r, : qi[L.QI_HISTORY]].tolist())
        # the containers the Python stages change in place are changed in place (the members, the
        # seats and their representatives, the paper members): the same objects, and none new for
        # the cyclic collector to walk
        members, reps = q.members, q.reps
        seated = dict(reps)
        members.clear()
        reps.clear()
        q.paper.clear()
        q.member_trust = {}
        q.commitment, q.satisfaction, q.contribution, q.willing = {}, {}, {}, {}
        q.attendees = []
        nm = qi[L.QI_NM]
        seats, floats = SI[:nm].tolist(), SF[:nm].tolist()
        # each representative's personal trust: the known entries of its row, by place in the local system
        block = self.PT[r, :nm]
        known = ~np.isnan(block)
        per_seat = np.cumsum(known.sum(axis=1)).tolist()
        if nm:
            whom = self.uids[self.SYSORG[self.OI[seats[0][L.SI_ORG], L.OI_SYS]]]
            targets, values = whom[np.nonzero(known)[1]].tolist(), block[known].tolist()
        for k in range(nm):
            si = seats[k]
            m = orgs[si[L.SI_ORG]]
            uid = m.unique_id
            members.append(m)
            if si[L.SI_IN_ORG]:
                memberships[si[L.SI_ORG]].append((si[L.SI_JOINED], q))
            start = per_seat[k - 1] if k else 0
            personal = dict(zip(targets[start : per_seat[k]], values[start : per_seat[k]], strict=True))
            rep = seated.get(uid)
            if rep is None:
                rep = Representative(personal)
            else:
                rep.personal = personal
            rep.present, rep.vacant_until, rep.tenure = (
                bool(si[L.SI_PRESENT]),
                si[L.SI_VACANT],
                si[L.SI_TENURE],
            )
            reps[uid] = rep
            if si[L.SI_PAPER]:
                q.paper.add(uid)
            if si[L.SI_CAME]:  # who came to this month's meeting, even if they went on paper since
                q.attendees.append(m)
            sf = floats[k]
            q.commitment[uid], q.satisfaction[uid], q.contribution[uid], q.willing[uid] = sf[: L.SF_MTRUST]
            if si[L.SI_HAS_MTRUST]:
                q.member_trust[uid] = sf[L.SF_MTRUST]
        q._active = None
        q.forget_trust_layout()
        sums, counts = self.PS[r].tolist(), self.PC[r].tolist()
        kept, q.trust_pairs = q.trust_pairs, {}
        for j in self.PO[r].tolist():
            if j >= 0:
                acc = kept.get(_PAIR_NAMES[j])
                if acc is None:
                    acc = [0.0, 0.0]
                acc[0], acc[1] = sums[j], counts[j]
                q.trust_pairs[_PAIR_NAMES[j]] = acc
        if not qi[L.QI_ALIVE] and q.alive:
            q.alive = False
            q.dissolved_at = qi[L.QI_DISSOLVED_AT]
            q.dissolution_cause = L.CAUSES[qi[L.QI_CAUSE]]
            q.members_at_end = qi[L.QI_MEMBERS_AT_END]
            q.remove()

"""Observations for the stylised-fact tests that the model's own outputs do not keep.

A :class:`FactObserver` is passed to a model
(``PartnershipModel(observer=FactObserver())`` or
``run_model(params, observer=...)``). The model tells it of the start, of the
end of each month (:meth:`FactObserver.month_end`) and of two events:

- ``turnover(partnership, at_risk, left)``: after a partnership's turnover
  stage, how many representatives were at risk of leaving and how many left;
- ``before_replacement(partnership, org)``: just before the representative
  of ``org`` is replaced.

The observer only reads state (and, when asked, forces one incident through
:meth:`PartnershipModel.force_incident`). It draws no random numbers, so a
run with an observer is identical to one without, and a run with an
incident is identical to its control until the incident. Without an
observer the model pays one ``is None`` test per hook.

What it reads from the model, so that another model can keep the contract:
``model.steps``, ``model.partnerships_created``, ``model.exits`` (exits by
sector), ``model.p["funding_length"]``; and of each partnership ``alive``,
``dissolved_at``, ``started_at``, ``funded``, ``months_to_grant_end()``,
``members``, ``active_members``, ``reps[uid].present``, ``mean_trust``,
``maturity`` (ceiling ``maturity_ceiling`` if it has one, else 1) and
``trust(a, b)``, the effective trust of member ``a`` in ``b``.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["INCIDENT_DELAY", "INCIDENT_MONTH", "MATURE_SHARE", "FactObserver"]

#: the month at which the incident experiment picks one pair per working partnership (fact 7c)
INCIDENT_MONTH = 24
#: months after the incident at which the pair's trust is read (fact 7c)
INCIDENT_DELAY = 24
#: maturity counts as reached at this share of its ceiling (magnitude check, 001:199)
MATURE_SHARE = 0.8


class FactObserver:
    """Records what the stylised-fact outcomes need, month by month.

    Args:
        incident: at the end of month :data:`INCIDENT_MONTH`, force one bad
            interaction on the chosen pair of each working partnership
            (fact 7c). The pairs are chosen, and read
            :data:`INCIDENT_DELAY` months later, whether or not this is set,
            so the control run of the same seed reads the same pairs.

    Attributes (after a run):
        trust_by_month: month -> mean over working partnerships of their
            mean effective trust (NaN when none works); months 0..horizon.
        member_months: sector -> member-months of membership (members,
            active or on paper, of working partnerships at each month's end).
        at_risk, departures: grant phase (``"last_6"``: the grant's last six
            months; ``"months_7_24"``: its months 7 to 24) -> representative
            months at risk of leaving, and departures, in funded partnerships.
        replaced_changes, other_changes: ``[sum, count]`` of the monthly
            change in effective trust of the ordered member pairs that
            include a member whose representative was replaced that month,
            and of the other pairs in the same partnerships and months.
        incident_pairs: ``(partnership, a, b)`` chosen at month
            :data:`INCIDENT_MONTH`; ``incident_pair_trust``: their mean
            effective trust (both directions) :data:`INCIDENT_DELAY` months
            later (NaN if the run is shorter).
        last_funded: partnership number -> the last month its grant paid for;
        funded_at_dissolution: partnership number -> whether it was funded
            in the month it dissolved;
        mature_at: partnership number -> the first age (months) at which its
            maturity reached :data:`MATURE_SHARE` of the ceiling.
    """

    def __init__(self, *, incident: bool = False) -> None:
        self.incident = incident
        self.trust_by_month: dict[int, float] = {}
        self.member_months: dict[str, int] = {}
        self.at_risk = {"last_6": 0, "months_7_24": 0}
        self.departures = {"last_6": 0, "months_7_24": 0}
        self.replaced_changes = [0.0, 0]
        self.other_changes = [0.0, 0]
        self.incident_pairs: list[tuple[Any, Any, Any]] = []
        self.incident_pair_trust = float("nan")
        self.last_funded: dict[int, int] = {}
        self.funded_at_dissolution: dict[int, bool] = {}
        self.mature_at: dict[int, int] = {}
        # partnership number -> (partnership, pair trust before the first replacement, replaced ids)
        self._before: dict[int, tuple[Any, dict[tuple[int, int], float], set[int]]] = {}

    # ------------------------------------------------------------ hooks called by the model

    def start(self, model: Any) -> None:
        self.trust_by_month[model.steps] = _mean_partnership_trust(model)

    def turnover(self, partnership: Any, at_risk: int, left: int) -> None:
        """Representatives at risk and leaving this month, by the grant's phase (fact 12)."""
        if not partnership.funded:
            return
        to_end = partnership.months_to_grant_end()
        month_of_grant = partnership.model.p["funding_length"] - to_end  # 1 = the grant's first month
        if 0 <= to_end < 6:
            phase = "last_6"
        elif 7 <= month_of_grant <= 24:
            phase = "months_7_24"
        else:
            return
        self.at_risk[phase] += at_risk
        self.departures[phase] += left

    def before_replacement(self, partnership: Any, org: Any) -> None:
        """Keep the pair trust of this partnership as it was before this month's first replacement (fact 7b)."""
        entry = self._before.get(partnership.number)
        if entry is None:
            entry = (partnership, _pair_trust(partnership), set())
            self._before[partnership.number] = entry
        entry[2].add(org.unique_id)

    def month_end(self, model: Any) -> None:
        now = model.steps
        self.trust_by_month[now] = _mean_partnership_trust(model)
        months = self.member_months
        for q in model.partnerships_created:
            if q.alive:
                for m in q.members:
                    months[m.sector] = months.get(m.sector, 0) + 1
                if q.funded:
                    self.last_funded[q.number] = now
                if q.number not in self.mature_at and q.maturity >= MATURE_SHARE * _ceiling(q):
                    self.mature_at[q.number] = now - q.started_at
            elif q.dissolved_at == now:
                self.funded_at_dissolution[q.number] = bool(q.funded)
                if q.funded:
                    self.last_funded[q.number] = now
        self._replacement_changes()
        if now == INCIDENT_MONTH:
            self._choose_pairs(model)
        elif now == INCIDENT_MONTH + INCIDENT_DELAY and self.incident_pairs:
            self.incident_pair_trust = sum(
                (q.trust(a, b) + q.trust(b, a)) / 2.0 for q, a, b in self.incident_pairs
            ) / len(self.incident_pairs)

    # ------------------------------------------------------------ internals

    def _replacement_changes(self) -> None:
        for q, before, replaced in self._before.values():
            if not q.alive:
                continue
            after = _pair_trust(q)
            for pair, old in before.items():
                new = after.get(pair)
                if new is None:
                    continue
                acc = (
                    self.replaced_changes
                    if pair[0] in replaced or pair[1] in replaced
                    else self.other_changes
                )
                acc[0] += new - old
                acc[1] += 1
        self._before.clear()

    def _choose_pairs(self, model: Any) -> None:
        """One pair per working partnership: its first two active members with a representative in post."""
        for q in model.partnerships_created:
            if not q.alive:
                continue
            present = [m for m in q.active_members if q.reps[m.unique_id].present]
            if len(present) < 2:
                continue
            a, b = present[0], present[1]
            self.incident_pairs.append((q, a, b))
            if self.incident:
                model.force_incident(q, a, b)


def _ceiling(partnership: Any) -> float:
    return float(getattr(partnership, "maturity_ceiling", 1.0))


def _mean_partnership_trust(model: Any) -> float:
    values = [q.mean_trust for q in model.partnerships_created if q.alive]
    return sum(values) / len(values) if values else math.nan


def _pair_trust(partnership: Any) -> dict[tuple[int, int], float]:
    """Effective trust of every ordered pair of active members."""
    members = partnership.active_members
    return {
        (a.unique_id, b.unique_id): partnership.trust(a, b) for a in members for b in members if a is not b
    }

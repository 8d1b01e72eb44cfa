"""Summary statistics the model computes for the calibration targets.

This module is the one place that reads the model for a calibration: the
driver, the distance and the reports only see the numbers returned here.
Each statistic is a small named function of one observed run
(:class:`RunRecord`) and returns either a count out of a total (for
targets that the reports give as counts) or a value (for ranges).

Statistics look only at the *founding* partnerships of a run (those
present at month 0), so that each run is a cohort, like the sites of a
programme in the reports.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from partnersim import mechanisms as mech
from partnersim._gc import paused
from partnersim.fast import layout as L
from partnersim.model import PartnershipModel, release

__all__ = [
    "STATISTICS",
    "Count",
    "RunRecord",
    "Statistic",
    "observe_run",
    "statistic",
]


@dataclass(frozen=True)
class Count:
    """``k`` of ``n`` (a binomial observation)."""

    k: int
    n: int

    @property
    def share(self) -> float:
        """``k / n`` (NaN when ``n`` is 0)."""
        return self.k / self.n if self.n else float("nan")


@dataclass
class RunRecord:
    """What one model run leaves for the statistics.

    Attributes:
        table: the partnership table (:meth:`PartnershipModel.partnership_table`).
        horizon: months run.
        params: the run's validated parameters.
        members_per_partnership: active members per working partnership, month by month (1..horizon).
        first_month_at: ``{level: {partnership number: first month its maturity reached level}}``.
        grants_started: founding partnership number -> grants started (1 = never renewed).
        extra: anything a model reports that a statistic may read (``coordinator_relationship_share``...).
    """

    table: pd.DataFrame
    horizon: int
    params: dict[str, Any]
    members_per_partnership: list[float] = field(default_factory=list)
    first_month_at: dict[float, dict[int, int]] = field(default_factory=dict)
    grants_started: dict[int, int] = field(default_factory=dict)
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def founding(self) -> pd.DataFrame:
        """The partnerships present at month 0, with months as floats (NaN for never)."""
        t = self.table
        t = t[t["started_at"] == 0].copy() if len(t) else t.copy()
        for col in ("dissolved_at", "funding_ended_at"):
            t[col] = pd.to_numeric(t[col], errors="coerce").astype(float)
        return t


#: maturity levels whose first crossing is recorded for every founding partnership
MATURITY_LEVELS = (0.5, 0.8)


def observe_run(params: Mapping[str, Any]) -> RunRecord:
    """Run the model and record what the statistics need, month by month.

    ``params`` are model parameters with ``rng`` (the seed). No monthly
    series are collected (``collect=False``); the few monthly quantities the
    statistics need come from ``run(watch=True)`` (:class:`~partnersim.model.Watched`),
    which the compiled engine records as it runs. The model is released
    afterwards, with the collector paused while it lives (see
    :func:`~partnersim.model.run_for_outputs`).
    """
    with paused():
        model = PartnershipModel(collect=False, **params)
        try:
            return _record(model)
        finally:
            release(model)


def _record(model: PartnershipModel) -> RunRecord:
    """Run ``model`` (fresh from set-up) with ``watch=True`` and read its record."""
    model.record_events = False
    founding = list(model.partnerships_created)
    starts = [q.grant_end for q in founding]
    model.run(watch=True)
    watched = model.watched
    assert watched is not None and watched.partnerships == founding
    state, months = watched.state, watched.months.tolist()
    alive = state[:, :, L.W_ALIVE] == 1.0
    numbers = [q.number for q in founding]
    members = [
        m / n if n else float("nan")
        for n, m in zip(watched.active_partnerships.tolist(), watched.active_members.tolist(), strict=True)
    ]
    # grants started: the distinct grant ends a partnership had while alive, its first included
    ends = state[:, :, L.W_GRANT_END]
    grants = {
        number: len({start, *ends[alive[:, j], j].astype(int).tolist()})
        for j, (number, start) in enumerate(zip(numbers, starts, strict=True))
    }
    # each level's first crossing, in the order the months found them (then creation order)
    crossed: dict[float, dict[int, int]] = {}
    for lvl in MATURITY_LEVELS:
        reached = alive & (state[:, :, L.W_MATURITY] >= lvl)
        firsts = sorted((int(reached[:, j].argmax()), j) for j in np.flatnonzero(reached.any(axis=0)))
        crossed[lvl] = {numbers[j]: months[row] for row, j in firsts}
    # the coordinator's relationship share, over coordinated partnership-months in month order
    coordinated = (
        alive & (state[:, :, L.W_COORDINATOR_PRESENT] == 1.0) & (state[:, :, L.W_COORDINATOR_BUDGET] > 0.0)
    )
    total, n = 0.0, 0
    for hours, budget in zip(
        state[:, :, L.W_COORDINATOR_HOURS][coordinated].tolist(),
        state[:, :, L.W_COORDINATOR_BUDGET][coordinated].tolist(),
        strict=True,
    ):
        total += mech.relationship_share(hours, budget)
        n += 1
    return RunRecord(
        table=model.partnership_table(),
        horizon=int(model.p.horizon),
        params=dict(model.p),
        members_per_partnership=members,
        first_month_at=crossed if founding else {},
        grants_started=grants,
        extra={"coordinator_relationship_share": total / n} if n else {},
    )


# ------------------------------------------------------------------ the statistics


@dataclass(frozen=True)
class Statistic:
    """One summary statistic.

    Attributes:
        name: the name a calibration file uses.
        kind: ``count`` (a :class:`Count`) or ``value`` (a float; NaN when undefined).
        help: what it measures, in words.
        args: the arguments it takes and their defaults.
        compute: ``compute(record, **args)``.
        needs_horizon: ``needs_horizon(args)``, the shortest horizon that makes it defined.
    """

    name: str
    kind: str
    help: str
    args: dict[str, Any]
    compute: Callable[..., Count | float]
    needs_horizon: Callable[[Mapping[str, Any]], int] = lambda args: 1


def dissolved_within(record: RunRecord, months: int) -> Count:
    """Founding partnerships that dissolved in their first ``months`` months, of all founding ones."""
    f = record.founding
    done = f["dissolved_at"].notna() & (f["dissolved_at"] <= months)
    return Count(int(done.sum()), len(f))


def failed_while_funded(record: RunRecord) -> Count:
    """Founding partnerships that dissolved while their grant still paid, of those whose outcome is known.

    Known: dissolved, or funding ended for good. A partnership still funded
    at the horizon could yet fail or reach its grant end, so it is left out.
    """
    f = record.founding
    ended = f["funding_ended_at"].notna()
    dissolved = f["dissolved_at"].notna()
    while_funded = dissolved & (~ended | (f["dissolved_at"] <= f["funding_ended_at"]))
    known = while_funded | ended
    return Count(int(while_funded.sum()), int(known.sum()))


def sustained_after_funding(record: RunRecord, legacy_months: int) -> Count:
    """Founding partnerships still working ``legacy_months`` after their funding ended for good.

    Of those whose outcome is known by the horizon: failed while funded (not
    sustained), or funding ended at least ``legacy_months`` before the horizon.
    """
    f = record.founding
    ended = f["funding_ended_at"]
    dissolved = f["dissolved_at"]
    while_funded = dissolved.notna() & (ended.isna() | (dissolved <= ended))
    observable = ended.notna() & (ended + legacy_months <= record.horizon) & ~while_funded
    end = dissolved.fillna(record.horizon)
    sustained = observable & (end - ended >= legacy_months)
    return Count(int(sustained.sum()), int((observable | while_funded).sum()))


def renewed_at_first_end(record: RunRecord) -> Count:
    """Founding partnerships that started a second grant, of all founding ones.

    Needs a horizon past the first grant end plus any gap; a partnership
    that dissolves before its first grant end counts as not renewed.
    """
    f = record.founding
    k = sum(record.grants_started.get(int(n), 1) > 1 for n in f["partnership"])
    return Count(int(k), len(f))


def months_to_mature(record: RunRecord, level: float, alive_at: int) -> float:
    """Median month at which maturity first reached ``level``, over founding partnerships working at ``alive_at``.

    A partnership that has not reached it by the horizon counts as the
    horizon + 1 (censored above; the median stays right while fewer than
    half are censored). NaN when no founding partnership works at ``alive_at``.
    """
    if level not in record.first_month_at:
        raise KeyError(f"maturity level {level} is not recorded (recorded: {MATURITY_LEVELS})")
    f = record.founding
    alive = f["dissolved_at"].isna() | (f["dissolved_at"] > alive_at)
    numbers = [int(n) for n in f.loc[alive, "partnership"]]
    if not numbers:
        return float("nan")
    reached = record.first_month_at[level]
    months = [reached.get(n, record.horizon + 1) for n in numbers]
    return float(np.median(months))


def core_group_size(record: RunRecord, months: int) -> float:
    """Active members (not partners on paper) per working partnership, averaged over months 1..``months``."""
    values = [v for v in record.members_per_partnership[:months] if not math.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


def coordinator_relationship_share(record: RunRecord) -> float:
    """Share of a coordinator's hours spent on keeping relationships up, averaged over months with a coordinator."""
    if "coordinator_relationship_share" not in record.extra:
        return float("nan")
    return record.extra["coordinator_relationship_share"]


STATISTICS: dict[str, Statistic] = {
    s.name: s
    for s in [
        Statistic(
            "dissolved_within",
            "count",
            "founding partnerships that dissolved in their first `months` months",
            {"months": 12},
            dissolved_within,
            lambda a: int(a["months"]),
        ),
        Statistic(
            "failed_while_funded",
            "count",
            "founding partnerships that dissolved while their grant still paid, of those whose outcome is known",
            {},
            failed_while_funded,
        ),
        Statistic(
            "sustained_after_funding",
            "count",
            "founding partnerships still working `legacy_months` after their funding ended for good",
            {"legacy_months": 12},
            sustained_after_funding,
        ),
        Statistic(
            "renewed_at_first_end",
            "count",
            "founding partnerships that started a second grant",
            {},
            renewed_at_first_end,
        ),
        Statistic(
            "months_to_mature",
            "value",
            "median month at which a partnership's maturity first reached `level`, among those working at `alive_at`",
            {"level": 0.8, "alive_at": 60},
            months_to_mature,
            lambda a: int(a["alive_at"]),
        ),
        Statistic(
            "core_group_size",
            "value",
            "active members per working partnership, averaged over months 1..`months`",
            {"months": 24},
            core_group_size,
            lambda a: int(a["months"]),
        ),
        Statistic(
            "coordinator_relationship_share",
            "value",
            "share of a coordinator's hours spent keeping relationships up",
            {},
            coordinator_relationship_share,
        ),
    ]
}


def statistic(name: str) -> Statistic:
    """The statistic called ``name`` (KeyError naming the known ones otherwise)."""
    try:
        return STATISTICS[name]
    except KeyError:
        raise KeyError(f"unknown statistic {name!r}: known are {', '.join(STATISTICS)}") from None


def available(stat: Statistic, probe: RunRecord) -> bool:
    """Whether the model reports what ``stat`` reads (checked on a short probe run)."""
    if stat.name == "months_to_mature":
        return bool(probe.first_month_at)
    if stat.name == "coordinator_relationship_share":
        return "coordinator_relationship_share" in probe.extra
    return True

"""The summary statistics on partnership tables with known answers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from partnersim import fast
from partnersim.calibration.statistics import (
    RunRecord,
    coordinator_relationship_share,
    core_group_size,
    dissolved_within,
    failed_while_funded,
    months_to_mature,
    observe_run,
    renewed_at_first_end,
    sustained_after_funding,
)
from partnersim.model import PartnershipModel

NAN = float("nan")


def _record(rows: list[dict], horizon: int = 60, **kw) -> RunRecord:
    table = pd.DataFrame(rows)
    return RunRecord(table=table, horizon=horizon, params={}, **kw)


def _row(n, dissolved=None, ended=None, started=0):
    return {"partnership": n, "started_at": started, "dissolved_at": dissolved, "funding_ended_at": ended}


ROWS = [
    _row(1, dissolved=5.0),  # failed while funded, in the first year
    _row(2, dissolved=40.0, ended=36.0),  # ended, dissolved 4 months later: not sustained
    _row(3, ended=36.0),  # ended and still working at 60: sustained
    _row(4, dissolved=20.0),  # failed while funded
    _row(5, ended=55.0),  # ended too late to tell
    _row(6),  # still funded at the horizon: unknown
    _row(7, started=10),  # formed later: not a founding partnership
]


def test_dissolved_within_counts_founding_partnerships():
    rec = _record(ROWS)
    assert dissolved_within(rec, 12) == dissolved_within(rec, 19)
    assert (dissolved_within(rec, 12).k, dissolved_within(rec, 12).n) == (1, 6)
    assert dissolved_within(rec, 20).k == 2


def test_failed_while_funded_leaves_out_the_undecided():
    c = failed_while_funded(_record(ROWS))
    assert (c.k, c.n) == (2, 5)  # 1 and 4 of {1, 2, 3, 4, 5}; 6 is still funded


def test_sustained_after_funding_counts_failures_while_funded_as_not_sustained():
    c = sustained_after_funding(_record(ROWS), 12)
    assert (c.k, c.n) == (1, 4)  # 3 of {1, 2, 3, 4}; 5 ended too late to tell


def test_renewed_reads_grants_started():
    rec = _record(ROWS, grants_started={1: 1, 2: 2, 3: 3, 4: 1, 5: 1, 6: 1})
    c = renewed_at_first_end(rec)
    assert (c.k, c.n) == (2, 6)


def test_months_to_mature_censors_at_the_horizon():
    rec = _record(ROWS, first_month_at={0.8: {3: 30, 5: 50}})
    # working at 30: 2, 3, 5, 6 -> 61, 30, 50, 61 -> median 55.5
    assert months_to_mature(rec, 0.8, 30) == 55.5


def test_core_group_size_skips_months_without_partnerships():
    rec = _record(ROWS, members_per_partnership=[4.0, 6.0, NAN, 100.0])
    assert core_group_size(rec, 3) == 5.0


def test_observe_run_matches_the_model_table():
    rec = observe_run({"horizon": 30, "n_partnerships": 4, "rng": 3})
    assert len(rec.members_per_partnership) == 30
    assert set(rec.grants_started) == set(rec.founding["partnership"])
    assert all(v >= 1 for v in rec.grants_started.values())
    assert 0.8 in rec.first_month_at


def test_coordinator_relationship_share_is_the_share_of_hours_tasks_use():
    # one task as long as the whole month: organising the meeting uses every hour (share 1)
    full = observe_run({"horizon": 12, "n_partnerships": 3, "rng": 1, "coordination_hours": 40.0})
    assert coordinator_relationship_share(full) == 1.0
    # tasks longer than the month: none is done, every hour goes on evidence and bids (share 0)
    none = observe_run(
        {"horizon": 12, "n_partnerships": 3, "rng": 1, "coordinator_hours": 10.0, "coordination_hours": 20.0}
    )
    assert coordinator_relationship_share(none) == 0.0
    # at the defaults a share in between; cheaper tasks use a smaller share of the month
    mid = coordinator_relationship_share(observe_run({"horizon": 12, "n_partnerships": 3, "rng": 1}))
    quick = coordinator_relationship_share(
        observe_run({"horizon": 12, "n_partnerships": 3, "rng": 1, "coordination_hours": 0.5})
    )
    assert 0.0 < quick < mid < 1.0


def test_without_a_coordinator_there_is_no_share():
    rec = observe_run({"horizon": 12, "n_partnerships": 3, "rng": 1, "coordinator": False})
    assert math.isnan(coordinator_relationship_share(rec))


def test_a_month_without_a_coordinators_hours_has_no_share():
    from partnersim.model import PartnershipModel

    # the holder leaves and the seat is filled the same month: that month had no hours to spend
    model = PartnershipModel(staff_turnover=0.9, vacancy_months=0, n_partnerships=4, rng=2, collect=False)
    seen = left = 0
    for _ in range(36):
        model.step()
        for q in model.partnerships:
            share = q.coordinator_relationship_share
            coord = q.coordinator
            if q.alive and coord.post and coord.vacant_until == model.steps and coord.budget == 0.0:
                left += 1
                assert share is None
            elif share is not None:
                seen += 1
                assert 0.0 <= share <= 1.0
    assert left > 0 and seen > 0


def _observe_by_reading_agents(params: dict) -> RunRecord:
    """The reference: step the model month by month and read the founding partnerships after each."""
    model = PartnershipModel(collect=False, **params)
    model.record_events = False
    founding = list(model.partnerships_created)
    crossed: dict[float, dict[int, int]] = {lvl: {} for lvl in (0.5, 0.8)}
    grant_ends = {q.number: {q.grant_end} for q in founding}
    members, share_sum, share_n = [], 0.0, 0
    while model.running and model.steps < model.p["horizon"]:
        model.step()
        n_alive = model.active_partnerships
        members.append(model.active_members / n_alive if n_alive else NAN)
        for q in founding:
            if not q.alive:
                continue
            grant_ends[q.number].add(q.grant_end)
            for lvl in crossed:
                if q.maturity >= lvl and q.number not in crossed[lvl]:
                    crossed[lvl][q.number] = model.steps
            share = q.coordinator_relationship_share
            if share is not None:
                share_sum, share_n = share_sum + share, share_n + 1
    return RunRecord(
        table=model.partnership_table(),
        horizon=int(model.p["horizon"]),
        params=dict(model.p),
        members_per_partnership=members,
        first_month_at=crossed,
        grants_started={k: len(v) for k, v in grant_ends.items()},
        extra={"coordinator_relationship_share": share_sum / share_n} if share_n else {},
    )


@pytest.mark.parametrize(
    "setting",
    [
        {},
        {"coordinator": False},
        {"coordination_hours": 0.5, "staff_turnover": 0.9, "vacancy_months": 0},
        {"funding_length": 12, "funding_gap": 3, "austerity_rate": 0.9, "renewal_probability": 0.9},
        {"membership": "open", "recruitment_rate": 0.5, "maturity_rate": 0.2},
        {"formation": True, "formation_rate": 3.0},  # runs on the Python stages
    ],
    ids=str,
)
@pytest.mark.parametrize("engine", ["compiled", "python"])
def test_observe_run_records_what_reading_the_agents_month_by_month_gives(setting, engine, monkeypatch):
    monkeypatch.setenv(fast.ENGINE_VARIABLE, engine)
    for seed in (0, 1, 2):
        params = {"horizon": 72, **setting, "rng": seed}
        got, want = observe_run(params), _observe_by_reading_agents(params)
        assert got.table.equals(want.table)
        assert got.params == want.params and got.horizon == want.horizon
        assert len(got.members_per_partnership) == len(want.members_per_partnership) == 72
        for x, y in zip(got.members_per_partnership, want.members_per_partnership, strict=True):
            assert x == y or (math.isnan(x) and math.isnan(y))
        # same keys in the same order, same months: the statistics see the same record
        assert [list(v.items()) for v in got.first_month_at.values()] == [
            list(v.items()) for v in want.first_month_at.values()
        ]
        assert list(got.first_month_at) == list(want.first_month_at)
        assert list(got.grants_started.items()) == list(want.grants_started.items())
        assert got.extra == want.extra

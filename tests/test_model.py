"""The model's public API: agents, reporters, tables, determinism, Mesa interop, scale."""

from __future__ import annotations

import math

import mesa
import numpy as np
import pandas as pd
import pytest

import partnersim
from partnersim import (
    LargeCharity,
    Organisation,
    Partnership,
    PartnershipModel,
    SmallVCSE,
    StatutoryBody,
    simulate,
)
from partnersim.mechanisms import DISSOLUTION_CAUSES
from partnersim.model import END_REPORTERS, MODEL_REPORTERS, SUMMARY_NAMES

REQUIRED_REPORTERS = {
    "active_partnerships",
    "trust_all",
    "voice_gini",
    "vcse_share",
    "output",
    "staff_departures",
}
TABLE_COLUMNS = {
    "lifetime", "censored", "survived_funding_end", "cause", "mean_trust", "output",
    "synergy", "satisfaction", "commitment", "effectiveness",
}  # fmt: skip


@pytest.fixture(scope="module")
def model() -> PartnershipModel:
    return PartnershipModel(rng=7).run()


def test_agents_by_type_split_the_three_kinds_and_partnerships():
    m = PartnershipModel(rng=1)
    by_type = m.agents_by_type
    assert len(by_type[StatutoryBody]) == 15
    assert len(by_type[LargeCharity]) == 10
    assert len(by_type[SmallVCSE]) == 35
    assert len(by_type[Partnership]) == 10
    assert all(isinstance(a, Organisation) and isinstance(a, mesa.Agent) for a in m.organisations)
    # every founding partnership is led by a statutory body and has the brief's size
    for q in m.partnerships_created:
        assert len(q.members) == 5
        assert any(o.sector == "statutory" for o in q.members)


def test_datacollector_has_the_required_reporters(model):
    ts = model.timeseries()
    assert REQUIRED_REPORTERS <= set(MODEL_REPORTERS) <= set(ts.columns)
    assert len(ts) == model.p["horizon"] + 1  # month 0 plus every month
    assert ts.index.name == "month"
    assert not model.running


def test_partnership_table(model):
    table = model.partnership_table()
    assert isinstance(table, pd.DataFrame)
    assert set(table.columns) >= TABLE_COLUMNS
    assert len(table) == 10
    dead = table[~table["censored"]]
    assert (dead["cause"] != "").all()
    assert (table.loc[table["censored"], "cause"] == "").all()
    assert table["lifetime"].between(0, 120).all()
    assert set(dead["cause"]) <= set(DISSOLUTION_CAUSES)


def test_simulate_returns_plain_float_summary():
    out = simulate(rng=3, horizon=36)
    assert list(out) == list(SUMMARY_NAMES)
    assert all(type(v) is float and math.isfinite(v) for v in out.values())
    assert 0 <= out["survival_rate"] <= 1 and 0 <= out["legacy_rate"] <= 1


def test_same_seed_same_results_different_seed_different():
    a = PartnershipModel(rng=11).run()
    b = PartnershipModel(rng=11).run()
    c = PartnershipModel(rng=12).run()
    pd.testing.assert_frame_equal(a.timeseries(), b.timeseries())
    pd.testing.assert_frame_equal(a.partnership_table(), b.partnership_table())
    assert simulate(rng=11) == simulate(rng=11)
    assert not a.timeseries().equals(c.timeseries())
    assert simulate(rng=11) != simulate(rng=12)


def test_event_log_does_not_change_the_run():
    quiet = PartnershipModel(rng=5)
    quiet.record_events = False
    loud = PartnershipModel(rng=5)
    pd.testing.assert_frame_equal(quiet.run().timeseries(), loud.run().timeseries())
    assert loud.events and all(text.startswith(f"Month {month}:") for month, text in loud.events)


def test_mesa_batch_run_works_unchanged():
    results = mesa.batch_run(
        PartnershipModel,
        parameters={"funding_length": [12, 36], "horizon": 24},
        rng=[1, 2],
        number_processes=1,
        data_collection_period=-1,
        max_steps=1000,
        display_progress=False,
    )
    df = pd.DataFrame(results)
    assert len(df) == 4
    assert (df["Step"] == 24).all()
    assert set(df.columns) >= REQUIRED_REPORTERS
    # batch_run's runs equal direct runs with the same seed
    direct = PartnershipModel(funding_length=12, horizon=24, rng=1).run()
    row = df[(df["funding_length"] == 12) & (df["rng"] == 1)].iloc[0]
    assert row["trust_all"] == pytest.approx(direct.trust_all)
    assert row["active_partnerships"] == direct.active_partnerships
    assert row["summary_mean_trust"] == pytest.approx(direct.summary()["mean_trust"])


def test_region_of_six_thousand_organisations_runs_with_sparse_trust():
    m = PartnershipModel(
        rng=2, n_statutory=1500, n_large_charity=1000, n_small_vcse=3500, n_partnerships=1000, horizon=3
    )
    m.record_events = False
    m.run()
    assert m.steps == 3 and len(m.organisations) == 6000
    assert m.active_partnerships > 900
    ties = sum(len(o.institutional) for o in m.organisations)
    # prior ties stay in local systems: linear in organisations, not n^2 (18 million pairs)
    expected = m.p["prior_tie_density"] * (m.p["local_network_size"] - 1)
    assert ties / 6000 < 3 * expected + 20
    reps = [r for q in m.partnerships_created for r in q.reps.values()]
    assert max(len(r.personal) for r in reps) < 60


def test_formation_adds_partnerships_by_both_routes():
    m = PartnershipModel(rng=4, formation=True, formation_rate=24.0, horizon=60).run()
    routes = {q.route for q in m.partnerships_created}
    assert {"ties", "funder_call"} <= routes
    assert len(m.partnerships_created) > 10


def test_funding_end_removes_unmainstreamed_coordinator_and_logs_it():
    m = PartnershipModel(
        rng=9,
        renewal_probability=0.0,
        evidence_weight=0.0,
        funding_length=12,
        development_months=0,
        horizon=14,
    ).run()
    # some partnerships fail while funded; every one still working when the grant ends loses its post
    reached = [q for q in m.partnerships_created if q.dissolved_at is None or q.dissolved_at > 12]
    assert len(reached) >= 5
    for q in reached:
        assert q.funding_ended_at == 12
        assert not q.coordinator_post
    assert any("coordinator post went" in text for _, text in m.events)
    kept = PartnershipModel(
        rng=9,
        renewal_probability=0.0,
        evidence_weight=0.0,
        funding_length=12,
        development_months=0,
        horizon=14,
        coordinator_mainstreamed=True,
    ).run()
    assert all(q.coordinator_post for q in kept.partnerships_created)


def test_a_budget_shock_shakes_voluntary_members_commitment_by_their_reserves():
    from partnersim.stages import funding

    m = PartnershipModel(rng=5, horizon=6).run()
    before = {
        (q.unique_id, o.unique_id): q.commitment[o.unique_id]
        for q in m.partnerships_created
        if q.alive
        for o in q.members
    }
    sectors = {o.unique_id: o for o in m.organisations}
    funding.withdraw_voluntary_money(m)
    hit = m.p["funding_end_commitment_hit"]
    seen = set()
    for (qid, uid), c in before.items():
        q = next(q for q in m.partnerships_created if q.unique_id == qid)
        org = sectors[uid]
        expected = c if org.sector == "statutory" else max(0.0, c - hit / (1.0 + org.reserves))
        assert q.commitment[uid] == pytest.approx(expected)
        seen.add(org.sector)
    assert seen == {"statutory", "large_charity", "vcse"}


def test_a_development_phase_the_funder_does_not_pass_ends_the_money_early():
    m = PartnershipModel(
        rng=9, development_months=6, development_pass=0.0, evidence_weight=0.0, horizon=9
    ).run()
    # a partnership that fails in its development phase never reaches the decision
    reached = [q for q in m.partnerships_created if q.dissolved_at is None or q.dissolved_at > 6]
    assert len(reached) >= 5
    assert all(q.funding_ended_at == 6 for q in reached)
    # no staff turnover: the coordinator is always there to write the bid
    passed = PartnershipModel(
        rng=9, development_months=6, development_pass=1.0, evidence_weight=0.0, staff_turnover=0.0, horizon=9
    ).run()
    assert all(q.funding_ended_at is None for q in passed.partnerships_created)
    assert any("taken on after its development phase" in text for _, text in passed.events)


def test_full_renewal_keeps_funding():
    m = PartnershipModel(
        rng=9,
        renewal_probability=1.0,
        development_pass=1.0,
        evidence_weight=0.0,
        funding_length=12,
        staff_turnover=0.0,
        horizon=60,
    ).run()
    # with a coordinator always in post to write the bid, every grant is renewed
    assert all(q.funding_ended_at is None for q in m.partnerships_created)


def test_renewal_follows_the_record_when_evidence_counts():
    """With evidence weighted, grants renewed at their end had better records than grants not renewed."""
    decided = []
    for seed in range(6):
        m = PartnershipModel(
            rng=seed, evidence_weight=2.0, development_months=0, funding_length=12, horizon=40
        )
        m.record_events = False
        while m.running:
            due = {
                q.number: q.grant.evidence()
                for q in m.partnerships_created
                if q.alive and q.funded and m.steps + 1 > q.grant.decision_at
            }
            m.step()
            decided += [
                (due[q.number], q.grant.ended_at is None) for q in m.partnerships_created if q.number in due
            ]
    good = [e for e, kept in decided if kept]
    bad = [e for e, kept in decided if not kept]
    assert good and bad
    assert sum(good) / len(good) > sum(bad) / len(bad)


def test_summary_definitions_match_the_partnership_table(model):
    s = model.summary()
    t = model.partnership_table()
    assert s["survival_rate"] == pytest.approx(t["censored"].mean())
    assert s["mean_lifetime"] == pytest.approx(t["lifetime"].mean())
    assert s["legacy_rate"] == pytest.approx(t["survived_funding_end"].mean())
    assert s["total_output"] == pytest.approx(t["output"].sum())
    assert s["mean_trust"] == pytest.approx(t["mean_trust"].mean())


def test_public_api_names():
    for name in ("PartnershipModel", "simulate", "PARAMETERS", "ParameterError"):
        assert hasattr(partnersim, name)
    assert np.isfinite(partnersim.simulate(rng=1, horizon=2)["total_output"])


def test_summary_is_the_same_with_and_without_monthly_collection():
    full = PartnershipModel(rng=21).run()
    lean = PartnershipModel(rng=21, collect=False).run()
    assert full.summary() == lean.summary()
    pd.testing.assert_frame_equal(full.partnership_table(), lean.partnership_table())
    with pytest.raises(RuntimeError, match="collect=False"):
        lean.timeseries()
    # the summary's time averages are those of the monthly series
    ts = full.timeseries().iloc[1:]
    live = ts[ts["active_partnerships"] > 0]
    assert full.summary()["vcse_share"] == pytest.approx(live["vcse_share"].mean())
    assert full.summary()["voice_gini"] == pytest.approx(live["voice_gini"].mean())


def test_lean_collector_records_what_mesas_collector_records():
    ours = PartnershipModel(rng=8, horizon=30).run()
    # the monthly reporters and the end-of-run reporters (summary_*), as Mesa's own collector reads them
    theirs = mesa.DataCollector(model_reporters={**MODEL_REPORTERS, **{k: k for k in END_REPORTERS}})
    replay = PartnershipModel(rng=8, horizon=30)
    theirs.collect(replay)
    while replay.running:
        replay.step()
        theirs.collect(replay)
    pd.testing.assert_frame_equal(
        ours.datacollector.get_model_vars_dataframe(), theirs.get_model_vars_dataframe()
    )
    assert ours.datacollector._collection_steps == theirs._collection_steps


def test_cached_trust_and_voice_match_a_fresh_computation_while_membership_changes(monkeypatch):
    """The caches (pair layout, voice shares, lazy trust reporters) never go stale.

    Each refresh of trust and each evaluation is checked, as it happens,
    against a computation from scratch through the mechanism functions, in
    a run where members join, leave and go on paper.
    """
    from partnersim import mechanisms as mech
    from partnersim.agents import SECTORS
    from partnersim.stages import evaluation

    checked = {"refresh": 0, "evaluate": 0, "layouts": set()}
    refresh, evaluate = Partnership.refresh_trust, evaluation.evaluate

    def checked_refresh(q: Partnership) -> None:
        refresh(q)
        active = q.active_members
        checked["layouts"].add(tuple(m.unique_id for m in active))
        rows = {a.unique_id: [q.trust(a, b) for b in active if b is not a] for a in active}
        for uid, row in rows.items():
            assert q.member_trust[uid] == pytest.approx(sum(row) / len(row) if row else 0.0, abs=1e-12)
        n = sum(len(row) for row in rows.values())
        assert q.mean_trust == pytest.approx(sum(map(sum, rows.values())) / n if n else 0.0, abs=1e-12)
        checked["refresh"] += 1

    def checked_evaluate(q: Partnership) -> None:
        powers = [m.power for m in q.active_members]
        work = [q.contribution[m.unique_id] for m in q.active_members]
        orientation = q.orientation
        evaluate(q)
        if q.alive and powers:
            assert q.voice_gini == pytest.approx(
                mech.gini(mech.voice_shares(powers, work, orientation)), abs=1e-12
            )
            checked["evaluate"] += 1

    monkeypatch.setattr(Partnership, "refresh_trust", checked_refresh)
    monkeypatch.setattr(evaluation, "evaluate", checked_evaluate)
    m = PartnershipModel(
        rng=5, membership="open", formation=True, formation_rate=6.0, staff_turnover=0.6, horizon=90
    )
    while m.running:
        m.step()
        # the model's trust reporters aggregate this month's partnership statistics
        sums: dict[tuple[str, str], list[float]] = {}
        for q in m.partnerships_created:
            for key, (s, c) in q.trust_pairs.items() if q.alive else ():
                acc = sums.setdefault(key, [0.0, 0.0])
                acc[0] += s
                acc[1] += c
        total, count = sum(s for s, _ in sums.values()), sum(c for _, c in sums.values())
        assert m.trust_all == pytest.approx(total / count) if count else math.isnan(m.trust_all)
        for i, a in enumerate(SECTORS):
            for b in SECTORS[i:]:
                s, c = sums.get((a, b) if a <= b else (b, a), (0.0, 0.0))
                got = getattr(m, f"trust_{a}_{b}")
                assert got == pytest.approx(s / c) if c else math.isnan(got)
    # members joined, left and went on paper, so the caches were rebuilt many times
    assert len(checked["layouts"]) > 20
    assert checked["refresh"] > 300 and checked["evaluate"] > 300


def test_founders_commitment_scatters_with_the_spread():
    m = PartnershipModel(rng=3, horizon=1)
    founding = [c for q in m.partnerships_created for c in q.commitment.values()]
    assert np.std(founding) > 0.1
    flat = PartnershipModel(rng=3, horizon=1, founding_commitment_spread=0.0)
    assert {c for q in flat.partnerships_created for c in q.commitment.values()} == {0.6}


def _paper_all_but(q, keep):
    for m in q.members:
        if m not in keep:
            q.set_paper(m.unique_id, True)


def test_partners_on_paper_count_against_the_quorum():
    """A meeting of two out of five members is not quorate, even when the other three are only on paper."""
    m = PartnershipModel(rng=5, horizon=1, staff_turnover=0.0)
    q = next(q for q in m.partnerships if len(q.members) >= 5)
    two = q.members[:2]
    _paper_all_but(q, two)
    for org in two:
        q.willing[org.unique_id] = 1.0
        org.capacity = 100.0 * m.p["meeting_hours"] * len(org.memberships)  # time enough: both surely come
    q.months_without_quorum = 0
    # the coordinator organises and chases, as in any funded month
    q.coordinator.hours = m.p["coordinator_hours"]
    from partnersim.stages import meeting

    meeting.meet(q)
    # both active members came: quorate among the active, not among the five on the roll
    assert q.met and sorted(o.unique_id for o in q.attendees) == sorted(o.unique_id for o in two)
    assert not q.quorate and q.months_without_quorum == 1


def test_a_funded_partnership_whose_statutory_members_are_all_on_paper_ends():
    """001:253-256: without active local authority support a service was not sustained to the end of its funding."""
    from partnersim.stages import dissolution

    m = PartnershipModel(rng=5, horizon=1)
    q = next(
        q for q in m.partnerships if q.cross_sector and sum(x.sector != "statutory" for x in q.members) >= 2
    )
    _paper_all_but(q, [x for x in q.members if x.sector != "statutory"])
    assert q.grant.funded
    dissolution.check_dissolution(q)
    assert not q.alive and q.dissolution_cause == "lost_statutory"


@pytest.mark.parametrize(
    "params",
    [
        {"rng": 5, "horizon": 36},  # the compiled engine
        {"rng": 6, "horizon": 24, "formation": True, "membership": "open"},  # the Python stages
    ],
)
def test_a_run_for_its_outputs_gives_the_same_outputs_and_leaves_no_garbage_for_the_collector(params):
    import gc

    from partnersim.model import run_for_outputs, run_model

    kept = run_model(params)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # whatever a collection finds stays in gc.garbage, to be looked at
    try:
        with run_for_outputs(params) as model:
            summary, table, series = model.summary(), model.partnership_table(), model.timeseries()
        assert vars(model) == {}  # released
        del model
        gc.collect()
        left = [type(o).__name__ for o in gc.garbage if isinstance(o, (mesa.Model, mesa.Agent))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []
    assert summary == kept.summary()
    pd.testing.assert_frame_equal(table, kept.partnership_table())
    pd.testing.assert_frame_equal(series, kept.timeseries())

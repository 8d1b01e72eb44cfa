"""The compiled engine (partnersim.fast) gives what the Python stages give, bit for bit.

Each check runs one model on the Python stages and one on the compiled
engine, from the same seed, and compares everything a later reader could
see: the summary, the partnership table, every partnership's and
organisation's state (ties in their order, since recruitment draws from
that order), and both random streams.
"""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from partnersim import fast
from partnersim.fast import kernels
from partnersim.fast import layout as L
from partnersim.fast.rng import below, random01, restore, state_of
from partnersim.model import PartnershipModel

#: settings that between them take every branch of the monthly stages
SETTINGS = [
    {},
    {"coordinator": True, "coordinator_mainstreamed": True, "formal_agreement": True},
    {"orientation": 1.0, "membership": "open", "recruitment_rate": 0.6, "coordinator": True},
    {"staff_turnover": 0.9, "vacancy_months": 0, "formal_agreement": True, "coordinator": True},
    {"funding_length": 12, "renewal_probability": 0.9, "funding_gap": 3, "austerity_rate": 0.9},
    {"partnership_size": 10, "prior_tie_density": 0.5, "fund_holder": "vcse", "membership": "open"},
    {"orientation": 0.0, "funding_flexibility": 1.0, "fund_holder": "neutral", "development_months": 0},
    {
        "n_statutory": 60,
        "n_large_charity": 40,
        "n_small_vcse": 140,
        "n_partnerships": 40,
        "local_network_size": 30,
    },
]


#: caches rebuilt on first use, not state
_CACHES = {"_active", "_layout_of"}


def _model(
    params: dict, engine: str, monkeypatch: pytest.MonkeyPatch, collect: bool = False
) -> PartnershipModel:
    monkeypatch.setenv(fast.ENGINE_VARIABLE, engine)
    m = PartnershipModel(collect=collect, **params)
    m.record_events = False
    return m.run()


def _state(m: PartnershipModel) -> dict:
    parts = []
    for q in m.partnerships_created:
        g, c = q.grant, q.coordinator
        parts.append(
            {
                "scalars": {
                    k: v
                    for k, v in vars(q).items()
                    if isinstance(v, (bool, int, float, str, type(None))) and k not in _CACHES
                },
                "members": [o.unique_id for o in q.members],
                "paper": sorted(q.paper),
                "attendees": [o.unique_id for o in q.attendees],
                "seats": [(u, r.present, r.vacant_until, r.tenure, r.personal) for u, r in q.reps.items()],
                "dicts": [list(d.items()) for d in (q.commitment, q.satisfaction, q.contribution, q.willing)],
                "member_trust": q.member_trust,
                "trust_pairs": list(q.trust_pairs.items()),
                "trust_history": q.trust_history,
                "grant": [getattr(g, s) for s in g.__slots__],
                "coordinator": [getattr(c, s) for s in c.__slots__],
                "holder": None if q.fund_holder is None else q.fund_holder.unique_id,
            }
        )
    orgs = [
        (o.capacity, o.power, o.holds_funds, [q.number for q in o.memberships], list(o.institutional.items()))
        for o in m.organisations
    ]
    model = {
        k: getattr(m, k)
        for k in ("steps", "running", "scarcity", "records_seen", "record_total", "exits", "staff_departures")
    }
    model.update(
        live=m._live_months,
        vcse=m._vcse_share_sum,
        gini=m._voice_gini_sum,
        recovering=sorted(o.unique_id for o in m.recovering),
        agents=sorted(a.unique_id for a in m.agents),
    )
    return {
        "model": model,
        "partnerships": parts,
        "organisations": orgs,
        "random": m.random.getstate(),
        "rng": m.rng.bit_generator.state,
    }


def _assert_same(params: dict, monkeypatch: pytest.MonkeyPatch, collect: bool = False) -> None:
    a = _model(params, "python", monkeypatch, collect)
    b = _model(params, "compiled", monkeypatch, collect)
    assert b._engine is None and a.steps == b.steps
    sa, sb = _state(a), _state(b)
    for part in sa:
        assert sa[part] == sb[part], f"{params}: {part} differ"
    assert a.summary() == b.summary()
    ta, tb = a.partnership_table(), b.partnership_table()
    assert ta.equals(tb)
    if collect:
        sa, sb = a.datacollector.get_model_vars_dataframe(), b.datacollector.get_model_vars_dataframe()
        assert list(sa.dtypes) == list(sb.dtypes)
        pd.testing.assert_frame_equal(sa, sb, check_exact=True)
        assert a.datacollector._collection_steps == b.datacollector._collection_steps


@pytest.mark.parametrize(
    "setting", SETTINGS, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "defaults"
)
def test_compiled_engine_gives_identical_runs(setting: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """8 settings x 6 seeds, the whole state compared at the horizon."""
    for seed in range(6):
        _assert_same({**setting, "rng": seed}, monkeypatch)


@pytest.mark.parametrize("setting", SETTINGS[:6], ids=str)
def test_the_monthly_series_is_identical(setting: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """The monthly reporters and the end-of-run reporters, column by column, with their types."""
    for seed in range(2):
        _assert_same({**setting, "rng": seed}, monkeypatch, collect=True)


@pytest.mark.parametrize("horizon", [1, 2, 3, 7, 25])
def test_identical_at_every_stage_of_a_run(horizon: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs stopped early agree too, so no difference can hide behind a later month."""
    for setting in SETTINGS[:6]:
        _assert_same({**setting, "rng": 11, "horizon": horizon}, monkeypatch)


@pytest.mark.parametrize(
    "setting", SETTINGS, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "defaults"
)
def test_prefetching_changes_no_result(setting: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs whose months prefetch (as a state larger than the cache does) equal the Python stages."""
    from partnersim.fast import state as fast_state

    def prefetches() -> bool:
        m = PartnershipModel(collect=False, rng=0)
        m.record_events = False
        return fast.engine_for(m).far

    monkeypatch.setenv(fast.ENGINE_VARIABLE, "compiled")
    assert not prefetches()  # a default run's state is small
    monkeypatch.setattr(fast_state, "PREFETCH_BYTES", 0)
    assert prefetches()
    for seed in range(2):
        _assert_same({**setting, "rng": seed}, monkeypatch, collect=seed == 0)


_PLAIN_RUN = """
from partnersim.fast import state
from partnersim.model import PartnershipModel
state.PREFETCH_BYTES = 0
m = PartnershipModel(rng=4, horizon=3, collect=False)
m.record_events = False
print(repr(sorted(m.run().summary().items())))
"""


def test_the_kernels_run_as_plain_python_with_prefetching_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under NUMBA_DISABLE_JIT the prefetch hint (an LLVM intrinsic) becomes a no-op, and the run is the same."""
    from partnersim.fast import state as fast_state

    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", fast.ENGINE_VARIABLE: "compiled"}
    out = subprocess.run(
        [sys.executable, "-c", _PLAIN_RUN], env=env, capture_output=True, text=True, check=True
    )
    monkeypatch.setenv(fast.ENGINE_VARIABLE, "compiled")
    monkeypatch.setattr(fast_state, "PREFETCH_BYTES", 0)
    m = PartnershipModel(rng=4, horizon=3, collect=False)
    m.record_events = False
    assert out.stdout.strip() == repr(sorted(m.run().summary().items()))


def test_a_run_continues_on_the_compiled_engine_after_python_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Packing mid-run (after months stepped in Python) loses nothing."""
    monkeypatch.setenv(fast.ENGINE_VARIABLE, "python")
    a = PartnershipModel(collect=False, rng=4, membership="open", coordinator=True)
    a.record_events = False
    for _ in range(30):
        a.step()
    monkeypatch.setenv(fast.ENGINE_VARIABLE, "compiled")
    a.run()
    b = _model({"rng": 4, "membership": "open", "coordinator": True}, "python", monkeypatch)
    assert _state(a) == _state(b)


def test_write_back_keeps_the_containers_the_python_stages_keep(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python stages change members, seats and memberships in place; so does the engine's write-back."""
    monkeypatch.delenv(fast.ENGINE_VARIABLE, raising=False)
    m = PartnershipModel(collect=False, rng=4, horizon=36)
    m.record_events = False
    before = {
        q.number: (q.members, q.reps, q.paper, dict(q.reps), list(q.members)) for q in m.partnerships_created
    }
    memberships = {o.unique_id: o.memberships for o in m.organisations}
    m.run()
    assert m.steps == 36 and fast.usable(m)
    kept = 0
    for q in m.partnerships_created:
        members, reps, paper, seats, founders = before[q.number]
        if not q.alive:
            continue
        assert q.members is members and q.reps is reps and q.paper is paper
        for uid, rep in q.reps.items():
            if uid in seats and any(o.unique_id == uid for o in founders):
                kept += rep is seats[uid]
    assert kept > 0  # representatives of founding members who stayed are the same objects
    assert all(o.memberships is memberships[o.unique_id] for o in m.organisations)


def test_the_engine_is_used_only_where_nothing_reads_agents_between_months(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(fast.ENGINE_VARIABLE, raising=False)
    m = PartnershipModel(collect=False, rng=0)
    m.record_events = False
    assert fast.usable(m)
    assert not fast.usable(PartnershipModel(rng=0))  # the event log, on by default (the classroom shows it)
    m.record_events = True
    assert not fast.usable(m)  # the event log
    assert not fast.usable(PartnershipModel(collect=False, rng=0, formation=True))
    monkeypatch.setenv(fast.ENGINE_VARIABLE, "python")
    m.record_events = False
    assert not fast.usable(m)


@pytest.mark.parametrize("setting", SETTINGS, ids=str)
def test_what_run_watches_is_identical(setting: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """run(watch=True): each partnership's state after every month, and the run itself, on both engines."""
    for seed in (0, 1):
        params = {"horizon": 60, **setting, "rng": seed}
        seen = {}
        for engine in ("python", "compiled"):
            monkeypatch.setenv(fast.ENGINE_VARIABLE, engine)
            m = PartnershipModel(collect=False, **params)
            m.record_events = False
            m.run(watch=True)
            seen[engine] = m
        a, b = seen["python"].watched, seen["compiled"].watched
        assert a is not None and b is not None
        assert [q.number for q in a.partnerships] == [q.number for q in b.partnerships]
        assert a.months.tolist() == b.months.tolist() == list(range(1, 61))
        np.testing.assert_array_equal(a.state, b.state)  # NaN where dissolved, in both
        assert a.active_partnerships.tolist() == b.active_partnerships.tolist()
        assert a.active_members.tolist() == b.active_members.tolist()
        assert _state(seen["python"]) == _state(seen["compiled"])  # watching changes nothing


@pytest.mark.parametrize("seed", [0, 1, 2**31 + 5])
def test_rng_follows_pythons_stream(seed: int) -> None:
    r = random.Random(seed)
    st = state_of(r)
    assert [random01(st) for _ in range(1500)] == [r.random() for _ in range(1500)]
    bounds = [1, 2, 3, 7, 10, 60, 1000, 2**31 - 1] * 40
    assert [below(st, n) for n in bounds] == [r._randbelow(n) for n in bounds]
    restore(r, st)  # Python's generator carries on from where the compiled draws stopped
    copy = state_of(r)
    assert [random01(copy) for _ in range(5)] == [r.random() for _ in range(5)]


def test_pysum_is_cpythons_sum() -> None:
    r = random.Random(3)
    for _ in range(3000):
        xs = [
            r.choice([r.random(), 1e-9 * r.random(), -r.random(), 1e10 * r.random(), 0.1])
            for _ in range(r.randint(0, 12))
        ]
        assert kernels.pysum(np.array(xs, dtype=float), len(xs)) == sum(xs)
    naive = 0.0
    for x in [0.1] * 10:
        naive += x
    assert kernels.pysum(np.array([0.1] * 10), 10) == sum([0.1] * 10) == 1.0 != naive


def test_python_min_max_keep_the_first_of_equals() -> None:
    assert math.copysign(1.0, kernels.pmax(0.0, -0.0)) == 1.0
    assert math.copysign(1.0, kernels.pmin(-0.0, 0.0)) == -1.0
    assert kernels.pmin(1.0, 0.5) == 0.5 and kernels.pmax(0.0, 0.5) == 0.5


def test_state_the_arrays_cannot_hold_runs_on_the_python_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tie across local systems (set by hand) has no place in the arrays: the engine steps aside."""
    monkeypatch.delenv(fast.ENGINE_VARIABLE, raising=False)
    m = PartnershipModel(collect=False, rng=2, n_small_vcse=95, local_network_size=40)
    m.record_events = False
    a, b = m.systems[0][0], m.systems[1][0]
    a.institutional[b.unique_id] = 0.5
    assert fast.usable(m) and fast.engine_for(m) is None
    # so has a partnership with members in two systems, or a representative who knows someone in another
    for across in ("member", "personal"):
        m = PartnershipModel(collect=False, rng=2, n_small_vcse=95, local_network_size=40)
        m.record_events = False
        q = m.partnerships_created[0]
        outsider = next(o for o in m.systems[1 - q.members[0].local_system] if o not in q.members)
        if across == "member":
            q.add_member(outsider, 0.5)
        else:
            q.reps[q.members[0].unique_id].personal[outsider.unique_id] = 0.5
        assert fast.engine_for(m) is None, across
    monkeypatch.setattr("partnersim.fast.state.MAX_ARRAY_BYTES", 1)
    assert fast.engine_for(PartnershipModel(collect=False, rng=2)) is None


def test_slots_keep_each_partnerships_members_side_by_side(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slots reorder where ties and personal trust are stored, not who is where: members first, adjacent."""
    monkeypatch.delenv(fast.ENGINE_VARIABLE, raising=False)
    m = PartnershipModel(collect=False, rng=4, n_small_vcse=135, n_partnerships=30, local_network_size=40)
    m.record_events = False
    e = fast.engine_for(m)
    rows = {o.unique_id: i for i, o in enumerate(m.organisations)}
    for s, system in enumerate(m.systems):
        slots = e.SLOT[s, : len(system)]
        assert sorted(slots.tolist()) == list(range(len(system)))  # a permutation of the system's places
        for place, o in enumerate(system):
            i = rows[o.unique_id]
            assert e.OI[i, L.OI_LOC] == slots[place] and e.SYSORG[s, slots[place]] == i
    seen: set[int] = set()
    for q in e.live:
        new = [rows[o.unique_id] for o in q.members if rows[o.unique_id] not in seen]
        seen.update(new)
        if new:
            got = sorted(e.OI[new, L.OI_LOC].tolist())
            assert got == list(range(got[0], got[0] + len(got))), q.number
    assert len(seen) > len(m.systems) * 4  # partnerships in every system, not a trivial check


def test_a_changed_engine_source_clears_numbas_cache(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """numba checks only a compiled function's own file; a change in layout.py or rng.py must clear the cache too."""
    pkg = tmp_path / "fast"
    (pkg / "__pycache__").mkdir(parents=True)
    (pkg / "layout.py").write_text("A = 1\n")
    stale = pkg / "__pycache__" / "kernels.month-1.py312.nbi"
    stale.write_text("old")
    monkeypatch.setattr(fast, "__file__", str(pkg / "__init__.py"))
    fast.fresh_cache.cache_clear()
    fast.fresh_cache()
    assert not stale.exists()
    stale.write_text("compiled from these sources")
    fast.fresh_cache.cache_clear()
    fast.fresh_cache()
    assert stale.exists()  # unchanged sources keep the cache
    (pkg / "layout.py").write_text("A = 2\n")
    fast.fresh_cache.cache_clear()
    fast.fresh_cache()
    assert not stale.exists()
    fast.fresh_cache.cache_clear()


def test_the_comparison_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """An engine that left one partnership's commitment one bit off would be caught."""
    from partnersim.fast import state as fast_state

    params = {"rng": 3, "horizon": 12}
    a = _state(_model(params, "python", monkeypatch))
    original = fast_state.Engine._unpack

    def nudged(self: fast_state.Engine) -> None:
        original(self)
        q = self.live[0]
        uid = next(iter(q.commitment))
        q.commitment[uid] = math.nextafter(q.commitment[uid], 2.0)

    monkeypatch.setattr(fast_state.Engine, "_unpack", nudged)
    b = _state(_model(params, "compiled", monkeypatch))
    assert a["partnerships"] != b["partnerships"]
    assert a["organisations"] == b["organisations"]

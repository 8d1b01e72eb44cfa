"""Property tests: invariants hold for random valid parameters at every month."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnersim.model import PartnershipModel
from partnersim.schema import PARAMETERS

# keep systems small and runs short so each example takes milliseconds
SMALL = {
    "n_statutory": (1, 12),
    "n_large_charity": (0, 8),
    "n_small_vcse": (0, 20),
    "n_partnerships": (1, 8),
    "partnership_size": (2, 8),
    "horizon": (1, 36),
    "local_network_size": (2, 40),
}


def _strategy(name: str) -> st.SearchStrategy:
    p = PARAMETERS[name]
    if name in SMALL:
        return st.integers(*SMALL[name])
    if p.kind is bool:
        return st.booleans()
    if p.kind is str:
        return st.sampled_from(p.choices)
    if p.kind is int:
        return st.integers(int(p.low), int(min(p.high, 240)))
    return st.floats(p.low, p.high, allow_nan=False)


@st.composite
def valid_params(draw) -> dict:
    params = {name: draw(_strategy(name)) for name in PARAMETERS}
    params["exit_threshold"] = min(params["exit_threshold"], params["paper_threshold"])
    params["n_small_vcse"] = max(params["n_small_vcse"], 1)  # a partnership needs two organisations
    n = params["n_statutory"] + params["n_large_charity"] + params["n_small_vcse"]
    params["partnership_size"] = min(params["partnership_size"], n)
    params["rng"] = draw(st.integers(0, 2**32))
    return params


def check_invariants(m: PartnershipModel, dead_before: set[int]) -> None:
    for org in m.organisations:
        assert org.capacity >= 0 and org.funding >= 0 and org.budget >= 0
        assert 0 <= org.power <= 1
        assert all(0 <= t <= 1 for t in org.institutional.values())
        for q in org.memberships:
            assert q.alive and org in q.members
    for q in m.partnerships_created:
        if q.number in dead_before:
            assert not q.alive, "a dissolved partnership came back"
        if not q.alive:
            assert q.dissolution_cause and q.dissolved_at is not None
            continue
        assert len(set(id(o) for o in q.members)) == len(q.members)
        assert set(q.reps) == {o.unique_id for o in q.members}
        assert q.paper <= set(q.reps)
        for o in q.members:
            assert q in o.memberships
            assert 0 <= q.commitment[o.unique_id] <= 1
            assert 0 <= q.satisfaction[o.unique_id] <= 1
            assert all(0 <= t <= 1 for t in q.reps[o.unique_id].personal.values())
        for value in (q.mean_trust, q.synergy, q.effectiveness, q.maturity, q.agreement, q.voice_gini):
            assert 0 <= value <= 1 + 1e-12
        assert q.output >= 0 and q.output_total >= 0
    for name in ("trust_all", "vcse_share", "voice_gini", "mean_commitment", "trust_within", "trust_across"):
        value = getattr(m, name)
        assert math.isnan(value) or 0 <= value <= 1 + 1e-12, name
    assert m.staff_departures >= 0 and m.output >= 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_params())
def test_invariants_hold_every_month(params):
    m = PartnershipModel(**params)
    dead: set[int] = set()
    check_invariants(m, dead)
    while m.running:
        m.step()
        check_invariants(m, dead)
        dead |= {q.number for q in m.partnerships_created if not q.alive}
    assert m.steps == params["horizon"]
    summary = m.summary()
    assert all(isinstance(v, float) and math.isfinite(v) for v in summary.values())
    for name in ("survival_rate", "legacy_rate", "mean_trust", "mean_commitment", "vcse_share", "voice_gini"):
        assert 0 <= summary[name] <= 1, name

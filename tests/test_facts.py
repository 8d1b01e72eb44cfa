"""The fact registry, its outcome hooks, statistics and cache (fast; the facts themselves are in test_stylised_facts.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import partnersim.experiments
from partnersim import facts as F
from partnersim.model import PartnershipModel, run_model
from partnersim.observe import INCIDENT_MONTH, FactObserver
from partnersim.schema import PARAMETERS, ParameterError

# ---------------------------------------------------------------- the registry


def test_registry_is_the_pre_registered_design():
    assert list(F.FACTS) == [str(i) for i in range(1, 13)]
    assert tuple(range(32)) == F.SEEDS
    assert F.ALPHA == 0.01
    checks = F.all_checks()
    assert len({c.check for c in checks}) == len(checks)
    # the number of checks per fact in ODD 1.2.1
    per_fact = {f: len(fact.checks) for f, fact in F.FACTS.items()}
    assert per_fact == {
        "1": 2, "2": 2, "3": 4, "4": 3, "5": 4, "6": 3, "7": 3, "8": 1, "9": 2, "10": 2, "11": 3, "12": 1,
    }  # fmt: skip
    for c in checks:
        assert c.direction in ("up", "down")
        assert all(t.outcome in F.OUTCOMES for t in c.terms)
        # a contrast: its weights cancel, or it is one within-run statistic
        weights = sum(t.weight for t in c.terms)
        assert weights == 0 or len(c.terms) == 1
        for t in c.terms:
            F.setting_key(t.params)  # every setting is valid in the schema


def test_paired_settings_are_the_ones_named():
    c = F.FACTS["1"].checks[0]
    assert c.outcomes == ["mean_lifetime"]
    assert [(t.params, t.weight) for t in c.terms] == [
        ({"funding_length": 48}, 1.0),
        ({"funding_length": 12}, -1.0),
    ]
    did = F.FACTS["10"].checks[0]
    assert sorted(t.weight for t in did.terms) == [-1.0, -1.0, 1.0, 1.0]


def test_setting_key_is_canonical():
    assert F.setting_key({}) == F.setting_key({"coordinator": PARAMETERS["coordinator"].default})
    assert F.setting_key({"orientation": 0.5}) == F.setting_key({"orientation": 0.5000})
    assert F.setting_key({F.INCIDENT: True}) != F.setting_key({})
    assert F.setting_key({"funding_length": 12}) != F.setting_key({})
    with pytest.raises(ParameterError, match="funding_length"):
        F.setting_key({"funding_length": 0})


def test_an_ablation_override_wins_over_a_fact_setting():
    assert F.effective_setting({"prior_tie_density": 0.5}, {"prior_tie_density": 0.0}) == {
        "prior_tie_density": 0.0
    }


# ---------------------------------------------------------------- statistics


def test_contrast_test_matches_a_paired_t_test():
    rng = np.random.default_rng(1)
    low, high = rng.normal(0, 1, 32), rng.normal(0.5, 1, 32)
    out = F.contrast_test(high - low, "up")
    assert out["p"] == pytest.approx(stats.ttest_rel(high, low, alternative="greater").pvalue)
    assert out["mean_diff"] == pytest.approx((high - low).mean())
    half = stats.t.ppf(0.975, 31) * (high - low).std(ddof=1) / math.sqrt(32)
    assert out["ci_low"] == pytest.approx(out["mean_diff"] - half)
    assert out["holds"] == (out["p"] < 0.01)
    down = F.contrast_test(low - high, "down")
    assert down["p"] == pytest.approx(out["p"])


def test_identical_differences_hold_only_with_the_stated_sign():
    assert F.contrast_test(np.full(32, 0.2), "up")["holds"]
    assert not F.contrast_test(np.full(32, 0.2), "down")["holds"]
    zero = F.contrast_test(np.zeros(32), "up")
    assert not zero["holds"] and math.isnan(zero["p"]) and "same" in zero["note"]


def test_wrong_sign_or_weak_evidence_fails():
    assert not F.contrast_test(np.array([1.0, -1.0] * 16) + 0.01, "up")["holds"]  # p far above 0.01
    assert not F.contrast_test(-np.arange(1.0, 33.0), "up")["holds"]


def test_undefined_differences_are_left_out_and_counted():
    d = np.r_[np.arange(1.0, 31.0), np.nan, np.nan]
    out = F.contrast_test(d, "up")
    assert out["n"] == 30 and out["holds"]
    assert F.contrast_test(np.full(4, np.nan), "up")["n"] == 0


def test_magnitude_statistics_pool_partnerships():
    runs = pd.DataFrame(
        {
            "n_founding": [10, 10],
            "n_dissolved_funded": [1, 2],
            "n_ended_judged": [4, 6],
            "n_ended_kept": [1, 2],
            "maturity_ages": ["10 inf 30", "40"],
        }
    )
    by = {m.check: m.statistic(runs)[0] for m in F.MAGNITUDES}
    assert by == {"M1": 0.15, "M2": 0.3, "M3": 35.0}


# ---------------------------------------------------------------- hooks


SHORT = {"horizon": 60}


def test_an_observer_changes_no_result():
    plain = run_model({**SHORT, "rng": 3})
    seen = run_model({**SHORT, "rng": 3}, observer=FactObserver())
    assert plain.summary() == seen.summary()
    pd.testing.assert_frame_equal(plain.timeseries(), seen.timeseries())
    pd.testing.assert_frame_equal(plain.partnership_table(), seen.partnership_table())


def test_member_months_count_every_member_of_working_partnerships():
    obs = FactObserver()
    model = run_model({**SHORT, "rng": 2}, observer=obs)
    ts = model.timeseries().loc[1:]
    assert sum(obs.member_months.values()) == (ts["active_members"] + ts["paper_members"]).sum()
    exits = sum(model.exits.values())
    assert F.OUTCOMES["exit_rate"].fn(F.Run(model, obs)) == pytest.approx(
        exits / (sum(obs.member_months.values()) / 12)
    )


def test_turnover_hook_counts_representatives_by_grant_phase():
    obs = FactObserver()
    model = run_model({"rng": 4}, observer=obs)
    assert obs.at_risk["last_6"] > 0 and obs.at_risk["months_7_24"] > 0
    total = model.timeseries()["staff_departures"].sum()  # representatives and coordinators, every phase
    assert 0 < sum(obs.departures.values()) <= total
    still = FactObserver()
    run_model({**SHORT, "rng": 4, "staff_turnover": 0.0}, observer=still)
    assert sum(still.departures.values()) == 0 and still.replaced_changes == [0.0, 0]


def test_replacements_are_seen_with_the_pairs_they_touch():
    obs = FactObserver()
    run_model({"rng": 5, "staff_turnover": 0.5}, observer=obs)
    assert obs.replaced_changes[1] > 0 and obs.other_changes[1] > 0


def test_funding_end_for_good_agrees_with_the_partnership_table():
    obs = FactObserver()
    model = run_model({"rng": 6}, observer=obs)
    run = F.Run(model, obs)
    table = model.partnership_table()
    ended = table.dropna(subset=["funding_ended_at"])
    assert len(ended) > 0
    assert {int(r.partnership): int(r.funding_ended_at) for r in ended.itertuples()} == run.ended_for_good
    for r in table.dropna(subset=["dissolved_at"]).itertuples():
        assert obs.funded_at_dissolution[int(r.partnership)] == (
            r.funding_ended_at is None or math.isnan(r.funding_ended_at)
        )


def test_force_incident_moves_trust_like_a_bad_meeting_and_draws_nothing():
    model = PartnershipModel(rng=8)
    for _ in range(5):
        model.step()
    q = next(q for q in model.partnerships_created if q.alive)
    a, b = [m for m in q.active_members if q.reps[m.unique_id].present][:2]
    before, mean_before = q.trust(a, b), q.mean_trust
    personal = q.reps[a.unique_id].personal.get(b.unique_id, model.p["initial_trust"])
    state = (model.rng.bit_generator.state, model.random.getstate())
    model.force_incident(q, a, b)
    assert (model.rng.bit_generator.state, model.random.getstate()) == state
    p = model.p
    loss = p["trust_loss"]  # forced outside a meeting: no coordinator mediates it
    assert q.reps[a.unique_id].personal[b.unique_id] == pytest.approx(personal * (1 - loss))
    assert q.trust(a, b) < before and q.trust(b, a) < before + 1
    assert q.mean_trust < mean_before


def test_the_incident_run_matches_its_control_until_the_incident():
    params = {"rng": 9, "horizon": INCIDENT_MONTH + 30}
    control, hit = FactObserver(), FactObserver(incident=True)
    a, b = run_model(params, observer=control), run_model(params, observer=hit)
    ts_a, ts_b = a.timeseries(), b.timeseries()
    pd.testing.assert_frame_equal(ts_a.loc[:INCIDENT_MONTH], ts_b.loc[:INCIDENT_MONTH])
    assert [(q.number, x.unique_id, y.unique_id) for q, x, y in control.incident_pairs] == [
        (q.number, x.unique_id, y.unique_id) for q, x, y in hit.incident_pairs
    ]
    assert len(control.incident_pairs) > 0
    assert not ts_a.loc[INCIDENT_MONTH + 1 :].equals(ts_b.loc[INCIDENT_MONTH + 1 :])
    # a run that ends with the incident: every chosen pair trusts less than in the control
    end = {"rng": 9, "horizon": INCIDENT_MONTH}
    control, hit = FactObserver(), FactObserver(incident=True)
    run_model(end, observer=control), run_model(end, observer=hit)
    for (q0, x0, y0), (q1, x1, y1) in zip(control.incident_pairs, hit.incident_pairs, strict=True):
        assert q1.trust(x1, y1) < q0.trust(x0, y0) and q1.trust(y1, x1) < q0.trust(y0, x0)


# ---------------------------------------------------------------- evaluation and cache


def _short_checks() -> list[F.Check]:
    low, high = {"horizon": 30, "funding_length": 12}, {"horizon": 30, "funding_length": 24}
    return [
        F.paired("x", "x1", low, high, "mean_lifetime", "up"),
        F.paired("x", "x2", low, high, "mean_trust", "down"),
        F.within("x", "x3", low, "trust_rise_6_24", "up", "trust rises"),
    ]


def test_results_are_the_same_serial_and_on_processes():
    serial = F.evaluate(_short_checks(), seeds=[0, 1], cache=F.RunCache(), executor="serial")
    procs = F.evaluate(_short_checks(), seeds=[0, 1], cache=F.RunCache(), executor="processes", workers=2)
    pd.testing.assert_frame_equal(serial, procs)
    assert list(serial["check"]) == ["x1", "x2", "x3"]
    assert (serial["n"] == 2).all()


def test_disk_cache_shares_runs_between_evaluations(tmp_path, monkeypatch):
    first = F.evaluate(_short_checks(), seeds=[0, 1], cache=F.RunCache(tmp_path))
    assert not (next(tmp_path.iterdir()) / "batch").exists()

    def no_runs(*args, **kwargs):
        raise AssertionError("a cached setting was run again")

    monkeypatch.setattr(partnersim.experiments, "run_specs", no_runs)
    again = F.evaluate(_short_checks(), seeds=[0, 1], cache=F.RunCache(tmp_path))
    pd.testing.assert_frame_equal(first, again)
    # a subset of seeds is read from the cache too
    assert (
        len(F.run_settings([{"horizon": 30, "funding_length": 12}], seeds=[1], cache=F.RunCache(tmp_path)))
        == 1
    )


def test_a_constant_outcome_under_a_setting_fails_a_check_that_forbids_it():
    checks = [
        F.paired(
            "x", "x1", {"horizon": 24, "n_small_vcse": 0}, {"horizon": 24, "n_small_vcse": 0, "austerity_rate": 0.5},
            "vcse_exits", "up", require_variation=True,
        )
    ]  # fmt: skip
    row = F.evaluate(checks, seeds=[0, 1, 2], cache=F.RunCache()).iloc[0]
    assert not row["holds"] and "every run of" in row["note"]

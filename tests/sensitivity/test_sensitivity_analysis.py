"""The analysis path on functions with known answers, run through the experiments runner."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from partnersim.schema import ParameterError
from partnersim.sensitivity.analysis import (
    analyze_sobol,
    check_power_of_two,
    ci_warnings,
    replicate_noise,
    sample_sobol,
)
from partnersim.sensitivity.run import run_morris, run_sobol
from partnersim.sensitivity.testfunctions import (
    ISHIGAMI_S1,
    ISHIGAMI_ST,
    ishigami,
    ishigami_problem,
    noisy_linear,
    noisy_linear_problem,
)


@pytest.fixture(scope="module")
def ishigami_run():
    # the same path as `partnersim sobol` on the model: design -> run specs -> run_specs
    # (worker processes, so the function is pickled like the model would be) -> analysis
    return run_sobol(
        ishigami_problem(),
        1024,
        outcomes=["y"],
        fn=ishigami,
        seed_param=None,
        seed=2024,
        second_order=True,
        executor="processes",
        workers=2,
        chunk_size=2048,
    )


def _within(value: float, truth: float, conf: float) -> bool:
    return abs(value - truth) <= max(conf, 0.05)


def test_ishigami_indices_match_the_analytic_values(ishigami_run):
    idx = ishigami_run.result.indices.set_index(["factor", "index"])
    for name in ("x1", "x2", "x3"):
        s1, st = idx.loc[(name, "S1")], idx.loc[(name, "ST")]
        assert _within(s1["value"], ISHIGAMI_S1[name], s1["conf"]), (name, s1.to_dict())
        assert _within(st["value"], ISHIGAMI_ST[name], st["conf"]), (name, st.to_dict())


def test_ishigami_second_order_is_the_x1_x3_interaction(ishigami_run):
    s2 = ishigami_run.result.s2.set_index(["factor_a", "factor_b"])
    # x3 acts only through x1: S13 = ST3 - S3 = 0.2437, the other pairs 0
    for pair, truth in {("x1", "x2"): 0.0, ("x1", "x3"): 0.2437, ("x2", "x3"): 0.0}.items():
        row = s2.loc[pair]
        assert _within(row["value"], truth, row["conf"]), (pair, row.to_dict())


def test_ishigami_run_shape_and_convergence(ishigami_run):
    run = ishigami_run
    assert run.X.shape == (1024 * 8, 3)  # N (2D + 2) with second order
    assert run.timing["runs"] == 1024 * 8 and run.timing["executor"] == "processes"
    conv = run.result.convergence
    assert sorted(conv["n"].unique()) == [256, 512, 1024]
    full = conv[conv["n"] == 1024].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        full.drop(columns="n"), run.result.indices[full.drop(columns="n").columns], check_like=True
    )
    # the intervals shrink as N grows (about 1/sqrt(N))
    width = conv.groupby("n")["conf"].mean()
    assert width[256] > width[512] > width[1024]
    # Ishigami's intervals at N = 1024 are still wider than 0.1, and the output says so
    assert any("wider than 0.1" in w for w in run.result.warnings)


def test_the_same_seed_gives_the_same_indices():
    kw = {"outcomes": ["y"], "fn": ishigami, "seed_param": None, "seed": 5}
    a = run_sobol(ishigami_problem(), 64, **kw).result.indices
    b = run_sobol(ishigami_problem(), 64, **kw).result.indices
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize("n", [0, 1, 3, 100, 1000, 1023])
def test_n_that_is_not_a_power_of_two_is_refused(n):
    with pytest.raises(ParameterError, match="must be a power of two"):
        check_power_of_two(n)
    with pytest.raises(ParameterError, match=f"N = {n} is not allowed"):
        run_sobol(ishigami_problem(), n, outcomes=["y"], fn=ishigami, seed_param=None)


def test_the_refusal_suggests_neighbouring_powers():
    with pytest.raises(ParameterError, match=r"such as 512 or 1024"):
        check_power_of_two(1000)


def test_replicate_noise_share_is_estimated():
    # x1 + x2 + noise, each term of variance 1: a third of a single run's variance is noise
    run = run_sobol(noisy_linear_problem(1.0), 128, outcomes=["y"], fn=noisy_linear, replicates=4, seed=11)
    noise = run.result.noise.iloc[0]
    assert noise["replicates"] == 4
    assert noise["noise_share_runs"] == pytest.approx(1 / 3, abs=0.05)
    # the analysis uses 4-run means: noise is 0.25 / 2.25 of their variance
    assert noise["noise_share_means"] == pytest.approx(0.25 / 2.25, abs=0.04)
    # seeds are independent across replicates: the four columns differ
    y = run.outputs["y"]
    assert y.shape == (128 * 4, 4)
    assert np.all(np.std(y, axis=1) > 0)


def test_noise_is_not_estimated_from_one_replicate():
    out = replicate_noise(np.arange(10.0))
    assert out["replicates"] == 1 and np.isnan(out["noise_share_runs"])


def test_wide_intervals_raise_a_warning_and_narrow_ones_do_not():
    df = pd.DataFrame(
        {
            "outcome": ["a", "a", "b", "b"],
            "factor": ["x", "y", "x", "y"],
            "index": ["S1", "ST", "S1", "ST"],
            "value": [0.5, 0.6, 0.2, 0.3],
            "conf": [0.08, 0.01, 0.04, 0.049],
        }
    )
    df["low"], df["high"] = df["value"] - df["conf"], df["value"] + df["conf"]
    warnings = ci_warnings(df)
    assert len(warnings) == 1 and warnings[0].startswith("a: 1 of 2")
    assert "x S1" in warnings[0]


def test_a_constant_outcome_gets_nan_indices_and_a_warning():
    problem = ishigami_problem()
    X = sample_sobol(problem, 16)
    res = analyze_sobol(problem, {"flat": np.ones(len(X))}, 16)
    assert res.indices["value"].isna().all()
    assert any("does not vary" in w for w in res.warnings)


def test_morris_ranks_ishigami_factors():
    run = run_morris(ishigami_problem(), 40, outcomes=["y"], fn=ishigami, seed_param=None, seed=3)
    idx = run.result.indices.set_index("factor")
    assert list(idx.columns[:5]) == ["outcome", "mu", "mu_star", "mu_star_conf", "sigma"]
    assert run.X.shape == (40 * 4, 3)
    # x3 acts only through its interaction with x1: mu near 0 but sigma large
    assert abs(idx.loc["x3", "mu"]) < idx.loc["x3", "sigma"]
    assert (idx["mu_star"] > 0).all()


def test_doubling_n_resumes_the_first_half(tmp_path):
    # the Sobol' sequence and the run seeds both extend by prefix, so N -> 2N reruns nothing
    kw = {"outcomes": ["y"], "fn": noisy_linear, "replicates": 2, "seed": 3, "out": tmp_path}
    small = run_sobol(noisy_linear_problem(), 16, **kw)
    big = run_sobol(noisy_linear_problem(), 32, **kw)
    assert small.timing["runs_ran"] == 16 * 4 * 2
    assert big.timing["runs_resumed"] == 16 * 4 * 2 and big.timing["runs_ran"] == 16 * 4 * 2
    np.testing.assert_array_equal(big.outputs["y"][: 16 * 4], small.outputs["y"])
    np.testing.assert_array_equal(big.X[: 16 * 4], small.X)


def test_interaction_share_of_ishigami(ishigami_run):
    from partnersim.sensitivity.analysis import interaction_share

    share = interaction_share(ishigami_run.result.indices).iloc[0]
    # analytic: 1 - (0.3139 + 0.4424 + 0) = 0.2437, the x1-x3 interaction
    assert share["interactions"] == pytest.approx(0.2437, abs=0.1)


def test_an_outcome_with_missing_values_is_named_not_analysed():
    problem = ishigami_problem()
    X = sample_sobol(problem, 16)
    fine = np.array([ishigami(*row)["y"] for row in X])
    gappy = fine.copy()
    gappy[3] = np.nan
    res = analyze_sobol(problem, {"gappy": gappy, "fine": fine}, 16)
    gappy = res.indices[res.indices["outcome"] == "gappy"]
    assert gappy["value"].isna().all()
    assert any("gappy: 1 of" in w and "no finite value" in w for w in res.warnings)
    assert res.indices.loc[res.indices["outcome"] == "fine", "value"].notna().all()


def test_the_report_labels_intervals_with_the_confidence_level_used(tmp_path):
    from partnersim.sensitivity.run import write_sobol

    run = run_sobol(
        ishigami_problem(), 64, outcomes=["y"], fn=ishigami, seed_param=None, seed=7, conf_level=0.9
    )
    assert run.conf_level == 0.9
    write_sobol(run, tmp_path, title="ishigami")
    text = "\n".join(p.read_text() for p in tmp_path.rglob("*.md"))
    assert "S1 (90% CI)" in text and "95% CI" not in text

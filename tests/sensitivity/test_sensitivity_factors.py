"""Factors from the schema: ranges, narrowing, and the bool/categorical/int mapping."""

from __future__ import annotations

import numpy as np
import pytest

from partnersim.schema import PARAMETERS, ParameterError
from partnersim.sensitivity.analysis import sample_morris, sample_sobol
from partnersim.sensitivity.factors import Factor, Problem, factor_from_schema, problem_from_schema


def test_float_factor_takes_the_schema_range():
    f = factor_from_schema("staff_turnover")
    p = PARAMETERS["staff_turnover"]
    assert (f.kind, f.low, f.high) == ("float", p.low, p.high)
    assert f.bounds == (p.low, p.high)


def test_a_study_narrows_a_range_inside_the_schema():
    f = factor_from_schema("funding_length", {"low": 12, "high": 60})
    assert (f.kind, f.low, f.high) == ("int", 12, 60)
    half = factor_from_schema("staff_turnover", {"high": 0.5})
    assert (half.low, half.high) == (PARAMETERS["staff_turnover"].low, 0.5)


@pytest.mark.parametrize(
    ("name", "spec", "match"),
    [
        ("staff_turnover", {"low": 0.1, "high": 2.0}, "out of range"),
        ("staff_turnover", {"low": 0.5, "high": 0.1}, "must be below"),
        ("staff_turnover", {"lo": 0.1}, "unknown range key"),
        ("coordinator", {"low": 0, "high": 1}, "not a range"),
        ("fund_holder", ["statutory", "council"], "not allowed"),
        ("coordinator", [True], "at least two choices"),
        ("staff_turnover", "wide", "not allowed"),
    ],
)
def test_bad_narrowing_is_refused_with_the_factor_named(name, spec, match):
    with pytest.raises(ParameterError, match=match) as info:
        factor_from_schema(name, spec)
    assert name in str(info.value)


def test_unknown_factor_gets_a_suggestion():
    with pytest.raises(ParameterError, match="did you mean 'staff_turnover'"):
        problem_from_schema(["staf_turnover", "coordinator"])


def test_bool_factor_is_a_documented_switch_not_dropped():
    f = factor_from_schema("coordinator")
    assert f.kind == "choice" and f.choices == (False, True)
    assert f.bounds == (0.0, 2.0)
    # below the midpoint is false, from it true; the top end (Morris' last level) is true
    assert f.decode(np.array([0.0, 0.99, 1.0, 1.5, 2.0])) == [False, False, True, True, True]
    assert "half the time" in f.describe()


def test_categorical_factor_maps_to_each_choice_equally():
    f = factor_from_schema("fund_holder")
    assert f.choices == PARAMETERS["fund_holder"].choices
    assert f.decode(np.array([0.2, 1.2, 2.2, 3.0])) == ["statutory", "vcse", "neutral", "neutral"]
    sub = factor_from_schema("fund_holder", ["vcse", "statutory", "vcse"])
    assert sub.choices == ("vcse", "statutory")  # repeats dropped, order kept


def test_a_list_of_numbers_is_a_categorical_factor():
    f = factor_from_schema("funding_length", [12, 36, 60])
    assert f.kind == "choice" and f.choices == (12, 36, 60)
    assert f.decode(np.array([0.5, 1.5, 2.5])) == [12, 36, 60]


def test_int_factor_gives_every_whole_value_equally():
    f = factor_from_schema("partnership_size", {"low": 3, "high": 6})
    assert f.bounds == (3.0, 7.0)
    assert f.decode(np.array([3.0, 3.99, 4.0, 6.99, 7.0])) == [3, 3, 4, 6, 6]


def test_sobol_design_balances_discrete_factors():
    problem = problem_from_schema(
        {"coordinator": {}, "fund_holder": {}, "partnership_size": {"low": 3, "high": 6}}
    )
    X = sample_sobol(problem, 1024, seed=3)
    rows = problem.decode(X)
    share_true = np.mean([r["coordinator"] for r in rows])
    assert share_true == pytest.approx(0.5, abs=0.02)
    for choice in PARAMETERS["fund_holder"].choices:
        assert np.mean([r["fund_holder"] == choice for r in rows]) == pytest.approx(1 / 3, abs=0.02)
    for size in (3, 4, 5, 6):
        assert np.mean([r["partnership_size"] == size for r in rows]) == pytest.approx(0.25, abs=0.02)
    assert {type(r["coordinator"]) for r in rows} == {bool}
    assert {type(r["partnership_size"]) for r in rows} == {int}


def test_morris_steps_flip_a_bool_factor():
    problem = problem_from_schema({"coordinator": {}, "staff_turnover": {}})
    X = sample_morris(problem, 10, num_levels=4, seed=1)
    values = problem.decode(X)
    coord = np.array([v["coordinator"] for v in values]).reshape(10, 3)
    xs = X[:, 0].reshape(10, 3)
    for t in range(10):
        step = np.flatnonzero(np.diff(xs[t]) != 0)
        assert len(step) == 1
        assert coord[t, step[0]] != coord[t, step[0] + 1]


def test_problem_is_the_salib_dict_and_refuses_repeats():
    problem = problem_from_schema(["staff_turnover", "coordinator"])
    turnover = PARAMETERS["staff_turnover"]
    assert problem.salib == {
        "num_vars": 2,
        "names": ["staff_turnover", "coordinator"],
        "bounds": [[turnover.low, turnover.high], [0.0, 2.0]],
    }
    with pytest.raises(ParameterError, match="listed twice"):
        Problem((Factor.real("a", 0, 1), Factor.real("a", 0, 1)))
    with pytest.raises(ParameterError, match="at least two factors"):
        Problem((Factor.real("a", 0, 1),))

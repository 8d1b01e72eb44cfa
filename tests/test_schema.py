"""The one parameter schema: defaults, validation and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

import partnersim
from partnersim.schema import PARAMETERS, ParameterError, coerce, defaults, validate

BRIEF_NAMES = {
    "n_statutory", "n_large_charity", "n_small_vcse", "n_partnerships", "partnership_size",
    "orientation", "membership", "staff_turnover", "funding_length", "renewal_probability",
    "coordinator", "coordinator_mainstreamed", "formal_agreement", "fund_holder",
    "prior_tie_density", "austerity_rate", "networking_rate", "horizon",
}  # fmt: skip


def test_schema_has_every_public_name_of_the_brief():
    assert set(PARAMETERS) >= BRIEF_NAMES


def test_every_parameter_is_documented_and_its_default_valid():
    for name, p in PARAMETERS.items():
        assert p.help and p.group, name
        assert p.check(p.default) == p.default, name
        if p.kind in (int, float):
            assert p.low is not None and p.high is not None, name
            assert p.unit, name
        # a number no report gives must say why it is what it is
        assert p.evidence or p.reason, name
    validate(defaults())


def test_brief_defaults():
    d = defaults()
    assert (d["n_statutory"], d["n_large_charity"], d["n_small_vcse"]) == (15, 10, 35)
    assert d["n_partnerships"] == 10 and d["horizon"] == 120 and d["funding_length"] == 36
    assert d["membership"] == "closed" and d["fund_holder"] == "statutory" and d["coordinator"] is True


@pytest.mark.parametrize(
    ("params", "fragments"),
    [
        ({"staff_turnovr": 0.2}, ["unknown parameter 'staff_turnovr'", "staff_turnover"]),
        ({"staff_turnover": 1.5}, ["'staff_turnover'", "1.5", "out of range", "0 to 0.95"]),
        ({"orientation": -0.1}, ["'orientation'", "-0.1", "0 to 1"]),
        ({"n_statutory": 2.5}, ["'n_statutory'", "2.5", "an integer"]),
        ({"n_statutory": "15"}, ["'n_statutory'", "'15'"]),
        ({"coordinator": 1}, ["'coordinator'", "true or false"]),
        ({"membership": "half"}, ["'membership'", "'half'", "'open'", "'closed'"]),
        ({"funding_length": True}, ["'funding_length'", "True"]),
        ({"orientation": float("nan")}, ["'orientation'", "nan"]),
        ({"rng": -1}, ["'rng'", "-1"]),
        ({"rng": 1.5}, ["'rng'", "1.5"]),
        ({"exit_threshold": 0.5, "paper_threshold": 0.3}, ["'exit_threshold'", "paper_threshold"]),
        (
            {"partnership_size": 30, "n_statutory": 3, "n_large_charity": 0, "n_small_vcse": 0},
            ["'partnership_size'"],
        ),
    ],
)
def test_bad_parameters_raise_one_clear_error(params, fragments):
    with pytest.raises(ParameterError) as info:
        validate(params)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_model_and_simulate_refuse_bad_parameters():
    with pytest.raises(ParameterError, match="staff_turnover"):
        partnersim.PartnershipModel(staff_turnover=2.0)
    with pytest.raises(ParameterError, match="unknown parameter 'colour'"):
        partnersim.simulate(colour="red")


def test_numpy_and_whole_floats_are_accepted():
    p = validate(
        {
            "n_statutory": np.int64(7),
            "orientation": np.float32(0.25),
            "funding_length": 24.0,
            "rng": np.int64(3),
        }
    )
    assert p["n_statutory"] == 7 and isinstance(p["n_statutory"], int)
    assert p["funding_length"] == 24 and isinstance(p["funding_length"], int)
    assert p["rng"] == 3


def test_coerce_from_command_line_text():
    assert coerce("coordinator", "false") is False
    assert coerce("coordinator", "Yes") is True
    assert coerce("funding_length", "12") == 12
    assert coerce("orientation", "0.8") == 0.8
    assert coerce("membership", "open") == "open"
    assert coerce("rng", "none") is None
    with pytest.raises(ParameterError, match="funding_length"):
        coerce("funding_length", "twelve")
    with pytest.raises(ParameterError, match="true or false"):
        coerce("coordinator", "maybe")


def test_a_models_parameters_are_a_frozen_typed_object_generated_from_the_schema():
    import dataclasses

    from partnersim.model import PartnershipModel
    from partnersim.schema import Params

    model = PartnershipModel(rng=3, staff_turnover=0.4, n_partnerships=4)
    p = model.p
    assert isinstance(p, Params)
    # one field per parameter, typed as the schema types it: nothing to keep in step by hand
    assert {f.name: f.type for f in dataclasses.fields(p)} == {n: par.kind for n, par in PARAMETERS.items()}
    assert p.staff_turnover == p["staff_turnover"] == 0.4 and p.n_partnerships == 4
    assert dict(p) == {**defaults(), "staff_turnover": 0.4, "n_partnerships": 4}
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.staff_turnover = 0.1
    with pytest.raises(KeyError):
        p["rng"]  # the seed is the model's, not a parameter
    with pytest.raises(AttributeError):
        p.staff_turnovr  # noqa: B018  (a misspelt name fails, it does not read as missing)

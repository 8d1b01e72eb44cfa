"""The app's controls come from the parameter schema, never retyped."""

from __future__ import annotations

import pytest

from partnersim.app.controls import (
    CLASSROOM_SIZE_FACTOR,
    classroom_range,
    control_label,
    model_inputs,
    slider_names,
    slider_step,
)
from partnersim.schema import PARAMETERS, defaults


def test_every_teachable_parameter_has_a_control_with_the_schema_words() -> None:
    inputs = model_inputs(defaults())
    assert slider_names() == [n for n, p in PARAMETERS.items() if p.teach]
    for name in slider_names():
        p = PARAMETERS[name]
        assert inputs[name]["label"] == control_label(p)
        assert p.help in inputs[name]["label"]
        if p.unit:
            assert p.unit in inputs[name]["label"]


def test_ranges_are_the_schema_ranges_with_system_sizes_capped() -> None:
    inputs = model_inputs(defaults())
    for name in slider_names():
        p = PARAMETERS[name]
        control = inputs[name]
        if p.kind is bool:
            assert control["type"] == "Checkbox"
        elif p.kind is str:
            assert control["type"] == "Select"
            assert control["values"] == list(p.choices)
        else:
            assert control["type"] == ("SliderInt" if p.kind is int else "SliderFloat")
            assert control["min"] == p.low
            if p.group == "system":
                assert control["max"] == min(p.high, CLASSROOM_SIZE_FACTOR * p.default)
            else:
                assert control["max"] == p.high
            assert control["min"] <= control["value"] <= control["max"]
            assert control["value"] == p.default


def test_slider_steps_are_round_and_reach_the_default() -> None:
    for name in slider_names():
        p = PARAMETERS[name]
        if p.kind in (int, float):
            step = slider_step(p)
            low, high = classroom_range(p)
            assert 0 < step <= (high - low) / 20
            assert str(step).strip("0.").strip("0") in {"1", "2", "5"}


def test_fixed_values_and_seed_are_passed_to_reset() -> None:
    values = {**defaults(), "formation": True, "orientation": 0.1, "rng": 12}
    inputs = model_inputs(values)
    assert inputs["formation"] is True  # not a control: a fixed parameter
    assert inputs["orientation"]["value"] == 0.1
    assert inputs["rng"]["value"] == 12
    assert "horizon" not in inputs  # defaults need not be passed


def test_values_outside_the_classroom_range_are_clipped_on_the_slider() -> None:
    inputs = model_inputs({**defaults(), "n_small_vcse": 50000})
    assert inputs["n_small_vcse"]["value"] == inputs["n_small_vcse"]["max"]


def test_budget_shock_chance_cannot_mean_a_shock_every_month() -> None:
    """Defect 8: a yearly chance of 1 gave a shock every month; the range now stops below 1."""
    from partnersim.mechanisms import annual_to_monthly_probability
    from partnersim.model import PartnershipModel
    from partnersim.schema import ParameterError, validate

    top = model_inputs(defaults())["austerity_rate"]["max"]
    assert top < 1.0
    with pytest.raises(ParameterError, match="austerity_rate"):
        validate({"austerity_rate": 1.0})
    # at the slider's top, shocks come in a minority of months, about 12 x monthly chance a year
    months, shocks = 0, 0
    for seed in range(4):
        model = PartnershipModel(rng=seed, austerity_rate=top, horizon=120)
        model.run()
        months += model.steps
        shocks += sum("budget shock" in text for _, text in model.events)
    assert shocks / months < 0.3
    assert shocks / months == pytest.approx(annual_to_monthly_probability(top), abs=0.05)

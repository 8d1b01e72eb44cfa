"""The classroom app's controls, generated from the one parameter schema.

Every slider, checkbox and menu comes from :data:`partnersim.schema.PARAMETERS`
(the parameters marked ``teach``): its label is the schema's help text and
unit, its range is the schema's range. Nothing here retypes a range; the only
classroom rule is a cap on system sizes (:data:`CLASSROOM_SIZE_FACTOR`), so the
view stays readable and the app keeps up with a class.

The inputs are plain dicts in the format of Mesa's ``SolaraViz(model_params=...)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from partnersim.schema import PARAMETERS, RNG_NAME, Parameter

__all__ = [
    "CLASSROOM_SIZE_FACTOR",
    "SEED_RANGE",
    "classroom_range",
    "control_label",
    "model_inputs",
    "slider_names",
    "slider_step",
]

#: System sizes (``group="system"`` counts) go up to this many times their default.
#: The schema allows regions of thousands of organisations; a class watching one
#: view needs a local system, and more than a few hundred nodes would not draw in time.
CLASSROOM_SIZE_FACTOR = 4

#: Seeds offered on the seed slider (any seed is valid; a short range is easy to read out).
SEED_RANGE = (0, 99)


def slider_names() -> list[str]:
    """The parameters shown as controls: the schema's teachable subset, in schema order."""
    return [name for name, p in PARAMETERS.items() if p.teach]


def classroom_range(p: Parameter) -> tuple[float, float]:
    """The range a control offers: the schema's, with system sizes capped for a classroom."""
    if p.low is None or p.high is None:
        raise ValueError(f"parameter '{p.name}' has an open range and cannot be a slider")
    low, high = p.low, p.high
    if p.group == "system" and p.kind is int:
        high = min(high, max(low, CLASSROOM_SIZE_FACTOR * p.default))
    return low, high


def slider_step(p: Parameter) -> float:
    """A round step giving about a hundred positions (1 for integers)."""
    if p.kind is int:
        return 1
    low, high = classroom_range(p)
    raw = (high - low) / 100
    exponent = math.floor(math.log10(raw))
    # the 1-2-5 step closest to raw on a log scale
    candidates = [m * 10.0**e for e in (exponent, exponent + 1) for m in (1, 2, 5)]
    best = min(candidates, key=lambda c: abs(math.log(c / raw)))
    return float(f"{best:.6g}")


def control_label(p: Parameter) -> str:
    """The words on a control: the schema's help text and unit."""
    return f"{p.help} ({p.unit})" if p.unit else p.help


def _clip(value: Any, low: float, high: float) -> Any:
    return min(max(value, low), high)


def model_inputs(values: Mapping[str, Any]) -> dict[str, Any]:
    """Mesa ``model_params`` for these parameter values.

    Teachable parameters become controls starting at ``values``; the seed
    gets a slider; any other value that differs from the schema default is
    passed as a fixed parameter, so Reset rebuilds the same lesson.
    """
    inputs: dict[str, Any] = {}
    for name in slider_names():
        p = PARAMETERS[name]
        value = values.get(name, p.default)
        label = control_label(p)
        if p.kind is bool:
            inputs[name] = {"type": "Checkbox", "value": bool(value), "label": label}
        elif p.kind is str:
            inputs[name] = {"type": "Select", "value": value, "values": list(p.choices), "label": label}
        else:
            low, high = classroom_range(p)
            kind = "SliderInt" if p.kind is int else "SliderFloat"
            inputs[name] = {
                "type": kind,
                "value": p.kind(_clip(value, low, high)),
                "min": p.kind(low),
                "max": p.kind(high),
                "step": slider_step(p),
                "label": label,
            }
    seed = values.get(RNG_NAME)
    inputs[RNG_NAME] = {
        "type": "SliderInt",
        "value": int(seed) if seed is not None else SEED_RANGE[0],
        "min": SEED_RANGE[0],
        "max": SEED_RANGE[1],
        "step": 1,
        "label": "Random seed (same seed and settings, same run)",
    }
    for name, value in values.items():
        if name in inputs or name == RNG_NAME:
            continue
        if value != PARAMETERS[name].default:
            inputs[name] = value
    return inputs

"""Synthetic calibrations: observations simulated at known parameters, for checking the method itself.

A calibration that works recovers the parameters that generated its
observations. :func:`synthetic_study` writes a two-parameter calibration
file whose observations :func:`observations` simulates at a chosen truth,
with seeds the calibration never uses: the pooled counts of failure while
funded and of survival after funding, and the core-group size +- 0.25.
Two designs (:data:`DESIGNS`) choose the free parameters:

- ``thresholds``: ``quorum_share`` 0-1 and ``paper_threshold`` 0.2-0.7;
- ``coordinator``: ``paper_threshold`` 0.2-0.7 and ``coordination_hours``
  0.5-8, with one more target, the share of a coordinator's hours spent
  on relationships (:func:`~partnersim.calibration.statistics.coordinator_relationship_share`)
  +- 0.05.

The recovery tests and ``experiments/calibration_coverage.py`` use them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from partnersim.calibration.statistics import (
    coordinator_relationship_share,
    core_group_size,
    failed_while_funded,
    observe_run,
    sustained_after_funding,
)

__all__ = ["DESIGNS", "PRIORS", "TEMPLATE", "observations", "synthetic_study", "synthetic_text"]

#: each design's free parameters and their uniform priors
DESIGNS: dict[str, dict[str, tuple[float, float]]] = {
    "thresholds": {"quorum_share": (0.0, 1.0), "paper_threshold": (0.2, 0.7)},
    "coordinator": {"paper_threshold": (0.2, 0.7), "coordination_hours": (0.5, 8.0)},
}
#: the free parameters of the first design
PRIORS = DESIGNS["thresholds"]
#: the coordinator design's extra target: the simulated share +- this
COORDINATOR_HALF_WIDTH = 0.05
#: every run's fixed parameters (the scenario and the rest)
FIXED = {
    "n_partnerships": 6,
    "legacy_months": 12,
    "exit_threshold": 0.2,
    "funding_length": 24,
    "renewal_probability": 0.0,
}

TEMPLATE = """
name = "{name}"
seed = {seed}
population = {population}
populations = {populations}
predictive = {predictive}

[parameters]
n_partnerships = 6
legacy_months = 12
exit_threshold = 0.2

[priors]
groups = []
{priors}

[scenarios.base]
description = "Two-year grants, never renewed."
parameters = {{ horizon = {horizon}, funding_length = 24, renewal_probability = 0.0 }}

[targets.fail]
scenario = "base"
statistic = "failed_while_funded"
observed = {{ count = {fail_k}, total = {fail_n} }}
ref = "001:249"
quote = "was not sustained even to the end of the dedicated funding"

[targets.sustain]
scenario = "base"
statistic = "sustained_after_funding"
observed = {{ count = {sustain_k}, total = {sustain_n} }}
ref = "001:259"
quote = "of which only one was sustained"

[targets.core]
scenario = "base"
statistic = "core_group_size"
args = {{ months = 24 }}
observed = {{ low = {core_low}, high = {core_high} }}
ref = "002:1182"
quote = "Leeds' partnership is comprised of six partners"
{extra_targets}"""

_COORDINATOR_TARGET = """
[targets.coordinator]
scenario = "base"
statistic = "coordinator_relationship_share"
observed = {{ low = {coord_low}, high = {coord_high} }}
ref = "003:536"
quote = "I consider probably 50% of my time is spent on ensuring that ... relationships are kept up"
"""

DEFAULTS: dict[str, Any] = dict(
    name="synthetic",
    seed=5,
    population=12,
    populations=3,
    predictive=8,
    horizon=40,
    fail_k=1,
    fail_n=3,
    sustain_k=1,
    sustain_n=3,
    core_low=3,
    core_high=5,
    coord_low=0.4,
    coord_high=0.5,
    design="thresholds",
)


def _design_block(design: str, values: dict[str, Any] | None = None) -> dict[str, str]:
    """The template's ``priors`` and ``extra_targets`` for a design (``values`` fill the extra targets)."""
    if design not in DESIGNS:
        raise ValueError(f"design: {design!r} is not one of {sorted(DESIGNS)}")
    priors = "\n".join(f"{n} = {{ low = {lo}, high = {hi} }}" for n, (lo, hi) in DESIGNS[design].items())
    extra = _COORDINATOR_TARGET.format(**values) if design == "coordinator" and values is not None else ""
    return {"priors": priors, "extra_targets": extra}


def observations(
    truth: dict[str, float],
    runs: int = 6,
    first_seed: int = 10_000,
    horizon: int = 40,
    design: str = "thresholds",
) -> dict[str, Any]:
    """The template's observation keys, simulated at ``truth`` over ``runs`` runs (seeds from ``first_seed``)."""
    _design_block(design)
    fk = fn = sk = sn = 0
    core, coord = [], []
    for seed in range(first_seed, first_seed + runs):
        rec = observe_run({**FIXED, **truth, "horizon": horizon, "rng": seed})
        f, s = failed_while_funded(rec), sustained_after_funding(rec, 12)
        fk, fn, sk, sn = fk + f.k, fn + f.n, sk + s.k, sn + s.n
        core.append(core_group_size(rec, 24))
        if design == "coordinator":
            coord.append(coordinator_relationship_share(rec))
    defined = [c for c in core if not np.isnan(c)]
    c = float(np.mean(defined)) if defined else 0.5
    extra: dict[str, Any] = {}
    if design == "coordinator":
        shares = [x for x in coord if not np.isnan(x)]
        if not shares:
            raise ValueError(f"truth {truth}: no run had a coordinator's month to observe")
        share = float(np.mean(shares))
        h = COORDINATOR_HALF_WIDTH
        extra = dict(coord_low=round(max(share - h, 0.0), 4), coord_high=round(min(share + h, 1.0), 4))
    return dict(
        design=design,
        **extra,
        fail_k=fk,
        fail_n=max(fn, 1),
        sustain_k=sk,
        sustain_n=max(sn, 1),
        core_low=round(c - 0.25, 4),
        core_high=round(c + 0.25, 4),
    )


def synthetic_text(**values: Any) -> str:
    """The template filled with ``values`` over :data:`DEFAULTS`."""
    values = {**DEFAULTS, **values}
    return TEMPLATE.format(**values, **_design_block(values["design"], values))


def synthetic_study(path: str | Path, **values: Any) -> Path:
    """Write the template with ``values`` (see :data:`DEFAULTS` for the keys) to ``path``."""
    path = Path(path)
    path.write_text(synthetic_text(**values), encoding="utf-8")
    return path

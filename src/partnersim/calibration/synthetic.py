"""Synthetic calibrations: observations simulated at known parameters, for checking the method itself.

A calibration that works recovers the parameters that generated its
observations. :func:`synthetic_study` writes a two-parameter calibration
file (``quorum_share`` 0-1, ``paper_threshold`` 0.2-0.7) whose
observations :func:`observations` simulates at a chosen truth, with seeds
the calibration never uses: the pooled counts of failure while funded and
of survival after funding, and the core-group size +- 0.25. The recovery
test and ``experiments/calibration_coverage.py`` use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from partnersim.calibration.statistics import (
    core_group_size,
    failed_while_funded,
    observe_run,
    sustained_after_funding,
)

__all__ = ["PRIORS", "TEMPLATE", "observations", "synthetic_study"]

#: the free parameters and their uniform priors
PRIORS = {"quorum_share": (0.0, 1.0), "paper_threshold": (0.2, 0.7)}
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
quorum_share = {{ low = 0.0, high = 1.0 }}
paper_threshold = {{ low = 0.2, high = 0.7 }}

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
)


def observations(
    truth: dict[str, float], runs: int = 6, first_seed: int = 10_000, horizon: int = 40
) -> dict[str, Any]:
    """The template's observation keys, simulated at ``truth`` over ``runs`` runs (seeds from ``first_seed``)."""
    fk = fn = sk = sn = 0
    core = []
    for seed in range(first_seed, first_seed + runs):
        rec = observe_run({**FIXED, **truth, "horizon": horizon, "rng": seed})
        f, s = failed_while_funded(rec), sustained_after_funding(rec, 12)
        fk, fn, sk, sn = fk + f.k, fn + f.n, sk + s.k, sn + s.n
        core.append(core_group_size(rec, 24))
    defined = [c for c in core if not np.isnan(c)]
    c = float(np.mean(defined)) if defined else 0.5
    return dict(
        fail_k=fk,
        fail_n=max(fn, 1),
        sustain_k=sk,
        sustain_n=max(sn, 1),
        core_low=round(c - 0.25, 4),
        core_high=round(c + 0.25, 4),
    )


def synthetic_study(path: str | Path, **values: Any) -> Path:
    """Write the template with ``values`` (see :data:`DEFAULTS` for the keys) to ``path``."""
    path = Path(path)
    path.write_text(TEMPLATE.format(**{**DEFAULTS, **values}), encoding="utf-8")
    return path

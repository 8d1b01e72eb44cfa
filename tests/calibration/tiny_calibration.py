"""Tiny calibration files that run in seconds (imported by the calibration tests)."""

from __future__ import annotations

from pathlib import Path

TINY = """
name = "tiny"
seed = 5
population = {population}
populations = {populations}
predictive = 8

[parameters]
n_partnerships = 6
legacy_months = 12
exit_threshold = 0.2

[priors]
groups = []
carry_on_threshold = {{ low = 0.0, high = 1.0 }}
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

DEFAULTS = dict(
    population=12,
    populations=3,
    horizon=40,
    fail_k=1,
    fail_n=3,
    sustain_k=1,
    sustain_n=3,
    core_low=3,
    core_high=5,
)


def write_tiny(path: Path, **kw: object) -> Path:
    """A two-parameter calibration of 40-month runs of six partnerships (format keys of :data:`TINY`)."""
    path.write_text(TINY.format(**{**DEFAULTS, **kw}), encoding="utf-8")
    return path

"""Funding-policy comparisons: partnership survival under different funder levers.

- :mod:`~partnersim.policy.spec`: the policies file (levers vs shared
  uncertainties, common random numbers);
- :mod:`~partnersim.policy.survival`: Kaplan-Meier curves, medians,
  survival at fixed months, permutation log-rank tests within replicates,
  grant-end hazard, legacy;
- :mod:`~partnersim.policy.analysis`: every table of a comparison;
- :mod:`~partnersim.policy.figures` and :mod:`~partnersim.policy.report`:
  the figures and the self-contained HTML report;
- :mod:`~partnersim.policy.compare`: runs a comparison on the experiments
  runner (``partnersim compare``).
"""

from __future__ import annotations

from partnersim.policy.analysis import Comparison, analyse, analyze_policies
from partnersim.policy.compare import ComparisonRun, policy_specs, pooled_table, run_comparison
from partnersim.policy.spec import (
    LEVERS,
    Policy,
    PolicyStudy,
    Replicate,
    Uncertainty,
    load_policies,
    parse_policies,
)

__all__ = [
    "LEVERS",
    "Comparison",
    "ComparisonRun",
    "Policy",
    "PolicyStudy",
    "Replicate",
    "Uncertainty",
    "analyse",
    "analyze_policies",
    "load_policies",
    "parse_policies",
    "policy_specs",
    "pooled_table",
    "run_comparison",
]

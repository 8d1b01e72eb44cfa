"""Sensitivity analysis: Morris screening and Sobol indices with SALib.

The public API, used by ``partnersim sobol`` and ``partnersim morris``:

**Factors** (:mod:`~partnersim.sensitivity.factors`): ``problem_from_schema(factors)``
builds a :class:`Problem` (the SALib ``problem`` dict plus the mapping of
bool, int and categorical factors) from the one parameter schema, with
ranges optionally narrowed; ``Factor.real(name, low, high)`` for functions
that are not the model.

**Running** (:mod:`~partnersim.sensitivity.run`): ``run_sobol(problem, n, outcomes=...,
replicates=..., fn=None, ...)`` and ``run_morris(...)`` sample the design,
run it through :func:`partnersim.experiments.run_specs` (any executor,
resumable) and analyse it; ``fn`` is any picklable function of the factors
(default: the model). ``write_sobol``/``write_morris`` write tables, figures
and a report.

**Analysis on arrays** (:mod:`~partnersim.sensitivity.analysis`): ``sample_sobol``,
``analyze_sobol`` (S1, ST, S2 with bootstrap CIs, convergence on N/4, N/2,
N, replicate noise, CI-width warnings), ``sample_morris``, ``analyze_morris``.

**Studies** (:mod:`~partnersim.sensitivity.study`): ``load_sensitivity_study(path, method)``.

Example, on the Ishigami function::

    from partnersim.sensitivity import run_sobol
    from partnersim.sensitivity.testfunctions import ishigami, ishigami_problem

    run = run_sobol(ishigami_problem(), 1024, outcomes=["y"], fn=ishigami, seed_param=None)
    run.result.indices  # outcome, factor, index (S1/ST), value, conf, low, high
"""

from __future__ import annotations

from partnersim.sensitivity.analysis import (
    MorrisResult,
    SobolResult,
    analyze_morris,
    analyze_sobol,
    check_power_of_two,
    replicate_noise,
    sample_morris,
    sample_sobol,
)
from partnersim.sensitivity.factors import Factor, Problem, factor_from_schema, problem_from_schema
from partnersim.sensitivity.run import MorrisRun, SobolRun, run_morris, run_sobol, write_morris, write_sobol
from partnersim.sensitivity.study import SensitivityStudy, load_sensitivity_study

__all__ = [
    "Factor",
    "MorrisResult",
    "MorrisRun",
    "Problem",
    "SensitivityStudy",
    "SobolResult",
    "SobolRun",
    "analyze_morris",
    "analyze_sobol",
    "check_power_of_two",
    "factor_from_schema",
    "load_sensitivity_study",
    "problem_from_schema",
    "replicate_noise",
    "run_morris",
    "run_sobol",
    "sample_morris",
    "sample_sobol",
    "write_morris",
    "write_sobol",
]

"""Functions with known sensitivity indices, to check the analysis path.

They have the same shape as :func:`partnersim.simulate`: keyword arguments
(the factors plus the seed ``rng``) in, a dict of named outputs out. They
live at module level so that worker processes can pickle them.
"""

from __future__ import annotations

import math

import numpy as np

from partnersim.sensitivity.factors import Factor, Problem

__all__ = [
    "ISHIGAMI_S1",
    "ISHIGAMI_ST",
    "ishigami",
    "ishigami_problem",
    "noisy_linear",
    "noisy_linear_problem",
]

#: analytic indices of the Ishigami function for a = 7, b = 0.1 (Saltelli et al. 2008, p. 179)
ISHIGAMI_S1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
ISHIGAMI_ST = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}


def ishigami(x1: float, x2: float, x3: float, a: float = 7.0, b: float = 0.1, rng: int | None = None) -> dict:
    """The Ishigami-Homma function ``sin x1 + a sin² x2 + b x3⁴ sin x1`` (``rng`` is ignored)."""
    return {"y": math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)}


def ishigami_problem() -> Problem:
    """The Ishigami factors: three uniforms on [-π, π]."""
    return Problem(tuple(Factor.real(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)))


def noisy_linear(x1: float, x2: float, noise_sd: float = 1.0, rng: int | None = None) -> dict:
    """``x1 + x2 + ε`` with ``ε ~ N(0, noise_sd²)`` drawn from the seed ``rng``.

    With x1, x2 uniform on [0, √12·s] each contributes ``s²`` to the
    variance, so the share of single-run variance that is noise is known:
    ``noise_sd² / (2 s² + noise_sd²)``.
    """
    eps = np.random.default_rng(rng).normal(0.0, noise_sd)
    return {"y": x1 + x2 + float(eps)}


def noisy_linear_problem(s: float = 1.0) -> Problem:
    """Two uniforms of standard deviation ``s`` each."""
    w = math.sqrt(12.0) * s
    return Problem((Factor.real("x1", 0.0, w), Factor.real("x2", 0.0, w)))

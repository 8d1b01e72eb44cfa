"""Sensitivity study files: the sweep study format plus a ``[sobol]`` and a ``[morris]`` table.

One file serves both commands, so the cheap Morris screen and the Sobol
analysis look at the same factors::

    name = "sobol-survival"          # results/<name>/sobol/ and .../morris/
    description = "..."
    replicates = 3                   # runs per sample point, each with its own seed
    seed = 20240601                  # root seed: design, run seeds and bootstrap
    outcomes = ["survival_rate", "legacy_rate", "mean_trust"]

    [parameters]                     # fixed for every run
    horizon = 120

    [factors]                        # {} = the schema's whole range
    staff_turnover = {}
    funding_length = { low = 12, high = 60 }   # narrowed (inside the schema's)
    coordinator = {}                 # bool: false/true, half the time each
    fund_holder = ["statutory", "vcse"]        # a list: these values, equally likely

    [sobol]
    n = 512                          # base points N: a power of two
    second_order = false
    num_resamples = 200              # bootstrap resamples for the intervals
    conf_level = 0.95
    ci_limit = 0.1                   # warn when an interval is wider than this

    [morris]
    trajectories = 20
    num_levels = 4
    ci_limit = 1.0                   # warn when an interval of mu* is wider than this times mu*

The top-level keys, ``[parameters]`` and the outcome list are checked by the
same helpers as a sweep study (:mod:`partnersim.experiments.study`); each
problem raises one :class:`~partnersim.config.ConfigError` naming the file
and the key, before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partnersim.config import ConfigError, read_toml
from partnersim.experiments.study import (
    check_bool,
    check_header,
    check_int,
    check_keys,
    check_outcomes,
    check_parameters,
    output_dir,
)
from partnersim.schema import RNG_NAME, ParameterError
from partnersim.sensitivity.analysis import CI_WIDTH_WARN, MORRIS_CI_RELATIVE, check_power_of_two
from partnersim.sensitivity.factors import Problem, problem_from_schema

__all__ = ["METHODS", "SensitivityStudy", "load_sensitivity_study"]

METHODS = ("sobol", "morris")
STUDY_KEYS = ("name", "description", "replicates", "seed", "outcomes", "parameters", "factors", *METHODS)
SOBOL_KEYS = ("n", "second_order", "num_resamples", "conf_level", "ci_limit")
MORRIS_KEYS = ("trajectories", "num_levels", "num_resamples", "conf_level", "ci_limit")


@dataclass(frozen=True)
class SensitivityStudy:
    """A checked sensitivity study. Build it with :func:`load_sensitivity_study`."""

    path: Path
    name: str
    description: str
    base: dict[str, Any]
    problem: Problem
    outcomes: tuple[str, ...]
    replicates: int
    seed: int
    n: int = 64
    second_order: bool = False
    trajectories: int = 20
    num_levels: int = 4
    num_resamples: int = 200
    conf_level: float = 0.95
    ci_limit: float = CI_WIDTH_WARN
    morris_ci_limit: float = MORRIS_CI_RELATIVE
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def output_dir(self, method: str, root: str | Path = "results") -> Path:
        """``root/<name>/<method>``, checked to stay inside ``root``."""
        return output_dir(root, self.name, self.path) / method

    def run_arguments(self, method: str) -> dict[str, Any]:
        """The keywords of :func:`~partnersim.sensitivity.run.run_sobol` (or ``run_morris``) the study sets, but ``base``."""
        common = {
            "outcomes": self.outcomes,
            "replicates": self.replicates,
            "seed": self.seed,
            "num_resamples": self.num_resamples,
            "conf_level": self.conf_level,
        }
        if method == "sobol":
            return common | {"n": self.n, "second_order": self.second_order, "ci_limit": self.ci_limit}
        return common | {
            "trajectories": self.trajectories,
            "num_levels": self.num_levels,
            "ci_limit": self.morris_ci_limit,
        }

    def resolved(self, method: str) -> dict[str, Any]:
        """The study as resolved, for the manifest and the report."""
        out: dict[str, Any] = {
            "name": self.name,
            "path": str(self.path),
            "description": self.description,
            "method": method,
            "replicates": self.replicates,
            "seed": self.seed,
            "outcomes": list(self.outcomes),
            "base": dict(self.base),
            "factors": self.problem.table(),
            "num_resamples": self.num_resamples,
            "conf_level": self.conf_level,
        }
        if method == "sobol":
            out |= {"n": self.n, "second_order": self.second_order, "ci_limit": self.ci_limit}
        else:
            out |= {
                "trajectories": self.trajectories,
                "num_levels": self.num_levels,
                "ci_limit": self.morris_ci_limit,
            }
        return out


def _check_float(
    data: Mapping[str, Any], key: str, path: Path, default: float, low: float, high: float, prefix: str
) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low < value < high:
        raise ConfigError(
            f"{path}: key '{prefix}{key}' = {value!r} is not allowed: expected a number between {low:g} and {high:g}"
        )
    return float(value)


def _table(raw: Mapping[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{path}: key '{key}' must be a table, got {value!r}")
    return dict(value)


#: keys only a sweep study has
_SWEEP_KEYS = ("design", "samples", "timeseries", "partnerships")


def _refuse_other_studies(raw: Mapping[str, Any], path: Path, method: str) -> None:
    """Refuse a sweep study or a policy comparison given to ``partnersim sobol``/``morris``.

    A sweep study (every factor a list of values, no ``[sobol]`` or
    ``[morris]`` table) would otherwise run as a sensitivity study of
    categorical factors, as ``partnersim sweep`` refuses a sensitivity study.
    """
    for key in ("policies", "study"):
        if key in raw:
            raise ConfigError(
                f"{path}: key '{key}' is not allowed in a sensitivity study: [{key}] belongs to a policy "
                "comparison; use partnersim compare"
            )
    factors = raw.get("factors")
    sweep_keys = [k for k in _SWEEP_KEYS if k in raw]
    all_lists = (
        isinstance(factors, Mapping) and factors and all(isinstance(v, list) for v in factors.values())
    )
    if sweep_keys or (all_lists and not any(m in raw for m in METHODS)):
        why = (
            f"key '{sweep_keys[0]}' belongs to a sweep study"
            if sweep_keys
            else "it is a sweep study (every factor a list of values, no [sobol] or [morris] table)"
        )
        raise ConfigError(
            f"{path}: not a sensitivity study: {why}; use partnersim sweep, or give the factors as "
            f"ranges (name = {{}} or {{ low = .., high = .. }}) and a [{method}] table"
        )


def load_sensitivity_study(path: str | Path, method: str = "sobol") -> SensitivityStudy:
    """Read and check a sensitivity study for ``method`` (``sobol`` or ``morris``).

    Raises :class:`ConfigError` on the first problem, for example a Sobol
    ``n`` that is not a power of two, a factor the schema does not know, a
    narrowed range outside the schema's, or a factor also set in
    ``[parameters]``.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}: expected one of {METHODS}")
    path = Path(path)
    raw = read_toml(path)
    _refuse_other_studies(raw, path, method)
    name, description = check_header(raw, STUDY_KEYS, path)
    replicates = check_int(raw, "replicates", path, 1, low=1, high=10_000) or 1
    seed = check_int(raw, "seed", path, 0, low=0) or 0
    outcomes = check_outcomes(raw.get("outcomes"), path)
    base = check_parameters(raw.get("parameters"), path)

    factors = raw.get("factors")
    if not isinstance(factors, Mapping) or not factors:
        raise ConfigError(
            f"{path}: key 'factors' must be a non-empty table: name = {{}} (the schema's range), "
            "name = { low = .., high = .. } or name = [values]"
        )
    for fname in factors:
        if fname == RNG_NAME:
            raise ConfigError(
                f"{path}: key 'factors.{fname}' is not allowed: seeds come from the study's root 'seed'"
            )
        if fname in base:
            raise ConfigError(
                f"{path}: key 'factors.{fname}' is not allowed: '{fname}' is also set in [parameters]"
            )
    try:
        problem = problem_from_schema(factors)
    except ParameterError as exc:
        where = f"factors.{exc.name}" if exc.name in factors else "factors"
        raise ConfigError(f"{path}: key '{where}': {exc}") from None

    sobol = _table(raw, "sobol", path)
    morris = _table(raw, "morris", path)
    check_keys(sobol, SOBOL_KEYS, path, prefix="sobol.")
    check_keys(morris, MORRIS_KEYS, path, prefix="morris.")
    section = sobol if method == "sobol" else morris
    prefix = f"{method}."
    n = check_int(sobol, "n", path, 64, low=2, prefix="sobol.") or 64
    try:
        check_power_of_two(n)
    except ParameterError as exc:
        raise ConfigError(f"{path}: key 'sobol.n': {exc}") from None
    num_levels = check_int(morris, "num_levels", path, 4, low=2, high=100, prefix="morris.") or 4
    if num_levels % 2:
        raise ConfigError(
            f"{path}: key 'morris.num_levels' = {num_levels} is not allowed: expected an even number"
        )
    return SensitivityStudy(
        path=path,
        name=name,
        description=description,
        base=base,
        problem=problem,
        outcomes=outcomes,
        replicates=replicates,
        seed=seed,
        n=n,
        second_order=check_bool(sobol, "second_order", path, False, prefix="sobol."),
        trajectories=check_int(morris, "trajectories", path, 20, low=2, high=100_000, prefix="morris.") or 20,
        num_levels=num_levels,
        num_resamples=check_int(section, "num_resamples", path, 200, low=10, high=100_000, prefix=prefix)
        or 200,
        conf_level=_check_float(section, "conf_level", path, 0.95, 0.0, 1.0, prefix),
        ci_limit=_check_float(sobol, "ci_limit", path, CI_WIDTH_WARN, 0.0, 2.0, "sobol."),
        morris_ci_limit=_check_float(morris, "ci_limit", path, MORRIS_CI_RELATIVE, 0.0, 100.0, "morris."),
        raw=raw,
    )

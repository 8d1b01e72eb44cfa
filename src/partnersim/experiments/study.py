"""Studies as data: a TOML file in ``configs/`` checked against the one schema.

A study file looks like this (every key but ``factors`` is optional)::

    name = "turnover-funding-coordinator"   # results/<name>/; default: file stem
    description = "..."
    design = "grid"          # "grid" (full factorial) or "lhs" (Latin hypercube)
    samples = 32             # lhs only: points drawn over the ranges
    replicates = 10          # runs per point, each with its own seed
    seed = 20240601          # root seed: SeedSequence(seed).spawn(n_runs)
    outcomes = ["survival_rate", "legacy_rate"]   # default: all summary outcomes
    timeseries = false       # also keep timeseries.parquet
    partnerships = false     # also keep partnerships.parquet

    [parameters]             # base parameters for every run
    horizon = 120

    [factors]                # grid: lists of values; lhs: also tables
    staff_turnover = [0.1, 0.3, 0.5]
    funding_length = { low = 12, high = 60 }   # lhs only
    coordinator = {}         # lhs only: the whole schema range; a bool is false/true

In an ``lhs`` design, factors given as lists are crossed with the hypercube.
Tables are sampled as ``partnersim sobol`` samples them (one rule for both):
a float uniformly, an int as the floor of a uniform draw on
``[low, high + 1)`` (each whole value equally likely), a bool or str as
one of its values, each equally likely.
Every problem raises one :class:`~partnersim.config.ConfigError` naming the
file, the key, the value and what is allowed; nothing runs and nothing is
written before a study has been checked.

The ``check_*`` helpers and :func:`output_dir` are public so that other study
files (``sobol.toml``, ``policies.toml``) are checked the same way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from partnersim.config import ConfigError, read_toml
from partnersim.experiments.specs import MAX_RUNS, RunSpec, grid_points, lhs_points, make_specs
from partnersim.outcomes import SUMMARY_NAMES
from partnersim.schema import RNG_NAME, ParameterError, parameter, validate

if TYPE_CHECKING:
    from partnersim.sensitivity.factors import Factor

__all__ = [
    "STUDY_KEYS",
    "Study",
    "check_bool",
    "check_factors",
    "check_header",
    "check_int",
    "check_keys",
    "check_name",
    "check_outcomes",
    "check_parameters",
    "check_points",
    "load_study",
    "output_dir",
]

#: top-level keys a sweep study may have
STUDY_KEYS = (
    "name",
    "description",
    "design",
    "samples",
    "replicates",
    "seed",
    "outcomes",
    "timeseries",
    "partnerships",
    "parameters",
    "factors",
)

DESIGNS = ("grid", "lhs")

#: tables of other study files, and the command that reads them
OTHER_STUDIES = {
    "sobol": ("a sensitivity study", "partnersim sobol (or partnersim morris)"),
    "morris": ("a sensitivity study", "partnersim morris (or partnersim sobol)"),
    "policies": ("a policy comparison", "partnersim compare"),
    "study": ("a policy comparison", "partnersim compare"),
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


# ------------------------------------------------------------------ helpers


def check_keys(data: Mapping[str, Any], allowed: Iterable[str], path: str | Path, prefix: str = "") -> None:
    """Refuse keys not in ``allowed`` (``prefix`` is the table, e.g. ``"sweep."``)."""
    allowed = list(allowed)
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{path}: unknown key '{prefix}{key}': allowed keys are {', '.join(allowed)}")


def check_name(value: Any, path: str | Path, key: str = "name", *, from_file: bool = False) -> str:
    """A study name that is safe as one folder name under the output folder.

    ``from_file``: the name is the file's stem (the study sets no ``key``),
    and the message says so.
    """
    if isinstance(value, str) and _NAME.match(value) and ".." not in value:
        return value
    allowed = "letters, digits, '-', '_' or '.' (not starting with '.', no '..', at most 100 characters)"
    if from_file:
        raise ConfigError(
            f"{path}: the study has no '{key}', so its name comes from the file name, {value!r}, "
            f"which cannot be a folder name: a name may use {allowed}; "
            f'rename the file or set {key} = "..."'
        )
    escapes = isinstance(value, str) and (
        "/" in value or "\\" in value or ".." in value or value.startswith(".")
    )
    why = "it would write outside the output folder" if escapes else "it is not a folder name"
    raise ConfigError(f"{path}: key '{key}' = {value!r} is not allowed: {why}; expected {allowed}")


def output_dir(root: str | Path, name: str, path: str | Path = "study") -> Path:
    """``root/name``, refusing any name that would resolve outside ``root``."""
    check_name(name, path)
    root = Path(root)
    out = root / name
    if root.resolve() not in out.resolve().parents:
        raise ConfigError(f"{path}: key 'name' = {name!r} would write outside the output folder {root}")
    return out


def check_int(
    data: Mapping[str, Any],
    key: str,
    path: str | Path,
    default: int | None,
    low: int | None = None,
    high: int | None = None,
    prefix: str = "",
) -> int | None:
    """``data[key]`` as an int within ``[low, high]``, or ``default`` when absent."""
    if key not in data:
        return default
    value = data[key]
    ok = isinstance(value, int) and not isinstance(value, bool)
    ok = ok and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        bounds = " and ".join(
            t
            for t in (
                f"at least {low}" if low is not None else "",
                f"at most {high}" if high is not None else "",
            )
            if t
        )
        raise ConfigError(
            f"{path}: key '{prefix}{key}' = {value!r} is not allowed: expected an integer"
            + (f" {bounds}" if bounds else "")
        )
    return value


def check_bool(data: Mapping[str, Any], key: str, path: str | Path, default: bool, prefix: str = "") -> bool:
    """``data[key]`` as a bool, or ``default`` when absent."""
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: key '{prefix}{key}' = {value!r} is not allowed: expected true or false")
    return value


def check_parameters(data: Any, path: str | Path, key: str = "parameters") -> dict[str, Any]:
    """A table of base parameters, each checked against the schema (the seed is not a parameter here)."""
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ConfigError(f"{path}: key '{key}' must be a table of name = value, got {data!r}")
    if RNG_NAME in data:
        raise ConfigError(
            f"{path}: key '{key}.{RNG_NAME}' is not allowed: seeds come from the study's root 'seed'"
        )
    try:
        return validate(data, fill=False)
    except ParameterError as exc:
        raise ConfigError(f"{path}: key '{key}.{exc.name}': {exc}") from None


def check_factors(
    data: Any, path: str | Path, key: str = "factors", *, ranges_allowed: bool = True, range_hint: str = ""
) -> tuple[dict[str, list[Any]], dict[str, Factor]]:
    """Split ``[factors]`` into value lists and sampled factors, each checked against the schema.

    A table (``{}``, ``{ low = .., high = .. }``) is a sampled factor: see
    :func:`partnersim.sensitivity.factors.factor_from_schema` for what each
    form means, and :func:`lhs_points` for how values are drawn. ``range_hint``
    ends the message when a table is given where ranges are not allowed.
    """
    if not isinstance(data, Mapping) or not data:
        raise ConfigError(
            f"{path}: key '{key}' must be a non-empty table: name = [values] or name = {{ low = .., high = .. }}"
        )
    lists: dict[str, list[Any]] = {}
    ranges: dict[str, Factor] = {}
    for name, spec in data.items():
        where = f"{key}.{name}"
        if name == RNG_NAME:
            raise ConfigError(
                f"{path}: key '{where}' is not allowed: seeds come from the study's root 'seed'"
            )
        try:
            p = parameter(name)
        except ParameterError as exc:
            raise ConfigError(f"{path}: key '{where}': {exc}") from None
        if isinstance(spec, list):
            if not spec:
                raise ConfigError(f"{path}: key '{where}' = [] is not allowed: give at least one value")
            values = []
            for v in spec:
                try:
                    values.append(p.check(v))
                except ParameterError as exc:
                    raise ConfigError(f"{path}: key '{where}' = {spec!r}: {exc}") from None
            if len(set(values)) != len(values):
                raise ConfigError(f"{path}: key '{where}' = {spec!r} is not allowed: values repeat")
            lists[name] = values
        elif isinstance(spec, Mapping) and ranges_allowed:
            ranges[name] = _check_range(p, spec, path, where)
        else:
            what = (
                "a list of values or a table { low = .., high = .. }"
                if ranges_allowed
                else "a list of values"
            )
            hint = f"; {range_hint}" if range_hint and isinstance(spec, Mapping) else ""
            raise ConfigError(f"{path}: key '{where}' = {spec!r} is not allowed: expected {what}{hint}")
    return lists, ranges


def _check_range(p: Any, spec: Mapping[str, Any], path: str | Path, where: str) -> Factor:
    """An LHS factor from ``{}`` (the schema's whole range, or every value of a bool or str)
    or ``{ low = .., high = .. }`` (either end may be left out), the same forms as Sobol's."""
    from partnersim.sensitivity.factors import factor_from_schema

    if p.kind not in (int, float) and spec:
        raise ConfigError(
            f"{path}: key '{where}' = {dict(spec)!r} is not allowed: '{p.name}' is not a number "
            f"({p.allowed}); give {{}} for every value, or a list of values"
        )
    check_keys(spec, ("low", "high"), path, prefix=f"{where}.")
    for k in ("low", "high"):
        if k in spec:
            try:
                p.check(spec[k])
            except ParameterError as exc:
                raise ConfigError(f"{path}: key '{where}.{k}': {exc}") from None
    try:
        return factor_from_schema(p.name, spec)
    except ParameterError as exc:
        raise ConfigError(f"{path}: key '{where}' = {dict(spec)!r} is not allowed: {exc}") from None


def check_outcomes(
    value: Any, path: str | Path, key: str = "outcomes", allowed: Sequence[str] = SUMMARY_NAMES
) -> tuple[str, ...]:
    """A non-empty list of outcome names from ``allowed`` (default: every one)."""
    if value is None:
        return tuple(allowed)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError(
            f"{path}: key '{key}' = {value!r} is not allowed: expected a list of names from {', '.join(allowed)}"
        )
    for v in value:
        if v not in allowed:
            raise ConfigError(
                f"{path}: key '{key}' = {value!r}: unknown outcome {v!r}: allowed are {', '.join(allowed)}"
            )
    return tuple(dict.fromkeys(value))


def check_points(
    points: Sequence[Mapping[str, Any]],
    path: str | Path,
    key: str = "factors",
    *,
    base: Mapping[str, Any] | None = None,
    base_key: str = "parameters",
) -> list[dict[str, Any]]:
    """Check every full point (base + factors) against the schema, cross-parameter rules included.

    With ``base`` (the parameters every point shares), a rule that ``base``
    breaks by itself, whatever the factors, is reported as ``base_key``.
    """
    for point in points:
        try:
            validate(point)
        except ParameterError as exc:
            if base is not None and str(exc) == _rule_broken_by(base):
                raise ConfigError(
                    f"{path}: key '{base_key}' is not allowed: the base parameters break a rule "
                    f"by themselves (with defaults for the rest): {exc}"
                ) from None
            shown = {k: v for k, v in point.items()}
            raise ConfigError(f"{path}: key '{key}': the point {shown} is not allowed: {exc}") from None
    return [dict(p) for p in points]


def _rule_broken_by(params: Mapping[str, Any]) -> str | None:
    """The error of ``params`` with defaults filled in, or ``None`` if they pass."""
    try:
        validate(params)
    except ParameterError as exc:
        return str(exc)
    return None


# ------------------------------------------------------------------ the study


@dataclass(frozen=True)
class Study:
    """A checked sweep study. Build it with :func:`load_study`."""

    path: Path
    name: str
    description: str
    design: str
    base: dict[str, Any]
    factors: dict[str, list[Any]]
    ranges: dict[str, Factor]
    samples: int
    replicates: int
    seed: int
    outcomes: tuple[str, ...]
    timeseries: bool
    partnerships: bool
    raw: dict[str, Any] = field(repr=False)
    points: list[dict[str, Any]] = field(repr=False)

    @property
    def factor_names(self) -> list[str]:
        """Every varied parameter: list factors then ranges."""
        return [*self.factors, *self.ranges]

    def specs(self) -> list[RunSpec]:
        """Every run: points x replicates, seeds spawned from ``seed``."""
        return make_specs(self.points, self.replicates, root_seed=self.seed)

    def output_dir(self, root: str | Path = "results") -> Path:
        """``root/<name>``, checked to stay inside ``root``."""
        return output_dir(root, self.name, self.path)

    def resolved(self) -> dict[str, Any]:
        """The study as resolved, for the manifest."""
        return {
            "name": self.name,
            "description": self.description,
            "design": self.design,
            "samples": self.samples if self.design == "lhs" else None,
            "replicates": self.replicates,
            "seed": self.seed,
            "outcomes": list(self.outcomes),
            "timeseries": self.timeseries,
            "partnerships": self.partnerships,
            "factors": {
                **self.factors,
                **{k: _resolved_range(f) for k, f in self.ranges.items()},
            },
            "base": validate(self.base),
            "n_points": len(self.points),
            "n_runs": len(self.points) * self.replicates,
        }


def _resolved_range(f: Factor) -> dict[str, Any]:
    if f.kind == "choice":
        return {"choices": list(f.choices), "sampled": f.describe()}
    return {"low": f.low, "high": f.high, "sampled": f.describe()}


def check_header(raw: Mapping[str, Any], allowed: Iterable[str], path: Path) -> tuple[str, str]:
    """Check a study file's keys, and return its ``name`` (default: the file stem) and ``description``."""
    check_keys(raw, allowed, path)
    name = check_name(raw.get("name", path.stem), path, from_file="name" not in raw)
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(f"{path}: key 'description' = {description!r} is not allowed: expected a string")
    return name, description


def _check_size(lists: Mapping[str, list[Any]], samples: int | None, replicates: int, path: Path) -> None:
    """Refuse a study of more than :data:`~partnersim.experiments.specs.MAX_RUNS` runs, before building it."""
    points = math.prod(len(v) for v in lists.values()) * (samples or 1)
    if points * replicates > MAX_RUNS:
        key = "replicates" if replicates > 1 else ("samples" if samples else "factors")
        raise ConfigError(
            f"{path}: key '{key}' is not allowed: the study asks for {points * replicates:,} runs "
            f"({points:,} points x {replicates:,} replicates), and one study may have at most "
            f"{MAX_RUNS:,}: split it into studies with other seeds, or use fewer points or replicates"
        )


def load_study(
    path: str | Path, *, replicates: int | None = None, overrides: Mapping[str, Any] | None = None
) -> Study:
    """Read and check a study file; raise :class:`ConfigError` on the first problem.

    ``replicates`` replaces the file's; ``overrides`` (checked parameters, as
    from ``--set``) are added to its ``[parameters]`` and may not name a factor.
    """
    path = Path(path)
    raw = read_toml(path)
    if replicates is not None:
        if replicates < 1:
            raise ConfigError(
                f"--replicates = {replicates} is not allowed: expected an integer of at least 1"
            )
        raw = {**raw, "replicates": replicates}
    if overrides:
        factors = raw.get("factors") if isinstance(raw.get("factors"), Mapping) else {}
        for name, value in overrides.items():
            if name == RNG_NAME:
                raise ConfigError(
                    f"--set {name}={value!r} is not allowed: seeds come from the study's root 'seed'"
                )
            if name in factors:
                raise ConfigError(
                    f"--set {name}={value!r} is not allowed: '{name}' is a factor of {path}; "
                    "change its values in [factors]"
                )
        params = raw.get("parameters") if isinstance(raw.get("parameters"), Mapping) else {}
        raw = {**raw, "parameters": {**params, **overrides}}
    for key, (kind, command) in OTHER_STUDIES.items():
        if key in raw:
            raise ConfigError(
                f"{path}: key '{key}' is not allowed in a sweep study: [{key}] belongs to {kind}; "
                f"use {command}"
            )
    name, description = check_header(raw, STUDY_KEYS, path)
    design = raw.get("design", "grid")
    if design not in DESIGNS:
        raise ConfigError(
            f"{path}: key 'design' = {design!r} is not allowed: expected one of {', '.join(map(repr, DESIGNS))}"
        )
    replicates = check_int(raw, "replicates", path, 1, low=1, high=1_000_000)
    seed = check_int(raw, "seed", path, 0, low=0)
    samples = check_int(raw, "samples", path, None, low=1, high=10_000_000)
    outcomes = check_outcomes(raw.get("outcomes"), path)
    timeseries = check_bool(raw, "timeseries", path, False)
    partnerships = check_bool(raw, "partnerships", path, False)
    base = check_parameters(raw.get("parameters"), path)
    if "factors" not in raw:
        raise ConfigError(f"{path}: key 'factors' is missing: give at least one factor to vary")
    lists, ranges = check_factors(
        raw["factors"],
        path,
        ranges_allowed=design == "lhs",
        range_hint='a { low, high } range or {} needs design = "lhs" and samples = N (or partnersim '
        "sobol/morris for a sensitivity study)",
    )
    for name_ in lists.keys() | ranges.keys():
        if name_ in base:
            raise ConfigError(
                f"{path}: key 'factors.{name_}' is not allowed: '{name_}' is also set in [parameters]"
            )
    _check_size(lists, samples if design == "lhs" else None, replicates or 1, path)
    if design == "lhs":
        if not ranges:
            raise ConfigError(
                f"{path}: key 'factors' is not allowed: design 'lhs' needs at least one range {{ low, high }}"
            )
        if samples is None:
            raise ConfigError(f"{path}: key 'samples' is missing: design 'lhs' needs a number of samples")
        cube = lhs_points(ranges, samples, seed)
        points = [{**base, **g, **c} for g in grid_points(lists) for c in cube]
    else:
        if samples is not None:
            raise ConfigError(
                f"{path}: key 'samples' = {samples!r} is not allowed: only design 'lhs' samples"
            )
        points = [{**base, **g} for g in grid_points(lists)]
    points = check_points(points, path, base=base)
    return Study(
        path=path,
        name=name,
        description=description,
        design=design,
        base=base,
        factors=lists,
        ranges=ranges,
        samples=samples or 0,
        replicates=replicates or 1,
        seed=seed or 0,
        outcomes=outcomes,
        timeseries=timeseries,
        partnerships=partnerships,
        raw=raw,
        points=points,
    )

"""Calibration files: targets from the reports, the scenarios they describe, and the priors.

A calibration file (``configs/calibration.toml``) looks like this::

    name = "calibration"           # results/<name>/
    description = "..."
    seed = 20261202                # root seed of the ABC run
    population = 200               # particles per generation
    populations = 8                # generations in all (--populations overrides)
    min_acceptance = 0.005         # stop early below this acceptance rate
    replicates = 1                 # model runs per scenario per particle (counts pooled)
    predictive = 100               # posterior draws simulated for the predictive check
    kernel = "auto"                # how particles move between generations: auto, joint, marginal, local

    [parameters]                   # fixed in every scenario
    legacy_months = 12

    [priors]
    groups = ["behaviour", "environment"]    # uniform over the schema range of every number in these groups
    staff_turnover = { low = 0.05, high = 0.5 }   # narrowed (inside the schema's range; {} or one end also work)
    trust_gain = 0.06                        # fixed: not calibrated

    [scenarios.hct]                # the funder's scenario a report describes
    description = "..."
    parameters = { funding_length = 39, horizon = 24 }

    [targets.development_failure]
    scenario = "hct"
    statistic = "dissolved_within"           # see partnersim.calibration.statistics
    args = { months = 12 }
    observed = { count = 1, total = 6 }      # or { low = 4, high = 8 } for a range
    ref = "002:257"
    quote = "Of these six sites, five were progressed to Phase 2."
    weight = 1.0

Each problem raises one :class:`~partnersim.config.ConfigError` naming the
file, the key, the value and what is allowed, before anything runs.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from partnersim.calibration.statistics import STATISTICS, Statistic
from partnersim.config import ConfigError, read_toml
from partnersim.experiments.study import (
    _check_range,
    check_header,
    check_int,
    check_keys,
    check_parameters,
    output_dir,
)
from partnersim.schema import PARAMETERS, RNG_NAME, ParameterError, parameter, validate

__all__ = ["CalibrationStudy", "Prior", "Scenario", "Target", "load_calibration"]

STUDY_KEYS = (
    "name",
    "description",
    "seed",
    "population",
    "populations",
    "min_acceptance",
    "replicates",
    "predictive",
    "kernel",
    "parameters",
    "priors",
    "scenarios",
    "targets",
)
TARGET_KEYS = ("scenario", "statistic", "args", "observed", "ref", "quote", "weight", "note")
SCENARIO_KEYS = ("description", "parameters")
#: schema groups whose numbers can be calibrated (funder levers and run settings are fixed by scenarios)
CALIBRATABLE_GROUPS = ("behaviour", "environment", "partnership", "system")
MAX_QUOTE_WORDS = 25
#: the perturbation kernels a file can choose (see partnersim.calibration.driver.transition)
KERNELS = ("auto", "joint", "marginal", "local")
_REF = re.compile(r"^\d{3}:\d+(-\d+)?$")


@dataclass(frozen=True)
class Prior:
    """A uniform prior over ``[low, high]`` for one parameter (integers: each whole value equally likely)."""

    name: str
    low: float
    high: float
    integer: bool = False

    @property
    def width(self) -> float:
        """``high - low``."""
        return self.high - self.low

    def bounds(self) -> tuple[float, float]:
        """The continuous interval sampled: integers get half a unit either side, then are rounded."""
        return (self.low - 0.5, self.high + 0.5) if self.integer else (self.low, self.high)

    def as_run(self, value: float) -> float | int:
        """The value the model runs for a sampled ``value``: integers rounded into ``[low, high]``."""
        if self.integer:
            return int(min(self.high, max(self.low, math.floor(float(value) + 0.5))))
        return float(value)

    def from_logit(self, z: float) -> float:
        """The value in :meth:`bounds` at logit ``z``: a standard logistic ``z`` gives a uniform value."""
        lo, hi = self.bounds()
        # the logistic function, written so that neither tail overflows
        share = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
        return lo + (hi - lo) * share

    def to_logit(self, x: float) -> float:
        """The inverse of :meth:`from_logit`."""
        lo, hi = self.bounds()
        share = (x - lo) / (hi - lo)
        return math.log(share / (1.0 - share))


@dataclass(frozen=True)
class Scenario:
    """The setting a report describes: funder levers, horizon, number of partnerships."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class Target:
    """One pattern from the reports.

    Attributes:
        kind: ``count`` (``count`` of ``total``) or ``value`` (a range ``low``..``high``).
    """

    name: str
    scenario: str
    statistic: str
    args: dict[str, Any]
    kind: str
    ref: str
    quote: str
    weight: float = 1.0
    count: int = 0
    total: int = 0
    low: float = float("nan")
    high: float = float("nan")
    note: str = ""

    @property
    def observed_text(self) -> str:
        """The observation in words: "1 of 6" or "4 to 8"."""
        if self.kind == "count":
            return f"{self.count} of {self.total}"
        return f"{self.low:g} to {self.high:g}"

    @property
    def stat(self) -> Statistic:
        """The :class:`Statistic` this target reads."""
        return STATISTICS[self.statistic]


@dataclass(frozen=True)
class CalibrationStudy:
    """A checked calibration file. Build it with :func:`load_calibration`."""

    path: Path
    name: str
    description: str
    seed: int
    population: int
    populations: int
    min_acceptance: float
    replicates: int
    predictive: int
    base: dict[str, Any]
    priors: dict[str, Prior]
    fixed: dict[str, Any]
    scenarios: dict[str, Scenario]
    targets: list[Target]
    skipped: list[tuple[Target, str]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    kernel: str = "auto"

    def output_dir(self, root: str | Path = "results") -> Path:
        """``root/<name>``, checked to stay inside ``root``."""
        return output_dir(root, self.name, self.path)

    def scenario_parameters(self, scenario: str) -> dict[str, Any]:
        """Every fixed parameter of a scenario: file base, fixed priors, then the scenario's own."""
        return {**self.base, **self.fixed, **self.scenarios[scenario].parameters}

    def used_scenarios(self) -> list[str]:
        """Scenarios that at least one target uses, in file order."""
        used = {t.scenario for t in self.targets}
        return [s for s in self.scenarios if s in used]

    def with_targets(self, targets: list[Target], skipped: list[tuple[Target, str]]) -> CalibrationStudy:
        """The same study with only ``targets`` (``skipped`` records why the others are left out)."""
        return replace(self, targets=targets, skipped=skipped)

    def resolved(self) -> dict[str, Any]:
        """Everything that decides the result, as plain data (the fingerprint hashes it)."""
        return {
            "name": self.name,
            "seed": self.seed,
            "population": self.population,
            "replicates": self.replicates,
            # the default kernel leaves no trace, so histories written before the key existed still resume
            **({"kernel": self.kernel} if self.kernel != "auto" else {}),
            "base": self.base,
            "fixed": self.fixed,
            "priors": {n: [p.low, p.high, p.integer] for n, p in self.priors.items()},
            # pyabc samples on each prior's logit scale: a history sampled on another scale cannot continue
            "sampled_on": "logit",
            "scenarios": {n: s.parameters for n, s in self.scenarios.items()},
            "targets": {
                t.name: {
                    "scenario": t.scenario,
                    "statistic": t.statistic,
                    "args": t.args,
                    "observed": [t.count, t.total] if t.kind == "count" else [t.low, t.high],
                    "weight": t.weight,
                }
                for t in self.targets
            },
        }

    def fingerprint(self) -> str:
        """A hash of :meth:`resolved`: a saved run continues only under the same fingerprint."""
        text = json.dumps(self.resolved(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# ------------------------------------------------------------------ checks


def _float(value: Any, path: Path, key: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(
            f"{path}: key '{key}' = {value!r} is not allowed: expected a number from {low:g} to {high:g}"
        )
    return float(value)


def _table(raw: Mapping[str, Any], key: str, path: Path, *, required: bool = False) -> dict[str, Any]:
    if key not in raw:
        if required:
            raise ConfigError(f"{path}: key '{key}' is missing: it must be a table")
        return {}
    value = raw[key]
    if not isinstance(value, Mapping):
        raise ConfigError(f"{path}: key '{key}' must be a table, got {value!r}")
    return dict(value)


def group_priors(groups: Sequence[str], base: Mapping[str, Any]) -> dict[str, Prior]:
    """A uniform prior over the schema range of every number in ``groups`` that ``base`` does not fix."""
    return {
        name: Prior(name, float(p.low), float(p.high), p.kind is int)
        for name, p in PARAMETERS.items()
        if p.group in groups and p.kind in (int, float) and name not in base
    }


def _check_priors(
    data: Mapping[str, Any], path: Path, base: Mapping[str, Any]
) -> tuple[dict[str, Prior], dict[str, Any]]:
    groups = data.get("groups", ["behaviour"])
    if (
        not isinstance(groups, list)
        or not all(isinstance(g, str) for g in groups)
        or any(g not in CALIBRATABLE_GROUPS for g in groups)
    ):
        raise ConfigError(
            f"{path}: key 'priors.groups' = {groups!r} is not allowed: expected a list of schema groups "
            f"from {', '.join(CALIBRATABLE_GROUPS)} (funder levers and run settings are fixed by scenarios)"
        )
    priors = group_priors(groups, base)
    fixed: dict[str, Any] = {}
    for name, spec in data.items():
        if name == "groups":
            continue
        key = f"priors.{name}"
        if name == RNG_NAME:
            raise ConfigError(f"{path}: key '{key}' is not allowed: seeds come from the study's root 'seed'")
        try:
            p = parameter(name)
        except ParameterError as exc:
            raise ConfigError(f"{path}: key '{key}': {exc}") from None
        if name in base:
            raise ConfigError(f"{path}: key '{key}' is not allowed: '{name}' is also set in [parameters]")
        if p.group not in CALIBRATABLE_GROUPS:
            raise ConfigError(
                f"{path}: key '{key}' is not allowed: '{name}' is a {p.group} parameter; "
                "funder levers and run settings are fixed by a scenario, not calibrated"
            )
        if isinstance(spec, Mapping):
            if p.kind not in (int, float):
                raise ConfigError(
                    f"{path}: key '{key}' = {dict(spec)!r} is not allowed: '{name}' is not a number; fix it instead"
                )
            # the same range forms as a sweep's or a Sobol study's: {} for the schema's, or low and/or high
            factor = _check_range(p, spec, path, key)
            low, high = factor.low, factor.high
            priors[name] = Prior(name, float(low), float(high), p.kind is int)
            fixed.pop(name, None)
        else:
            try:
                fixed[name] = p.check(spec)
            except ParameterError as exc:
                raise ConfigError(f"{path}: key '{key}': {exc}") from None
            priors.pop(name, None)
    if not priors:
        raise ConfigError(f"{path}: key 'priors' leaves no parameter free: calibrate at least one")
    return priors, fixed


def _check_scenarios(data: Mapping[str, Any], path: Path, priors: Mapping[str, Prior]) -> dict[str, Scenario]:
    if not data:
        raise ConfigError(f"{path}: key 'scenarios' is missing: give at least one [scenarios.NAME] table")
    out = {}
    for name, table in data.items():
        key = f"scenarios.{name}"
        if not isinstance(table, Mapping):
            raise ConfigError(f"{path}: key '{key}' must be a table, got {table!r}")
        check_keys(table, SCENARIO_KEYS, path, prefix=f"{key}.")
        params = check_parameters(table.get("parameters"), path, key=f"{key}.parameters")
        for pname in params:
            if pname in priors:
                raise ConfigError(
                    f"{path}: key '{key}.parameters.{pname}' is not allowed: '{pname}' is calibrated "
                    "([priors]); fix it in [priors] or leave it out of the scenario"
                )
        out[name] = Scenario(name, str(table.get("description", "")), params)
    return out


def _check_target(name: str, table: Any, path: Path, scenarios: Mapping[str, Scenario]) -> Target:
    key = f"targets.{name}"
    if not isinstance(table, Mapping):
        raise ConfigError(f"{path}: key '{key}' must be a table, got {table!r}")
    check_keys(table, TARGET_KEYS, path, prefix=f"{key}.")
    for required in ("scenario", "statistic", "observed", "ref", "quote"):
        if required not in table:
            raise ConfigError(f"{path}: key '{key}.{required}' is missing")
    scenario = table["scenario"]
    if scenario not in scenarios:
        raise ConfigError(
            f"{path}: key '{key}.scenario' = {scenario!r} is not allowed: expected one of "
            f"{', '.join(map(repr, scenarios))}"
        )
    stat_name = table["statistic"]
    if stat_name not in STATISTICS:
        raise ConfigError(
            f"{path}: key '{key}.statistic' = {stat_name!r} is not allowed: expected one of {', '.join(STATISTICS)}"
        )
    stat = STATISTICS[stat_name]
    args_given = table.get("args", {})
    if not isinstance(args_given, Mapping):
        raise ConfigError(f"{path}: key '{key}.args' must be a table, got {args_given!r}")
    check_keys(args_given, stat.args, path, prefix=f"{key}.args.")
    args = dict(stat.args)
    for aname, value in args_given.items():
        default = stat.args[aname]
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
        if isinstance(default, int) and not isinstance(default, bool):
            ok = ok and isinstance(value, int)
        if not ok:
            kind = "a non-negative integer" if isinstance(default, int) else "a non-negative number"
            raise ConfigError(f"{path}: key '{key}.args.{aname}' = {value!r} is not allowed: expected {kind}")
        args[aname] = value
    ref = table["ref"]
    if not isinstance(ref, str) or not all(_REF.match(r.strip()) for r in ref.split(",")):
        raise ConfigError(
            f"{path}: key '{key}.ref' = {ref!r} is not allowed: expected SEED:LINE such as '002:257' "
            "(several separated by commas)"
        )
    quote = table["quote"]
    if not isinstance(quote, str) or not quote.strip() or len(quote.split()) > MAX_QUOTE_WORDS:
        raise ConfigError(
            f"{path}: key '{key}.quote' = {quote!r} is not allowed: expected the report's words, "
            f"at most {MAX_QUOTE_WORDS} words"
        )
    weight = _float(table.get("weight", 1.0), path, f"{key}.weight", 0.0, 1000.0)
    observed = table["observed"]
    common = dict(
        name=name,
        scenario=scenario,
        statistic=stat_name,
        args=args,
        ref=ref,
        quote=quote.strip(),
        weight=weight,
        note=str(table.get("note", "")),
    )
    if stat.kind == "count":
        ok = isinstance(observed, Mapping) and set(observed) == {"count", "total"}
        k, n = (observed.get("count"), observed.get("total")) if ok else (None, None)
        ints = all(isinstance(v, int) and not isinstance(v, bool) for v in (k, n))
        if not (ok and ints and 0 <= k <= n and n >= 1):
            raise ConfigError(
                f"{path}: key '{key}.observed' = {observed!r} is not allowed: statistic '{stat_name}' "
                "is a count: expected { count = K, total = N } with 0 <= K <= N and N >= 1"
            )
        return Target(kind="count", count=k, total=n, **common)
    ok = isinstance(observed, Mapping) and set(observed) == {"low", "high"}
    lo, hi = (observed.get("low"), observed.get("high")) if ok else (None, None)
    nums = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lo, hi))
    if not (ok and nums and lo < hi):
        raise ConfigError(
            f"{path}: key '{key}.observed' = {observed!r} is not allowed: statistic '{stat_name}' is a "
            "value: expected { low = A, high = B } with A below B"
        )
    return Target(kind="value", low=float(lo), high=float(hi), **common)


def load_calibration(path: str | Path) -> CalibrationStudy:
    """Read and check a calibration file; raise :class:`ConfigError` on the first problem."""
    path = Path(path)
    raw = read_toml(path)
    name, description = check_header(raw, STUDY_KEYS, path)
    seed = check_int(raw, "seed", path, 0, low=0, high=2**63 - 1) or 0
    population = check_int(raw, "population", path, 200, low=2, high=1_000_000) or 200
    populations = check_int(raw, "populations", path, 8, low=1, high=1000) or 8
    replicates = check_int(raw, "replicates", path, 1, low=1, high=1000) or 1
    predictive = check_int(raw, "predictive", path, 100, low=0, high=100_000)
    min_acceptance = _float(raw.get("min_acceptance", 0.0), path, "min_acceptance", 0.0, 1.0)
    kernel = raw.get("kernel", "auto")
    if kernel not in KERNELS:
        raise ConfigError(f"{path}: key 'kernel' is {kernel!r}: use one of {', '.join(KERNELS)}")
    base = check_parameters(raw.get("parameters"), path)
    priors, fixed = _check_priors(_table(raw, "priors", path), path, base)
    scenarios = _check_scenarios(_table(raw, "scenarios", path, required=True), path, priors)
    targets_raw = _table(raw, "targets", path, required=True)
    if not targets_raw:
        raise ConfigError(f"{path}: key 'targets' is empty: give at least one [targets.NAME] table")
    targets = [_check_target(n, t, path, scenarios) for n, t in targets_raw.items()]
    study = CalibrationStudy(
        path=path,
        name=name,
        description=description,
        seed=seed,
        population=population,
        populations=populations,
        min_acceptance=min_acceptance,
        replicates=replicates,
        predictive=predictive if predictive is not None else 100,
        base=base,
        priors=priors,
        fixed=fixed,
        scenarios=scenarios,
        targets=targets,
        raw=raw,
        kernel=kernel,
    )
    _check_runs(study)
    return study


def _check_runs(study: CalibrationStudy) -> None:
    """Every scenario is a valid model run at the prior's corners, and long enough for its targets."""
    path = study.path
    for t in study.targets:
        params = validate(study.scenario_parameters(t.scenario), fill=True)
        need = t.stat.needs_horizon(t.args)
        if params["horizon"] < need:
            raise ConfigError(
                f"{path}: key 'targets.{t.name}' is not allowed: statistic '{t.statistic}' needs a horizon "
                f"of at least {need} months, but scenario '{t.scenario}' runs {params['horizon']}"
            )
    for sname in study.scenarios:
        fixed = study.scenario_parameters(sname)
        for corner in ("low", "high"):
            point = {**fixed, **{n: _corner(p, corner) for n, p in study.priors.items()}}
            try:
                validate(point)
            except ParameterError as exc:
                # a cross-parameter rule may cut a corner; that only truncates the prior
                if exc.name in study.priors and exc.name not in fixed:
                    continue
                raise ConfigError(f"{path}: key 'scenarios.{sname}': {exc}") from None


def _corner(p: Prior, which: str) -> Any:
    v = p.low if which == "low" else p.high
    return int(v) if p.integer else v

"""Policies files: named funding policies against one shared set of uncertainties.

A policies file is TOML with three kinds of table (EMA Workbench's split of
*levers* a funder chooses from *uncertainties* the world imposes)::

    [study]
    name = "funding-policies"      # results go to results/<name>/
    replicates = 100               # runs per policy
    seed = 20261123                # one seed drives every replicate
    baseline = "36-month grant"    # log-rank tests compare each policy with this one

    [uncertainties]                # shared by every policy
    staff_turnover = { uniform = [0.1, 0.3] }   # sampled once per replicate
    orientation = { choice = [0.2, 0.5, 0.8] }
    horizon = 120                                # fixed

    [policies."36-month grant"]    # funder levers only
    description = "Three-year grants, a funded coordinator"
    funding_length = 36

Policy keys must be funder levers (:data:`LEVERS`); anything they leave out
takes the schema default, so every policy is fully specified. Uncertainties
may be any other parameter, fixed or sampled with ``uniform = [low, high]``
(whole numbers for integer parameters) or ``choice = [a, b, ...]``.

Every policy is run on the same replicates: replicate ``i`` has one model
seed and one draw of the uncertainties, used by every policy (common random
numbers), so differences between policies come from the policy, not luck.

An optional ``[robustness]`` table asks whether the ranking holds when rates
that the reports do not pin down change: the whole comparison is rerun on
``draws`` parameter sets, each with ``replicates`` runs per policy::

    [robustness]
    draws = 20
    replicates = 10
    [robustness.parameters]
    funding_end_commitment_hit = { uniform = [0.05, 0.3] }
    quorum_share = "schema"          # the schema's whole range

Two policies with exactly the same levers are refused (there would be nothing
to compare). Every problem raises :class:`~partnersim.config.ConfigError`
naming the file, the key, the value and what is allowed, before anything runs.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from partnersim.config import ConfigError, read_toml
from partnersim.experiments import check_name, spawn_seeds
from partnersim.schema import PARAMETERS, RNG_NAME, ParameterError, parameter, validate

__all__ = [
    "COST_LEVERS",
    "LEVERS",
    "SURVIVAL_MONTHS",
    "Policy",
    "PolicyStudy",
    "Replicate",
    "Robustness",
    "Uncertainty",
    "load_policies",
    "parse_policies",
]

#: What a funder controls: the schema's funder group plus a formal agreement on roles.
LEVERS: tuple[str, ...] = (
    *(n for n, p in PARAMETERS.items() if p.group == "funder"),
    "formal_agreement",
)

#: Levers that set what the funder pays and nothing else: no rule of behaviour reads them.
COST_LEVERS: tuple[str, ...] = ("grant_amount", "coordinator_cost")

#: Months at which survival is reported (one, three and five years).
SURVIVAL_MONTHS: tuple[int, ...] = (12, 36, 60)

_STUDY_KEYS = {"name", "replicates", "seed", "baseline", "description"}
_TOP_KEYS = {"study", "uncertainties", "policies", "robustness"}
_ROBUSTNESS_KEYS = {"draws", "replicates", "parameters"}
_MAX_REPLICATES = 100_000


@dataclass(frozen=True)
class Uncertainty:
    """One uncertainty: a fixed value, or a distribution sampled once per replicate.

    Attributes:
        name: the parameter.
        kind: ``fixed``, ``uniform`` or ``choice``.
        values: the fixed value (one item), ``(low, high)`` or the choices.
    """

    name: str
    kind: str
    values: tuple[Any, ...]

    def sample(self, rng: np.random.Generator) -> Any:
        """One draw (the fixed value itself when fixed)."""
        if self.kind == "fixed":
            return self.values[0]
        if self.kind == "choice":
            return self.values[int(rng.integers(len(self.values)))]
        low, high = self.values
        if PARAMETERS[self.name].kind is int:
            return int(rng.integers(low, high + 1))
        return float(rng.uniform(low, high))

    def describe(self) -> str:
        """The uncertainty in words, for the report."""
        if self.kind == "fixed":
            return f"fixed at {self.values[0]!r}"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(v) for v in self.values) + ", equally likely"
        return f"uniform from {self.values[0]:g} to {self.values[1]:g}"


@dataclass(frozen=True)
class Robustness:
    """The ``[robustness]`` table: rerun the comparison on ``draws`` parameter sets.

    Attributes:
        draws: parameter sets drawn (each a "world" every policy runs in).
        replicates: runs per policy in each draw (same seeds within a draw).
        parameters: what is drawn: a range per parameter (``uniform`` or
            ``choice``; ``"schema"`` in the file means the schema's range).
    """

    draws: int
    replicates: int
    parameters: dict[str, Uncertainty]


@dataclass(frozen=True)
class Policy:
    """A named set of funder levers (every lever set; defaults filled in)."""

    name: str
    levers: dict[str, Any]
    description: str = ""
    #: the levers the file set explicitly (the rest are schema defaults)
    explicit: tuple[str, ...] = ()


@dataclass(frozen=True)
class Replicate:
    """One replicate shared by every policy: a model seed and a draw of the uncertainties."""

    index: int
    seed: int
    uncertainties: dict[str, Any]


@dataclass(frozen=True)
class PolicyStudy:
    """A checked policies file.

    Attributes:
        name: study name (the results folder).
        path: the file it came from.
        replicates: runs per policy.
        seed: the study seed that every replicate seed derives from.
        baseline: the policy that the others are tested against.
        policies: the policies, in file order.
        uncertainties: the shared uncertainties, by name.
        description: optional text for the report.
        robustness: the ``[robustness]`` table, if any.
    """

    name: str
    path: Path
    replicates: int
    seed: int
    baseline: str
    policies: list[Policy]
    uncertainties: dict[str, Uncertainty]
    description: str = ""
    robustness: Robustness | None = None
    _replicates: list[Replicate] = field(default_factory=list, repr=False, compare=False)

    def policy(self, name: str) -> Policy:
        """The policy called ``name``."""
        for p in self.policies:
            if p.name == name:
                return p
        raise KeyError(name)

    def replicate_draws(self) -> list[Replicate]:
        """The replicates: seeds and uncertainty draws, identical for every policy.

        Replicate ``i`` gets the model seed ``spawn_seeds(seed, n)[i]`` (child
        ``i`` of ``SeedSequence(seed)``) and draws its uncertainties from that
        child's first child, so adding replicates never changes earlier ones.
        """
        if not self._replicates:
            seeds = spawn_seeds(self.seed, self.replicates)
            for i, model_seed in enumerate(seeds):
                # the draws use child i's own first child, a stream apart from the model seed
                rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(i, 0)))
                draws = {name: u.sample(rng) for name, u in sorted(self.uncertainties.items())}
                self._replicates.append(Replicate(i, model_seed, draws))
        return self._replicates

    def with_replicates(self, replicates: int) -> PolicyStudy:
        """The same study with another number of replicates (earlier replicates unchanged), re-checked."""
        if (
            isinstance(replicates, bool)
            or not isinstance(replicates, int)
            or not 1 <= replicates <= _MAX_REPLICATES
        ):
            raise ConfigError(
                f"replicates = {replicates!r} is not allowed: expected an integer from 1 to {_MAX_REPLICATES}"
            )
        study = replace(self, replicates=replicates, _replicates=[])
        _check_combinations(study)
        return study

    def run_parameters(self, policy: Policy, replicate: Replicate) -> dict[str, Any]:
        """The full parameter set of one run (levers + uncertainties + seed)."""
        return {**replicate.uncertainties, **policy.levers, RNG_NAME: replicate.seed}

    @property
    def horizon(self) -> int:
        """Months run (fixed across the study)."""
        u = self.uncertainties.get("horizon")
        return int(u.values[0]) if u else int(PARAMETERS["horizon"].default)

    @property
    def legacy_months(self) -> int:
        """Months of unfunded working that count as legacy (fixed across the study)."""
        u = self.uncertainties.get("legacy_months")
        return int(u.values[0]) if u else int(PARAMETERS["legacy_months"].default)


def _err(path: Path, key: str, value: Any, allowed: str) -> ConfigError:
    return ConfigError(f"{path}: key '{key}' = {value!r} is not allowed: expected {allowed}")


def _check_value(path: Path, key: str, name: str, value: Any) -> Any:
    try:
        return parameter(name).check(value)
    except ParameterError as exc:
        raise ConfigError(f"{path}: key '{key}': {exc}") from None


def _parse_uncertainty(path: Path, name: str, spec: Any, table: str = "uncertainties") -> Uncertainty:
    key = f"{table}.{name}"
    if name == RNG_NAME:
        raise _err(path, key, spec, "no seed here: set [study] seed; replicate seeds derive from it")
    if name in LEVERS:
        raise ConfigError(
            f"{path}: key '{key}': '{name}' is a funder lever, not an uncertainty; set it in each policy"
        )
    try:
        p = parameter(name)
    except ParameterError as exc:
        raise ConfigError(f"{path}: key '{key}': {exc}") from None
    if not isinstance(spec, dict):
        return Uncertainty(name, "fixed", (_check_value(path, key, name, spec),))
    if len(spec) != 1 or next(iter(spec)) not in ("uniform", "choice"):
        raise _err(path, key, spec, "a value, { uniform = [low, high] } or { choice = [a, b, ...] }")
    kind, values = next(iter(spec.items()))
    sub = f"{key}.{kind}"
    if name in ("horizon", "legacy_months"):
        # survival times and legacy need one follow-up for every run
        raise _err(path, key, spec, f"a fixed value: '{name}' must be the same in every run")
    if not isinstance(values, list) or not values:
        raise _err(path, sub, values, "a non-empty list")
    if kind == "uniform":
        if p.kind not in (int, float):
            raise _err(path, sub, values, f"choice = [...] for '{name}' ({p.allowed})")
        if len(values) != 2:
            raise _err(path, sub, values, "two numbers [low, high]")
        low, high = (_check_value(path, sub, name, v) for v in values)
        if low > high:
            raise _err(path, sub, values, "low no greater than high")
        return Uncertainty(name, "uniform", (low, high))
    checked = tuple(_check_value(path, sub, name, v) for v in values)
    return Uncertainty(name, "choice", checked)


def _parse_policy(path: Path, name: str, table: Any) -> Policy:
    key = f"policies.{name}"
    if not name.strip():  # reports and tables name each policy: a blank name names none
        raise _err(path, key, name, "a name that is not blank")
    if not isinstance(table, dict):
        raise _err(path, key, table, "a table of funder levers")
    levers = {n: PARAMETERS[n].default for n in LEVERS}
    description = ""
    explicit = []
    for lever, value in table.items():
        sub = f"{key}.{lever}"
        if lever == "description":
            if not isinstance(value, str):
                raise _err(path, sub, value, "a string")
            description = value
            continue
        if lever not in LEVERS:
            close = difflib.get_close_matches(lever, [*LEVERS, "description"], n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ConfigError(
                f"{path}: key '{sub}' is not a funder lever{hint}: allowed "
                + ", ".join(LEVERS)
                + " or description (world conditions go in [uncertainties])"
            )
        levers[lever] = _check_value(path, sub, lever, value)
        explicit.append(lever)
    return Policy(name, levers, description, tuple(explicit))


def parse_policies(data: Mapping[str, Any], path: str | Path = "<policies>") -> PolicyStudy:
    """Check a parsed policies file and return the study it describes."""
    path = Path(path)
    for key in data:
        if key not in _TOP_KEYS:
            raise ConfigError(
                f"{path}: unknown table '{key}': allowed [study], [uncertainties], [policies.NAME]"
            )
    study = data.get("study", {})
    if not isinstance(study, dict):
        raise _err(path, "study", study, "a table")
    for key in study:
        if key not in _STUDY_KEYS:
            raise ConfigError(f"{path}: unknown key 'study.{key}': allowed " + ", ".join(sorted(_STUDY_KEYS)))
    name = check_name(study.get("name", path.stem), path, "study.name", from_file="name" not in study)
    replicates = study.get("replicates", 50)
    if (
        isinstance(replicates, bool)
        or not isinstance(replicates, int)
        or not 1 <= replicates <= _MAX_REPLICATES
    ):
        raise _err(path, "study.replicates", replicates, f"an integer from 1 to {_MAX_REPLICATES}")
    seed = study.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _err(path, "study.seed", seed, "a non-negative integer")
    description = study.get("description", "")
    if not isinstance(description, str):
        raise _err(path, "study.description", description, "a string")

    raw_unc = data.get("uncertainties", {})
    if not isinstance(raw_unc, dict):
        raise _err(path, "uncertainties", raw_unc, "a table of parameter = value or distribution")
    uncertainties = {n: _parse_uncertainty(path, n, s) for n, s in raw_unc.items()}

    raw_pol = data.get("policies", {})
    if not isinstance(raw_pol, dict) or len(raw_pol) < 2:
        raise ConfigError(f"{path}: key 'policies': expected at least two [policies.NAME] tables to compare")
    policies = [_parse_policy(path, n, t) for n, t in raw_pol.items()]

    _check_distinct(path, policies)

    baseline = study.get("baseline", policies[0].name)
    if baseline not in raw_pol:
        raise _err(path, "study.baseline", baseline, "one of " + ", ".join(repr(p.name) for p in policies))

    result = PolicyStudy(
        name=name,
        path=path,
        replicates=replicates,
        seed=seed,
        baseline=baseline,
        policies=policies,
        uncertainties=uncertainties,
        description=description,
        robustness=_parse_robustness(path, data.get("robustness"), uncertainties),
    )
    _check_combinations(result)
    return result


def _check_distinct(path: Path, policies: list[Policy]) -> None:
    """Refuse a policy with exactly the levers of an earlier one: there would be nothing to compare."""
    for i, p in enumerate(policies):
        for q in policies[:i]:
            if p.levers == q.levers:
                raise ConfigError(
                    f"{path}: key 'policies.{p.name}' has exactly the levers of 'policies.{q.name}': "
                    "expected policies that differ in at least one funder lever"
                )


def _schema_range(path: Path, key: str, name: str) -> Uncertainty:
    """``"schema"``: the schema's whole range (both values of a switch, every choice)."""
    try:
        p = parameter(name)
    except ParameterError as exc:
        raise ConfigError(f"{path}: key '{key}': {exc}") from None
    if p.kind is bool:
        return Uncertainty(name, "choice", (False, True))
    if p.kind is str:
        return Uncertainty(name, "choice", tuple(p.choices))
    if p.low is None or p.high is None:
        raise _err(path, key, "schema", f"a range: '{name}' has no schema range ({p.allowed})")
    return Uncertainty(name, "uniform", (p.kind(p.low), p.kind(p.high)))


def _parse_robustness(path: Path, table: Any, uncertainties: Mapping[str, Uncertainty]) -> Robustness | None:
    if table is None:
        return None
    if not isinstance(table, dict):
        raise _err(path, "robustness", table, "a table with draws, replicates and [robustness.parameters]")
    for key in table:
        if key not in _ROBUSTNESS_KEYS:
            raise ConfigError(
                f"{path}: unknown key 'robustness.{key}': allowed " + ", ".join(sorted(_ROBUSTNESS_KEYS))
            )
    counts = {}
    for key, default in (("draws", 20), ("replicates", 10)):
        v = table.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 10_000:
            raise _err(path, f"robustness.{key}", v, "an integer from 1 to 10000")
        counts[key] = v
    raw = table.get("parameters", {})
    if not isinstance(raw, dict) or not raw:
        raise _err(path, "robustness.parameters", raw, 'a table of parameter = range or "schema"')
    params = {}
    for name, spec in raw.items():
        key = f"robustness.parameters.{name}"
        if name in uncertainties:
            raise ConfigError(
                f"{path}: key '{key}': '{name}' is already in [uncertainties]; give it in one place"
            )
        if spec == "schema":
            if name in LEVERS or name == RNG_NAME:
                _parse_uncertainty(path, name, 0, "robustness.parameters")  # the same clear error
            params[name] = _schema_range(path, key, name)
            continue
        u = _parse_uncertainty(path, name, spec, "robustness.parameters")
        if u.kind == "fixed":
            raise _err(path, key, spec, '{ uniform = [low, high] }, { choice = [a, b, ...] } or "schema"')
        params[name] = u
    return Robustness(counts["draws"], counts["replicates"], params)


def _check_combinations(study: PolicyStudy) -> None:
    """Check cross-parameter rules on every run before anything runs (cheap: no model is built)."""
    for policy in study.policies:
        for rep in study.replicate_draws():
            try:
                validate(study.run_parameters(policy, rep))
            except ParameterError as exc:
                raise ConfigError(
                    f"{study.path}: policy '{policy.name}' with the uncertainties of replicate "
                    f"{rep.index}: {exc}"
                ) from None


def load_policies(path: str | Path) -> PolicyStudy:
    """Read and check a policies file."""
    return parse_policies(read_toml(path), path)

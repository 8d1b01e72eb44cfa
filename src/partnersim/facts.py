"""The twelve stylised facts and the default-magnitude checks, as data, and their evaluation.

The design is the one fixed in ``docs/ODD.md`` section 1.2.1 before the
tests were run: every check compares real model runs on the seeds
:data:`SEEDS` (common random numbers: every setting of a fact runs on the
same seeds, so each seed gives one paired difference), with a one-sided
paired t-test at ``alpha = 0.01``. Nothing here may be changed after a run
to make a check pass.

- :data:`OUTCOMES`: one small function per pre-registered outcome, computed
  from a finished run (``summary()``, ``timeseries()``,
  ``partnership_table()`` and a :class:`~partnersim.observe.FactObserver`).
- :data:`FACTS`: each fact with its claim, evidence and checks. A
  :class:`Check` is a contrast of per-seed outcomes across settings (a
  paired difference, a within-run statistic, or a difference in
  differences) and the direction it must have.
- :data:`MAGNITUDES`: the three plausibility checks at the defaults.
- :func:`evaluate` runs what is missing (any executor of
  :mod:`partnersim.experiments`; results do not depend on it), caches runs
  per setting so facts, magnitudes and ablations share them, and returns a
  tidy table: fact, check, mean difference, 95 % interval, p, holds.

Example::

    from partnersim.facts import evaluate, fact_verdicts
    checks = evaluate(executor="processes", workers=2, progress=True)
    fact_verdicts(checks)
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from partnersim.observe import INCIDENT_DELAY, INCIDENT_MONTH, FactObserver
from partnersim.schema import defaults, validate

__all__ = [
    "ALPHA",
    "FACTS",
    "INCIDENT",
    "MAGNITUDES",
    "OUTCOMES",
    "SEEDS",
    "Check",
    "Fact",
    "Magnitude",
    "RunCache",
    "Term",
    "all_checks",
    "effective_setting",
    "evaluate",
    "evaluate_magnitudes",
    "fact_verdicts",
    "paired",
    "run_outcomes",
    "run_settings",
    "setting_key",
    "within",
]

#: replicates of every setting: seeds 0-31, shared by every setting (common random numbers)
SEEDS: tuple[int, ...] = tuple(range(32))
#: one-sided threshold of each check
ALPHA = 0.01
#: level of the reported interval of the mean difference
CONFIDENCE = 0.95
#: the setting key that turns on the incident experiment of fact 7c (not a model parameter)
INCIDENT = "incident"

Setting = Mapping[str, Any]


# ---------------------------------------------------------------- outcomes


class Run:
    """A finished run seen by the outcome functions: the model, its observer and derived tables."""

    def __init__(self, model: Any, observer: FactObserver) -> None:
        self.model = model
        self.obs = observer
        self.horizon = model.steps

    @cached_property
    def summary(self) -> dict[str, float]:
        return self.model.summary()

    @cached_property
    def ts(self) -> pd.DataFrame:
        return self.model.timeseries()

    @cached_property
    def table(self) -> pd.DataFrame:
        return self.model.partnership_table()

    @cached_property
    def founding(self) -> pd.DataFrame:
        """Founding partnerships, with the month each worked until (``end``)."""
        t = self.table[self.table["route"] == "initial"].copy()
        t["end"] = pd.to_numeric(t["dissolved_at"], errors="coerce").fillna(self.horizon).astype(float)
        return t

    def working_at(self, month: int) -> pd.Series:
        """Founding partnerships working at ``month`` (a partnership works through its dissolution month, as ``lifetime`` counts)."""
        f = self.founding
        return f["end"] - f["started_at"] >= month

    @cached_property
    def ended_for_good(self) -> dict[int, int]:
        """Partnership number -> the last month its grant paid for, for those unfunded at their end."""
        obs, out = self.obs, {}
        for q in self.model.partnerships_created:
            funded_at_end = q.funded if q.alive else obs.funded_at_dissolution.get(q.number, False)
            if not funded_at_end and q.number in obs.last_funded:
                out[q.number] = obs.last_funded[q.number]
        return out


def _per_member_year(run: Run, sectors: Iterable[str]) -> float:
    sectors = tuple(sectors)
    exits = sum(run.model.exits.get(s, 0) for s in sectors)
    years = sum(run.obs.member_months.get(s, 0) for s in sectors) / 12.0
    return exits / years if years > 0 else math.nan


def _month_mean(series: pd.Series, first: int, last: int) -> float:
    values = series.loc[first:last].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if len(values) else math.nan


def _mean_lifetime(run: Run) -> float:
    f = run.founding
    return float((f["end"] - f["started_at"]).mean()) if len(f) else math.nan


def _alive_at_60(run: Run) -> float:
    if run.horizon < 60 or not len(run.founding):
        return math.nan
    return float(run.working_at(60).mean())


def _output_first_year(run: Run) -> float:
    return _month_mean(run.ts["output"], 1, 12)


def _members_per_partnership(run: Run) -> float:
    ts = run.ts.loc[1:]
    live = ts[ts["active_partnerships"] > 0]
    return float((live["active_members"] / live["active_partnerships"]).mean()) if len(live) else math.nan


def _agreement_speed(run: Run) -> float:
    return float(run.table["agreement_speed"].mean())


def _trust_early(run: Run) -> float:
    return _month_mean(pd.Series(run.obs.trust_by_month), 1, 24)


def _trust_rise(run: Run) -> float:
    t = run.obs.trust_by_month
    return t.get(24, math.nan) - t.get(6, math.nan)


def _replacement_gap(run: Run) -> float:
    (s_in, n_in), (s_out, n_out) = run.obs.replaced_changes, run.obs.other_changes
    return s_in / n_in - s_out / n_out if n_in and n_out else math.nan


def _grant_end_log_ratio(run: Run) -> float:
    risk, left = run.obs.at_risk, run.obs.departures
    if min(risk.values()) == 0 or min(left.values()) == 0:
        return math.nan  # a rate of zero has no log ratio: the run is left out and counted
    return math.log((left["last_6"] / risk["last_6"]) / (left["months_7_24"] / risk["months_7_24"]))


def _funded_dissolutions(run: Run) -> float:
    f = run.founding
    funded = run.obs.funded_at_dissolution
    return float(sum(funded.get(int(n), False) for n in f.loc[f["dissolved_at"].notna(), "partnership"]))


def _ended_funding_judged(run: Run) -> tuple[int, int]:
    """Founding partnerships whose funding ended for good at least 12 months before the horizon, and of those the ones still working 12 months later."""
    ended = run.ended_for_good
    judged = kept = 0
    for number, end in zip(run.founding["partnership"], run.founding["end"], strict=True):
        month = ended.get(int(number))
        if month is None or month > run.horizon - 12:
            continue
        judged += 1
        kept += end - month >= 12
    return judged, kept


def _maturity_ages(run: Run) -> str:
    """Age at which maturity first reached 0.8 of its ceiling, for founding partnerships working at month 60 ('inf': never)."""
    if run.horizon < 60:
        return ""
    f = run.founding[run.working_at(60)]
    mature = run.obs.mature_at
    return " ".join(str(mature.get(int(n), "inf")) for n in f["partnership"])


@dataclass(frozen=True)
class Outcome:
    """One per-run outcome: what it is, and how it is computed from a finished run."""

    name: str
    description: str
    fn: Callable[[Run], Any]


_OUTCOME_LIST = (
    Outcome("mean_lifetime", "mean months founding partnerships worked, censored at the horizon", _mean_lifetime),
    Outcome("alive_at_60", "share of founding partnerships working at month 60", _alive_at_60),
    Outcome("mean_trust", "summary: mean over partnerships of their mean effective trust", lambda r: r.summary["mean_trust"]),
    Outcome("total_output", "summary: output summed over partnerships and months", lambda r: r.summary["total_output"]),
    Outcome("output_first_year", "mean monthly output over months 1-12", _output_first_year),
    Outcome(
        "legacy_rate",
        "summary: share of partnerships still working 12 months after their funding ended for good",
        lambda r: r.summary["legacy_rate"],
    ),
    Outcome("members_per_partnership", "active members per working partnership, months with one working", _members_per_partnership),
    Outcome("vcse_share", "summary: share of small VCSE groups among active members", lambda r: r.summary["vcse_share"]),
    Outcome("agreement_speed", "mean over partnerships of the agreement speed (partnership table)", _agreement_speed),
    Outcome("exit_rate", "members who leave per member-year of membership", lambda r: _per_member_year(r, ("statutory", "large_charity", "vcse"))),
    Outcome("mean_commitment", "summary: mean commitment", lambda r: r.summary["mean_commitment"]),
    Outcome("voice_gini", "summary: Gini of voice shares", lambda r: r.summary["voice_gini"]),
    Outcome("vcse_satisfaction_3y", "mean satisfaction of small VCSE members, months 1-36", lambda r: _month_mean(r.ts["vcse_satisfaction"], 1, 36)),
    Outcome("vcse_exits", "small VCSE groups that leave a partnership", lambda r: float(r.model.exits["vcse"])),
    Outcome("vcse_exit_rate", "small VCSE exits per member-year of small VCSE membership", lambda r: _per_member_year(r, ("vcse",))),
    Outcome("charity_exit_rate", "large-charity exits per member-year of large-charity membership", lambda r: _per_member_year(r, ("large_charity",))),
    Outcome("trust_early", "mean effective trust over working partnerships, months 1-24", _trust_early),
    Outcome("trust_rise_6_24", "mean effective trust of working partnerships, month 24 minus month 6", _trust_rise),
    Outcome(
        "replacement_trust_gap",
        "in months a representative is replaced: mean trust change of the pairs with that member minus the other pairs'",
        _replacement_gap,
    ),
    Outcome(
        "incident_pair_trust",
        f"effective trust of the pair chosen at month {INCIDENT_MONTH}, {INCIDENT_DELAY} months later",
        lambda r: r.obs.incident_pair_trust,
    ),
    Outcome("grant_end_leaving_log_ratio", "log of representatives' leaving rate in a grant's last 6 months over its months 7-24", _grant_end_log_ratio),
    # pooled counts for the magnitude checks
    Outcome("n_founding", "founding partnerships", lambda r: float(len(r.founding))),
    Outcome("n_dissolved_funded", "founding partnerships that dissolved while their grant was paid", _funded_dissolutions),
    Outcome("n_ended_judged", "founding partnerships whose funding ended for good 12+ months before the horizon", lambda r: float(_ended_funding_judged(r)[0])),
    Outcome("n_ended_kept", "of those, still working 12 months later", lambda r: float(_ended_funding_judged(r)[1])),
    Outcome("maturity_ages", "ages at which maturity reached 0.8 of its ceiling (working at month 60)", _maturity_ages),
)  # fmt: skip

#: every per-run outcome, by name
OUTCOMES: dict[str, Outcome] = {o.name: o for o in _OUTCOME_LIST}


def run_outcomes(*, rng: int, incident: bool = False, **params: Any) -> dict[str, Any]:
    """Run the model once (``rng`` the seed) and return every outcome of :data:`OUTCOMES`.

    A plain function from parameters to outcomes, for any executor.
    ``incident`` turns on the incident experiment of fact 7c.
    """
    from partnersim.model import run_for_outputs

    observer = FactObserver(incident=incident)
    with run_for_outputs({**params, "rng": rng}, collect=True, observer=observer) as model:
        run = Run(model, observer)
        return {name: o.fn(run) for name, o in OUTCOMES.items()}


# ---------------------------------------------------------------- checks as data


@dataclass(frozen=True)
class Term:
    """One term of a contrast: ``weight`` times ``outcome`` under ``setting`` (parameters as given)."""

    setting: tuple[tuple[str, Any], ...]
    outcome: str
    weight: float

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.setting)


def _setting(params: Setting) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(params.items()))


@dataclass(frozen=True)
class Check:
    """One pre-registered check: a per-seed contrast that must be above (``up``) or below (``down``) 0.

    ``require_variation``: the outcome must not be the same in every run of
    a setting (ODD 1.2.1: no setting may fix it by formula); if it is, the
    check fails with a note.
    """

    fact: str
    check: str
    claim: str
    terms: tuple[Term, ...]
    direction: str
    require_variation: bool = False

    @property
    def settings(self) -> list[dict[str, Any]]:
        return [t.params for t in self.terms]

    @property
    def outcomes(self) -> list[str]:
        return list(dict.fromkeys(t.outcome for t in self.terms))


def paired(
    fact: str, check: str, low: Setting, high: Setting, outcome: str, direction: str, **kw: Any
) -> Check:
    """Settings low -> high; the outcome's paired difference (high - low) goes ``direction``."""
    terms = (Term(_setting(high), outcome, 1.0), Term(_setting(low), outcome, -1.0))
    return Check(
        fact, check, f"{outcome} {direction}: {_words(low)} -> {_words(high)}", terms, direction, **kw
    )


def within(fact: str, check: str, setting: Setting, outcome: str, direction: str, claim: str) -> Check:
    """A within-run statistic of one setting, above (``up``) or below (``down``) 0."""
    return Check(fact, check, claim, (Term(_setting(setting), outcome, 1.0),), direction)


def _words(params: Setting) -> str:
    return ", ".join(f"{k} = {v}" for k, v in params.items()) or "defaults"


@dataclass(frozen=True)
class Fact:
    """A stylised fact: its claim, the evidence that states it, and its pre-registered checks."""

    fact: str
    claim: str
    evidence: tuple[str, ...]
    checks: tuple[Check, ...]


DEFAULT: dict[str, Any] = {}


def _fact(fact: str, claim: str, evidence: Sequence[str], *checks: Check) -> Fact:
    return Fact(fact, claim, tuple(evidence), checks)


def _did(fact: str, check: str, outcome: str) -> Check:
    """Fact 10: the drop in ``outcome`` from low to high turnover, without minus with the agreement, above 0."""
    lo, hi = {"staff_turnover": 0.05}, {"staff_turnover": 0.5}
    no, yes = {"formal_agreement": False}, {"formal_agreement": True}
    terms = (
        Term(_setting({**lo, **no}), outcome, 1.0),
        Term(_setting({**hi, **no}), outcome, -1.0),
        Term(_setting({**lo, **yes}), outcome, -1.0),
        Term(_setting({**hi, **yes}), outcome, 1.0),
    )
    claim = f"drop in {outcome} from staff_turnover 0.05 to 0.5 is smaller with formal_agreement (without minus with)"
    return Check(fact, check, claim, terms, "up")


_AUSTERITY = ({"austerity_rate": 0.0}, {"austerity_rate": 0.5})

#: the twelve facts of ODD 1.2, with the checks of ODD 1.2.1
FACTS: dict[str, Fact] = {
    f.fact: f
    for f in (
        _fact(
            "1", "Longer funding periods raise partnership survival",
            ("002:701", "004:474", "004:504", "001:96", "003:664-672"),
            paired("1", "1a", {"funding_length": 12}, {"funding_length": 48}, "mean_lifetime", "up"),
            paired("1", "1b", {"funding_length": 12}, {"funding_length": 48}, "alive_at_60", "up"),
        ),
        _fact(
            "2", "Higher staff turnover lowers trust and survival",
            ("004:442-474", "002:517", "002:1165", "001:288"),
            paired("2", "2a", {"staff_turnover": 0.05}, {"staff_turnover": 0.5}, "mean_trust", "down"),
            paired("2", "2b", {"staff_turnover": 0.05}, {"staff_turnover": 0.5}, "mean_lifetime", "down"),
        ),
        _fact(
            "3", "A coordinator raises trust, activity and survival; losing it when funding ends weakens the partnership",
            ("002:364", "002:999", "003:371"),
            paired("3", "3a", {"coordinator": False}, {"coordinator": True}, "mean_trust", "up"),
            paired("3", "3b", {"coordinator": False}, {"coordinator": True}, "total_output", "up"),
            paired("3", "3c", {"coordinator": False}, {"coordinator": True}, "mean_lifetime", "up"),
            paired(
                "3", "3d", {"coordinator": True, "coordinator_mainstreamed": False},
                {"coordinator": True, "coordinator_mainstreamed": True}, "mean_lifetime", "up",
            ),
        ),
        _fact(
            "4", "Strategic partnerships deliver more early; communicative ones build more trust and outlive their funding",
            ("000:106-110", "000:143"),
            paired("4", "4a", {"orientation": 0.1}, {"orientation": 0.9}, "output_first_year", "down"),
            paired("4", "4b", {"orientation": 0.1}, {"orientation": 0.9}, "mean_trust", "up"),
            paired("4", "4c", {"orientation": 0.1}, {"orientation": 0.9}, "legacy_rate", "up"),
        ),
        _fact(
            "5", "Open membership brings more and more varied members, but slower agreement; closed is steadier",
            ("002:372-378", "002:411-419"),
            paired("5", "5a", {"membership": "closed"}, {"membership": "open"}, "members_per_partnership", "up"),
            paired("5", "5b", {"membership": "closed"}, {"membership": "open"}, "vcse_share", "up"),
            paired(
                "5", "5c", {"membership": "closed"}, {"membership": "open"}, "agreement_speed", "down",
                require_variation=True,
            ),
            paired("5", "5d", {"membership": "closed"}, {"membership": "open"}, "exit_rate", "up"),
        ),
        _fact(
            "6", "Under strategic rules power gaps lower small partners' satisfaction and raise their exit",
            ("000:169", "004:288-294", "003:343"),
            paired("6", "6a", {"orientation": 0.9}, {"orientation": 0.1}, "vcse_satisfaction_3y", "down"),
            paired("6", "6b", {"orientation": 0.9}, {"orientation": 0.1}, "vcse_exits", "up"),
            paired(
                "6", "6c", {"orientation": 0.1, "fund_holder": "statutory"},
                {"orientation": 0.1, "fund_holder": "vcse"}, "vcse_satisfaction_3y", "up",
            ),
        ),
        _fact(
            "7", "Trust builds slowly through contact, is lost with the people who hold it, and an old incident keeps partners apart",
            ("001:97", "003:440", "003:628", "002:551"),
            within("7", "7a", DEFAULT, "trust_rise_6_24", "up", "mean trust of working partnerships: month 24 above month 6"),
            within(
                "7", "7b", DEFAULT, "replacement_trust_gap", "down",
                "months with a replacement: trust change of pairs with the replaced member below the other pairs'",
            ),
            Check(
                "7", "7c",
                f"incident at month {INCIDENT_MONTH}: the pair's trust {INCIDENT_DELAY} months later below the same pair's without it",
                (Term(_setting({INCIDENT: True}), "incident_pair_trust", 1.0), Term((), "incident_pair_trust", -1.0)),
                "down",
            ),
        ),
        _fact(
            "8", "Larger partnerships have lower average commitment", ("001:357", "002:413"),
            paired("8", "8a", {"partnership_size": 4}, {"partnership_size": 10}, "mean_commitment", "down"),
        ),
        _fact(
            "9", "Prior relationships speed trust and raise survival", ("001:143", "001:305", "002:509-517"),
            paired("9", "9a", {"prior_tie_density": 0.0}, {"prior_tie_density": 0.5}, "trust_early", "up"),
            paired("9", "9b", {"prior_tie_density": 0.0}, {"prior_tie_density": 0.5}, "mean_lifetime", "up"),
        ),
        _fact(
            "10", "A formal agreement on roles softens the damage of turnover", ("004:416",),
            _did("10", "10a", "mean_trust"),
            _did("10", "10b", "mean_lifetime"),
        ),
        _fact(
            "11", "Statutory budget shocks hurt small VCSE partners most", ("001:350", "002:354"),
            paired("11", "11a", *_AUSTERITY, "vcse_share", "down"),
            paired("11", "11b", *_AUSTERITY, "vcse_exits", "up"),
            Check(
                "11", "11c", "austerity_rate 0 -> 0.5: rise in vcse_exit_rate minus rise in charity_exit_rate",
                (
                    Term(_setting(_AUSTERITY[1]), "vcse_exit_rate", 1.0),
                    Term(_setting(_AUSTERITY[0]), "vcse_exit_rate", -1.0),
                    Term(_setting(_AUSTERITY[1]), "charity_exit_rate", -1.0),
                    Term(_setting(_AUSTERITY[0]), "charity_exit_rate", 1.0),
                ),
                "up",
            ),
        ),
        _fact(
            "12", "Staff leave more as a grant nears its end", ("004:474", "003:664", "003:845"),
            within(
                "12", "12a", DEFAULT, "grant_end_leaving_log_ratio", "up",
                "representatives' leaving rate: a grant's last 6 months over its months 7-24 (log ratio)",
            ),
        ),
    )
}  # fmt: skip


def all_checks(facts: Iterable[Fact] | None = None) -> list[Check]:
    """Every check of ``facts`` (default: all twelve), in order."""
    return [c for f in (facts if facts is not None else FACTS.values()) for c in f.checks]


@dataclass(frozen=True)
class Magnitude:
    """A plausibility check at the defaults, pooled over partnerships of the default runs."""

    check: str
    claim: str
    evidence: tuple[str, ...]
    low: float | None
    high: float | None
    statistic: Callable[[pd.DataFrame], tuple[float, str]] = field(compare=False)


def _share_funded_failures(runs: pd.DataFrame) -> tuple[float, str]:
    n, k = runs["n_founding"].sum(), runs["n_dissolved_funded"].sum()
    return (k / n if n else math.nan), f"{int(k)} of {int(n)} founding partnerships"


def _share_legacy(runs: pd.DataFrame) -> tuple[float, str]:
    n, k = runs["n_ended_judged"].sum(), runs["n_ended_kept"].sum()
    return (
        k / n if n else math.nan
    ), f"{int(k)} of {int(n)} whose funding ended 12+ months before the horizon"


def _median_maturity(runs: pd.DataFrame) -> tuple[float, str]:
    ages = [float(a) for text in runs["maturity_ages"] for a in str(text).split()]
    never = sum(math.isinf(a) for a in ages)
    value = float(np.median(ages)) if ages else math.nan
    return value, f"{len(ages)} partnerships working at month 60; {never} never reached it by the horizon"


#: the default-magnitude checks of ODD 1.2.1
MAGNITUDES: tuple[Magnitude, ...] = (
    Magnitude(
        "M1", "share of founding partnerships that dissolve while their grant is paid is 5-50 %",
        ("002:257", "001:249", "001:275"), 0.05, 0.50, _share_funded_failures,
    ),
    Magnitude(
        "M2", "of partnerships whose funding ended for good 12+ months before the horizon, 10-50 % still work 12 months later",
        ("001:259",), 0.10, 0.50, _share_legacy,
    ),
    Magnitude(
        "M3", "median month at which maturity first reaches 0.8 of its ceiling, partnerships working at month 60, is at least 24",
        ("001:199",), 24.0, None, _median_maturity,
    ),
)  # fmt: skip


# ---------------------------------------------------------------- runs, cached per setting


def setting_key(params: Setting) -> str:
    """A canonical key of a setting: its non-default parameters (validated and typed) and the incident flag."""
    params = dict(params)
    incident = bool(params.pop(INCIDENT, False))
    typed = validate(params)
    base = defaults()
    changed = {k: v for k, v in typed.items() if k in base and v != base[k]}
    if incident:
        changed[INCIDENT] = True
    return json.dumps(changed, sort_keys=True)


def _code_version() -> str:
    """A hash of the model code and of the fact outcomes: a disk cache of other code is never read."""
    from partnersim.experiments.provenance import model_fingerprint

    here = Path(__file__).resolve().parent
    digest = hashlib.sha1(model_fingerprint().encode())
    for name in ("facts.py", "observe.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


class RunCache:
    """Per-seed outcomes of each setting, in memory and (with ``directory``) on disk.

    Keyed by :func:`setting_key`, so settings that coincide (the defaults of
    several facts, or an ablation's override that equals a fact's setting)
    are run once. On disk each setting is one Parquet file under
    ``directory/<code version>/``, written atomically, so a run of other
    model code is never reused and an interrupted evaluation resumes.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) / _code_version() if directory is not None else None
        self._memory: dict[str, pd.DataFrame] = {}

    def _path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"{hashlib.sha1(key.encode()).hexdigest()[:20]}.parquet"

    def get(self, key: str) -> pd.DataFrame:
        """Outcomes of the seeds run so far under ``key``, indexed by seed (empty if none)."""
        if key not in self._memory and self.directory is not None and self._path(key).exists():
            self._memory[key] = pd.read_parquet(self._path(key)).set_index("seed")
        return self._memory.get(key, pd.DataFrame())

    def put(self, key: str, runs: pd.DataFrame) -> None:
        """Add the runs (indexed by seed) of ``key``."""
        old = self.get(key)
        merged = pd.concat([old, runs]) if len(old) else runs
        merged = merged[~merged.index.duplicated(keep="last")].sort_index()
        self._memory[key] = merged
        if self.directory is not None:
            from partnersim.io import write_table

            write_table(merged.reset_index(), self._path(key))


#: the cache :func:`evaluate` uses unless given another (shared within a process)
DEFAULT_CACHE = RunCache()


def effective_setting(params: Setting, overrides: Setting | None) -> dict[str, Any]:
    # an ablation's overrides win: the mechanism stays off whatever the fact varies
    return {**dict(params), **dict(overrides or {})}


def run_settings(
    settings: Iterable[Setting],
    *,
    seeds: Sequence[int] = SEEDS,
    cache: RunCache | None = None,
    executor: Any = "serial",
    workers: int | None = None,
    progress: bool = False,
) -> dict[str, pd.DataFrame]:
    """Run every (setting, seed) not yet in the cache; return each setting's outcomes by key.

    All missing runs go out as one batch, so any executor of
    :mod:`partnersim.experiments` keeps every worker busy. Each run is
    seeded by its seed alone, so results do not depend on the executor.
    """
    from partnersim.experiments import RunSpec, run_specs

    cache = cache if cache is not None else DEFAULT_CACHE
    wanted: dict[str, dict[str, Any]] = {}
    for params in settings:
        wanted.setdefault(setting_key(params), dict(params))
    specs: list[RunSpec] = []
    keys: list[str] = []
    for key, params in wanted.items():
        have = set(cache.get(key).index)
        missing = [s for s in seeds if s not in have]
        if missing:
            point = len(keys)
            keys.append(key)
            for r, seed in enumerate(missing):
                specs.append(RunSpec(len(specs), point, r, int(seed), params))
    if specs:
        # with a disk cache every finished chunk is saved at once, so an interrupted batch resumes
        batch = cache.directory / "batch" if cache.directory is not None else None
        result = run_specs(
            specs, batch, executor=executor, workers=workers, fn=run_outcomes, progress=progress
        )
        runs = result.runs
        for point, key in enumerate(keys):
            part = runs[runs["point_id"] == point].set_index("seed")[list(OUTCOMES)]
            cache.put(key, part)
        if batch is not None:
            shutil.rmtree(batch, ignore_errors=True)
    return {key: cache.get(key).loc[list(seeds)] for key in wanted}


# ---------------------------------------------------------------- statistics


def contrast_test(diffs: np.ndarray, direction: str) -> dict[str, Any]:
    """Mean, 95 % t-interval and one-sided p of per-seed differences; whether the check holds.

    Seeds whose difference is undefined (NaN) are left out and counted in
    ``n``. When every difference is the same there is no variance to test:
    the check holds if and only if that difference has the stated sign (ODD
    1.2.1), and p is reported as NaN.
    """
    if direction not in ("up", "down"):
        raise ValueError(f"direction must be 'up' or 'down', got {direction!r}")
    d = np.asarray(diffs, dtype=float)
    d = d[np.isfinite(d)]
    n = len(d)
    out: dict[str, Any] = {"n": n, "mean_diff": math.nan, "ci_low": math.nan, "ci_high": math.nan}
    out.update({"p": math.nan, "holds": False, "note": ""})
    if n == 0:
        out["note"] = "no seed gave a defined difference"
        return out
    mean = float(d.mean())
    out["mean_diff"] = mean
    right_sign = mean > 0 if direction == "up" else mean < 0
    if n == 1 or np.all(d == d[0]):
        out.update(ci_low=mean, ci_high=mean, holds=bool(right_sign and np.all(d == d[0])))
        out["note"] = "every paired difference is the same"
        return out
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, n - 1) * d.std(ddof=1) / math.sqrt(n)
    alternative = "greater" if direction == "up" else "less"
    p = float(stats.ttest_1samp(d, 0.0, alternative=alternative).pvalue)
    out.update(ci_low=mean - half, ci_high=mean + half, p=p, holds=bool(right_sign and p < ALPHA))
    return out


def _check_row(check: Check, runs: Mapping[str, pd.DataFrame], overrides: Setting | None) -> dict[str, Any]:
    total: pd.Series | None = None
    notes = []
    for term in check.terms:
        values = runs[setting_key(effective_setting(term.params, overrides))][term.outcome].astype(float)
        if check.require_variation and values.nunique(dropna=True) == 1:
            notes.append(f"{term.outcome} is {values.iloc[0]:g} in every run of {_words(term.params)}")
        total = term.weight * values if total is None else total + term.weight * values
    assert total is not None
    row = {"fact": check.fact, "check": check.check, "claim": check.claim, "direction": check.direction}
    row["outcome"] = " ".join(check.outcomes)
    row.update(contrast_test(total.to_numpy(), check.direction))
    if notes:
        # the pre-registration forbids an outcome fixed by formula under a setting
        row["holds"] = False
        row["note"] = "; ".join([*notes, row["note"]]).strip("; ")
    if row["n"] < len(total):
        row["note"] = (row["note"] + f"; {len(total) - row['n']} seeds undefined").strip("; ")
    return row


def evaluate(
    checks: Iterable[Check] | None = None,
    *,
    seeds: Sequence[int] = SEEDS,
    overrides: Setting | None = None,
    cache: RunCache | None = None,
    executor: Any = "serial",
    workers: int | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Evaluate checks (default: every check of the twelve facts) on real runs.

    Args:
        checks: the checks; default :func:`all_checks`.
        seeds: the replicates (default: the pre-registered seeds 0-31).
        overrides: parameters set in every setting (an ablation); they win
            over a fact's own setting.
        cache: where runs are kept (default: one shared per process).
        executor, workers, progress: see :func:`partnersim.experiments.run_specs`.

    Returns:
        One row per check: ``fact``, ``check``, ``claim``, ``direction``,
        ``outcome``, ``n``, ``mean_diff`` (of the contrast, e.g. high minus
        low), ``ci_low``/``ci_high`` (95 % t-interval), ``p`` (one-sided),
        ``holds``, ``note``.
    """
    checks = list(checks) if checks is not None else all_checks()
    settings = [effective_setting(t.params, overrides) for c in checks for t in c.terms]
    runs = run_settings(
        settings, seeds=seeds, cache=cache, executor=executor, workers=workers, progress=progress
    )
    return pd.DataFrame([_check_row(c, runs, overrides) for c in checks])


def fact_verdicts(checks: pd.DataFrame) -> pd.DataFrame:
    """One row per fact: whether every check holds, and the largest p of its checks."""
    g = checks.groupby("fact", sort=False)
    return pd.DataFrame({"holds": g["holds"].all(), "max_p": g["p"].max(), "checks": g["check"].count()})


def evaluate_magnitudes(
    *,
    seeds: Sequence[int] = SEEDS,
    overrides: Setting | None = None,
    cache: RunCache | None = None,
    executor: Any = "serial",
    workers: int | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """The magnitude checks on the default runs (shared with the facts): value, bounds, holds, detail."""
    params = effective_setting(DEFAULT, overrides)
    runs = run_settings(
        [params], seeds=seeds, cache=cache, executor=executor, workers=workers, progress=progress
    )
    default_runs = runs[setting_key(params)]
    rows = []
    for m in MAGNITUDES:
        value, detail = m.statistic(default_runs)
        holds = (
            not math.isnan(value)
            and (m.low is None or value >= m.low)
            and (m.high is None or value <= m.high)
        )
        rows.append(
            {"check": m.check, "claim": m.claim, "value": value, "low": m.low, "high": m.high,
             "holds": bool(holds), "detail": detail}
        )  # fmt: skip
    return pd.DataFrame(rows)

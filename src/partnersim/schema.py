"""The one parameter schema of partnersim.

Every public parameter is declared here once, with its type, default, valid
range, unit, the evidence behind it and a one-line help text. The model, the
CLI (``--set``), study files, sweep designs, the Sobol problem and the
classroom sliders are all generated from :data:`PARAMETERS`; nothing else
retypes a range.

Defaults that no field report gives (the reports are qualitative, see
``docs/ODD.md``) say so in ``reason``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, make_dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

__all__ = [
    "PARAMETERS",
    "Parameter",
    "ParameterError",
    "Params",
    "coerce",
    "defaults",
    "parameter",
    "validate",
]


class ParameterError(ValueError):
    """A parameter name, type or value that the schema does not allow.

    The message names the parameter, the value given and what is allowed.
    """

    def __init__(self, message: str, name: str | None = None, value: Any = None):
        super().__init__(message)
        self.name = name
        self.value = value


@dataclass(frozen=True)
class Parameter:
    """One model parameter.

    Attributes:
        name: public name, used everywhere (CLI, TOML, sweeps, sliders).
        kind: ``int``, ``float``, ``bool`` or ``str``.
        default: the value used when none is given.
        low, high: inclusive bounds for numbers (``None`` for open).
        choices: allowed values for ``str`` parameters.
        unit: unit of measure, in words.
        help: one line for people.
        evidence: ``SEED:LINE`` citations (empty when purely technical).
        reason: why the default is what it is.
        group: ``system``, ``partnership``, ``funder``, ``environment``,
            ``behaviour`` or ``run``.
        teach: shown as a slider in the classroom app.
    """

    name: str
    kind: type
    default: Any
    help: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    reason: str = ""
    group: str = "behaviour"
    teach: bool = False
    nullable: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def allowed(self) -> str:
        """The allowed values, in words, for error messages and help."""
        if self.kind is bool:
            return "true or false"
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        kind = "an integer" if self.kind is int else "a number"
        if self.low is not None and self.high is not None:
            text = f"{kind} from {self.low:g} to {self.high:g}"
        elif self.low is not None:
            text = f"{kind} of at least {self.low:g}"
        elif self.high is not None:
            text = f"{kind} of at most {self.high:g}"
        else:
            text = kind
        if self.nullable:
            text += ", or none"
        return text + (f" ({self.unit})" if self.unit else "")

    def check(self, value: Any) -> Any:
        """Return ``value`` as this parameter's type, or raise ParameterError."""
        name = self.name
        if value is None and self.nullable:
            return None
        bad = ParameterError(
            f"parameter '{name}' = {value!r} is not allowed: expected {self.allowed}",
            name,
            value,
        )
        if self.kind is bool:
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            raise bad
        if self.kind is str:
            if isinstance(value, str) and value in self.choices:
                return value
            raise bad
        # numbers: a bool is not a number here, and an int must be whole
        if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)
        ):
            raise bad
        if self.kind is int:
            if isinstance(value, (float, np.floating)) and (
                not math.isfinite(value) or not float(value).is_integer()
            ):
                raise bad
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise bad
        if (self.low is not None and value < self.low) or (self.high is not None and value > self.high):
            raise ParameterError(
                f"parameter '{name}' = {value!r} is out of range: allowed {self.allowed}",
                name,
                value,
            )
        return value


def _p(name: str, kind: type, default: Any, help: str, **kw: Any) -> Parameter:
    return Parameter(name=name, kind=kind, default=default, help=help, **kw)


_NOT_REPORTED = (
    "No report gives a figure; chosen so that the mechanism is visible but not dominant over a 120-month run."
)

PARAMETERS: dict[str, Parameter] = {
    p.name: p
    for p in [
        # ---- system size -------------------------------------------------
        _p(
            "n_statutory",
            int,
            15,
            "Statutory bodies (councils, NHS, police, schools)",
            unit="organisations",
            low=1,
            high=20000,
            group="system",
            teach=True,
            evidence=("003:614", "004:288"),
            reason="A local children's system: a few council teams, NHS bodies, police and schools.",
        ),
        _p(
            "n_large_charity",
            int,
            10,
            "Large charities (Barnardo's-type)",
            unit="organisations",
            low=0,
            high=20000,
            group="system",
            teach=True,
            evidence=("001:223",),
            reason="Model brief default for one local system.",
        ),
        _p(
            "n_small_vcse",
            int,
            35,
            "Small VCSE groups",
            unit="organisations",
            low=0,
            high=50000,
            group="system",
            teach=True,
            evidence=("003:254",),
            reason="Small groups are the majority of the local sector.",
        ),
        _p(
            "n_partnerships",
            int,
            10,
            "Partnerships at the start",
            unit="partnerships",
            low=1,
            high=5000,
            group="system",
            teach=True,
            reason="Model brief default for one local system.",
        ),
        _p(
            "partnership_size",
            int,
            5,
            "Members a partnership starts with",
            unit="organisations",
            low=2,
            high=30,
            group="partnership",
            teach=True,
            evidence=("002:1182", "001:357"),
            reason="HCT core groups had about 4-8 members (002:1182); 5 keeps a 60-organisation system from saturating.",
        ),
        # ---- partnership rules -----------------------------------------
        _p(
            "orientation",
            float,
            0.5,
            "0 = strategic (top-down, targets) .. 1 = communicative (co-designed)",
            unit="share",
            low=0.0,
            high=1.0,
            group="partnership",
            teach=True,
            evidence=("000:106", "000:108", "000:143"),
        ),
        _p(
            "membership",
            str,
            "closed",
            "Open (willing organisations join through ties) or closed (fixed at formation)",
            choices=("open", "closed"),
            group="partnership",
            teach=True,
            evidence=("002:374", "002:411"),
        ),
        _p(
            "formal_agreement",
            bool,
            False,
            "Roles agreed in writing",
            group="partnership",
            teach=True,
            evidence=("004:416",),
        ),
        # ---- funder levers ------------------------------------------------
        _p(
            "funding_length",
            int,
            36,
            "Grant length",
            unit="months",
            low=3,
            high=240,
            group="funder",
            teach=True,
            evidence=("002:701", "001:96", "004:49"),
            reason="HCT grants ran 39-42 months (002:261-268); three-year funding is what sites credit with change (002:701).",
        ),
        _p(
            "renewal_probability",
            float,
            0.3,
            "Chance that a grant is renewed at its end",
            unit="probability",
            low=0.0,
            high=1.0,
            group="funder",
            teach=True,
            evidence=("004:77",),
            reason="ROSF extended one third of its grants by two years (004:77).",
        ),
        _p(
            "evidence_weight",
            float,
            0.5,
            "How far the funder's renewal decision follows the grant's record",
            unit="probability per unit of record",
            low=0.0,
            high=2.0,
            group="funder",
            evidence=("002:681",),
            reason="Funders ask for evidence of outputs to secure future funding (002:681); no report says how much it counts. At 0.5 the best and worst records move the base rate by a quarter either way.",
        ),
        _p(
            "funding_gap",
            int,
            0,
            "Months without money between a grant and its renewal",
            unit="months",
            low=0,
            high=24,
            group="funder",
            evidence=("003:672",),
            reason="No gap by default; gaps are a policy lever to test.",
        ),
        _p(
            "development_months",
            int,
            6,
            "Months of the first grant that are a development phase, after which the funder decides whether to go on",
            unit="months",
            low=0,
            high=60,
            group="funder",
            evidence=("000:241", "002:257"),
            reason="HCT funded a development phase before its main grants (002:257) and a foundation phase is recommended (000:241); no report gives its length. 0 turns the phase off.",
        ),
        _p(
            "development_pass",
            float,
            0.83,
            "Funder's base chance of taking a partnership on after its development phase",
            unit="probability",
            low=0.0,
            high=1.0,
            group="funder",
            evidence=("002:257",),
            reason="Of six HCT development-phase sites, five were progressed (002:257): 5/6.",
        ),
        _p(
            "coordinator",
            bool,
            True,
            "Partnerships have a funded coordinator post",
            group="funder",
            teach=True,
            evidence=("002:364", "003:371"),
        ),
        _p(
            "coordinator_mainstreamed",
            bool,
            False,
            "The coordinator post outlives the grant",
            group="funder",
            teach=True,
            evidence=("002:999",),
        ),
        _p(
            "coordinator_hours",
            float,
            40.0,
            "Hours a month the coordinator gives the partnership",
            unit="hours per month",
            low=0.0,
            high=200.0,
            group="funder",
            evidence=("004:448",),
            reason="Dedicated hours beat hoping the work is absorbed (004:448); no report gives the hours. About a quarter of a full-time post.",
        ),
        _p(
            "coordination_hours",
            float,
            2.0,
            "Hours one coordination task takes: organising a meeting, chasing one member, mediating one disagreement, handing over one relationship, or reporting on one member in a bid",
            unit="hours",
            low=0.1,
            high=40.0,
            evidence=("003:536",),
            reason="No report gives the time a task takes (003:536 says relationships take about half a coordinator's time). At 2 hours a 40-hour post can organise, chase and mediate for about ten members.",
        ),
        _p(
            "fund_holder",
            str,
            "statutory",
            "Who holds the grant: a statutory member, a VCSE member, or a neutral host",
            choices=("statutory", "vcse", "neutral"),
            group="funder",
            teach=True,
            evidence=("002:615", "002:705"),
        ),
        _p(
            "funding_flexibility",
            float,
            0.0,
            "How far the grant is flexible and tied to no member's agenda",
            unit="share",
            low=0.0,
            high=1.0,
            group="funder",
            evidence=("002:664", "002:683", "002:681"),
            reason="0 = fixed, target-tied money. Flexible money lets the partnership adapt its plan of work to what members voice (002:664) and takes the evidencing cycle, and so part of the competition for funds, away (002:681, 002:683).",
        ),
        # ---- environment ---------------------------------------------------
        _p(
            "staff_turnover",
            float,
            0.2,
            "Annual rate at which representatives leave their post",
            unit="per year",
            low=0.0,
            high=0.95,
            group="environment",
            teach=True,
            evidence=("004:468", "004:474", "002:517"),
            reason="Typical annual turnover in UK social care and VCSE posts is of this order; no report gives a rate.",
        ),
        _p(
            "prior_tie_density",
            float,
            0.1,
            "Share of pairs in a local system that already know each other",
            unit="share",
            low=0.0,
            high=1.0,
            group="environment",
            teach=True,
            evidence=("002:509", "001:305"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "austerity_rate",
            float,
            0.1,
            "Yearly chance of a statutory budget shock",
            unit="per year",
            low=0.0,
            # below 1: a yearly chance of 1 is a shock every month once spread over twelve
            # independent monthly draws; 0.9 is about two shocks a year
            high=0.9,
            group="environment",
            teach=True,
            evidence=("002:354", "001:350", "001:64"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "networking_rate",
            float,
            2.0,
            "Networking events a year",
            unit="events per year",
            low=0.0,
            high=24.0,
            group="environment",
            evidence=("004:83", "004:184"),
            reason="No report gives a rate of local networking events; twice a year, the rhythm of the "
            "cross-site learning events one programme ran (002:284), which are not local events.",
        ),
        # ---- run -------------------------------------------------------------
        _p(
            "horizon",
            int,
            120,
            "Months to run",
            unit="months",
            low=1,
            high=1200,
            group="run",
            reason="Ten years: long enough to see several grant cycles and legacy.",
        ),
        _p(
            "formation",
            bool,
            False,
            "New partnerships can form during the run",
            group="run",
            evidence=("004:122",),
        ),
        # ---- behaviour: trust (M1) -----------------------------------------
        _p(
            "trust_gain",
            float,
            0.06,
            "Step of trust towards 1 after a positive interaction",
            unit="share of the gap",
            low=0.0,
            high=1.0,
            evidence=("002:551", "004:504"),
            reason=(
                "No report gives a size; trust takes time to build (002:551, 004:504). With no losses, about a year "
                "of good monthly meetings would take a stranger from 0.3 to 0.7."
            ),
        ),
        _p(
            "trust_loss",
            float,
            0.2,
            "Share of trust lost after a negative interaction",
            unit="share",
            low=0.0,
            high=1.0,
            evidence=("003:628", "001:97"),
            reason=(
                "No report gives sizes or says how fast trust is lost (M1 says it builds slowly). At trust 0.5 a bad "
                "interaction costs 0.1 and a good one gains 0.03, so about three good ones undo one bad; below "
                "trust 0.23 a loss is smaller than a gain, so low trust does not sink to zero."
            ),
        ),
        _p(
            "initial_trust",
            float,
            0.3,
            "Trust between representatives who meet for the first time",
            unit="trust",
            low=0.0,
            high=1.0,
            reason=_NOT_REPORTED,
        ),
        _p(
            "prior_trust",
            float,
            0.6,
            "Trust on a prior tie at the start",
            unit="trust",
            low=0.0,
            high=1.0,
            evidence=("002:509",),
            reason=_NOT_REPORTED,
        ),
        _p(
            "personal_trust_weight",
            float,
            0.6,
            "Weight of personal (vs institutional) trust",
            unit="share",
            low=0.0,
            high=1.0,
            evidence=("002:517", "004:468"),
            reason="Trust lives largely in people; above one half.",
        ),
        _p(
            "institutional_learning",
            float,
            0.05,
            "Step of institutional trust towards personal trust after each interaction",
            unit="share of the gap",
            low=0.0,
            high=1.0,
            evidence=("004:416", "002:1009"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "agreement_learning_boost",
            float,
            1.0,
            "Extra institutional learning with a formal agreement",
            unit="multiplier - 1",
            low=0.0,
            high=10.0,
            evidence=("004:416",),
            reason=_NOT_REPORTED,
        ),
        # ---- behaviour: turnover (M2, M3) ---------------------------------
        _p(
            "grant_end_window",
            int,
            6,
            "Months before a grant ends when grant-paid staff look for the next post",
            unit="months",
            low=0,
            high=36,
            evidence=("004:474", "003:845"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "grant_end_turnover_boost",
            float,
            1.0,
            "Extra leaving hazard inside the grant-end window",
            unit="multiplier - 1",
            low=0.0,
            high=10.0,
            evidence=("004:474", "003:664"),
            reason="Doubles the hazard; no report gives a figure.",
        ),
        _p(
            "vacancy_months",
            int,
            3,
            "Months a seat stays empty after a departure",
            unit="months",
            low=0,
            high=24,
            evidence=("004:468",),
            reason="No report gives a figure; a typical recruitment period of about a quarter.",
        ),
        _p(
            "agreement_handover",
            float,
            0.5,
            "Share of personal trust a successor keeps with a formal agreement",
            unit="share",
            low=0.0,
            high=1.0,
            evidence=("004:416",),
            reason=_NOT_REPORTED,
        ),
        _p(
            "coordinator_handover",
            float,
            0.3,
            "Share of personal trust a successor keeps when a coordinator who saw it built hands it over",
            unit="share",
            low=0.0,
            high=1.0,
            evidence=("003:536",),
            reason=(
                "No report gives a share. A coordinator with the hours hands over this share of the relationships "
                "of a leaver that they saw built (003:536); a new coordinator carries nothing."
            ),
        ),
        # ---- behaviour: meeting and interaction --------------------------
        _p(
            "meeting_hours",
            float,
            8.0,
            "Hours a month a member needs to take part fully",
            unit="hours per month",
            low=0.5,
            high=160.0,
            evidence=("002:336", "003:466"),
            reason="No report gives hours; about two hours a week of partnership work, above the one "
            "weekly hour-long meeting one site held (002:445), to allow for the work around meetings.",
        ),
        _p(
            "base_positive",
            float,
            0.75,
            "Chance of a positive interaction between aligned, equal partners",
            unit="probability",
            low=0.0,
            high=1.0,
            reason=_NOT_REPORTED,
        ),
        _p(
            "alignment_effect",
            float,
            0.3,
            "Effect of value alignment on a positive interaction",
            unit="probability",
            low=0.0,
            high=1.0,
            evidence=("001:90", "000:130", "004:342"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "willingness_trust_weight",
            float,
            0.5,
            "Weight of a member's trust in its partners (against its commitment) in its willingness to attend, stay and carry on",
            unit="weight",
            low=0.0,
            high=1.0,
            evidence=("001:97",),
            reason="Trusting that partners respond constructively is a key criterion for entering a partnership (001:97); no report gives a weight. Equal to commitment's.",
        ),
        _p(
            "trust_effect",
            float,
            0.3,
            "Effect of the pair's trust on the chance of a positive interaction (the trust loop)",
            unit="probability per unit of trust",
            low=0.0,
            high=1.0,
            evidence=("001:97",),
            reason="Trust develops through repeated interactions in which partners demonstrate their values (001:97); no report gives the size. The same as alignment_effect.",
        ),
        _p(
            "power_effect",
            float,
            0.3,
            "Effect of the power gap on a positive interaction under strategic rules",
            unit="probability",
            low=0.0,
            high=1.0,
            evidence=("003:343", "000:169", "002:497"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "competition_effect",
            float,
            0.3,
            "Effect of competition for funds on a positive interaction",
            unit="probability",
            low=0.0,
            high=1.0,
            evidence=("000:185", "004:388", "002:681"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "power_damping",
            float,
            0.5,
            "Share of the power gap's effect that fully communicative working removes",
            unit="share",
            low=0.0,
            high=1.0,
            evidence=("004:310", "000:189"),
            reason="Naming the imbalance and sharing the chair reduce the effect of power but do not "
            "remove it (004:310); no report says by how much, so half.",
        ),
        _p(
            "short_grant_weight",
            float,
            0.5,
            "Share of competition for funds that scales with how short the grant is",
            unit="share",
            low=0.0,
            high=1.0,
            evidence=("002:681",),
            reason="Short contracts raise competition (002:681) but scarcity drives it too; no report "
            "gives the split, so half: a 36-month grant then carries two thirds of a 12-month one's.",
        ),
        _p(
            "base_scarcity",
            float,
            0.3,
            "Background scarcity of funds",
            unit="share",
            low=0.0,
            high=1.0,
            evidence=("004:388", "003:313"),
            reason=_NOT_REPORTED,
        ),
        # ---- behaviour: delivery (M11) -------------------------------------
        _p(
            "strategic_boost",
            float,
            0.5,
            "Extra early output under strategic targets",
            unit="multiplier - 1",
            low=0.0,
            high=5.0,
            evidence=("000:110", "000:143"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "strategic_decay_months",
            float,
            24.0,
            "Months over which the target-driven boost fades",
            unit="months",
            low=1.0,
            high=240.0,
            evidence=("000:106",),
            reason="Strategic relationships are short and programme-specific.",
        ),
        _p(
            "maturity_rate",
            float,
            0.054,
            "Monthly growth of shared capacity in a month worked together, times orientation",
            unit="per month",
            low=0.0,
            high=1.0,
            evidence=("000:108", "001:199"),
            reason=(
                "Newport took five years to develop (001:199): at the default orientation 0.5 and a quorate "
                "meeting every month, maturity reaches 0.8 of its ceiling in about 60 months (0.054 x 0.5 a month)."
            ),
        ),
        _p(
            "orientation_drift",
            float,
            0.01,
            "Monthly step of a partnership's orientation towards its mean trust, when trust is higher",
            unit="per month",
            low=0.0,
            high=1.0,
            evidence=("000:124-137",),
            reason="A strategic structure can shift away from its instrumental confines (000:124-137); no report gives a pace. At 0.01 a gap of 0.2 closes by a fifth in about two years.",
        ),
        _p(
            "agreement_cost",
            float,
            0.05,
            "Slowing of agreement per active member beyond two, in proportion to the distrust between them",
            unit="per member",
            low=0.0,
            high=1.0,
            evidence=("002:374", "002:378"),
            reason=_NOT_REPORTED,
        ),
        # ---- behaviour: evaluation and exit --------------------------------
        _p(
            "size_cost",
            float,
            0.03,
            "Commitment cost of each member beyond the second",
            unit="per member",
            low=0.0,
            high=0.2,
            evidence=("001:357", "002:413"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "funding_end_commitment_hit",
            float,
            0.15,
            "Drop in every member's commitment when the money ends or stops for a gap; a voluntary member takes it, "
            "less what its reserves absorb, when a budget shock withdraws the voluntary sector's money",
            unit="commitment",
            low=0.0,
            high=1.0,
            evidence=("003:672", "002:354"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "paper_threshold",
            float,
            0.3,
            "Willingness below which a member becomes a paper partner",
            unit="commitment",
            low=0.0,
            high=1.0,
            evidence=("004:122",),
            reason=(
                "No report gives a figure. A founding member among strangers starts at a willingness of about "
                "0.4 (commitment 0.6, trust 0.18); it goes on paper after losing about a quarter of it."
            ),
        ),
        _p(
            "exit_threshold",
            float,
            0.2,
            "Willingness below which a paper partner leaves (and mean commitment below which a partnership collapses)",
            unit="commitment",
            low=0.0,
            high=1.0,
            evidence=("004:122",),
            reason=(
                "No report gives a figure; about half a founding stranger's willingness (see paper_threshold)."
            ),
        ),
        _p(
            "vcse_unfunded_capacity",
            float,
            0.4,
            "Share of a VCSE group's partnership time left without a grant",
            unit="share",
            low=0.0,
            high=1.0,
            evidence=("002:605",),
            reason=(
                "VCSE groups could not justify the time without external funding (002:605); no report gives a "
                "share, so less than half."
            ),
        ),
        # ---- behaviour: shocks and networking (M13, M14) ----------------
        _p(
            "initial_commitment",
            float,
            0.6,
            "Commitment of a founding member",
            unit="commitment",
            low=0.0,
            high=1.0,
            evidence=("000:203",),
            reason=_NOT_REPORTED,
        ),
        _p(
            "founding_commitment_spread",
            float,
            0.2,
            "Standard deviation of a founding member's commitment around its mean",
            unit="commitment",
            low=0.0,
            high=1.0,
            evidence=("004:122", "001:253"),
            reason=(
                "No report gives a figure. Some founders were written into the bid but took little part (004:122); "
                "at 0.2 about one founder in eight is on paper after the first month (willingness is half "
                "commitment, half trust). Partnerships formed later get the same spread."
            ),
        ),
        _p(
            "call_commitment_penalty",
            float,
            0.15,
            "Lower founding commitment when a funder's call requires partnership",
            unit="commitment",
            low=0.0,
            high=1.0,
            group="run",
            evidence=("004:122", "004:132"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "newcomer_commitment_hit",
            float,
            0.1,
            "Drop in a member's commitment when its representative is replaced (before handover)",
            unit="commitment",
            low=0.0,
            high=1.0,
            evidence=("004:470", "004:468", "002:399"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "quorum_share",
            float,
            0.5,
            "Share of the members, partners on paper included (and at least two), a meeting needs to count",
            unit="share",
            low=0.0,
            high=1.0,
            evidence=("003:1448",),
            reason="A simple majority, the usual rule for a steering group.",
        ),
        _p(
            "inactive_months",
            int,
            4,
            "Months in a row without a quorate meeting after which a partnership disbands (0 = never)",
            unit="months",
            low=0,
            high=60,
            evidence=("003:1448",),
            reason=(
                "No report gives a threshold. A steering group met three times, the last with two people, had "
                "none for 'two or three months' when interviewed and was being disbanded (003:1448); four months "
                "without a quorate meeting is a reading of that, not a figure the report gives."
            ),
        ),
        _p(
            "programme_dependence",
            float,
            0.15,
            "Commitment lost each unfunded month by a fully strategic partnership (times 1 - orientation)",
            unit="commitment",
            low=0.0,
            high=1.0,
            evidence=("000:106",),
            reason=_NOT_REPORTED,
        ),
        _p(
            "legacy_months",
            int,
            12,
            "Months a partnership must keep working after its funding ends to count as legacy",
            unit="months",
            low=1,
            high=120,
            evidence=("002:1009", "000:143"),
            reason="A year of unfunded working is a conservative test of sustainment.",
        ),
        _p(
            "recruitment_rate",
            float,
            0.1,
            "Monthly chance an open partnership admits a willing organisation",
            unit="per month",
            low=0.0,
            high=1.0,
            evidence=("002:374", "003:1258", "003:371"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "max_memberships",
            int,
            4,
            "Most partnerships one organisation will take part in",
            unit="partnerships",
            low=1,
            high=100,
            evidence=("003:428", "003:710"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "grant_amount",
            float,
            7.5,
            "Grant paid to a partnership each funded month, besides any coordinator post "
            "(counted in grants_paid; no rule of behaviour reads it)",
            unit="thousand pounds per month",
            low=0.0,
            high=10000.0,
            group="funder",
            evidence=("002:261-268", "004:49"),
            reason="With coordinator_cost, about 11k pounds a month: HCT paid about 460k pounds a site over "
            "39-42 months after a 50k development phase (002:261-268); ROSF paid 25m pounds to 36 "
            "organisations over five years, about 11.6k a month each (004:49). Money is a cost output "
            "only: the reports do not say how grant size changes what partnerships do.",
        ),
        _p(
            "coordinator_cost",
            float,
            3.5,
            "Cost of a coordinator post, paid with the grant in each funded month when the grant funds one "
            "(counted in grants_paid; no rule of behaviour reads it)",
            unit="thousand pounds per month",
            low=0.0,
            high=1000.0,
            group="funder",
            evidence=("002:364", "002:261-268"),
            reason="No report gives a salary: about 42k pounds a year, one full-time post with on-costs "
            "(chosen). HCT's grants paid for a dedicated coordinating post (002:364) within about 11k "
            "pounds a month (002:261-268).",
        ),
        _p(
            "capacity_statutory",
            float,
            10.0,
            "Mean hours a month a statutory body can give partnership work",
            unit="hours per month",
            low=0.0,
            high=160.0,
            group="system",
            evidence=("004:458",),
            reason="Statutory staff face 'a mountain of work' (004:458): the least spare time.",
        ),
        _p(
            "capacity_large_charity",
            float,
            20.0,
            "Mean hours a month a large charity can give partnership work",
            unit="hours per month",
            low=0.0,
            high=160.0,
            group="system",
            evidence=("001:223-224",),
            reason="Large charities deploy staff flexibly (001:223-224): the most spare time.",
        ),
        _p(
            "capacity_vcse",
            float,
            12.0,
            "Mean hours a month a small VCSE group can give partnership work",
            unit="hours per month",
            low=0.0,
            high=160.0,
            group="system",
            evidence=("003:254", "002:605"),
            reason="Small groups run on volunteers and short grants (003:254): between the two.",
        ),
        _p(
            "capacity_shape",
            float,
            4.0,
            "Gamma shape of capacity within a kind of organisation (higher: less spread)",
            unit="shape",
            low=0.1,
            high=100.0,
            group="system",
            reason="No report gives the spread; 4 gives a coefficient of variation of one half, so some "
            "organisations of each kind have twice the mean's time and some very little.",
        ),
        _p(
            "budget_statutory",
            float,
            500.0,
            "Median core budget of a statutory body",
            unit="thousand pounds per month",
            low=0.0,
            high=1e6,
            group="system",
            evidence=("003:614", "004:288"),
            reason="No report gives budgets; the order of a council or NHS service. Only the ratios "
            "matter (power uses each budget's share of the largest, on a log scale): 100 : 40 : 1.",
        ),
        _p(
            "budget_large_charity",
            float,
            200.0,
            "Median core budget of a large charity",
            unit="thousand pounds per month",
            low=0.0,
            high=1e6,
            group="system",
            evidence=("001:223",),
            reason="No report gives budgets; the order of a regional charity, below statutory bodies.",
        ),
        _p(
            "budget_vcse",
            float,
            5.0,
            "Median core budget of a small VCSE group",
            unit="thousand pounds per month",
            low=0.0,
            high=1e6,
            group="system",
            evidence=("003:254",),
            reason="No report gives budgets; a small group living on short grants (003:254).",
        ),
        _p(
            "budget_spread",
            float,
            0.5,
            "Spread of core budgets within a kind (sd of the log budget)",
            unit="log scale",
            low=0.0,
            high=3.0,
            group="system",
            reason="No report gives the spread; 0.5 keeps the kinds apart while organisations of one "
            "kind still differ by a factor of about two.",
        ),
        _p(
            "reserves_statutory",
            float,
            1.0,
            "Months of partnership time a statutory body can keep up from reserves in a budget shock",
            unit="months",
            low=0.0,
            high=60.0,
            group="system",
            evidence=("002:350",),
            reason="A statutory crisis limits statutory capacity to engage (002:350); no report gives reserves. One month: it keeps half of what the cut would take.",
        ),
        _p(
            "reserves_large_charity",
            float,
            6.0,
            "Months of partnership time a large charity can keep up from reserves in a budget shock",
            unit="months",
            low=0.0,
            high=60.0,
            group="system",
            evidence=("001:223",),
            reason="A large charity can make an upfront investment (001:223); no report gives reserves. Six months: it keeps six sevenths.",
        ),
        _p(
            "reserves_vcse",
            float,
            0.0,
            "Months of partnership time a small VCSE group can keep up from reserves in a budget shock",
            unit="months",
            low=0.0,
            high=60.0,
            group="system",
            evidence=("001:350",),
            reason="Voluntary organisations are particularly exposed to a statutory partner's resource crisis (001:350); no report gives reserves. None: the whole cut falls on their partnership time.",
        ),
        _p(
            "values_gap",
            float,
            0.42,
            "Distance between the mean mission position of statutory bodies and of small VCSE groups (large charities sit between)",
            unit="scale",
            low=0.0,
            high=0.9,
            group="system",
            evidence=("003:343",),
            reason="Partnerships tend to be dominated by statutory agendas that voluntary groups keep apart from (003:343); no report gives a distance. 0.42 puts the means at 0.29, 0.5 and 0.71.",
        ),
        _p(
            "values_concentration",
            float,
            7.0,
            "Concentration of mission positions within a kind (the a + b of its Beta distribution)",
            unit="shape",
            low=0.5,
            high=200.0,
            group="system",
            reason="No report gives a distribution; 7 gives a spread of about 0.16 within a kind.",
        ),
        _p(
            "power_budget_weight",
            float,
            0.5,
            "Weight of budget share in an organisation's power",
            unit="weight",
            low=0.0,
            high=1.0,
            group="behaviour",
            evidence=("000:106", "002:497"),
            reason="Money leads: the biggest funder sets the goals (000:106) and fear of losing funding "
            "deepens the imbalance (002:497); no figure given.",
        ),
        _p(
            "power_authority_weight",
            float,
            0.3,
            "Weight of statutory authority (gatekeeping) in power",
            unit="weight",
            low=0.0,
            high=1.0,
            group="behaviour",
            evidence=("004:288", "004:294"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "power_fund_weight",
            float,
            0.2,
            "Weight of holding a partnership's grant in power",
            unit="weight",
            low=0.0,
            high=1.0,
            group="behaviour",
            evidence=("002:705", "002:707"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "synergy_trust_weight",
            float,
            0.5,
            "Weight of trust in synergy (complementarity takes the rest)",
            unit="weight",
            low=0.0,
            high=1.0,
            group="behaviour",
            evidence=("000:151", "001:97"),
            reason="Trust is the element the reports stress most; half the weight.",
        ),
        _p(
            "voice_weight",
            float,
            0.3,
            "Weight of voice in a member's satisfaction",
            unit="weight",
            low=0.0,
            high=1.0,
            group="behaviour",
            evidence=("000:169", "002:497", "003:343"),
            reason="Voice leads because the reports stress power and voice most; no figure given.",
        ),
        _p(
            "reciprocity_weight",
            float,
            0.2,
            "Weight of reciprocity in a member's satisfaction",
            unit="weight",
            low=0.0,
            high=1.0,
            group="behaviour",
            evidence=("004:396", "004:252"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "silencing_factor",
            float,
            1.0,
            "How much harder each share of voice lost below an equal share bites",
            unit="multiplier",
            low=0.0,
            high=10.0,
            group="behaviour",
            evidence=("000:169", "002:497"),
            reason=(
                "No report gives a figure; 1: a member with half an equal share of voice has half its voice."
            ),
        ),
        _p(
            "commitment_rate",
            float,
            0.1,
            "Monthly step of commitment towards satisfaction minus costs",
            unit="share of the gap",
            low=0.0,
            high=1.0,
            group="behaviour",
            evidence=("000:203",),
            reason="Commitment is slower than satisfaction (a sense of duty, 000:203): about a ten-month memory.",
        ),
        _p(
            "effectiveness_reference",
            float,
            0.5,
            "Output per member, as a share of meeting_hours, that members see as middling success",
            unit="share of meeting_hours",
            low=0.01,
            high=10.0,
            evidence=("000:217",),
            reason="Members judge success by what the partnership delivers (000:217); no report gives "
            "a level, so half a full member's hours at middling synergy scores one half.",
        ),
        _p(
            "shock_severity",
            float,
            0.2,
            "Share of partnership time a statutory budget shock cuts, before reserves absorb part of it",
            unit="share",
            low=0.0,
            high=1.0,
            evidence=("002:350", "002:354"),
            reason=_NOT_REPORTED,
        ),
        _p(
            "capacity_recovery",
            float,
            0.05,
            "Monthly recovery of capacity towards its base",
            unit="share of the gap",
            low=0.0,
            high=1.0,
            evidence=("001:294",),
            reason=_NOT_REPORTED,
        ),
        _p(
            "networking_contacts",
            int,
            2,
            "New acquaintances each attendee makes at a networking event",
            unit="ties",
            low=0,
            high=50,
            evidence=("004:124",),
            reason=_NOT_REPORTED,
        ),
        _p(
            "local_network_size",
            int,
            60,
            "Organisations in one local system, the pool for prior ties",
            unit="organisations",
            low=2,
            high=100000,
            group="system",
            reason="Keeps the number of prior ties linear in the number of organisations; equals the default system.",
        ),
        _p(
            "formation_rate",
            float,
            1.0,
            "New partnerships a year when formation is on",
            unit="per year",
            low=0.0,
            high=100.0,
            group="run",
            evidence=("004:122",),
            reason=_NOT_REPORTED,
        ),
        _p(
            "funder_call_share",
            float,
            0.5,
            "Share of new partnerships formed by a funder's call rather than strong ties",
            unit="share",
            low=0.0,
            high=1.0,
            group="run",
            evidence=("004:122", "004:132"),
            reason=_NOT_REPORTED,
        ),
    ]
}

#: Seed of the run; not a model parameter but accepted everywhere one is.
RNG_NAME = "rng"


def parameter(name: str) -> Parameter:
    """The Parameter called ``name``, or a ParameterError with a suggestion."""
    try:
        return PARAMETERS[name]
    except KeyError:
        close = difflib.get_close_matches(name, [*PARAMETERS, RNG_NAME], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ParameterError(f"unknown parameter '{name}'{hint} (see `partnersim params`)", name) from None


def defaults() -> dict[str, Any]:
    """Every parameter at its default."""
    return {name: p.default for name, p in PARAMETERS.items()}


class _ParamsMapping(Mapping[str, Any]):
    """What a :data:`Params` is besides its fields: a read-only mapping of each parameter's name to its value."""

    __slots__ = ()

    def __getitem__(self, name: str) -> Any:
        if name not in PARAMETERS:
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(PARAMETERS)

    def __len__(self) -> int:
        return len(PARAMETERS)

    if TYPE_CHECKING:
        # the fields are generated from PARAMETERS at import: a type checker reads each as Any
        def __getattr__(self, name: str) -> Any: ...


def _params_class() -> type[_ParamsMapping]:
    # one typed field per parameter, in schema order: a parameter added to PARAMETERS is a field at once
    fields = [(name, par.kind) for name, par in PARAMETERS.items()]
    cls = make_dataclass(
        "Params", fields, bases=(_ParamsMapping,), frozen=True, slots=True, eq=False, module=__name__
    )
    cls.__doc__ = """A model's validated parameters, read-only: ``p.staff_turnover``.

    A frozen dataclass with one typed field per entry of :data:`PARAMETERS`,
    generated from it, and a read-only mapping of the same values
    (``p["staff_turnover"]``, ``dict(p)``), equal to a dict holding them.
    Build it from checked values: ``Params(**validate(params))``, as
    :class:`~partnersim.model.PartnershipModel` does (without the seed).
    """
    return cls


#: a model's validated parameters, read as attributes (see :func:`_params_class`)
Params = _params_class()


def check_seed(value: Any) -> int | None:
    """Validate a seed: ``None`` or a non-negative integer."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ParameterError(
            f"parameter 'rng' = {value!r} is not allowed: expected a non-negative integer or none",
            RNG_NAME,
            value,
        )
    if value < 0:
        raise ParameterError(
            f"parameter 'rng' = {value!r} is out of range: allowed a non-negative integer",
            RNG_NAME,
            value,
        )
    return int(value)


def validate(params: Mapping[str, Any] | None = None, *, fill: bool = True) -> dict[str, Any]:
    """Check ``params`` against the schema and return them typed.

    Unknown names, wrong types and out-of-range values raise one
    :class:`ParameterError` naming the parameter, the value and what is
    allowed. With ``fill`` the result holds every parameter, defaults for
    those not given. Cross-parameter rules (such as ``exit_threshold`` not
    above ``paper_threshold``) are checked too.
    """
    params = dict(params or {})
    out = defaults() if fill else {}
    for name, value in params.items():
        if name == RNG_NAME:
            out[RNG_NAME] = check_seed(value)
            continue
        out[name] = parameter(name).check(value)
    if fill:
        _check_relations(out)
    return out


#: the most organisations one local system may hold: set-up draws prior ties over every pair in a
#: local system (a k x k draw, about 18 bytes a pair: 450 MB at 5000), so memory stays bounded
MAX_LOCAL_SYSTEM = 5000

#: the most prior ties a region may expect: each takes about 100 bytes and 2 microseconds to set
#: up (1 GB and 20 s at ten million), far above any local system the reports describe
MAX_PRIOR_TIES = 10_000_000


def local_systems(n_orgs: int, local_network_size: int) -> list[int]:
    """The sizes of the local systems ``n_orgs`` organisations are dealt into (as the model deals them)."""
    n_systems = max(1, round(n_orgs / local_network_size))
    q, r = divmod(n_orgs, n_systems)
    return [q + 1] * r + [q] * (n_systems - r)


def _check_set_up_size(p: Mapping[str, Any], n_orgs: int) -> None:
    """Refuse a region whose prior ties would take memory quadratic in its size."""
    sizes = local_systems(n_orgs, p["local_network_size"])
    if sizes[0] > MAX_LOCAL_SYSTEM:
        raise ParameterError(
            f"parameter 'local_network_size' = {p['local_network_size']!r} is out of range for "
            f"{n_orgs} organisations: it makes a local system of {sizes[0]}, and at most "
            f"{MAX_LOCAL_SYSTEM} are allowed (prior ties are drawn over every pair in a local system); "
            "lower local_network_size",
            "local_network_size",
            p["local_network_size"],
        )
    ties = p["prior_tie_density"] * sum(k * (k - 1) / 2 for k in sizes)
    if ties > MAX_PRIOR_TIES:
        raise ParameterError(
            f"parameter 'prior_tie_density' = {p['prior_tie_density']!r} is out of range for local "
            f"systems of about {sizes[0]} organisations: it asks for about {ties:,.0f} prior ties, and at "
            f"most {MAX_PRIOR_TIES:,} are allowed; lower prior_tie_density or local_network_size",
            "prior_tie_density",
            p["prior_tie_density"],
        )


def _check_relations(p: Mapping[str, Any]) -> None:
    if p["exit_threshold"] > p["paper_threshold"]:
        raise ParameterError(
            f"parameter 'exit_threshold' = {p['exit_threshold']!r} is out of range: "
            f"allowed at most paper_threshold = {p['paper_threshold']!r}",
            "exit_threshold",
            p["exit_threshold"],
        )
    n_orgs = p["n_statutory"] + p["n_large_charity"] + p["n_small_vcse"]
    if p["partnership_size"] > n_orgs:
        raise ParameterError(
            f"parameter 'partnership_size' = {p['partnership_size']!r} is out of range: "
            f"allowed at most the number of organisations ({n_orgs})",
            "partnership_size",
            p["partnership_size"],
        )
    _check_set_up_size(p, n_orgs)


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def coerce(name: str, text: str) -> Any:
    """Turn the text of ``--set name=text`` into a checked value."""
    if name == RNG_NAME:
        if text.strip().lower() in {"none", ""}:
            return None
        try:
            return check_seed(int(text))
        except ValueError:
            raise ParameterError(
                f"parameter 'rng' = {text!r} is not allowed: expected a non-negative integer or none",
                name,
                text,
            ) from None
    p = parameter(name)
    raw = text.strip()
    value: Any
    if p.kind is bool:
        low = raw.lower()
        if low not in _TRUE | _FALSE:
            raise ParameterError(
                f"parameter '{name}' = {text!r} is not allowed: expected {p.allowed}", name, text
            )
        value = low in _TRUE
    elif p.kind is str:
        value = raw
    else:
        try:
            value = float(raw) if p.kind is float else _parse_int(raw)
        except ValueError:
            raise ParameterError(
                f"parameter '{name}' = {text!r} is not allowed: expected {p.allowed}", name, text
            ) from None
    return p.check(value)


def _parse_int(raw: str) -> int | float:
    try:
        return int(raw)
    except ValueError:
        return float(raw)  # "12.0" is fine; check() refuses 12.5


def names(group: str | None = None) -> list[str]:
    """Parameter names, optionally of one group."""
    return [n for n, p in PARAMETERS.items() if group is None or p.group == group]


def describe(params: Iterable[str] | None = None) -> str:
    """A plain-text table of parameters for ``partnersim params``."""
    rows = []
    for name in params or PARAMETERS:
        p = parameter(name)
        cite = ", ".join(p.evidence)
        rows.append(
            f"{name:34s} {p.default!s:>10s}  {p.allowed}\n{'':36s}{p.help}" + (f" [{cite}]" if cite else "")
        )
    return "\n".join(rows)

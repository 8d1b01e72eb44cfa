"""The partnership model: set-up, the monthly schedule and data collection.

``PartnershipModel`` is a :class:`mesa.Model`. One step is one month. The
stages run in a fixed order (funding, turnover, networking, meeting,
delivery, evaluation, dissolution, then optional formation). Meeting and
evaluation take partnerships in random order from the model's generator,
since they change organisations other partnerships read in the same stage;
the other stages run in creation order, where order cannot matter. All
randomness comes from the model's generators (``model.rng`` and
``model.random``, both seeded from ``rng``).

The full description, with equations and evidence, is ``docs/ODD.md``.
"""

from __future__ import annotations

import contextlib
import math
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np
import pandas as pd

from partnersim import mechanisms as mech
from partnersim._gc import paused
from partnersim.agents import (
    SECTOR_PAIR_KEY,
    SECTORS,
    LargeCharity,
    Organisation,
    Partnership,
    SmallVCSE,
    StatutoryBody,
)
from partnersim.outcomes import SUMMARY_NAMES
from partnersim.schema import Params, validate
from partnersim.stages import (
    delivery,
    dissolution,
    evaluation,
    formation,
    funding,
    meeting,
    networking,
    turnover,
)

__all__ = [
    "END_REPORTERS",
    "MODEL_REPORTERS",
    "SUMMARY_NAMES",
    "PartnershipModel",
    "release",
    "run_for_outputs",
    "run_model",
    "simulate",
]

#: Model reporters collected each month (name -> model attribute). ``trust_all`` is this
#: month's trust; the summary outcome ``mean_trust`` (:mod:`partnersim.outcomes`) is another thing.
MODEL_REPORTERS: dict[str, str] = {
    "active_partnerships": "active_partnerships",
    "trust_all": "trust_all",
    "trust_within": "trust_within",
    "trust_across": "trust_across",
    **{f"trust_{a}_{b}": f"trust_{a}_{b}" for i, a in enumerate(SECTORS) for b in SECTORS[i:]},
    # how many member pairs each sector pair's trust is a mean over (figures hide thin lines)
    **{f"pairs_{a}_{b}": f"pairs_{a}_{b}" for i, a in enumerate(SECTORS) for b in SECTORS[i:]},
    "voice_gini": "voice_gini",
    "vcse_share": "vcse_share",
    "active_members": "active_members",
    "paper_members": "paper_members",
    "mean_commitment": "mean_commitment",
    "vcse_satisfaction": "vcse_satisfaction",
    "vcse_exits": "vcse_exits",
    "output": "output",
    "staff_departures": "staff_departures",
    "scarcity": "scarcity",
}

#: End-of-run reporters (``summary_<outcome>`` -> outcome): the summary outcomes, for
#: ``mesa.batch_run``. They are NaN until the run has reached its horizon or stopped.
END_REPORTERS: dict[str, str] = {f"summary_{name}": name for name in SUMMARY_NAMES}

#: each sector pair's key in ``Partnership.trust_pairs`` and its model attributes (trust, pairs)
_PAIR_ATTRS = tuple(
    (SECTOR_PAIR_KEY[a, b], f"trust_{a}_{b}", f"pairs_{a}_{b}")
    for i, a in enumerate(SECTORS)
    for b in SECTORS[i:]
)

_KINDS = (("n_statutory", StatutoryBody), ("n_large_charity", LargeCharity), ("n_small_vcse", SmallVCSE))


class ReporterCollector(mesa.DataCollector):
    """A :class:`mesa.DataCollector` for reporters that are plain numeric attributes.

    Mesa deep-copies every reported value; the model's reporters are floats
    and ints, which cannot change after they are read, so the copy is
    skipped. Everything else (``model_vars``, the collection steps, the
    DataFrame methods, ``mesa.batch_run``) is Mesa's own.
    """

    def collect(self, model: mesa.Model) -> None:
        self._collection_steps.append(model.time)
        # this month's trust reporters in one read, and the summary once when the run has ended
        # (not one descriptor call each)
        known: dict[str, Any] = {}
        if isinstance(model, PartnershipModel):
            known = model._trust_reporters()
            if not (model.running and model.steps < model.p.horizon):
                known = {**known, **{f"summary_{k}": v for k, v in model.summary().items()}}
        for var, attr in self.model_reporters.items():
            self.model_vars[var].append(known[attr] if attr in known else getattr(model, attr))


class _TrustReporter:
    """A model attribute of this month's trust, aggregated from the partnerships when first read.

    The monthly series and the classroom app read these; a sweep that keeps
    only summaries never pays for them.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, model: PartnershipModel | None, owner: type | None = None) -> Any:
        if model is None:
            return self
        return model._trust_reporters()[self.name]


class _EndReporter:
    """A summary outcome as a model attribute: NaN while the run goes on, the outcome once it has ended.

    So ``mesa.batch_run`` (which reads the last collected month) returns the
    same numbers as :func:`simulate`, under ``summary_<outcome>``.
    """

    def __init__(self, outcome: str) -> None:
        self.outcome = outcome

    def __get__(self, model: PartnershipModel | None, owner: type | None = None) -> Any:
        if model is None:
            return self
        if model.running and model.steps < model.p.horizon:
            return float("nan")
        return model.summary()[self.outcome]


class PartnershipModel(mesa.Model):
    """Partnerships between statutory bodies, large charities and small VCSE groups.

    Args:
        **params: any parameter of :data:`partnersim.schema.PARAMETERS` (the
            rest take their defaults) and ``rng``, the seed. Unknown names,
            wrong types and out-of-range values raise
            :class:`~partnersim.schema.ParameterError`.
        collect: keep the monthly series in ``datacollector`` (default). Off,
            only the summary and the partnership table are kept, which makes
            sweeps leaner.
        observer: an optional observer (such as
            :class:`partnersim.observe.FactObserver`) told of the start, of
            each month's end and of a few events the summary does not keep
            (see :mod:`partnersim.observe`). It only reads state and draws no
            random numbers, so a run with an observer gives the same results
            as one without. ``None`` (default) costs nothing.

    Attributes:
        p: the validated parameters, a read-only :data:`~partnersim.schema.Params`
            (``p.staff_turnover``; also a mapping, ``p["staff_turnover"]``).
        datacollector: a :class:`mesa.DataCollector` with the monthly model
            reporters of :data:`MODEL_REPORTERS` and the end-of-run reporters of
            :data:`END_REPORTERS` (``summary_survival_rate``, ...: NaN until the
            run ends, then the summary outcomes; what ``mesa.batch_run`` returns).
        partnerships_created: every partnership, alive or dissolved, in
            order of creation.
        events: recent events in plain words (``(month, text)``).
    """

    #: this month's mean effective trust over every ordered pair of active members in live partnerships
    trust_all = _TrustReporter()
    #: the same within one sector, and across sectors
    trust_within = _TrustReporter()
    trust_across = _TrustReporter()
    #: the same by sector pair
    trust_statutory_statutory = _TrustReporter()
    trust_statutory_large_charity = _TrustReporter()
    trust_statutory_vcse = _TrustReporter()
    trust_large_charity_large_charity = _TrustReporter()
    trust_large_charity_vcse = _TrustReporter()
    trust_vcse_vcse = _TrustReporter()
    #: the number of member pairs (unordered) behind each sector pair's trust this month
    pairs_statutory_statutory = _TrustReporter()
    pairs_statutory_large_charity = _TrustReporter()
    pairs_statutory_vcse = _TrustReporter()
    pairs_large_charity_large_charity = _TrustReporter()
    pairs_large_charity_vcse = _TrustReporter()
    pairs_vcse_vcse = _TrustReporter()

    def __init__(self, *, collect: bool = True, observer: Any = None, **params: Any) -> None:
        given = validate(params)
        super().__init__(rng=given.pop("rng", None))
        self.p = p = Params(**given)
        self.partnerships_created: list[Partnership] = []
        self.events: deque[tuple[int, str]] = deque(maxlen=500)
        self.record_events = True
        #: who decides for organisations played by students (see :meth:`choice`); None = the model
        self.players: Callable[[Organisation, Partnership, str, Any], Any] | None = None
        self.staff_departures = 0
        self.exits: dict[str, int] = dict.fromkeys(SECTORS, 0)
        self.scarcity = p.base_scarcity
        self.base_hazard = mech.monthly_hazard(p.staff_turnover)
        self.recovering: set[Organisation] = set()
        # the funder's view of a typical record: every funded partnership-month so far (002:681)
        self.records_seen = 0
        self.record_total = 0.0
        self._trust: dict[str, float] = {}
        self._trust_month = -1
        self._engine = None  # the compiled engine while run() uses it (partnersim.fast)
        #: what the last ``run(watch=True)`` recorded month by month (see Watched)
        self.watched: Watched | None = None
        with paused():  # the agents and ties set-up creates are all kept
            self._setup_organisations()
            self._setup_prior_ties()
            self._setup_partnerships()
            # the founding refreshes built them; dropped before the collector first walks them
            for q in self.partnerships_created:
                q.forget_trust_layout()
        self.datacollector = ReporterCollector(
            model_reporters={**MODEL_REPORTERS, **{k: k for k in END_REPORTERS}}
        )
        # monthly collection is skipped when only the summary is wanted (sweeps): it is lean that way
        self.collect = collect
        self._live_months = 0
        self._vcse_share_sum = 0.0
        self._voice_gini_sum = 0.0
        self._tally()
        if collect:
            self.datacollector.collect(self)
        self.observer = observer
        if observer is not None:
            observer.start(self)

    # ------------------------------------------------------------ set-up

    def _setup_organisations(self) -> None:
        """Create organisations and split them into local systems.

        A region is a set of local systems of about ``local_network_size``
        organisations; prior ties and founding memberships stay inside a
        local system, which keeps set-up linear in the number of
        organisations.
        """
        p = self.p
        n_total = p.n_statutory + p.n_large_charity + p.n_small_vcse
        n_systems = max(1, round(n_total / p.local_network_size))
        self.organisations: list[Organisation] = []
        for key, cls in _KINDS:
            for _ in range(getattr(p, key)):
                self.organisations.append(cls(self))
        # deal each kind round-robin into local systems, so each has a mix
        self.systems: list[list[Organisation]] = [[] for _ in range(n_systems)]
        order = list(self.organisations)
        for i, org in enumerate(order):
            org.local_system = i % n_systems
            self.systems[org.local_system].append(org)
        self._by_id = {o.unique_id: o for o in self.organisations}
        self._names = _organisation_names(self.organisations, self.random)
        self.max_log_budget = max(math.log1p(o.budget) for o in self.organisations)
        for o in self.organisations:
            o.set_power(self.max_log_budget)

    def _setup_prior_ties(self) -> None:
        """Prior relationships: each pair in a local system knows each other with ``prior_tie_density`` (M10; 002:509-517)."""
        p = self.p
        density, trust = p.prior_tie_density, p.prior_trust
        if density <= 0:
            return
        for system in self.systems:
            k = len(system)
            draws = self.rng.random((k, k)) < density
            rows, cols = np.nonzero(np.triu(draws, 1))
            for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
                a, b = system[i], system[j]
                a.institutional[b.unique_id] = trust
                b.institutional[a.unique_id] = trust

    def _setup_partnerships(self) -> None:
        """Found ``n_partnerships`` partnerships, each led by a statutory body where one exists."""
        pools = [formation.Pool(self, system) for system in self.systems]
        for i in range(self.p.n_partnerships):
            members = formation.draw_members(self, pools[i % len(pools)], self.p.partnership_size)
            if len(members) >= 2:
                formation.found(self, members, route="initial")

    # ------------------------------------------------------------ schedule

    @property
    def partnerships(self) -> mesa.agent.AgentSet:
        """The partnerships still alive.

        A dissolved partnership leaves the model's agent set; its record
        stays in :attr:`partnerships_created`.
        """
        return self.agents_by_type[Partnership]

    def step(self) -> None:
        """One month: the stages of :mod:`partnersim.stages` in their fixed order.

        Meeting and evaluation change organisations that other partnerships
        read in the same stage (trust, memberships, power), so partnerships
        take them in random order. In the other stages no partnership reads
        what another changes in that stage, so they run in creation order.
        """
        if self._engine is not None:  # run() has run this month on the compiled engine
            if self.steps >= self.p.horizon:
                self.running = False
            return
        self.staff_departures = 0
        funding.environment(self)
        self._each(funding.fund)
        self._each(turnover.turnover)
        networking.networking(self)
        self._each(meeting.meet, shuffled=True)
        self._each(delivery.deliver)
        self._each(evaluation.evaluate, shuffled=True)
        self._each(dissolution.check_dissolution)
        if self.p.formation:
            formation.formation(self)
        self._observe()

    def _each(self, stage: Callable[[Partnership], None], *, shuffled: bool = False) -> None:
        """Call ``stage`` on every live partnership, in creation order or in random order.

        What ``self.partnerships.do(stage)`` and ``.shuffle_do(stage)`` do (the
        same order, the same shuffle by ``self.random``), without the agent
        set's weak references, which cost more than a small model's stages.
        A partnership dissolved earlier in the pass is passed over by the
        stage itself (each starts with ``if not q.alive``).
        """
        live = [q for q in self.partnerships_created if q.alive]
        if shuffled:
            self.random.shuffle(live)
        for q in live:
            stage(q)

    def _observe(self) -> None:
        """This month's reporters, running means and collection."""
        self._tally()
        if self.active_partnerships:
            self._live_months += 1
            self._vcse_share_sum += self.vcse_share
            self._voice_gini_sum += self.voice_gini
        if self.collect:
            self.datacollector.collect(self)
        if self.observer is not None:
            self.observer.month_end(self)
        if self.steps >= self.p.horizon:
            self.running = False

    # ------------------------------------------------------------ observation

    def _tally(self) -> None:
        """Aggregate the partnerships' cached statistics for the reporters and the summary."""
        alive = [q for q in self.partnerships_created if q.alive]
        self.active_partnerships = len(alive)
        members = vcse = paper = 0
        gini_sum = commit_sum = 0.0
        vcse_sat, n_vcse_sat = 0.0, 0
        output = 0.0
        for q in alive:
            active = len(q.members) - len(q.paper)
            members += active
            paper += len(q.paper)
            for m in q.members:
                if m.sector == "vcse":
                    uid = m.unique_id
                    vcse += uid not in q.paper
                    vcse_sat += q.satisfaction[uid]
                    n_vcse_sat += 1
            gini_sum += q.voice_gini
            commit_sum += q.mean_commitment
            output += q.output
        self.active_members = members
        self.paper_members = paper
        self.vcse_share = vcse / members if members else 0.0
        self.voice_gini = gini_sum / len(alive) if alive else 0.0
        self.mean_commitment = commit_sum / len(alive) if alive else 0.0
        self.output = output
        self.vcse_satisfaction = vcse_sat / n_vcse_sat if n_vcse_sat else float("nan")
        self.vcse_exits = self.exits["vcse"]

    def _trust_reporters(self) -> dict[str, float]:
        """This month's trust reporters (see :class:`_TrustReporter`), aggregated on first read."""
        if self._trust_month == self.steps:
            return self._trust
        sums: dict[tuple[str, str], list[float]] = {}
        total_t, n_t = 0.0, 0.0
        for q in self.partnerships_created:
            if not q.alive:
                continue
            for key, (s, n) in q.trust_pairs.items():
                acc = sums.setdefault(key, [0.0, 0.0])
                acc[0] += s
                acc[1] += n
                total_t += s
                n_t += n
        # undefined, not zero, when no partnership has two active members
        out = {"trust_all": total_t / n_t if n_t else float("nan")}
        out["trust_within"] = _ratio([v for k, v in sums.items() if k[0] == k[1]])
        out["trust_across"] = _ratio([v for k, v in sums.items() if k[0] != k[1]])
        for key, trust_attr, pairs_attr in _PAIR_ATTRS:
            acc = sums.get(key)
            out[trust_attr] = acc[0] / acc[1] if acc else float("nan")
            # ordered pairs are counted twice (a in b, b in a)
            out[pairs_attr] = int(acc[1] // 2) if acc else 0
        self._trust, self._trust_month = out, self.steps
        return out

    def choice(self, org: Organisation, partnership: Partnership, what: str, default: Any) -> Any:
        """What ``org`` does in ``partnership``: the model's own choice ``default``, unless a player decides.

        ``what`` is ``"attend"`` (bool), ``"hours"`` (share of the hours it can give),
        ``"status"`` (``"active"``, ``"paper"`` or ``"leave"``) or ``"renew"`` (bool, the
        fund holder at a grant's end). The classroom's shared run sets :attr:`players`;
        the model has drawn its random numbers before asking, so a run replays exactly.
        """
        return default if self.players is None else self.players(org, partnership, what, default)

    def force_incident(self, partnership: Partnership, a: Organisation, b: Organisation) -> None:
        """Force one bad interaction between members ``a`` and ``b`` of ``partnership`` now.

        An experiment's lever, not part of the schedule: the pair's trust
        moves exactly as after a negative interaction at a meeting
        (:func:`partnersim.stages.meeting.force_interaction`). It draws no
        random numbers, so a run with an incident is identical to one
        without until the incident.
        """
        meeting.force_interaction(partnership, a, b, positive=False)

    def typical_record(self) -> float:
        """The mean monthly record of every grant paid for so far (0.5 before any)."""
        return self.record_total / self.records_seen if self.records_seen else 0.5

    def log(self, text: str) -> None:
        """Record an event in plain words (kept for the classroom app)."""
        if self.record_events:
            self.events.append((self.steps, f"Month {self.steps}: {text}"))

    def organisation(self, unique_id: int) -> Organisation:
        """The organisation with this ``unique_id``."""
        return self._by_id[unique_id]

    def name_of(self, org: Organisation) -> str:
        """A readable, stable name for an organisation."""
        return self._names[org.unique_id]

    def partnership_table(self) -> pd.DataFrame:
        """One row per partnership: lifetime, censoring, cause, trust, output, the four elements."""
        rows = [q.record(self.steps) for q in self.partnerships_created]
        return pd.DataFrame(rows)

    def timeseries(self) -> pd.DataFrame:
        """The monthly model reporters as a DataFrame indexed by month (not the end-of-run reporters)."""
        if not self.collect:
            raise RuntimeError("this model was built with collect=False: no monthly series were kept")
        df = self.datacollector.get_model_vars_dataframe().drop(columns=list(END_REPORTERS))
        df.index.name = "month"
        return df

    def summary(self) -> dict[str, float]:
        """The summary scalars of :data:`SUMMARY_NAMES` (plain floats, never NaN)."""
        parts = self.partnerships_created
        n = len(parts)
        months = self._live_months  # months 1.. with at least one active partnership
        rows = [q.record(self.steps) for q in parts]
        return {
            "survival_rate": sum(q.alive for q in parts) / n if n else 0.0,
            "mean_lifetime": float(np.mean([r["lifetime"] for r in rows])) if n else 0.0,
            "legacy_rate": sum(r["survived_funding_end"] for r in rows) / n if n else 0.0,
            "mean_trust": float(np.mean([r["mean_trust"] for r in rows])) if n else 0.0,
            "mean_commitment": float(np.mean([r["mean_commitment"] for r in rows])) if n else 0.0,
            "vcse_share": self._vcse_share_sum / months if months else 0.0,
            "voice_gini": self._voice_gini_sum / months if months else 0.0,
            "total_output": float(sum(q.output_total for q in parts)),
            "total_grants_paid": float(sum(q.grants_paid for q in parts)),
        }

    def run(self, *, watch: bool = False) -> PartnershipModel:
        """Run to ``horizon`` (or until stopped) and return self.

        Where nothing reads the agents between months (see
        :func:`partnersim.fast.usable`), the months run on the compiled
        engine of :mod:`partnersim.fast`, with the same results.

        Args:
            watch: also record each partnership's state after every month
                (:class:`Watched`, in :attr:`watched`), on either engine: what
                calibration reads month by month, without reading the agents.
        """
        from partnersim import fast

        months = self.p.horizon - self.steps
        self._engine = fast.engine_for(self, watch=watch) if self.running and months > 0 else None
        if self._engine is not None:
            try:
                self._engine.run(months)
                # Mesa's clock: each step is then only the month's count (see step)
                while self.running and self.steps < self.p.horizon:
                    self.step()
            finally:
                engine, self._engine = self._engine, None
                engine.unpack()
            return self
        watched = Watched.start(self, months) if watch else None
        while self.running and self.steps < self.p.horizon:
            self.step()
            if watched is not None:
                watched.month_end(self)
        if watched is not None:
            self.watched = watched
        return self


@dataclass
class Watched:
    """What :meth:`PartnershipModel.run` records with ``watch=True``, after each month it runs.

    Attributes:
        partnerships: the partnerships alive when the run began, in creation order.
        months: the month each row follows.
        state: ``state[row, j, c]`` for ``partnerships[j]`` and column ``c``,
            one of :mod:`partnersim.fast.layout`'s ``W_*`` (alive, maturity,
            grant end, coordinator present, coordinator hours, coordinator
            budget); NaN while dissolved, except ``alive`` (0).
        active_partnerships, active_members: the model's reporters after each month.
    """

    partnerships: list[Partnership]
    months: np.ndarray
    state: np.ndarray
    active_partnerships: np.ndarray
    active_members: np.ndarray

    @classmethod
    def start(cls, model: PartnershipModel, months: int) -> Watched:
        """Empty rows for ``months`` months from the model's next one."""
        from partnersim.fast import layout as L

        live = [q for q in model.partnerships_created if q.alive]
        first, months = model.steps + 1, max(0, months)
        return cls(
            partnerships=live,
            months=np.arange(first, first + months),
            state=np.full((months, len(live), L.N_W), np.nan),
            active_partnerships=np.zeros(months),
            active_members=np.zeros(months),
        )

    def month_end(self, model: PartnershipModel) -> None:
        """Record the month just run (the Python stages; ``fast.kernels.watch`` is the engine's)."""
        from partnersim.fast import layout as L

        row = model.steps - int(self.months[0])
        now = model.steps
        for j, q in enumerate(self.partnerships):
            cell = self.state[row, j]
            if not q.alive:
                cell[L.W_ALIVE] = 0.0
                continue
            c = q.coordinator
            cell[:] = (1.0, q.maturity, q.grant_end, float(c.present(now)), c.hours, c.budget)
        self.active_partnerships[row] = model.active_partnerships
        self.active_members[row] = model.active_members


for _attr, _outcome in END_REPORTERS.items():
    setattr(PartnershipModel, _attr, _EndReporter(_outcome))

#: the schedule the compiled engine mirrors: a model whose step is another (a subclass, a test's
#: reference schedule) runs on its own step (see partnersim.fast.usable)
STEP = PartnershipModel.step


def _ratio(accs: list[list[float]]) -> float:
    s = sum(a[0] for a in accs)
    n = sum(a[1] for a in accs)
    return s / n if n else float("nan")


_FIRST = (
    "Riverside",
    "Hillside",
    "Northgate",
    "Eastfield",
    "Meadow",
    "Oakwood",
    "Bridge",
    "Harbour",
    "Valley",
    "Westbrook",
    "Southmead",
    "Kingsway",
    "Parkside",
    "Moorland",
    "Brookside",
    "Highfield",
)
_KIND_WORDS = {
    "statutory": (
        "Council Children's Services",
        "NHS Trust",
        "Police",
        "Primary School",
        "Health Visitors",
        "Youth Justice Team",
    ),
    "large_charity": ("Children's Charity", "Family Trust", "Youth Charity"),
    "vcse": (
        "Youth Project",
        "Family Hub",
        "Parents' Group",
        "Community Kitchen",
        "Play Association",
        "Mentoring Network",
    ),
}


def _organisation_names(orgs: list[Organisation], random: Any) -> dict[int, str]:
    """Stable readable names from fixed word lists; uses no randomness, so runs are unchanged."""
    names: dict[int, str] = {}
    used: dict[str, int] = {}
    for i, org in enumerate(orgs):
        words = _KIND_WORDS[org.sector]
        base = f"{_FIRST[(i * 7) % len(_FIRST)]} {words[(i * 5) % len(words)]}"
        used[base] = used.get(base, 0) + 1
        names[org.unique_id] = base if used[base] == 1 else f"{base} {used[base]}"
    return names


def simulate(**params: Any) -> dict[str, float]:
    """Run the model to ``horizon`` and return its summary scalars.

    A plain function from parameters to outcomes, for sweeps and for other
    experiment tools. Same ``rng``, same result.

    Returns:
        The summary outcomes of :data:`partnersim.outcomes.OUTCOMES` (each with
        its unit, meaning and direction there), as plain floats.
    """
    with run_for_outputs(params, collect=False) as model:
        return model.summary()


def run_model(params: Mapping[str, Any], *, collect: bool = True, observer: Any = None) -> PartnershipModel:
    """Build and run a model quietly (no event log); return it for inspection.

    With ``collect=False`` no monthly series are kept (``summary()`` and
    ``partnership_table()`` still work), which is what sweeps want.
    ``observer``: see :class:`PartnershipModel`.
    """
    model = PartnershipModel(collect=collect, observer=observer, **params)
    model.record_events = False
    return model.run()


@contextlib.contextmanager
def run_for_outputs(
    params: Mapping[str, Any], *, collect: bool = True, observer: Any = None
) -> Iterator[PartnershipModel]:
    """Run a model as :func:`run_model` does, for what the block reads from it; then :func:`release` it.

    For callers that keep a run's outputs (summary, tables, statistics) and
    not the model: the sweep runner, :func:`simulate`, the calibration and
    the fact runs. The garbage collector is paused from set-up to release,
    so no collection walks the model while it is alive, and releasing it
    frees it by reference counting alone: a run then does no cyclic
    collection at all, which took about a tenth of a default run's time.
    """
    with paused():
        model = run_model(params, collect=collect, observer=observer)
        try:
            yield model
        finally:
            release(model)


def release(model: PartnershipModel) -> None:
    """Empty a model and its agents, so that reference counting frees them at once.

    The model and its agents refer to one another (each agent's ``model``,
    the model's agent sets, partnerships' members and organisations'
    memberships), so a dropped model is garbage only the cyclic collector
    can find, and each collection walks all of it and whatever else is
    alive. Clearing their attributes breaks every such cycle. The model
    cannot be used afterwards.
    """
    # dissolved partnerships have left the agent sets; partnerships_created still holds them
    for agent in {
        id(a): a for a in [*model.organisations, *model.partnerships_created, *model.agents]
    }.values():
        vars(agent).clear()
    vars(model).clear()

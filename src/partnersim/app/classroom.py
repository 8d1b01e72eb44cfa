"""The model as the classroom app runs it, and everything the app draws each month.

:class:`ClassroomModel` is :class:`~partnersim.model.PartnershipModel` with
a few classroom comforts:

- slider combinations the schema refuses together (a partnership bigger than
  the whole system) are repaired with a note in the event log instead of an error;
- it carries the network layout, so a Reset (which builds a new model) also
  starts a new layout;
- it keeps every event of the run (the plain model keeps the last 500);
- one lock guards a month: :meth:`ClassroomModel.advance` steps under it and
  :func:`render_frame` draws under it, so the page never draws a half-stepped
  model, whichever thread plays it;
- :meth:`ClassroomModel.advance` never goes past the horizon.

Its runs are the same as the plain model's: it draws no random numbers of its own.

:func:`render_frame` is all the app computes per month; the benchmark times
it together with ``advance``.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import takewhile
from typing import Any

from partnersim.app.charts import CHARTS, chart_svg
from partnersim.app.events import CAUSE_WORDS, month_sentences
from partnersim.app.network import NetworkLayout, network_svg
from partnersim.model import PartnershipModel
from partnersim.schema import defaults, validate

__all__ = [
    "LOG_MONTHS",
    "ClassroomModel",
    "Frame",
    "Monitor",
    "OrganisationState",
    "SummaryRow",
    "monitors",
    "organisation_state",
    "render_frame",
    "repair_parameters",
    "run_summary",
    "trust_in_partners",
]

#: Months of events the log shows (newest first).
LOG_MONTHS = 60


def repair_parameters(params: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Make slider settings that are valid one by one also valid together.

    Returns the repaired parameters and a plain-words note for each change.
    A partnership needs two organisations, and cannot be larger than the system.
    """
    p = dict(params)
    notes = []
    counts = ("n_statutory", "n_large_charity", "n_small_vcse")
    if all(k in p for k in counts):
        n_orgs = sum(p[k] for k in counts)
        if n_orgs < 2:
            p["n_small_vcse"] += 2 - n_orgs
            notes.append("a partnership needs two organisations, so a small VCSE group was added")
            n_orgs = 2
        if p.get("partnership_size", 0) > n_orgs:
            notes.append(
                f"partnerships start with {n_orgs} members, as there are only {n_orgs} organisations"
            )
            p["partnership_size"] = n_orgs
    return p, notes


class ClassroomModel(PartnershipModel):
    """The partnership model with classroom repairs, a network layout and a lock (see the module docstring)."""

    def __init__(self, *, rng: int | None = None, scenario: Any = None, **params: Any) -> None:
        # Mesa's own Reset passes an empty default `scenario`; the parameters come as keywords
        del scenario
        # single values are still refused as usual; only combinations are repaired
        full = {**defaults(), **validate({**params, "rng": rng}, fill=False)}
        repaired, notes = repair_parameters(full)
        super().__init__(**repaired)
        self.seed = rng
        # the plain model keeps its last 500 events, which a large classroom system fills
        # in a few years; the app keeps the whole run (a few thousand lines at most)
        self.events = deque(self.events)
        for note in notes:
            self.log(note)
        self.layout = NetworkLayout()
        self.retired = False
        # a month is stepped and drawn under this lock (RLock: advance may be called while drawing)
        self.lock = threading.RLock()

    @property
    def finished(self) -> bool:
        """Whether the run has reached its horizon (or was stopped)."""
        return not self.running or self.steps >= self.p.horizon

    def retire(self) -> None:
        """Stop this model for good: the app has replaced it (a Play loop may still hold it)."""
        with self.lock:
            self.retired = True
            self.running = False

    def advance(self) -> bool:
        """Step one month unless the run is finished or retired; whether it stepped.

        Mesa counts a step before it runs the model's schedule, so the horizon is
        checked here, before stepping, never after.
        """
        with self.lock:
            if self.retired or self.finished:
                self.running = False
                return False
            self.step()
            return True


@dataclass(frozen=True)
class Monitor:
    """One live number on the page (NetLogo's monitors)."""

    key: str
    label: str
    value: str


@dataclass(frozen=True)
class SummaryRow:
    """One partnership in the end-of-run "what happened" panel."""

    partnership: int
    started_at: int
    lifetime: int
    ended: str  # how it ended, in words ("still running at the end" if it did not)


@dataclass(frozen=True)
class Frame:
    """What the app shows for one month."""

    month: int
    horizon: int
    finished: bool
    status: str
    network: str
    charts: dict[str, str]
    log: list[str]
    events_so_far: int
    monitors: list[Monitor] = field(default_factory=list)
    summary: list[SummaryRow] = field(default_factory=list)


def _percent(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{100 * x:.0f}%"


def monitors(model: PartnershipModel) -> list[Monitor]:
    """The live numbers: partnerships alive, mean trust between partners, VCSE share of membership."""
    alive = sum(q.alive for q in model.partnerships_created)
    trust = model.trust_all
    return [
        Monitor("alive", "Partnerships alive", f"{alive} of {len(model.partnerships_created)}"),
        Monitor("trust", "Mean trust between partners", "–" if not math.isfinite(trust) else f"{trust:.2f}"),
        Monitor("vcse", "VCSE share of active membership", _percent(model.vcse_share)),
    ]


def run_summary(model: PartnershipModel) -> list[SummaryRow]:
    """Every partnership, its lifetime and why it ended, from the partnership table."""
    table = model.partnership_table()
    rows = []
    for r in table.itertuples(index=False):
        if r.censored:
            ended = "still running at the end"
        else:
            cause = CAUSE_WORDS.get(str(r.cause), str(r.cause).replace("_", " "))
            ended = f"ended in month {int(r.dissolved_at)}: {cause}"
        rows.append(SummaryRow(int(r.partnership), int(r.started_at), int(r.lifetime), ended))
    return rows


@dataclass(frozen=True)
class OrganisationState:
    """What a class sees when it clicks an organisation."""

    name: str
    kind: str
    capacity: float
    base_capacity: float
    partnerships: list[tuple[int, str, float, float]]  # (number, status, commitment, mean trust in partners)


def trust_in_partners(partnership: Any, org: Any) -> float:
    """How far ``org`` trusts the other members of ``partnership``, on average (NaN if alone)."""
    others = [m for m in partnership.members if m is not org]
    return sum(partnership.trust(org, m) for m in others) / len(others) if others else math.nan


def organisation_state(model: PartnershipModel, unique_id: int) -> OrganisationState:
    """The state of one organisation: capacity, and for each live partnership its commitment and trust."""
    from partnersim.app.network import KIND_STYLE

    with getattr(model, "lock", threading.RLock()):
        org = model.organisation(unique_id)
        parts = []
        for q in org.memberships:
            if not q.alive:
                continue
            status = "on paper" if org.unique_id in q.paper else "active"
            parts.append(
                (q.number, status, q.commitment.get(org.unique_id, math.nan), trust_in_partners(q, org))
            )
        return OrganisationState(
            name=model.name_of(org),
            kind=KIND_STYLE[org.sector]["label"],
            capacity=org.capacity,
            base_capacity=org.base_capacity,
            partnerships=parts,
        )


def render_frame(
    model: ClassroomModel, previous: Mapping[str, list[float]] | None = None, text_scale: float = 1.0
) -> Frame:
    """Everything the app draws for ``model``'s current month.

    ``previous`` holds the monthly series of the run before the last Reset,
    drawn as faint "ghost" lines so a class can compare; ``text_scale``
    enlarges the network view's words (projector mode).
    """
    with model.lock:
        alive = sum(q.alive for q in model.partnerships_created)
        horizon = model.p.horizon
        finished = model.finished
        status = f"Month {model.steps} of {horizon} · {alive} partnerships active"
        if finished:
            status = f"Finished: month {model.steps} of {horizon} · {alive} partnerships active"
        first = model.steps - LOG_MONTHS + 1
        # events come in month order: read back from the newest
        recent = list(takewhile(lambda e: e[0] >= first, reversed(model.events)))[::-1]
        log = month_sentences(recent)
        if model.events and model.events[0][0] < first:
            log.append(
                f"(Older months are not shown: the log shows the last {LOG_MONTHS} months, from month {first}.)"
            )
        return Frame(
            month=model.steps,
            horizon=horizon,
            finished=finished,
            status=status,
            network=network_svg(model, model.layout, text_scale),
            charts={chart.key: chart_svg(chart, model, previous) for chart in CHARTS},
            log=log,
            events_so_far=len(model.events),
            monitors=monitors(model),
            summary=run_summary(model) if finished else [],
        )

"""The model as the classroom app runs it, and everything the app draws each month.

:class:`ClassroomModel` is :class:`~partnersim.model.PartnershipModel` with
two classroom comforts: slider combinations the schema refuses together
(a partnership bigger than the whole system) are repaired with a note in the
event log instead of an error, and it carries the network layout, so Mesa's
Reset (which builds a new model) also starts a new layout. It also keeps
every event of the run (the plain model keeps the last 500). Its runs are the
same as the plain model's: it draws no random numbers of its own.

:func:`render_frame` is all the app computes per month; the benchmark times
it together with ``step``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import takewhile
from typing import Any

from partnersim.app.charts import CHARTS, chart_svg
from partnersim.app.events import month_sentences
from partnersim.app.network import NetworkLayout, network_svg
from partnersim.model import PartnershipModel
from partnersim.schema import defaults, validate

__all__ = ["LOG_MONTHS", "ClassroomModel", "Frame", "render_frame", "repair_parameters"]

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
    """The partnership model with classroom repairs and a network layout (see the module docstring)."""

    def __init__(self, *, rng: int | None = None, scenario: Any = None, **params: Any) -> None:
        # Mesa's Reset passes an empty default `scenario`; the parameters come as keywords.
        # `rng` is named here so that Reset passes the seed slider to us, not to that scenario.
        del scenario
        # single values are still refused as usual; only combinations are repaired
        full = {**defaults(), **validate({**params, "rng": rng}, fill=False)}
        repaired, notes = repair_parameters(full)
        super().__init__(**repaired)
        # the plain model keeps its last 500 events, which a large classroom system fills
        # in a few years; the app keeps the whole run (a few thousand lines at most)
        self.events = deque(self.events)
        for note in notes:
            self.log(note)
        self.layout = NetworkLayout()
        self.retired = False

    def retire(self) -> None:
        """Stop this model for good: the app has replaced it (a Play loop may still hold it)."""
        self.retired = True
        self.running = False

    def step(self) -> None:
        """One month, unless the model was retired."""
        if self.retired:
            self.running = False
            return
        super().step()


@dataclass(frozen=True)
class Frame:
    """What the app shows for one month."""

    month: int
    status: str
    network: str
    charts: dict[str, str]
    log: list[str]


def render_frame(model: ClassroomModel) -> Frame:
    """Everything the app draws for ``model``'s current month."""
    alive = sum(q.alive for q in model.partnerships_created)
    status = f"Month {model.steps} of {model.p['horizon']} · {alive} partnerships active"
    if not model.running:
        status += " · finished (press Reset to run again)"
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
        status=status,
        network=network_svg(model, model.layout),
        charts={chart.key: chart_svg(chart, model) for chart in CHARTS},
        log=log,
    )

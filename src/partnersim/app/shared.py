"""The shared run of participatory mode: students each play one organisation.

``partnersim app --classroom`` runs one :class:`SharedRun` for the whole class
(HubNet for partnerships). The teacher's page shows the network, who has
decided and a step control; each student joins from their own browser with
the run's join code and takes one organisation. Each month a student chooses,
for each partnership their organisation is in, what the model otherwise
decides for it:

- ``attend``: attend the meeting or skip it;
- ``hours``: the share of the hours it can give (none, half, all);
- ``status``: stay active, go on paper, or leave;
- ``renew``: for the organisation that holds a grant, whether to renew it when it ends.

A choice a student leaves open is the model's (and so is every choice of an
absent student, when the teacher lets the model play for them). The same
rules hold for everyone: a student's choice replaces the model's at the
point where the model would decide (:meth:`partnersim.model.PartnershipModel.choice`),
after the model has drawn its random numbers. So the run records every
student decision and :meth:`SharedRun.replay` rebuilds it exactly.

Students see only what their organisation would know
(:meth:`SharedRun.organisation_view`): its own capacity and, for each of its
partnerships, the grant, the coordinator, whether it met, its own commitment
and its trust in its partners, and the log lines about those partnerships.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from partnersim.app.classroom import ClassroomModel, trust_in_partners
from partnersim.app.events import month_sentences, parse_event

__all__ = ["CHOICES", "Decision", "JoinError", "SharedRun", "Student", "replay_recording"]

#: What a student may choose, and the allowed values.
CHOICES: dict[str, tuple[Any, ...]] = {
    "attend": (True, False),
    "hours": (0.0, 0.5, 1.0),
    "status": ("active", "paper", "leave"),
    "renew": (True, False),
}

#: Letters of a join code: no I or O, which read as 1 and 0 on a projector.
_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


class JoinError(ValueError):
    """A student could not join (wrong code, no organisation left)."""


@dataclass(frozen=True)
class Decision:
    """One student decision the run used: month, organisation, partnership, what and the value."""

    month: int
    org: int
    partnership: int
    what: str
    value: Any


@dataclass
class Student:
    """A student in the shared run, playing one organisation."""

    key: str
    name: str
    org: int
    decided_month: int = -1  # the month (about to be stepped) the student last decided for


@dataclass
class SharedRun:
    """One run shared by a class: the model, the students and every decision they made."""

    params: dict[str, Any]
    join_code: str = field(default_factory=lambda: "".join(secrets.choice(_CODE_LETTERS) for _ in range(4)))
    model_plays_absent: bool = True

    def __post_init__(self) -> None:
        self.model = ClassroomModel(**self.params)
        self.model.players = self._player
        self.lock = threading.RLock()
        self.students: dict[str, Student] = {}
        self.pending: dict[int, dict[tuple[int, str], Any]] = {}
        self.record: list[Decision] = []
        #: bumped on every change, so each page knows when to redraw
        self.version = 0

    # ---------------------------------------------------------------- students

    def join(self, code: str, name: str) -> Student:
        """Join with the run's code; the student gets the next free organisation.

        Organisations in a live partnership go first (statutory bodies first: they
        hold grants, so a student decides renewals), then the others, which may
        be recruited into a partnership later.
        """
        with self.lock:
            if code.strip().upper() != self.join_code:
                raise JoinError("That join code is not this class's code: check the teacher's screen.")
            name = name.strip() or "student"
            taken = {s.org for s in self.students.values()}
            free = [o for o in self.model.organisations if o.unique_id not in taken]
            if not free:
                raise JoinError("Every organisation already has a player.")
            free.sort(
                key=lambda o: (not any(q.alive for q in o.memberships), o.sector != "statutory", o.unique_id)
            )
            student = Student(key=secrets.token_urlsafe(8), name=name, org=free[0].unique_id)
            self.students[student.key] = student
            self.version += 1
            return student

    def decide(self, student_key: str, choices: Mapping[tuple[int, str], Any]) -> None:
        """A student's choices for this month: ``(partnership number, what) -> value``."""
        with self.lock:
            student = self.students[student_key]
            org = self.model.organisation(student.org)
            mine = {q.number for q in org.memberships if q.alive}
            clean = {}
            for (number, what), value in choices.items():
                if number not in mine:
                    raise ValueError(f"partnership {number} is not one of {student.name}'s partnerships")
                if what not in CHOICES or value not in CHOICES[what]:
                    raise ValueError(f"'{what}' must be one of {CHOICES.get(what)}, not {value!r}")
                clean[(number, what)] = value
            self.pending[student.org] = clean
            student.decided_month = self.model.steps + 1
            self.version += 1

    def decided(self) -> dict[str, bool]:
        """Which students have decided for the coming month."""
        return {k: s.decided_month == self.model.steps + 1 for k, s in self.students.items()}

    # ---------------------------------------------------------------- the run

    def _player(self, org: Any, partnership: Any, what: str, default: Any) -> Any:
        choice = self.pending.get(org.unique_id, {}).get((partnership.number, what))
        if choice is None:
            return default
        self.record.append(Decision(self.model.steps, org.unique_id, partnership.number, what, choice))
        return choice

    def advance(self) -> bool:
        """Step one month with the students' choices (the model's for anything left open)."""
        with self.lock:
            if not self.model_plays_absent and not all(self.decided().values()):
                return False
            stepped = self.model.advance()
            self.pending.clear()
            self.version += 1
            return stepped

    def recording(self) -> dict[str, Any]:
        """The run as data (JSON-ready): its parameters, its months and every student decision it used."""
        with self.lock:
            return {
                "parameters": dict(self.params),
                "months": self.model.steps,
                "decisions": [d.__dict__ for d in self.record],
            }

    def replay(self) -> ClassroomModel:
        """The run rebuilt from its parameters and recorded decisions, to the same month."""
        return replay_recording(self.recording())

    def replay_matches(self) -> bool:
        """Whether the replay gives the same events and monthly series as the run."""
        again = self.replay()
        with self.lock:
            return list(again.events) == list(self.model.events) and again.timeseries().equals(
                self.model.timeseries()
            )

    # ---------------------------------------------------------------- what a student sees

    def organisation_view(self, org_id: int, log_months: int = 6) -> dict[str, Any]:
        """What one organisation knows: its own state, its partnerships and the log lines about them."""
        with self.lock:
            model = self.model
            org = model.organisation(org_id)
            parts = []
            for q in org.memberships:
                if not q.alive:
                    continue
                parts.append(
                    {
                        "number": q.number,
                        "members": len(q.members),
                        "funded": q.funded,
                        "months_of_grant_left": max(0, q.grant_end - model.steps) if q.funded else 0,
                        "holds_grant": q.fund_holder is org,
                        "coordinator": q.coordinator_present,
                        "met_last_month": q.met,
                        "status": "on paper" if org.unique_id in q.paper else "active",
                        "commitment": q.commitment.get(org_id, math.nan),
                        "trust_in_partners": trust_in_partners(q, org),
                    }
                )
            numbers = {p["number"] for p in parts} | {
                q.number for q in model.partnerships_created if org in q.members
            }
            first = model.steps - log_months + 1
            name = model.name_of(org)
            mine = []
            for m, t in model.events:
                if m >= first:
                    e = parse_event(m, t)
                    if e.partnership in numbers or e.org == name:
                        mine.append((m, t))
            return {
                "month": model.steps,
                "horizon": model.p.horizon,
                "name": name,
                "sector": org.sector,
                "capacity": org.capacity,
                "base_capacity": org.base_capacity,
                "partnerships": parts,
                "log": month_sentences(mine),
                "finished": model.finished,
            }


def replay_recording(recording: Mapping[str, Any]) -> ClassroomModel:
    """A shared run rebuilt from :meth:`SharedRun.recording` (for example a downloaded JSON file).

    The model's own choices are drawn as in the run, and each recorded student
    decision replaces the model's at the same month, organisation and partnership.
    """
    decisions = {
        (d["month"], d["org"], d["partnership"], d["what"]): d["value"] for d in recording["decisions"]
    }
    again = ClassroomModel(**recording["parameters"])

    def replayer(org: Any, partnership: Any, what: str, default: Any) -> Any:
        return decisions.get((again.steps, org.unique_id, partnership.number, what), default)

    again.players = replayer
    for _ in range(recording["months"]):
        again.advance()
    return again

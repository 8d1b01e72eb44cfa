"""Participatory mode's pages: the teacher's view and the students' views of one shared run.

``partnersim app --classroom`` serves this module. Everyone opens the same
address; the teacher's address adds ``?teacher=KEY`` (the command prints
it), which students do not know. The run is :data:`RUN`, one
:class:`~partnersim.app.shared.SharedRun` for the server; every page polls
its version twice a second and redraws when it changes.

- **Teacher**: the join code in large letters, the network, who has decided,
  *Next month* (the model decides for anyone who has not, unless the teacher
  says to wait for everyone), and *Check the replay*, which rebuilds the run
  from its recorded decisions and says whether it is identical.
- **Student**: a join form (code and name), then their organisation: what it
  knows, and the month's choices for each of its partnerships.
"""

from __future__ import annotations

import html
import json
import math
import os
import secrets
import threading
from typing import Any

import solara
import solara.server.settings

from partnersim.app.network import network_svg
from partnersim.app.shared import JoinError, SharedRun
from partnersim.lessons import DEFAULT_LESSON, LESSONS

__all__ = ["RUN", "TEACHER_KEY", "Page"]

#: The teacher's key: set by ``partnersim app --classroom``, or made here.
TEACHER_KEY = os.environ.get("PARTNERSIM_TEACHER_KEY") or secrets.token_urlsafe(9)
#: The lesson whose settings the shared run uses.
LESSON = os.environ.get("PARTNERSIM_CLASSROOM_LESSON", DEFAULT_LESSON)
#: The class's one shared run.
RUN = SharedRun(dict(LESSONS[LESSON].parameters()))
#: Seconds between two looks at the shared run.
POLL_SECONDS = 0.5

solara.server.settings.theme.show_banner = False
solara.server.settings.theme.title = "partnersim classroom: shared run"

_CSS = """
.pc-root { font-size: 16px; color: #1a1a1a; background: #fff; min-height: 100vh; padding: 12px; }
.pc-root h1 { font-size: 22px; margin: 0 0 8px 0; }
.pc-root h2 { font-size: 18px; margin: 12px 0 6px 0; }
.pc-code { font-size: 40px; font-weight: 700; letter-spacing: 6px; }
.pc-grid { display: grid; grid-template-columns: minmax(0, 1.4fr) minmax(0, 1fr); gap: 12px; }
.pc-root table { border-collapse: collapse; width: 100%; }
.pc-root td, .pc-root th { border-bottom: 1px solid #e3e3e3; padding: 3px 8px; text-align: left; }
.pc-part { border: 1px solid #ccc; border-radius: 6px; padding: 8px; margin-bottom: 8px; }
.pc-log p { margin: 0 0 4px 0; }
.pc-choice-row { display: flex; align-items: center; gap: 8px; margin: 4px 0; flex-wrap: wrap; }
.pc-choice-label { min-width: 230px; }
"""


def _use_version() -> int:
    """The shared run's version, redrawing this page whenever it changes."""
    seen = solara.use_reactive(RUN.version)

    def poll(cancel: threading.Event) -> None:
        while not cancel.wait(POLL_SECONDS):
            if RUN.version != seen.value:
                seen.value = RUN.version

    solara.use_thread(poll, dependencies=[], intrusive_cancel=False)
    return seen.value


@solara.component
def TeacherView() -> None:
    """The network, who has decided, the step control and the replay check."""
    _use_version()
    replay = solara.use_reactive("")
    with RUN.lock:
        model = RUN.model
        month, horizon = model.steps, model.p.horizon
        svg = network_svg(model, model.layout)
        decided = RUN.decided()
        rows = "".join(
            f"<tr><td>{html.escape(s.name)}</td><td>{html.escape(model.name_of(model.organisation(s.org)))}"
            f"</td><td>{'decided' if decided[k] else 'not yet'}</td></tr>"
            for k, s in RUN.students.items()
        )
        n_decided, n_students = sum(decided.values()), len(RUN.students)

    def step() -> None:
        RUN.advance()
        replay.set("")

    def check() -> None:
        same = RUN.replay_matches()
        replay.set(
            f"Replay of {len(RUN.record)} decisions over {RUN.model.steps} months: "
            + ("identical to the run." if same else "DIFFERENT from the run.")
        )

    solara.HTML(tag="h1", unsafe_innerHTML="Shared run: teacher's view")
    with solara.Div(classes=["pc-grid"]):
        with solara.Column():
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"Month {month} of {horizon} · {n_decided} of {n_students} students decided",
                classes=["pc-status"],
            )
            solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["pc-network"])
        with solara.Column():
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f'Join code: <span class="pc-code">{RUN.join_code}</span>',
                classes=["pc-join"],
            )
            with solara.Row():
                solara.Button(
                    "Next month",
                    color="primary",
                    on_click=step,
                    disabled=model.finished,
                    attributes={"aria-label": "Next month"},
                )
                solara.Button(
                    "Check the replay", on_click=check, attributes={"aria-label": "Check the replay"}
                )
            solara.Checkbox(
                label="The model decides for students who have not decided",
                value=RUN.model_plays_absent,
                on_value=lambda v: setattr(RUN, "model_plays_absent", bool(v)),
            )
            if replay.value:
                solara.HTML(tag="p", unsafe_innerHTML=html.escape(replay.value), classes=["pc-replay"])
            solara.HTML(
                tag="table",
                unsafe_innerHTML=f"<thead><tr><th>Student</th><th>Organisation</th><th>This month</th></tr>"
                f"</thead><tbody>{rows}</tbody>",
                classes=["pc-students"],
            )
            solara.FileDownload(
                lambda: json.dumps(RUN.recording(), indent=1),
                filename="partnersim-shared-run.json",
                label="Download the recorded run (JSON)",
                mime_type="application/json",
            )


_WORDS = {
    "attend": ("Attend the meeting", {True: "attend", False: "skip"}),
    "hours": ("Hours to give", {0.0: "none", 0.5: "half of what we can", 1.0: "all we can"}),
    "status": ("Membership", {"active": "stay active", "paper": "go on paper", "leave": "leave"}),
    "renew": ("Renew the grant when it ends", {True: "renew", False: "let it end"}),
}


def _fmt(x: float) -> str:
    return "–" if not math.isfinite(x) else f"{x:.2f}"


@solara.component
def StudentView(student_key: str) -> None:
    """One organisation: what it knows and this month's choices."""
    _use_version()
    student = RUN.students[student_key]
    view = RUN.organisation_view(student.org)
    decided = RUN.decided().get(student_key, False)
    choices = solara.use_reactive({})
    seen_month = solara.use_reactive(view["month"])
    if seen_month.value != view["month"]:
        seen_month.set(view["month"])
        choices.set({})

    def choose(number: int, what: str, label: str) -> None:
        value = next(v for v, words in _WORDS[what][1].items() if words == label)
        choices.set({**choices.value, (number, what): value})

    solara.HTML(tag="h1", unsafe_innerHTML=f"You are {html.escape(view['name'])}")
    solara.HTML(
        tag="p",
        unsafe_innerHTML=f"Month {view['month']} of {view['horizon']} · capacity {view['capacity']:.0f} of "
        f"{view['base_capacity']:.0f} hours a month for partnership work",
        classes=["pc-me"],
    )
    if view["finished"]:
        solara.HTML(tag="p", unsafe_innerHTML="The run has ended. Thank you for playing.")
        return
    if not view["partnerships"]:
        solara.HTML(
            tag="p", unsafe_innerHTML="Your organisation is in no partnership now: nothing to decide."
        )
    for part in view["partnerships"]:
        n = part["number"]
        grant = (f"grant: {part['months_of_grant_left']} months left" if part["funded"] else "no grant") + (
            " (you hold it)" if part["holds_grant"] else ""
        )
        facts = (
            f"{part['members']} members · {grant} · coordinator {'in post' if part['coordinator'] else 'absent'} · "
            f"{'met' if part['met_last_month'] else 'did not meet'} last month · you are {part['status']} · "
            f"your commitment {_fmt(part['commitment'])} · your trust in partners {_fmt(part['trust_in_partners'])}"
        )
        with solara.Div(classes=["pc-part", f"pc-part-{n}"]):
            solara.HTML(tag="h2", unsafe_innerHTML=f"Partnership {n}")
            solara.HTML(tag="p", unsafe_innerHTML=html.escape(facts))
            for what in ("attend", "hours", "status", "renew"):
                if what == "renew" and not part["holds_grant"]:
                    continue
                label, words = _WORDS[what]
                current = choices.value.get((n, what))
                with solara.Div(classes=["pc-choice-row"]):
                    solara.HTML(tag="span", unsafe_innerHTML=label, classes=["pc-choice-label"])
                    solara.ToggleButtonsSingle(
                        value=words[current] if current is not None else None,
                        values=list(words.values()),
                        on_value=lambda w, n=n, what=what: choose(n, what, w),
                        classes=[f"pc-choice-{what}"],
                    )

    def submit() -> None:
        RUN.decide(student_key, choices.value)

    solara.Button(
        "Send my decisions for this month",
        color="primary",
        on_click=submit,
        attributes={"aria-label": "Send my decisions for this month"},
    )
    solara.HTML(
        tag="p",
        unsafe_innerHTML=(
            "Sent. Wait for the teacher's next month (you can change them until then)."
            if decided
            else "Anything you leave open, the model decides for your organisation."
        ),
        classes=["pc-sent" if decided else "pc-open"],
    )
    if view["log"]:
        solara.HTML(tag="h2", unsafe_innerHTML="What happened to your partnerships")
        solara.HTML(
            tag="div",
            unsafe_innerHTML="".join(f"<p>{html.escape(line)}</p>" for line in view["log"]),
            classes=["pc-log"],
        )


@solara.component
def JoinForm(on_join: Any) -> None:
    """The join code and a name."""
    code = solara.use_reactive("")
    name = solara.use_reactive("")
    error = solara.use_reactive("")

    def join() -> None:
        try:
            on_join(RUN.join(code.value, name.value).key)
        except JoinError as exc:
            error.set(str(exc))

    solara.HTML(tag="h1", unsafe_innerHTML="Join the class's run")
    solara.InputText("Join code (on the teacher's screen)", value=code, continuous_update=True)
    solara.InputText("Your name", value=name, continuous_update=True)
    solara.Button("Join", color="primary", on_click=join, attributes={"aria-label": "Join"})
    if error.value:
        solara.HTML(tag="p", unsafe_innerHTML=html.escape(error.value), classes=["pc-error"])


@solara.component
def Page() -> None:
    """The teacher's view with the teacher's key, a student's view otherwise."""
    router = solara.use_router()
    query = dict(part.split("=", 1) for part in (router.search or "").split("&") if "=" in part)
    student_key = solara.use_reactive(None)
    solara.Title("partnersim classroom: shared run")
    solara.Style(_CSS)
    with solara.v.ThemeProvider(theme="light", with_background=True), solara.Div(classes=["pc-root"]):
        if secrets.compare_digest(query.get("teacher", ""), TEACHER_KEY):
            TeacherView()
        elif student_key.value is None:
            JoinForm(student_key.set)
        else:
            StudentView(student_key.value)

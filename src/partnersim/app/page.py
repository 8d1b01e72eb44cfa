"""The classroom app's Solara page, built on Mesa's SolaraViz.

Mesa's ``SolaraViz`` gives the sidebar: Reset, Step and Play/Pause, the play
interval (speed), the model's controls (generated from the schema by
:func:`partnersim.app.controls.model_inputs`) and the step counter. This page
adds a lesson picker above them and draws the main view itself: the network,
the event log, the lesson's Info text and the four live plots.

The main view is plain Solara and SVG rather than Mesa's draggable grid of
Altair charts, because those load JavaScript from a CDN and a classroom may
be offline.

Run with ``partnersim app`` (or ``solara run partnersim.app.page``).
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from partnersim.app.charts import CHARTS
from partnersim.app.classroom import ClassroomModel, render_frame
from partnersim.app.controls import model_inputs
from partnersim.lessons import DEFAULT_LESSON, LESSONS

__all__ = ["Page"]

#: Milliseconds between months when playing (Mesa's default; the speed slider changes it).
PLAY_INTERVAL_MS = 100

_CSS = """
.ps-panel { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 6px; }
.ps-log { height: 260px; overflow-y: auto; font-size: 13px; line-height: 1.35; }
.ps-log p { margin: 0 0 6px 0; }
.ps-info { height: 292px; overflow-y: auto; font-size: 13px; }
.ps-month { font-size: 18px; font-weight: 600; }
.ps-info h3 { font-size: 16px; margin: 0 0 6px 0; }
.ps-info p { margin: 0 0 6px 0; }
.ps-info strong { font-weight: 700; }
.ps-info ul { margin: 0 0 6px 0; padding-left: 20px; list-style: disc; }
/* sidebar sliders: the schema's help text on its own line, the value always shown */
.v-slider.v-input--horizontal { grid-template-areas: "prepend" "control"; grid-template-columns: 1fr; }
.v-slider.v-input--horizontal .v-input__prepend { margin-inline-end: 0; }
.v-slider .v-slider__label { white-space: normal; line-height: 1.25; }
.v-slider.v-input--horizontal .v-input__control { margin-top: 28px; }
.v-slider-thumb__label-container { display: block !important; }
.v-select .v-label, .v-select .v-field-label { white-space: normal; }
"""


@functools.cache
def lesson_model(key: str) -> type[ClassroomModel]:
    """The model class for the lesson ``key``.

    Mesa's Reset builds ``type(model)(**slider_values)``; this class fills every
    value Reset does not pass (the seed included) from the lesson, so a Reset
    always runs the current lesson, changed only where the class moved a control.
    """
    lesson = LESSONS[key]

    def __init__(self: ClassroomModel, **params: Any) -> None:
        given = {k: v for k, v in params.items() if not (k == "rng" and v is None)}
        ClassroomModel.__init__(self, **{**lesson.parameters(), **given})

    return type(f"LessonModel_{key}", (ClassroomModel,), {"__init__": __init__, "lesson": key})


@solara.component
def LessonPicker(lesson: solara.Reactive[str], on_choose: Callable[[str], None]) -> None:
    """A menu of the lessons; choosing one loads its preset."""
    titles = {les.title: key for key, les in LESSONS.items()}
    with solara.Card("Lesson", classes=["ps-lesson"]):
        solara.Select(
            label="Choose a lesson",
            values=list(titles),
            value=LESSONS[lesson.value].title,
            on_value=lambda title: on_choose(titles[title]),
        )
        solara.Text(
            "Choosing a lesson resets the model and the controls to its settings. "
            "After moving a control, press Reset to run with it."
        )


@solara.component
def MainView(model: ClassroomModel, lesson_key: str) -> None:
    """The network, event log, lesson text and live plots; redrawn every month."""
    update_counter.get()  # Mesa bumps this after each step and on reset
    frame = render_frame(model)
    lesson = LESSONS[lesson_key]
    log_html = "".join(f"<p>{html.escape(line)}</p>" for line in frame.log) or (
        "<p>Nothing has happened yet. Press Step.</p>"
    )
    with solara.Column(gap="8px", style={"padding": "8px"}):
        solara.Text(frame.status, classes=["ps-month"])
        with solara.Columns([6, 6]):
            solara.HTML(tag="div", unsafe_innerHTML=frame.network, classes=["ps-panel", "ps-network-view"])
            with solara.Column(gap="6px"):
                for pair in (CHARTS[:2], CHARTS[2:]):
                    with solara.Columns([1, 1]):
                        for chart in pair:
                            solara.HTML(
                                tag="div",
                                unsafe_innerHTML=frame.charts[chart.key],
                                classes=["ps-panel", "ps-plot"],
                            )
        with solara.Columns([6, 6]):
            with solara.Div(classes=["ps-panel"]):
                solara.Text("Event log (newest first)", style={"font-weight": "600"})
                solara.HTML(tag="div", unsafe_innerHTML=log_html, classes=["ps-log"])
            with solara.Div(classes=["ps-panel", "ps-info"]):
                # HTML made here: solara.Markdown loads mermaid and KaTeX from a CDN
                solara.HTML(tag="div", unsafe_innerHTML=lesson.info_html())


@functools.cache
def lesson_view(key: str) -> Callable[[], Any]:
    """Mesa's controls and the main view for lesson ``key``, as a component of its own."""

    @solara.component
    def LessonView() -> None:
        first = solara.use_memo(lambda: lesson_model(key)(), [])
        model = solara.use_reactive(first)
        # a Play loop still running when the lesson changes stops at its next month
        solara.use_effect(lambda: lambda: model.value.retire(), [])
        SolaraViz(
            model,
            components=[],
            model_params=model_inputs(LESSONS[key].parameters()),
            name="partnersim classroom: partnerships live",
            play_interval=PLAY_INTERVAL_MS,
        )
        MainView(model.value, key)

    LessonView.__name__ = f"LessonView_{key}"
    return LessonView


@solara.component
def Page() -> None:
    """The classroom app."""
    lesson_key = solara.use_reactive(DEFAULT_LESSON)
    # The lesson whose controls are mounted; None for the one render between two lessons.
    # Mesa's controls live in the sidebar, which Solara renders elsewhere and reuses by
    # position, so a new component (or a .key()) would keep the old sliders, Reset
    # parameters and Play state. Rendering no controls once makes the sidebar drop them.
    shown = solara.use_reactive(DEFAULT_LESSON)

    def choose(key: str) -> None:
        if key != lesson_key.value:
            shown.set(None)
            lesson_key.set(key)

    def remount() -> None:
        if shown.value is None:
            shown.set(lesson_key.value)

    solara.use_effect(remount, [shown.value])
    solara.Style(_CSS)
    with solara.Sidebar():
        LessonPicker(lesson_key, choose)
    if shown.value is not None:
        lesson_view(shown.value)()

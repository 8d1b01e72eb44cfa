"""The classroom app's Solara page.

The page draws its own run controls (Reset, Play/Pause, Step, a speed
slider) rather than Mesa's ``SolaraViz`` sidebar, so that a teacher sees only
what a class needs, with plain words on every button:

- the model's controls are Mesa's own inputs (``mesa.visualization.solara_viz.UserInputs``),
  generated from the schema by :func:`partnersim.app.controls.model_inputs`;
- Reset builds the current lesson with the controls as they stand, the seed included;
- Play steps the model on a background thread, under the model's lock, and stops at the horizon;
- the controls sit in a column that a labelled button hides and shows again.

The main view is plain Solara and SVG (the app must work offline): the
network (click an organisation to see its state), live monitors, four plots
with the previous run as a faint ghost line, the event log, the lesson text
and, when the run ends, a "what happened" table. Projector mode enlarges every
word and puts the lesson text beside the network. Everything shown can be
downloaded: plots as PNG and CSV, the event log as text, the lesson as a
printable worksheet.

Run with ``partnersim app`` (or ``solara run partnersim.app.page``).
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from typing import Any

import solara
import solara.server.kernel_context
import solara.server.settings
from mesa.visualization.solara_viz import UserInputs

from partnersim.app import export
from partnersim.app.charts import CHARTS
from partnersim.app.classroom import ClassroomModel, Frame, organisation_state, render_frame
from partnersim.app.controls import model_inputs
from partnersim.lessons import DEFAULT_LESSON, LESSONS

__all__ = ["APP_TITLE", "SPEED_RANGE", "Page", "build_model", "lesson_values", "user_inputs"]

APP_TITLE = "partnersim classroom: partnerships live"
#: Months a second when playing: (slowest, default, fastest).
SPEED_RANGE = (1, 10, 20)
#: Words are this much larger in projector mode (inside the SVG views).
PROJECTOR_TEXT_SCALE = 1.35

# the "This website runs on Solara" banner covers the lesson text on small screens
solara.server.settings.theme.show_banner = False
solara.server.settings.theme.title = APP_TITLE

_CSS = """
.ps-root { font-size: 15px; color: #1a1a1a; background: #f4f5f7; min-height: 100vh; }
.ps-header { display: flex; align-items: center; gap: 12px; padding: 0 12px; height: 52px; background: #1b2a49;
  color: #fff; overflow: hidden; }
.ps-header .v-input { flex: 0 0 auto; color: #fff; }
.ps-header .v-input__details { display: none; }
.ps-header .v-label { color: #fff; opacity: 1; }
.ps-header h1 { font-size: 18px; margin: 0; flex: 1; font-weight: 600; color: #fff; }
.ps-body { display: flex; align-items: flex-start; }
.ps-controls { flex: 0 0 300px; width: 300px; padding: 8px; height: calc(100vh - 52px); overflow-y: auto;
  background: #fff; color: #1a1a1a; border-right: 1px solid #ddd; }
.ps-controls h2 { font-size: 15px; margin: 10px 0 4px 0; }
.ps-main { flex: 1 1 auto; min-width: 0; padding: 8px; height: calc(100vh - 52px); overflow-y: auto; }
.ps-panel { background: #fff; color: #1a1a1a; border: 1px solid #ddd; border-radius: 6px; padding: 6px; }
.ps-panel a { color: #0b5394; }
.ps-month { font-size: 18px; font-weight: 600; color: #1a1a1a; }
.ps-month.ps-finished { color: #8a1c1c; }
.ps-monitors { display: flex; gap: 8px; flex-wrap: wrap; }
.ps-monitor { background: #fff; color: #1a1a1a; border: 1px solid #ccc; border-radius: 6px; padding: 4px 10px; }
.ps-monitor .ps-monitor-label { font-size: 12px; color: #444; display: block; }
.ps-monitor .ps-monitor-value { font-size: 20px; font-weight: 700; }
.ps-top { display: grid; grid-template-columns: minmax(0, 1.15fr) minmax(0, 1fr); gap: 8px; }
.ps-charts { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 6px; }
.ps-bottom { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 8px; }
.ps-log { height: 260px; overflow-y: auto; font-size: 13px; line-height: 1.35; }
.ps-log p { margin: 0 0 6px 0; }
.ps-info { max-height: 420px; overflow-y: auto; font-size: 14px; line-height: 1.4; }
.ps-info h3 { font-size: 16px; margin: 0 0 6px 0; }
.ps-info p { margin: 0 0 6px 0; }
.ps-info ul { margin: 0 0 6px 0; padding-left: 20px; list-style: disc; }
.ps-info strong { font-weight: 700; }
.ps-run-inline .ps-run { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 16px; margin-bottom: 4px; }
.ps-run-inline .v-input, .ps-run-inline .v-slider { min-width: 340px; }
.ps-run-inline .ps-finished-note { flex-basis: 100%; }
.ps-summary table, .ps-org-state table { border-collapse: collapse; width: 100%; font-size: 13px; }
.ps-summary td, .ps-summary th, .ps-org-state td, .ps-org-state th {
  border-bottom: 1px solid #e3e3e3; padding: 2px 6px; text-align: left; }
.ps-downloads { display: flex; flex-wrap: wrap; gap: 4px; }
.ps-network-view svg [data-org] { cursor: pointer; }
/* narrow screens (a 1024 px projector with the controls open): one column, nothing on top of another */
@media (max-width: 1300px) {
  .ps-top, .ps-bottom { grid-template-columns: minmax(0, 1fr); }
}
/* projector mode: every word at least 16 px, the lesson beside the network */
.ps-projector { font-size: 18px; }
.ps-projector .ps-month { font-size: 24px; }
.ps-projector .ps-monitor .ps-monitor-label { font-size: 16px; }
.ps-projector .ps-monitor .ps-monitor-value { font-size: 26px; }
.ps-projector .ps-top { grid-template-columns: minmax(0, 1.3fr) minmax(0, 1fr); }
.ps-projector .ps-info { max-height: none; overflow: visible; font-size: 16px; line-height: 1.3; align-self: start; }
.ps-projector .v-btn, .ps-projector .v-label, .ps-projector .v-slider .v-label { font-size: 16px; }
.ps-projector .ps-info h3 { font-size: 20px; }
.ps-projector .ps-log { font-size: 16px; height: 320px; }
.ps-projector .ps-summary table, .ps-projector .ps-org-state table { font-size: 16px; }
.ps-projector .ps-controls h2 { font-size: 18px; }
/* sidebar sliders: the schema's help text on its own line, the value always shown */
.ps-controls .v-slider.v-input--horizontal { grid-template-areas: "prepend" "control"; grid-template-columns: 1fr; }
.ps-controls .v-slider.v-input--horizontal .v-input__prepend { margin-inline-end: 0; }
.ps-controls .v-slider .v-slider__label { white-space: normal; line-height: 1.25; }
.ps-controls .v-slider.v-input--horizontal .v-input__control { margin-top: 28px; }
.ps-controls .v-slider-thumb__label-container { display: block !important; }
.ps-controls .v-select .v-label, .ps-controls .v-select .v-field-label { white-space: normal; }
"""


def lesson_values(key: str) -> dict[str, Any]:
    """The control values a lesson starts with (its parameters, the seed included)."""
    return dict(LESSONS[key].parameters())


def build_model(key: str, values: dict[str, Any]) -> ClassroomModel:
    """The model for lesson ``key`` with the controls at ``values`` (seed included)."""
    return ClassroomModel(**{**LESSONS[key].parameters(), **values})


def user_inputs(values: dict[str, Any]) -> dict[str, Any]:
    """The adjustable controls for these values (fixed lesson values stay out of the sidebar)."""
    return {k: v for k, v in model_inputs(values).items() if isinstance(v, dict)}


@solara.component_vue("network_view.vue")
def NetworkView(svg: str, event_select: Callable[[int], None]) -> None:
    """The network SVG; clicking an organisation calls ``event_select`` with its id."""


class Player:
    """Plays a model on a thread of its own: a month, a pause, the next month, until stopped.

    One per page. Starting it again with the same model keeps the loop that runs;
    a new model (Reset, another lesson) stops the old loop first. Each month is
    stepped under the model's lock, so a page never draws a half-stepped month.
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._model: ClassroomModel | None = None

    def play(
        self,
        model: ClassroomModel,
        months_per_second: Callable[[], int],
        month_done: Callable[[], None],
        run_ended: Callable[[], None],
    ) -> None:
        """Play ``model`` (if not already), calling ``month_done`` after each month and ``run_ended`` at the end."""
        if self._model is model and not self._stop.is_set():
            return
        self.stop()
        stop = self._stop = threading.Event()
        self._model = model
        context = solara.server.kernel_context.get_current_context()

        def loop() -> None:
            # the page's state lives in its kernel: updates from this thread go through it
            with context:
                due = time.monotonic()
                while True:
                    # months come on a clock: drawing a month counts towards the pause before the next
                    due = max(due + 1.0 / months_per_second(), time.monotonic())
                    if stop.wait(max(0.0, due - time.monotonic())):
                        break
                    if not model.advance():
                        break
                    if not stop.is_set():
                        month_done()
                if not stop.is_set():
                    stop.set()
                    run_ended()

        threading.Thread(target=loop, daemon=True, name="partnersim-play").start()

    def stop(self) -> None:
        """Stop the loop after the month it is in (never half-way through one)."""
        self._stop.set()
        self._model = None


@solara.component
def RunControls(
    model: solara.Reactive[ClassroomModel],
    playing: solara.Reactive[bool],
    speed: solara.Reactive[int],
    tick: solara.Reactive[int],
    on_reset: Callable[[], None],
) -> None:
    """Reset, Play/Pause, Step and the speed; the play loop runs here."""
    tick.get()  # redraw the buttons when a run finishes
    current = model.value
    finished = current.finished

    player = solara.use_memo(Player, [])
    # the page going away stops the loop
    solara.use_effect(lambda: player.stop, [])

    def months_per_second() -> int:
        return max(speed.value, 1)

    def month_done() -> None:
        tick.value += 1

    def run_ended() -> None:
        playing.value = False
        tick.value += 1

    if playing.value and not finished:
        player.play(current, months_per_second, month_done, run_ended)
    else:
        player.stop()

    def step() -> None:
        if current.advance():
            tick.value += 1

    with solara.Div(classes=["ps-run"]):
        with solara.Row(gap="6px", classes=["ps-run-buttons"]):
            solara.Button(
                label="Reset",
                color="primary",
                on_click=on_reset,
                attributes={"aria-label": "Reset: start the run again with these settings"},
            )
            if finished:
                solara.Button(
                    label="■ Finished",
                    disabled=True,
                    classes=["ps-play"],
                    attributes={"aria-label": "Finished: press Reset to run again"},
                )
            else:
                label, name = ("❚❚ Pause", "Pause") if playing.value else ("▶ Play", "Play")
                solara.Button(
                    label=label,
                    color="primary",
                    on_click=lambda: playing.set(not playing.value),
                    classes=["ps-play"],
                    attributes={"aria-label": name},
                )
            solara.Button(
                label="Step",
                color="primary",
                on_click=step,
                disabled=playing.value or finished,
                attributes={"aria-label": "Step one month"},
            )
        if finished:
            solara.Text(
                "The run has reached its end. Press Reset to run again.", classes=["ps-finished-note"]
            )
        solara.SliderInt(
            "Speed (months a second when playing)",
            value=speed,
            min=SPEED_RANGE[0],
            max=SPEED_RANGE[2],
            step=1,
        )


@solara.component
def Monitors(frame: Frame) -> None:
    """The live numbers."""
    with solara.Div(classes=["ps-monitors"]):
        for m in frame.monitors:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=(
                    f'<span class="ps-monitor-label">{html.escape(m.label)}</span>'
                    f'<span class="ps-monitor-value">{html.escape(m.value)}</span>'
                ),
                classes=["ps-monitor", f"ps-monitor-{m.key}"],
            )


def _summary_html(frame: Frame) -> str:
    rows = "".join(
        f"<tr><td>P{r.partnership}</td><td>{r.started_at}</td><td>{r.lifetime} months</td>"
        f"<td>{html.escape(r.ended)}</td></tr>"
        for r in frame.summary
    )
    return (
        "<table><thead><tr><th>Partnership</th><th>Started (month)</th><th>Lifetime</th>"
        f"<th>How it ended</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _organisation_html(model: ClassroomModel, uid: int) -> str:
    s = organisation_state(model, uid)
    rows = "".join(
        f"<tr><td>P{n}</td><td>{status}</td><td>{commitment:.2f}</td><td>{trust:.2f}</td></tr>"
        for n, status, commitment, trust in s.partnerships
    )
    parts = (
        "<table><thead><tr><th>Partnership</th><th>Status</th><th>Commitment</th>"
        f"<th>Trust in partners</th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else "<p>In no partnership this month.</p>"
    )
    return (
        f"<h3>{html.escape(s.name)}</h3><p>{html.escape(s.kind)} · capacity {s.capacity:.0f} of "
        f"{s.base_capacity:.0f} hours a month</p>{parts}"
    )


@solara.component
def Downloads(model: ClassroomModel, lesson_key: str) -> None:
    """Each plot as PNG and CSV, the event log as text, the lesson's worksheet."""
    with solara.Div(classes=["ps-downloads"]):
        for chart in CHARTS:
            solara.FileDownload(
                lambda chart=chart: export.chart_png(chart, model),
                filename=f"partnersim-{chart.key}.png",
                label=f"{chart.title} (PNG)",
                mime_type="image/png",
            )
            solara.FileDownload(
                lambda chart=chart: export.chart_csv(chart, model),
                filename=f"partnersim-{chart.key}.csv",
                label=f"{chart.title} (CSV)",
                mime_type="text/csv",
            )
        solara.FileDownload(
            lambda: export.event_log_text(model),
            filename="partnersim-event-log.txt",
            label="Event log (text)",
            mime_type="text/plain",
        )
        solara.FileDownload(
            lambda: export.worksheet_html(LESSONS[lesson_key]),
            filename=f"partnersim-worksheet-{lesson_key}.html",
            label="Worksheet for this lesson (printable)",
            mime_type="text/html",
        )


@solara.component
def MainView(
    model: ClassroomModel,
    lesson_key: str,
    tick: solara.Reactive[int],
    previous: dict[str, list[float]] | None,
    projector: bool,
) -> None:
    """The network, monitors, plots, event log, lesson text and end-of-run panel; redrawn every month."""
    tick.get()
    selected = solara.use_reactive(None)
    frame = render_frame(model, previous, PROJECTOR_TEXT_SCALE if projector else 1.0)
    network = frame.network
    lesson = LESSONS[lesson_key]
    log_html = "".join(f"<p>{html.escape(line)}</p>" for line in frame.log) or (
        "<p>No events yet. Press Step or Play.</p>"
        if frame.month == 0
        else f"<p>No events in the months shown (month {frame.month}).</p>"
    )
    with solara.Column(gap="8px"):
        status_classes = ["ps-month", "ps-finished"] if frame.finished else ["ps-month"]
        solara.Text(frame.status, classes=status_classes)
        Monitors(frame)
        with solara.Div(classes=["ps-top"]):
            with solara.Column(gap="6px"):
                NetworkView(svg=network, event_select=lambda uid: selected.set(int(uid)))
                if selected.value is not None:
                    with solara.Div(classes=["ps-panel", "ps-org-state"]):
                        solara.HTML(tag="div", unsafe_innerHTML=_organisation_html(model, selected.value))
                        solara.Button(
                            "Close",
                            on_click=lambda: selected.set(None),
                            text=True,
                            attributes={"aria-label": "Close the organisation's state"},
                        )
                else:
                    solara.Text("Click an organisation to see its state.", classes=["ps-hint"])
            if projector:
                with solara.Div(classes=["ps-panel", "ps-info"]):
                    solara.HTML(tag="div", unsafe_innerHTML=lesson.info_html())
            else:
                with solara.Div(classes=["ps-charts"]):
                    for chart in CHARTS:
                        solara.HTML(
                            tag="div",
                            unsafe_innerHTML=frame.charts[chart.key],
                            classes=["ps-panel", "ps-plot"],
                        )
        if frame.finished:
            with solara.Div(classes=["ps-panel", "ps-summary"]):
                solara.HTML(tag="h3", unsafe_innerHTML="What happened")
                solara.HTML(tag="div", unsafe_innerHTML=_summary_html(frame))
        if projector:
            with solara.Div(classes=["ps-charts"]):
                for chart in CHARTS:
                    solara.HTML(
                        tag="div", unsafe_innerHTML=frame.charts[chart.key], classes=["ps-panel", "ps-plot"]
                    )
        with solara.Div(classes=["ps-bottom"]):
            with solara.Div(classes=["ps-panel"]):
                solara.Text("Event log (newest first)", style={"font-weight": "600"})
                solara.HTML(tag="div", unsafe_innerHTML=log_html, classes=["ps-log"])
            if not projector:
                with solara.Div(classes=["ps-panel", "ps-info"]):
                    # HTML made here: solara.Markdown loads mermaid and KaTeX from a CDN
                    solara.HTML(tag="div", unsafe_innerHTML=lesson.info_html())
        with solara.Details("Download the plots, the event log and the worksheet"):
            Downloads(model, lesson_key)


def _series(model: ClassroomModel) -> dict[str, list[float]]:
    with model.lock:
        return {k: list(v) for k, v in model.datacollector.model_vars.items()}


@solara.component
def Page() -> None:
    """The classroom app."""
    lesson_key = solara.use_reactive(DEFAULT_LESSON)
    values = solara.use_reactive(lesson_values(DEFAULT_LESSON))
    model = solara.use_reactive(solara.use_memo(lambda: build_model(DEFAULT_LESSON, {}), []))
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(SPEED_RANGE[1])
    tick = solara.use_reactive(0)
    previous = solara.use_reactive(None)
    show_controls = solara.use_reactive(True)
    projector = solara.use_reactive(False)

    # a Play loop still running when the page goes stops at its next month
    solara.use_effect(lambda: lambda: model.value.retire(), [])

    def replace_model(new: ClassroomModel) -> None:
        playing.set(False)
        old = model.value
        old.retire()
        model.set(new)
        tick.value += 1

    def reset() -> None:
        old = model.value
        if old.steps > 0:
            previous.set(_series(old))
        replace_model(build_model(lesson_key.value, values.value))

    def choose(title: str) -> None:
        key = next(k for k, les in LESSONS.items() if les.title == title)
        if key == lesson_key.value:
            return
        lesson_key.set(key)
        values.set(lesson_values(key))
        previous.set(None)
        replace_model(build_model(key, {}))

    def change(name: str, value: Any) -> None:
        values.set({**values.value, name: value})

    def toggle_projector(on: bool) -> None:
        projector.set(on)
        if on:
            show_controls.set(False)

    solara.Title(APP_TITLE)
    solara.Style(_CSS)
    root = ["ps-root", "ps-projector"] if projector.value else ["ps-root"]
    # the app is drawn in light colours whatever theme Solara remembers for this address:
    # white SVG views on a dark page, or Vuetify's white text on the white panels, would not read
    with solara.v.ThemeProvider(theme="light", with_background=True), solara.Div(classes=root):
        with solara.Div(classes=["ps-header"]):
            solara.HTML(tag="h1", unsafe_innerHTML=html.escape(APP_TITLE))
            solara.Button(
                label="Hide controls" if show_controls.value else "Show controls",
                on_click=lambda: show_controls.set(not show_controls.value),
                classes=["ps-toggle-controls"],
                attributes={"aria-expanded": "true" if show_controls.value else "false"},
            )
            solara.Switch(label="Projector mode", value=projector.value, on_value=toggle_projector)
        with solara.Div(classes=["ps-body"]):
            if show_controls.value:
                with solara.Div(classes=["ps-controls"]):
                    solara.HTML(tag="h2", unsafe_innerHTML="Lesson")
                    solara.Select(
                        label="Choose a lesson",
                        values=[les.title for les in LESSONS.values()],
                        value=LESSONS[lesson_key.value].title,
                        on_value=choose,
                        classes=["ps-lesson"],
                    )
                    solara.Text(
                        "Choosing a lesson resets the model and the controls to its settings. "
                        "After moving a control, press Reset to run with it."
                    )
                    solara.HTML(tag="h2", unsafe_innerHTML="Run")
                    RunControls(model, playing, speed, tick, reset)
                    solara.HTML(tag="h2", unsafe_innerHTML="Settings (press Reset to use them)")
                    UserInputs(user_inputs(values.value), on_change=change)
            with solara.Div(classes=["ps-main"]):
                if not show_controls.value:
                    # the run buttons stay reachable with the controls hidden
                    with solara.Div(classes=["ps-run-inline"]):
                        RunControls(model, playing, speed, tick, reset)
                MainView(model.value, lesson_key.value, tick, previous.value, projector.value)

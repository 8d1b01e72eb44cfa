"""Network portrayal, layout, plots and the classroom model."""

from __future__ import annotations

import itertools
import math
import random
import re

import pytest

from partnersim.app.charts import CHARTS, chart_svg, line_chart_svg, nice_ceiling
from partnersim.app.classroom import ClassroomModel, render_frame, repair_parameters
from partnersim.app.controls import model_inputs, slider_names
from partnersim.app.network import KIND_STYLE, convex_hull, organisation_portrayal, tie_style
from partnersim.model import PartnershipModel
from partnersim.schema import defaults


def test_portrayal_by_kind_and_membership() -> None:
    model = ClassroomModel(rng=1)
    seen = set()
    for org in model.organisations:
        look = organisation_portrayal(org)
        assert look["shape"] == KIND_STYLE[org.sector]["shape"]
        if any(q.alive for q in org.memberships):
            assert look["color"] == KIND_STYLE[org.sector]["color"] and look["active"]
        else:
            assert not look["active"] and look["color"] not in {s["color"] for s in KIND_STYLE.values()}
        seen.add(org.sector)
    assert seen == set(KIND_STYLE)
    assert len({s["shape"] for s in KIND_STYLE.values()}) == 3


def test_ties_grow_with_trust() -> None:
    styles = [tie_style(t) for t in (0.0, 0.3, 0.6, 1.0)]
    assert all(a["width"] < b["width"] and a["opacity"] < b["opacity"] for a, b in itertools.pairwise(styles))
    assert tie_style(-1) == tie_style(0) and tie_style(2) == tie_style(1)


def test_convex_hull() -> None:
    square = [(0, 0), (1, 0), (1, 1), (0, 1), (0.5, 0.5)]
    assert sorted(convex_hull(square)) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert convex_hull([(1, 1), (1, 1)]) == [(1, 1)]


def test_view_shows_every_organisation_and_each_live_partnership() -> None:
    model = ClassroomModel(rng=2, renewal_probability=0.0, funding_length=6)
    svg = render_frame(model).network
    assert svg.count('class="ps-org') == len(model.organisations)
    assert svg.count('class="ps-group"') == model.p["n_partnerships"]
    assert "Month 0" in svg
    while all(q.alive for q in model.partnerships_created):
        model.step()
    frame = render_frame(model)
    alive = [q for q in model.partnerships_created if q.alive]
    gone = [q for q in model.partnerships_created if not q.alive]
    assert frame.network.count('class="ps-group"') == len(alive)
    assert frame.network.count('class="ps-ghost"') == len(gone)  # dissolved: a small marker only
    for q in gone:
        assert f"P{q.number} ended" in frame.network


def test_drawing_does_not_change_the_run() -> None:
    """The layout has its own generator: the app shows the same run as `partnersim run`."""
    plain = PartnershipModel(rng=5, horizon=30)
    drawn = ClassroomModel(rng=5, horizon=30)
    while plain.running:
        plain.step()
        drawn.step()
        render_frame(drawn)
    a, b = plain.timeseries(), drawn.timeseries()
    assert a.equals(b)


def test_layout_moves_only_when_membership_changes() -> None:
    model = ClassroomModel(rng=4, renewal_probability=0.0, funding_length=6)
    layout = model.layout
    first = {k: v.copy() for k, v in layout.update(model).items()}
    runs = layout.relayouts
    layout.update(model)
    assert layout.relayouts == runs
    assert all((layout.pos[k] == v).all() for k, v in first.items())
    while all(q.alive for q in model.partnerships_created):
        model.step()
    layout.update(model)
    assert layout.relayouts == runs + 1
    assert all(-1.0 <= c <= 1.0 for xy in layout.pos.values() for c in xy)


def test_nice_ceiling() -> None:
    assert [nice_ceiling(v) for v in (0, 0.7, 1, 3, 7, 10, 11, 180)] == [1, 1, 1, 5, 10, 10, 20, 200]


def test_line_chart_breaks_at_missing_values() -> None:
    svg = line_chart_svg("t", [("a", "#000", [0.1, 0.2, math.nan, 0.4, 0.5])], x_max=10, y_max=1)
    assert svg.count("<polyline") == 2


def test_plots_change_as_the_model_runs() -> None:
    model = ClassroomModel(rng=1)
    before = {c.key: chart_svg(c, model) for c in CHARTS}
    for _ in range(3):
        model.step()
    after = {c.key: chart_svg(c, model) for c in CHARTS}
    for key in before:
        pts_before = re.findall(r'points="([^"]*)"', before[key])
        pts_after = re.findall(r'points="([^"]*)"', after[key])
        assert pts_before != pts_after, key


def test_repair_keeps_partnerships_inside_the_system() -> None:
    p, notes = repair_parameters({**defaults(), "n_statutory": 1, "n_large_charity": 0, "n_small_vcse": 0})
    assert p["n_small_vcse"] == 1 and p["partnership_size"] == 2 and len(notes) == 2
    p, notes = repair_parameters(defaults())
    assert p == defaults() and notes == []


def _extremes(name: str, control: dict) -> list:
    if control["type"] == "Checkbox":
        return [False, True]
    if control["type"] == "Select":
        return list(control["values"])
    return [control["min"], control["max"]]


def _run(values: dict, months: int = 8) -> None:
    model = ClassroomModel(**values)
    for note in [t for _, t in model.events]:
        assert note
    render_frame(model)
    for _ in range(months):
        if not model.running:
            break
        model.step()
        frame = render_frame(model)
    assert frame.month == model.steps


@pytest.mark.parametrize("name", slider_names())
def test_no_crash_at_either_end_of_any_control(name: str) -> None:
    control = model_inputs(defaults())[name]
    for value in _extremes(name, control):
        _run({**defaults(), name: value, "rng": 0}, months=6)


def test_no_crash_with_every_control_at_an_end_together() -> None:
    controls = {n: model_inputs(defaults())[n] for n in slider_names()}
    all_low = {n: _extremes(n, c)[0] for n, c in controls.items()}
    all_high = {n: _extremes(n, c)[-1] for n, c in controls.items()}
    _run({**all_low, "rng": 0})
    _run({**all_high, "rng": 0}, months=4)
    rng = random.Random(11)
    for _ in range(6):
        mixed = {n: rng.choice(_extremes(n, c)) for n, c in controls.items()}
        _run({**mixed, "rng": rng.randrange(100)}, months=4)


def test_log_keeps_every_month_of_a_classroom_sized_run_and_says_what_it_hides() -> None:
    """The plain model keeps 500 events; at the classroom cap that is a few years, so the app keeps its own."""
    from partnersim.app.classroom import LOG_MONTHS
    from partnersim.app.controls import CLASSROOM_SIZE_FACTOR
    from partnersim.schema import PARAMETERS

    big = {
        name: CLASSROOM_SIZE_FACTOR * p.default
        for name, p in PARAMETERS.items()
        if p.teach and p.group == "system" and p.kind is int
    }
    model = ClassroomModel(rng=1, staff_turnover=0.6, **big)
    months_with_events = set()
    for _ in range(model.p["horizon"]):
        model.step()
        months_with_events |= {m for m, _ in model.events if m == model.steps}
    assert len(model.events) > 500
    assert {m for m, _ in model.events} >= months_with_events  # nothing dropped
    log = render_frame(model).log
    shown = [int(line.split()[1].rstrip(":")) for line in log[:-1]]
    first = model.steps - LOG_MONTHS + 1
    assert shown == sorted((m for m in months_with_events if m >= first), reverse=True)
    assert (
        log[-1]
        == f"(Older months are not shown: the log shows the last {LOG_MONTHS} months, from month {first}.)"
    )


def test_log_of_a_young_run_has_no_note() -> None:
    model = ClassroomModel(rng=3)
    for _ in range(5):
        model.step()
    assert not any("not shown" in line for line in render_frame(model).log)


def test_a_dissolved_partnership_leaves_a_small_marker_where_it_was() -> None:
    """Not an outline around its members: once they are back on the outer ring that spans the view."""
    from partnersim.app.network import GHOST_MONTHS

    model = ClassroomModel(rng=7, renewal_probability=0.0, funding_length=12, coordinator_mainstreamed=False)
    render_frame(model)
    seen_ghosts = 0
    where: dict[int, tuple[float, float]] = {}
    for _ in range(12 + GHOST_MONTHS):
        hubs = {n: tuple(p) for (kind, n), p in model.layout.pos.items() if kind == "p"}
        model.step()
        svg = render_frame(model).network
        assert "<polygon" not in "".join(re.findall(r"<[^>]*ps-ghost[^>]*>", svg))
        ghosts = re.findall(
            r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)" [^>]*stroke-width="([\d.]+)"[^>]*class="ps-ghost">'
            r"<title>Partnership (\d+) ",
            svg,
        )
        assert len(ghosts) == svg.count('class="ps-ghost"')
        for cx, cy, r, width, number in ghosts:
            assert float(r) <= 12 and float(width) <= 2
            n = int(number)
            if n in hubs:  # it dissolved this month: the marker is where its centre was
                where[n] = _pixels(hubs[n])
            assert (float(cx), float(cy)) == where[n]
            seen_ghosts += 1
    assert seen_ghosts


def _pixels(p: tuple[float, float]) -> tuple[float, float]:
    import numpy as np

    from partnersim.app.network import _xy

    return _xy(np.asarray(p))


def test_legend_explains_every_line_style_in_the_view() -> None:
    from partnersim.app.network import GHOST_DASH, GROUP_UNFUNDED_DASH, PAPER_DASH, _legend

    model = ClassroomModel(rng=7, renewal_probability=0.0, funding_length=12, formation=False)
    render_frame(model)
    dashes = set()
    for _ in range(18):
        model.step()
        view = render_frame(model).network.replace(_legend()[0], "")
        dashes |= set(re.findall(r'stroke-dasharray="([^"]+)"', view))
    assert dashes <= {GHOST_DASH, GROUP_UNFUNDED_DASH, PAPER_DASH}
    assert {GHOST_DASH, GROUP_UNFUNDED_DASH} <= dashes
    legend = _legend()[0]
    for words in ("dashed: grant ended", "dotted: partner on paper", "dissolved"):
        assert words in legend
    assert "dashed = on paper" not in legend


def _drawn_month_matches_its_series(frame) -> bool:
    """The month shown and the active-partnership line drawn must be of the same month."""
    points = re.search(
        r'class="ps-chart ps-chart-active".*?<polyline points="([^"]*)"', frame.charts["active"]
    )
    return points is not None and len(points.group(1).split()) == frame.month + 1


def test_drawing_while_another_thread_plays_never_sees_a_half_stepped_model() -> None:
    """Defect 1: Play steps on one thread while the page draws on another (Reset, clicks).

    Every frame drawn meanwhile must be of a whole month: no error, and the month shown
    matches the plotted series. A large system makes each month long, so frames land mid-step.
    """
    import threading
    import time

    model = ClassroomModel(rng=3, n_small_vcse=140, n_large_charity=40, n_partnerships=30, staff_turnover=0.5)
    errors: list[BaseException] = []
    frames = []

    def play() -> None:
        try:
            while model.advance():
                # the app's play loop rests between months, as at its fastest speed; a lock is
                # not fair, so without the rest the player could hold it for the whole run
                time.sleep(0.002)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    player = threading.Thread(target=play)
    player.start()
    try:
        while player.is_alive() and len(frames) < 400:
            try:
                frames.append(render_frame(model))
            except BaseException as exc:
                errors.append(exc)
                break
            time.sleep(0.001)  # the page draws on a timer too, so the lock changes hands
    finally:
        model.retire()
        player.join()
    assert not errors, errors
    assert len({f.month for f in frames}) > 3, "the drawing thread must have seen the run move"
    assert all(_drawn_month_matches_its_series(f) for f in frames)


def test_advance_never_passes_the_horizon() -> None:
    """Defect 3: however often the page asks for a month, the run stops at its horizon."""
    model = ClassroomModel(rng=1, horizon=24)
    stepped = sum(model.advance() for _ in range(100))
    assert stepped == 24 and model.steps == 24 and model.finished
    frame = render_frame(model)
    assert frame.finished and frame.status.startswith("Finished: month 24 of 24")
    assert len(frame.summary) == len(model.partnerships_created)


def test_monitors_and_summary_read_the_model() -> None:
    from partnersim.app.classroom import monitors, run_summary

    model = ClassroomModel(rng=7, renewal_probability=0.0, funding_length=12, horizon=48)
    while model.advance():
        pass
    values = {m.key: m.value for m in monitors(model)}
    alive = sum(q.alive for q in model.partnerships_created)
    assert values["alive"] == f"{alive} of {len(model.partnerships_created)}"
    assert values["vcse"] == f"{100 * model.vcse_share:.0f}%"
    table = model.partnership_table()
    rows = run_summary(model)
    assert [r.partnership for r in rows] == list(table.partnership)
    for r, (_, t) in zip(rows, table.iterrows(), strict=True):
        assert r.lifetime == t.lifetime
        assert ("still running" in r.ended) == bool(t.censored)


def test_ghost_lines_show_the_previous_run() -> None:
    old = ClassroomModel(rng=1, horizon=30)
    for _ in range(30):
        old.advance()
    previous = {k: list(v) for k, v in old.datacollector.model_vars.items()}
    new = ClassroomModel(rng=2, horizon=30)
    frame = render_frame(new, previous)
    for chart in CHARTS:
        assert frame.charts[chart.key].count("ps-ghost-line") >= len(chart.series)
    assert "ps-ghost-line" not in render_frame(new).charts["active"]


def test_organisation_state_matches_the_model() -> None:
    from partnersim.app.classroom import organisation_state

    model = ClassroomModel(rng=4)
    for _ in range(6):
        model.advance()
    org = next(o for o in model.organisations if any(q.alive for q in o.memberships))
    state = organisation_state(model, org.unique_id)
    assert state.name == model.name_of(org) and state.capacity == org.capacity
    live = [q for q in org.memberships if q.alive]
    assert [n for n, *_ in state.partnerships] == [q.number for q in live]
    for (_, _, commitment, _), q in zip(state.partnerships, live, strict=True):
        assert commitment == q.commitment[org.unique_id]


def test_crowded_view_keeps_partnership_labels_apart() -> None:
    """At the largest slider values, partnership labels never overlap (projector mode words)."""
    from partnersim.app.controls import CLASSROOM_SIZE_FACTOR
    from partnersim.schema import PARAMETERS

    big = {
        name: CLASSROOM_SIZE_FACTOR * p.default
        for name, p in PARAMETERS.items()
        if p.teach and p.group == "system" and p.kind is int
    }
    model = ClassroomModel(rng=1, **big)
    for _ in range(3):
        model.advance()
    from partnersim.app.network import network_svg

    svg = network_svg(model, model.layout, 1.35)
    labels = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" font-size="(\d+)"[^>]*class="ps-label">P(\d+)', svg)
    assert len(labels) == sum(q.alive for q in model.partnerships_created) >= 20
    # boxes of the number part alone (the smaller status words may touch a neighbour)
    boxes = []
    for x, y, size, number in labels:
        w, h = 0.55 * int(size) * len(f"P{number}"), 0.9 * int(size)
        boxes.append((float(x) - w / 2, float(y) - h / 2, float(x) + w / 2, float(y) + h / 2))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)

"""Checks for what a lesson's "Things to notice" say a class will see.

Each lesson states, in words, what its run shows: a plot falls just after the
grants end, trust across sectors stays below trust within, the log reports
budget shocks. Each such statement carries one or more :class:`Claim`, a
check on the lesson's own run (its seed and settings, to its end), so the
claims can be tested whenever the model changes
(``tests/app/test_app_lessons.py`` runs every lesson headless and checks every claim).

A check reads the run's monthly series (the model's reporters), its event
log and, for a comparison, a run of the same lesson with some settings
changed. Months are the model's months (0 is the start; a grant of 36
months pays months 1-36).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from partnersim.app.events import parse_event

__all__ = ["CHECKS", "Claim", "LessonRun", "check_claim", "run_lesson"]


@dataclass(frozen=True)
class Claim:
    """One checkable statement behind a "thing to notice".

    Attributes:
        notice: the index of the bullet point it backs.
        check: the name of a check in :data:`CHECKS`.
        args: the check's arguments.
    """

    notice: int
    check: str
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class LessonRun:
    """A lesson run to its end: its monthly series, events and parameters."""

    params: dict[str, Any]
    series: pd.DataFrame
    events: list[tuple[int, str]]
    # network SVGs with each live partnership's coordinator state, for claims about the view
    frames: list[tuple[str, dict[int, bool]]] = field(default_factory=list)


def run_lesson(params: Mapping[str, Any], draw_every: int = 0) -> LessonRun:
    """Run a lesson's model to its horizon as the app does (drawing every ``draw_every`` months)."""
    from partnersim.app.classroom import ClassroomModel
    from partnersim.app.network import network_svg

    model = ClassroomModel(**params)
    frames = []
    while model.advance():
        if draw_every and model.steps % draw_every == 0:
            posts = {q.number: q.coordinator_present for q in model.partnerships_created if q.alive}
            frames.append((network_svg(model, model.layout), posts))
    return LessonRun(dict(model.p, rng=params.get("rng")), model.timeseries(), list(model.events), frames)


def _window(run: LessonRun, series: str, months: tuple[int, int]) -> float:
    """Mean of ``series`` over months a..b (inclusive), ignoring months where it is undefined."""
    a, b = months
    values = run.series[series].loc[a:b].astype(float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if len(values) else math.nan


def change(run: LessonRun, series: str, months: tuple[int, int], direction: str, at_least: float) -> bool:
    """``series`` at the second month is ``at_least`` above (``up``) or below (``down``) the first."""
    before, after = (float(run.series[series].loc[m]) for m in months)
    delta = after - before if direction == "up" else before - after
    return delta >= at_least


def window_ratio(
    run: LessonRun, series: str, early: tuple[int, int], late: tuple[int, int], at_most: float
) -> bool:
    """The mean of ``series`` over ``late`` months is at most ``at_most`` times its mean over ``early``."""
    return _window(run, series, late) <= at_most * _window(run, series, early)


def per_partnership_ratio(
    run: LessonRun, series: str, early: tuple[int, int], late: tuple[int, int], at_most: float
) -> bool:
    """As :func:`window_ratio`, for ``series`` per active partnership (so survivors count alone)."""
    per = run.series[series].astype(float) / run.series["active_partnerships"].replace(0, np.nan)
    view = LessonRun(run.params, pd.DataFrame({"per": per}), run.events)
    return window_ratio(view, "per", early, late, at_most)


def drop_then_fall(run: LessonRun, series: str, month: int, within: int, at_least: float) -> bool:
    """``series`` drops by ``at_least`` within ``within`` months after ``month``, then keeps falling.

    "Keeps falling": a year after the drop it is lower still, and lower again a year after that.
    """
    s = run.series[series].astype(float)
    after = month + within
    return bool(
        s.loc[month] - s.loc[after] >= at_least and s.loc[after] > s.loc[after + 12] >= s.loc[after + 24]
    )


def below(run: LessonRun, lower: str, upper: str, share_of_months: float) -> bool:
    """``lower`` is below ``upper`` on average and in at least ``share_of_months`` of the months both exist."""
    a, b = run.series[lower].astype(float), run.series[upper].astype(float)
    both = np.isfinite(a) & np.isfinite(b)
    both.loc[0] = False  # month 0 is the set-up, before anyone has met
    return bool(a[both].mean() < b[both].mean() and (a[both] < b[both]).mean() >= share_of_months)


def events(
    run: LessonRun, kinds: tuple[str, ...], at_least: int, months: tuple[int, int] | None = None
) -> bool:
    """The event log has at least ``at_least`` events of these kinds (in months a..b, if given).

    A kind is one of :func:`partnersim.app.events.parse_event`'s, or ``text:words`` for a
    system event whose text contains the words.
    """
    count = 0
    for month, text in run.events:
        if months and not months[0] <= month <= months[1]:
            continue
        e = parse_event(month, text)
        for kind in kinds:
            if (kind.startswith("text:") and kind[5:] in e.detail) or e.kind == kind:
                count += 1
                break
    return count >= at_least


def lower_than_variant(
    run: LessonRun, series: str, months: tuple[int, int], variant: Mapping[str, Any], by: float
) -> bool:
    """``series`` (mean over ``months``) is at least ``by`` lower than in the same lesson with ``variant``."""
    other = run_lesson({**run.params, **variant})
    return _window(run, series, months) <= _window(other, series, months) - by


def label_shows_coordinator(run: LessonRun) -> bool:
    """In every drawn view, a partnership's label has C exactly when its coordinator is in post,
    and the run shows both (posts do empty)."""
    import re

    seen = set()
    for svg, posts in run.frames:
        for number, status in re.findall(r'class="ps-label">P(\d+)<tspan[^>]*>([^<]*)</tspan>', svg):
            shows = status.endswith(" C")
            if shows != posts[int(number)]:
                return False
            seen.add(shows)
    return seen == {True, False}


#: The checks a claim may name.
CHECKS: dict[str, Callable[..., bool]] = {
    "change": change,
    "window_ratio": window_ratio,
    "per_partnership_ratio": per_partnership_ratio,
    "drop_then_fall": drop_then_fall,
    "below": below,
    "events": events,
    "lower_than_variant": lower_than_variant,
    "label_shows_coordinator": label_shows_coordinator,
}


def check_claim(claim: Claim, run: LessonRun) -> bool:
    """Whether ``run`` shows ``claim``."""
    return CHECKS[claim.check](run, **claim.args)

"""Live plots for the classroom app, drawn as small SVG line charts.

The four plots follow the model's reporters (``model.datacollector``):
active partnerships; mean trust within and across sectors; the VCSE share of
active membership; output. The month axis runs to the horizon from the
start, as in NetLogo, so the lines grow across the plot.

After a Reset the run before it stays on each plot as a faint dashed
"ghost" line, so a class can compare before and after a change.

SVG keeps the app offline (Vega and friends load from a CDN) and costs well
under a millisecond a chart. :func:`chart_csv` gives the numbers behind a plot.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from partnersim.model import PartnershipModel

__all__ = ["CHARTS", "GHOST_OPACITY", "Chart", "chart_csv", "chart_svg", "line_chart_svg", "nice_ceiling"]


@dataclass(frozen=True)
class Chart:
    """One live plot: a title and the reporters it draws, with their legend words and colours."""

    key: str
    title: str
    series: tuple[tuple[str, str, str], ...]  # (reporter, legend, colour)
    y_max: float | None = None  # fixed top of the axis; None = grows with the data


CHARTS: tuple[Chart, ...] = (
    Chart("active", "Active partnerships", (("active_partnerships", "active", "#0072B2"),)),
    Chart(
        "trust",
        "Mean trust between partners",
        (("trust_within", "within a sector", "#009E73"), ("trust_across", "across sectors", "#D55E00")),
        y_max=1.0,
    ),
    Chart("vcse", "VCSE share of active membership", (("vcse_share", "VCSE share", "#CC79A7"),), y_max=1.0),
    Chart("output", "Output (services delivered a month)", (("output", "output", "#E69F00"),)),
)

#: How faint the previous run's line is.
GHOST_OPACITY = 0.35

WIDTH, HEIGHT = 300, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 44, 26


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least ``value`` (1 for 0)."""
    if not math.isfinite(value) or value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for m in (1, 2, 2.5, 5, 10):
        top = m * 10.0**exponent
        if top >= value * (1 - 1e-12):
            return float(f"{top:.6g}")
    return 10.0 ** (exponent + 1)


def _fmt(v: float) -> str:
    return f"{v:.0f}" if v >= 10 or float(v).is_integer() else f"{v:.2g}"


def line_chart_svg(
    title: str,
    series: Sequence[tuple[str, str, Sequence[float]]],
    x_max: int,
    y_max: float | None = None,
    css_class: str = "",
    ghosts: Sequence[tuple[str, Sequence[float]]] = (),
) -> str:
    """An SVG line chart of ``series`` (legend, colour, values by month from 0).

    Missing values (NaN, as for trust when no partnership is alive) break the line.
    ``ghosts`` (colour, values) are the previous run's lines, drawn faint and dashed underneath.
    """
    values = [
        v
        for ys in [*(ys for _, _, ys in series), *(ys for _, ys in ghosts)]
        for v in ys
        if v is not None and math.isfinite(v)
    ]
    top = y_max if y_max is not None else nice_ceiling(max(values, default=0.0))
    x_max = max(x_max, 1)
    pw, ph = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(i: int, v: float) -> tuple[float, float]:
        return LEFT + pw * min(i, x_max) / x_max, TOP + ph * (1 - min(max(v / top, 0.0), 1.0))

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'class="ps-chart {css_class}" role="img" aria-label="{escape(title)}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>',
        f'<text x="{LEFT}" y="15" font-size="14" font-weight="bold" fill="#222">{escape(title)}</text>',
    ]
    for frac in (0.0, 0.5, 1.0):
        y = TOP + ph * (1 - frac)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + pw}" y2="{y:.1f}" stroke="#e3e3e3" stroke-width="1"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" font-size="12" text-anchor="end" fill="#555">'
            f"{_fmt(top * frac)}</text>"
        )
    for frac in (0.0, 0.5, 1.0):
        x = LEFT + pw * frac
        out.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 8}" font-size="12" text-anchor="middle" fill="#555">'
            f"{round(x_max * frac)}</text>"
        )
    out.append(
        f'<text x="{LEFT + pw}" y="{HEIGHT - 8 - 12}" font-size="11" text-anchor="end" fill="#888">month</text>'
    )

    def polylines(ys: Sequence[float]) -> list[str]:
        segments: list[list[str]] = [[]]
        for i, v in enumerate(ys):
            if v is None or not math.isfinite(v):
                if segments[-1]:
                    segments.append([])
                continue
            x, y = px(i, v)
            segments[-1].append(f"{x:.1f},{y:.1f}")
        return [" ".join(seg if len(seg) > 1 else [*seg, seg[0]]) for seg in segments if seg]

    for colour, ys in ghosts:
        for pts in polylines(ys):
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2" '
                f'stroke-opacity="{GHOST_OPACITY}" stroke-dasharray="4 3" class="ps-ghost-line"/>'
            )
    x_legend = LEFT
    for legend, colour, ys in series:
        for pts in polylines(ys):
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2" class="ps-line"/>'
            )
        if len(series) > 1:
            out.append(
                f'<rect x="{x_legend}" y="27" width="12" height="4" fill="{colour}"/>'
                f'<text x="{x_legend + 16}" y="33" font-size="12" fill="#333">{escape(legend)}</text>'
            )
            x_legend += 28 + 6.5 * len(legend)
    if ghosts:
        out.append(
            f'<line x1="{WIDTH - RIGHT - 96}" y1="{TOP - 4}" x2="{WIDTH - RIGHT - 80}" y2="{TOP - 4}" '
            f'stroke="#555" stroke-width="2" stroke-opacity="{GHOST_OPACITY + 0.2}" stroke-dasharray="4 3"/>'
            f'<text x="{WIDTH - RIGHT}" y="{TOP}" font-size="11" text-anchor="end" fill="#555">'
            "previous run</text>"
        )
    out.append("</svg>")
    return "".join(out)


def chart_svg(
    chart: Chart, model: PartnershipModel, previous: Mapping[str, Sequence[float]] | None = None
) -> str:
    """The SVG of one live plot for ``model`` so far, with ``previous`` (reporter -> series) as ghosts."""
    data = model.datacollector.model_vars
    series = [(legend, colour, data.get(reporter, [])) for reporter, legend, colour in chart.series]
    ghosts = [
        (colour, previous[reporter])
        for reporter, _, colour in chart.series
        if previous and reporter in previous
    ]
    y_max = chart.y_max
    if chart.key == "active":
        # keep the starting number in view, so a fall is visible from the first month
        shown = [model.p.n_partnerships, *data.get("active_partnerships", [0])]
        if previous:
            shown += list(previous.get("active_partnerships", []))
        y_max = nice_ceiling(max(shown))
    return line_chart_svg(
        chart.title, series, model.p.horizon, y_max, css_class=f"ps-chart-{chart.key}", ghosts=ghosts
    )


def chart_csv(chart: Chart, model: PartnershipModel) -> str:
    """The numbers behind one plot: a month column and one column per line (empty where undefined)."""
    data = model.datacollector.model_vars
    columns = [(reporter, list(data.get(reporter, []))) for reporter, _, _ in chart.series]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["month", *(reporter for reporter, _ in columns)])
    for month in range(max((len(ys) for _, ys in columns), default=0)):
        row: list[object] = [month]
        for _, ys in columns:
            v = ys[month] if month < len(ys) else None
            row.append("" if v is None or (isinstance(v, float) and not math.isfinite(v)) else v)
        writer.writerow(row)
    return out.getvalue()

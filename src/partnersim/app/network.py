"""The network view: organisations, the ties between partners, and partnerships as groups.

Organisations are nodes, coloured and shaped by kind (:func:`organisation_portrayal`,
the app's agent portrayal). Each live partnership is a shaded group around
its members, labelled with its number and whether its grant and coordinator
are still there; ties between its active members are drawn thicker and
darker the more the two trust each other; a group whose grant has ended has a
dashed outline, and a partner on paper a dotted one. A dissolved partnership
loses its shading and ties at once and leaves a small grey dotted ring where
its centre was, for a year (its members may be far apart by then).

Partnership labels are placed so that no two overlap (:func:`place_labels`).
In a crowded view (more than :data:`CROWDED` organisations) organisations in
no partnership shrink to small dots on the outer ring, so the partnerships
stay legible. ``text_scale`` enlarges every word for projector mode.

The view is drawn as SVG text: it costs a few milliseconds a month, needs
no JavaScript library (the app must work offline) and every element carries
a tooltip with the organisation's name. Each organisation carries its id
(``data-org``), so the page can show its state when it is clicked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np

if TYPE_CHECKING:
    from partnersim.agents import Organisation, Partnership
    from partnersim.model import PartnershipModel

__all__ = [
    "GHOST_MONTHS",
    "KIND_STYLE",
    "NetworkLayout",
    "convex_hull",
    "network_svg",
    "organisation_portrayal",
    "place_labels",
    "tie_style",
]

#: Above this many organisations the view is crowded: idle organisations become small dots.
CROWDED = 120

#: Colour (Okabe-Ito, safe for colour-blind students), shape and legend words per sector.
KIND_STYLE: dict[str, dict[str, str]] = {
    "statutory": {"color": "#0072B2", "shape": "square", "label": "statutory body"},
    "large_charity": {"color": "#E69F00", "shape": "diamond", "label": "large charity"},
    "vcse": {"color": "#009E73", "shape": "circle", "label": "small VCSE group"},
}
#: Faded fill for organisations in no live partnership.
IDLE_COLOR = "#c8c8c8"
#: Months a dissolved partnership's marker stays on the view.
GHOST_MONTHS = 12
#: Light fills told apart by partnership number.
GROUP_COLORS = ("#56B4E9", "#CC79A7", "#F0E442", "#009E73", "#E69F00", "#0072B2", "#D55E00", "#999999")

WIDTH, HEIGHT, MARGIN = 640, 490, 34
#: Dash patterns, each with one meaning (the legend shows them all).
GROUP_UNFUNDED_DASH = "10 5"  # a partnership's outline once its grant has ended
PAPER_DASH = "2 2"  # an organisation's outline when it is a partner on paper
GHOST_DASH = "2 3"  # the small ring left where a dissolved partnership was


def organisation_portrayal(org: Organisation) -> dict[str, Any]:
    """How one organisation is drawn: colour and shape by kind, faded when in no live partnership.

    Returns a dict with ``color``, ``shape``, ``size`` (radius in pixels),
    ``active`` and ``paper`` (a partner on paper in every live partnership it is in).
    """
    style = KIND_STYLE[org.sector]
    live = [q for q in org.memberships if q.alive]
    paper = bool(live) and all(org.unique_id in q.paper for q in live)
    return {
        "color": style["color"] if live else IDLE_COLOR,
        "shape": style["shape"],
        "size": 7.0 + 1.5 * min(len(live), 4),
        "active": bool(live),
        "paper": paper,
    }


def tie_style(trust: float) -> dict[str, float]:
    """Line width and opacity of a tie with this trust (0-1): thicker and darker as trust grows."""
    t = min(max(trust, 0.0), 1.0)
    return {"width": 0.6 + 5.0 * t * t, "opacity": 0.15 + 0.75 * t}


def convex_hull(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The convex hull of ``points``, counter-clockwise (Andrew's monotone chain)."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


#: Organisations in no live partnership wait on a ring at this radius; partnerships fill the inside.
RING_RADIUS = 0.97
INNER_RADIUS = 0.80


@dataclass
class NetworkLayout:
    """Positions of organisations (and partnership centres) that move only when membership changes.

    Members of live partnerships are laid out by a spring layout in which
    each member is tied to its partnership's centre, so partnerships show as
    groups. Organisations in no live partnership wait on an outer ring, each
    at its own fixed place. The layout has its own random generator, so
    drawing never changes a run.
    """

    seed: int = 0
    pos: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)
    signature: frozenset[tuple[int, int]] | None = None
    inner: set[tuple[str, int]] = field(default_factory=set)
    relayouts: int = 0
    #: where each partnership's centre was when last drawn alive (for the marker it leaves)
    last_hub: dict[int, np.ndarray] = field(default_factory=dict)

    def update(self, model: PartnershipModel) -> dict[tuple[str, int], np.ndarray]:
        """Positions for this month: ``("o", unique_id)`` and ``("p", number)`` keys in [-1, 1]."""
        alive = [q for q in model.partnerships_created if q.alive]
        signature = frozenset((q.number, m.unique_id) for q in alive for m in q.members)
        if signature == self.signature and self.pos:
            return self.pos
        orgs = model.organisations
        angles = np.linspace(0, 2 * np.pi, len(orgs), endpoint=False)
        ring = {
            ("o", o.unique_id): RING_RADIUS * np.array([np.cos(a), np.sin(a)])
            for o, a in zip(orgs, angles, strict=True)
        }
        graph = nx.Graph()
        for q in alive:
            hub = ("p", q.number)
            graph.add_node(hub)
            for m in q.members:
                graph.add_edge(hub, ("o", m.unique_id), weight=0.3 if m.unique_id in q.paper else 1.0)
        pos = dict(ring)
        if graph.number_of_nodes():
            rng = np.random.default_rng(self.seed + self.relayouts)
            start = {}
            for node in graph.nodes:
                if node in self.inner:
                    start[node] = self.pos[node]
                elif node[0] == "p":
                    members = [self.pos.get(n, ring[n]) for n in graph.neighbors(node)]
                    start[node] = np.mean(members, axis=0)
                else:
                    # a newcomer walks in from its place on the ring
                    start[node] = ring[node] * (0.7 + 0.1 * rng.random())
            first = not self.pos
            inner = nx.spring_layout(
                graph,
                pos=start,
                iterations=80 if first else 20,
                k=2.0 / np.sqrt(graph.number_of_nodes()),
                seed=self.seed,
                weight="weight",
                scale=INNER_RADIUS,
            )
            pos.update({node: np.asarray(xy, dtype=float) for node, xy in inner.items()})
        self.pos = pos
        self.last_hub.update({q.number: pos[("p", q.number)] for q in alive if ("p", q.number) in pos})
        self.inner = set(graph.nodes)
        self.signature = signature
        self.relayouts += 1
        return self.pos


def _xy(p: np.ndarray) -> tuple[float, float]:
    """Layout coordinates in [-1, 1] to pixels."""
    x = MARGIN + (float(p[0]) + 1.0) / 2.0 * (WIDTH - 2 * MARGIN)
    y = MARGIN + 20 + (float(p[1]) + 1.0) / 2.0 * (HEIGHT - 2 * MARGIN - 60)
    return round(x, 1), round(y, 1)


def _shape(shape: str, x: float, y: float, r: float, attrs: str) -> str:
    if shape == "square":
        s = r * 0.9
        return f'<rect x="{x - s:.1f}" y="{y - s:.1f}" width="{2 * s:.1f}" height="{2 * s:.1f}" {attrs}/>'
    if shape == "diamond":
        d = r * 1.25
        pts = f"{x:.1f},{y - d:.1f} {x + d:.1f},{y:.1f} {x:.1f},{y + d:.1f} {x - d:.1f},{y:.1f}"
        return f'<polygon points="{pts}" {attrs}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {attrs}/>'


def _group_path(points: list[tuple[float, float]]) -> str:
    hull = convex_hull(points)
    if len(hull) == 1:
        hull = hull * 2
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in hull)


Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    anchors: Sequence[tuple[float, float]], sizes: Sequence[tuple[float, float]], bounds: Box
) -> list[tuple[float, float]]:
    """Centres for labels of ``sizes`` (width, height) near ``anchors``, no two overlapping.

    Greedy: each label takes the first free spot on rings of growing radius
    around its anchor, inside ``bounds``; if none is free it keeps the spot
    that overlaps least (a crowded view still shows every label).
    """
    placed: list[Box] = []
    out = []
    for (ax, ay), (w, h) in zip(anchors, sizes, strict=True):
        best, best_hits = (ax, ay), None
        for ring in range(0, 9):
            steps = 1 if ring == 0 else 8 * ring
            for k in range(steps):
                angle = 2 * np.pi * k / steps - np.pi / 2
                x = ax + ring * 0.6 * w * np.cos(angle)
                y = ay + ring * 1.1 * h * np.sin(angle)
                x = min(max(x, bounds[0] + w / 2), bounds[2] - w / 2)
                y = min(max(y, bounds[1] + h / 2), bounds[3] - h / 2)
                box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
                hits = sum(_overlaps(box, other) for other in placed)
                if best_hits is None or hits < best_hits:
                    best, best_hits = (x, y), hits
                if hits == 0:
                    break
            if best_hits == 0:
                break
        x, y = best
        placed.append((x - w / 2, y - h / 2, x + w / 2, y + h / 2))
        out.append((round(float(x), 1), round(float(y), 1)))
    return out


def _pair_trust(q: Partnership, a: Organisation, b: Organisation) -> float:
    return (q.trust(a, b) + q.trust(b, a)) / 2.0


def network_svg(model: PartnershipModel, layout: NetworkLayout, text_scale: float = 1.0) -> str:
    """The network view of ``model`` this month, as an SVG document (words enlarged by ``text_scale``)."""
    pos = layout.update(model)
    fs = text_scale
    crowded = len(model.organisations) > CROWDED
    now = model.steps
    xy = {o.unique_id: _xy(pos[("o", o.unique_id)]) for o in model.organisations}
    alive = [q for q in model.partnerships_created if q.alive]
    ghosts = [
        q
        for q in model.partnerships_created
        if not q.alive and q.dissolved_at is not None and now - q.dissolved_at < GHOST_MONTHS
    ]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" class="ps-network" role="img" aria-label="Network of organisations and partnerships">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="12" y="26" font-size="{20 * fs:.0f}" font-weight="bold" fill="#222">Month {now}</text>',
        f'<text x="{WIDTH - 12}" y="26" font-size="{14 * fs:.0f}" text-anchor="end" fill="#444">'
        f"{len(alive)} of {len(model.partnerships_created)} partnerships active</text>",
    ]
    # a dissolved partnership: a small ring where its centre last was (not around its
    # members, who may be back on the outer ring); groups next, so ties and nodes sit on top
    ghost_at = {q.number: _xy(layout.last_hub[q.number]) for q in ghosts if q.number in layout.last_hub}
    for q in ghosts:
        if q.number in ghost_at:
            x, y = ghost_at[q.number]
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="none" stroke="#888" stroke-width="1.5" '
                f'stroke-dasharray="{GHOST_DASH}" class="ps-ghost">'
                f"<title>Partnership {q.number} dissolved in month {q.dissolved_at}</title></circle>"
            )
    for q in alive:
        pts = [xy[m.unique_id] for m in q.members]
        if not pts:
            continue
        color = GROUP_COLORS[(q.number - 1) % len(GROUP_COLORS)]
        dash = "" if q.funded else f' stroke-dasharray="{GROUP_UNFUNDED_DASH}"'
        out.append(
            f'<polygon points="{_group_path(pts)}" fill="{color}" fill-opacity="0.16" stroke="{color}" '
            f'stroke-opacity="0.30" stroke-width="30" stroke-linejoin="round"{dash} class="ps-group">'
            f"<title>Partnership {q.number}: {len(q.members)} members</title></polygon>"
        )
    # ties between active members, by trust (pairs in several partnerships: the strongest)
    ties: dict[tuple[int, int], float] = {}
    for q in alive:
        active = q.active_members
        for i, a in enumerate(active):
            for b in active[i + 1 :]:
                key = (min(a.unique_id, b.unique_id), max(a.unique_id, b.unique_id))
                ties[key] = max(ties.get(key, 0.0), _pair_trust(q, a, b))
    for (a, b), t in sorted(ties.items(), key=lambda kv: kv[1]):
        st = tie_style(t)
        (x1, y1), (x2, y2) = xy[a], xy[b]
        out.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#1b2a49" '
            f'stroke-width="{st["width"]:.2f}" stroke-opacity="{st["opacity"]:.2f}" class="ps-tie"/>'
        )
    for o in model.organisations:
        look = organisation_portrayal(o)
        x, y = xy[o.unique_id]
        size = look["size"] if look["active"] or not crowded else 3.0
        dash = f' stroke-dasharray="{PAPER_DASH}"' if look["paper"] else ""
        stroke = "#333" if look["active"] or not crowded else "none"
        attrs = (
            f'fill="{look["color"]}" stroke="{stroke}" stroke-width="1"{dash} class="ps-org ps-{o.sector}"'
        )
        tip = escape(model.name_of(o)) + (" (partner on paper)" if look["paper"] else "")
        out.append(
            f'<g data-org="{o.unique_id}" style="cursor:pointer"><title>{tip} (click for its state)</title>'
            f"{_shape(look['shape'], x, y, size, attrs)}</g>"
        )
    # labels last, each moved off the others: partnerships first, then the dissolved markers
    labels: list[tuple[tuple[float, float], str, str]] = []
    label_fs, status_fs, ghost_fs = 13 * fs, 10 * fs, 11 * fs
    for q in alive:
        hub = pos.get(("p", q.number))
        if hub is None:
            continue
        status = ("£" if q.funded else "no £") + (" C" if q.coordinator_present else "")
        width = 0.62 * label_fs * len(f"P{q.number}") + 0.55 * status_fs * (len(status) + 1)
        text = (
            f'font-size="{label_fs:.0f}" font-weight="bold" text-anchor="middle" dominant-baseline="middle" '
            f'fill="#111" stroke="#fff" stroke-width="3" paint-order="stroke" class="ps-label">'
            f'P{q.number}<tspan font-size="{status_fs:.0f}" font-weight="normal" dx="3">{escape(status)}</tspan>'
        )
        labels.append((_xy(hub), text, f"{width:.1f},{label_fs * 1.2:.1f}"))
    for q in ghosts:
        if q.number in ghost_at:
            x, y = ghost_at[q.number]
            words = f"P{q.number} ended"
            text = (
                f'font-size="{ghost_fs:.0f}" text-anchor="middle" dominant-baseline="middle" fill="#666" '
                f'stroke="#fff" stroke-width="3" paint-order="stroke" class="ps-ghost-label">{words}'
            )
            labels.append(((x, y + 20), text, f"{0.58 * ghost_fs * len(words):.1f},{ghost_fs * 1.2:.1f}"))
    sizes = [tuple(float(v) for v in size.split(",")) for _, _, size in labels]
    spots = place_labels([a for a, _, _ in labels], sizes, (0.0, 34.0, float(WIDTH), HEIGHT - 62.0))
    for (x, y), ((ax, ay), text, _) in zip(spots, labels, strict=True):
        if abs(x - ax) + abs(y - ay) > 24:
            # a label moved off a crowded spot keeps a thin line to its partnership
            out.append(
                f'<line x1="{ax:.1f}" y1="{ay:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#555" '
                'stroke-width="0.8" class="ps-leader"/>'
            )
        out.append(f'<text x="{x}" y="{y}" {text}</text>')
    legend, bottom = _legend(fs)
    out.append(legend)
    out.append("</svg>")
    if bottom > HEIGHT:
        # a wrapped (projector-size) legend makes the view taller, never smaller
        out[0] = out[0].replace(f'viewBox="0 0 {WIDTH} {HEIGHT}"', f'viewBox="0 0 {WIDTH} {bottom:.0f}"')
        out[1] = out[1].replace(f'height="{HEIGHT}"', f'height="{bottom:.0f}"')
    return "".join(out)


def _legend(fs: float = 1.0, top: float = HEIGHT - 62) -> tuple[str, float]:
    """Shapes, then every line style with a sample, then the labels' words, wrapped to the width.

    Returns the SVG and the y where it ends; words are enlarged by ``fs``.
    """
    small = fs * 11
    row = 18 * fs
    parts: list[str] = []
    x, y = 12.0, top + row

    def room(width: float) -> None:
        nonlocal x, y
        if x > 12 and x + width > WIDTH - 8:
            x, y = 12.0, y + row

    for style in KIND_STYLE.values():
        width = 30 + 6.2 * fs * len(style["label"])
        room(width)
        attrs = f'fill="{style["color"]}" stroke="#333" stroke-width="1"'
        parts.append(_shape(style["shape"], x + 6, y - 4 * fs, 6, attrs))
        parts.append(
            f'<text x="{x + 16}" y="{y:.1f}" font-size="{small:.0f}" fill="#333">{style["label"]}</text>'
        )
        x += width
    x, y = 12.0, y + row
    green = KIND_STYLE["vcse"]["color"]
    samples = (
        ('<line x1="{x}" y1="{ym}" x2="{x22}" y2="{ym}" stroke="#1b2a49" stroke-width="3"/>', "trust"),
        (
            f'<rect x="{{x}}" y="{{yt}}" width="22" height="12" rx="4" fill="{GROUP_COLORS[0]}" '
            f'fill-opacity="0.3" stroke="{GROUP_COLORS[0]}" stroke-width="3"/>',
            "partnership",
        ),
        (
            f'<rect x="{{x}}" y="{{yt}}" width="22" height="12" rx="4" fill="{GROUP_COLORS[0]}" '
            f'fill-opacity="0.3" stroke="{GROUP_COLORS[0]}" stroke-width="5" stroke-dasharray="5 3"/>',
            "dashed: grant ended",
        ),
        (
            f'<circle cx="{{cx}}" cy="{{ym}}" r="6" fill="{green}" stroke="#333" stroke-width="1" '
            f'stroke-dasharray="{PAPER_DASH}"/>',
            "dotted: partner on paper",
        ),
        (
            f'<circle cx="{{cx}}" cy="{{ym}}" r="7" fill="none" stroke="#888" stroke-width="1.5" '
            f'stroke-dasharray="{GHOST_DASH}"/>',
            "dissolved, for a year",
        ),
    )
    for sample, words in samples:
        width = 34 + 5.6 * fs * len(words)
        room(width)
        ym = y - 4 * fs
        parts.append(
            sample.replace("{x}", f"{x:.1f}")
            .replace("{x22}", f"{x + 22:.1f}")
            .replace("{cx}", f"{x + 11:.1f}")
            .replace("{ym}", f"{ym:.1f}")
            .replace("{yt}", f"{ym - 6:.1f}")
        )
        parts.append(
            f'<text x="{x + 27:.1f}" y="{y:.1f}" font-size="{small:.0f}" fill="#333">{escape(words)}</text>'
        )
        x += width
    notes = (
        "thicker, darker line = more trust",
        "£ grant running · C coordinator in post",
        "grey = in no partnership",
    )
    x, y = 12.0, y + row
    line: list[str] = []
    for note in notes:
        width = 5.6 * fs * (len(note) + 3)
        if line and x + width > WIDTH - 8:
            parts.append(
                f'<text x="12" y="{y:.1f}" font-size="{small:.0f}" fill="#333">{" · ".join(line)}</text>'
            )
            line, x, y = [], 12.0, y + row
        line.append(note)
        x += width
    parts.append(f'<text x="12" y="{y:.1f}" font-size="{small:.0f}" fill="#333">{" · ".join(line)}</text>')
    return "".join(parts), y + 8

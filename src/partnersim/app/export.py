"""What a class can take away from the app: plots as PNG and CSV, the event log, a worksheet.

- :func:`chart_png` draws one live plot again with matplotlib (the page's plots are SVG);
- :func:`chart_csv` gives the numbers behind it;
- :func:`event_log_text` is the whole run's event log, oldest first;
- :func:`worksheet_html` is a one-page printable worksheet for a lesson: its
  questions with room to answer, and a reference list that explains the
  ``SEED:LINE`` citations in its text.
"""

from __future__ import annotations

import html
import io
import math
import re
from typing import TYPE_CHECKING

from partnersim.app.charts import Chart, chart_csv
from partnersim.app.events import month_sentences

if TYPE_CHECKING:
    from partnersim.lessons import Lesson
    from partnersim.model import PartnershipModel

__all__ = ["REPORTS", "chart_csv", "chart_png", "cited_reports", "event_log_text", "worksheet_html"]

#: The five field reports the model cites, by SEED (the first part of a ``SEED:LINE`` citation).
REPORTS: dict[str, str] = {
    "000": "Partnership and Collaboration within the BNSSG Vanguard Children and Young People's "
    "Services (NHS-led, Bristol, North Somerset and South Gloucestershire), 2025",
    "001": "Strategic Partnership Evidence Review (Barnardo's strategic partnerships with two councils), 2024",
    "002": "Healthy Communities Together evaluation: Interim report (The National Lottery Community "
    "Fund), October 2024",
    "003": "A Review of Partnership and Multi-Agency Working: an inquiry funded by the Bristol "
    "Children's Fund (UWE Research Team), June 2004",
    "004": "Capturing the Learning from the Reaching Out, Supporting Families Programme (Northern "
    "Ireland), 2022",
}

_CITATION = re.compile(r"\b(\d{3}):(\d+)(?:-\d+)?\b")


def chart_png(chart: Chart, model: PartnershipModel, dpi: int = 150) -> bytes:
    """One live plot as a PNG image, drawn with matplotlib."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = model.datacollector.model_vars
    fig, ax = plt.subplots(figsize=(6, 4), dpi=dpi)
    try:
        for reporter, legend, colour in chart.series:
            ys = [v if v is not None and math.isfinite(v) else math.nan for v in data.get(reporter, [])]
            ax.plot(range(len(ys)), ys, color=colour, label=legend, linewidth=2)
        ax.set_title(chart.title)
        ax.set_xlabel("month")
        ax.set_xlim(0, model.p.horizon)
        if chart.y_max is not None:
            ax.set_ylim(0, chart.y_max)
        else:
            ax.set_ylim(bottom=0)
        if len(chart.series) > 1:
            ax.legend()
        ax.grid(alpha=0.3)
        out = io.BytesIO()
        fig.savefig(out, format="png", bbox_inches="tight")
        return out.getvalue()
    finally:
        plt.close(fig)


def event_log_text(model: PartnershipModel) -> str:
    """The run's event log, one line a month, oldest first."""
    lines = month_sentences(list(model.events), newest_first=False)
    head = f"partnersim event log: month {model.steps} of {model.p.horizon}"
    return "\n".join([head, "", *lines]) + "\n"


def cited_reports(text: str) -> list[str]:
    """The SEEDs cited in ``text``, in order of first citation."""
    seen: list[str] = []
    for seed, _ in _CITATION.findall(text):
        if seed not in seen:
            seen.append(seed)
    return seen


def _question(line: str) -> str:
    """A 'thing to notice' as a question for the worksheet."""
    line = line.rstrip(".")
    return line if line.endswith("?") else f"Did you see this? {line}. What in the model makes it happen?"


def _how_to_read(text: str) -> str:
    """One sentence explaining the form of a citation, with the lesson's first one as the example."""
    found = _CITATION.search(text)
    if found is None:
        return "The lesson cites no field report."
    seed, line = found.groups()
    return (
        f"Numbers such as {found.group(0)} cite a field report and a line in it: report {seed}, line {line}."
    )


def worksheet_html(lesson: Lesson) -> str:
    """A one-page printable worksheet for ``lesson`` (HTML, for the browser's Print)."""
    esc = html.escape
    text = " ".join([lesson.what_is_it, lesson.how_it_works, *lesson.notice, *lesson.try_])
    refs = "".join(
        f"<li><strong>{seed}</strong>: {esc(REPORTS[seed])}</li>"
        for seed in cited_reports(text)
        if seed in REPORTS
    )
    notice = "".join(f'<li>{esc(_question(line))}<div class="answer"></div></li>' for line in lesson.notice)
    tries = "".join(f'<li>{esc(line)}<div class="answer"></div></li>' for line in lesson.try_)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Worksheet: {esc(lesson.title)}</title>
<style>
body {{ font-family: sans-serif; font-size: 12pt; max-width: 18cm; margin: 1cm auto; }}
h1 {{ font-size: 16pt; margin: 0 0 4pt 0; }} h2 {{ font-size: 13pt; margin: 10pt 0 4pt 0; }}
.answer {{ border-bottom: 1px solid #999; height: 2.2em; margin-bottom: 4pt; }}
.refs {{ font-size: 10pt; }} @page {{ size: A4; margin: 1cm; }}
</style></head><body>
<h1>Worksheet: {esc(lesson.title)}</h1>
<p>Name: ____________________ &nbsp; Date: __________ &nbsp; Lesson settings: seed {lesson.seed}</p>
<p><strong>What is it?</strong> {esc(lesson.what_is_it)}</p>
<p><strong>How it works.</strong> {esc(lesson.how_it_works)}</p>
<h2>Run the lesson and answer</h2><ol>{notice}</ol>
<h2>Try it and write what changed</h2><ol>{tries}</ol>
<h2>References</h2>
<p class="refs">{esc(_how_to_read(text))}</p>
<ul class="refs">{refs}</ul>
</body></html>
"""

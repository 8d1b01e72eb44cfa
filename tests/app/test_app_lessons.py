"""Lessons: valid presets and complete Info texts."""

from __future__ import annotations

import html
import re

import pytest

from partnersim.app.classroom import ClassroomModel
from partnersim.app.controls import classroom_range, control_label, slider_names
from partnersim.lessons import DEFAULT_LESSON, LESSONS
from partnersim.schema import PARAMETERS

CITATION = re.compile(r"\b\d{3}:\d+\b")


def test_at_least_five_guided_lessons_and_a_default() -> None:
    assert DEFAULT_LESSON in LESSONS
    guided = [k for k, les in LESSONS.items() if les.preset]
    assert len(guided) >= 5
    for key in ("grant_ends", "coordinator_leaves", "strategic_communicative", "open_doors", "staff_churn"):
        assert key in LESSONS


@pytest.mark.parametrize("key", list(LESSONS))
def test_preset_is_valid_against_the_schema(key: str) -> None:
    lesson = LESSONS[key]
    params = lesson.parameters()  # raises ParameterError if not
    for name, value in lesson.preset.items():
        assert name in PARAMETERS
        assert params[name] == value
    # sliders start where the preset says, so no value may sit outside the classroom range
    for name in set(lesson.preset) & set(slider_names()):
        p = PARAMETERS[name]
        if p.kind in (int, float):
            low, high = classroom_range(p)
            assert low <= lesson.preset[name] <= high


@pytest.mark.parametrize("key", list(LESSONS))
def test_info_text_has_the_four_netlogo_sections(key: str) -> None:
    lesson = LESSONS[key]
    text = lesson.info_markdown()
    for heading in ("What is it?", "How it works.", "Things to notice.", "Things to try."):
        assert heading in text
    assert lesson.what_is_it and lesson.how_it_works and lesson.notice and lesson.try_
    assert CITATION.search(lesson.how_it_works), "How it works must cite the evidence (SEED:LINE)"


def test_controls_named_in_lessons_exist() -> None:
    """Quoted control names ('...') must match a control's words, so texts follow the schema."""
    labels = [control_label(PARAMETERS[n]) for n in slider_names()]
    for lesson in LESSONS.values():
        for line in lesson.try_ + lesson.notice:
            for quoted in re.findall(r"'([^']+)'", line):
                if quoted in {"Active partnerships"}:  # a plot title, not a control
                    continue
                if quoted.startswith("the coordinator"):  # an event log phrase
                    continue
                assert any(quoted in label for label in labels), (lesson.key, quoted)


@pytest.mark.parametrize("key", list(LESSONS))
def test_reset_builds_the_current_lesson_with_only_moved_controls_changed(key: str) -> None:
    """Reset builds the lesson with the controls as they stand: the rest, seed included, is the lesson's."""
    from partnersim.app.page import build_model, lesson_values

    lesson = LESSONS[key]
    first = build_model(key, {})
    assert first.p == {**first.p, **lesson.preset}
    reset = build_model(key, {**lesson_values(key), "funding_length": 42})
    assert reset.p == {**first.p, "funding_length": 42}
    expected = ClassroomModel(**{**lesson.parameters(), "funding_length": 42})
    for _ in range(40):
        reset.advance()
        expected.advance()
    assert reset.events == expected.events  # the lesson's seed, not a random one


def test_the_seed_control_reaches_the_model() -> None:
    """The seed slider's value is the run's seed: two seeds, two runs."""
    from partnersim.app.page import build_model, lesson_values

    runs = []
    for seed in (0, 7):
        model = build_model("explore", {**lesson_values("explore"), "rng": seed})
        assert model.seed == seed
        for _ in range(24):
            model.advance()
        runs.append(list(model.events))
    assert runs[0] != runs[1]


def test_grant_ends_reset_renews_no_grant() -> None:
    from partnersim.app.page import build_model

    model = build_model("grant_ends", {"funding_length": 42})
    for _ in range(60):
        model.advance()
    assert not any("renewed" in text for _, text in model.events)
    assert any("ended" in text for _, text in model.events)


def test_a_retired_model_stops_a_play_loop() -> None:
    from partnersim.app.page import build_model

    model = build_model("explore", {})
    model.advance()
    events = list(model.events)
    model.retire()
    assert not model.advance()
    assert not model.running
    assert list(model.events) == events


def test_grant_ends_claim_a_drop_in_the_months_after_month_36_then_a_further_fall() -> None:
    """'Active partnerships' slips while grants pay (months 1-36), drops faster in the year after, then keeps falling."""
    np = pytest.importorskip("numpy")
    from partnersim.model import run_model

    params = LESSONS["grant_ends"].parameters()
    assert params["funding_length"] == 36
    active = np.array(
        [
            run_model({**params, "rng": seed, "horizon": 60}).timeseries().active_partnerships.values
            for seed in range(5)
        ]
    ).mean(axis=0)
    assert active[0] - active[36] > 0, "a few partnerships end while every grant still pays"
    # the year after the grants end loses more than the three funded years did
    assert active[36] - active[48] > active[0] - active[36] and active[36] - active[48] >= 2
    assert active[48] > active[60], "then a further fall, not all at once"


def _readme_app_section() -> str:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("## The classroom app")
    return readme[start : readme.index("\n## ", start + 1)]


def test_readme_event_log_example_is_what_the_app_prints() -> None:
    """The README quotes the log of the 'The grant ends' lesson as it opens."""
    from partnersim.app.classroom import render_frame
    from partnersim.app.page import build_model

    section = " ".join(_readme_app_section().split())
    quotes = re.findall(r"\*([^*]*\bwent on paper\.|[^*]*for months\.)\*", section)
    assert len(quotes) == 2, quotes
    model = build_model("grant_ends", {})
    for _ in range(40):
        model.advance()
    log = render_frame(model).log
    for quote in quotes:
        month = re.match(r"Month (\d+): ", quote)
        lines = [line for line in log if month is None or line.startswith(month.group(0))]
        text = quote.removeprefix(month.group(0) if month else "").lower()
        # one month's line, sentences may start with a capital there
        assert any(text in line.lower() for line in lines), quote


@pytest.mark.parametrize("key", list(LESSONS))
def test_info_text_is_html_made_on_the_server(key: str) -> None:
    """The page shows HTML, not solara.Markdown, which loads mermaid and KaTeX from a CDN."""
    lesson = LESSONS[key]
    page = lesson.info_html()
    assert page.startswith(f"<h3>{html.escape(lesson.title, quote=False)}</h3>")
    assert page.count("<strong>") == 4
    assert page.count("<li>") == len(lesson.notice) + len(lesson.try_)
    assert "<script" not in page and "**" not in page


def test_info_html_shows_angle_brackets_as_written() -> None:
    from dataclasses import replace

    lesson = replace(LESSONS[DEFAULT_LESSON], what_is_it="a <b>bold</b> & odd text")
    assert "a &lt;b&gt;bold&lt;/b&gt; &amp; odd text" in lesson.info_html()


def test_page_renders_no_markdown_component() -> None:
    import inspect

    from partnersim.app import page

    assert "solara.Markdown(" not in inspect.getsource(page)


# ---------------------------------------------------------------- lessons show what they claim

from partnersim.lesson_claims import CHECKS, check_claim, run_lesson  # noqa: E402

_RUNS: dict[str, object] = {}


def _lesson_run(key: str):
    """Each lesson run once, headless, to its end, as the app runs it (views drawn every 6 months)."""
    if key not in _RUNS:
        _RUNS[key] = run_lesson(LESSONS[key].parameters(), draw_every=6)
    return _RUNS[key]


@pytest.mark.parametrize("key", list(LESSONS))
def test_every_statement_in_things_to_notice_has_a_claim(key: str) -> None:
    """A 'thing to notice' that says what the run shows carries a check; a question to the class needs none."""
    lesson = LESSONS[key]
    backed = {c.notice for c in lesson.claims}
    for i, line in enumerate(lesson.notice):
        if not line.rstrip().endswith("?"):
            assert i in backed, (key, line)
    for c in lesson.claims:
        assert 0 <= c.notice < len(lesson.notice) and c.check in CHECKS, (key, c)


CLAIMS = [(key, i) for key, les in LESSONS.items() for i in range(len(les.claims))]


@pytest.mark.parametrize(("key", "index"), CLAIMS, ids=[f"{k}-{i}" for k, i in CLAIMS])
def test_each_lesson_run_shows_what_its_text_claims(key: str, index: int) -> None:
    """Runs the lesson (its seed and settings) to its end and checks one claim its text makes."""
    lesson = LESSONS[key]
    claim = lesson.claims[index]
    assert check_claim(claim, _lesson_run(key)), (
        f"{key}: '{lesson.notice[claim.notice]}' ({claim.check} {claim.args})"
    )


def test_no_two_lessons_end_the_same_way() -> None:
    """Lessons are told apart by their runs: no two give the same partnerships, lifetimes and endings."""
    endings = {}
    for key in LESSONS:
        run = _lesson_run(key)
        ending = (tuple(run.series.active_partnerships), tuple(e for _, e in run.events if "dissolved" in e))
        assert ending not in endings.values(), (key, [k for k, v in endings.items() if v == ending])
        endings[key] = ending


@pytest.mark.parametrize("key", list(LESSONS))
def test_worksheet_holds_the_questions_and_explains_every_citation(key: str) -> None:
    from partnersim.app.export import REPORTS, worksheet_html

    lesson = LESSONS[key]
    sheet = worksheet_html(lesson)
    text = " ".join([lesson.what_is_it, lesson.how_it_works, *lesson.notice, *lesson.try_])
    for seed in {c.split(":")[0] for c in CITATION.findall(text)}:
        assert f"<strong>{seed}</strong>: {html.escape(REPORTS[seed])}" in sheet
    assert sheet.count('class="answer"') == len(lesson.notice) + len(lesson.try_)
    assert "References" in sheet and html.escape(lesson.title) in sheet

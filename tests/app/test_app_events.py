"""The event log in plain words."""

from __future__ import annotations

from partnersim.app.classroom import ClassroomModel
from partnersim.app.events import CAUSE_WORDS, month_sentences, parse_event


def test_one_month_of_one_partnership_is_one_sentence() -> None:
    events = [
        (37, "Month 37: the grant of Partnership 4 ended and its coordinator post went"),
        (37, "Month 37: Riverside Youth Project left Partnership 4"),
    ]
    assert month_sentences(events) == [
        "Month 37: the grant of Partnership 4 ended and its coordinator post went; Riverside Youth Project left."
    ]


def test_same_kind_events_are_listed_together_and_later_clauses_say_it() -> None:
    events = [
        (5, "Month 5: the representative of Oakwood Family Hub in Partnership 2 left"),
        (5, "Month 5: the representative of Bridge Police in Partnership 2 left"),
        (5, "Month 5: Meadow Play Association became a partner on paper in Partnership 2"),
        (5, "Month 5: Partnership 2 dissolved (commitment collapse)"),
    ]
    (line,) = month_sentences(events)
    assert line == (
        "Month 5: the representatives of Oakwood Family Hub and Bridge Police in Partnership 2 left; "
        "Meadow Play Association went on paper; it dissolved because its members' commitment collapsed."
    )


def test_system_events_come_first_and_repeats_are_counted() -> None:
    events = [
        (9, "Month 9: the coordinator of Partnership 6 left"),
        (9, "Month 9: a networking event brought organisations together"),
        (9, "Month 9: a networking event brought organisations together"),
        (8, "Month 8: Partnership 3 dissolved (funding ended)"),
    ]
    assert month_sentences(events) == [
        "Month 9: 2 networking events brought organisations together. The coordinator of Partnership 6 left.",
        f"Month 8: Partnership 3 dissolved because {CAUSE_WORDS['funding_ended']}.",
    ]
    assert month_sentences(events, newest_first=False)[0].startswith("Month 8")


def test_unknown_events_are_kept_word_for_word() -> None:
    e = parse_event(3, "Month 3: the sky fell on Partnership 9 somehow")
    assert e.kind == "other"
    assert month_sentences([(3, "Month 3: something new happened")]) == ["Month 3: something new happened."]


def test_every_model_event_about_a_partnership_is_understood() -> None:
    """Guards the wording against changes in the model's event texts."""
    model = ClassroomModel(
        rng=3,
        membership="open",
        formation=True,
        formation_rate=6.0,
        funding_length=12,
        renewal_probability=0.5,
        funding_gap=2,
        staff_turnover=0.5,
        horizon=60,
    )
    seen = []
    while model.running:
        model.step()
        seen.extend(model.events)
        model.events.clear()
    kinds = {parse_event(m, t).kind for m, t in seen}
    unparsed = [t for m, t in seen if "Partnership" in t and parse_event(m, t).kind == "other"]
    assert not unparsed, unparsed[:5]
    assert {"grant_ended", "rep_left", "dissolved"} <= kinds
    for m, t in seen:
        e = parse_event(m, t)
        if e.kind == "dissolved":
            assert e.detail.replace(" ", "_") in CAUSE_WORDS, e.detail

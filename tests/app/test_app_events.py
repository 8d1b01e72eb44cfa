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


def test_same_kind_events_are_listed_together_and_a_dissolution_names_its_partnership() -> None:
    """Later clauses say "it" for the grant, but a dissolution names the partnership: after an
    organisation's name, "it dissolved" could be read as the organisation."""
    events = [
        (5, "Month 5: the representative of Oakwood Family Hub in Partnership 2 left"),
        (5, "Month 5: the representative of Bridge Police in Partnership 2 left"),
        (5, "Month 5: Meadow Play Association became a partner on paper in Partnership 2"),
        (5, "Month 5: Partnership 2 dissolved (commitment collapse)"),
    ]
    (line,) = month_sentences(events)
    assert line == (
        "Month 5: the representatives of Oakwood Family Hub and Bridge Police in Partnership 2 left; "
        "Meadow Play Association went on paper; Partnership 2 dissolved because its members' commitment "
        "collapsed."
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


def test_a_partner_on_paper_becoming_active_again_is_reported() -> None:
    events = [
        (12, "Month 12: Meadow Play Association became an active partner again in Partnership 2"),
        (12, "Month 12: Bridge Police became an active partner again in Partnership 2"),
        (12, "Month 12: Oakwood Family Hub became a partner on paper in Partnership 5"),
    ]
    assert month_sentences(events) == [
        "Month 12: Meadow Play Association and Bridge Police became active partners again in "
        "Partnership 2. Oakwood Family Hub became a partner on paper in Partnership 5."
    ]


def test_the_log_tracks_who_is_on_paper() -> None:
    """Reading the log alone, a class knows who is on paper: every change of that state is reported."""
    model = ClassroomModel(rng=2, staff_turnover=0.3)
    read: set[tuple[int, str]] = set()
    returns = 0
    seen = 0
    while model.advance():
        new = list(model.events)[seen:]
        seen = len(model.events)
        for month, text in new:
            e = parse_event(month, text)
            if e.kind == "paper":
                read.add((e.partnership, e.org))
            elif e.kind == "active_again":
                returns += 1
                read.discard((e.partnership, e.org))
            elif e.kind == "member_left":
                read.discard((e.partnership, e.org))
            elif e.kind == "dissolved":
                read = {(n, o) for n, o in read if n != e.partnership}
        actual = {
            (q.number, model.name_of(model.organisation(uid)))
            for q in model.partnerships_created
            if q.alive
            for uid in q.paper
        }
        assert read == actual, model.steps
    assert returns > 0, "no partner came back from paper in this run; the test needs a seed where one does"

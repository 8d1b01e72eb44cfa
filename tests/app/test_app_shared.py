"""Participatory mode's shared run, headless: joining, deciding, rules, and exact replay."""

from __future__ import annotations

import random

import pytest

from partnersim.app.classroom import ClassroomModel
from partnersim.app.shared import CHOICES, JoinError, SharedRun
from partnersim.lessons import LESSONS


def _run() -> SharedRun:
    return SharedRun(dict(LESSONS["explore"].parameters()))


def _random_choices(run: SharedRun, org: int, rng: random.Random) -> dict:
    choices = {}
    for part in run.organisation_view(org)["partnerships"]:
        for what in ("attend", "hours", "status") + (("renew",) if part["holds_grant"] else ()):
            if rng.random() < 0.8:  # some choices left open: the model decides those
                choices[(part["number"], what)] = rng.choice(CHOICES[what])
    return choices


def test_join_needs_the_code_and_gives_each_student_their_own_organisation() -> None:
    run = _run()
    with pytest.raises(JoinError, match="join code"):
        run.join("XXXX" if run.join_code != "XXXX" else "YYYY", "Ann")
    students = [run.join(run.join_code.lower(), f"s{i}") for i in range(30)]
    orgs = [s.org for s in students]
    assert len(set(orgs)) == 30
    model = run.model
    in_partnership = [o for o in model.organisations if any(q.alive for q in o.memberships)]
    # organisations in a partnership are played first
    played = [any(q.alive for q in model.organisation(o).memberships) for o in orgs]
    assert played == sorted(played, reverse=True) and sum(played) == min(30, len(in_partnership))
    assert model.organisation(orgs[0]).sector == "statutory"


def test_decisions_are_checked_and_only_for_the_students_own_partnerships() -> None:
    run = _run()
    s = run.join(run.join_code, "Ann")
    mine = {p["number"] for p in run.organisation_view(s.org)["partnerships"]}
    other = next(q.number for q in run.model.partnerships_created if q.number not in mine)
    with pytest.raises(ValueError, match="not one of"):
        run.decide(s.key, {(other, "attend"): True})
    with pytest.raises(ValueError, match="must be one of"):
        run.decide(s.key, {(min(mine), "hours"): 3.0})
    run.decide(s.key, {(min(mine), "attend"): False})
    assert run.decided() == {s.key: True}
    run.advance()
    assert run.decided() == {s.key: False}


def test_a_student_who_skips_every_meeting_gives_no_hours() -> None:
    """The choice reaches the model where it decides: skipping means not attending, so no hours."""
    run = _run()
    s = run.join(run.join_code, "Ann")
    org = run.model.organisation(s.org)
    for _ in range(6):
        run.decide(
            s.key, {(p["number"], "attend"): False for p in run.organisation_view(s.org)["partnerships"]}
        )
        run.advance()
        for q in org.memberships:
            if q.alive:
                assert org not in q.attendees
                assert q.contribution[org.unique_id] == 0.0


def test_the_model_plays_absent_students_and_can_wait_for_everyone() -> None:
    run = _run()
    a, b = run.join(run.join_code, "Ann"), run.join(run.join_code, "Ben")
    run.model_plays_absent = False
    run.decide(a.key, {})
    assert not run.advance() and run.model.steps == 0  # Ben has not decided
    run.decide(b.key, {})
    assert run.advance() and run.model.steps == 1
    # with nobody's choices the shared run is the lesson's own run
    plain = ClassroomModel(**LESSONS["explore"].parameters())
    plain.advance()
    assert list(plain.events) == list(run.model.events)


def test_a_recorded_run_replays_exactly() -> None:
    """Every decision is recorded; the replay rebuilds the same run, and the decisions mattered."""
    run = _run()
    rng = random.Random(3)
    students = [run.join(run.join_code, f"s{i}") for i in range(8)]
    for _ in range(30):
        for s in students:
            if rng.random() < 0.9:
                run.decide(s.key, _random_choices(run, s.org, rng))
        run.advance()
    assert len(run.record) >= 50
    assert run.replay_matches()
    plain = ClassroomModel(**LESSONS["explore"].parameters())
    for _ in range(30):
        plain.advance()
    assert list(plain.events) != list(run.model.events), "the students' choices changed nothing"


def test_a_student_sees_only_their_organisation() -> None:
    run = _run()
    s = run.join(run.join_code, "Ann")
    for _ in range(12):
        run.advance()
    view = run.organisation_view(s.org)
    org = run.model.organisation(s.org)
    assert view["name"] == run.model.name_of(org)
    assert {p["number"] for p in view["partnerships"]} == {q.number for q in org.memberships if q.alive}
    mine = {q.number for q in run.model.partnerships_created if org in q.members}
    for line in view["log"]:
        numbers = {int(n) for n in __import__("re").findall(r"Partnership (\d+)", line)}
        assert numbers <= mine or view["name"] in line, line


def test_a_downloaded_recording_replays_exactly() -> None:
    """The teacher's download (JSON) is enough to rebuild the run, month for month."""
    import json

    from partnersim.app.shared import replay_recording

    run = _run()
    rng = random.Random(5)
    students = [run.join(run.join_code, f"s{i}") for i in range(5)]
    for _ in range(12):
        for s in students:
            run.decide(s.key, _random_choices(run, s.org, rng))
        run.advance()
    again = replay_recording(json.loads(json.dumps(run.recording())))
    assert again.steps == 12
    assert list(again.events) == list(run.model.events)
    assert again.timeseries().equals(run.model.timeseries())

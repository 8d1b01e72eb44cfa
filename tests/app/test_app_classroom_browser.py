"""Participatory mode in a real browser: a teacher and five students share one run.

Starts ``partnersim app --classroom``; the teacher's page (address printed with
its key) shows the join code; five students join from their own browser
contexts, choose for their organisations and send; the teacher steps several
months and checks the replay of the recorded run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from browser_helpers import BROWSER_MARKS, UI_TIMEOUT_MS, app_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = BROWSER_MARKS

STUDENTS = 5
MONTHS = 3


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The students' address and the teacher's, as the command printed them."""
    log = tmp_path_factory.mktemp("classroom") / "server.log"
    with app_server(log, "--classroom") as url:
        printed = log.read_text()
        teacher = re.search(r"teacher, open (\S+)", printed).group(1)
        students = re.search(r"students, open (\S+)", printed).group(1)
        assert not re.search(r"open http://0\.0\.0\.0", printed)
        assert students == url.replace("127.0.0.1", "localhost")
        yield students, teacher


def _page(browser: Browser, url: str, width: int = 1000) -> Page:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.goto(url, timeout=UI_TIMEOUT_MS)
    return page


def _month(text: str) -> int:
    return int(re.search(r"Month (\d+) of", text).group(1))


def test_a_teacher_and_five_students_play_months_and_the_run_replays(
    browser: Browser, classroom: tuple[str, str]
) -> None:
    from playwright.sync_api import expect

    students_url, teacher_url = classroom
    teacher = _page(browser, teacher_url, 1366)
    expect(teacher.locator(".pc-code")).to_have_text(re.compile(r"^[A-Z]{4}$"))
    code = teacher.locator(".pc-code").inner_text()

    # a wrong teacher key is just a student's join page
    stranger = _page(browser, students_url + "?teacher=guess")
    expect(stranger.get_by_role("button", name="Join")).to_be_visible()
    assert stranger.locator(".pc-network").count() == 0
    stranger.get_by_label("Join code").fill("ZZZZ" if code != "ZZZZ" else "YYYY")
    stranger.get_by_role("button", name="Join").click()
    expect(stranger.locator(".pc-error")).to_contain_text("join code")
    stranger.context.close()

    students = []
    for i in range(STUDENTS):
        page = _page(browser, students_url)
        page.get_by_label("Join code").fill(code)
        page.get_by_label("Your name").fill(f"Student {i + 1}")
        page.get_by_role("button", name="Join").click()
        expect(page.locator("h1")).to_contain_text("You are ")
        # students see their own organisation, never the whole network
        assert page.locator(".pc-network, .ps-network").count() == 0
        students.append(page)
    names = {p.locator("h1").inner_text() for p in students}
    assert len(names) == STUDENTS, "each student plays a different organisation"
    expect(teacher.locator(".pc-students tbody tr")).to_have_count(STUDENTS)

    for month in range(1, MONTHS + 1):
        for i, page in enumerate(students):
            parts = page.locator(".pc-part")
            if parts.count():
                first = parts.first
                # students choose differently: skip, attend, go on paper...
                first.locator(".pc-choice-attend").get_by_role(
                    "button", name="skip" if i % 2 else "attend"
                ).click()
                first.locator(".pc-choice-hours").get_by_role(
                    "button", name=("none", "half of what we can", "all we can")[i % 3]
                ).click()
                if i == 4:
                    first.locator(".pc-choice-status").get_by_role("button", name="go on paper").click()
            page.get_by_role("button", name="Send my decisions for this month").click()
            expect(page.locator(".pc-sent")).to_be_visible()
        expect(teacher.locator(".pc-status")).to_contain_text(f"{STUDENTS} of {STUDENTS} students decided")
        teacher.get_by_role("button", name="Next month").click()
        expect(teacher.locator(".pc-status")).to_contain_text(f"Month {month} of")
        for page in students:
            expect(page.locator(".pc-me")).to_contain_text(f"Month {month} of")
            expect(page.locator(".pc-open")).to_be_visible()  # a new month: nothing sent yet
    # the fifth student went on paper in their first partnership, and their page says so
    expect(students[4].locator(".pc-part").first).to_contain_text("you are on paper")

    teacher.get_by_role("button", name="Check the replay").click()
    expect(teacher.locator(".pc-replay")).to_contain_text("identical to the run")
    replay = teacher.locator(".pc-replay").inner_text()
    assert int(re.search(r"Replay of (\d+) decisions", replay).group(1)) >= STUDENTS
    assert _month(teacher.locator(".pc-status").inner_text()) == MONTHS

"""The classroom app in a real browser: Debian's chromium, driven headless by Playwright.

Starts ``partnersim app`` on a free 127.0.0.1 port, loads the page, picks a
lesson, moves a slider, steps, and checks that the month counter and a plot
change and that the screenshot is not blank. The server is always killed.
Set ``PARTNERSIM_APP_SCREENSHOT=path.png`` to keep the screenshot.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from partnersim.app.classroom import ClassroomModel, render_frame
from partnersim.lessons import LESSONS

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60.0  # seconds; importing Solara and Mesa is slow on a busy machine
UI_TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh --browser)"),
]


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and anything it started (its own process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from partnersim.app.assets import fetch_assets, missing_assets
    from partnersim.commands.app import free_port

    if missing_assets() and shutil.which("npm"):
        # the CDN Solara uses may be blocked where the npm registry is not
        fetch_assets()
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "partnersim.cli", "app", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app exited with code {proc.returncode}:\n{log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"the app did not answer within {SERVER_START_TIMEOUT:.0f} s:\n{log.read_text()[-2000:]}"
                )
            time.sleep(0.5)
        assert f"localhost:{port}" in log.read_text(), "partnersim app must print its URL"
        yield url
    finally:
        _stop(proc)


def _month(page: Page) -> int:
    text = page.locator(".ps-month").first.inner_text()
    return int(text.split()[1])


def test_pick_lesson_move_slider_step_and_see_change(app_url: str, tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    image = pytest.importorskip("PIL.Image")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.goto(app_url, timeout=UI_TIMEOUT_MS)
            expect(page.locator(".ps-month")).to_contain_text("Month 0 of")

            slider = page.locator(".v-slider", has_text="Grant length (months)").locator("[role=slider]")
            renewal = page.locator(".v-slider", has_text="grant is renewed").locator("[role=slider]")
            # move a slider and play, then choose a lesson from the menu
            slider.focus()
            slider.press("ArrowRight")
            page.get_by_role("button", name="▶").click()
            expect(page.locator(".ps-month")).not_to_contain_text("Month 0 of")
            page.locator(".ps-lesson .v-select").click()
            page.get_by_role("option", name="The grant ends").click()
            expect(page.locator(".ps-info")).to_contain_text("The grant ends")
            expect(page.locator(".ps-info")).to_contain_text("Things to try")
            # the Info text is HTML from the server: no solara.Markdown, which loads scripts from a CDN
            expect(page.locator(".ps-info h3")).to_have_text("The grant ends")
            assert page.locator(".solara-markdown").count() == 0
            # the lesson stops play and puts every slider at its value
            expect(page.get_by_role("button", name="▶")).to_be_enabled()
            expect(page.locator(".ps-month")).to_contain_text("Month 0 of")
            grant_ends = LESSONS["grant_ends"].parameters()
            expect(slider).to_have_attribute("aria-valuenow", str(grant_ends["funding_length"]))
            expect(renewal).to_have_attribute("aria-valuenow", "0")

            # move the grant length slider, then Reset so the model takes it
            before = int(slider.get_attribute("aria-valuenow"))
            slider.focus()
            for _ in range(3):
                slider.press("ArrowRight")
            expect(slider).to_have_attribute("aria-valuenow", str(before + 3))
            page.get_by_role("button", name="Reset").click()
            expect(page.locator(".ps-month")).to_contain_text("Month 0 of")

            plot = page.locator(".ps-chart-output").first
            plot_before = plot.inner_html()
            log_before = page.locator(".ps-log").inner_text()
            step = page.get_by_role("button", name="Step")
            for month in range(1, 6):
                step.click()
                expect(page.locator(".ps-month")).to_contain_text(f"Month {month} of")
            assert _month(page) == 5
            assert plot.inner_html() != plot_before, "the output plot did not change"
            assert page.locator(".ps-log").inner_text() != log_before, "the event log did not change"
            # Reset ran the lesson (its seed included) with only the moved slider changed
            expected = ClassroomModel(**{**grant_ends, "funding_length": before + 3})
            for _ in range(5):
                expected.step()
            assert page.locator(".ps-log p").all_inner_texts() == render_frame(expected).log
            # the network view shows organisations as shapes
            assert page.locator(".ps-network-view .ps-org").count() >= 10

            shot = tmp_path / "app.png"
            page.screenshot(path=str(shot), full_page=False)
            keep = os.environ.get("PARTNERSIM_APP_SCREENSHOT")
            if keep:
                shutil.copy(shot, keep)
        finally:
            browser.close()
    pixels = np.asarray(image.open(shot).convert("L"), dtype=float)
    assert pixels.std() > 20, "the screenshot looks blank"
    # more than a handful of grey levels: text, shapes and lines were drawn
    assert len(np.unique(pixels.astype(int))) > 50

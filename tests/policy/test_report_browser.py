"""The funder's report in a real browser: Debian's chromium, headless, driven by Playwright.

Opens report.html of a small comparison, checks that nothing runs off the
side of the screen, that the first printed page holds the headline, the cost
table and the year-by-year table, and prints the report to A4 PDF. Set
``PARTNERSIM_REPORT_PDF=path.pdf`` to keep the PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from partnersim.policy import load_policies
from partnersim.policy.compare import run_comparison

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
]
QUICK = Path(__file__).resolve().parents[2] / "configs" / "funding-policies-quick.toml"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/setup.sh --browser)"),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("playwright")
    out = tmp_path_factory.mktemp("report")
    done = run_comparison(load_policies(QUICK), out)
    assert done.report is not None
    return done.report


#: A4 less the report's print margins (@page: 11 mm top and bottom, 10 mm each side), in CSS pixels
A4_CONTENT_PX = (190 / 25.4 * 96, 275 / 25.4 * 96)


def _pdf_pages(pdf: Path) -> list[str] | None:
    """The text of each page (pdftotext from poppler-utils), or None without it."""
    if shutil.which("pdftotext") is None:
        return None
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return text.stdout.split("\f")


def test_report_on_screen_and_printed_to_a4(report: Path, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    pdf = tmp_path / "report.pdf"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 900})
            page.goto(report.as_uri())
            first = page.locator("#first-page")
            assert "keeps the most partnerships working" in first.locator("#headline").inner_text()
            assert "What it costs" in first.locator("#headline").inner_text()
            costs = first.locator("table").first
            assert "per partnership still working" in costs.inner_text()
            # nothing off-screen: no sideways scrolling, and the last column of every table is in view
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            for table in page.locator("table").all():
                box = table.locator("tr").first.locator("th").last.bounding_box()
                assert box is not None and box["x"] + box["width"] <= 1024
            page.emulate_media(media="print")
            # laid out a page wide, the first page's section is no taller than one A4 page
            page.set_viewport_size({"width": int(A4_CONTENT_PX[0]), "height": int(A4_CONTENT_PX[1])})
            box = first.bounding_box()
            assert box is not None and box["height"] <= A4_CONTENT_PX[1], box
            page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
        finally:
            browser.close()
    keep = os.environ.get("PARTNERSIM_REPORT_PDF")
    if keep:
        shutil.copy(pdf, keep)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = _pdf_pages(pdf)
    if text is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's pages were not read")
    pages = [p for p in text if p.strip()]
    assert len(pages) >= 3
    one = pages[0]
    # the first page holds the headline, the cost table and the year-by-year table, and nothing after them
    for text in ("What funding policies do", "keeps the most partnerships working", "What it costs the funder",
                 "per partnership-year", "Partnerships still working at the end of each year", "year 6",
                 "Methods and details follow"):  # fmt: skip
        assert text in one, text
    assert "Summary" not in one and "Summary" in pages[1]

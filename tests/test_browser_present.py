"""Real browser: leaving presentation mode, full screen, the arrow keys on /profiles, and a PDF handout download."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from test_browser import TIMEOUT_MS, _settle, browser, server  # noqa: F401  (module-scoped fixtures)

from framework import pdf

pytestmark = pytest.mark.browser


def test_presentation_mode_keys_full_screen_and_exit(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="th-TH")
    try:
        page.goto(f"{server}/profiles?stage=Mature&group=Service&present=1", timeout=TIMEOUT_MS)
        exit_button = page.get_by_role("button", name="ออกจากโหมดนำเสนอ")
        exit_button.wait_for(timeout=TIMEOUT_MS)
        _settle(page)
        assert not page.locator('[data-testid="stHeader"]').is_visible()

        page.keyboard.press("ArrowRight")  # next staff group
        page.wait_for_function("() => location.search.includes('group=Technologist')", timeout=TIMEOUT_MS)
        page.keyboard.press("ArrowUp")  # previous stage
        page.wait_for_function("() => location.search.includes('stage=Developing')", timeout=TIMEOUT_MS)
        assert "present=1" in page.url

        page.locator("#skills-fullscreen").click()
        page.wait_for_function("() => !!document.fullscreenElement", timeout=TIMEOUT_MS)
        page.evaluate("() => document.exitFullscreen()")

        exit_button.click()
        page.wait_for_function("() => !location.search.includes('present')", timeout=TIMEOUT_MS)
        page.locator('[data-testid="stHeader"]').wait_for(state="visible", timeout=TIMEOUT_MS)
        assert "stage=Developing" in page.url and "group=Technologist" in page.url
        expect(page.get_by_role("button", name="ออกจากโหมดนำเสนอ")).to_have_count(0, timeout=TIMEOUT_MS)
    finally:
        page.close()


def test_pdf_handout_downloads_as_one_a4_page(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    try:
        page.goto(f"{server}/profiles?stage=Early&group=Academic&lang=en", timeout=TIMEOUT_MS)
        make = page.get_by_role("button", name="PDF, one page (this profile)")
        make.wait_for(timeout=TIMEOUT_MS)
        make.click()
        download_button = page.get_by_role("button", name="Download PDF, one page (this profile)")
        download_button.wait_for(timeout=TIMEOUT_MS)
        with page.expect_download(timeout=TIMEOUT_MS) as info:
            download_button.click()
        assert info.value.suggested_filename == "profile_Early_Academic_en.pdf"
        data = Path(info.value.path()).read_bytes()
        assert data.startswith(b"%PDF") and pdf.page_count(data) == 1 and b"/FontFile2" in data
    finally:
        page.close()

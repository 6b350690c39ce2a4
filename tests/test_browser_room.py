"""Real browser, issue 18: a workshop room of 10 (5 Service, 5 Academic, answered through the campaign) shows
numbers for both staff groups on /workshop, in the view the room sees (figures without the passphrase)."""

from __future__ import annotations

import pytest
from test_browser import TIMEOUT_MS, _settle, _shot, browser, streamlit_app  # noqa: F401

from framework import campaign, db
from framework.catalog import Catalog
from framework.store import SurveyStore

pytestmark = pytest.mark.browser


def _room(path) -> None:
    """A store with one campaign answered by ten people (5 Service, 5 Academic)."""
    con = db.connect(path)
    cat = Catalog(con)
    SurveyStore(con, cat)
    c = campaign.open_campaign(con, cat, agency="กรมห้องประชุม", stage="Early", round_date="2025-06-30")
    for i in range(10):
        g = ("Service", "Academic")[i % 2]
        req = cat.profile_units("Early", g)["code"].tolist()
        campaign.submit(
            con, cat, c, f"room-{i}", g, None, {u: 3 if i < 6 else 1 for u in req}, limits=campaign.Limits()
        )
    con.close()


@pytest.fixture(scope="module")
def room_server(tmp_path_factory):
    """The room's store served by `streamlit run` (local mode)."""
    path = tmp_path_factory.mktemp("room") / "skills.duckdb"
    _room(path)
    with streamlit_app(tmp_path_factory.mktemp("log"), SKILLS_DB=str(path), SKILLS_HR_PASSPHRASE=None) as url:
        yield url


def test_a_room_of_ten_shows_numbers_for_both_groups(room_server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 1100}, locale="en-US")
    try:
        page.goto(f"{room_server}/workshop?lang=en", timeout=TIMEOUT_MS)
        _settle(page)
        page.get_by_text("10 of 10 answers shown so far").first.wait_for(timeout=TIMEOUT_MS)
        _shot(page, "workshop_room_of_ten")
        page.wait_for_selector(".js-plotly-plot", timeout=TIMEOUT_MS)
        texts = page.evaluate("""() => [...[...document.querySelectorAll('.js-plotly-plot')].pop()
                                          .querySelectorAll('text')].map(t => t.textContent)""")
        figures = [t for t in texts if t.strip().rstrip(" ●").endswith("%") and t.strip()[0].isdigit()]
        # Service and Academic (and their total) carry figures on each unit: 60 % meet DLit100 (6 of 10 at level 3).
        assert figures.count("60% ●") >= 3 * 4, texts[:80]
    finally:
        page.close()


def test_presenting_the_controls_fold_away_once_the_passphrase_is_accepted(tmp_path_factory, browser):  # noqa: F811
    """Issue 21 walk (point 10): on /workshop?present=1 with an HR passphrase configured, the controls panel opens
    for the passphrase, then folds away once it is accepted: the QR code and the room's heatmap get the screen."""
    path = tmp_path_factory.mktemp("room-hr") / "skills.duckdb"
    _room(path)
    with streamlit_app(tmp_path_factory.mktemp("log"), SKILLS_DB=str(path), SKILLS_HR_PASSPHRASE="walk-secret") as url:
        page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="en-US")
        try:
            page.goto(f"{url}/workshop?present=1&lang=en", timeout=TIMEOUT_MS)
            box = page.get_by_label("HR passphrase", exact=True)
            box.wait_for(timeout=TIMEOUT_MS)
            panel = page.locator('[data-testid="stExpander"]', has_text="Choices and controls").first
            assert panel.locator("details").get_attribute("open") is not None  # open: the passphrase is needed
            box.fill("walk-secret")
            box.press("Enter")
            page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT_MS)
            _settle(page)
            _shot(page, "workshop_present_after_passphrase")
            panel = page.locator('[data-testid="stExpander"]', has_text="Choices and controls").first
            assert panel.locator("details").get_attribute("open") is None  # folded away
            assert not page.get_by_label("Agency", exact=True).is_visible()
            qr = page.locator('[data-testid="stImage"] img').first.bounding_box()
            heat = page.locator(".js-plotly-plot").first.bounding_box()
            assert qr and heat and qr["y"] + qr["height"] <= 1080 and heat["y"] < 1080, (qr, heat)
        finally:
            page.close()

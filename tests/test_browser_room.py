"""Real browser, issue 18: a workshop room of 10 (5 Service, 5 Academic, answered through the campaign) shows
numbers for both staff groups on /workshop, in the view the room sees (figures without the passphrase)."""

from __future__ import annotations

import pytest
from test_browser import TIMEOUT_MS, _settle, _shot, browser, streamlit_app  # noqa: F401

from framework import campaign, db
from framework.catalog import Catalog
from framework.store import SurveyStore

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def room_server(tmp_path_factory):
    """A store with one campaign answered by ten people, served by `streamlit run` (local mode)."""
    path = tmp_path_factory.mktemp("room") / "skills.duckdb"
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

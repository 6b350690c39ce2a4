"""Real browser: a personal link fixes the respondent id; after one person submits through theirs, a second
person's link (a new page) shows the second person's id, not editable."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_browser import TIMEOUT_MS, _form_units, _settle, browser, streamlit_app  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A store with one open campaign and two personal links, then `streamlit run app.py` on it."""
    from framework import campaign, db
    from framework.campaign import links
    from framework.catalog import Catalog
    from framework.store import SurveyStore

    path = tmp_path_factory.mktemp("browser-links") / "skills.duckdb"
    con = db.connect(path)
    cat = Catalog(con)
    SurveyStore(con, cat)
    c = campaign.open_campaign(con, cat, agency="กรมลิงก์", stage="Early", round_date="2025-06-30", links_only=True)
    tokens = dict(links.issue(con, c, ["emp-0001", "emp-0002"]))
    con.close()
    with streamlit_app(tmp_path_factory.mktemp("log"), SKILLS_DB=str(path), SKILLS_DEMO="0") as url:
        yield url, tokens


def _id_box(page):
    return page.get_by_label("Respondent id (from your personal link)", exact=True)


def test_personal_links_fix_the_id_in_a_real_browser(seeded, browser):  # noqa: F811
    url, tokens = seeded
    first = browser.new_page(viewport={"width": 1000, "height": 1000}, locale="en-US")
    second = None
    try:
        first.goto(f"{url}/assess?t={tokens['emp-0001']}&lang=en", timeout=TIMEOUT_MS)
        _settle(first)
        box = _id_box(first)
        expect(box).to_have_value("emp-0001", timeout=TIMEOUT_MS)  # waits for the rerun on a busy machine
        assert box.is_disabled()
        first.locator('[data-testid="stSelectbox"]', has_text="Staff group").click()
        first.get_by_role("option", name="Service").first.click()
        _settle(first)
        units = _form_units(first, "Can do independently", "en")
        n = units.count()
        assert n == 8  # Early · Service requires 8 units
        for i in range(n):
            units.nth(i).get_by_text("3 · Can do independently").click()  # a level for every unit asked
            first.wait_for_timeout(250)
        _settle(first)
        first.get_by_role("button", name="Submit").click()
        first.get_by_text("Your answers are stored").wait_for(timeout=TIMEOUT_MS)
        assert "t=" in first.url and "d=" not in first.url

        second = browser.new_page(viewport={"width": 1000, "height": 1000}, locale="en-US")
        second.goto(f"{url}/assess?t={tokens['emp-0002']}&lang=en", timeout=TIMEOUT_MS)
        _settle(second)
        box = _id_box(second)
        expect(box).to_have_value("emp-0002", timeout=TIMEOUT_MS)
        assert box.is_disabled()
        assert second.get_by_text("emp-0001").count() == 0
    finally:
        first.close()
        if second is not None:
            second.close()

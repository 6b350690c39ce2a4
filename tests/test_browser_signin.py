"""Real browser, real OpenID Connect (issue 19 point 2): oidc-provider-mock runs on loopback, the app is
configured with an `[auth]` section pointing at it, and Chromium signs in through st.login as HR of agency A,
then as HR of agency B (neither sees the other's agency on a survey page, with ?agency= naming it, or on the
IDP page), then as a staff member who submits the campaign form without typing an id. Every sign-in and
sign-out is in the audit log with the identity and the role."""

from __future__ import annotations

import os
import re
import secrets
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_browser import TIMEOUT_MS, _form_units, browser, streamlit_app  # noqa: F401  (module-scoped fixture)
from test_browser import _settle as settle
from test_identity import A, B

from framework import audit, campaign, db
from framework.catalog import Catalog
from framework.store import SurveyStore
from tests.fixtures.analysis import pages

pytestmark = pytest.mark.browser
STAFF_EMAIL = "somsri@agency-a.go.th"


@pytest.fixture(scope="module")
def provider():
    """oidc-provider-mock on a free loopback port, with three predefined users (their claims chosen here)."""
    mock = pytest.importorskip("oidc_provider_mock")
    was = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain http on loopback, for this test only
    users = [
        mock.User(sub="hr-a", claims={"email": "hr-a@a.go.th", "skills_role": "hr", "skills_agencies": [A]}),
        mock.User(sub="hr-b", claims={"email": "hr-b@b.go.th", "skills_role": "hr", "skills_agencies": [B]}),
        mock.User(sub="staff-1", claims={"email": STAFF_EMAIL}),  # no role claim: staff
    ]
    try:
        with mock.run_server_in_thread(port=0, user_claims=users) as server:
            yield f"http://localhost:{server.server_port}"
    finally:
        if was is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = was


@contextmanager
def served(provider: str, folder: Path):
    """The app signed in through `provider`: a demo store with one open campaign of agency A."""
    store = pages.demo_store(folder / "skills.duckdb")
    con = db.connect(store)
    try:
        cat = Catalog(con)
        SurveyStore(con, cat)
        code = campaign.open_campaign(con, cat, agency=A, stage="Early", round_date="2025-06-30").code
    finally:
        con.close()
    secrets_toml = folder / "secrets.toml"
    secrets_toml.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "skills-dashboard"\n'
        'client_secret = "test-only"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    with streamlit_app(
        folder,
        SKILLS_DB=str(store),
        STREAMLIT_SECRETS_FILES=str(secrets_toml),
        AUTHLIB_INSECURE_TRANSPORT="1",
        SKILLS_HR_PASSPHRASE=None,
    ) as url:
        yield url, store, code


def _settle(page) -> None:
    """The script has finished its run; a short pause only (each check below waits for what it reads)."""
    settle(page, pause_ms=300)


def sign_in(page, url: str, sub: str) -> None:
    """From a page asking to sign in: st.login -> the provider's authorize form -> this user -> back."""
    page.get_by_role("button", name=re.compile("Sign in|ลงชื่อเข้าใช้")).first.click()  # back on / it is in Thai
    page.wait_for_url(re.compile(r"/oauth2/authorize"), timeout=TIMEOUT_MS)
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/"), timeout=TIMEOUT_MS)  # the cookie is set: signed in


def sign_out(page) -> None:
    """st.logout -> the provider's end-session page (RP-initiated logout) -> confirm -> back to the app."""
    page.get_by_role("button", name=re.compile("Sign out|ออกจากระบบ")).click()
    page.wait_for_url(re.compile(r"/oauth2/end_session"), timeout=TIMEOUT_MS)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/"), timeout=TIMEOUT_MS)


def body(page, waiting_for: str | None = None) -> str:
    """The app's text, once `waiting_for` is on the page (a first load may still be drawing after _settle)."""
    if waiting_for:
        page.get_by_text(waiting_for).first.wait_for(timeout=TIMEOUT_MS)
    return page.locator('[data-testid="stApp"]').inner_text()


def test_hr_a_and_hr_b_never_see_each_other_and_staff_submit_without_typing(provider, browser, tmp_path):  # noqa: F811
    with served(provider, tmp_path) as (url, store, code):
        walk(browser, url, code)
    check_store(store)  # after the server stopped: the store file is free


def walk(browser, url: str, code: str) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="en-US")
    try:
        page.goto(f"{url}/coverage?lang=en", timeout=TIMEOUT_MS)
        _settle(page)
        text = body(page, "sign in with your organisation's account")  # a guest sees no figures
        assert A not in text and B not in text

        for sub, mine, theirs in (("hr-a", A, B), ("hr-b", B, A)):
            sign_in(page, url, sub)
            page.goto(f"{url}/coverage?lang=en&agency={theirs}", timeout=TIMEOUT_MS)  # a deep link to the other
            _settle(page)
            page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT_MS)  # the heatmap is drawn
            text = body(page, "outside this account's access")
            assert mine in text and text.count(theirs) == 1, sub  # the other agency: named only in the refusal
            assert f"{sub}@" in text and "agency HR" in text  # who is signed in, in the sidebar
            page.goto(f"{url}/respondent?lang=en", timeout=TIMEOUT_MS)  # row-level: their own batches only
            _settle(page)
            page.locator('[data-testid="stSelectbox"]', has_text="Batch").click()  # the batch list
            page.get_by_role("option").first.wait_for(timeout=TIMEOUT_MS)
            options = page.get_by_role("option").all_inner_texts()
            assert options and all(mine in o for o in options) and not any(theirs in o for o in options), options
            page.keyboard.press("Escape")
            sign_out(page)

        page.goto(f"{url}/assess?c={code}&lang=en", timeout=TIMEOUT_MS)
        _settle(page)
        assert (
            "sign in" in body(page, "needs you to sign in").lower()
            and page.get_by_label("Respondent id", exact=True).count() == 0
        )
        sign_in(page, url, "staff-1")
        page.goto(f"{url}/assess?c={code}&lang=en", timeout=TIMEOUT_MS)
        _settle(page)
        fixed = page.get_by_label("Respondent id (from your sign-in)")
        expect = pytest.importorskip("playwright.sync_api").expect
        expect(fixed).to_have_value(STAFF_EMAIL, timeout=TIMEOUT_MS)  # from the identity, never typed
        assert fixed.is_disabled()
        page.locator('[data-testid="stSelectbox"]', has_text="Staff group").click()
        page.get_by_role("option").first.click()
        _settle(page)
        units = _form_units(page, "Not assessed", "en")  # the whole form drawn (a count taken earlier saw 1)
        n = units.count()
        for i in range(n):
            answer(page, units.nth(i), f"{i + 1} of the {n} units")  # this answer reached the server
        page.get_by_role("button", name="Submit").click()
        page.get_by_text("Your answers are stored").first.wait_for(timeout=TIMEOUT_MS)
        page.goto(f"{url}/coverage?lang=en", timeout=TIMEOUT_MS)  # staff: the form only, no figures
        _settle(page)
        assert A not in body(page, "may not see the figures")
        sign_out(page)
    finally:
        page.close()


def answer(page, unit, progress: str) -> None:
    """Choose level 2 of `unit` and wait until the server counted it. Under a heavy load a click can land while the
    fragment is being redrawn and be lost (the radio is redrawn unchecked); a person clicks again, so does this."""
    for attempt in range(3):
        unit.locator("label").nth(3).click()
        try:
            page.get_by_text(progress).wait_for(timeout=TIMEOUT_MS // 3)
            return
        except Exception:  # playwright's TimeoutError: try the click again, then fail below
            if attempt == 2:
                raise


def check_store(store: Path) -> None:
    con = db.connect(store, read_only=True)
    try:
        got = db.query(con, "SELECT respondent_id FROM store.responses WHERE respondent_id = $r", {"r": STAFF_EMAIL})
        log = audit.entries(con, ["sign-in", "sign-out"])
    finally:
        con.close()
    assert len(got) == 1
    who = set(log["who"])
    assert {"hr-a@a.go.th (agency HR)", "hr-b@b.go.th (agency HR)", f"{STAFF_EMAIL} (staff)"} <= who
    assert set(log["action"]) == {"sign-in", "sign-out"}

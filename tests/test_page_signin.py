"""AppTests of sign-in through an identity provider (issue 19 point 2). AppTest cannot run st.login: the
signed-in Principal is put in session state (ui.signin.PRINCIPAL_KEY). HR of agency A never reaches agency B
through a page, a URL parameter or the analyst SQL; a guest is asked to sign in; staff answer without typing."""

from __future__ import annotations

import pytest
from conftest import run_page
from test_identity import A, B, hr
from test_page_assess import (
    GROUP,
    app,  # noqa: F401 - the campaign fixture
    stored,
    unit_radios,
)

from framework import campaign, identity
from tests.fixtures.analysis import pages
from ui.signin import PRINCIPAL_KEY


@pytest.fixture(autouse=True)
def _no_provider_after():
    yield
    identity.use_provider(False)


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)
    pages.use_store(monkeypatch, pages.demo_store(tmp_path / "demo.duckdb"))


def as_(who, script, **query):
    return run_page(script, query={"lang": "en", **query}, state={PRINCIPAL_KEY: who})


def texts(at) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success]
    return " ".join(str(getattr(e, "value", "")) for e in parts)


def test_hr_of_a_sees_only_a_on_survey_pages_even_with_agency_b_in_the_url(demo):
    at = as_(hr(A), "coverage.py", agency=B)
    assert not at.exception
    assert "outside this account's access" in texts(at)
    agency = next(m for m in at.multiselect if m.label == "Agency")
    assert agency.options == [A] and agency.value in ([], [A])  # empty = every agency of this person
    assert B not in " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.info, *at.dataframe])
    at = as_(hr(B, "hr@b.go.th"), "coverage.py")
    assert next(m for m in at.multiselect if m.label == "Agency").options == [B]


def test_hr_of_a_row_level_pages_hold_only_agency_a(demo):
    at = as_(hr(A), "respondent.py")
    assert not at.exception and not at.error
    assert all(A in o for o in at.selectbox(key="resp_batch").options)
    at = as_(hr(A), "upload.py")
    assert at.selectbox(key="up_agency").options == [A]  # no other agency, no new one
    at = as_(hr(A), "audit.py")
    assert not at.exception and at.multiselect(key="au_agencies").options in ([], [A])


def test_analyst_sql_of_hr_a_reads_no_row_of_agency_b(demo):
    at = as_(hr(A), "sql.py")
    at.text_area(key="sql_query").input("SELECT DISTINCT agency FROM responses").run()
    at.button(key="sql_run").click().run()
    assert not at.exception and not at.error
    frames = [d.value for d in at.dataframe]
    assert any(A in f.to_string() for f in frames) and not any(B in f.to_string() for f in frames)


def test_an_executive_gets_figures_not_rows_and_a_guest_is_asked_to_sign_in(demo):
    boss = identity.Principal("executive", (A,), name="boss@a.go.th")
    at = as_(boss, "respondent.py")
    assert "may not read the row-level data" in texts(at) and not at.selectbox
    at = as_(identity.Principal(identity.GUEST), "coverage.py")
    assert not at.exception
    assert "sign in with your organisation's account" in texts(at) and not at.multiselect
    at = as_(identity.Principal("staff", respondent_id="s@a"), "upload.py")
    assert "may not upload" in texts(at)


def test_staff_submit_with_the_identity_id_never_typed(app):  # noqa: F811 - the fixture imported above
    open_, shared = app
    c = open_()
    staff = identity.principal({"sub": "u-77", "email": "somsri@agency.go.th"})
    at = run_page("assess.py", query={"c": c.code, "lang": "en"}, state={PRINCIPAL_KEY: staff})
    assert not at.exception
    assert not [t for t in at.text_input if t.key == "as_id"]  # no box to type an id in
    fixed = [t for t in at.text_input if t.value == "somsri@agency.go.th"]
    assert fixed and fixed[0].disabled
    assert "trusted as typed" not in texts(at)
    at.selectbox(key="as_group").select(GROUP).run()
    for r in unit_radios(at):
        r.set_value(r.options[3])
    at = at.run().button(key="as_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert stored(shared)["respondent_id"].tolist() == ["somsri@agency.go.th"]
    guest = run_page(
        "assess.py", query={"c": c.code, "lang": "en"}, state={PRINCIPAL_KEY: identity.Principal(identity.GUEST)}
    )
    assert "sign in" in texts(guest) and not [t for t in guest.text_input if t.key == "as_id"]
    campaign.LIMITS.reset()


def test_hr_of_a_lists_and_opens_campaigns_of_a_only(tmp_path, monkeypatch):
    from framework import db
    from framework.catalog import Catalog
    from framework.store import SurveyStore

    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)
    path = pages.demo_store(tmp_path / "demo.duckdb")
    con = db.connect(path)
    try:
        cat = Catalog(con)
        SurveyStore(con, cat)
        mine = campaign.open_campaign(con, cat, agency=A, stage="Early", round_date="2025-06-30").code
        campaign.open_campaign(con, cat, agency=B, stage="Early", round_date="2025-06-30")
    finally:
        con.close()
    pages.use_store(monkeypatch, path)
    at = as_(hr(A), "workshop.py")
    assert not at.exception
    options = at.selectbox(key="ws_code").options
    assert len(options) == 1 and mine in options[0] and A in options[0]  # B's campaign is not listed
    at.text_input(key="ws_agency").input(B)
    at.date_input(key="ws_round").set_value("2025-06-30")
    at = at.run()
    form_submit = next(b for b in at.button if "Open the campaign" in b.label)
    at = form_submit.click().run()
    assert "may not manage the self-assessment campaigns" in texts(at)
    assert len([c for c in campaign.list_campaigns(_con(path)) if c.agency == B]) == 1  # nothing opened for B


def _con(path):
    from ui import shell

    return shell._connection(str(path))

"""AppTest of the result link of pages/assess.py (issue 21, point 8): `/assess?r=TOKEN` reopens a person's own
result and plan; nothing without a known token; the token never lands in the address bar by itself."""

from __future__ import annotations

import re

from conftest import run_page
from test_page_assess import app, fill, submit, unit_radios, visit  # noqa: F401  (fixture)

from framework import campaign, db
from framework.campaign import results


def _link(at) -> str:
    text = " ".join(c.value for c in at.code)  # shown as plain text to copy, never as markup
    found = re.findall(r"/assess\?r=([A-Za-z0-9_-]{32})$", text)
    assert len(found) == 1, text
    return found[0]


def test_submit_shows_a_result_link_that_reopens_the_result_and_plan(app):  # noqa: F811
    open_, shared = app
    c = open_()
    at = submit(fill(visit(c.code, lang="en"), rid="5550001", level=2))
    assert at.success and "r" not in at.query_params and "d" not in at.query_params  # not in the address bar
    token = _link(at)
    again = run_page("assess.py", query={"r": token, "lang": "en"})  # a new browser session, no campaign code
    assert not again.exception and not again.error
    text = " ".join(m.value for m in again.markdown)
    assert "Your result" in [h.value for h in again.subheader] and "Units to develop" in text
    assert not unit_radios(again) and not again.success  # the result, not the form
    assert "Development plan" in again.get("download_button")[0].proto.label
    campaign.close(shared(), c.code)  # still reopens once the campaign is closed
    assert "Your result" in [h.value for h in run_page("assess.py", query={"r": token, "lang": "en"}).subheader]


def test_a_result_link_shows_the_latest_answers_of_that_person(app, catalog):  # noqa: F811
    open_, _shared = app
    c = open_()
    n = len(catalog.profile_units(c.stage, "Service"))
    first = _link(submit(fill(visit(c.code, lang="en"), rid="5550002", level=1)))
    submit(fill(visit(c.code, lang="en"), rid="5550002", level=4))  # the same person again: replaces
    at = run_page("assess.py", query={"r": first, "lang": "en"})
    assert [m.value for m in at.metric if m.label == "Units met"] == [f"{n} / {n}"]


def test_without_a_known_token_nothing_is_shown(app):  # noqa: F811
    open_, _shared = app
    c = open_()
    token = _link(submit(fill(visit(c.code, lang="en"), rid="5550003", level=2)))
    for bad in ("x", token[:-1] + ("A" if token[-1] != "A" else "B"), token + "x", "' OR 1=1 --" + "x" * 21):
        at = run_page("assess.py", query={"r": bad, "lang": "en"})
        assert not at.exception and "No result for this link" in at.error[0].value, bad
        assert not at.subheader and not at.metric and not at.get("download_button"), bad
    th = run_page("assess.py", query={"r": "x"})
    assert "ไม่พบผลการประเมินของลิงก์นี้" in th.error[0].value


def test_tokens_are_unguessable_and_kept_apart_from_the_answers(app):  # noqa: F811
    open_, shared = app
    c = open_()
    a, b = (results.issue(shared(), c.code, "someone") for _ in range(2))
    assert a != b and results.TOKEN_RE.match(a) and len(a) == 32
    cols = db.query(shared(), "SELECT column_name FROM duckdb_columns() WHERE table_name = 'campaign_results'")
    assert cols["column_name"].tolist() == ["token", "code", "respondent_id", "created_at"]

"""AppTest of pages/assess.py with personal links (/assess?t=TOKEN): the id fixed, answers once, then the result."""

from __future__ import annotations

from conftest import run_page
from test_page_assess import GROUP, app, stored, unit_radios

from framework import audit, campaign, db
from framework.campaign import drafts, links

__all__ = ["app"]


def visit(token, **query):
    return run_page("assess.py", query={"t": token, **query})


def answer(at, level=3):
    at.selectbox(key="as_group").select(GROUP).run()
    for r in unit_radios(at):
        r.set_value(r.options[level])
    return at.run()


def test_personal_link_fixes_the_id_answers_once_then_shows_the_result(app):
    open_, shared = app
    c = open_()
    tokens = dict(links.issue(shared(), c, ["1001", "1002", "1003"]))
    at = visit(tokens["1001"], lang="en")
    assert not at.exception
    fixed = at.text_input(key="as_id_fixed")
    assert fixed.value == "1001" and fixed.disabled
    assert not [t for t in at.text_input if t.key == "as_id"], "no typed id on a personal link"
    assert not any("trusted as typed" in w.value for w in at.warning)
    at = answer(at)
    at.button(key="as_submit").click().run()
    assert at.success and stored(shared)["respondent_id"].tolist() == ["1001"]
    assert set(at.query_params) <= {"t", "lang"}
    # the same link again (a reload, another browser): the result, never the form
    again = visit(tokens["1001"], lang="en")
    assert not unit_radios(again) and "Your result" in [h.value for h in again.subheader]
    assert any("answers once" in i.value for i in again.info)
    # the second person's link: their id, not the first's
    second = visit(tokens["1002"], lang="en")
    assert second.text_input(key="as_id_fixed").value == "1002"
    log = audit.entries(shared(), ["link-submission"])
    assert log["who"].tolist() == ["personal link (1001)"]


def test_personal_link_draft_survives_a_reload_of_that_link_only(app):
    open_, shared = app
    c = open_()
    tokens = dict(links.issue(shared(), c, ["1001", "1002"]))
    with drafts.held():  # the writer waits: what the answers' reruns themselves wrote is seen
        at = visit(tokens["1001"])
        at.selectbox(key="as_group").select(GROUP).run()
        first = unit_radios(at)[0]
        first.set_value(first.options[2]).run()
        assert set(at.query_params) == {"t"}
        # Issue 22: the answer's rerun writes nothing; the draft is kept in the process and written behind
        assert db.scalar(shared(), "SELECT count(*) FROM store.campaign_drafts") == 0
        assert drafts.pending() == 1
        again = visit(tokens["1001"])  # a reload before the write: the process's draft
        assert again.selectbox(key="as_group").value == GROUP and again.radio(key=first.key).value == 2
        assert campaign.flush_drafts() == 1
    kept = db.query(shared(), "SELECT token FROM store.campaign_drafts")["token"].tolist()
    assert kept == ["link:" + links.hash_token(tokens["1001"])]  # keyed by the hash, never the token
    again = visit(tokens["1001"])  # a reload after it: the stored draft
    assert again.selectbox(key="as_group").value == GROUP and again.radio(key=first.key).value == 2
    other = visit(tokens["1002"])
    assert other.selectbox(key="as_group").value is None


def test_revoked_unknown_and_closed_links_are_refused(app):
    open_, shared = app
    c = open_()
    tokens = dict(links.issue(shared(), c, ["1001", "1002"]))
    links.revoke(shared(), c, "1001")
    at = visit(tokens["1001"], lang="en")
    assert "revoked" in at.error[0].value and not at.text_input
    at = visit("A" * 32, lang="en")
    assert "not known" in at.error[0].value and not at.text_input
    campaign.close(shared(), c.code)
    at = visit(tokens["1002"], lang="en")
    assert "is closed" in at.error[0].value and not unit_radios(at)


def test_links_only_campaign_refuses_the_open_link(app):
    open_, shared = app
    c = open_(links_only=True)
    at = run_page("assess.py", query={"c": c.code, "lang": "en"})
    assert "personal links only" in at.error[0].value and not at.text_input
    token = links.issue(shared(), c, ["1001"])[0][1]
    assert visit(token).text_input(key="as_id_fixed").value == "1001"

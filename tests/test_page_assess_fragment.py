"""Issue 22: an answer on /assess reruns the answers' fragment alone (not the page: no campaign or link lookup,
no store read), writes no draft on the way, and Submit (inside the fragment) still stores and shows the result.
Choosing the staff group reruns the form's fragment (not the page above it), typing the id the id box alone."""

from __future__ import annotations

from unittest import mock

from conftest import run_page
from fragment_run import fragment_ids, run_fragment
from test_page_assess import GROUP, app, stored, unit_radios, visit

from framework import campaign, db
from framework.campaign import drafts, links

__all__ = ["app"]


def test_an_answer_reruns_the_answers_part_only(app):
    open_, _shared = app
    c = open_()
    at = visit(c.code, lang="en")
    at.text_input(key="as_id").input("1234567").run()
    at.selectbox(key="as_group").select(GROUP).run()
    assert len(fragment_ids(at)) == 3, "the form, its id box and its answers: one fragment each"
    radios = unit_radios(at)
    with (
        mock.patch.object(campaign, "require_open", wraps=campaign.require_open) as page_lookup,
        mock.patch.object(campaign, "load_draft", wraps=campaign.load_draft) as draft_read,
    ):
        radios[0].set_value(radios[0].options[2])
        at = run_fragment(at)
    assert not at.exception
    assert page_lookup.call_count == 0 and draft_read.call_count == 0, "the page above the answers did not rerun"
    assert at.get("progress")[0].proto.text.startswith(f"1 of the {len(radios)}")
    assert at.session_state["as_answers"][radios[0].key[len("as_u_") :]] == 2
    assert not at.text_input, "only the fragment's elements were sent again"


def test_an_answer_on_a_personal_link_writes_no_draft_in_its_rerun(app):
    open_, shared = app
    c = open_()
    token = links.issue(shared(), c, ["1001"])[0][1]
    with drafts.held():
        at = run_page("assess.py", query={"t": token})
        at.selectbox(key="as_group").select(GROUP).run()
        radios = unit_radios(at)
        radios[0].set_value(radios[0].options[3])
        at = run_fragment(at)
        assert db.scalar(shared(), "SELECT count(*) FROM store.campaign_drafts") == 0
        assert drafts.load(shared(), c.code, "link:" + links.hash_token(token))["answers"] == {radios[0].key[5:]: 3}
    campaign.flush_drafts()


def test_submit_inside_the_fragment_stores_and_shows_the_result(app):
    open_, shared = app
    c = open_()
    at = visit(c.code, lang="en")
    at.text_input(key="as_id").input("7654321").run()
    at.selectbox(key="as_group").select(GROUP).run()
    for r in unit_radios(at):
        r.set_value(r.options[3])
    at = run_fragment(at)
    at.button(key="as_submit").click()
    at = run_fragment(at)  # the click reruns the fragment; a stored answer reruns the whole page
    assert not at.exception and "Your answers are stored" in at.success[0].value
    assert stored(shared)["respondent_id"].tolist() == ["7654321"]
    assert any("/assess?r=" in cd.value for cd in at.code), "the result link, issued in the answer's transaction"


def test_choosing_the_group_reruns_the_form_not_the_page(app):
    open_, _shared = app
    c = open_()
    at = visit(c.code, lang="en")
    at.text_input(key="as_id").input("1234567").run()
    form_id = fragment_ids(at)[0]
    with mock.patch.object(campaign, "require_open", wraps=campaign.require_open) as page_lookup:
        at.selectbox(key="as_group").select(GROUP)
        at = run_fragment(at, form_id)
    assert not at.exception
    assert page_lookup.call_count == 0, "the page above the form did not rerun"
    assert len(unit_radios(at)) > 3 and at.get("progress"), "the group's units drawn"
    assert not at.warning, "the page's own elements were not sent again"
    first = {r.key for r in unit_radios(at)}
    at.selectbox(key="as_group").select("Executive")
    at = run_fragment(at, form_id)
    assert not at.exception and at.session_state["as_group"] == "Executive"
    assert {r.key for r in unit_radios(at)} != first, "the other group's units"
    assert at.session_state["as_id"] == "1234567"


def test_typing_the_id_reruns_the_id_box_alone(app):
    open_, _shared = app
    c = open_()
    at = visit(c.code, lang="en")
    at.selectbox(key="as_group").select(GROUP).run()
    assert unit_radios(at)
    with mock.patch.object(campaign, "require_open", wraps=campaign.require_open) as page_lookup:
        at.text_input(key="as_id").input("7654321")
        at = run_fragment(at, fragment_ids(at)[1])
    assert not at.exception and page_lookup.call_count == 0
    assert at.session_state["as_id"] == "7654321"
    assert not at.radio and not at.selectbox, "only the id box was sent again, not the units"

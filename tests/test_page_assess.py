"""AppTest of pages/assess.py (/assess?c=CODE): the campaign form as a respondent reaches it by link."""

from __future__ import annotations

import pytest
from conftest import run_page

from framework import campaign, db
from framework.catalog import Catalog
from framework.store import SurveyStore

GROUP = "Service"


@pytest.fixture
def app(tmp_path, monkeypatch):
    """A fresh store (no demo) with one open campaign; returns (code, the app's own connection getter, open())."""
    path = tmp_path / "store.duckdb"
    monkeypatch.setenv("SKILLS_DB", str(path))
    monkeypatch.setenv("SKILLS_DEMO", "0")
    monkeypatch.delenv("SKILLS_HR_PASSPHRASE", raising=False)
    campaign.LIMITS.reset()
    con = db.connect(path)
    cat = Catalog(con)
    SurveyStore(con, cat)

    def open_(**kw):
        args = {"agency": "กรมทดสอบ", "stage": "Developing", "round_date": "2025-06-30", **kw}
        return campaign.open_campaign(shared(), cat, **args)

    def shared():
        from ui import shell

        return shell._connection(str(path))  # the page's cached connection: the file is held open by it

    con.close()
    yield open_, shared
    campaign.LIMITS.reset()


def visit(code, **query):
    return run_page("assess.py", query={"c": code, **query})


def unit_radios(at):
    return [r for r in at.radio if r.key and r.key.startswith("as_u_")]


def fill(at, rid="1234567", group=GROUP, level=3, skip=0):
    at.text_input(key="as_id").input(rid).run()
    at.selectbox(key="as_group").select(group).run()
    for r in unit_radios(at)[skip:]:
        r.set_value(r.options[level] if isinstance(level, int) else r.options[-1])
    return at.run()


def submit(at):
    return at.button(key="as_submit").click().run()


def stored(shared, rid=None):
    return db.query(
        shared(),
        "SELECT respondent_id, staff_group, \"DLit100\" FROM store.responses "
        "WHERE $rid IS NULL OR respondent_id = $rid",
        {"rid": rid},
    )


def test_unknown_and_closed_codes_say_so_plainly(app):
    open_, shared = app
    at = visit("nosuchco")
    assert not at.exception and "ไม่พบแบบประเมินรหัส" in at.error[0].value and not unit_radios(at)
    at = visit("nosuchco", lang="en")
    assert "There is no self-assessment" in at.error[0].value
    c = open_()
    campaign.close(shared(), c.code)
    at = visit(c.code, lang="en")
    assert "is closed" in at.error[0].value and not at.text_input


def test_no_menu_and_required_units_in_framework_order(app, catalog):
    open_, _ = app
    c = open_()
    at = visit(c.code)
    assert not at.exception and not at.get("page_link"), "a campaign link shows no menu of other pages"
    assert not unit_radios(at)
    for group in ("Service", "Executive"):
        at.selectbox(key="as_group").select(group).run()
        want = catalog.profile_units("Developing", group)["code"].tolist()
        order = catalog.unit_codes()
        assert [r.key[len("as_u_") :] for r in unit_radios(at)] == sorted(want, key=order.index)
        assert len(unit_radios(at)[0].options) == 6  # levels 0-4 in words + not assessed
        assert "ทำได้ด้วยตนเอง" in unit_radios(at)[0].options[3]
    at.toggle(key="as_all").set_value(True).run()
    assert len(unit_radios(at)) == len(catalog.unit_codes())


def test_submit_stores_one_row_and_second_replaces(app, catalog):
    open_, shared = app
    c = open_()
    at = submit(fill(visit(c.code), level=3))
    assert not at.error and "บันทึกคำตอบแล้ว" in at.success[0].value and "แทนที่" not in at.success[0].value
    assert stored(shared)[["respondent_id", "staff_group"]].values.tolist() == [["1234567", GROUP]]
    # the person's own result: readiness at this stage and the next, the plan download
    assert next(m.value for m in at.metric) == "100%"
    assert at.get("download_button")
    at = submit(fill(visit(c.code, lang="en"), level=1))  # a new session: the same person again
    assert "replace your earlier answers" in at.success[0].value
    rows = stored(shared)
    assert len(rows) == 1 and int(rows["DLit100"].iloc[0]) == 1
    assert next(m.value for m in at.metric) == "0%"


def test_not_assessed_counts_as_an_answer_and_missing_is_refused(app):
    open_, shared = app
    c = open_()
    at = fill(visit(c.code, lang="en"), level=None, skip=1)  # "not assessed" but the first unit unanswered
    assert at.get("progress")[0].proto.text.startswith(f"{len(unit_radios(at)) - 1} of the {len(unit_radios(at))}")
    at = submit(at)
    assert "1 unit(s) not answered yet" in at.error[0].value and stored(shared).empty
    radios = unit_radios(at)
    radios[0].set_value(radios[0].options[-1])
    at = submit(at.run())
    assert at.success and stored(shared)["DLit100"].isna().all()


def test_id_pattern_refusal(app):
    open_, shared = app
    c = open_(id_pattern=r"\d{7}")
    at = submit(fill(visit(c.code, lang="en"), rid="abc"))
    assert "does not match the format" in at.error[0].value and stored(shared).empty
    at.text_input(key="as_id").input("7654321").run()
    at = submit(at)
    assert at.success and stored(shared)["respondent_id"].tolist() == ["7654321"]


def test_rate_limit_per_code(app, monkeypatch):
    open_, shared = app
    c = open_()
    now = [1000.0]
    limits = campaign.Limits(
        per_code=campaign.RateLimiter(2, 60, clock=lambda: now[0]),
        per_client=campaign.RateLimiter(5, 60, clock=lambda: now[0]),
    )
    monkeypatch.setattr(campaign.submit_module, "LIMITS", limits)
    for rid in ("p1", "p2"):
        assert submit(fill(visit(c.code), rid=rid)).success
    at = submit(fill(visit(c.code, lang="en"), rid="p3"))
    assert "Too many submissions" in at.error[0].value and len(stored(shared)) == 2
    now[0] += 61
    at = submit(at)
    assert at.success and len(stored(shared)) == 3


def test_draft_never_in_the_address_bar_and_an_old_d_link_shows_nothing(app):
    """Issue 19: the draft token sat in the URL (`&d=`) and a second browser got the id and answers back.
    The open link keeps its draft in the browser session only; an old `?d=` link restores nothing."""
    open_, shared = app
    c = open_()
    at = visit(c.code)
    at.text_input(key="as_id").input("1234567").run()
    at.selectbox(key="as_group").select(GROUP).run()
    unit_radios(at)[0].set_value(unit_radios(at)[0].options[2]).run()
    assert set(at.query_params) <= {"c"}, dict(at.query_params)  # nothing but the campaign code
    assert at.session_state["as_answers"][unit_radios(at)[0].key[5:]] == 2  # kept in the session
    # a draft as older versions saved it, under a token an old address bar carried
    campaign.save_draft(shared(), c.code, "oldtoken1234", {"id": "1234567", "group": GROUP, "answers": {"DLit100": 2}})
    again = visit(c.code, d="oldtoken1234")  # that URL opened in another browser
    assert again.text_input(key="as_id").value == "" and again.selectbox(key="as_group").value is None
    assert not again.info or all("restored" not in i.value and "กลับมาแล้ว" not in i.value for i in again.info)
    other = visit(c.code)  # another person with the plain link sees nothing typed
    assert other.text_input(key="as_id").value == "" and other.selectbox(key="as_group").value is None
    other.text_input(key="as_id").input("1234567").run()
    other.selectbox(key="as_group").select(GROUP).run()
    assert all(r.value is None for r in unit_radios(other))


def test_open_link_says_ids_are_typed_and_trusted(app):
    open_, _shared = app
    c = open_()
    at = visit(c.code, lang="en")
    assert any("trusted as typed" in w.value for w in at.warning)
    th = visit(c.code)
    assert any("เชื่อตามที่พิมพ์" in w.value for w in th.warning)


def test_own_plan_prints_as_pdf_and_clears_for_the_next_person(app):
    open_, _shared = app
    c = open_()
    at = submit(fill(visit(c.code, lang="en"), rid="7777777", level=2))
    assert "Units to develop" in " ".join(m.value for m in at.markdown)
    at.button(key="as_pdf_make").click().run()
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["as_pdf"][2][:5] == b"%PDF-"
    at.button(key="as_again").click().run()
    assert not at.success and at.text_input(key="as_id").value == "", "the next person sees nothing of the last"

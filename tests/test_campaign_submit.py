"""Server-side checks of a campaign submission, the one-row survey it becomes, and what the form asks."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from framework import campaign, db
from framework import respondents as rsp
from framework.campaign import form
from framework.store import SurveyStore


@pytest.fixture
def setup(store_con, catalog):
    SurveyStore(store_con, catalog)
    c = campaign.open_campaign(
        store_con,
        catalog,
        agency="กรม ก",
        stage="Developing",
        round_date="2025-06-30",
        org_units=["กอง 1"],
        id_pattern=r"[0-9]{3}",
    )
    req = catalog.profile_units("Developing", "Academic")["code"].tolist()
    return store_con, catalog, c, req


def go(setup, rid="123", group="Academic", org=None, answers=None, **kw):
    con, cat, c, req = setup
    return campaign.submit(
        con,
        cat,
        c,
        rid,
        group,
        org,
        {u: 3 for u in req} if answers is None else answers,
        limits=campaign.Limits(),
        **kw,
    )


@pytest.mark.parametrize(
    "kw, en",
    [
        ({"rid": "  "}, "respondent id is required"),
        ({"rid": "12\x003"}, "control or invisible character U+0000"),
        ({"rid": "1" * 101}, "at most 100"),
        ({"rid": "12a"}, "does not match"),
        ({"group": "Boss"}, "staff group"),
        ({"org": "กอง 9"}, "from the list"),
        ({"answers": {"NOPE": 3}}, "Unknown unit"),
        ({"answers": {"DLit100": 7}}, "must be 0-4"),
        ({"answers": {"DLit100": True}}, "must be 0-4"),
        ({"answers": {"DLit100": "3"}}, "must be 0-4"),
        ({"answers": {}}, "not answered yet"),
    ],
)
def test_refusals_store_nothing(setup, kw, en):
    with pytest.raises(campaign.SubmitError) as exc:
        go(setup, **kw)
    assert en in exc.value.en and exc.value.th
    assert db.scalar(setup[0], "SELECT count(*) FROM store.responses") == 0


def test_closed_campaign_refuses_a_late_submission(setup):
    con, cat, c, req = setup
    campaign.close(con, c.code)
    with pytest.raises(campaign.CampaignError) as exc:
        go((con, cat, campaign.get(con, c.code), req))
    assert "closed" in exc.value.en
    expiring = campaign.open_campaign(con, cat, agency="B", stage="Early", round_date="2025-06-30", closes="2999-01-01")
    with pytest.raises(campaign.CampaignError):
        go((con, cat, expiring, catalog_req(cat, "Early", "Academic")), today=dt.date(2999, 1, 2))


def catalog_req(cat, stage, group):
    return cat.profile_units(stage, group)["code"].tolist()


def test_stored_row_is_the_answers_of_the_campaign_round(setup):
    con, cat, c, req = setup
    answers = {u: i % 5 for i, u in enumerate(req)}
    answers[req[0]] = campaign.NOT_ASSESSED
    other = next(u for u in cat.unit_codes() if u not in req)
    answers[other] = 4  # an optional unit rated as well
    s = go(setup, rid=" 123 ", org="กอง 1", answers=answers)
    assert s.respondent_id == "123" and not s.replaced
    b = db.query(
        con, "SELECT agency, stage, round_date, file_name FROM store.batches WHERE batch_id = $b", {"b": s.batch_id}
    ).iloc[0]
    assert (b["agency"], b["stage"], str(b["round_date"])[:10]) == ("กรม ก", "Developing", "2025-06-30")
    assert b["file_name"] == campaign.file_name(c.code)
    row = db.query(con, "SELECT * FROM store.responses").iloc[0]
    assert (row["respondent_id"], row["staff_group"], row["org_unit"]) == ("123", "Academic", "กอง 1")
    assert pd.isna(row[req[0]])  # not assessed = blank, as in an upload
    assert all(int(row[u]) == answers[u] for u in req[1:]) and int(row[other]) == 4


def test_same_answers_again_after_a_change_still_replace(setup):
    """A, then B, then A again: each replaces the person's row in the campaign's one batch; every submission's
    raw row is kept in the order stored, the replaced answers as superseded (nothing lost)."""
    con, _, c, req = setup
    first = go(setup, answers={u: 1 for u in req})
    second = go(setup, answers={u: 2 for u in req})
    third = go(setup, answers={u: 1 for u in req})
    assert first.batch_id == second.batch_id == third.batch_id
    assert not first.replaced and second.replaced and third.replaced
    levels = db.query(con, f'SELECT "{req[0]}" AS v FROM store.responses')["v"].tolist()
    assert levels == [1]
    assert db.scalar(con, "SELECT count(*) FROM store.batches") == 1
    old = db.query(con, f'SELECT batch_id, replaced_by, "{req[0]}" AS v FROM store.superseded_responses ORDER BY v')
    assert old["v"].tolist() == [1, 2] and set(old["batch_id"]) == set(old["replaced_by"]) == {first.batch_id}
    log = db.query(con, "SELECT code, seq, respondent_id, answers FROM store.campaign_submissions ORDER BY seq")
    assert log["seq"].tolist() == [1, 2, 3] and set(log["code"]) == {c.code} and set(log["respondent_id"]) == {"123"}
    assert [json.loads(a)[req[0]] for a in log["answers"]] == ["1", "2", "1"]


def test_survey_csv_quotes_user_text(setup):
    _, cat, c, req = setup
    data = campaign.survey_csv(c, cat.unit_codes(), 'a,"b"\n', "Academic", None, {req[0]: 2}).decode()
    assert data.startswith(f"# campaign {c.code} submission ")
    assert '"a,""b""\n"' in data


def test_form_units_and_learn_first(setup):
    con, cat, _c, req = setup
    asked = form.form_units(cat, "Developing", "Academic")
    assert asked["code"].tolist() == req and asked["required"].all()
    everything = form.form_units(cat, "Developing", "Academic", everything=True)
    assert everything["code"].tolist() == cat.unit_codes()
    assert set(everything.loc[everything["required"], "code"]) == set(req)
    assert form.option_label(3, "en") == "3 · Can do independently" and "ไม่ประเมิน" in form.option_label("na", "th")
    detail = form.unit_detail(cat, req[0], "th")
    assert all(e in detail for e in cat.elements(req[0])["code"])
    s = go(setup, answers={u: (4 if i else 0) for i, u in enumerate(req)})
    p = rsp.plan(con, cat, s.batch_id, "123", "Developing")
    first = form.learn_first(cat, p)
    assert set(first["code"]) == {req[0]}
    assert first["element"].tolist() == cat.elements(req[0])["code"].tolist()[: len(first)]


def test_drafts_by_token_only(setup):
    con, _, c, _ = setup
    token = campaign.new_token()
    campaign.save_draft(con, c.code, token, {"id": "123", "answers": {"DLit100": 2}})
    assert campaign.load_draft(con, c.code, token)["answers"] == {"DLit100": 2}
    assert campaign.load_draft(con, c.code, campaign.new_token()) is None
    assert campaign.load_draft(con, c.code, None) is None
    campaign.close(con, c.code)  # closing deletes the campaign's drafts
    assert campaign.load_draft(con, c.code, token) is None


def test_answering_again_is_a_new_data_version(setup):
    """A person answering again replaces their row: the batch keeps its one row, yet the figures change, so the
    pages' cache key (db.data_version) must change too."""
    con, _, _, req = setup
    go(setup, answers={u: 1 for u in req})
    before = db.data_version(con)
    go(setup, answers={u: 4 for u in req})
    assert db.data_version(con) != before


def test_unit_details_are_each_units_detail(catalog):
    """/assess reads every unit's text at once (form.unit_details, issue 22): the same text as unit_detail."""
    for lang in ("th", "en"):
        details = form.unit_details(catalog, lang)
        assert list(details) == catalog.unit_codes()
        assert all(details[c] == form.unit_detail(catalog, c, lang) for c in details)

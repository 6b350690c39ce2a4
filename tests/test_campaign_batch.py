"""A campaign is one source: its submissions are ONE batch that grows (one line in the batch list, one
choice in the batch filter), deletable and restorable whole, each person replaceable within it."""

from __future__ import annotations

import csv
import io
import json

import pytest

from framework import analysis, campaign, db
from framework.store import SurveyStore, aggregates, campaign_batch


@pytest.fixture
def setup(store_con, catalog):
    store = SurveyStore(store_con, catalog)
    c = campaign.open_campaign(store_con, catalog, agency="กรม ก", stage="Early", round_date="2025-06-30")
    return store_con, catalog, c, store


def go(setup, rid, level=3, group="Service", c=None):
    con, cat, camp, _ = setup
    camp = c or camp
    req = cat.profile_units(camp.stage, group)["code"].tolist()
    return campaign.submit(con, cat, camp, rid, group, None, {u: level for u in req}, limits=campaign.Limits())


def consistent(con):
    assert aggregates.fresh(con) and aggregates.check(con).empty


def test_submissions_grow_one_batch_listed_once(setup):
    con, _cat, c, store = setup
    done = [go(setup, rid, level) for rid, level in (("p1", 1), ("p2", 2), ("p3", 3), ("p1", 4))]
    assert len({s.batch_id for s in done}) == 1 and [s.replaced for s in done] == [False, False, False, True]
    bid = done[0].batch_id
    b = store.batches()
    assert b["batch_id"].tolist() == [bid]  # one line in the batch list
    row = b.iloc[0]
    assert (row["file_name"], row["content_hash"]) == (campaign.file_name(c.code), f"campaign:{c.code}")
    assert (row["agency"], row["stage"], str(row["round_date"])[:10]) == ("กรม ก", "Early", "2025-06-30")
    assert (row["rows_read"], row["accepted"], row["rejected"], row["respondents"]) == (4, 4, 0, 3)
    opts = analysis.filter_options(con)["batches"]
    assert opts["batch_id"].tolist() == [bid] and opts["respondents"].tolist() == [3]  # one filter choice
    assert (
        campaign_batch.label(row["file_name"], row["content_hash"], row["respondents"], "en")
        == f"campaign {c.code} (3 people)"
    )
    assert campaign_batch.label(row["file_name"], row["content_hash"], 3, "th") == f"แคมเปญ {c.code} (3 คน)"
    assert campaign_batch.label("hr.csv", "ab12" * 16, None, "en") == "hr.csv"
    consistent(con)
    assert campaign.submissions(con, c)["people"] == 3 and campaign.batch_ids(con, c) == [bid]
    last = db.scalar(con, "SELECT max(submitted_at) FROM store.campaign_submissions")
    assert last is not None and campaign.submissions(con, c)["last_at"] == last
    # p1's first answers are superseded, not lost; the live row is their last submission
    assert db.query(con, 'SELECT respondent_id, "DLit100" AS v FROM store.superseded_responses').values.tolist() == [
        ["p1", 1]
    ]
    when = campaign.stored_at(con, c)
    assert when["respondent_id"].tolist() == ["p2", "p3", "p1"] and when["seq"].tolist() == [2, 3, 4]
    assert when["submitted_at"].is_monotonic_increasing


def test_the_original_file_is_every_submission_in_order(setup):
    _con, _cat, c, store = setup
    bid = go(setup, "p1", 1).batch_id
    go(setup, "p2", 2)
    go(setup, "p1", 4)
    assert store.original_name(bid) == campaign.file_name(c.code)
    name, data = store.original(bid)
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert name == campaign.file_name(c.code)
    assert [(r["seq"], r["respondent_id"], r["DLit100"]) for r in rows] == [
        ("1", "p1", "1"),
        ("2", "p2", "2"),
        ("3", "p1", "4"),
    ]
    assert all(r["submitted_at"] and r["agency"] == "กรม ก" for r in rows)


def test_a_person_of_an_hr_upload_is_replaced_and_comes_back_when_the_campaign_is_deleted(setup, tmp_path):
    con, _cat, _c, store = setup
    hr = tmp_path / "hr.csv"
    hr.write_text("respondent_id,group,DLit100\np1,Service,0\np9,Service,1\n", encoding="utf-8")
    up = store.ingest(hr, agency="กรม ก", stage="Early", round_date="2025-06-30")
    s = go(setup, "p1", 4)
    assert s.replaced and s.result.conflicts == ["p1"]
    assert db.query(con, "SELECT batch_id, respondent_id, replaced_by FROM store.replacements").values.tolist() == [
        [up.batch_id, "p1", s.batch_id]
    ]
    people = dict(zip(store.batches()["batch_id"], store.batches()["respondents"]))
    assert people == {up.batch_id: 1, s.batch_id: 1}
    consistent(con)
    assert store.delete(s.batch_id, "hr")  # the whole campaign to the trash
    back = db.query(con, 'SELECT batch_id, respondent_id, "DLit100" AS v FROM store.responses ORDER BY 2')
    assert back.values.tolist() == [[up.batch_id, "p1", 0], [up.batch_id, "p9", 1]]
    consistent(con)
    assert store.restore(s.batch_id)
    assert db.scalar(con, "SELECT count(*) FROM store.responses") == 2
    assert db.scalar(con, "SELECT batch_id FROM store.responses WHERE respondent_id = 'p1'") == s.batch_id
    consistent(con)


def test_delete_restore_whole_refuse_while_in_trash_new_batch_after_purge(setup):
    con, _cat, _c, store = setup
    bid = go(setup, "p1").batch_id
    go(setup, "p2")
    go(setup, "p3")
    assert store.delete(bid, "hr")
    assert store.batches().empty and db.scalar(con, "SELECT count(*) FROM store.responses") == 0
    trash = store.batches(deleted=True)
    assert trash["batch_id"].tolist() == [bid] and trash["respondents"].tolist() == [3]
    consistent(con)
    with pytest.raises(campaign.SubmitError) as exc:
        go(setup, "p4")
    assert "were deleted" in exc.value.en and "ถูกลบ" in exc.value.th and "restore" in exc.value.en
    assert db.scalar(con, "SELECT count(*) FROM store.responses") == 0
    assert db.scalar(con, "SELECT count(*) FROM store.campaign_submissions") == 3  # nothing logged
    assert store.restore(bid)
    assert store.batches()["respondents"].tolist() == [3]
    assert go(setup, "p4").batch_id == bid  # taken again, same batch
    consistent(con)
    assert store.delete(bid) and store.purge(bid)
    assert db.scalar(con, "SELECT count(*) FROM store.campaign_submissions") == 0  # purged with its log
    fresh = go(setup, "p1")
    assert fresh.batch_id != bid and not fresh.replaced
    assert store.batches()["batch_id"].tolist() == [fresh.batch_id]
    assert db.query(con, "SELECT seq FROM store.campaign_submissions")["seq"].tolist() == [1]
    consistent(con)


def test_append_uses_the_upload_validation(setup, tmp_path):
    """A row the upload validator rejects is not stored (and no batch is made for it)."""
    con, _cat, c, store = setup
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,group,agency,DLit100\np1,Service,กรม ก,7\n", encoding="utf-8")
    res = store.append(
        bad, code=c.code, agency=c.agency, stage=c.stage, round_date=c.round_date, raw={"respondent_id": "p1"}
    )
    assert res.batch_id is None and res.rejected == 1 and "DLit100" in set(res.problems["column"])
    assert store.batches().empty and db.scalar(con, "SELECT count(*) FROM store.campaign_submissions") == 0


def test_two_campaigns_are_two_batches(setup, catalog):
    con, _cat, c, store = setup
    other = campaign.open_campaign(con, catalog, agency="กรม ข", stage="Early", round_date="2025-06-30")
    a = go(setup, "p1")
    b = go(setup, "p1", c=other)  # the same id in another agency: another person
    assert a.batch_id != b.batch_id and not b.replaced
    assert sorted(store.batches()["content_hash"]) == sorted([f"campaign:{c.code}", f"campaign:{other.code}"])
    logged = db.query(con, "SELECT code, answers FROM store.campaign_submissions ORDER BY code")
    assert {json.loads(x)["agency"] for x in logged["answers"]} == {"กรม ก", "กรม ข"}


@pytest.mark.embedded_only
def test_the_batch_filter_offers_the_campaign_once(setup, store_path, monkeypatch):
    con, _cat, c, _store = setup
    for rid in ("p1", "p2", "p1"):
        go(setup, rid)
    con.close()  # the app opens the store file itself
    monkeypatch.setenv("SKILLS_DB", str(store_path))
    from conftest import run_page

    at = run_page("overview.py", state={"lang": "en"})
    assert not at.exception, at.exception
    assert at.multiselect(key="ov_batches").options == [f"campaign {c.code} (2 people) · กรม ก · 30 Jun 2025"]

"""Schema 4 -> 5: a store where every campaign submission was its own one-person batch (as submit.py stored
them before) gets one batch per campaign on upgrade; nothing is lost, the trash stays as it was."""

from __future__ import annotations

import json
import logging

from framework import analysis, campaign, db
from framework.store import SCHEMA_VERSION, SurveyStore, aggregates, schema_version


def old_submission(store, c, cat, tmp_path, rid, level, at):
    """One submission exactly as version 4 stored it: a one-row CSV ingested as its own batch (replace)."""
    req = cat.profile_units(c.stage, "Service")["code"].tolist()
    path = tmp_path / f"{rid}-{level}.csv"
    path.write_bytes(campaign.survey_csv(c, cat.unit_codes(), rid, "Service", None, {u: level for u in req}))
    res = store.ingest(
        path,
        file_name=campaign.file_name(c.code),
        agency=c.agency,
        stage=c.stage,
        round_date=c.round_date,
        on_conflict="replace",
    )
    store.con.execute("UPDATE store.batches SET uploaded_at = ? WHERE batch_id = ?", [at, res.batch_id])
    return res.batch_id


def build_version_4(con, cat, tmp_path):
    store = SurveyStore(con, cat)
    c = campaign.open_campaign(con, cat, agency="กรม ก", stage="Early", round_date="2025-06-30")
    solo = campaign.open_campaign(con, cat, agency="กรม ข", stage="Early", round_date="2025-06-30")
    hr = tmp_path / "hr.csv"
    hr.write_text("respondent_id,group,DLit100\np4,Service,0\np5,Service,1\n", encoding="utf-8")
    up = store.ingest(hr, agency="กรม ก", stage="Early", round_date="2025-06-30").batch_id
    ids = {
        key: old_submission(store, c, cat, tmp_path, rid, level, f"2025-06-30 09:0{i}")
        for i, (key, rid, level) in enumerate(
            [("p1a", "p1", 1), ("p2", "p2", 2), ("p3", "p3", 3), ("p1b", "p1", 4), ("p4", "p4", 2)]
        )
    }
    ids["solo"] = old_submission(store, solo, cat, tmp_path, "q1", 3, "2025-06-30 10:00")
    assert store.delete(ids["p3"], "hr")  # one submission HR deleted: stays in the trash
    # version 4 had no campaign_submissions table and recorded 4
    con.execute("DROP TABLE store.campaign_submissions")
    con.execute("UPDATE store.store_info SET value = '4' WHERE key = 'schema_version'")
    return c, solo, up, ids


def test_one_person_batches_become_one_batch_per_campaign(store_path, catalog, tmp_path, caplog):
    con = db.connect(store_path)
    c, solo, up, ids = build_version_4(con, catalog, tmp_path)
    assert schema_version(con) == 4
    assert db.scalar(con, "SELECT count(*) FROM store.batches WHERE file_name LIKE 'campaign-%'") == 5  # p3 trashed
    before = db.query(con, 'SELECT respondent_id, "DLit100" AS v FROM store.responses ORDER BY 1')
    trash_before = db.query(con, "SELECT * FROM store.trash_batches")
    with caplog.at_level(logging.INFO, logger="framework.store"):
        store = SurveyStore(con, catalog)
    assert schema_version(con) == SCHEMA_VERSION == 7
    keep = ids["p1a"]  # the earliest batch keeps its id
    b = store.batches().set_index("batch_id")
    assert sorted(b.index) == sorted([up, keep, ids["solo"]])
    assert b.loc[keep, "content_hash"] == f"campaign:{c.code}" and b.loc[keep, "file_name"] == campaign.file_name(
        c.code
    )
    assert (b.loc[keep, "accepted"], b.loc[keep, "respondents"]) == (4, 3)  # p1 (twice), p2, p4; p3 trashed
    assert str(b.loc[keep, "uploaded_at"]).startswith("2025-06-30 09:00")
    assert b.loc[ids["solo"], "content_hash"] == f"campaign:{solo.code}"
    # the live answers are the same people with the same levels, now in the merged batch
    after = db.query(con, 'SELECT respondent_id, "DLit100" AS v FROM store.responses ORDER BY 1')
    assert after.values.tolist() == before.values.tolist()
    assert set(
        db.query(con, "SELECT batch_id FROM store.responses WHERE respondent_id IN ('p1', 'p2', 'p4')")["batch_id"]
    ) == {keep}
    # superseded answers and replacement records point at the merged batch; HR's p4 is still superseded
    old = db.query(
        con,
        'SELECT batch_id, respondent_id, replaced_by, "DLit100" AS v FROM store.superseded_responses '
        "ORDER BY respondent_id",
    )
    assert old.values.tolist() == [[keep, "p1", keep, 1], [up, "p4", keep, 0]]
    assert sorted(
        db.query(con, "SELECT batch_id, respondent_id, replaced_by FROM store.replacements").values.tolist()
    ) == sorted([[keep, "p1", keep], [up, "p4", keep]])
    # each old file became a row of the submissions log, in upload order; the one-row files are gone
    log = db.query(
        con,
        "SELECT code, batch_id, seq, respondent_id, submitted_at, answers "
        "FROM store.campaign_submissions ORDER BY code, seq",
    )
    mine = log[log["code"] == c.code]
    assert mine["respondent_id"].tolist() == ["p1", "p2", "p1", "p4"] and mine["seq"].tolist() == [1, 2, 3, 4]
    assert [json.loads(a)["DLit100"] for a in mine["answers"]] == ["1", "2", "4", "2"]
    assert str(mine["submitted_at"].iloc[0]).startswith("2025-06-30 09:00") and set(mine["batch_id"]) == {keep}
    assert db.query(con, "SELECT batch_id FROM store.batch_files WHERE file_name LIKE 'campaign-%'")[
        "batch_id"
    ].tolist() == [ids["p3"]]  # only the trashed one's
    assert store.original(keep)[1].decode("utf-8-sig").count("\n") == 5  # header + 4 submissions
    # the trash is as it was; the cells are rebuilt; the views count each person once
    assert db.query(con, "SELECT * FROM store.trash_batches").equals(trash_before)
    assert aggregates.fresh(con) and aggregates.check(con).empty
    counts = analysis.survey_counts(con, analysis.Filters(agencies=("กรม ก",)))
    assert counts["respondents"] == 4 and counts["batches"] == 2  # p1 p2 p4 + p5
    # what was merged is reported (store_info and the log)
    report = {
        r["code"]: r for r in json.loads(db.scalar(con, "SELECT value FROM store.store_info WHERE key = 'upgrade_5'"))
    }
    assert report[c.code] == {"code": c.code, "batch_id": keep, "merged": 4, "submissions": 4, "people": 3}
    assert report[solo.code]["merged"] == 1
    assert any(c.code in r.getMessage() and "4 batch(es) merged" in r.getMessage() for r in caplog.records)
    # the upgraded campaign keeps growing in its batch; reopening does not upgrade again
    s = campaign.submit(
        con,
        catalog,
        c,
        "p2",
        "Service",
        None,
        {u: 4 for u in catalog.profile_units("Early", "Service")["code"]},
        limits=campaign.Limits(),
    )
    assert s.batch_id == keep and s.replaced
    assert campaign.stored_at(con, c)["respondent_id"].tolist() == ["p1", "p4", "p2"]
    con.close()
    con = db.connect(store_path)
    SurveyStore(con, catalog)
    assert db.scalar(con, "SELECT count(*) FROM store.batches") == 3
    con.close()


def test_a_trashed_old_submission_restores_alone_and_counts_with_the_campaign(store_path, catalog, tmp_path):
    con = db.connect(store_path)
    c, _, _, ids = build_version_4(con, catalog, tmp_path)
    store = SurveyStore(con, catalog)
    assert store.restore(ids["p3"])
    assert campaign.submissions(con, c)["people"] == 4
    assert sorted(campaign.batch_ids(con, c)) == sorted([ids["p1a"], ids["p3"]])
    assert aggregates.check(con).empty
    con.close()


def test_a_store_without_campaigns_upgrades_untouched(store_con, catalog, tmp_path):
    store = SurveyStore(store_con, catalog)
    f = tmp_path / "campaign-abcdefgh.csv"  # an upload that only looks like a campaign's file
    f.write_text("respondent_id,group,DLit100\nx1,Service,2\n", encoding="utf-8")
    bid = store.ingest(f, agency="A", stage="Early", round_date="2025-06-30").batch_id
    store_con.execute("UPDATE store.store_info SET value = '4' WHERE key = 'schema_version'")
    SurveyStore(store_con, catalog)
    assert store.batches()["batch_id"].tolist() == [bid]
    assert store.original(bid)[0] == "campaign-abcdefgh.csv"
    assert db.scalar(store_con, "SELECT count(*) FROM store.store_info WHERE key = 'upgrade_5'") == 0

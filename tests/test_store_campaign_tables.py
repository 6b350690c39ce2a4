"""The campaign tables are created with the store (framework/store/schema.py), not on a page's first use
(issue 23, point 7)."""

from __future__ import annotations

from test_store_migration import write_version_1_store

from framework import campaign, db
from framework.store import SurveyStore
from framework.store.schema import CAMPAIGN_TABLES


def _tables(con) -> set[str]:
    return set(db.query(con, "SELECT table_name FROM duckdb_tables() WHERE database_name = 'store'")["table_name"])


def test_a_new_store_has_the_campaign_tables(store_path, catalog):
    con = db.connect(store_path)
    SurveyStore(con, catalog)
    assert CAMPAIGN_TABLES <= _tables(con)
    assert campaign.has_tables(con) and campaign.list_campaigns(con) == []
    con.close()


def test_an_upgraded_store_has_them(store_path, catalog):
    write_version_1_store(store_path, catalog.unit_codes())
    con = db.connect(store_path)
    SurveyStore(con, catalog)
    assert CAMPAIGN_TABLES <= _tables(con)
    con.close()


def test_a_current_store_without_them_gets_them_and_keeps_what_it_has(store_path, catalog):
    con = db.connect(store_path)
    SurveyStore(con, catalog)
    c = campaign.open_campaign(con, catalog, agency="กรมทดสอบ", stage="Early", round_date="2025-06-30")
    for name in ("campaign_drafts", "campaign_results", "campaign_submissions"):
        db.execute(con, f"DROP TABLE store.{name}")
    con.close()
    con = db.connect(store_path)
    SurveyStore(con, catalog)
    assert CAMPAIGN_TABLES <= _tables(con)
    assert [x.code for x in campaign.list_campaigns(con)] == [c.code]  # the existing table kept
    con.close()


def test_a_read_only_connection_is_left_as_it_is(store_path, catalog):
    con = db.connect(store_path)
    SurveyStore(con, catalog)
    db.execute(con, "DROP TABLE store.campaign_drafts")
    con.close()
    con = db.connect(store_path, read_only=True)
    SurveyStore(con, catalog)  # no write attempted
    assert "campaign_drafts" not in _tables(con)
    con.close()

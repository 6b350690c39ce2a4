"""A store written by the first release (no schema version) opens and is upgraded in place, data kept."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from framework import db
from framework.store import (
    SCHEMA_VERSION,
    StoreVersionError,
    SurveyStore,
    aggregates,
    schema_version,
)

F = FIXTURES / "surveys"


def write_version_1_store(path, codes):
    """The store exactly as the first release's ensure_schema + SurveyStore wrote it (frozen DDL)."""
    con = db.connect(path)
    # Frozen copy of the first release's DDL (deliberately not shared with framework/store/schema.py).
    con.execute(
        "CREATE TABLE store.batches (batch_id VARCHAR PRIMARY KEY, file_name VARCHAR NOT NULL, "
        "content_hash VARCHAR NOT NULL, agency VARCHAR, stage VARCHAR, round_date DATE, "
        "uploaded_at TIMESTAMP NOT NULL, rows_read INTEGER NOT NULL, accepted INTEGER NOT NULL, "
        "rejected INTEGER NOT NULL, is_demo BOOLEAN NOT NULL DEFAULT FALSE, source_format VARCHAR, "
        "encoding VARCHAR)"
    )
    units = ", ".join(f'"{code}" UTINYINT' for code in codes)
    con.execute(
        "CREATE TABLE store.responses (batch_id VARCHAR NOT NULL, respondent_id VARCHAR NOT NULL, "
        f"staff_group VARCHAR NOT NULL, agency VARCHAR, org_unit VARCHAR, position VARCHAR, {units})"
    )
    con.execute("CREATE TABLE IF NOT EXISTS store.store_info (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute(
        "INSERT INTO store.batches VALUES ('old0000000000001', 'old.csv', 'h1', 'กรมเก่า', 'Early', "
        "DATE '2024-06-30', TIMESTAMP '2024-07-01 09:00', 2, 2, 0, false, 'wide', 'utf-8')"
    )
    con.execute(
        "INSERT INTO store.responses (batch_id, respondent_id, staff_group, agency, \"DLit100\") VALUES "
        "('old0000000000001', 'P1', 'Service', 'กรมเก่า', 3), ('old0000000000001', 'P2', 'Others', 'กรมเก่า', 1)"
    )
    con.execute("INSERT INTO store.store_info VALUES ('had_batches', 'true')")
    con.close()


def test_first_release_store_is_upgraded_in_place_and_keeps_its_data(store_path, catalog, tmp_path):
    write_version_1_store(store_path, catalog.unit_codes())
    con = db.connect(store_path)
    assert schema_version(con) == 1
    before = con.execute("SELECT * FROM store.responses ORDER BY respondent_id").fetchall()
    store = SurveyStore(con, catalog)
    assert schema_version(con) == SCHEMA_VERSION == 7
    assert con.execute("SELECT value FROM store.store_info WHERE key = 'schema_version'").fetchone() == ("7",)
    tables = {
        t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'store'").fetchall()
    }
    assert {
        "trash_batches",
        "trash_responses",
        "batch_files",
        "replacements",
        "superseded_responses",
        "agg_cells",
        "campaign_submissions",
    } <= tables
    assert aggregates.fresh(con) and aggregates.check(con).empty  # the cells built from the old rows
    assert con.execute("SELECT * FROM store.responses ORDER BY respondent_id").fetchall() == before
    b = store.batches()
    assert b["batch_id"].tolist() == ["old0000000000001"] and b["respondents"].tolist() == [2]
    # the upgraded store works: its people count in their round; its batch goes to the trash and back
    people = tmp_path / "p.csv"
    people.write_text("respondent_id,group,DLit100\nP1,Service,4\nP9,Service,2\n", encoding="utf-8")
    res = store.ingest(people, agency="กรมเก่า", round_date="2024-06-30")
    assert res.refused and res.conflicts == ["P1"]
    assert store.delete("old0000000000001", "hr") and store.batches().empty
    assert store.restore("old0000000000001")
    assert con.execute("SELECT * FROM store.responses ORDER BY respondent_id").fetchall() == before
    assert store.original("old0000000000001") is None  # the first release did not keep files
    con.close()
    con = db.connect(store_path)  # reopening does not upgrade again
    assert schema_version(con) == 7 and len(SurveyStore(con, catalog).batches()) == 1
    con.close()


def test_store_from_a_newer_version_is_refused_unchanged(store_path, catalog):
    con = db.connect(store_path)
    SurveyStore(con, catalog)
    con.execute("UPDATE store.store_info SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreVersionError) as exc:
        SurveyStore(con, catalog)
    assert "newer version" in exc.value.en and "รุ่นใหม่กว่า" in exc.value.th
    assert schema_version(con) == 99


@pytest.mark.embedded_only
def test_fresh_store_records_the_version(store_con, catalog):
    assert schema_version(store_con) == 0
    SurveyStore(store_con, catalog)
    assert schema_version(store_con) == SCHEMA_VERSION


def test_an_older_store_with_a_person_twice_in_a_round_is_resolved_on_upgrade(store_path, catalog):
    """Before rounds counted people once, the same rows uploaded in two encodings were two batches:
    the upgrade keeps the latest upload's answers live and the earlier ones superseded (nothing lost)."""
    write_version_1_store(store_path, catalog.unit_codes())
    con = db.connect(store_path)
    con.execute(
        "INSERT INTO store.batches VALUES ('old0000000000002', 'old-874.csv', 'h2', 'กรมเก่า', 'Early', "
        "DATE '2024-06-30', TIMESTAMP '2024-07-02 09:00', 2, 2, 0, false, 'wide', 'cp874')"
    )
    con.execute(
        "INSERT INTO store.responses (batch_id, respondent_id, staff_group, agency, \"DLit100\") VALUES "
        "('old0000000000002', 'P1', 'Service', 'กรมเก่า', 4), ('old0000000000002', 'P3', 'Service', ' กรมเก่า ', 2)"
    )
    con.execute(
        "INSERT INTO store.batches VALUES ('old0000000000003', 'next.csv', 'h3', 'กรมเก่า', 'Early', "
        "DATE '2025-06-30', TIMESTAMP '2025-07-01 09:00', 1, 1, 0, false, 'wide', 'utf-8')"
    )
    con.execute(
        "INSERT INTO store.responses (batch_id, respondent_id, staff_group, agency, \"DLit100\") VALUES "
        "('old0000000000003', 'P1', 'Service', 'กรมเก่า', 2)"
    )  # the same person in another round: kept
    SurveyStore(con, catalog)
    live = con.execute("SELECT batch_id, respondent_id, \"DLit100\" FROM store.responses ORDER BY 1, 2").fetchall()
    assert live == [
        ("old0000000000001", "P2", 1),
        ("old0000000000002", "P1", 4),
        ("old0000000000002", "P3", 2),
        ("old0000000000003", "P1", 2),
    ]
    old = con.execute(
        "SELECT batch_id, respondent_id, \"DLit100\", replaced_by FROM store.superseded_responses"
    ).fetchall()
    assert old == [("old0000000000001", "P1", 3, "old0000000000002")]
    assert con.execute("SELECT batch_id, respondent_id, replaced_by FROM store.replacements").fetchall() == [
        ("old0000000000001", "P1", "old0000000000002")
    ]
    from framework import analysis

    counts = analysis.survey_counts(con, analysis.Filters(round="2024-06-30"))
    assert counts["respondents"] == 3  # P1, P2, P3 once each in the 2024 round
    con.close()

"""framework.analyst: the locked database refuses files, writes, settings and extra statements; limits hold."""

from __future__ import annotations

import sys
import time

import duckdb
import pandas as pd
import pytest
from conftest import FIXTURES

from framework import access, analyst, db

sys.path.insert(0, str(FIXTURES / "export"))
from export_seed import AGENCY, seed


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    path = tmp_path_factory.mktemp("analyst") / "store.duckdb"
    seed(path)
    con = db.connect(path, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def acon(seeded):
    """One locked database for the module: every query is read-only and rolled back."""
    a = analyst.build(seeded, min_cell=5, threshold=3)
    yield a
    a.close()


def refused(acon, query: str) -> analyst.AnalystError:
    with pytest.raises(analyst.AnalystError) as info:
        analyst.run(acon, query)
    err = info.value
    assert err.th and err.en and err.th != err.en  # bilingual
    assert err.message("th").startswith(err.th) and err.message("en").startswith(err.en)
    return err


def test_framework_tables_and_aggregates_are_there_but_not_rows(acon):
    names = analyst.tables(acon)
    for t in (
        "units",
        "elements",
        "criteria",
        "profiles",
        "profile_units",
        "requirement_matrix",
        "coverage",
        "readiness",
        "meta",
    ):
        assert t in names
    assert "responses" not in names and "batches" not in names
    r = analyst.run(acon, "SELECT count(*) AS n FROM units")
    assert r.frame["n"].iloc[0] == 39 and not r.truncated
    thai = analyst.run(acon, "SELECT name_th FROM units WHERE code = 'DLit100'").frame["name_th"].iloc[0]
    assert "ดิจิทัล" in thai


def test_aggregates_are_suppressed_as_on_screen(acon):
    cov = analyst.run(
        acon,
        "SELECT * FROM coverage WHERE \"by\" = 'group' AND stage = 'Developing' "
        "AND key IN ('Service', 'Technologist') AND NOT is_total",
    ).frame
    service = cov[cov["key"] == "Service"]
    assert len(service) == 39 and (service["hidden"] == "small").all() and service["met"].isna().all()
    # The org unit กองเทคโนโลยีสารสนเทศ (4 Technologists, 2 Service: no cell of 5) is a block of its own; the
    # fifth Technologist, alone in another unit, is in none. So no staff-group figure is shown (Technologist:
    # 5 selected, none in a block of one group), the total covers that unit's 6, and total - shown parts
    # covers the whole block: nothing about fewer than 5.
    tech = cov[cov["key"] == "Technologist"].set_index("code")
    assert (tech["hidden"] == "pooled").all() and tech["met"].isna().all() and tech["n_all"].eq(5).all()
    total = analyst.run(
        acon, "SELECT code, n, n_all, met FROM coverage WHERE \"by\" = 'group' AND stage = 'Developing' AND is_total"
    ).frame.set_index("code")
    assert total["n"].eq(6).all() and total["n_all"].eq(7).all() and total["met"].notna().all()
    unit = analyst.run(
        acon,
        "SELECT key, n, met FROM coverage WHERE \"by\" = 'unit' AND stage = 'Developing' "
        "AND NOT is_total AND met IS NOT NULL",
    ).frame
    assert set(unit["key"]) == {"กองเทคโนโลยีสารสนเทศ"} and unit["n"].eq(6).all()
    agencies = analyst.run(acon, "SELECT DISTINCT key FROM readiness WHERE \"by\" = 'agency'").frame["key"]
    assert AGENCY in set(agencies)
    assert analyst.run(acon, "SELECT DISTINCT min_cell, threshold FROM coverage").frame.values.tolist() == [[5, 3]]


def test_row_level_only_when_authorised(seeded):
    a = analyst.build(seeded, min_cell=5, threshold=3, authorised=True)
    try:
        r = analyst.run(a, "SELECT respondent_id, staff_group FROM responses ORDER BY respondent_id")
        assert r.frame["respondent_id"].tolist()[:2] == ["R000", "R001"] and r.rows == 7
        assert "batches" in analyst.tables(a)
    finally:
        a.close()


def test_all_examples_run(acon):
    for th, en, query in analyst.EXAMPLES:
        r = analyst.run(acon, query)
        assert r.rows > 0, en


def test_without_survey_store_framework_tables_only(catalog):
    a = analyst.build(catalog.con, min_cell=5, threshold=3)
    try:
        names = analyst.tables(a)
        assert "units" in names and "coverage" not in names
    finally:
        a.close()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM read_blob('/etc/hostname')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_parquet('data/parquet/units.parquet')",
    ],
)
def test_file_reads_refused(acon, query):
    err = refused(acon, query)
    assert "ไฟล์" in err.th and "file" in err.en


@pytest.mark.parametrize(
    "query, kind",
    [
        ("COPY units TO '/tmp/units.csv'", "COPY"),
        ("ATTACH '/tmp/x.duckdb' AS x", "ATTACH"),
        ("INSTALL httpfs", "LOAD"),
        ("LOAD httpfs", "LOAD"),
        ("SET enable_external_access = true", "SET"),
        ("RESET lock_configuration", "SET"),
        ("CREATE TABLE t AS SELECT 1", "CREATE"),
        ("INSERT INTO units (code) VALUES ('X')", "INSERT"),
        ("DROP TABLE units", "DROP"),
        ("DELETE FROM units", "DELETE"),
        ("UPDATE units SET name_th = 'x'", "UPDATE"),
        ("PRAGMA version", "PRAGMA"),
        ("EXPORT DATABASE '/tmp/dump'", "EXPORT"),
        ("CALL pragma_version()", "CALL"),
    ],
)
def test_non_select_statements_refused(acon, query, kind):
    err = refused(acon, query)
    assert kind in err.en and "SELECT" in err.en and "SELECT" in err.th
    assert analyst.run(acon, "SELECT count(*) AS n FROM units").frame["n"].iloc[0] == 39  # nothing changed


def test_multiple_statements_refused(acon):
    err = refused(acon, "SELECT 1; DROP TABLE units")
    assert "2" in err.en and "one SELECT" in err.en
    refused(acon, "SELECT 1; SELECT 2")


def test_empty_and_syntax_errors_explained(acon):
    assert "No SQL" in refused(acon, "   ").en
    assert "No SQL statement" in refused(acon, "-- only a comment").en
    err = refused(acon, "SELEC 1")
    assert "syntax" in err.en and err.detail


def test_unknown_table_is_explained(acon):
    err = refused(acon, "SELECT * FROM responses")
    assert "table" in err.en and "responses" in err.detail


def test_locked_even_from_inside_a_select(acon):
    refused(acon, "SELECT * FROM query('ATTACH ''/tmp/y.duckdb'' AS y')")
    cur = acon.cursor()
    with pytest.raises(duckdb.Error):
        cur.execute("SET enable_external_access = true")
    assert analyst.run(acon, "SELECT current_setting('enable_external_access') AS v").frame["v"].iloc[0] in (
        False,
        "false",
    )


def test_python_variables_are_not_visible(acon):
    secret_frame = pd.DataFrame({"pw": ["hunter2"]})  # noqa: F841 — a replacement scan would find it
    err = refused(acon, "SELECT * FROM secret_frame")
    assert "secret_frame" in err.detail


def test_row_limit_marks_truncation(acon):
    r = analyst.run(acon, "SELECT * FROM range(100)", limit=10)
    assert r.rows == 10 and r.truncated and r.limit == 10
    r = analyst.run(acon, "SELECT * FROM range(10)", limit=10)
    assert r.rows == 10 and not r.truncated


def test_time_limit_interrupts(acon):
    err = refused_with(acon, "SELECT sum(hash(a.range * b.range)) FROM range(200000) a, range(200000) b", timeout=0.5)
    assert "0.5" in err.en and "stopped" in err.en
    assert analyst.run(acon, "SELECT 42 AS x").frame["x"].iloc[0] == 42  # usable afterwards


def refused_with(acon, query, **kw) -> analyst.AnalystError:
    with pytest.raises(analyst.AnalystError) as info:
        analyst.run(acon, query, **kw)
    return info.value


def test_seconds_is_the_time_the_query_took(acon):
    slow = "SELECT sum(hash(range)) AS s FROM range(30000000)"
    start = time.perf_counter()
    r = analyst.run(acon, slow)
    wall = time.perf_counter() - start
    assert 0.01 < r.seconds <= wall  # measured around the query, not made up
    fast = analyst.run(acon, "SELECT 1 AS x")
    assert fast.seconds < r.seconds


def test_bad_k_refused(seeded):
    with pytest.raises(analyst.AnalystError):
        analyst.build(seeded, min_cell=0, threshold=3)


def test_k_below_the_floor_needs_the_passphrase_for_any_caller(seeded, monkeypatch):
    """analyst.build itself holds the floor (it used to accept any k >= 1; only pages/sql.py held 5)."""
    monkeypatch.delenv(access.MIN_CELL_ENV, raising=False)
    with pytest.raises(analyst.AnalystError) as info:
        analyst.build(seeded, min_cell=4, threshold=3)
    assert "passphrase" in info.value.en and "รหัสผ่าน" in info.value.th and "5" in info.value.en
    with pytest.raises(analyst.AnalystError) as info:  # the one lowest k (access.lowest_min_cell): 3
        analyst.build(seeded, min_cell=2, threshold=3, authorised=True)
    assert "at least 3" in info.value.en and "3" in info.value.th
    monkeypatch.setenv(access.MIN_CELL_ENV, "2")  # a floor of 2: HR's lowest k is 2 too
    a = analyst.build(seeded, min_cell=2, threshold=3, authorised=True)
    try:  # the 2 Service staff are shown
        met = analyst.run(
            a, "SELECT met FROM coverage WHERE \"by\" = 'group' AND key = 'Service' AND stage = 'Developing'"
        ).frame["met"]
        assert met.notna().all()
    finally:
        a.close()
    monkeypatch.setenv(access.MIN_CELL_ENV, "8")  # a configured floor counts, not the default 5
    with pytest.raises(analyst.AnalystError):
        analyst.build(seeded, min_cell=5, threshold=3)
    monkeypatch.setenv(access.MIN_CELL_ENV, "3")
    analyst.build(seeded, min_cell=3, threshold=3).close()


@pytest.mark.parametrize(
    "query, verb",
    [
        ("WITH x AS (DELETE FROM units RETURNING *) SELECT * FROM x", "DELETE"),
        ("WITH x AS MATERIALIZED (UPDATE units SET name_th = 'x' RETURNING *) SELECT 1", "UPDATE"),
        ("WITH x AS (INSERT INTO units (code) VALUES ('X') RETURNING *) SELECT * FROM x", "INSERT"),
        (
            "SELECT * FROM units WHERE code IN (WITH d AS (DELETE FROM units RETURNING code) SELECT code FROM d)",
            "DELETE",
        ),
    ],
)
def test_writing_cte_inside_a_select_refused(acon, query, verb):
    err = refused(acon, query)
    assert verb in err.en and verb in err.th and "WITH" in err.en
    assert analyst.run(acon, "SELECT count(*) AS n FROM units").frame["n"].iloc[0] == 39
    assert analyst.run(acon, "SELECT count(*) AS n FROM units WHERE name_th = 'x'").frame["n"].iloc[0] == 0


def test_every_query_is_rolled_back_even_if_the_check_misses(acon, monkeypatch):
    """Past check(), a write still changes nothing: the worker opens the database file read-only."""
    monkeypatch.setattr(analyst, "_refuse_writing_ctes", lambda *a: None)
    err = refused(acon, "WITH x AS (DELETE FROM units RETURNING *) SELECT count(*) AS n FROM x")
    assert "read-only" in err.detail  # refused by DuckDB itself ...
    assert analyst.run(acon, "SELECT count(*) AS n FROM units").frame["n"].iloc[0] == 39  # ... and changed nothing


def test_read_only_shapes_still_allowed(acon):
    assert analyst.run(acon, "DESCRIBE units").rows == 6
    assert "units" in set(analyst.run(acon, "SHOW TABLES").frame["name"])
    assert (
        analyst.run(
            acon,
            "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT max(n) AS m FROM r",
        )
        .frame["m"]
        .iloc[0]
        == 3
    )
    assert analyst.run(acon, "SELECT 1 AS x;").frame["x"].iloc[0] == 1  # a trailing ; is one statement
    assert analyst.run(acon, "SELECT 1 AS x /* ; DROP TABLE units */").rows == 1


def test_comment_cannot_hide_a_second_statement(acon):
    err = refused(acon, "SELECT 1 -- harmless\n; DROP TABLE units")
    assert "2" in err.en
    assert "units" in analyst.tables(acon)


def test_memory_limit_explained(seeded, monkeypatch):
    monkeypatch.setattr(analyst, "MEMORY_LIMIT", "64MB")
    a = analyst.build(seeded, min_cell=5, threshold=3)
    try:
        err = refused(a, "SELECT list(range) AS l FROM range(40000000)")
        assert "memory" in err.en and "หน่วยความจำ" in err.th and "64MB" in err.en
        assert analyst.run(a, "SELECT 1 AS x").rows == 1
    finally:
        a.close()

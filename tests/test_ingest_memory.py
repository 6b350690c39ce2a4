"""Issue 22.5: an ingest's memory is bounded at any size. DuckDB's memory_limit is INGEST_MEMORY_LIMIT while it
runs (spilling to a folder next to the store) and the previous limit comes back however it ends; the accepted
rows stay in DuckDB (never copied through Python); a large original file is kept compressed and read back as its
own bytes; the cells of a large upload are counted in parts, equal to the whole count."""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

import duckdb
import pytest

from framework import db, survey
from framework.catalog import STAFF_GROUPS
from framework.store import SurveyStore, aggregates, files, spill
from framework.survey import tempfiles

CODES = ("DLit100", "DLit400", "DG100", "DS100", "DTr300")


def survey_file(tmp_path, n: int, seed: int = 1, name: str = "s.csv"):
    rng = random.Random(seed)
    lines = ["respondent_id,group,agency,unit," + ",".join(CODES)]
    for i in range(n):
        levels = ",".join(rng.choice(["", "0", "1", "2", "3", "4"]) for _ in CODES)
        lines.append(f"P{seed}-{i},{STAFF_GROUPS[i % len(STAFF_GROUPS)]},กรม{i % 3},กอง{i % 5},{levels}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def limit_of(con) -> str:
    return spill.setting(con, "memory_limit")


def as_shown(value: str) -> str:
    """A memory_limit as DuckDB shows it once set."""
    with duckdb.connect() as probe:
        probe.execute(f"SET memory_limit = '{value}'")
        return probe.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def intake_tables(con) -> list[str]:
    return db.query(
        con, "SELECT table_name FROM duckdb_tables() WHERE database_name = 'memory' AND table_name LIKE 'intake_%'"
    )["table_name"].tolist()


@pytest.fixture
def store(store_con):
    return SurveyStore(store_con)


@pytest.mark.embedded_only
def test_ingest_bounds_duckdb_memory_then_restores_it(store, tmp_path, store_path):
    con = store.con
    before = limit_of(con)
    assert before != as_shown(spill.INGEST_MEMORY_LIMIT)
    seen = {}

    def progress(fraction, th, en):
        seen[en] = (limit_of(con), intake_tables(con))
        if en == "Saving":  # the accepted rows wait in DuckDB, a table every cursor sees
            (name,) = seen[en][1]
            seen["rows"] = db.scalar(con, f"SELECT count(*) FROM memory.main.{db.ident(name)}")

    res = store.ingest(survey_file(tmp_path, 30), agency="กรม", stage="Developing", round_date="2025-06-30",
                       progress=progress)  # fmt: skip
    assert res.accepted == 30 and seen["rows"] == 30
    assert seen["Reading the file"][0] == seen["Saving"][0] == as_shown(spill.INGEST_MEMORY_LIMIT)
    assert limit_of(con) == before and intake_tables(con) == []  # restored, dropped
    assert spill.setting(con, "temp_directory") == str(store_path) + ".tmp"  # spills beside the store
    assert db.scalar(con, "SELECT count(*) FROM store.responses") == 30


def test_bound_lifted_and_nothing_left_when_an_ingest_fails(store, tmp_path, monkeypatch):
    con = store.con
    before = limit_of(con)
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,group,DLit100\n", encoding="utf-8")  # a header, no rows: refused
    with pytest.raises(survey.SurveyFileError):
        store.ingest(bad, agency="กรม", stage="Developing", round_date="2025-06-30")
    assert limit_of(con) == before and intake_tables(con) == []

    def broken(cur, ids):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(aggregates, "refresh", broken)  # the write fails inside its transaction
    with pytest.raises(RuntimeError):
        store.ingest(survey_file(tmp_path, 12), agency="กรม", stage="Developing", round_date="2025-06-30")
    assert limit_of(con) == before and intake_tables(con) == []
    assert db.scalar(con, "SELECT count(*) FROM store.responses") == 0  # all or nothing
    assert db.scalar(con, "SELECT count(*) FROM store.batches") == 0


def test_accepted_rows_never_leave_duckdb(store, tmp_path, monkeypatch):
    def no_arrow(*args, **kwargs):
        raise AssertionError("the ingest copied the accepted rows out of DuckDB")

    monkeypatch.setattr(SurveyStore, "_validate", no_arrow)  # the Arrow path (kept for one-person appends)
    res = store.ingest(survey_file(tmp_path, 20), agency="กรม", stage="Developing", round_date="2025-06-30")
    assert res.respondents == 20
    first = db.query(store.con, "SELECT respondent_id FROM store.responses LIMIT 3")["respondent_id"].tolist()
    assert first == ["P1-0", "P1-1", "P1-2"]  # the file's order


def test_two_ingests_at_once_restore_the_limit_once_both_end(store_con):
    before = limit_of(store_con)
    with spill.bounded(store_con):
        with spill.bounded(store_con):
            assert limit_of(store_con) == as_shown(spill.INGEST_MEMORY_LIMIT)
        assert limit_of(store_con) == as_shown(spill.INGEST_MEMORY_LIMIT)  # the other one still runs
    assert limit_of(store_con) == before


def test_spill_files_of_ended_processes_are_swept(tmp_path):
    dead = 2**22 + 12345  # above the usual pid_max
    (tmp_path / f"duckdb_temp_{dead}_0_storage_DEFAULT-0.tmp").write_bytes(b"x")
    mine = tmp_path / f"duckdb_temp_{os.getpid()}_0_storage_DEFAULT-0.tmp"
    mine.write_bytes(b"x")
    other = tmp_path / "keep.tmp"
    other.write_bytes(b"x")
    assert spill.sweep(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other.name])


def test_large_original_kept_compressed_and_read_back_whole(store, tmp_path, monkeypatch):
    monkeypatch.setattr(files, "COMPRESS_ABOVE", 256)
    zst = set(Path(tempfile.gettempdir()).glob(tempfiles.PREFIX + "*.zst"))
    path = survey_file(tmp_path, 40)
    res = store.ingest(path, agency="กรม", stage="Developing", round_date="2025-06-30")
    stored, size = db.query(
        store.con, "SELECT octet_length(data) AS n, size FROM store.batch_files WHERE batch_id = $b",
        {"b": res.batch_id},
    ).iloc[0]  # fmt: skip
    assert size == path.stat().st_size and stored < size  # zstd
    assert store.original(res.batch_id) == (path.name, path.read_bytes())
    small = survey_file(tmp_path, 1, seed=2, name="small.csv")
    monkeypatch.setattr(files, "COMPRESS_ABOVE", 10_000)
    res2 = store.ingest(small, agency="กรม", stage="Developing", round_date="2025-06-30")
    raw = db.scalar(store.con, "SELECT data FROM store.batch_files WHERE batch_id = $b", {"b": res2.batch_id})
    assert bytes(raw) == small.read_bytes()  # kept as it is
    assert store.original(res2.batch_id)[1] == small.read_bytes()
    assert set(Path(tempfile.gettempdir()).glob(tempfiles.PREFIX + "*.zst")) == zst  # the compressed copy removed


def test_cells_counted_in_parts_equal_the_whole(store, tmp_path, monkeypatch):
    monkeypatch.setattr(aggregates, "PART_ROWS", 7)  # 60 rows: 9 parts of whole cells
    store.ingest(survey_file(tmp_path, 60), agency="กรม", stage="Developing", round_date="2025-06-30")
    con = store.con
    assert aggregates.fresh(con) and aggregates.check(con).empty
    parts = db.query(con, "SELECT * FROM store.agg_cells ORDER BY ALL")
    monkeypatch.setattr(aggregates, "PART_ROWS", 1_000_000)
    with db.transaction(con) as cur:
        aggregates.rebuild(cur)
    whole = db.query(con, "SELECT * FROM store.agg_cells ORDER BY ALL")
    assert parts.equals(whole)

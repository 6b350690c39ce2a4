"""Issue 22.5: an HR analyst's `responses` are read in place - a view over one Parquet snapshot per data version,
shared by the workspaces of that version - instead of a copy in every locked database; the results are the
store's own rows, and the snapshot is the only file the locked database may read (none without HR)."""

from __future__ import annotations

import gc
import random

import pytest

from framework import analyst, analyst_snapshot, db
from framework.catalog import STAFF_GROUPS
from framework.store import SurveyStore

CODES = ("DLit100", "DLit400", "DG100", "DS100", "DTr300")


def put(store, tmp_path, n: int, seed: int):
    rng = random.Random(seed)
    lines = ["respondent_id,group,unit," + ",".join(CODES)]
    for i in range(n):
        levels = ",".join(rng.choice(["", "0", "1", "2", "3", "4"]) for _ in CODES)
        lines.append(f"S{seed}-{i:03d},{STAFF_GROUPS[i % len(STAFF_GROUPS)]},กอง{i % 3},{levels}")
    path = tmp_path / f"s{seed}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return store.ingest(path, agency="กรมหนึ่ง", stage="Developing", round_date=f"202{seed}-06-30")


@pytest.fixture
def store(store_con, tmp_path):
    s = SurveyStore(store_con)
    put(s, tmp_path, 40, 1)
    return s


def kinds(ws) -> dict[str, str]:
    cur = ws.cursor()
    try:
        return dict(
            cur.execute(
                "SELECT table_name, 'table' FROM duckdb_tables() UNION ALL SELECT view_name, 'view' FROM duckdb_views() "
                "WHERE NOT internal"
            ).fetchall()
        )
    finally:
        cur.close()


def test_responses_are_a_view_over_the_snapshot_with_the_stores_rows(store):
    con = store.con
    ws = analyst.build(con, min_cell=5, threshold=3, authorised=True)
    try:
        assert kinds(ws)["responses"] == "view" and kinds(ws)["batches"] == "table"  # not copied in
        got = analyst.run(ws, "SELECT * FROM responses ORDER BY respondent_id").frame
        want = db.query(con, "SELECT * FROM store.responses ORDER BY respondent_id")
        assert len(got) == 40
        assert got.equals(want)  # every column, value and type
        cols = analyst.describe(ws)
        assert cols[cols["table"] == "responses"]["column"].tolist() == list(want.columns)
        assert ws.snapshot.path.suffix == ".parquet" and ws.snapshot.path.parent == ws.path.parent
    finally:
        ws.close()


def test_one_snapshot_per_data_version_removed_when_unused(store, tmp_path):
    con = store.con
    a = analyst.build(con, min_cell=5, threshold=3, authorised=True)
    b = analyst.build(con, min_cell=3, threshold=2, authorised=True)
    first = a.snapshot.path
    assert b.snapshot.path == first and first.exists()  # written once, shared
    put(store, tmp_path, 10, 2)  # a new data version
    c = analyst.build(con, min_cell=5, threshold=3, authorised=True)
    try:
        assert c.snapshot.path != first
        assert analyst.run(c, "SELECT count(*) AS n FROM responses").frame["n"].iloc[0] == 50
        assert analyst.run(a, "SELECT count(*) AS n FROM responses").frame["n"].iloc[0] == 40  # its own version
        a.close()
        b.close()
        del a, b
        gc.collect()
        assert not first.exists()  # no workspace uses it any more
    finally:
        c.close()


def test_the_snapshot_is_the_only_file_and_only_for_hr(store, tmp_path):
    con = store.con
    hr = analyst.build(con, min_cell=5, threshold=3, authorised=True)
    public = analyst.build(con, min_cell=5, threshold=3)
    other = tmp_path / "other.parquet"
    db.execute(con, f"COPY (SELECT 1 AS x) TO {db.literal(other)} (FORMAT parquet)")
    try:
        snap = hr.snapshot.path
        for query in (
            f"SELECT * FROM read_parquet('{other}')",
            f"SELECT * FROM read_parquet('{snap.parent}/*.parquet')",
            f"SELECT * FROM glob('{snap.parent}/*')",
            "SELECT * FROM read_csv('/etc/passwd')",
        ):
            with pytest.raises(analyst.AnalystError) as info:
                analyst.run(hr, query)
            assert "file" in info.value.en, query
        assert "responses" not in analyst.tables(public) and public.snapshot is None
        with pytest.raises(analyst.AnalystError) as info:  # without HR, not even the snapshot's path
            analyst.run(public, f"SELECT count(*) FROM read_parquet('{snap}')")
        assert "file" in info.value.en
    finally:
        hr.close()
        public.close()


def test_a_killed_process_snapshot_is_swept(tmp_path):
    dead = 2**22 + 54321
    left = tmp_path / f"{dead}-responses-0123456789abcdef-01234567.parquet"
    left.write_bytes(b"PAR1")
    assert analyst.sweep_stale(tmp_path) == 1 and not left.exists()


def test_snapshot_written_whole_or_not_at_all(store, monkeypatch, tmp_path):
    real = db.execute

    def failing(con, text, params=None):
        real(con, text, params)  # the file is written, then the disk fills
        raise RuntimeError("disk full")

    monkeypatch.setattr(analyst_snapshot.db, "execute", failing)
    with pytest.raises(RuntimeError):
        analyst_snapshot.responses(store.con, tmp_path)
    assert not list(tmp_path.glob("*.parquet"))

"""framework.analyst resource limits: memory and threads fixed at connect, result size capped, time enforced."""

from __future__ import annotations

import gc
import time

import duckdb
import pytest

from framework import analyst, db


def rss_mb() -> float:
    """This process's resident memory (Linux /proc; no psutil)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    pytest.skip("no /proc/self/status")


@pytest.fixture(scope="module")
def acon():
    con = db.connect()
    a = analyst.build(con, min_cell=5, threshold=3)
    yield a
    a.close()
    con.close()


def refused(acon, query, **kw) -> analyst.AnalystError:
    with pytest.raises(analyst.AnalystError) as info:
        analyst.run(acon, query, **kw)
    assert info.value.th and info.value.en and info.value.th != info.value.en
    return info.value


def test_limits_are_set_at_connect_and_locked(acon):
    r = analyst.run(
        acon,
        "SELECT current_setting('memory_limit') AS m, current_setting('threads') AS t, "
        "current_setting('max_temp_directory_size') AS d",
    ).frame.iloc[0]
    assert r["m"].startswith("488") and int(r["t"]) == 1 and r["d"].startswith("0")  # 512MB = 488.2 MiB
    cur = acon.cursor()
    try:
        for stmt in ("SET memory_limit = '8GB'", "SET threads = 8", "SET max_temp_directory_size = '10GB'"):
            with pytest.raises(duckdb.Error):
                cur.execute(stmt)
    finally:
        cur.close()


def test_a_200_mb_string_is_refused_and_not_kept(acon):
    gc.collect()
    before = rss_mb()
    err = refused(acon, "SELECT repeat('x', 200000000) AS s")
    assert "50 MB" in err.en and "50 MB" in err.th and "columns" in err.en
    gc.collect()
    assert rss_mb() - before < 100  # nothing of the 200 MB stays with the session
    assert analyst.run(acon, "SELECT 1 AS x").frame["x"].iloc[0] == 1


def test_many_rows_count_against_the_same_cap(acon):
    query = "SELECT range AS i, repeat('ก', 100) AS s FROM range(60000)"  # ~18 MB of Thai text
    err = refused(acon, query, limit=100_000, max_bytes=5 * 2**20)
    assert "5 MB" in err.en
    r = analyst.run(acon, query, limit=1_000, max_bytes=5 * 2**20)  # fewer rows: well under the cap
    assert r.rows == 1_000 and r.truncated and r.frame["s"].iloc[0] == "ก" * 100


def test_a_result_under_the_cap_is_whole_and_typed_as_before(acon):
    r = analyst.run(
        acon,
        "SELECT DATE '2025-01-15' AS d, 1.5::DECIMAL(10, 2) AS dec, "
        "CASE WHEN range = 0 THEN NULL ELSE range END::INTEGER AS i, 'ไทย' AS t FROM range(3)",
    )
    assert str(r.frame["d"].dtype).startswith("datetime64") and r.frame["dec"].iloc[0] == 1.5
    assert str(r.frame["i"].dtype) == "Int32" and r.frame["i"].isna().tolist() == [True, False, False]
    assert r.frame["t"].tolist() == ["ไทย"] * 3


@pytest.mark.parametrize(
    "query",
    [
        "SELECT sum(hash(a.range * b.range)) AS s FROM range(300000) a, range(300000) b",
        "SELECT hash(a.range * b.range) AS h FROM range(300000) a, range(300000) b ORDER BY h",
        # rows stream out slowly: the interrupt may arrive while batches are read (through Arrow)
        (
            "SELECT a.range AS x, b.range AS y FROM range(3000000) a, range(3000) b "
            "WHERE (a.range * 7 + b.range * 13) % 1000003 = 5"
        ),
    ],
)
def test_a_runaway_query_ends_within_the_limit(acon, query):
    start = time.perf_counter()
    err = refused(acon, query, timeout=1.0)
    took = time.perf_counter() - start
    assert "1 s" in err.en and "stopped" in err.en
    assert took < 1.0 + 1.5, took  # the limit plus a small margin, not 13-17 s


def test_the_fetch_loop_keeps_the_deadline_too(monkeypatch):
    """In the worker: past the deadline between two batches, the query stops even if DuckDB was not interrupted."""
    from framework import analyst_worker as worker

    clock = iter([0.0] + [100.0] * 50)
    monkeypatch.setattr(worker.time, "perf_counter", lambda: next(clock))
    with duckdb.connect() as con, pytest.raises(worker.Refused) as info:
        worker.fetch(con.cursor(), "SELECT range FROM range(100000)", limit=100_000, deadline=5.0, max_bytes=2**30)
    assert info.value.kind == "interrupt"

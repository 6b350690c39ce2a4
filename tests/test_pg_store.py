"""The PostgreSQL store (framework/pgstore): the same figures as the embedded file, replicas that re-sync when
another connection writes, and `migrate` between a file and PostgreSQL both ways with equal figures.

Marked `pg`: `make test-pg` runs them against a private PostgreSQL server (tests/pg_server.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import ROOT

from framework import analysis, campaign, db, pgstore
from framework.analysis import Filters
from framework.paths import DEMO_DIR
from framework.store import SurveyStore

pytestmark = pytest.mark.pg
AGENCY = "กรมทดสอบ"


def work(con, catalog, tmp_path) -> None:
    """Ingest (the demo, a replace), two campaign answers, delete + restore, a batch left in the trash."""
    store = SurveyStore(con, catalog)
    demo = store.load_demo(DEMO_DIR)
    first = demo[0]
    fix = tmp_path / "fix.csv"
    codes = ",".join(store.unit_codes)
    fix.write_text(
        f"respondent_id,group,unit,{codes}\n" + "".join(f"R{i},Service,กองแผน,{'3,' * 20}\n" for i in range(3)),
        encoding="utf-8",
    )
    store.ingest(fix, agency=AGENCY, stage="Early", round_date="2025-06-30")
    c = campaign.open_campaign(con, catalog, agency=AGENCY, stage="Early", round_date="2025-06-30")
    req = catalog.profile_units("Early", "Service")["code"].tolist()
    for rid, level in (("R1", 4), ("N9", 2)):  # R1 is already in the round: replaced
        campaign.submit(con, catalog, c, rid, "Service", None, {u: level for u in req}, client=rid)
    store.delete(demo[1].batch_id, "hr")
    store.restore(demo[1].batch_id)
    store.delete(first.batch_id, "hr")


def figures(con) -> dict:
    f = Filters(threshold=2, min_cell=3, round="all")
    batches = SurveyStore(con).batches().drop(columns=["uploaded_at", "batch_id", "content_hash"])
    batches["file_name"] = batches["file_name"].str.replace(r"^campaign-.*", "campaign", regex=True)
    batches = batches.sort_values("file_name", ignore_index=True)  # a campaign's code is drawn at random
    return {
        "coverage": analysis.coverage(con, f, stage="Early", by="group"),
        "coverage by agency": analysis.coverage(con, f, stage="Developing", by="agency"),
        "readiness": analysis.readiness(con, f, by="group"),
        "counts": analysis.survey_counts(con, f),
        "batches": batches,
        "trash": SurveyStore(con).trashed()[["file_name", "accepted"]],
        "people": db.query(
            con,
            "SELECT b.round_date, r.agency, r.respondent_id, count(*) AS n FROM store.responses r "
            "JOIN store.batches b USING (batch_id) GROUP BY ALL ORDER BY ALL",
        ),
    }


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k, v in a.items():
        if isinstance(v, pd.DataFrame):
            pd.testing.assert_frame_equal(v, b[k], check_dtype=False, obj=k)
        else:
            assert v == b[k], k


def test_a_postgresql_store_gives_the_figures_of_the_file(pg_url, store_path, catalog, tmp_path):
    file_con, pg_con = db.connect(store_path), db.connect(pg_url)
    assert pgstore.link_of(pg_con) is not None and pgstore.link_of(file_con) is None
    work(file_con, catalog, tmp_path)
    work(pg_con, catalog, tmp_path)
    expected = figures(file_con)
    assert_same(expected, figures(pg_con))
    # a fresh process's replica, loaded from PostgreSQL alone, holds the same
    fresh = db.connect(pg_url)
    assert_same(expected, figures(fresh))
    assert expected["people"]["n"].eq(1).all() and "N9" in set(expected["people"]["respondent_id"])
    for c in (file_con, pg_con, fresh):
        pgstore.detach(c)
        c.close()


def test_a_stale_replica_re_syncs_when_another_connection_writes(pg_url, catalog):
    a, b, stale = db.connect(pg_url), db.connect(pg_url), db.connect(pg_url)
    SurveyStore(a, catalog)
    late = SurveyStore(stale, catalog)  # never reads again before its upload below
    before = db.data_version(b)
    res = SurveyStore(a, catalog).load_demo(DEMO_DIR)[:1]
    # b has not been told: its next cache key (what every page computes) re-syncs it
    after = db.data_version(b)
    assert after != before and after == db.data_version(a)
    assert db.scalar(b, "SELECT count(*) FROM store.responses") == db.scalar(a, "SELECT count(*) FROM store.responses")
    # a write through b (a delete) lands in a's replica too, batch by batch
    SurveyStore(b, catalog).delete(res[0].batch_id, "hr")
    assert db.scalar(a, "SELECT count(*) FROM store.batches") == 4  # until a re-syncs (every page run does:
    db.refresh(a)  # ui.shell.connection)
    assert db.scalar(a, "SELECT count(*) FROM store.batches") == 3
    assert db.scalar(a, "SELECT count(*) FROM store.trash_batches") == 1
    assert db.scalar(a, "SELECT count(*) FROM store.responses WHERE batch_id = $b", {"b": res[0].batch_id}) == 0
    # the same file uploaded through a stale replica: recognised as stored, not a second copy
    again = json.loads((DEMO_DIR / "manifest.json").read_text(encoding="utf-8"))["batches"][1]
    res = late.ingest(DEMO_DIR / again["file"], agency=again["agency"], round_date=again["round_date"])
    assert res.duplicate and db.scalar(stale, "SELECT count(*) FROM store.batches") == 3
    for c in (a, b, stale):
        pgstore.detach(c)
        c.close()


def cli(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "framework", *args, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_migrate_from_a_file_to_postgresql_and_back_keeps_every_figure(demo_store, pg_databases, tmp_path):
    url = pg_databases.new(empty=True)
    there = cli("migrate", "--from", str(demo_store), "--to", url)
    back = tmp_path / "back.duckdb"
    again = cli("migrate", "--from", url, "--to", str(back))
    assert there["tables"] == again["tables"] and there["data_version"] == again["data_version"]
    assert there["tables"]["responses"] > 4000
    cons = [db.connect(p) for p in (demo_store, url, back)]
    first = figures(cons[0])
    for c in cons[1:]:
        assert_same(first, figures(c))
    for c in cons:
        pgstore.detach(c)
        c.close()
    # into a store that is not empty: refused, nothing changed
    refused = subprocess.run(
        [sys.executable, "-m", "framework", "migrate", "--from", str(demo_store), "--to", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 2 and "already holds survey tables" in refused.stderr
    pg_databases.drop(url)


def test_archive_is_refused_on_a_postgresql_store_in_both_languages(pg_url):
    out = subprocess.run(
        [sys.executable, "-m", "framework", "compact", "--db", pg_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert "works on a .duckdb store file only" in out.stderr and "ใช้ได้กับคลังแบบสำรวจที่เป็นไฟล์" in out.stderr


def test_a_lost_connection_is_one_bilingual_error_and_the_next_write_reconnects(pg_url, catalog):
    import psycopg

    from framework import audit, storage

    con = db.connect(pg_url)
    SurveyStore(con, catalog)
    name = pg_url.split("///", 1)[1].split("?", 1)[0]

    def drop_connections():  # the server drops this process's connection
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )

    drop_connections()
    with pytest.raises(storage.StoreWriteError) as err, db.transaction(con) as cur:
        cur.execute("INSERT INTO store.store_info VALUES ('x', 'y')")
    assert "PostgreSQL" in err.value.en and "PostgreSQL" in err.value.th and "nothing of this write" in err.value.en
    assert db.scalar(con, "SELECT count(*) FROM store.store_info WHERE key = 'x'") == 0
    assert audit.record(con, "hr", "sign-in")  # the next write reconnects
    drop_connections()
    assert db.data_version(con)  # a read goes on from the replica (the failed re-sync is logged, not shown)
    assert audit.record(con, "hr", "sign-in")
    fresh = db.connect(pg_url)
    assert db.scalar(fresh, "SELECT count(*) FROM store.audit_log WHERE action = 'sign-in'") == 2
    for c in (con, fresh):
        pgstore.detach(c)
        c.close()

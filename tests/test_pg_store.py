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


# --- a write ships what it changed (issue 22: "a whole ministry at once") ---------------------------------------
def contents(con) -> dict:
    """Every store table's (rows, hash sum): equal contents give equal figures."""
    from framework.pgstore.tables import store_tables

    cur = con.cursor()
    try:
        return {
            n: cur.execute(f"SELECT count(*), sum(hash(x)) FROM store.main.{db.ident(n)} x").fetchall()[0]
            for n in sorted(store_tables(cur))
        }
    finally:
        cur.close()


def test_every_kind_of_write_reaches_a_replica_that_re_syncs_and_a_fresh_one(pg_url, catalog, tmp_path, monkeypatch):
    """Appended rows, re-shipped batches and whole tables, each write the product does, step by step."""
    from framework import audit, targets
    from framework.campaign import drafts, links
    from framework.pgstore import changes

    monkeypatch.setattr(changes, "GROUP", 7)  # deletions looked for in many row groups, as in a big store

    a, b = db.connect(pg_url), db.connect(pg_url)
    store = SurveyStore(a, catalog)
    demo = store.load_demo(DEMO_DIR)
    c = campaign.open_campaign(a, catalog, agency=AGENCY, stage="Early", round_date="2025-06-30")
    req = catalog.profile_units("Early", "Service")["code"].tolist()
    pairs = links.issue(a, c, ["L1", "L2"])
    fix = tmp_path / "fix.csv"
    codes = ",".join(store.unit_codes)
    fix.write_text(
        f"respondent_id,group,unit,{codes}\n" + "".join(f"R{i},Service,กองแผน,{'3,' * 20}\n" for i in range(3)),
        encoding="utf-8",
    )

    def answer(rid, level, **kw):
        campaign.submit(a, catalog, c, rid, "Service", None, {u: level for u in req}, client=rid, **kw)

    steps = [
        ("an upload replacing answers of its round", lambda: store.ingest(fix, agency=AGENCY, round_date="2025-06-30")),
        ("a first answer", lambda: answer("N1", 2)),
        ("the same person again (replaced in its batch)", lambda: answer("N1", 3)),
        ("a person of the upload (replaced in another batch)", lambda: answer("R1", 4)),
        ("a draft", lambda: (drafts.keep(a, c.code, "t1", {"respondent_id": "D1"}), drafts.flush())),
        ("an answer through a personal link", lambda: answer("x", 2, link=links.lookup(a, pairs[0][1]))),
        ("a link revoked", lambda: links.revoke(a, c, "L2")),
        ("an audit line", lambda: audit.record(a, "hr", "sign-in")),
        (
            "a target level",
            lambda: targets.set_level(
                a, AGENCY, "2025-06-30", "Early", "Service", req[0], 4, who="hr", authorised=True
            ),
        ),
        ("targets reset", lambda: targets.reset(a, AGENCY, "2025-06-30", who="hr", authorised=True)),
        ("a batch to the trash", lambda: store.delete(demo[1].batch_id, "hr")),
        ("restored", lambda: store.restore(demo[1].batch_id)),
        ("deleted and purged", lambda: (store.delete(demo[2].batch_id, "hr"), store.purge(demo[2].batch_id))),
        ("the campaign closed", lambda: campaign.close(a, c.code)),
    ]
    for what, step in steps:
        step()
        db.refresh(b)
        assert contents(b) == contents(a), what
    fresh = db.connect(pg_url)
    assert contents(fresh) == contents(a)
    for x in (a, b, fresh):
        pgstore.detach(x)
        x.close()


def pg_rows(url: str, table: str) -> set:
    """(ctid, xmin) of every row of a PostgreSQL table: a row rewritten gets new ones."""
    import psycopg

    with psycopg.connect(url) as pg:
        return set(pg.execute(f"SELECT ctid::text, xmin::text FROM skills.{table}").fetchall())


def test_a_submission_and_an_audit_line_rewrite_no_stored_row_and_fingerprint_no_big_table(
    pg_url, catalog, monkeypatch
):
    """Before: every write hashed every table and re-sent the whole audit log (and any table it touched)."""
    from framework import audit
    from framework.pgstore import changes

    con = db.connect(pg_url)
    SurveyStore(con, catalog).load_demo(DEMO_DIR)
    for _ in range(3):
        audit.record(con, "hr", "sign-in")
    c = campaign.open_campaign(con, catalog, agency=AGENCY, stage="Early", round_date="2025-06-30")
    req = catalog.profile_units("Early", "Service")["code"].tolist()
    campaign.submit(con, catalog, c, "first", "Service", None, {u: 2 for u in req})
    before = {t: pg_rows(pg_url, t) for t in ("responses", "audit_log", "campaign_submissions")}
    seen = []
    real = (changes.checksums, changes._lost)
    monkeypatch.setattr(changes, "checksums", lambda cur, tables: seen.extend(tables) or real[0](cur, tables))
    monkeypatch.setattr(changes, "_lost", lambda snap, cur, src, top: seen.append(src) or real[1](snap, cur, src, top))

    audit.record(con, "hr", "sign-in")
    campaign.submit(con, catalog, c, "second", "Service", None, {u: 2 for u in req})
    after = {t: pg_rows(pg_url, t) for t in before}
    for t, rows in before.items():
        assert rows <= after[t], f"{t}: stored rows were deleted and sent again"
    assert len(after["audit_log"]) == len(before["audit_log"]) + 1
    assert len(after["responses"]) == len(before["responses"]) + 1
    assert len(after["campaign_submissions"]) == len(before["campaign_submissions"]) + 1
    assert not [s for s in seen if "responses" in s or "audit_log" in s], seen
    fresh = db.connect(pg_url)
    assert contents(fresh) == contents(con)
    for x in (con, fresh):
        pgstore.detach(x)
        x.close()


def test_the_statements_name_the_store_tables_they_write():
    from framework.pgstore.changes import writes

    assert writes("INSERT INTO store.audit_log VALUES (1)") == [("audit_log", "insert")]
    assert writes('insert into "store"."main"."Responses" SELECT 1') == [("responses", "insert")]
    assert writes("INSERT OR REPLACE INTO store.store_info VALUES (1, 2)") == [("store_info", "other")]
    assert writes("INSERT INTO store.t VALUES (1) ON CONFLICT DO UPDATE SET a = 1") == [("t", "other")]
    assert writes("DELETE FROM store.responses r USING clash c WHERE r.x = c.x") == [("responses", "delete")]
    assert writes("UPDATE store.batches SET accepted = 1") == [("batches", "other")]
    assert writes("MERGE INTO store.targets t USING x ON t.a = x.a WHEN MATCHED THEN DELETE") == [("targets", "other")]
    assert writes("CREATE TABLE IF NOT EXISTS store.audit_log (a INT)") == []  # an existing table is left as is
    assert writes("ALTER TABLE store.campaigns ADD COLUMN x INT") == [("campaigns", "other")]
    assert writes("DROP TABLE IF EXISTS store.aggregates") == [("aggregates", "other")]
    assert writes("CREATE TEMP TABLE clash AS SELECT 1; INSERT INTO temp.x SELECT 1; DELETE FROM memory.y") == []
    assert writes("WITH d AS (SELECT 1) INSERT INTO store.a SELECT 1; DELETE FROM store.b") == [
        ("a", "insert"),
        ("b", "delete"),
    ]


def test_a_store_written_before_the_revision_column_is_upgraded_when_a_process_starts(pg_url, catalog):
    import psycopg

    from framework import audit

    con = db.connect(pg_url)
    SurveyStore(con, catalog).load_demo(DEMO_DIR)
    audit.record(con, "hr", "sign-in")
    pgstore.detach(con)
    con.close()
    with psycopg.connect(pg_url, autocommit=True) as pg:  # the store as the code before `_pg_rev` left it
        for (tab,) in pg.execute("SELECT tab FROM skills._pg_tables").fetchall():
            pg.execute(f'ALTER TABLE skills."{tab}" DROP COLUMN _pg_rev')
        pg.execute("ALTER TABLE skills._pg_tables DROP COLUMN mod")
    a, b = db.connect(pg_url), db.connect(pg_url)
    expected = contents(a)
    audit.record(a, "hr", "sign-in")
    SurveyStore(a, catalog).delete(SurveyStore(a).batches()["batch_id"].iloc[0], "hr")
    db.refresh(b)
    assert contents(b) == contents(a) != expected
    for x in (a, b):
        pgstore.detach(x)
        x.close()

"""Several processes on one PostgreSQL store (framework/pgstore): two processes, each with its own
`db.connect(url)`, submit campaign answers and upload files at once, while the CLI lists the batches.
Every answer is stored, each person once per round, the counts exact.

Marked `pg`: `make test-pg` runs them against a private PostgreSQL server (tests/pg_server.py)."""

from __future__ import annotations

import json
import multiprocessing as mp
import subprocess
import sys

import pytest
from conftest import ROOT

from framework import campaign, db, pgstore
from framework.catalog import Catalog
from framework.store import SurveyStore

pytestmark = pytest.mark.pg
AGENCY = "กรมพร้อมกัน"
ROUND = "2025-06-30"


def worker(url: str, code: str, name: str, people: list[str], upload: str, start, out) -> None:
    """One app process: its own connection (replica), its submissions and one upload."""
    try:
        con = db.connect(url)
        catalog = Catalog(con)
        c = campaign.get(con, code)
        req = catalog.profile_units("Early", "Service")["code"].tolist()
        start.wait(60)
        replaced = 0
        for i, rid in enumerate(people):
            s = campaign.submit(con, catalog, c, rid, "Service", None, {u: i % 5 for u in req}, client=f"{name}-{rid}")
            replaced += s.replaced
        res = SurveyStore(con, catalog).ingest(upload, agency=AGENCY, stage="Early", round_date="2024-06-30")
        out.put((name, replaced, res.respondents, None))
    except Exception as exc:  # noqa: BLE001 - reported to the test
        out.put((name, 0, 0, repr(exc)))


def upload_file(path, codes: list[str], prefix: str, n: int):
    rows = "".join(f"{prefix}{i},Service,กองแผน,{','.join(['2'] * len(codes))}\n" for i in range(n))
    path.write_text(f"respondent_id,group,unit,{','.join(codes)}\n" + rows, encoding="utf-8")
    return path


def test_two_processes_and_the_cli_on_one_store_count_each_person_once(pg_url, catalog, tmp_path):
    con = db.connect(pg_url)
    codes = SurveyStore(con, catalog).unit_codes
    c = campaign.open_campaign(con, catalog, agency=AGENCY, stage="Early", round_date=ROUND)
    # p00..p03 from process A, p02..p05 from process B: p02 and p03 answer twice (the later replaces)
    jobs = {"A": [f"p{i:02d}" for i in range(4)], "B": [f"p{i:02d}" for i in range(2, 6)]}
    ctx = mp.get_context("spawn")
    start, out = ctx.Barrier(2), ctx.Queue()
    procs = [
        ctx.Process(
            target=worker,
            args=(
                pg_url,
                c.code,
                name,
                ids,
                str(upload_file(tmp_path / f"{name}.csv", codes, f"u{name}", 40)),
                start,
                out,
            ),
        )
        for name, ids in jobs.items()
    ]
    for p in procs:
        p.start()
    listed = []
    while any(p.is_alive() for p in procs):  # the CLI meanwhile: never refused, never a half-written store
        run = subprocess.run(
            [sys.executable, "-m", "framework", "batches", "--db", pg_url, "--format", "json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        listed.append(json.loads(run.stdout))
    for p in procs:
        p.join(60)
    results = sorted(out.get(timeout=10) for _ in procs)
    assert [r[3] for r in results] == [None, None], results
    assert listed, "the CLI never ran while the processes wrote"
    assert sum(r[1] for r in results) == 2  # p02 and p03: the second answer replaced the first
    assert [r[2] for r in results] == [40, 40]

    db.data_version(con)  # this replica re-syncs: the other processes wrote
    people = db.query(
        con,
        "SELECT b.round_date, r.respondent_id, count(*) AS n FROM store.responses r JOIN store.batches b "
        "USING (batch_id) GROUP BY ALL ORDER BY ALL",
    )
    assert people["n"].eq(1).all(), "a person counted twice in a round"
    in_campaign = people[people["round_date"].astype(str) == ROUND]["respondent_id"].tolist()
    assert in_campaign == [f"p{i:02d}" for i in range(6)]
    assert len(people) == 6 + 80
    assert campaign.submissions(con, c)["people"] == 6
    seq = db.query(con, "SELECT seq FROM store.campaign_submissions ORDER BY seq")["seq"].tolist()
    assert seq == list(range(1, 9))  # every submission logged once, in one order
    assert db.scalar(con, "SELECT sum(accepted) FROM store.batches") == 8 + 80
    # a fresh replica (another process starting) reads the same
    fresh = db.connect(pg_url)
    assert db.data_version(fresh) == db.data_version(con)
    for x in (con, fresh):
        pgstore.detach(x)
        x.close()

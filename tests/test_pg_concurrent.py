"""Several processes on one PostgreSQL store (framework/pgstore): two processes, each with its own
`db.connect(url)`, submit campaign answers and upload files at once, while the CLI lists the batches.
Every answer is stored, each person once per round, the counts exact.

Marked `pg`: `make test-pg` runs them against a private PostgreSQL server (tests/pg_server.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

from framework import campaign, db, pgstore
from framework.store import SurveyStore

pytestmark = pytest.mark.pg
AGENCY = "กรมพร้อมกัน"
ROUND = "2025-06-30"


# One app process (a fresh interpreter: multiprocessing's spawn would re-run whatever __main__ the test
# process has): its own connection (replica), its submissions and one upload; waits for the start file.
WORKER = """
import json, os, sys, time
from framework import campaign, db
from framework.catalog import Catalog
from framework.store import SurveyStore

url, code, name, people, upload, start = sys.argv[1:7]
try:
    con = db.connect(url)
    catalog = Catalog(con)
    c = campaign.get(con, code)
    req = catalog.profile_units("Early", "Service")["code"].tolist()
    print("ready", flush=True)
    while not os.path.exists(start):
        time.sleep(0.01)
    replaced = 0
    for i, rid in enumerate(people.split(",")):
        s = campaign.submit(con, catalog, c, rid, "Service", None, {u: i % 5 for u in req}, client=name + rid)
        replaced += s.replaced
    res = SurveyStore(con, catalog).ingest(upload, agency=sys.argv[7], stage="Early", round_date="2024-06-30")
    print(json.dumps([name, replaced, res.respondents, None]))
except Exception as exc:
    print(json.dumps([name, 0, 0, repr(exc)]))
"""


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
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                pg_url,
                c.code,
                name,
                ",".join(ids),
                str(upload_file(tmp_path / f"{name}.csv", codes, f"u{name}", 40)),
                str(go),
                AGENCY,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name, ids in jobs.items()
    ]
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    go.touch()  # both start submitting at once
    listed = []
    while any(p.poll() is None for p in procs):  # the CLI meanwhile: never refused, never a half-written store
        run = subprocess.run(
            [sys.executable, "-m", "framework", "batches", "--db", pg_url, "--format", "json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        listed.append(json.loads(run.stdout))
    results = sorted(json.loads(p.communicate(timeout=120)[0].strip().splitlines()[-1]) for p in procs)
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


# --- the throttles are one for every process of a PostgreSQL store ---------------------------------------------
SUBMITTER = """
import json, sys
from framework import campaign, db
from framework.catalog import Catalog

url, code, pairs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
con = db.connect(url)
catalog = Catalog(con)
c = campaign.get(con, code)
req = catalog.profile_units("Early", "Service")["code"].tolist()
out = []
for rid, client in pairs:
    try:
        campaign.submit(con, catalog, c, rid, "Service", None, {u: 2 for u in req}, client=client)
        out.append("stored")
    except campaign.RateLimited as exc:
        out.append("limited" if exc.wait > 0 else "limited without a wait")
print(json.dumps(out))
"""


def run_process(script: str, *args: str, env: dict) -> list:
    import os

    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_submission_limits_count_every_process_of_the_store(pg_url, catalog):
    """Before: each process kept its own counts, so two processes allowed twice the limit."""
    con = db.connect(pg_url)
    SurveyStore(con, catalog)
    c = campaign.open_campaign(con, catalog, agency=AGENCY, stage="Early", round_date=ROUND)
    env = {"SKILLS_CAMPAIGN_RATE": "3", "SKILLS_CAMPAIGN_CLIENT_RATE": "2"}
    first = run_process(SUBMITTER, pg_url, c.code, json.dumps([["p1", "dev"], ["p2", "dev"]]), env=env)
    assert first == ["stored", "stored"]
    # another process: the device has used its 2, the campaign 2 of its 3
    second = run_process(
        SUBMITTER, pg_url, c.code, json.dumps([["p3", "dev"], ["p4", "other"], ["p5", "third"]]), env=env
    )
    assert second == ["limited", "stored", "limited"]
    db.data_version(con)
    assert campaign.submissions(con, c)["people"] == 3
    pgstore.detach(con)
    con.close()


THROTTLED = """
import json, sys
from framework import access, campaign

session, fails = sys.argv[1], int(sys.argv[2])
for _ in range(fails):
    access.THROTTLE.failed(session, "test")
    campaign.CODE_THROTTLE.failed(session, "test")
print(json.dumps([access.THROTTLE.wait(session) > 0, campaign.CODE_THROTTLE.wait(session) > 0]))
"""


def test_wrong_passphrases_and_unknown_codes_are_throttled_across_processes(pg_url):
    """Before: a second process had counted nothing, so a guesser went on at full speed there."""
    env = {"SKILLS_DB": pg_url}
    # 12 failures: a wait of minutes (2 s x 2^7, 1 s x 2^7), longer than a process takes to start
    assert run_process(THROTTLED, "guesser", "12", env=env) == [True, True]
    assert run_process(THROTTLED, "guesser", "0", env=env) == [True, True]  # another process: still waiting
    assert run_process(THROTTLED, "someone else", "0", env=env) == [False, False]

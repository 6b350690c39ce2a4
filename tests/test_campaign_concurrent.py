"""Many people submitting at once: 20 threads, each its own session, on the app's one shared connection.

Submissions are serialised by the campaign write lock (the same-person check and the write must not
interleave); each takes about 1.5 s of DuckDB validation on this machine, so the test takes ~30-60 s."""

from __future__ import annotations

import threading
import time

import pytest

from framework import campaign, db
from framework.store import SurveyStore

PEOPLE = 18  # + 2 who submit twice = 20 concurrent sessions


@pytest.mark.slow
def test_concurrent_submissions_each_stored_exactly_once(store_con, catalog):
    SurveyStore(store_con, catalog)
    c = campaign.open_campaign(store_con, catalog, agency="กรมทดสอบ", stage="Early", round_date="2025-06-30")
    limits = campaign.Limits(per_code=campaign.RateLimiter(100), per_client=campaign.RateLimiter(5))
    groups = ["Service", "Academic", "Executive", "Management", "Technologist", "Others"]
    # Two people submit twice (their second answers must replace the first, and still count once).
    jobs = [(f"p{i:02d}", groups[i % len(groups)], i % 5) for i in range(PEOPLE)] + [
        ("p00", "Service", 4),
        ("p01", "Academic", 4),
    ]
    start, errors, done = threading.Barrier(len(jobs)), [], []

    def person(rid, group, level):
        req = catalog.profile_units(c.stage, group)["code"].tolist()
        try:
            start.wait()
            done.append(
                campaign.submit(
                    store_con,
                    catalog,
                    c,
                    rid,
                    group,
                    None,
                    {u: level for u in req},
                    client=f"session-{rid}-{level}",
                    limits=limits,
                )
            )
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            errors.append(repr(exc))

    t0 = time.perf_counter()
    threads = [threading.Thread(target=person, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    elapsed = time.perf_counter() - t0
    assert not errors, errors
    assert len(done) == len(jobs)
    rows = db.query(store_con, "SELECT respondent_id, count(*) AS n FROM store.responses GROUP BY 1 ORDER BY 1")
    assert rows["respondent_id"].tolist() == [f"p{i:02d}" for i in range(PEOPLE)]
    assert rows["n"].eq(1).all(), "a person counted twice in the round"
    assert campaign.submissions(store_con, c)["people"] == PEOPLE
    assert sum(s.replaced for s in done) == 2
    # one batch for the campaign, every submission logged once, in one order of storing
    assert {s.batch_id for s in done} == set(campaign.batch_ids(store_con, c)) and len({s.batch_id for s in done}) == 1
    assert db.scalar(store_con, "SELECT count(*) FROM store.batches") == 1
    seq = db.query(store_con, "SELECT seq FROM store.campaign_submissions ORDER BY seq")["seq"].tolist()
    assert seq == list(range(1, len(jobs) + 1))
    assert db.scalar(store_con, "SELECT accepted FROM store.batches") == len(jobs)
    print(f"{len(jobs)} concurrent submissions in {elapsed:.1f} s")

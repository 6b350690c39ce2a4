"""Group commit of campaign submissions (issue 22): many sessions at once, one transaction per group, the same
outcome as one at a time, each submitter told the truth about its own submission, one bad submission sinking
nothing else. Groups are made deterministic by holding the store's write lock while the submitters queue."""

from __future__ import annotations

import json
import threading
import time

import pytest

from framework import audit, campaign, db
from framework.campaign import commit, drafts, links
from framework.store import SurveyStore, aggregates, campaign_group
from framework.store.campaign_group import Entry
from framework.store.locks import write_lock

AGENCY, STAGE, ROUND = "กรมทดสอบ", "Early", "2025-06-30"
GROUPS = ["Service", "Academic", "Executive", "Management", "Technologist", "Others"]


@pytest.fixture
def camp(store_con, catalog):
    SurveyStore(store_con, catalog)
    return campaign.open_campaign(store_con, catalog, agency=AGENCY, stage=STAGE, round_date=ROUND)


def big_limits():
    return campaign.Limits(
        per_code=campaign.RateLimiter(10_000),
        per_person=campaign.RateLimiter(10_000),
        per_client=campaign.RateLimiter(10_000),
    )


def answers(catalog, group, level):
    return {u: level for u in catalog.profile_units(STAGE, group)["code"]}


def wait_queued(con, n):
    c = commit.committer(con)
    for _ in range(3000):  # a bound, not a timing assertion: the threads only have to reach the queue
        if c.queued() >= n:
            return c
        time.sleep(0.01)
    raise AssertionError(f"only {c.queued()} of {n} submissions queued")


def at_once(con, jobs):
    """Run the jobs (callables) in threads while the store's write lock is held, so they queue into groups;
    returns their outcomes (a result or the exception), in the jobs' order."""
    out = [None] * len(jobs)
    c = commit.committer(con)
    before = c.queued()

    def run(i):
        try:
            out[i] = jobs[i]()
        except Exception as exc:  # noqa: BLE001 - each submitter's own outcome is what is checked
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    with write_lock(con):
        for t in threads:
            t.start()
        wait_queued(con, before + len(jobs))
    for t in threads:
        t.join(timeout=600)
    return out


def test_many_threads_at_once_exact_counts_and_each_their_own_result(store_con, catalog, camp):
    limits = big_limits()
    people = [(f"p{i:02d}", GROUPS[i % len(GROUPS)], i % 5) for i in range(25)]
    again = [(rid, g, 4 - lvl) for rid, g, lvl in people[:5]]  # five people submit twice
    jobs = [
        (
            lambda rid=rid, g=g, lvl=lvl: campaign.submit(
                store_con, catalog, camp, rid, g, None, answers(catalog, g, lvl), client=f"c-{rid}-{lvl}", limits=limits
            )
        )
        for rid, g, lvl in people + again
    ]
    out = at_once(store_con, jobs)
    errors = [o for o in out if isinstance(o, Exception)]
    assert not errors, errors
    assert [o.respondent_id for o in out] == [rid for rid, _, _ in people + again], "each submitter hears of its own"
    assert max(commit.committer(store_con).groups) > 1, "the submissions were written in groups"
    assert len({o.batch_id for o in out}) == 1
    rows = db.query(store_con, "SELECT respondent_id, count(*) AS n FROM store.responses GROUP BY 1 ORDER BY 1")
    assert rows["respondent_id"].tolist() == [rid for rid, _, _ in people] and rows["n"].eq(1).all()
    log = db.query(store_con, "SELECT seq, respondent_id, answers FROM store.campaign_submissions ORDER BY seq")
    assert log["seq"].tolist() == list(range(1, 31))
    assert db.scalar(store_con, "SELECT accepted FROM store.batches") == 30
    # each twice-submitting person: one of the two says it replaced the other, and the later one stored is live
    assert sum(o.replaced for o in out) == 5
    for rid, g, _ in people[:5]:
        latest = json.loads(log[log["respondent_id"] == rid]["answers"].iloc[-1])
        first_unit = catalog.profile_units(STAGE, g)["code"].iloc[0]
        live = db.scalar(
            store_con, f"SELECT \"{first_unit}\" FROM store.responses WHERE respondent_id = $r", {"r": rid}
        )
        assert str(live) == latest[first_unit]
    assert db.scalar(store_con, "SELECT count(*) FROM store.superseded_responses") == 5
    assert db.scalar(store_con, "SELECT count(*) FROM store.replacements") == 5
    assert aggregates.check(store_con).empty, "the cells, refreshed once per group, count every live answer"
    assert aggregates.fresh(store_con)


def _entries(c, catalog, specs):
    codes = catalog.unit_codes()
    return [
        Entry(
            c.code,
            c.agency,
            c.stage,
            c.round_date,
            campaign.survey_row(c, codes, rid, g, None, answers(catalog, g, lvl)),
        )
        for rid, g, lvl in specs
    ]


def _state(con):
    """The store's campaign state with batch ids and times left out (they differ between two stores)."""
    q = {
        "responses": "SELECT * EXCLUDE (batch_id) FROM store.responses ORDER BY respondent_id",
        "superseded": "SELECT * EXCLUDE (batch_id, replaced_by, replaced_at) FROM store.superseded_responses "
        "ORDER BY ALL",
        "replacements": "SELECT respondent_id, agency_key FROM store.replacements ORDER BY ALL",
        "log": "SELECT seq, respondent_id, answers FROM store.campaign_submissions ORDER BY seq",
        "batches": "SELECT rows_read, accepted, rejected FROM store.batches",
    }
    return {k: db.query(con, v) for k, v in q.items()}


def test_a_group_stores_what_one_at_a_time_stores(tmp_path, catalog):
    """The same submissions, with repeats and a person already stored, as one group and one by one: equal."""
    specs = [("a1", "Service", 1), ("b2", "Academic", 2), ("a1", "Service", 3), ("c3", "Others", 0),
             ("z9", "Service", 4), ("a1", "Service", 2), ("b2", "Academic", 4)]  # fmt: skip
    states, outcomes = [], []
    for how in ("group", "one by one"):
        con = db.connect(tmp_path / f"{how}.duckdb")
        store = SurveyStore(con, catalog)
        c = campaign.open_campaign(con, catalog, agency=AGENCY, stage=STAGE, round_date=ROUND)
        store.append_group(_entries(c, catalog, [("z9", "Service", 1)]))  # stored before the group
        entries = _entries(c, catalog, specs)
        if how == "group":
            store.append_group(entries)
        else:
            for e in entries:
                store.append_group([e])
        assert all(e.error is None and e.result.batch_id for e in entries)
        outcomes.append([(e.result.replaced, e.result.conflicts) for e in entries])
        states.append(_state(con))
        assert aggregates.check(con).empty
        con.close()
    assert outcomes[0] == outcomes[1] == [(0, []), (0, []), (1, ["a1"]), (0, []), (1, ["z9"]), (1, ["a1"]), (1, ["b2"])]
    for k in states[0]:
        assert states[0][k].equals(states[1][k]), k


def test_a_bad_submission_does_not_sink_the_others(store_con, catalog, camp):
    limits = big_limits()
    tokens = dict(links.issue(store_con, camp, ["L1", "L2"]))
    revoked = links.lookup(store_con, tokens["L2"])  # looked up while valid, revoked before its write
    links.revoke(store_con, camp, "L2")
    used = links.lookup(store_con, tokens["L1"])

    def submit(rid, link=None):
        return lambda: campaign.submit(
            store_con, catalog, camp, rid, "Service", None, answers(catalog, "Service", 3), link=link, limits=limits
        )

    out = at_once(store_con, [submit("ok1"), submit("x", revoked), submit("ok2"), submit("x", used), submit("y", used)])
    assert [getattr(o, "respondent_id", None) for o in out[:3]] == ["ok1", None, "ok2"]
    assert isinstance(out[1], links.LinkError) and "revoked" in out[1].en
    # one link submitted twice in one group: whichever came first is stored (as the link's id), the other refused
    assert sorted(getattr(o, "respondent_id", "refused") for o in out[3:]) == ["L1", "refused"]
    refused = next(o for o in out[3:] if isinstance(o, Exception))
    assert isinstance(refused, links.LinkError) and "already submitted" in refused.en, (
        "the link answers once, even in one group"
    )
    stored = db.query(store_con, "SELECT respondent_id FROM store.responses ORDER BY 1")["respondent_id"].tolist()
    assert stored == ["L1", "ok1", "ok2"]
    assert audit.entries(store_con, ["link-submission"])["who"].tolist() == ["personal link (L1)"]
    assert aggregates.check(store_con).empty


def test_a_rejected_row_and_a_trashed_campaign_are_their_own(store_con, catalog, camp):
    other = campaign.open_campaign(store_con, catalog, agency="กรมอื่น", stage=STAGE, round_date=ROUND)
    store = SurveyStore(store_con, catalog)
    store.append_group(_entries(other, catalog, [("o0", "Service", 1)]))
    store.delete(campaign.batch_ids(store_con, other)[0])  # HR put the other campaign's batch in the trash
    good = _entries(camp, catalog, [("g1", "Service", 2), ("g2", "Service", 3)])
    bad = _entries(camp, catalog, [("b1", "Service", 2)])[0]
    bad.raw[next(k for k in bad.raw if k not in campaign.submit_module.HEADER)] = "9"  # a level no form sends
    trashed = _entries(other, catalog, [("o1", "Service", 1), ("o2", "Service", 1)])
    group = [good[0], bad, trashed[0], good[1], trashed[1]]
    store.append_group(group)
    assert good[0].result.batch_id and good[1].result.batch_id and good[0].error is None
    assert bad.error is None and bad.result.batch_id is None and "0-4" in " ".join(bad.result.problems["reason_en"])
    assert all(type(e.error).__name__ == "BatchInTrash" for e in trashed)
    stored = db.query(store_con, "SELECT respondent_id FROM store.responses ORDER BY 1")["respondent_id"].tolist()
    assert stored == ["g1", "g2"]


def test_a_failed_group_write_falls_back_to_one_by_one(store_con, catalog, camp, monkeypatch):
    calls = []
    real = campaign_group.aggregates.apply

    def apply_failing_once(cur, added, removed):
        calls.append(added)
        if len(calls) == 1:
            raise RuntimeError("the group's write failed")
        return real(cur, added, removed)

    monkeypatch.setattr(campaign_group.aggregates, "apply", apply_failing_once)
    entries = _entries(camp, catalog, [("f1", "Service", 1), ("f2", "Academic", 2), ("f3", "Others", 3)])
    SurveyStore(store_con, catalog).append_group(entries)
    assert all(e.error is None and e.result.batch_id for e in entries)
    assert len(calls) == 4, "one failed group write, then one transaction per submission"
    assert db.scalar(store_con, "SELECT count(*) FROM store.responses") == 3
    assert db.query(store_con, "SELECT seq FROM store.campaign_submissions ORDER BY seq")["seq"].tolist() == [1, 2, 3]
    assert aggregates.check(store_con).empty


def test_a_refused_submission_keeps_its_draft_and_a_stored_one_removes_it(store_con, catalog, camp):
    tokens = dict(links.issue(store_con, camp, ["D1", "D2"]))
    refused, stored = links.lookup(store_con, tokens["D1"]), links.lookup(store_con, tokens["D2"])
    links.revoke(store_con, camp, "D1")
    state = {"group": "Service", "answers": answers(catalog, "Service", 2)}
    with drafts.held():
        for link in (refused, stored):
            drafts.keep(store_con, camp.code, link.draft_key, state)

        def submit(link):
            return campaign.submit(
                store_con, catalog, camp, "", "Service", None, state["answers"], link=link,
                draft_token=link.draft_key, limits=big_limits(),
            )  # fmt: skip

        with pytest.raises(links.LinkError):
            submit(refused)
        assert drafts.load(store_con, camp.code, refused.draft_key) == state, "refused: the draft stays"
        submit(stored)
        assert drafts.load(store_con, camp.code, stored.draft_key) is None
    campaign.flush_drafts()
    kept = db.query(store_con, "SELECT token FROM store.campaign_drafts")["token"].tolist()
    assert kept == [refused.draft_key]

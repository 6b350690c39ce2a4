"""Issue 22: a submission updates the cells by what it changes (aggregates.apply): the cells of the rows it adds,
less those of the answers it supersedes (in its own batch or an HR upload's), never the whole batch counted
again; the figures stay exactly those of a recount (aggregates.check), and the campaign's released layer is
what a release over every cell would give."""

from __future__ import annotations

import pytest

from framework import campaign, db
from framework.store import SurveyStore, aggregates, releases

AGENCY, STAGE, ROUND = "กรม ก", "Early", "2025-06-30"
GROUPS = ["Service", "Academic", "Executive", "Management", "Technologist", "Others"]


@pytest.fixture
def setup(store_con, catalog):
    store = SurveyStore(store_con, catalog)
    c = campaign.open_campaign(store_con, catalog, agency=AGENCY, stage=STAGE, round_date=ROUND)
    return store_con, catalog, c, store


def go(setup, rid, level, group="Service"):
    con, cat, camp, _ = setup
    req = cat.profile_units(camp.stage, group)["code"].tolist()
    limits = campaign.Limits(per_code=campaign.RateLimiter(10_000), per_person=campaign.RateLimiter(10_000))
    return campaign.submit(con, cat, camp, rid, group, None, {u: level for u in req}, limits=limits)


@pytest.fixture
def counted(monkeypatch):
    """The responses each cell count read (the head count of the cells it returned), in order."""
    seen = []
    real = aggregates._cells

    def spy(cur, where, params):
        cells = real(cur, where, params)
        seen.append(0 if cells is None else int(cells.loc[cells["t"] == 1, "n"].sum()))
        return cells

    monkeypatch.setattr(aggregates, "_cells", spy)
    return seen


def released(con):
    return [db.query(con, f"FROM {t} ORDER BY ALL").to_dict("list") for t in (releases.TABLE, releases.ROWS)]


def test_a_submission_counts_its_own_row_not_the_batch(setup, counted):
    con = setup[0]
    for i in range(12):
        go(setup, f"p{i:02d}", i % 5, GROUPS[i % len(GROUPS)])
    counted.clear()
    go(setup, "p99", 3)
    assert counted == [1], "one response counted: the new one, not the 13 of the batch"
    counted.clear()
    go(setup, "p03", 4, "Service")  # p03 answered before (Management): replaced
    assert counted == [1, 1], "the superseded answer taken away, the new one added"
    assert aggregates.fresh(con) and aggregates.check(con).empty


def test_replacing_an_hr_upload_row_moves_the_cells_of_both_batches(setup, tmp_path):
    con, _cat, _c, store = setup
    hr = tmp_path / "hr.csv"
    hr.write_text("respondent_id,group,DLit100\np1,Service,0\np9,Service,1\np8,Academic,2\n", encoding="utf-8")
    up = store.ingest(hr, agency=AGENCY, stage=STAGE, round_date=ROUND)
    s = go(setup, "p1", 4)
    assert s.replaced
    n = db.query(con, "SELECT batch_id, sum(n) AS n FROM store.agg_cells WHERE t = 1 GROUP BY 1")
    assert dict(zip(n["batch_id"], n["n"])) == {up.batch_id: 2, s.batch_id: 1}
    go(setup, "p9", 2, "Academic")
    go(setup, "p8", 1, "Academic")  # the upload's Academic cell: emptied, so gone
    cells = db.query(con, "SELECT DISTINCT staff_group FROM store.agg_cells WHERE batch_id = $b", {"b": up.batch_id})
    assert cells["staff_group"].tolist() == []
    assert aggregates.fresh(con) and aggregates.check(con).empty


def test_the_released_layer_is_that_of_a_release_over_every_cell(setup):
    con = setup[0]
    for i in range(23):  # k = 5: cells released, then people answering again (not yet k of them changed)
        go(setup, f"r{i % 14:02d}", i % 5, GROUPS[i % 2])
    before = released(con)
    assert before[1]["respondent_id"], "some cells were released"
    ids = [r[0] for r in con.execute(releases.CAMPAIGN_BATCHES).fetchall()]
    with db.transaction(con) as cur:
        assert releases.publish(cur, ids, 5) == [], "a release looking at every cell finds nothing more to release"
    assert released(con) == before
    assert aggregates.check(con).empty

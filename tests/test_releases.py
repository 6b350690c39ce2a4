"""store/releases.py: what a campaign's figures show while it fills, for everyone without the HR passphrase.

A cell (org unit x staff group) of a campaign batch is released again only when k or more people changed in it
since its last release (joined, left, answered again differently); HR sees every cell live."""

from __future__ import annotations

import pandas as pd
import pytest

from framework import analysis, campaign, db
from framework.analysis import TOTAL_KEY, Filters
from framework.store import SurveyStore, aggregates, releases

AGENCY, ROUND = "กรมทดสอบ", "2025-06-30"


@pytest.fixture
def camp(store_con, catalog):
    SurveyStore(store_con, catalog)
    return campaign.open_campaign(store_con, catalog, agency=AGENCY, stage="Early", round_date=ROUND)


def send(con, catalog, c, rid, group="Service", level=4):
    req = catalog.profile_units("Early", group)["code"].tolist()
    campaign.submit(con, catalog, c, rid, group, None, {u: level for u in req}, limits=campaign.Limits())


def service(con, c, **kw):
    f = Filters(agencies=(AGENCY,), batches=tuple(campaign.batch_ids(con, c)), **kw)
    cov = analysis.coverage(con, f, stage="Early", by="group")
    return cov[(cov["code"] == "DLit100") & (cov["key"] == "Service")].iloc[0]


def test_a_cell_moves_only_after_k_people_changed(store_con, catalog, camp):
    for i in range(4):
        send(store_con, catalog, camp, f"p{i}")
    assert service(store_con, camp)["hidden"] == analysis.HIDDEN_SMALL
    assert campaign.release_status(store_con, camp) == {"released": 0, "live": 4}
    send(store_con, catalog, camp, "p4")  # the fifth change: released, 5 of 5
    row = service(store_con, camp)
    assert (row["n"], row["met"]) == (5, 5) and pd.isna(row["hidden"])
    for i in range(5, 9):  # four more: the room still sees the five
        send(store_con, catalog, camp, f"p{i}", level=1)
        row = service(store_con, camp)
        assert (row["n"], row["met"], row["n_all"]) == (5, 5, i + 1)
    exact = service(store_con, camp, authorised=True)  # HR: live
    assert (exact["n"], exact["met"]) == (9, 5)
    send(store_con, catalog, camp, "p9", level=1)  # the fifth change since: 10 people, 5 met
    row = service(store_con, camp)
    assert (row["n"], row["met"]) == (10, 5)
    assert campaign.release_status(store_con, camp) == {"released": 10, "live": 10}


def test_answering_again_counts_as_a_change_and_the_same_answers_do_not(store_con, catalog, camp):
    for i in range(5):
        send(store_con, catalog, camp, f"p{i}")
    assert service(store_con, camp)["met"] == 5
    send(store_con, catalog, camp, "p0", level=4)  # the same answers again: nothing changed
    send(store_con, catalog, camp, "p1", level=1)  # one change: the released figure stays
    assert service(store_con, camp)["met"] == 5
    for i in range(2, 5):
        send(store_con, catalog, camp, f"p{i}", level=1)  # four changes: still not five
    assert service(store_con, camp)["met"] == 5
    send(store_con, catalog, camp, "p0", level=1)  # five people changed: 1 met of 5
    assert service(store_con, camp)["met"] == 0


def test_cells_of_a_campaign_are_never_pooled(store_con, catalog, camp):
    """Three Service and three Academic answers: pooled they would be 6 >= k; a campaign's small cells stay out."""
    for i in range(3):
        send(store_con, catalog, camp, f"s{i}", "Service")
        send(store_con, catalog, camp, f"a{i}", "Academic")
    cov = analysis.coverage(store_con, Filters(agencies=(AGENCY,)), stage="Early", by="group")
    total = cov[(cov["code"] == "DLit100") & (cov["key"] == TOTAL_KEY)].iloc[0]
    assert total["n"] == 0 and total["n_all"] == 6 and total["hidden"] == analysis.HIDDEN_POOLED


def test_deleting_the_batch_drops_its_released_layer_and_a_restore_starts_again(store_con, catalog, camp):
    for i in range(6):
        send(store_con, catalog, camp, f"p{i}")
    batch = campaign.batch_ids(store_con, camp)[0]
    store = SurveyStore(store_con, catalog)
    store.delete(batch, deleted_by="test")
    assert db.scalar(store_con, f"SELECT count(*) FROM {releases.TABLE}") == 0
    assert db.scalar(store_con, f"SELECT count(*) FROM {releases.ROWS}") == 0
    store.restore(batch)
    assert service(store_con, camp)["n"] == 6  # six people back at once: k changed
    assert aggregates.check(store_con).empty


def test_uploads_are_not_staged(store_con, catalog, demo_store=None):
    """An upload arrives whole: its cells are in the figures at once (no released layer for it)."""
    from tests.fixtures.analysis import seed

    seed.basic(store_con)
    with db.transaction(store_con) as cur:
        aggregates.rebuild(cur)
    assert db.scalar(store_con, f"SELECT count(*) FROM {releases.TABLE}") == 0
    cov = analysis.coverage(store_con, Filters(), stage="Early", by="group")
    assert cov[(cov["code"] == "DLit100") & (cov["key"] == "Executive")]["n"].iloc[0] == 6


def test_public_rows_are_every_row_only_without_a_campaign_batch(store_con, catalog):
    """No campaign batch: the public rows are the rows (DuckDB is not asked to plan the union of released
    cells); once a campaign has a batch, they are the released layer again."""
    from framework.analysis import memo, source

    SurveyStore(store_con, catalog)
    with memo.shared({}):
        src = source.pick(store_con)
        assert not src.campaigns and src.public_rows == src.rows
    c = campaign.open_campaign(store_con, catalog, agency=AGENCY, stage="Early", round_date=ROUND)
    send(store_con, catalog, c, "p1")
    with memo.shared({}):
        src = source.pick(store_con)
        assert src.campaigns and src.public_rows != src.rows and releases.TABLE in src.public_rows

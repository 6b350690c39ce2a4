"""Issue 18: what is safe to show is shown. Unfiltered, no staff group, agency or org unit of 20 people or more is
hidden (random stores with many small cells, and the demo); a workshop room of 10 with 5 per staff group shows
both groups; the overview's blocker ranking counts every unit it does not rank."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pandas as pd
import pytest

from framework import analysis, campaign, db
from framework.analysis import TOTAL_KEY, Filters
from framework.catalog import STAFF_GROUPS, Catalog
from framework.store import SurveyStore, aggregates, ensure_schema

CODE = "DLit100"


def random_store(con, seed: int) -> None:
    rng = random.Random(seed)
    codes = Catalog(con).unit_codes()
    ensure_schema(con, codes)
    rows = []
    for a, d in itertools.product(("A", "B"), ("2024-06-30", "2025-06-30")):
        bid = f"{a}{d[:4]}"
        con.execute(
            "INSERT INTO store.batches (batch_id, file_name, content_hash, agency, stage, round_date, "
            "uploaded_at, rows_read, accepted, rejected) VALUES (?, ?, ?, ?, 'Early', ?, ?, 0, 0, 0)",
            [bid, bid, "h" + bid, a, dt.date.fromisoformat(d), dt.datetime(2025, 1, 1)],
        )
        for u in range(rng.choice([3, 8, 20])):
            for g in STAFF_GROUPS:
                for i in range(rng.choice([0, 0, 1, 2, 3, 4, 4, 6, 9])):
                    rows.append([bid, f"{bid}-{u}-{g}-{i}", g, a, f"U{u}", rng.choice([None, 1, 3, 4])])
    con.executemany(
        f"INSERT INTO store.responses (batch_id, respondent_id, staff_group, agency, org_unit, "
        f"{db.ident(CODE)}) VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    with db.transaction(con) as cur:
        aggregates.rebuild(cur)


def hidden_big(con, f: Filters) -> list:
    out = []
    for by in ("group", "agency", "unit"):
        cov = analysis.coverage(con, f, stage="Early", by=by)
        rows = cov[(cov["code"] == CODE) & (cov["key"] != TOTAL_KEY)]
        out += [(by, r.key, r.n_all, r.hidden) for r in rows.itertuples() if r.n_all >= 20 and pd.notna(r.hidden)]
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_no_group_agency_or_unit_of_20_is_hidden_unfiltered(store_con, seed):
    random_store(store_con, seed)
    for round_ in ("latest", "all"):
        assert hidden_big(store_con, Filters(round=round_)) == []
    cov = analysis.coverage(store_con, Filters(), stage="Early", by="group")
    # Small cells there were: some groups' figures cover fewer people than they hold (pooled elsewhere).
    assert (cov["hidden"].isna() & (cov["n"] < cov["n_all"])).any()


def test_the_demo_hides_nothing_of_20_or_more(demo_store):
    con = db.connect(demo_store)
    try:
        assert hidden_big(con, Filters()) == []
    finally:
        con.close()


def test_a_room_of_ten_with_five_per_group_shows_both_groups(store_con, catalog):
    SurveyStore(store_con, catalog)
    c = campaign.open_campaign(store_con, catalog, agency="กรมทดสอบ", stage="Early", round_date="2025-06-30")
    for i in range(10):
        g = ("Service", "Academic")[i % 2]
        req = catalog.profile_units("Early", g)["code"].tolist()
        campaign.submit(store_con, catalog, c, f"p{i}", g, None, {u: 3 for u in req}, limits=campaign.Limits())
    f = Filters(agencies=("กรมทดสอบ",), batches=tuple(campaign.batch_ids(store_con, c)))
    cov = analysis.coverage(store_con, f, stage="Early", by="group").set_index(["key", "code"])
    for g in ("Service", "Academic"):
        assert cov.loc[(g, CODE), "n"] == 5 and cov.loc[(g, CODE), "coverage"] == 1.0


def test_the_overview_counts_every_unit_it_does_not_rank(store_con):
    random_store(store_con, 5)
    ov = analysis.overview(store_con, Filters(), stage="Early")
    every = ov["blockers_all"]
    fr = analysis.base.frame(store_con)
    required = {c for g in STAFF_GROUPS for c in fr.required[(ov["work_stage"], g)]}
    assert set(every["code"]) == required  # every unit the stage requires: none dropped
    ranked = set(ov["blockers"]["code"])
    assert ranked <= set(every.loc[every["hidden"].isna(), "code"])
    assert len(ranked) == min(5, int(every["hidden"].isna().sum()))

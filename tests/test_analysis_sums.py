"""Issue 22: the views' shortcuts give what the long way gives, exactly (same columns, dtypes and counts; shares to
1e-12, as DuckDB's own parallel sum of doubles is not bit-stable either).

- analysis/sums.py: the cells' whole-number sums grouped in numpy (coverage, blocking units, training needs,
  trends) equal the same sums in SQL (`sums.in_sql()`), on the random store of test_aggregates_equal (pooled
  blocks, small cells, blank org units, replaced people, an undated batch) and with a campaign's released cells;
- source._state: freshness and the campaign batches from one query equal aggregates.fresh / releases;
- base.public_params: with every atom of k or more it binds what the partition gives, without partitioning.
"""

from __future__ import annotations

import pandas as pd
import pytest
from test_aggregates_equal import con, filter_sets, same, views  # noqa: F401 - the module's random store
from test_rounds import build

from framework import analysis, campaign, db
from framework.analysis import Filters, base, disclosure, memo, source, sums
from framework.catalog import STAFF_GROUPS, STAGES
from framework.store import aggregates, releases


def strict(a, b, where: str) -> None:
    """test_aggregates_equal.same, with the dtypes checked too."""
    if isinstance(a, pd.DataFrame):
        assert a.dtypes.to_dict() == b.dtypes.to_dict(), where
    elif isinstance(a, dict):
        for k in a:
            strict(a[k], b[k], f"{where}[{k}]")
    same(a, b, where)


def every_view(c, f: Filters) -> dict:
    out = views(c, f)
    for stage in ("Early", "Developing", "Mature"):
        out[f"training {stage}"] = analysis.training_needs(c, f, stage, by="group")
        out[f"training total {stage}"] = analysis.training_needs(c, f, stage, by="total")
        out[f"blockers {stage}"] = analysis.blockers(c, f, stage=stage, top=None)
        out[f"coverage by group {stage}"] = analysis.coverage(c, f, stage=stage, by="group")
    tr = analysis.trends(c, f, stage="Mature", unit="DTr300")
    return out | {"trends readiness 2": tr["readiness"], "trends coverage 2": tr["coverage"]}


@pytest.mark.parametrize("t", [1, 2, 3, 4])
def test_sums_here_equal_sums_in_sql(con, t):  # noqa: F811 - the fixture imported above
    sets = filter_sets(con)[t]
    for f in sets + [sets[0].with_(authorised=True)]:
        assert source.pick(con).name == source.CELLS and sums.here(source.pick(con))
        here = every_view(con, f)
        with sums.in_sql():
            assert not sums.here(source.pick(con))
            reference = every_view(con, f)
        for name in reference:
            strict(here[name], reference[name], f"{name} at t={t}, {f}")


def test_a_campaign_batch_summed_here_equals_sql(store_con, catalog):
    """The released layer (a union with the campaign's released cells, narrowed to the columns summed)."""
    build(
        store_con,
        [("b1", "A", "2025-06-30", 1)],
        [("b1", f"p{i}", ("Service", "Academic")[i % 2], (1, 3, 4)[i % 3]) for i in range(40)],
    )
    with db.transaction(store_con) as cur:
        aggregates.rebuild(cur)
    c = campaign.open_campaign(store_con, catalog, agency="A", stage="Early", round_date="2025-06-30")
    for i in range(12):
        group = ("Service", "Technologist")[i % 2]
        req = catalog.profile_units("Early", group)["code"].tolist()
        level = (1, 4)[i % 3 == 0]
        campaign.submit(store_con, catalog, c, f"c{i}", group, None, {u: level for u in req}, limits=campaign.Limits())
    assert source.campaign_batches(store_con)
    for f in (Filters(min_cell=3), Filters(min_cell=5, threshold=2), Filters(min_cell=3, authorised=True)):
        here = every_view(store_con, f)
        with sums.in_sql():
            reference = every_view(store_con, f)
        for name in reference:
            strict(here[name], reference[name], f"{name}, {f}")


def test_store_state_from_one_query_equals_the_separate_checks(store_con, catalog):
    def state():
        with memo.shared({}):
            return (
                base.has_store(store_con),
                source._fresh(store_con),
                source._released(store_con),
                source.campaign_batches(store_con),
            )

    def separate():
        released = releases.exists(store_con)
        ids = frozenset(db.query(store_con, releases.CAMPAIGN_BATCHES)["batch_id"]) if released else frozenset()
        return db.has_store(store_con), aggregates.fresh(store_con), released, ids

    build(store_con, [("b1", "A", "2025-06-30", 1)], [("b1", f"p{i}", "Service", 3) for i in range(6)])
    assert state() == separate() and state()[1] is False  # cells not rebuilt after rows written around the store
    with db.transaction(store_con) as cur:
        aggregates.rebuild(cur)
    assert state() == separate() and state()[1] is True
    c = campaign.open_campaign(store_con, catalog, agency="A", stage="Early", round_date="2025-06-30")
    req = catalog.profile_units("Early", "Service")["code"].tolist()
    campaign.submit(store_con, catalog, c, "x1", "Service", None, {u: 3 for u in req}, limits=campaign.Limits())
    assert state() == separate() and state()[3] == frozenset(campaign.batch_ids(store_con, c))


def test_public_params_without_a_partition_equal_the_partition(store_con):
    big = [("b1", f"p{i}", g, 3) for g in ("Service", "Academic") for i in range(6)]
    build(store_con, [("b1", "A", "2025-06-30", 1)], big)
    with db.transaction(store_con) as cur:
        aggregates.rebuild(cur)
    with memo.shared({}):
        assert (base.population(store_con).atoms["n"] >= 5).all()
        assert base.public_params(store_con) == disclosure.params(base.blocks(store_con))
    # One small cell: the partition is built (it pools the small cell), and bound.
    build(store_con, [("b2", "A", "2024-06-30", 2)], [("b2", "q1", "Service", 3)] + big[:6])
    with db.transaction(store_con) as cur:
        aggregates.rebuild(cur)
    with memo.shared({}):
        params = base.public_params(store_con)
        assert params == disclosure.params(base.blocks(store_con)) and params["blk_none"]


def test_the_catalogue_requirements_are_the_profiles_units_in_framework_order(catalog):
    """aggregates.requirements (a dict built from the rows) equals the pandas groupby it replaced."""
    pu = db.query(
        catalog.con,
        "SELECT pu.stage, pu.staff_group, pu.unit_code FROM profile_units pu "
        "JOIN units u ON u.code = pu.unit_code ORDER BY u.ord",
    )
    by = {key: tuple(codes) for key, codes in pu.groupby(["stage", "staff_group"], sort=False)["unit_code"]}
    req = aggregates.requirements(catalog.con)
    assert req == {(s, g): by.get((s, g), ()) for s in STAGES for g in STAFF_GROUPS}
    assert all(req.values()) and len(req) == len(STAGES) * len(STAFF_GROUPS)

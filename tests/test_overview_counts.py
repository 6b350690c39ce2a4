"""The headline counts (analysis.survey_counts) come from the store's atoms read once per view computation; they
equal survey_counts.sql over the filtered rows for every kind of filter (the reference)."""

from __future__ import annotations

import pytest

from framework import analysis, db
from framework.analysis import Filters
from framework.analysis.overview_view import survey_counts_sql
from tests.fixtures.analysis import seed


def _filters(con) -> list[Filters]:
    opts = analysis.filter_options(con)
    agencies, units, rounds = opts["agencies"], opts["org_units"], [r for r in opts["rounds"] if r != "—"]
    batches = list(opts["batches"]["batch_id"])
    out = [
        Filters(),
        Filters(round=analysis.ROUND_ALL),
        Filters(round=analysis.ROUND_PREVIOUS),
        Filters(agencies=tuple(agencies[:1])),
        Filters(agencies=tuple(agencies[-1:]), round=analysis.ROUND_ALL),
        Filters(org_units=tuple(units[:2])),
        Filters(staff_groups=("Executive", "Service")),
        Filters(staff_groups=("Others",), agencies=tuple(agencies[:1])),
        Filters(batches=tuple(batches[:1])),
        Filters(batches=tuple(batches[-2:]), round=analysis.ROUND_ALL),
        Filters(org_units=("no such unit",)),
    ]
    out += [Filters(round=r) for r in rounds]
    out += [Filters(rounds=tuple(rounds[:1]), round=analysis.ROUND_ALL)] if rounds else []
    return out


@pytest.mark.parametrize("which", ["demo", "two_rounds"])
def test_counts_from_atoms_equal_the_query(which, demo_store, tmp_path):
    path = demo_store if which == "demo" else seed.to_file(tmp_path / "s.duckdb", seed.two_rounds)
    con = db.connect(path, read_only=True)
    try:
        for f in _filters(con):
            assert analysis.survey_counts(con, f) == survey_counts_sql(con, f), f
    finally:
        con.close()


def test_an_empty_store_counts_nobody(store_con):
    assert analysis.survey_counts(store_con, Filters()) == analysis.overview_view.EMPTY_COUNTS

"""readiness_view.latest_and_previous (the overview's now and before, one query) gives exactly what readiness()
gives for the latest round and for the previous round, each asked on its own: over random small stores (many
rounds with no block of k, read on their own), both sources, every breakdown, with and without the passphrase."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from test_rounds import build

from framework import db
from framework.analysis import Filters, readiness, source
from framework.analysis.filters import ROUND_PREVIOUS
from framework.analysis.readiness_view import latest_and_previous, totals
from framework.store import aggregates

GROUPS = ("Service", "Academic", "Executive")
AGENCIES = ("A", "B")
DATES = ("2023-06-30", "2024-06-30", "2025-06-30")


def make(con, seed: int) -> None:
    rng = random.Random(seed)
    batches, people = [], []
    for a in AGENCIES:
        for d in sorted(rng.sample(DATES, rng.choice([1, 2, 3]))):
            bid = f"{a}{d[:4]}"
            batches.append((bid, a, d, len(batches) + 1))
            for g in GROUPS:
                people += [
                    (bid, f"{a}{g[:2]}{i}", g, rng.choice([1, 3, 4])) for i in range(rng.choice([0, 1, 3, 6, 9]))
                ]
    build(con, batches, people)
    with db.transaction(con) as cur:
        aggregates.rebuild(cur)


# Each random store is read through one of the filter sets (every set over the four stores), both sources and
# every breakdown: the whole cross product cost 100 s of test time for no extra path.
FILTERS = (
    Filters(),
    Filters(min_cell=3, authorised=True),
    Filters(agencies=("A",), staff_groups=("Service", "Academic")),
    Filters(threshold=4, min_cell=7),
)


@pytest.mark.parametrize("seed", range(len(FILTERS)))
def test_one_query_equals_two(store_con, seed):
    make(store_con, seed)
    f = FILTERS[seed]
    for src in (source.RESPONSES, source.CELLS):
        with source.forced(src):
            for by in ("group", "agency", "unit"):
                now, before = latest_and_previous(store_con, f, by=by)
                pd.testing.assert_frame_equal(now, readiness(store_con, f, by=by), rtol=1e-12)
                pd.testing.assert_frame_equal(
                    before, readiness(store_con, f.with_(round=ROUND_PREVIOUS), by=by), rtol=1e-12
                )


def test_a_previous_round_with_no_public_row(store_con):
    """Two people in the previous round: no block of k, no public row; its own query still gives the totals."""
    build(
        store_con,
        [("a1", "A", "2024-06-30", 1), ("a2", "A", "2025-06-30", 2)],
        [("a1", f"p{i}", "Service", 3) for i in range(2)] + [("a2", f"q{i}", "Service", 3) for i in range(9)],
    )
    now, before = latest_and_previous(store_con, Filters())
    pd.testing.assert_frame_equal(now, readiness(store_con, Filters()))
    pd.testing.assert_frame_equal(before, readiness(store_con, Filters(round=ROUND_PREVIOUS)))
    assert before["is_total"].any() and before["n"].sum() == 0 and now.loc[now["is_total"], "n"].min() == 9
    t_now, t_before = totals(store_con, Filters(), both=True)  # the overview's: the same totals
    pd.testing.assert_frame_equal(t_now, now[now["is_total"]].reset_index(drop=True))
    pd.testing.assert_frame_equal(t_before, before[before["is_total"]].reset_index(drop=True))


def test_only_for_the_latest_round(store_con):
    make(store_con, 1)
    with pytest.raises(ValueError):
        latest_and_previous(store_con, Filters(round=ROUND_PREVIOUS))
    with pytest.raises(ValueError):
        totals(store_con, Filters(round=ROUND_PREVIOUS), both=True)


@pytest.mark.parametrize("seed", range(4))
def test_the_overview_totals_equal_the_total_rows(store_con, seed):
    """readiness_view.totals (the overview's: the rounds' totals alone, grouped by round) gives the total rows of
    readiness() and latest_and_previous(), dtypes included."""
    make(store_con, seed)
    for src in (source.RESPONSES, source.CELLS):
        with source.forced(src):
            for f in (
                Filters(),
                Filters(min_cell=3, authorised=True),
                Filters(agencies=("A",), staff_groups=("Service", "Academic")),
                Filters(threshold=4, min_cell=7),
                Filters(round="all", min_cell=3),
                Filters(round="2024-06-30", min_cell=3),
            ):

                def total(df):
                    return df[df["is_total"]].reset_index(drop=True)

                (alone,) = totals(store_con, f)
                pd.testing.assert_frame_equal(alone, total(readiness(store_con, f, by="group")), rtol=1e-12)
                if f.round == "latest":
                    now, before = totals(store_con, f, both=True)
                    ref_now, ref_before = latest_and_previous(store_con, f, by="group")
                    pd.testing.assert_frame_equal(now, total(ref_now), rtol=1e-12)
                    pd.testing.assert_frame_equal(before, total(ref_before), rtol=1e-12)

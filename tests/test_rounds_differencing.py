"""Disclosure blocks over the round choice: every pair of selections on small random data.

Two agencies with rounds on up to three dates, two staff groups, many small cells, one org unit. For every
round choice (latest, previous, all, each date) x staff-group selection x agency selection, the coverage
heatmap by staff group is computed; the people every shown figure covers are worked out independently in
pandas from the raw rows: which round is each agency's latest / previous, and the blocks of each upload (a
staff group of >= k is a block; the smaller groups of the upload together, when they reach k). Then no two
shown figures over nested sets of people differ by 1..k-1 people (else their difference in `met` is those
people's hidden figure), and the same people always show the same figure.
"""

from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest
from test_rounds import build

from framework import analysis
from framework.analysis import TOTAL_KEY

GROUPS = ("Service", "Academic")
AGENCIES = ("A", "B")
DATES = ("2023-06-30", "2024-06-30", "2025-06-30")
K = 5


def make(con, seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    batches, people, raw = [], [], []
    for a in AGENCIES:
        dates = sorted(rng.sample(DATES, rng.choice([1, 2, 3])))
        for d in dates:
            bid = f"{a}{d[:4]}"
            batches.append((bid, a, d, len(batches) + 1))
            for g in GROUPS:
                for i in range(rng.choice([0, 2, 3, 5, 6, 8])):
                    level = rng.choice([1, 3])
                    pid = f"{a}{g[:2]}{i}"
                    people.append((bid, pid, g, level))
                    raw.append({"agency": a, "date": d, "group": g, "id": pid, "met": level >= 3})
    build(con, batches, people)
    return pd.DataFrame(raw)


def blocks(raw: pd.DataFrame) -> pd.Series:
    """Each person's block (None: in no block): independent of framework.analysis.disclosure."""
    size = raw.groupby(["agency", "date", "group"])["id"].transform("count")
    blk = pd.Series([f"{a}|{d}|{g}" for a, d, g in zip(raw["agency"], raw["date"], raw["group"])], index=raw.index)
    small = size < K
    rest = raw[small].groupby(["agency", "date"])["id"].transform("count")
    out = blk.where(~small, None)
    pooled = rest.index[rest >= K]
    out[pooled] = [f"{a}|{d}|*" for a, d in zip(raw.loc[pooled, "agency"], raw.loc[pooled, "date"])]
    return out


def population(raw: pd.DataFrame, round_: str, groups, agencies, key) -> frozenset:
    """The people a shown figure covers: those of the blocks that lie wholly inside its selection."""
    raw = raw.assign(blk=blocks(raw))
    ranks = raw[["agency", "date"]].drop_duplicates().sort_values("date", ascending=False)
    ranks["rank"] = ranks.groupby("agency").cumcount() + 1
    r = raw.merge(ranks, on=["agency", "date"])
    keep = {"latest": r["rank"] == 1, "previous": r["rank"] == 2, "all": r["rank"] > 0}.get(round_, r["date"] == round_)
    m = keep
    if groups:
        m &= r["group"].isin(groups)
    if agencies:
        m &= r["agency"].isin(agencies)
    if key != TOTAL_KEY:
        m &= r["group"] == key
    inside = r[r["blk"].notna()].assign(sel=m).groupby("blk")["sel"].all()
    m &= r["blk"].map(inside).fillna(False).astype(bool)
    return frozenset(zip(r.loc[m, "agency"], r.loc[m, "date"], r.loc[m, "id"]))


def _subsets(values):
    return [()] + [c for n in range(1, len(values) + 1) for c in itertools.combinations(values, n)]


@pytest.mark.parametrize("seed", [3])
def test_no_two_shown_figures_differ_by_fewer_than_k_people_across_rounds(store_con, seed):
    raw = make(store_con, seed)
    shown: dict = {}
    for round_ in ["latest", "previous", "all", *sorted(raw["date"].unique())]:
        for groups, agencies in itertools.product(_subsets(GROUPS), _subsets(AGENCIES)):
            f = {"round": round_, "staff_groups": list(groups), "agencies": list(agencies), "min_cell": K}
            cov = analysis.coverage(store_con, f, stage="Early", by="group")
            for r in cov[(cov["code"] == "DLit100") & cov["hidden"].isna()].itertuples():
                pop = population(raw, round_, groups, agencies, r.key)
                assert len(pop) == r.n, (f, r.key)
                met = int(raw.set_index(["agency", "date", "id"]).loc[list(pop), "met"].sum()) if pop else 0
                assert round(r.met) == met
                shown.setdefault(pop, set()).add(met)
    assert all(len(v) == 1 for v in shown.values())  # same people, same figure
    pops = [p for p in shown if p]
    assert len(pops) > 3
    for p1, p2 in itertools.combinations(pops, 2):
        small, big = sorted((p1, p2), key=len)
        if small < big:
            assert len(big) - len(small) >= K, sorted(big - small)

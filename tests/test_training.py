"""framework.analysis.training_needs against the hand-computed fixture in tests/fixtures/analysis/seed.py.

Early profiles present in seed.basic: Executive (6 respondents, 9 units), Service (5, 8 units), Others (2, 5 units:
DLit100, DLit200, DLit400, DG100, DG400) -> 13 units required by at least one respondent.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from framework import analysis
from framework.analysis import TOTAL_KEY, Filters
from tests.fixtures.analysis import seed

SHOWN = {  # code: (required_n, not_met_n, not_assessed_n) at t=3, exact (HR), hand-computed from seed.basic
    "DLit400": (13, 10, 9),  # met: E1, E2, S1; not assessed: E4-E6, S2-S5, O1-O2
    "DG100": (13, 10, 10),  # met: E1, E2, S1; E3 has no DG100 level either
    "DLit100": (13, 6, 3),  # not met: E3 (2), E4, E6 (1), S4 (0), S5, O2; not assessed: E4, S5, O2
    "DLit200": (7, 6, 6),  # Service + Others: met by S1 only; S2-S5, O1, O2 not assessed
}
# Without the passphrase: over the blocks Executive (6) and Service (5); the 2 Others are in no block.
PUBLIC = {"DLit400": (11, 8, 7), "DLit100": (11, 5, 2), "DLit200": (5, 4, 4)}
HR = {"authorised": True}


@pytest.fixture
def con(store_con):
    seed.basic(store_con)
    return store_con


def totals(df):
    return df[df["is_total"]].set_index("code")


def row(df, code, key=TOTAL_KEY):
    r = df[(df["code"] == code) & (df["key"] == key)]
    assert len(r) == 1, (code, key)
    return r.iloc[0]


def test_unit_totals_hand_computed_and_sorted(con):
    df = analysis.training_needs(con, Filters(**HR), "Early")
    t = totals(df)
    assert len(t) == 13  # every unit some respondent's profile requires
    assert "DTr300" not in t.index and "DT100" not in t.index  # no present group requires these at Early
    for code, (req, not_met, na) in SHOWN.items():
        assert (t.loc[code, "required_n"], t.loc[code, "not_met_n"], t.loc[code, "not_assessed_n"]) == (
            req,
            not_met,
            na,
        )
        assert t.loc[code, "share_not_met"] == pytest.approx(not_met / req)
        assert pd.isna(t.loc[code, "hidden"])
    # Largest need first; ties in framework order.
    need = t["not_met_n"].tolist()
    assert need == sorted(need, reverse=True)
    for a, b in zip(t.index, t.index[1:]):
        if t.loc[a, "not_met_n"] == t.loc[b, "not_met_n"]:
            assert t.loc[a, "unit_ord"] < t.loc[b, "unit_ord"]
    assert t.loc["DLit100", "name_en"] == "Digital access and awareness" and t.loc["DLit100", "group_key"] == "DLit"
    pub = totals(analysis.training_needs(con, Filters(), "Early"))
    for code, (req, not_met, na) in PUBLIC.items():
        assert (pub.loc[code, "required_n"], pub.loc[code, "not_met_n"], pub.loc[code, "not_assessed_n"]) == (
            req,
            not_met,
            na,
        )
    assert pub.loc["DLit400", "n_all"] == 13


def test_group_breakdown_and_suppressed_cells(con):
    df = analysis.training_needs(con, Filters(), "Early", by="group")
    e = row(df, "DLit100", "Executive")
    assert (e["required_n"], e["not_met_n"], e["not_assessed_n"]) == (6, 3, 1) and e["share_not_met"] == 0.5
    o = row(df, "DLit100", "Others")
    assert o["hidden"] == analysis.HIDDEN_SMALL and o["n_all"] == 2  # head count stays, figures go
    assert math.isnan(o["not_met_n"]) and math.isnan(o["not_assessed_n"]) and math.isnan(o["share_not_met"])
    s = row(df, "DLit100", "Service")
    assert (s["required_n"], s["not_met_n"], s["not_assessed_n"]) == (5, 2, 1) and pd.isna(s["hidden"])
    # Only the staff groups whose profile requires the unit: DLit200 is not an Executive unit at Early.
    assert set(df[df["code"] == "DLit200"]["key"]) == {"Service", "Others", TOTAL_KEY}
    # DLit300 is required of Service alone: a block of 5, shown (S2-S5 not assessed).
    d3 = row(df, "DLit300")
    assert (d3["required_n"], d3["not_met_n"]) == (5, 4) and pd.isna(d3["hidden"])
    assert pd.isna(row(df, "DTr100")["hidden"])
    assert [c for c in dict.fromkeys(df["code"])] == list(totals(df).index)  # rows grouped per unit, same order
    assert list(df[df["code"] == "DLit100"]["key"]) == ["Executive", "Service", "Others", TOTAL_KEY]


def test_not_assessed_unit(con):
    """DTr100 (Executive only): E1 has level 4, nobody else was assessed -> 5 of 6 to develop, all 5 unassessed."""
    df = analysis.training_needs(con, Filters(staff_groups=("Executive",)), "Early")
    t = totals(df)
    assert set(t.index) == set(seed.EXEC_EARLY)
    assert (t.loc["DTr100", "required_n"], t.loc["DTr100", "not_met_n"], t.loc["DTr100", "not_assessed_n"]) == (6, 5, 5)
    assert (t.loc["DLit100", "not_met_n"], t.loc["DLit100", "not_assessed_n"]) == (3, 1)  # E3 assessed at 2: not met
    assert t["hidden"].isna().all()
    # DTr300 nobody assessed, but no profile requires it at Early: not a training need.
    assert "DTr300" not in t.index


def test_threshold_changes_needs(con):
    t2 = totals(analysis.training_needs(con, Filters(threshold=2, **HR), "Early"))
    assert t2.loc["DLit100", "not_met_n"] == 5  # E3 (level 2) now meets it
    assert t2.loc["DLit100", "not_assessed_n"] == 3  # not assessed does not depend on t
    t4 = totals(analysis.training_needs(con, Filters(threshold=4, **HR), "Early"))
    assert t4.loc["DLit100", "not_met_n"] == 11  # only E1 and O1 have level 4
    assert t4.loc["DLit100", "share_not_met"] == pytest.approx(11 / 13)


def test_min_cell_change_shows_small_cells(con):
    df = analysis.training_needs(con, Filters(min_cell=2, **HR), "Early")
    o = row(df, "DLit100", "Others")
    assert (o["not_met_n"], o["not_assessed_n"]) == (1, 1) and pd.isna(o["hidden"])
    assert df["hidden"].isna().all()
    assert row(df, "DLit300")["not_met_n"] == 4  # S2-S5


def test_by_total_and_bad_input(con):
    full = analysis.training_needs(con, Filters(), "Early", by="group")
    only = analysis.training_needs(con, Filters(), "Early", by="total")
    assert only["is_total"].all() and set(only["by"]) == {"total"}
    pd.testing.assert_frame_equal(
        only.drop(columns=["by"]), full[full["is_total"]].drop(columns=["by"]).reset_index(drop=True)
    )
    with pytest.raises(analysis.AnalysisError) as exc:
        analysis.training_needs(con, Filters(), "Late")
    assert "Early" in exc.value.en and "ระยะ" in exc.value.th
    with pytest.raises(analysis.AnalysisError) as exc:
        analysis.training_needs(con, Filters(), "Early", by="province")
    assert "group" in exc.value.en and "มุมมอง" in exc.value.th


def test_empty_store(store_con, catalog):
    from framework.store import ensure_schema

    ensure_schema(store_con, catalog.unit_codes())
    df = analysis.training_needs(store_con, Filters(), "Early")
    assert df.empty and "not_met_n" in df.columns


@pytest.mark.parametrize("fill", [seed.basic, seed.two_rounds])
@pytest.mark.parametrize("kw", [{}, {"threshold": 4}, {"min_cell": 7}, {"org_units": (seed.SERVICE_DIV,)}])
def test_training_figures_are_the_heatmap_and_blocker_figures(store_con, fill, kw):
    """Training needs are the same counts as the coverage heatmap (group rows) and the blocking units
    (totals): n - met on both, hidden where they are; and a total minus its shown parts covers 0 or >= k."""
    fill(store_con)
    f = Filters(**kw)
    k = f.min_cell
    for stage in ("Early", "Developing", "Mature"):
        df = analysis.training_needs(store_con, f, stage)
        cov = analysis.coverage(store_con, f, stage, by="group").set_index(["code", "key"])
        bl = analysis.blockers(store_con, f, stage, top=None).set_index("code")
        for r in df.itertuples():
            ref = bl.loc[r.code] if r.is_total else cov.loc[(r.code, r.key)]
            assert (r.required_n, r.n_all) == (ref["n"], ref["n_all"]), (stage, r.code, r.key)
            assert (pd.isna(r.hidden), r.hidden if pd.notna(r.hidden) else None) == (
                pd.isna(ref["hidden"]),
                ref["hidden"] if pd.notna(ref["hidden"]) else None,
            )
            if pd.isna(r.hidden):
                assert r.not_met_n == ref["n"] - ref["met"]
        for code, g in df.groupby("code"):
            tot = g[g["is_total"]].iloc[0]
            shown = g[~g["is_total"] & g["hidden"].isna()]
            left = int(tot["required_n"]) - int(shown["required_n"].sum())
            assert left == 0 or left >= min(k, 5), (stage, code)


def _rows(groups: dict[str, list[dict]]) -> list[dict]:
    return [
        {
            "batch_id": "B1",
            "respondent_id": f"{g[:3]}{i}",
            "staff_group": g,
            "agency": None,
            "org_unit": seed.SERVICE_DIV,
            "levels": lv,
        }
        for g, levels in groups.items()
        for i, lv in enumerate(levels, 1)
    ]


def test_small_groups_pooled_count_only_in_figures_that_hold_all_of_them(store_con):
    """DLit200 at Early is required of Service, Academic and Others, not of Executive or Technologist.

    Service 10 (5 meet) is a block; Academic 3, Others 2, Executive 3, Technologist 4 (one org unit) pool into
    one block of 12 across staff groups. The heatmap hides the four small groups, its total covers all 22;
    the blocking-unit figure of DLit200 covers Service alone, since the pooled block also holds Executive
    and Technologist, whom DLit200 does not concern."""
    lv = lambda v: {"DLit200": v}
    seed.write(
        store_con,
        ["B1"],
        _rows(
            {
                "Service": [lv(3)] * 5 + [lv(1)] * 5,
                "Academic": [lv(1)] * 3,
                "Others": [lv(2), {}],
                "Executive": [lv(3), lv(1), lv(1)],
                "Technologist": [lv(0)] * 4,
            }
        ),
    )
    cov = analysis.coverage(store_con, Filters(), "Early", by="group")
    d = cov[cov["code"] == "DLit200"].set_index("key")
    assert set(d.index[d["hidden"] == "small"]) == {"Academic", "Others", "Executive", "Technologist"}
    assert d.loc["Service", "coverage"] == 0.5
    assert (d.loc[TOTAL_KEY, "n"], d.loc[TOTAL_KEY, "met"]) == (22, 6)
    bl = analysis.blockers(store_con, Filters(), "Early", top=None).set_index("code")
    assert (bl.loc["DLit200", "n"], bl.loc["DLit200", "n_all"], bl.loc["DLit200", "met"]) == (10, 15, 5)
    t = row(analysis.training_needs(store_con, Filters(), "Early"), "DLit200")
    assert (t["required_n"], t["not_met_n"]) == (10, 5)

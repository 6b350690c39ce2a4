"""framework.analysis.training_needs against the hand-computed fixture in tests/fixtures/analysis/seed.py.

Early profiles present in seed.basic: Executive (6 respondents, 9 units), Service (5, 8 units), Others (2, 5 units:
DLit100, DLit200, DLit400, DG100, DG400) -> 13 units required by at least one respondent.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from framework import analysis, db
from framework.analysis import Filters, TOTAL_KEY
from framework.store import aggregates
from tests.fixtures.analysis import seed

SHOWN = {  # code: (required_n, not_met_n, not_assessed_n) at t=3, k=5, hand-computed from seed.basic
    "DLit400": (13, 10, 9),   # met: E1, E2, S1; not assessed: E4-E6, S2-S5, O1-O2
    "DG100": (13, 10, 10),    # met: E1, E2, S1; E3 has no DG100 level either
    "DLit100": (13, 6, 3),    # not met: E3 (2), E4, E6 (1), S4 (0), S5, O2; not assessed: E4, S5, O2
}
# Required of Service (5) + Others (2) only: a figure over these 7 minus Service's own (shown with the filter
# staff group = Service) would give the 2 Others, so filter differencing (suppression rule 7) hides them.
COMPLEMENT = {"DLit200": 7, "DG400": 7}


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
    df = analysis.training_needs(con, Filters(), "Early")
    t = totals(df)
    assert len(t) == 13                                      # every unit some respondent's profile requires
    assert "DTr300" not in t.index and "DT100" not in t.index  # no present group requires these at Early
    for code, (req, not_met, na) in SHOWN.items():
        assert (t.loc[code, "required_n"], t.loc[code, "not_met_n"], t.loc[code, "not_assessed_n"]) == (req, not_met, na)
        assert t.loc[code, "share_not_met"] == pytest.approx(not_met / req)
        assert pd.isna(t.loc[code, "hidden"])
    for code, req in COMPLEMENT.items():
        assert t.loc[code, "required_n"] == req and t.loc[code, "hidden"] == analysis.HIDDEN_COMPLEMENT
        assert math.isnan(t.loc[code, "not_met_n"])
    # Largest need first; ties in framework order (DLit400 before DG100, then DLit100).
    assert list(t.index[:3]) == ["DLit400", "DG100", "DLit100"]
    # Hidden units come last, in framework order.
    assert list(t.index[3:]) == ["DLit200", "DLit300", "DLit700", "DG400", "DS100", "SPM100", "DL100", "DL300",
                                 "DTr100", "DTr200"]
    assert t.loc["DLit100", "name_en"] == "Digital access and awareness" and t.loc["DLit100", "group_key"] == "DLit"


def test_group_breakdown_and_suppressed_cells(con):
    df = analysis.training_needs(con, Filters(), "Early", by="group")
    e = row(df, "DLit100", "Executive")
    assert (e["required_n"], e["not_met_n"], e["not_assessed_n"]) == (6, 3, 1) and e["share_not_met"] == 0.5
    o = row(df, "DLit100", "Others")
    assert o["hidden"] == analysis.HIDDEN_SMALL and o["required_n"] == 2     # head count stays, figures go
    assert math.isnan(o["not_met_n"]) and math.isnan(o["not_assessed_n"]) and math.isnan(o["share_not_met"])
    s = row(df, "DLit100", "Service")
    assert s["hidden"] == analysis.HIDDEN_COMPLEMENT and math.isnan(s["not_met_n"])
    # Only the staff groups whose profile requires the unit: DLit200 is not an Executive unit at Early.
    assert set(df[df["code"] == "DLit200"]["key"]) == {"Service", "Others", TOTAL_KEY}
    # DLit300 is required of Service alone: its total would be Service's hidden cell, so it is hidden too.
    d3 = row(df, "DLit300")
    assert d3["required_n"] == 5 and d3["hidden"] == analysis.HIDDEN_COMPLEMENTARY and math.isnan(d3["not_met_n"])
    # Units required of Executives alone: the coverage heatmap hides Executive there, so the total goes too.
    assert row(df, "DTr100")["hidden"] == analysis.HIDDEN_COMPLEMENTARY
    assert [c for c in dict.fromkeys(df["code"])] == list(totals(df).index)  # rows grouped per unit, same order
    assert list(df[df["code"] == "DLit100"]["key"]) == ["Executive", "Service", "Others", TOTAL_KEY]


def test_not_assessed_unit(con):
    """DTr100 (Executive only): E1 has level 4, nobody else was assessed -> 5 of 6 to develop, all 5 unassessed."""
    df = analysis.training_needs(con, Filters(staff_groups=("Executive",)), "Early")
    t = totals(df)
    assert set(t.index) == set(seed.EXEC_EARLY)
    assert (t.loc["DTr100", "required_n"], t.loc["DTr100", "not_met_n"], t.loc["DTr100", "not_assessed_n"]) == (6, 5, 5)
    assert (t.loc["DLit100", "not_met_n"], t.loc["DLit100", "not_assessed_n"]) == (3, 1)   # E3 assessed at 2: not met
    assert t["hidden"].isna().all()
    # DTr300 nobody assessed, but no profile requires it at Early: not a training need.
    assert "DTr300" not in t.index


def test_threshold_changes_needs(con):
    t2 = totals(analysis.training_needs(con, Filters(threshold=2), "Early"))
    assert t2.loc["DLit100", "not_met_n"] == 5               # E3 (level 2) now meets it
    assert t2.loc["DLit100", "not_assessed_n"] == 3          # not assessed does not depend on t
    t4 = totals(analysis.training_needs(con, Filters(threshold=4), "Early"))
    assert t4.loc["DLit100", "not_met_n"] == 11              # only E1 and O1 have level 4
    assert t4.loc["DLit100", "share_not_met"] == pytest.approx(11 / 13)


def test_min_cell_change_shows_small_cells(con):
    df = analysis.training_needs(con, Filters(min_cell=2), "Early")
    o = row(df, "DLit100", "Others")
    assert (o["not_met_n"], o["not_assessed_n"]) == (1, 1) and pd.isna(o["hidden"])
    assert df["hidden"].isna().all()
    assert row(df, "DLit300")["not_met_n"] == 4               # S2-S5


def test_by_total_and_bad_input(con):
    full = analysis.training_needs(con, Filters(), "Early", by="group")
    only = analysis.training_needs(con, Filters(), "Early", by="total")
    assert only["is_total"].all() and set(only["by"]) == {"total"}
    pd.testing.assert_frame_equal(only.drop(columns=["by"]),
                                  full[full["is_total"]].drop(columns=["by"]).reset_index(drop=True))
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
@pytest.mark.parametrize("kw", [{}, {"threshold": 4}, {"min_cell": 3}, {"min_cell": 7},
                                {"org_units": (seed.SERVICE_DIV,)}])
def test_no_figure_recomputable_here_or_across_views(store_con, fill, kw):
    """Nothing the coverage heatmap or the blocking units hide comes back here, and no hidden part of a unit
    can be recomputed by subtraction, nor pinned to 0% or 100%."""
    fill(store_con)
    f = Filters(**kw)
    for stage in ("Early", "Developing", "Mature"):
        df = analysis.training_needs(store_con, f, stage)
        cov = analysis.coverage(store_con, f, stage, by="group").set_index(["code", "key"])
        bl = analysis.blockers(store_con, f, stage, top=None).set_index("code")
        for r in df.itertuples():
            if r.is_total:
                if pd.notna(bl.loc[r.code, "hidden"]):
                    assert pd.notna(r.hidden), (stage, r.code)
                assert r.required_n == bl.loc[r.code, "n"]
                if pd.isna(r.hidden):
                    assert r.not_met_n == bl.loc[r.code, "n"] - bl.loc[r.code, "met"]
            else:
                c = cov.loc[(r.code, r.key)]
                assert r.required_n == c["n"]
                if pd.notna(c["hidden"]):
                    assert pd.notna(r.hidden), (stage, r.code, r.key)
                if pd.isna(r.hidden):
                    assert r.not_met_n == c["n"] - c["met"]
        for code, g in df.groupby("code"):
            tot = g[g["is_total"]].iloc[0]
            parts = g[~g["is_total"] & (g["required_n"] > 0)]
            hid = parts[parts["hidden"].notna()]
            if pd.notna(tot["hidden"]) or hid.empty:
                continue
            assert len(hid) != 1, (stage, code)
            shown = parts[parts["hidden"].isna()]
            n_hid = hid["required_n"].sum()
            for amount in ("not_met_n", "not_assessed_n"):
                left = tot[amount] - shown[amount].sum()
                if 0 < tot[amount] < tot["required_n"]:
                    assert 0 < left < n_hid, (stage, code, amount)


def _rows(groups: dict[str, list[dict]]) -> list[dict]:
    return [{"batch_id": "B1", "respondent_id": f"{g[:3]}{i}", "staff_group": g, "agency": None,
             "org_unit": seed.SERVICE_DIV, "levels": lv}
            for g, levels in groups.items() for i, lv in enumerate(levels, 1)]


def test_hidden_groups_inside_a_unit_all_or_none_met_hide_its_total(store_con):
    """DLit200 at Early is required of Service, Academic and Others, not of Executive or Technologist.

    Service 10 (5 meet), Academic 3 and Others 2 (none meet), Executive 3 (1 meets), Technologist 4 (none):
    the heatmap hides the four small groups, two inside and two outside the unit's groups, so no single
    group is isolated; but the total (5 of 15) minus Service (5 of 10) would show Academic and Others at 0%.
    """
    lv = lambda v: {"DLit200": v}  # noqa: E731
    seed.write(store_con, ["B1"], _rows({
        "Service": [lv(3)] * 5 + [lv(1)] * 5, "Academic": [lv(1)] * 3, "Others": [lv(2), {}],
        "Executive": [lv(3), lv(1), lv(1)], "Technologist": [lv(0)] * 4}))
    cov = analysis.coverage(store_con, Filters(), "Early", by="group")
    hidden = set(cov[(cov["code"] == "DLit200") & cov["hidden"].isin(["small"])]["key"])
    assert hidden == {"Academic", "Others", "Executive", "Technologist"}
    assert cov[(cov["code"] == "DLit200") & (cov["key"] == "Service")]["coverage"].iloc[0] == 0.5
    bl = analysis.blockers(store_con, Filters(), "Early", top=None).set_index("code")
    assert bl.loc["DLit200", "n"] == 15 and bl.loc["DLit200", "hidden"] == analysis.HIDDEN_COMPLEMENTARY
    assert math.isnan(bl.loc["DLit200", "coverage"])
    t = row(analysis.training_needs(store_con, Filters(), "Early"), "DLit200")
    assert t["required_n"] == 15 and t["hidden"] == analysis.HIDDEN_COMPLEMENTARY and math.isnan(t["not_met_n"])
    # With one Academic meeting it, the hidden groups are no longer all-or-none (rule 5 lifts), but Academic (3)
    # and Others (2) are still small slices of the unit's groups: filter differencing (rule 7) keeps it hidden.
    store_con.execute("""UPDATE store.responses SET "DLit200" = 4 WHERE respondent_id = 'Aca1'""")
    with db.transaction(store_con) as cur:   # a write around the store must rebuild the cells the views read
        aggregates.rebuild(cur)
    t = row(analysis.training_needs(store_con, Filters(), "Early"), "DLit200")
    assert t["hidden"] == analysis.HIDDEN_COMPLEMENT and math.isnan(t["not_met_n"])
    t = row(analysis.training_needs(store_con, Filters(min_cell=2), "Early"), "DLit200")
    assert pd.isna(t["hidden"]) and (t["required_n"], t["not_met_n"]) == (15, 9)


def test_hidden_groups_all_assessed_are_protected(store_con):
    """DLit100 at Early: Service (5) and Others (2) are hidden on the heatmap and were all assessed.

    Showing Executive's not-assessed count (2) beside the total's (2) would say every hidden respondent
    was assessed, so Executive's cell is hidden here too (the heatmap shows its coverage: met is no secret).
    """
    lv = lambda v: {"DLit100": v}  # noqa: E731
    seed.write(store_con, ["B1"], _rows({
        "Executive": [lv(4), lv(3), lv(3), lv(1), {}, {}], "Service": [lv(3), lv(3), lv(1), lv(1), lv(0)],
        "Others": [lv(4), lv(2)]}))
    cov = analysis.coverage(store_con, Filters(), "Early", by="group")
    assert pd.isna(cov[(cov["code"] == "DLit100") & (cov["key"] == "Executive")]["hidden"].iloc[0])
    df = analysis.training_needs(store_con, Filters(), "Early")
    tot = row(df, "DLit100")
    assert (tot["required_n"], tot["not_met_n"], tot["not_assessed_n"]) == (13, 7, 2) and pd.isna(tot["hidden"])
    assert row(df, "DLit100", "Executive")["hidden"] == analysis.HIDDEN_COMPLEMENTARY
    assert math.isnan(row(df, "DLit100", "Executive")["not_assessed_n"])

"""Issue 21, point 6: a unit not assessed is shown apart from not met (a share per coverage cell and per blocking
unit), hidden exactly where the cell is hidden — against the hand-computed fixture and against plain pandas
over the store's responses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from framework import analysis, db
from framework.analysis import TOTAL_KEY, Filters
from framework.outputs import analysis_charts
from tests.fixtures.analysis import pages, seed, truth


@pytest.fixture
def con(store_con):
    seed.basic(store_con)
    return store_con


def cell(df, key, code):
    row = df[(df["key"] == key) & (df["code"] == code)]
    assert len(row) == 1, (key, code)
    return row.iloc[0]


def test_fixture_hand_computed(con):
    cov = analysis.coverage(con, Filters(authorised=True, min_cell=1), stage="Early", by="group")
    # Executive DLit400: E4, E5 and E6 have no level (E3 has 2: assessed, not met) -> 3 of 6.
    c = cell(cov, "Executive", "DLit400")
    assert (c["n"], c["met"], c["not_assessed"]) == (6, 2, 3) and c["not_assessed_share"] == pytest.approx(0.5)
    # DLit100: E4 (Executive), S5 (Service), O2 (Others) not assessed; the total 3 of 13.
    assert cell(cov, "Executive", "DLit100")["not_assessed"] == 1
    assert cell(cov, "Service", "DLit100")["not_assessed"] == 1
    t = cell(cov, TOTAL_KEY, "DLit100")
    assert t["not_assessed"] == 3 and t["not_assessed_share"] == pytest.approx(3 / 13)
    # DTr300: nobody assessed -> every one of the 13, coverage 0 reads as "not assessed", not as low skill.
    t = cell(cov, TOTAL_KEY, "DTr300")
    assert (t["met"], t["not_assessed"], t["not_assessed_share"]) == (0, 13, 1.0)


def test_fixture_hidden_cells_hide_the_share(con):
    cov = analysis.coverage(con, Filters(authorised=True), stage="Early", by="group")  # k = 5
    others = cell(cov, "Others", "DLit100")  # 2 people: small
    assert others["hidden"] == analysis.HIDDEN_SMALL
    assert np.isnan(others["not_assessed"]) and np.isnan(others["not_assessed_share"])
    empty = cell(cov, "Management", "DLit100")
    assert empty["hidden"] == analysis.HIDDEN_EMPTY and np.isnan(empty["not_assessed_share"])
    shown = cov[cov["hidden"].isna()]
    assert shown["not_assessed"].notna().all() and shown["not_assessed_share"].notna().all()
    assert (cov["hidden"].notna() == cov["not_assessed_share"].isna()).all()


def test_fixture_blockers(con, catalog):
    bl = analysis.blockers(con, Filters(authorised=True), stage="Early", top=None).set_index("code")
    rows = seed._b1_rows()
    df = truth.frame(rows, list(catalog.unit_codes()))
    req = truth.required(catalog, "Early")
    for code in ("DLit100", "DLit400", "DG100", "DTr100"):
        who = df[df["staff_group"].map(lambda g, c=code: c in req.get(g, set()))]
        expected = int(who[code].isna().sum())
        assert bl.loc[code, "not_assessed"] == expected, code
        assert bl.loc[code, "not_assessed_share"] == pytest.approx(expected / len(who)), code
    assert bl.loc["DLit400", "not_assessed"] == 3 + 4 + 2  # Executive E4-6, Service S2-5, Others O1-2


def demo_frame(con) -> pd.DataFrame:
    """The demo store's responses with their batch's round date, in plain SQL + pandas (no analysis code)."""
    return con.execute(
        "SELECT r.*, CAST(b.round_date AS VARCHAR) AS round_key FROM store.responses r "
        "JOIN store.batches b USING (batch_id)"
    ).df()


@pytest.mark.parametrize("which", ["all", "first_b"])
def test_demo_against_pandas(tmp_path, catalog, which):
    con = db.connect(pages.demo_store(tmp_path / "demo.duckdb"))
    try:
        raw = demo_frame(con)
        codes = list(catalog.unit_codes())
        if which == "all":
            f, rows = Filters(authorised=True, round="all"), raw
        else:  # agency B's first round did not ask the DL / DTr units: a short form
            first = min(raw["round_key"].unique())
            f, rows = Filters(authorised=True, round=first), raw[raw["round_key"] == first]
        cov = analysis.coverage(con, f, stage="Early", by="group")
        for g, part in list(rows.groupby("staff_group")) + [(TOTAL_KEY, rows)]:
            for code in codes:
                c = cell(cov, g, code)
                if pd.isna(c["hidden"]):
                    assert c["n"] == len(part)
                    assert c["not_assessed"] == int(part[code].isna().sum()), (g, code)
                    assert c["not_assessed_share"] == pytest.approx(part[code].isna().mean()), (g, code)
        if which == "first_b":
            assert cell(cov, TOTAL_KEY, "DTr100")["not_assessed_share"] == pytest.approx(rows["DTr100"].isna().mean())
            assert rows["DTr100"].isna().any()
        bl = analysis.blockers(con, f, stage="Developing", top=None).set_index("code")
        req = truth.required(catalog, "Developing")
        for code in bl.index:
            who = rows[rows["staff_group"].map(lambda g, c=code: c in req.get(g, set()))]
            if pd.isna(bl.loc[code, "hidden"]):
                assert bl.loc[code, "not_assessed"] == int(who[code].isna().sum()), code
                assert bl.loc[code, "not_assessed_share"] == pytest.approx(who[code].isna().mean()), code
    finally:
        con.close()


def test_demo_public_hidden_cells_hide_the_share(tmp_path):
    con = db.connect(pages.demo_store(tmp_path / "demo.duckdb"))
    try:
        cov = analysis.coverage(con, Filters(min_cell=70), stage="Early", by="group")  # Executives: 68
        assert cov["hidden"].notna().any() and cov["hidden"].isna().any()
        assert (cov["hidden"].notna() == cov["not_assessed_share"].isna()).all()
        assert (cov["hidden"].notna() == cov["not_assessed"].isna()).all()
        shown = cov[cov["hidden"].isna()]
        assert (shown["not_assessed"] <= shown["n"]).all()
        bl = analysis.blockers(con, Filters(min_cell=70), stage="Early", top=None)
        assert (bl["hidden"].notna() == bl["not_assessed_share"].isna()).all()
    finally:
        con.close()


def test_heatmap_hover_says_not_assessed(con):
    cov = analysis.coverage(con, Filters(authorised=True), stage="Early", by="group")
    fig = analysis_charts.coverage_heatmap(cov, "en")
    trace = fig.data[0]
    assert "not assessed: %{customdata[4]}" in trace.hovertemplate
    codes = list(dict.fromkeys(cov.sort_values("unit_ord", kind="stable")["code"]))
    keys = list(dict.fromkeys(cov["key"]))
    i, j = codes.index("DLit400"), keys.index("Executive")
    assert trace.customdata[i][j][4] == "50%"
    assert "ยังไม่ได้ประเมิน" in analysis_charts.coverage_heatmap(cov, "th").data[0].hovertemplate


def test_overview_blockers_table_has_not_assessed(tmp_path, monkeypatch, catalog):
    pages.use_store(monkeypatch, pages.fixture_store(tmp_path / "s.duckdb", seed.basic))
    at = pages.run_page("overview.py", lang="en")
    assert not at.exception
    table = next(d.value for d in at.dataframe if "Code" in d.value.columns)
    assert "Not assessed" in table.columns and len(table) == 5
    # each unit's share from the fixture's rows in plain pandas, among the people whose Early profile requires it
    df = truth.frame(seed._b1_rows(), list(catalog.unit_codes()))
    req = truth.required(catalog, "Early")
    for code, shown in zip(table["Code"], table["Not assessed"]):
        who = df[df["staff_group"].map(lambda g, c=code: c in req.get(g, set()))]
        assert shown == pytest.approx(100 * who[code].isna().mean()), code
    assert any("Not assessed = " in c.value for c in at.caption)

"""framework.analysis against the hand-computed fixture in tests/fixtures/analysis/seed.py."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from framework import analysis
from framework.analysis import TOTAL_KEY, Filters
from tests.fixtures.analysis import seed, truth


@pytest.fixture
def con(store_con):
    seed.basic(store_con)
    return store_con


@pytest.fixture
def con2(store_con):
    seed.two_rounds(store_con)
    return store_con


def cell(df, key, code="DLit100"):
    row = df[(df["key"] == key) & (df["code"] == code)]
    assert len(row) == 1, (key, code)
    return row.iloc[0]


def rcell(df, key, stage="Early"):
    row = df[(df["key"] == key) & (df["stage"] == stage)]
    assert len(row) == 1, (key, stage)
    return row.iloc[0]


def test_coverage_by_group_hand_computed(con):
    cov = analysis.coverage(con, Filters(), stage="Early", by="group")
    e = cell(cov, "Executive")
    assert (e["n"], e["met"], e["coverage"]) == (6, 3, 0.5)
    assert e["required"] and pd.isna(e["hidden"])
    t = cell(cov, TOTAL_KEY)
    # Without the passphrase the total is over the blocks of >= 5: Executive 6 + Service 5 (the 2 Others are
    # in no block of 5); with it, exact over all 13.
    assert (t["n"], t["n_all"], t["met"]) == (11, 13, 6) and t["coverage"] == pytest.approx(6 / 11)
    exact = cell(analysis.coverage(con, Filters(authorised=True), stage="Early", by="group"), TOTAL_KEY)
    assert (exact["n"], exact["met"]) == (13, 7) and exact["coverage"] == pytest.approx(7 / 13)
    # Rows in framework order, all 39 units for 6 groups + total.
    assert len(cov) == 39 * 7
    assert list(dict.fromkeys(cov["code"]))[:3] == ["DLit100", "DLit200", "DLit300"]
    assert list(dict.fromkeys(cov["key"])) == [
        "Executive",
        "Management",
        "Academic",
        "Service",
        "Technologist",
        "Others",
        TOTAL_KEY,
    ]


def test_unit_not_assessed_counts_as_not_met(con):
    cov = analysis.coverage(con, Filters(), stage="Early", by="group")
    e = cell(cov, "Executive", "DTr300")
    assert (e["n"], e["met"], e["coverage"]) == (6, 0, 0.0)  # nobody assessed: 0, not hidden, not NaN
    # E4 has nothing assessed, yet is counted in n.
    assert cell(cov, "Executive", "DLit400")["met"] == 2  # E1 (4), E2 (3); E3 has 2


def test_small_cells_hidden_and_every_block_shown(con):
    cov = analysis.coverage(con, Filters(), stage="Early", by="group")
    o = cell(cov, "Others")
    assert o["n_all"] == 2 and o["hidden"] == analysis.HIDDEN_SMALL
    assert math.isnan(o["met"]) and math.isnan(o["coverage"])
    # Service (5) is a block of its own: shown (the old pairwise rules hid it as a complement).
    s = cell(cov, "Service")
    assert (s["n"], s["met"]) == (5, 3) and pd.isna(s["hidden"]) and s["coverage"] == pytest.approx(0.6)
    # Staff groups with no respondents: hidden as empty, never 0.
    m = cell(cov, "Management")
    assert m["n_all"] == 0 and m["hidden"] == analysis.HIDDEN_EMPTY and math.isnan(m["coverage"])
    # The total minus the shown parts covers nobody: nothing to recompute.
    for code, g in cov.groupby("code"):
        parts = g[~g["is_total"] & g["hidden"].isna()]
        total = g[g["is_total"]].iloc[0]
        assert total["n"] == parts["n"].sum() and total["met"] == parts["met"].sum(), code


def recover_hidden(df, set_cols, amount, value):
    """What a reader recomputes by subtraction: per set, total minus shown parts over the hidden parts' n."""
    found = {}
    for keys, g in df.groupby(set_cols):
        tot = g[g["is_total"]]
        if tot.empty or tot["hidden"].notna().any():
            continue
        parts = g[~g["is_total"] & (g["n"] > 0)]
        shown, hid = parts[parts["hidden"].isna()], parts[parts["hidden"].notna()]
        if hid.empty:
            continue
        left = float((tot[value] * tot["n"]).iloc[0]) - float((shown[value] * shown["n"]).sum())
        found[keys] = (left, int(hid["n"].sum()), len(hid), float(tot[value].iloc[0]))
    return found


def test_no_hidden_cell_recomputable_as_zero_or_full(con):
    """Total minus the shown parts covers 0 or >= k people, whatever they answered (SPM100: Executive 1/6)."""
    cov = analysis.coverage(con, Filters(), stage="Early", by="group")
    spm = cov[cov["code"] == "SPM100"].set_index("key")
    assert spm.loc["Executive", "met"] == 1 and pd.isna(spm.loc["Executive", "hidden"])
    for code, g in cov.groupby("code"):
        parts = g[~g["is_total"] & g["hidden"].isna()]
        left = int(g[g["is_total"]]["n"].iloc[0]) - int(parts["n"].sum())
        assert left == 0 or left >= 5, code
    ready = analysis.readiness(con, Filters(), by="group")
    for stage, g in ready.groupby("stage"):
        parts = g[~g["is_total"] & g["hidden"].isna()]
        left = int(g[g["is_total"]]["n"].iloc[0]) - int(parts["n"].sum())
        assert left == 0 or left >= 5, stage


def test_reasons_function():
    from framework.analysis import suppression as sup

    n = pd.Series([0, 0, 3, 0, 6, 6, 4])
    n_all = pd.Series([0, 2, 3, 7, 6, 9, 4])
    assert sup.reasons(n, n_all, 5).fillna("").tolist() == ["empty", "small", "small", "pooled", "", "", "small"]
    # A k chosen above the figure's people hides it as small.
    assert sup.reasons(n, n_all, 7).fillna("").tolist()[4:] == ["small", "small", "small"]


def test_min_cell_change_shows_small_cells(con):
    # k below the floor: exact figures only (the HR passphrase; local mode passes authorised=True).
    cov = analysis.coverage(con, Filters(min_cell=2, authorised=True), stage="Early", by="group")
    assert cell(cov, "Others")["coverage"] == 0.5 and pd.isna(cell(cov, "Others")["hidden"])
    assert cell(cov, "Service")["coverage"] == 0.6
    # Without it the blocks are made at the floor: a smaller k cannot split them.
    public = analysis.coverage(con, Filters(min_cell=2), stage="Early", by="group")
    assert cell(public, "Others")["hidden"] == analysis.HIDDEN_POOLED


def test_threshold_changes_coverage_and_readiness(con):
    cov = analysis.coverage(con, Filters(threshold=2), stage="Early", by="group")
    assert cell(cov, "Executive")["coverage"] == pytest.approx(4 / 6)
    ready = analysis.readiness(con, Filters(threshold=2), by="group")
    assert rcell(ready, "Executive")["readiness"] == pytest.approx(15 / 54)
    cov4 = analysis.coverage(con, Filters(threshold=4), stage="Early", by="group")
    assert cell(cov4, "Executive")["met"] == 1


def hid(df):
    return df["hidden"].fillna("").tolist()


def test_readiness_hand_computed(con):
    ready = analysis.readiness(con, Filters(authorised=True), by="group")
    e = rcell(ready, "Executive")
    assert e["readiness"] == pytest.approx(13 / 54)
    assert e["fully_ready"] == pytest.approx(1 / 6)
    assert e["required_units"] == 9
    total = rcell(ready, TOTAL_KEY)
    # (13/9 + (8+1+1)/8 + 1/5) / 13 — Others' Early profile has 5 units; O1 meets DLit100.
    assert total["readiness"] == pytest.approx((13 / 9 + 10 / 8 + 1 / 5) / 13)
    assert total["fully_ready"] == pytest.approx(2 / 13)
    assert rcell(ready, "Service")["readiness"] == pytest.approx(0.25)
    assert math.isnan(rcell(ready, "Others")["readiness"])
    public = analysis.readiness(con, Filters(), by="group")
    # Without the passphrase: over Executive + Service (11), the 2 Others in no block.
    assert rcell(public, TOTAL_KEY)["readiness"] == pytest.approx((13 / 9 + 10 / 8) / 11)
    assert rcell(ready, "Academic")["hidden"] == analysis.HIDDEN_EMPTY
    assert rcell(ready, "Academic")["required_units"] == 9  # public profile fact stays


def test_stage_reached(con2):
    f = Filters(min_cell=2)
    ready = analysis.readiness(con2, f, by="agency")
    reached = analysis.stage_reached(ready, 0.8).set_index("key")["stage_reached"]
    assert reached[seed.AGENCY2] == "Early"  # 5 executives all meet Early: 100%
    assert reached[seed.AGENCY] == "none"
    low = analysis.stage_reached(ready, 0.5).set_index("key")["stage_reached"]
    assert low[seed.AGENCY2] == "Developing"  # 9/16 = 0.5625 >= 0.5
    hidden = analysis.stage_reached(analysis.readiness(con2, Filters(), by="group"), 0.8)
    assert hidden.set_index("key")["stage_reached"].isna()["Others"]


def test_blockers_rank_and_every_block_counted(con):
    bl = analysis.blockers(con, Filters(), stage="Developing", top=None)
    dl = bl.set_index("code")
    # Over the blocks: Executive 6 + Service 5 (the 2 Others are in no block); exact with the passphrase.
    assert (dl.loc["DLit100", "n"], dl.loc["DLit100", "n_all"]) == (11, 13)
    assert dl.loc["DLit100", "coverage"] == pytest.approx(6 / 11)
    exact = analysis.blockers(con, Filters(authorised=True), stage="Developing", top=None).set_index("code")
    assert exact.loc["DLit100", "n"] == 13 and exact.loc["DLit100", "coverage"] == pytest.approx(7 / 13)
    top = analysis.blockers(con, Filters(), stage="Developing", top=5)
    assert len(top) == 5 and top["hidden"].isna().all()
    assert top["coverage"].is_monotonic_increasing
    # DLit500 is required of Service only: Service is a block of 5, so its figure is shown.
    assert pd.isna(dl.loc["DLit500", "hidden"]) and dl.loc["DLit500", "n"] == 5
    cov = analysis.coverage(con, Filters(), stage="Developing", by="group")
    # Every shown blocker equals the sum of its required staff groups' counts on the heatmap.
    for row in bl[bl["hidden"].isna()].itertuples():
        parts = cov[(cov["code"] == row.code) & ~cov["is_total"] & cov["required"] & cov["hidden"].isna()]
        assert row.n == parts["n"].sum() and row.met == parts["met"].sum()


def test_filters_are_bound_and_combine(con2):
    f = Filters(agencies=(seed.AGENCY2,), min_cell=2)
    cov = analysis.coverage(con2, f, stage="Early", by="group")
    assert cell(cov, TOTAL_KEY)["n"] == 5
    assert analysis.survey_counts(con2, Filters(rounds=("2024-01-15",)))["respondents"] == 13
    assert analysis.survey_counts(con2, Filters(batches=("B2",), staff_groups=("Executive",)))["respondents"] == 5
    assert analysis.survey_counts(con2, Filters(org_units=(seed.SERVICE_DIV,)))["respondents"] == 7
    # Quotes in a filter value are data, not SQL.
    assert analysis.survey_counts(con2, Filters(agencies=("x' OR '1'='1",)))["respondents"] == 0


def test_by_agency_and_unit_and_required_only(con):
    exact = analysis.coverage(con, Filters(authorised=True), stage="Early", by="unit")
    assert cell(exact, seed.SERVICE_DIV)["n"] == 7 and cell(exact, seed.SERVICE_DIV)["met"] == 4
    cov = analysis.coverage(con, Filters(), stage="Early", by="unit")
    # Without the passphrase the unit's figure covers its blocks: Service 5 of its 7 (the 2 Others in none).
    assert (cell(cov, seed.SERVICE_DIV)["n"], cell(cov, seed.SERVICE_DIV)["n_all"]) == (5, 7)
    assert cell(cov, seed.SECRETARIAT)["coverage"] == 0.5
    agency = analysis.coverage(con, Filters(), stage="Early", by="agency")
    assert set(agency["key"]) == {seed.AGENCY, TOTAL_KEY}  # agency falls back to the batch's
    only = analysis.coverage(con, Filters(staff_groups=("Executive",), required_only=True), stage="Early")
    assert set(only["code"]) == set(seed.EXEC_EARLY)
    assert set(only["key"]) == {"Executive", TOTAL_KEY}


def test_overview(con, catalog):
    public = analysis.overview(con, Filters())
    assert public["counts"]["respondents"] == 13  # head counts stay exact
    assert public["readiness"] == pytest.approx((13 / 9 + 10 / 8) / 11)
    ov = analysis.overview(con, Filters(authorised=True))
    assert ov["stage"] == "Early" and ov["next_stage"] == "Developing"
    assert ov["counts"]["respondents"] == 13 and ov["counts"]["org_units"] == 2
    assert ov["readiness"] == pytest.approx((13 / 9 + 10 / 8 + 1 / 5) / 13)
    assert ov["stage_reached"] == "none"
    # Under the target at Early: the blockers are Early's units (the stage the next step talks about).
    assert ov["work_stage"] == "Early"
    assert 0 < len(ov["blockers"]) <= 5
    # The blockers, against figures computed from the raw fixture rows in pandas (not by framework.analysis).
    raw = truth.frame(seed._b1_rows(), list(catalog.unit_codes()))
    want = truth.unit_coverage(raw, truth.required(catalog, "Early"))
    for row in ov["blockers"].itertuples():
        assert (row.n, row.met) == (want.loc[row.code, "n"], want.loc[row.code, "met"]), row.code
        assert row.coverage == pytest.approx(want.loc[row.code, "coverage"])
    assert ov["blockers"]["coverage"].is_monotonic_increasing
    # Every unit with a lower coverage than the fifth shown one, and not shown, is hidden (not forgotten).
    every = ov["blockers_all"].set_index("code")
    assert set(every.index[every["hidden"] != analysis.HIDDEN_EMPTY]) == set(want.index)
    fifth = ov["blockers"]["coverage"].iloc[-1]
    for code in want.index[want["coverage"] < fifth - 1e-12]:
        assert code in set(ov["blockers"]["code"]) or pd.notna(every.loc[code, "hidden"]), code
    small = analysis.overview(con, Filters(staff_groups=("Others",)))
    assert small["hidden"] and small["readiness"] is None and small["stage_reached"] is None


def test_trends_per_round(con2):
    t = analysis.trends(con2, Filters(), stage="Early", unit="DLit100")
    assert t["rounds"] == ["2024-01-15", "2024-07-15"]
    r = t["readiness"].set_index(["round", "key"])
    assert r.loc[("2024-07-15", "Executive"), "readiness"] == 1.0
    assert r.loc[("2024-01-15", "Executive"), "readiness"] == pytest.approx(13 / 54)
    c = t["coverage"].set_index(["round", "key"])
    assert c.loc[("2024-07-15", "Executive"), "coverage"] == 1.0
    assert c.loc[("2024-01-15", "Others"), "hidden"] == analysis.HIDDEN_SMALL


def test_bad_input_messages_in_thai_and_english(con):
    with pytest.raises(analysis.AnalysisError) as exc:
        analysis.coverage(con, Filters(), stage="Late")
    assert "Early" in exc.value.en and "ระยะ" in exc.value.th
    with pytest.raises(analysis.AnalysisError):
        Filters(threshold=7)
    with pytest.raises(analysis.AnalysisError):
        Filters(staff_groups=("Nobody",))
    with pytest.raises(analysis.AnalysisError):
        analysis.readiness(con, Filters(), by="province")


def test_hidden_note_counts_cells(con):
    cov = analysis.coverage(con, Filters(), stage="Early", by="group")
    counts = analysis.hidden_counts(cov)
    # Others (2) is small on every unit; Management, Academic, Technologist are empty.
    assert counts == {"empty": 39 * 3, "small": 39, "pooled": 0}
    en, th = analysis.hidden_note(cov, 5, "en"), analysis.hidden_note(cov, 5, "th")
    assert "39 with fewer than 5 respondents (the nearest needs 3 more)" in en
    assert "cover only" in en  # the totals cover 11 of 13
    assert "น้อยกว่า 5" in th and "ต้องการอีก 3 คน" in th
    unit = analysis.coverage(con, Filters(staff_groups=("Others", "Service")), stage="Early", by="unit")
    assert "cover only" in analysis.hidden_note(unit, 5, "en")


def test_empty_store(store_con, catalog):
    from framework.store import ensure_schema

    ensure_schema(store_con, catalog.unit_codes())
    assert analysis.survey_counts(store_con)["respondents"] == 0
    cov = analysis.coverage(store_con, Filters(), stage="Early")
    assert cov["coverage"].isna().all()
    assert analysis.overview(store_con)["readiness"] is None
